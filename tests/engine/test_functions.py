"""engine.functions: the formulas every layer and demo computes through."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine import functions

finite = st.floats(-50, 50, allow_nan=False)


def test_step_relu_and_tanh():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(functions.step(x), [0, 0, 1])
    np.testing.assert_array_equal(functions.relu(x), [0, 0, 3])
    np.testing.assert_allclose(functions.tanh(x), np.tanh(x))


def test_sigmoid_values_and_no_overflow_at_extremes():
    assert functions.sigmoid(0.0) == 0.5
    with np.errstate(over="raise", invalid="raise"):
        y = functions.sigmoid(np.array([-1000.0, -30.0, 30.0, 1000.0]))
    np.testing.assert_allclose(y, [0.0, 1 / (1 + np.exp(30)), 1 / (1 + np.exp(-30)), 1.0])


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=finite))
def test_softmax_rows_are_probabilities_and_shift_invariant(x):
    y = functions.softmax(x)
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-12)
    assert np.all(y >= 0)
    np.testing.assert_allclose(functions.softmax(x + 123.0), y, rtol=1e-9, atol=1e-15)


def test_softmax_does_not_overflow():
    with np.errstate(over="raise", invalid="raise"):
        y = functions.softmax(np.array([1010.0, 1000.0, 990.0]))
    np.testing.assert_allclose(y, np.exp([20.0, 10.0, 0.0]) / np.exp([20.0, 10.0, 0.0]).sum())


def test_cross_entropy_with_labels_equals_with_one_hot_and_is_a_batch_mean():
    y = np.array([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]])
    expected = -(np.log(0.7) + np.log(0.5)) / 2
    assert functions.cross_entropy_error(y, np.array([1, 0])) == pytest.approx(expected, rel=1e-15)
    one_hot = np.array([[0, 1, 0], [1, 0, 0]])
    assert functions.cross_entropy_error(y, one_hot) == pytest.approx(expected, rel=1e-15)
    assert functions.cross_entropy_error(y[0], 1) == pytest.approx(-np.log(0.7), rel=1e-15)


def test_cross_entropy_of_a_zero_probability_is_large_but_finite():
    loss = functions.cross_entropy_error(np.array([[1.0, 0.0]]), np.array([1]))
    assert np.isfinite(loss) and loss > 700


def test_mean_squared_error_is_the_mean_over_every_element():
    y = np.array([[1.0, 2.0], [3.0, 4.0]])
    t = np.array([[1.0, 0.0], [0.0, 4.0]])
    assert functions.mean_squared_error(y, t) == pytest.approx((4 + 9) / 4)
    assert functions.mean_squared_error(np.array([[0.2, 0.8]]), [1]) == pytest.approx(0.04)


def test_numerical_gradient_of_a_quadratic_and_the_array_is_restored():
    x = np.array([3.0, -4.0])
    grad = functions.numerical_gradient(lambda v: np.sum(v**2), x)
    np.testing.assert_allclose(grad, [6.0, -8.0], rtol=1e-9)
    np.testing.assert_array_equal(x, [3.0, -4.0])


@pytest.mark.parametrize("name", ["sigmoid", "relu", "tanh", "step", "softmax"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_functions_keep_the_float_dtype(name, dtype):
    x = np.array([[-1.0, 0.5, 2.0]], dtype=dtype)
    assert getattr(functions, name)(x).dtype == dtype


def test_losses_keep_float32():
    y = np.array([[0.25, 0.75]], dtype=np.float32)
    assert functions.cross_entropy_error(y, [1]).dtype == np.float32
    assert functions.mean_squared_error(y, np.array([[0, 1]], np.float32)).dtype == np.float32


def test_leaky_relu_keeps_a_small_slope_below_zero_and_the_dtype():
    x = np.array([-2.0, -0.5, 0.0, 3.0], dtype=np.float32)
    y = functions.leaky_relu(x, alpha=0.1)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, [-0.2, -0.05, 0.0, 3.0], rtol=1e-6)


def test_gelu_is_x_times_the_standard_normal_cdf():
    x = np.array([-3.0, -1.0, 0.0, 0.5, 2.0])
    cdf = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x])
    np.testing.assert_allclose(functions.gelu(x), x * cdf, rtol=1e-15)
    assert functions.gelu(np.float32([1.0])).dtype == np.float32


def test_binary_cross_entropy_is_the_mean_bernoulli_negative_log_likelihood():
    y = np.array([0.9, 0.2, 0.6])
    t = np.array([1, 0, 1])
    expected = -np.mean([math.log(0.9), math.log(0.8), math.log(0.6)])
    assert functions.binary_cross_entropy(y, t) == pytest.approx(expected, rel=1e-15)
    assert math.isfinite(functions.binary_cross_entropy(np.array([0.0]), np.array([1])))
