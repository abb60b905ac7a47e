"""Demos of engine/demos/learning_methods.py against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.demos import ParameterError, run_demo


def values(demo_id: str, **params):
    return run_demo(demo_id, **params).values


def test_transfer_freezing_changes_only_the_head():
    frozen = values("transfer-freeze", mode="feature_extraction")
    assert frozen["changed_params"] == ["W2", "b2"]
    assert frozen["trainable_count"] == 64 * 10 + 10
    tuned = values("transfer-freeze", mode="fine_tune")
    assert tuned["unchanged_params"] == []
    assert tuned["trainable_count"] == 64 * 64 + 64 + 64 * 10 + 10
    assert frozen["accuracy_feature_extraction"] == tuned["accuracy_feature_extraction"]


def test_adabn_recovers_from_the_domain_shift():
    result = values("domain-adaptation-adabn")
    assert result["shifted_accuracy"] < result["source_accuracy"] - 0.3
    assert result["adapted_accuracy"] > result["shifted_accuracy"] + 0.3
    identity = values("domain-adaptation-adabn", contrast=1.0, brightness=0.0)
    assert identity["shifted_accuracy"] == identity["source_accuracy"]


@pytest.mark.parametrize("method", ["self_training", "co_training"])
def test_self_training_adds_pseudo_labels(method):
    result = values("semi-supervised-self-training", method=method, rounds=2, per_class=5)
    views = 1 if method == "self_training" else 2
    assert result["pseudo_labels"] <= 2 * 10 * 5 * views
    assert len(result["accuracy_history"]) == 3
    assert result["improvement"] == pytest.approx(
        result["final_accuracy"] - result["baseline_accuracy"]
    )


def test_contrastive_infonce_limits():
    result = values("contrastive-infonce", n=8)
    assert result["loss_collapsed"] == pytest.approx(math.log(15), rel=1e-12)
    assert result["negatives_per_anchor"] == 14
    assert result["loss"] < result["log_2n_minus_1"] < result["loss_shuffled"]


def test_active_learning_scores():
    probs = [[0.9, 0.05, 0.05], [0.5, 0.45, 0.05], [0.4, 0.3, 0.3], [0.6, 0.2, 0.2]]
    result = values("active-uncertainty-sampling", probs=probs)
    p = np.array(probs)
    entropy = -(p * np.log(p)).sum(axis=1)
    np.testing.assert_allclose(result["entropy"], entropy)
    assert result["chosen_entropy"] == int(np.argmax(entropy))
    assert result["chosen_margin"] == 1 and result["chosen_least_confidence"] == 2
    with pytest.raises(ParameterError, match="sum to 1"):
        values("active-uncertainty-sampling", probs=[[0.5, 0.2]])


def test_triplet_and_contrastive_losses():
    t = values(
        "metric-triplet-loss",
        anchor=[0, 0],
        positive=[3, 4],
        negative=[6, 8],
        margin=1,
        squared=True,
    )
    assert (t["d_ap"], t["d_an"], t["loss"], t["active"]) == (25, 100, 0, False)
    c = values("metric-contrastive-loss", x1=[0, 0], x2=[0.3, 0.4], similar=False, margin=1)
    assert c["loss"] == pytest.approx(0.5 * 0.5**2)
    with pytest.raises(ParameterError, match="same length"):
        values("metric-triplet-loss", anchor=[0, 0, 0])


def test_siamese_training_separates_the_classes():
    result = values("metric-siamese-train", steps=60)
    assert result["branch_sum_error"] < 1e-12
    assert (
        result["ratio_after"] > result["different_distance_before"] / result["same_distance_before"]
    )


def _maml_meta_gradient_by_formula(alpha):
    """The exact meta-gradient recomputed from the demo's own probe task, in closed form."""
    from engine.demos.learning_methods import _sample_tasks

    xs, ys, xq, yq = _sample_tasks(np.random.default_rng(0), 1, 5)[0]
    Xs, Xq = np.stack([np.ones(5), xs], 1), np.stack([np.ones(5), xq], 1)
    theta = np.zeros(2)
    adapted = theta - alpha * 2 * Xs.T @ (Xs @ theta - ys) / 5
    grad_q = 2 * Xq.T @ (Xq @ adapted - yq) / 5
    return (np.eye(2) - alpha * 2 * Xs.T @ Xs / 5).T @ grad_q, grad_q


def test_maml_meta_gradients():
    result = values("maml-linear-regression", alpha=0.1, meta_steps=10)
    second, first = _maml_meta_gradient_by_formula(0.1)
    np.testing.assert_allclose(result["meta_grad_second_order"], second, rtol=1e-10)
    np.testing.assert_allclose(result["meta_grad_first_order"], first, rtol=1e-10)
    assert result["second_order_error"] < 1e-6


def test_gcn_layer_matches_the_formula():
    A = [[0, 1, 1], [1, 0, 0], [1, 0, 0]]
    H = [[1.0, -1.0], [2.0, 0.0], [0.0, 3.0]]
    W = [[1.0], [2.0]]
    result = values("gcn-layer", A=A, H=H, W=W, relu=False)
    a = np.array(A) + np.eye(3)
    d = a.sum(1)
    expected = (a / np.sqrt(np.outer(d, d))) @ np.array(H) @ np.array(W)
    np.testing.assert_allclose(result["output"], expected)
    with pytest.raises(ParameterError, match="symmetric"):
        values("gcn-layer", A=[[0, 1], [0, 0]], H=[[1.0], [2.0]])


@pytest.mark.parametrize(
    ("demo_id", "params"),
    [
        ("contrastive-infonce", {"seed": 3}),
        ("maml-linear-regression", {"meta_steps": 5, "seed": 2}),
        ("semi-supervised-self-training", {"rounds": 1}),
    ],
)
def test_demos_are_deterministic(demo_id, params):
    assert values(demo_id, **params) == values(demo_id, **params)
