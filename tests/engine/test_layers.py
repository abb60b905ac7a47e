"""Affine, activation layers and SoftmaxWithLoss: formulas, gradients and dtypes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import functions
from engine.gradcheck import check_layer
from engine.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss, Tanh

GRADIENT_TOLERANCE = 1e-7
sizes = st.integers(1, 6)
seeds = st.integers(0, 2**32 - 1)


def away_from_zero(rng, shape):
    """Values with |x| ≥ 0.1, so a finite-difference step never crosses ReLU's kink."""
    return rng.choice([-1.0, 1.0], shape) * (0.1 + np.abs(rng.standard_normal(shape)))


@settings(max_examples=25, deadline=None)
@given(n=sizes, d=sizes, m=sizes, seed=seeds)
def test_affine_backward_matches_numerical_gradients(n, d, m, seed):
    rng = np.random.default_rng(seed)
    layer = Affine(rng.standard_normal((d, m)), rng.standard_normal(m))
    check = check_layer(layer, rng.standard_normal((n, d)))
    assert set(check.errors) == {"input0", "W", "b"}
    assert check.max_rel_error < GRADIENT_TOLERANCE, check.errors


def test_affine_forward_is_xw_plus_b_and_flattens_images():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 2, 3, 3))
    W, b = rng.standard_normal((18, 5)), rng.standard_normal(5)
    layer = Affine(W, b)
    np.testing.assert_allclose(layer.forward(x), x.reshape(4, 18) @ W + b)
    dout = rng.standard_normal((4, 5))
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, (dout @ W.T).reshape(x.shape))
    np.testing.assert_allclose(layer.dW, x.reshape(4, 18).T @ dout)
    np.testing.assert_allclose(layer.db, dout.sum(axis=0))


@pytest.mark.parametrize(
    ("layer_class", "formula"),
    [(Relu, functions.relu), (Sigmoid, functions.sigmoid), (Tanh, functions.tanh)],
)
@settings(max_examples=15, deadline=None)
@given(n=sizes, d=sizes, seed=seeds)
def test_activation_layers_compute_the_function_and_its_derivative(
    layer_class, formula, n, d, seed
):
    x = away_from_zero(np.random.default_rng(seed), (n, d))
    layer = layer_class()
    np.testing.assert_array_equal(layer.forward(x), formula(x))
    assert check_layer(layer, x).max_rel_error < GRADIENT_TOLERANCE


def test_activation_derivatives_in_closed_form():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    dout = np.ones_like(x)
    relu, sigmoid, tanh = Relu(), Sigmoid(), Tanh()
    relu.forward(x)
    np.testing.assert_array_equal(relu.backward(dout), [0, 0, 0, 1, 1])  # 0 at x = 0, as torch
    s = sigmoid.forward(x)
    np.testing.assert_allclose(sigmoid.backward(dout), s * (1 - s))
    assert sigmoid.backward(dout)[2] == 0.25  # σ'(0) = 1/4, the maximum
    np.testing.assert_allclose(tanh.forward(x), np.tanh(x))
    np.testing.assert_allclose(tanh.backward(dout), 1 - np.tanh(x) ** 2)


def test_relu_backward_does_not_modify_the_upstream_gradient():
    layer = Relu()
    layer.forward(np.array([-1.0, 1.0]))
    dout = np.array([5.0, 5.0])
    layer.backward(dout)
    np.testing.assert_array_equal(dout, [5.0, 5.0])  # the book's version zeroes it in place


@settings(max_examples=25, deadline=None)
@given(n=sizes, k=st.integers(2, 6), seed=seeds, one_hot=st.booleans())
def test_softmax_with_loss_backward_matches_numerical_gradients(n, k, seed, one_hot):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n)
    t = np.eye(k)[labels] if one_hot else labels
    # logits of moderate size: for a near-certain prediction ∂L/∂x is tiny and the numerical
    # gradient of log(y ≈ 1) is only good to about ε / h in absolute terms
    check = check_layer(SoftmaxWithLoss(), 1.5 * rng.standard_normal((n, k)), t)
    assert set(check.errors) == {"input0"}
    assert check.max_rel_error < GRADIENT_TOLERANCE


def test_softmax_with_loss_is_mean_cross_entropy_and_backward_is_y_minus_t_over_n():
    x = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    labels = np.array([2, 0])
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, labels)
    y = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-(np.log(y[0, 2]) + np.log(y[1, 0])) / 2, rel=1e-14)
    t = np.eye(3)[labels]
    np.testing.assert_allclose(layer.backward(), (y - t) / 2, rtol=1e-14)
    np.testing.assert_allclose(layer.backward(3.0), 3 * (y - t) / 2, rtol=1e-14)
    assert SoftmaxWithLoss().forward(x, t) == pytest.approx(loss, rel=1e-15)


def test_softmax_with_loss_accepts_one_sample():
    layer = SoftmaxWithLoss()
    x = np.array([0.0, np.log(3.0)])
    assert layer.forward(x, 1) == pytest.approx(-np.log(0.75))
    np.testing.assert_allclose(layer.backward(), [0.25, -0.25])


def test_float32_stays_float32_through_every_layer_and_scalar_upstream():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    W, b = rng.standard_normal((4, 2)).astype(np.float32), np.zeros(2, np.float32)
    for layer in (Relu(), Sigmoid(), Tanh(), Affine(W, b)):
        y = layer.forward(x)
        dx = layer.backward(np.ones_like(y))
        assert (y.dtype, dx.dtype) == (np.float32, np.float32), type(layer).__name__
    softmax = SoftmaxWithLoss()
    assert softmax.forward(x, [0, 1, 2]).dtype == np.float32
    assert softmax.backward(np.float64(1.0)).dtype == np.float32  # not upcast by the scalar


def test_affine_gradients_keep_the_parameters_dtype_for_other_inputs():
    rng = np.random.default_rng(0)
    layer = Affine(rng.standard_normal((4, 2)), np.zeros(2))
    y = layer.forward(rng.standard_normal((3, 4)).astype(np.float32))
    assert y.dtype == np.float32
    layer.backward(np.ones_like(y))
    assert (layer.dW.dtype, layer.db.dtype) == (np.float64, np.float64)


def test_integer_input_is_computed_in_float64():
    layer = Affine(np.ones((2, 1)), np.zeros(1))
    assert layer.forward(np.array([[1, 2]])).dtype == np.float64
    assert Relu().forward(np.array([-1, 2])).dtype == np.float64
