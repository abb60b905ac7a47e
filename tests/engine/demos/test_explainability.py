"""Demos of engine/demos/explainability.py against independent computations."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from engine.demos import ParameterError, run_demo
from engine.demos.explainability import (
    _bar_net,
    _probability,
    _tabular_net,
    bar_image,
    line_detectors,
)


def values(demo_id: str, **params):
    return run_demo(demo_id, **params).values


def _feature_maps(image):
    """ReLU of the two line detectors over the zero-padded image, by explicit loops."""
    padded = np.pad(image, 1)
    maps = np.zeros((2, 8, 8))
    for k, f in enumerate(line_detectors()[:, 0]):
        for i in range(8):
            for j in range(8):
                maps[k, i, j] = np.sum(padded[i : i + 3, j : j + 3] * f)
    return np.maximum(maps, 0)


@pytest.mark.parametrize(("target", "c"), [("vertical", 0), ("horizontal", 1)])
def test_grad_cam_equals_the_gap_formula(target, c):
    result = values("xai-grad-cam", target=target, column=3, row=6)
    A = _feature_maps(bar_image(3, 6))
    w = _bar_net(0).fc.W[:, c]
    np.testing.assert_allclose(result["alpha"], w / 64, atol=1e-15)
    np.testing.assert_allclose(
        result["grad_cam"], np.maximum(np.tensordot(w, A, axes=1), 0) / 64, atol=1e-12
    )
    assert result["mean_on_target"] > 0.1 and result["mean_on_other"] == 0


def test_integrated_gradients_against_finite_differences():
    net = _tabular_net(0)
    x, base = np.array([1.0, -0.3, 0.5, -0.5]), np.array([-1.0, 1.0, 0.0, 0.0])
    result = values(
        "xai-integrated-gradients", x=x.tolist(), baseline=base.tolist(), steps=200, rule="midpoint"
    )
    h = 1e-6
    reference = np.zeros(4)
    for alpha in (np.arange(200) + 0.5) / 200:
        point = base + alpha * (x - base)
        for i in range(4):
            e = np.eye(4)[i] * h
            reference[i] += (
                (_probability(net, point + e)[0] - _probability(net, point - e)[0]) / (2 * h) / 200
            )
    np.testing.assert_allclose(result["attributions"], reference * (x - base), atol=1e-7)
    assert result["difference"] == pytest.approx(
        _probability(net, x)[0] - _probability(net, base)[0]
    )


def test_lime_on_a_linear_model_gives_w_times_the_difference():
    result = values(
        "xai-lime",
        model="linear",
        weights=[1.0, 2.0, -3.0, 0.5],
        x=[1, 1, 1, 1],
        baseline=[0, 0, 0, 0],
    )
    np.testing.assert_allclose(result["coefficients"], [1.0, 2.0, -3.0, 0.5], atol=1e-9)


def test_shapley_game_by_orderings():
    v = [0.0, 10.0, 20.0, 50.0, 30.0, 60.0, 70.0, 100.0]
    result = values("xai-shapley-game", values=v)
    phi = np.zeros(3)
    for order in itertools.permutations(range(3)):
        members = 0
        for p in order:
            phi[p] += v[members | 1 << p] - v[members]
            members |= 1 << p
    np.testing.assert_allclose(result["phi"], phi / math.factorial(3))
    with pytest.raises(ParameterError, match="2ⁿ"):
        values("xai-shapley-game", values=[1.0, 2.0, 3.0])


def test_shapley_model_efficiency_on_the_net():
    result = values("xai-shapley-model", model="mlp")
    assert result["phi_sum"] == pytest.approx(result["f_x"] - result["f_baseline"], abs=1e-12)
    linear = values("xai-shapley-model", model="linear")
    np.testing.assert_allclose(linear["phi"], linear["linear_reference"], atol=1e-12)


@pytest.mark.parametrize(
    ("demo_id", "params"),
    [("xai-grad-cam", {"target": "horizontal"}), ("xai-lime", {"samples": 50, "seed": 4})],
)
def test_demos_are_deterministic(demo_id, params):
    assert values(demo_id, **params) == values(demo_id, **params)
