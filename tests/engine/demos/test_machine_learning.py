"""Demos of engine/demos/machine_learning.py against independent computations. The distances
against PyTorch as well: test_machine_learning_vs_torch.py (skipped when torch is not installed)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import engine.demos.machine_learning as module
from engine.datasets import load_digits, make_moons
from engine.demos.registry import REGISTRY, ParameterError, run

DEMO_IDS = sorted(
    demo_id for demo_id, demo in REGISTRY.items() if demo.function.__module__ == module.__name__
)


def values(demo_id: str, **params):
    return run(REGISTRY[demo_id], params).values


def test_the_module_registers_its_demos():
    assert {"ml-knn", "ml-roc-auc", "ml-svm", "ml-pca"} <= set(DEMO_IDS)


@pytest.mark.parametrize("demo_id", DEMO_IDS)
def test_every_demo_is_deterministic_and_explains_itself(demo_id):
    first, second = run(REGISTRY[demo_id]), run(REGISTRY[demo_id])
    assert first.values == second.values
    assert first.result.narrative.strip()


def test_distances_by_hand():
    x, y = [1.0, -2.0, 3.0], [4.0, 6.0, -1.0]  # x − y = (−3, −8, 4)
    cov = [[2.0, 0.3, 0.0], [0.3, 1.0, 0.2], [0.0, 0.2, 0.5]]
    result = values("ml-distances", x=x, y=y, p=3, cov=cov)
    assert result["euclidean"] == pytest.approx(math.sqrt(9 + 64 + 16), rel=1e-12)
    assert result["manhattan"] == pytest.approx(3 + 8 + 4, rel=1e-12)
    assert result["minkowski"] == pytest.approx((27 + 512 + 64) ** (1 / 3), rel=1e-12)
    assert result["chebyshev"] == pytest.approx(8, rel=1e-12)
    diff = np.array(x) - np.array(y)
    assert result["mahalanobis"] == pytest.approx(math.sqrt(diff @ np.linalg.inv(cov) @ diff))
    # x·y = 4 − 12 − 3 = −11, ‖x‖² = 1 + 4 + 9 = 14, ‖y‖² = 16 + 36 + 1 = 53
    cos = -11 / math.sqrt(14 * 53)
    assert result["cosine_similarity"] == pytest.approx(cos, rel=1e-12)
    assert result["cosine_distance"] == pytest.approx(1 - cos, rel=1e-12)
    with pytest.raises(ParameterError, match="cov must be a 3×3"):
        values("ml-distances", x=x, y=y)
    with pytest.raises(ParameterError, match="positive definite"):
        values("ml-distances", cov=[[1, 2], [2, 1]])


def _knn_by_loops(x_train, t_train, query, k):
    order = sorted(range(len(x_train)), key=lambda i: (np.sum((x_train[i] - query) ** 2), i))
    votes = np.bincount(t_train[order[:k]], minlength=2)
    return int(np.argmax(votes))


def test_knn_accuracies_match_a_loop_implementation():
    result = values("ml-knn", ks=[1, 7], n_train=60, noise=0.3, seed=2)
    x, t = make_moons(60, 0.3, 2)
    x_test, t_test = make_moons(400, 0.3, 3)
    for k, train_acc, test_acc in zip(
        [1, 7], result["train_accuracy"], result["test_accuracy"], strict=True
    ):
        assert train_acc == pytest.approx(
            np.mean([_knn_by_loops(x, t, q, k) == c for q, c in zip(x, t, strict=True)])
        )
        assert test_acc == pytest.approx(
            np.mean([_knn_by_loops(x, t, q, k) == c for q, c in zip(x_test, t_test, strict=True)])
        )
    assert result["train_accuracy"][0] == 1.0
    with pytest.raises(ParameterError, match="n_train"):
        values("ml-knn", ks=[100], n_train=50)


def test_knn_vote():
    result = values("ml-knn-vote", k=3)
    assert result["nearest"] == [4, 1, 0] and result["predicted"] == 0
    assert values("ml-knn-vote", k=1)["predicted"] == 1
    with pytest.raises(ParameterError, match="k"):
        values("ml-knn-vote", k=6)


def test_kmeans_monotone_and_restarts():
    result = values("ml-kmeans", k=3, restarts=5, seed=0)
    history = result["inertia_history"]
    assert result["monotone"] and all(b <= a + 1e-9 for a, b in itertools.pairwise(history))
    assert result["inertia"] == history[-1] == result["restart_inertias"][0]
    assert result["purity"] == 1.0
    assert len(result["restart_inertias"]) == 5


def test_semi_supervised_self_training_helps_on_moons():
    result = values("ml-semi-supervised", n_labeled=3, n_unlabeled=200, noise=0.1, seed=1)
    assert result["self_training_accuracy"] > result["supervised_accuracy"]


def test_linear_regression_against_polyfit():
    x, y = [1.0, 2.0, 3.0, 5.0], [1.0, 3.0, 2.0, 6.0]
    result = values("ml-linear-regression", x=x, y=y)
    slope, intercept = np.polyfit(x, y, 1)
    assert result["slope"] == pytest.approx(slope) and result["intercept"] == pytest.approx(
        intercept
    )
    np.testing.assert_allclose(result["normal_equation"], [intercept, slope])
    with pytest.raises(ParameterError, match="two different"):
        values("ml-linear-regression", x=[1, 1], y=[1, 2])


def test_polynomial_fit_overfits_at_high_degree():
    result = values("ml-polynomial-fit", degrees=[1, 3, 9], n_train=10, noise=0.3, seed=0)
    rng = np.random.default_rng(0)
    x = rng.random(10)
    t = np.sin(2 * np.pi * x) + 0.3 * rng.standard_normal(10)
    w = np.polyfit(x, t, 3)
    assert result["train_mse"][1] == pytest.approx(np.mean((np.polyval(w, x) - t) ** 2), rel=1e-8)
    assert result["train_mse"][2] < 1e-10
    assert result["test_mse"][2] > result["test_mse"][1]
    assert result["best_degree"] == 3
    ridge = values("ml-polynomial-fit", degrees=[9], n_train=10, lam=1e-3, seed=0)
    assert ridge["weight_norms"][0] < result["weight_norms"][2]


def test_bias_variance_tradeoff():
    result = values("ml-bias-variance", degrees=[1, 3, 9], n_train=25, datasets=100, seed=0)
    assert result["bias2"][0] > result["bias2"][1]
    assert result["variance"][2] > result["variance"][1]
    assert result["noise_variance"] == pytest.approx(0.09)


def test_curse_of_dimensionality():
    result = values("ml-curse-of-dimensionality", dims=[1, 10, 1000], n_points=300, fraction=0.1)
    ratios = result["nearest_to_farthest"]
    assert ratios[0] < ratios[1] < ratios[2]
    np.testing.assert_allclose(result["edge_length"], [0.1, 0.1**0.1, 0.1**0.001])
    with pytest.raises(ParameterError, match="5,000,000"):
        values("ml-curse-of-dimensionality", dims=[10000], n_points=1000)


def test_kfold_sizes_and_cross_validation():
    result = values("ml-kfold", n=23, k=5, degrees=[1, 3])
    assert sorted(result["fold_sizes"]) == [4, 4, 5, 5, 5]
    assert all(
        a + b == 23 for a, b in zip(result["fold_sizes"], result["train_sizes"], strict=True)
    )
    assert result["each_validated_once"] and result["trainings"] == 5
    with pytest.raises(ParameterError, match="k"):
        values("ml-kfold", n=4, k=5)


def test_binary_metrics_from_counts():
    result = values("ml-binary-metrics", tp=40, fp=10, fn=20, tn=30)
    assert result["confusion"] == [[30, 10], [20, 40]]
    assert result["precision"] == pytest.approx(0.8)
    assert result["recall"] == pytest.approx(40 / 60)
    assert result["f1"] == pytest.approx(80 / 110)
    assert result["specificity"] == pytest.approx(0.75) and result["fpr"] == pytest.approx(0.25)
    with pytest.raises(ParameterError, match="not all be 0"):
        values("ml-binary-metrics", tp=0, fp=0, fn=0, tn=0)


def test_multiclass_metrics():
    y_true = [0, 0, 0, 0, 0, 0, 1, 1, 2, 2]
    y_pred = [0, 0, 0, 0, 0, 1, 1, 2, 2, 0]
    result = values("ml-multiclass-metrics", y_true=y_true, y_pred=y_pred)
    np.testing.assert_allclose(result["per_class_precision"], [5 / 6, 1 / 2, 1 / 2])
    np.testing.assert_allclose(result["per_class_recall"], [5 / 6, 1 / 2, 1 / 2])
    assert result["macro_f1"] == pytest.approx((5 / 6 + 0.5 + 0.5) / 3)
    assert result["micro_f1"] == pytest.approx(0.7) == result["accuracy"]
    with pytest.raises(ParameterError, match="same length"):
        values("ml-multiclass-metrics", y_true=[0, 1], y_pred=[0])


def test_roc_auc_and_thresholds():
    y, s = [1, 1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.55, 0.4]
    result = values("ml-roc-auc", y_true=y, scores=s, thresholds=[0.85, 0.5])
    assert result["auc"] == pytest.approx(8 / 9) and result["pairwise_auc"] == pytest.approx(8 / 9)
    np.testing.assert_allclose(result["precision_at"], [1.0, 0.6])
    np.testing.assert_allclose(result["recall_at"], [1 / 3, 1.0])
    assert result["thresholds"][0] is None  # +∞ has no JSON form
    with pytest.raises(ParameterError, match="both 0 and 1"):
        values("ml-roc-auc", y_true=[1, 1], scores=[0.1, 0.2])


def test_regression_metrics_and_perplexity():
    result = values("ml-regression-metrics", y_true=[3, 5, 2, 7], y_pred=[2, 5, 4, 4])
    assert result["mse"] == pytest.approx(3.5) and result["rmse"] == pytest.approx(math.sqrt(3.5))
    assert result["mae"] == pytest.approx(1.5)
    ppl = values("ml-perplexity", probs=[0.5, 0.25, 0.125, 0.5], vocab=7)
    assert ppl["perplexity"] == pytest.approx(2**1.75)
    assert ppl["cross_entropy_bits"] == pytest.approx(1.75)
    assert ppl["uniform_perplexity"] == pytest.approx(7)


def test_logistic_regression_learns_and_odds_ratio_is_exp_w():
    result = values("ml-logistic-regression", lr=0.5, steps=300, query=[0.2, -0.4], seed=4)
    assert result["loss_first"] == pytest.approx(math.log(2))
    assert result["loss_monotone"] and result["loss_last"] < result["loss_first"]
    assert result["odds_ratio_measured"] == pytest.approx(math.exp(result["w"][0]))
    logit = 0.2 * result["w"][0] - 0.4 * result["w"][1] + result["b"]
    assert result["p_query"] == pytest.approx(1 / (1 + math.exp(-logit)))


def test_pca_ratios_from_the_covariance():
    cov = [[4.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]]
    result = values("ml-pca", cov=cov, samples=5000, seed=0)
    eig = np.sort(np.linalg.eigvalsh(cov))[::-1]
    np.testing.assert_allclose(result["eigenvalues"], eig)
    np.testing.assert_allclose(result["explained_variance_ratio"], eig / eig.sum())
    np.testing.assert_allclose(result["sample_ratio"], eig / eig.sum(), atol=0.02)
    with pytest.raises(ParameterError, match="symmetric"):
        values("ml-pca", cov=[[1, 2], [0, 1]])


def test_pca_on_digits():
    result = values("ml-pca-digits", threshold=0.9)
    (x, _), _ = load_digits(test_ratio=0.0)
    eig = np.sort(np.linalg.eigvalsh(np.cov(x, rowvar=False)))[::-1]
    cumulative = np.cumsum(eig) / eig.sum()
    assert result["components_needed"] == int(np.argmax(cumulative >= 0.9)) + 1
    np.testing.assert_allclose(
        result["explained_variance_ratio"], (eig / eig.sum())[:10], atol=1e-10
    )


def test_svm_two_points_and_soft_margin():
    result = values("ml-svm", points=[[0, 0], [3, 4]], labels=[-1, 1], C=1000)
    assert result["margin_width"] == pytest.approx(5.0, abs=1e-6)
    np.testing.assert_allclose(result["w"], [0.24, 0.32], atol=1e-6)
    with pytest.raises(ParameterError, match="both"):
        values("ml-svm", points=[[0, 0], [1, 1]], labels=[1, 1])
    soft = values("ml-svm-soft-margin", Cs=[0.01, 100], seed=0)
    assert soft["margin_widths"][0] > soft["margin_widths"][1]
    assert soft["n_support"][0] > soft["n_support"][1]


def test_svm_kernel_features_separate_xor():
    result = values("ml-svm-kernel", noise=0.1, seed=0)
    assert result["accuracy_linear"] <= 0.8
    assert result["accuracy_mapped"] == 1.0
