"""The generalisation demos against computations written here: statistics counted from the
axes, augmentation checked on the images, AdaBoost's weight identity, the bootstrap's
1 − (1 − 1/n)ⁿ, and grid/random search counted by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

import engine.demos.generalization  # noqa: F401  (registers the demos)
from engine.demos.registry import REGISTRY, ParameterError, run


def values(demo_id: str, **params):
    return run(REGISTRY[demo_id], params).values


@pytest.mark.parametrize(
    ("N", "C", "H", "W", "G"), [(4, 6, 3, 3, 2), (2, 8, 5, 4, 4), (3, 4, 2, 2, 1), (1, 6, 3, 3, 3)]
)
def test_norm_compare_counts_one_statistic_per_group(N, C, H, W, G):
    result = values("norm-compare", N=N, C=C, H=H, W=W, groups=G)
    assert (result["bn_stats"], result["ln_stats"], result["in_stats"], result["gn_stats"]) == (
        C,
        N,
        N * C,
        N * G,
    )
    assert result["bn_group_size"] == N * H * W
    assert result["ln_group_size"] == C * H * W
    assert result["in_group_size"] == H * W
    assert result["gn_group_size"] == (C // G) * H * W
    assert result["max_abs_mean"] < 1e-12
    assert result["gn1_vs_ln"] < 1e-12 and result["gnc_vs_in"] < 1e-12
    assert result["bn_batch1_max_abs_output"] == 0.0


def test_only_batch_norm_depends_on_the_other_samples():
    result = values("norm-compare")
    assert result["bn_depends_on_batch"] is True
    assert not (
        result["ln_depends_on_batch"]
        or result["in_depends_on_batch"]
        or result["gn_depends_on_batch"]
    )


def test_norm_compare_rejects_groups_that_do_not_divide_c():
    with pytest.raises(ParameterError, match="groups"):
        values("norm-compare", C=6, groups=4)


def test_augment_basic_shapes_and_counts():
    result = values("augment-basic", batch=32, pad=2, crop=8, p=0.5, seed=1)
    flips = np.random.default_rng(1).random(32) < 0.5
    assert result["flipped"] == int(flips.sum())
    assert result["flip_twice_restores"] is True
    assert result["flip_shape"] == [32, 1, 8, 8]
    assert result["crop_shape"] == [32, 1, 8, 8]
    assert max(result["crop_tops"]) <= 4 and max(result["crop_lefts"]) <= 4
    assert 0 < result["erased_images"] < 32
    assert 0 < result["erased_fraction"] <= 1
    assert len(result["labels"]) == 32


def test_augment_basic_crop_must_fit():
    with pytest.raises(ParameterError, match="crop"):
        values("augment-basic", pad=0, crop=9)


@pytest.mark.parametrize("lam", [0.0, 0.3, 0.7, 1.0])
def test_mixup_mixes_the_labels_with_the_same_weight(lam):
    result = values("augment-mixup", lam=lam)
    first, second = result["labels"]
    assert first != second
    expected = np.zeros(10)
    expected[first] += lam
    expected[second] += 1 - lam
    np.testing.assert_allclose(result["mixed_label"], expected, atol=1e-15)
    assert result["label_sum"] == pytest.approx(1.0)
    assert result["pixel_diff"] < 1e-15


def test_mixup_beta_draws():
    small, uniform = values("augment-mixup", alpha=0.2), values("augment-mixup", alpha=1.0)
    assert small["beta_mean"] == pytest.approx(0.5, abs=0.02)
    assert small["beta_extreme_fraction"] > 0.5
    assert uniform["beta_extreme_fraction"] == pytest.approx(0.2, abs=0.02)  # U(0, 1)


def test_specaugment_masks_whole_rows_and_columns():
    result = values("augment-specaugment", freqs=40, steps=100, freq_width=8, time_width=20, seed=3)
    assert 0 <= result["masked_freqs"] <= 8 and 0 <= result["masked_steps"] <= 20
    f, t = result["masked_freqs"], result["masked_steps"]
    assert result["masked_fraction"] == pytest.approx((f * 100 + t * 40 - f * t) / 4000)
    with pytest.raises(ParameterError, match="fit"):
        values("augment-specaugment", freqs=10, freq_width=11)


def test_bagging_reduces_variance_and_the_bootstrap_keeps_about_63_percent():
    result = values("ensemble-bagging", samples=40)
    assert result["bagged_variance"] < 0.8 * result["single_variance"]
    assert result["variance_ratio"] == pytest.approx(
        result["bagged_variance"] / result["single_variance"]
    )
    assert result["expected_unique_fraction"] == pytest.approx(1 - (1 - 1 / 40) ** 40)
    assert result["unique_fraction"] == pytest.approx(result["expected_unique_fraction"], abs=0.02)
    assert (
        values("ensemble-bagging", models=1)["variance_ratio"] > 1
    )  # one bootstrap model only adds noise


def test_adaboost_gives_the_mistakes_half_the_weight_and_drives_the_error_down():
    result = values("ensemble-boosting", rounds=30, samples=200)
    assert result["misclassified_weight_share"] == pytest.approx(0.5, abs=1e-12)
    error = result["stump_errors"][0]
    assert result["alphas"][0] == pytest.approx(0.5 * math.log((1 - error) / error))
    assert result["first_error"] == pytest.approx(error)  # one stump: weights are uniform
    assert result["final_error"] < result["first_error"] / 3
    assert all(0 < e < 0.5 for e in result["stump_errors"])


def test_stacking_learns_weights_that_beat_the_worst_models():
    result = values("ensemble-stacking")
    assert result["degrees"] == [1, 3, 9]
    assert result["stacked_mse"] < result["base_mse"][0]
    assert result["stacked_mse"] < 2 * result["best_base_mse"]
    assert sum(result["meta_weights"]) == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize("budget", [4, 9, 16, 25])
def test_grid_search_tries_sqrt_budget_learning_rates_and_random_search_tries_budget(budget):
    result = values("hparam-search", budget=budget)
    assert result["grid_distinct_lr"] == math.isqrt(budget)
    assert result["random_distinct_lr"] == budget
    best = 0.05 + 0.08 * (result["grid_best_log_lr"] + 2.3) ** 2
    assert result["grid_best_error"] >= best


def test_grid_search_needs_a_square_budget():
    with pytest.raises(ParameterError, match="square"):
        values("hparam-search", budget=10)


def test_bayesian_optimisation_beats_random_search_on_average():
    result = values("hparam-bayesopt")
    assert result["bo_mean_best"] < result["random_mean_best"]
    assert result["bo_success_rate"] > result["random_success_rate"]
    assert result["true_best"] == pytest.approx(0.1, abs=1e-3)
    assert len(result["first_points"]) == 12
    with pytest.raises(ParameterError, match="initial"):
        values("hparam-bayesopt", budget=5, initial=5)


@pytest.mark.parametrize(
    "demo_id",
    [
        "norm-compare",
        "augment-basic",
        "augment-mixup",
        "augment-specaugment",
        "ensemble-bagging",
        "ensemble-boosting",
        "ensemble-stacking",
        "hparam-search",
        "hparam-bayesopt",
    ],
)
def test_same_parameters_give_the_same_values(demo_id):
    assert values(demo_id) == values(demo_id)


def test_the_vectorised_erf_matches_math_erf():
    from engine.demos.generalization import _erf

    x = np.linspace(-4, 4, 81)
    np.testing.assert_allclose(_erf(x), [math.erf(v) for v in x], atol=2e-7)
