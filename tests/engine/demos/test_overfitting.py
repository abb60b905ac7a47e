"""The overfitting and regularisation demos against computations written here: the training
loop redone by hand, optimality conditions of the L1 and L2 problems, an augmented least-
squares ridge solver, and the dropout mask drawn from the same seed."""

from __future__ import annotations

import numpy as np
import pytest

import engine.demos.overfitting  # noqa: F401  (registers the demos)
from engine import functions, optim
from engine.datasets import load_digits
from engine.demos.registry import REGISTRY, ParameterError, run
from engine.nets import MultiLayerNet


def values(demo_id: str, **params):
    return run(REGISTRY[demo_id], params).values


SMALL = {"train_size": 40, "hidden": 20, "layers": 1, "epochs": 12, "batch_size": 10}


def test_overfit_curves_match_a_training_loop_written_here():
    result = values("overfit-curves", **SMALL, lr=0.3, seed=3)
    (x, t), (xv, tv) = load_digits()
    x, t, xv, tv = x[:40], t[:40], xv[:300], tv[:300]
    net = MultiLayerNet(64, [20], 10, activation="relu", weight_init="he", seed=3)
    sgd, rng = optim.SGD(lr=0.3), np.random.default_rng(3)
    val_loss, train_acc = [], []
    for _ in range(12):
        order = rng.permutation(40)
        for start in range(0, 40, 10):
            batch = order[start : start + 10]
            sgd.update(net.params, net.gradient(x[batch], t[batch]))
        scores = net.predict(xv)
        val_loss.append(functions.cross_entropy_error(functions.softmax(scores), tv))
        train_acc.append(np.mean(np.argmax(net.predict(x), axis=1) == t))
    assert result["val_loss"] == pytest.approx(val_loss, rel=1e-10)
    assert result["train_acc"] == pytest.approx(train_acc)
    assert result["final_gap"] == pytest.approx(result["final_train_acc"] - result["final_val_acc"])
    assert result["best_epoch"] == int(np.argmin(val_loss)) + 1


def test_the_default_run_overfits():
    result = values("overfit-curves")
    assert result["final_train_acc"] == 1.0
    assert result["final_gap"] > 0.05
    assert result["final_train_loss"] < 0.05 < result["final_val_loss"]
    assert result["best_epoch"] < 60  # validation loss turns up before the end
    assert result["final_val_loss"] > result["min_val_loss"]


def test_early_stopping_epoch_follows_its_definition():
    result = values("overfit-curves", patience=3)
    losses = result["val_loss"]
    best, best_epoch, stop = np.inf, 0, len(losses)
    for epoch, loss in enumerate(losses, start=1):
        if loss < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= 3:
            stop = epoch
            break
    assert (result["best_epoch"], result["stop_epoch"]) == (best_epoch, stop)


def test_regularised_runs_report_the_unregularised_baseline():
    plain = values("overfit-curves", **SMALL)
    decayed = values("overfit-curves", **SMALL, weight_decay=0.05)
    assert decayed["baseline_final_val_loss"] == plain["final_val_loss"]
    assert decayed["baseline_weight_norm"] == plain["weight_norm"]
    assert decayed["weight_norm"] < plain["weight_norm"]
    assert decayed["weight_norm_ratio"] == pytest.approx(
        decayed["weight_norm"] / plain["weight_norm"]
    )
    assert decayed["val_loss_reduction"] == pytest.approx(
        plain["final_val_loss"] - decayed["final_val_loss"]
    )
    assert plain["val_loss_reduction"] == 0.0


def test_overfit_curves_rejects_a_batch_larger_than_the_data():
    with pytest.raises(ParameterError, match="batch_size"):
        values("overfit-curves", train_size=20, batch_size=30)


def l1_l2_data(features, informative, samples, seed):
    """The demo's data, generated the same documented way."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, features))
    x -= x.mean(axis=0)
    w = np.zeros(features)
    w[:informative] = np.linspace(2.0, 1.0, informative)
    y = x @ w + 0.5 * rng.standard_normal(samples)
    return x, y - y.mean()


@pytest.mark.parametrize(
    ("features", "informative", "lam"), [(10, 3, 0.1), (2, 1, 0.1), (20, 5, 0.3)]
)
def test_l1_and_l2_solutions_satisfy_their_optimality_conditions(features, informative, lam):
    result = values("overfit-l1-l2", features=features, informative=informative, lam=lam)
    x, y = l1_l2_data(features, informative, 50, 0)
    n = len(y)
    l2 = np.linalg.solve(x.T @ x / n + lam * np.eye(features), x.T @ y / n)
    np.testing.assert_allclose(result["l2_weights"], l2, rtol=1e-8, atol=1e-10)
    l1 = np.array(result["l1_weights"])
    correlation = x.T @ (y - x @ l1) / n  # −∂(data term)/∂w
    nonzero = l1 != 0
    np.testing.assert_allclose(correlation[nonzero], lam * np.sign(l1[nonzero]), atol=1e-8)
    assert np.all(np.abs(correlation[~nonzero]) <= lam + 1e-8)
    assert result["l1_zeros"] == int(np.sum(~nonzero)) > 0
    assert result["l2_zeros"] == 0


def test_l1_l2_rejects_more_informative_features_than_features():
    with pytest.raises(ParameterError, match="informative"):
        values("overfit-l1-l2", features=3, informative=4)


def test_weight_decay_sweep_matches_an_augmented_least_squares_solve():
    lams = [0.0, 1e-4, 1e-2, 1.0]
    result = values("overfit-weight-decay", lams=lams, degree=5, train_size=15, seed=2)
    rng = np.random.default_rng(2)
    x = np.sort(rng.uniform(-1, 1, 15))
    y = np.sin(np.pi * x) + 0.2 * rng.standard_normal(15)
    features = np.stack([x**k for k in range(1, 6)], axis=1)
    centred, yc = features - features.mean(axis=0), y - y.mean()
    for lam, train_mse, norm in zip(lams, result["train_mse"], result["weight_norms"], strict=True):
        # min (1/n)‖Xw − y‖² + (λ/2)‖w‖²  ⇔  min ‖[X; √(nλ/2) I] w − [y; 0]‖²
        design = np.vstack([centred, np.sqrt(15 * lam / 2) * np.eye(5)])
        w, *_ = np.linalg.lstsq(design, np.concatenate([yc, np.zeros(5)]), rcond=None)
        assert norm == pytest.approx(np.linalg.norm(w), rel=1e-6)
        assert train_mse == pytest.approx(np.mean((centred @ w - yc) ** 2), rel=1e-6, abs=1e-12)
    assert result["weight_norms"] == sorted(result["weight_norms"], reverse=True)
    assert result["best_lambda"] == lams[int(np.argmin(result["test_mse"]))]


def test_default_weight_decay_sweep_has_a_u_shaped_test_error():
    result = values("overfit-weight-decay")
    test_mse = result["test_mse"]
    assert 0 < result["best_index"] < len(test_mse) - 1
    assert result["train_mse"] == sorted(result["train_mse"])


@pytest.mark.parametrize("ratio", [0.2, 0.5, 0.8])
def test_dropout_keeps_units_with_u_above_the_ratio(ratio):
    result = values("overfit-dropout", ratio=ratio, units=5000, seed=4)
    kept = np.random.default_rng(4).random((1, 5000)) > ratio
    assert result["kept_fraction"] == kept.mean()
    assert result["train_output_mean"] == kept.mean()
    assert result["test_output"] == pytest.approx(1 - ratio)
    assert result["grad_zero_fraction"] == pytest.approx(1 - kept.mean())
    assert result["inverted_train_output_mean"] == pytest.approx(kept.mean() / (1 - ratio))
    assert result["inverted_test_output"] == 1.0


def test_dropconnect_drops_weights_and_dropout_drops_rows():
    result = values("overfit-dropconnect", inputs=100, outputs=50, ratio=0.5)
    assert result["dropout_as_rows_diff"] < 1e-12
    assert result["dropped_rows_dropout"] == result["dropout_weight_zero_fraction"]
    assert abs(result["dropconnect_weight_zero_fraction"] - 0.5) < 0.02
    assert result["dropped_rows_dropconnect"] == 0.0


def test_gradient_noise_shrinks_with_the_batch_size():
    result = values("overfit-batch-noise", batch_sizes=[1, 10, 100, 1000], draws=10)
    variance = result["grad_variance"]
    assert variance == sorted(variance, reverse=True)
    assert variance[-1] < 1e-20  # the whole set is the full-batch gradient itself
    # Sampling without replacement: E‖ĝ_B − g‖² ∝ (N − B) / (B (N − 1)), so 1 → 100 is ≈ 110×.
    assert 40 < variance[0] / variance[2] < 300


def test_batch_noise_rejects_fractional_or_too_large_batches():
    with pytest.raises(ParameterError, match="whole numbers"):
        values("overfit-batch-noise", batch_sizes=[1.5])
    with pytest.raises(ParameterError, match="≤ 1000"):
        values("overfit-batch-noise", batch_sizes=[1001])


@pytest.mark.parametrize(
    "demo_id",
    [
        "overfit-l1-l2",
        "overfit-weight-decay",
        "overfit-dropout",
        "overfit-dropconnect",
        "overfit-batch-noise",
    ],
)
def test_same_parameters_give_the_same_values(demo_id):
    assert values(demo_id) == values(demo_id)


def test_overfit_curves_is_deterministic():
    assert values("overfit-curves", **SMALL, dropout=0.3) == values(
        "overfit-curves", **SMALL, dropout=0.3
    )


@pytest.mark.parametrize(
    ("losses", "patience", "best", "stop"),
    [
        ([0.9, 0.7, 0.62, 0.6, 0.61, 0.59, 0.63, 0.64, 0.66, 0.65], 3, 6, 9),
        ([0.9, 0.7, 0.62, 0.6, 0.61, 0.59, 0.63, 0.64, 0.66, 0.65], 1, 4, 5),
        ([0.9, 0.8, 0.7], 2, 3, 3),
        ([0.5, 0.6, 0.7, 0.8], 2, 1, 3),
    ],
)
def test_early_stopping_on_a_given_list(losses, patience, best, stop):
    result = values("overfit-early-stopping", val_loss=losses, patience=patience)
    assert (result["best_epoch"], result["stop_epoch"]) == (best, stop)
    assert result["best_val_loss"] == losses[best - 1]
    assert result["stopped_early"] is (stop < len(losses))
