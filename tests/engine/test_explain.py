"""engine.explain: CAM, Grad-CAM, Integrated Gradients, LIME and exact Shapley values."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from engine import explain


def test_grad_cam_is_the_relu_of_gradient_weighted_maps():
    A = np.array([[[1.0, 0.0], [2.0, 1.0]], [[0.0, 3.0], [1.0, 0.0]]])
    grads = np.array([[[0.2, 0.4], [0.2, 0.0]], [[-0.1, -0.3], [0.0, -0.2]]])
    np.testing.assert_allclose(explain.grad_cam_weights(grads), [0.2, -0.15])
    np.testing.assert_allclose(explain.grad_cam(A, grads), [[0.2, 0.0], [0.25, 0.2]])


def test_class_activation_map_and_saliency():
    A = np.arange(8.0).reshape(2, 2, 2)
    np.testing.assert_allclose(explain.class_activation_map(A, [1.0, -1.0]), np.full((2, 2), -4.0))
    grad = np.array([[[-3.0, 1.0]], [[2.0, -0.5]]])
    np.testing.assert_allclose(explain.saliency_map(grad), [[3.0, 1.0]])


@pytest.mark.parametrize("rule", explain.RULES)
def test_path_weights_sum_to_one(rule):
    alphas, weights = explain.path_points(7, rule)
    assert weights.sum() == pytest.approx(1.0)
    assert alphas.min() >= 0 and alphas.max() <= 1


def test_integrated_gradients_of_a_product_split_it_in_half():
    # f(x) = x0·x1 from the zero baseline: ∇f along the path is α(x1, x0), so IG = (x0x1/2, x0x1/2).
    x = np.array([2.0, 3.0])

    def grad(batch):
        return batch[:, ::-1]

    ig = explain.integrated_gradients(grad, x, np.zeros(2), steps=4, rule="midpoint")
    np.testing.assert_allclose(ig, [3.0, 3.0], rtol=1e-12)  # the midpoint rule is exact here
    right = explain.integrated_gradients(grad, x, np.zeros(2), steps=1000, rule="right")
    assert right.sum() == pytest.approx(6.0, rel=2e-3)  # completeness, up to the Riemann sum


def test_lime_recovers_a_linear_model_exactly():
    w = np.array([2.0, -1.0, 0.5])
    x, base = np.array([1.0, 2.0, -2.0]), np.array([0.0, 1.0, 0.0])
    coef, intercept, r2 = explain.lime_explain(lambda b: b @ w, x, base, 100, rng=0)
    np.testing.assert_allclose(coef, w * (x - base), atol=1e-9)
    assert intercept == pytest.approx(base @ w)
    assert r2 == pytest.approx(1.0)


def _shapley_by_permutations(v, n):
    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        members = 0
        for player in order:
            phi[player] += v[members | 1 << player] - v[members]
            members |= 1 << player
    return phi / math.factorial(n)


def test_shapley_values_equal_the_average_over_orderings():
    rng = np.random.default_rng(1)
    v = rng.normal(size=16)
    v[0] = 0.0
    phi = explain.shapley_values(v)
    np.testing.assert_allclose(phi, _shapley_by_permutations(v, 4), atol=1e-12)
    assert phi.sum() == pytest.approx(v[-1] - v[0])


def test_shapley_of_the_three_player_game_and_of_a_linear_model():
    phi = explain.shapley_values([0, 10, 20, 50, 30, 60, 70, 100])
    np.testing.assert_allclose(phi, [140 / 6, 200 / 6, 260 / 6])
    w, x, base = np.array([2.0, -1.0, 0.0]), np.array([1.0, 1.0, 5.0]), np.array([0.0, 3.0, 0.0])
    v = explain.model_coalition_values(lambda b: b @ w, x, base)
    np.testing.assert_allclose(explain.shapley_values(v), w * (x - base), atol=1e-12)
    with pytest.raises(ValueError):
        explain.shapley_values([1.0, 2.0, 3.0])
