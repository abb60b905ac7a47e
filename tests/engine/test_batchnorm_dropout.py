"""BatchNormalization (per feature / per channel) and Dropout (the book's convention)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.gradcheck import check_layer
from engine.layers import BatchNormalization, Dropout

GRADIENT_TOLERANCE = 1e-7
seeds = st.integers(0, 2**32 - 1)
# At least three values per channel: with two, x̂ = ±1 whatever x is, so ∂L/∂x is of order ε
# and only finite-difference noise would be compared.
shapes = st.one_of(
    st.tuples(st.integers(3, 6), st.integers(1, 5)),
    st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)).filter(
        lambda s: s[0] * s[2] * s[3] >= 3
    ),
)


def batchnorm_for(shape, rng, **kwargs):
    channels = shape[1]
    gamma = 1 + 0.5 * rng.standard_normal(channels)
    return BatchNormalization(gamma, rng.standard_normal(channels), **kwargs)


@settings(max_examples=30, deadline=None)
@given(shape=shapes, seed=seeds, train=st.booleans())
def test_batchnorm_backward_matches_numerical_gradients(shape, seed, train):
    rng = np.random.default_rng(seed)
    layer = batchnorm_for(
        shape,
        rng,
        running_mean=rng.standard_normal(shape[1]),
        running_var=rng.uniform(0.5, 2, shape[1]),
    )
    x = 2 * rng.standard_normal(shape) + 1
    check = check_layer(layer, x, train=train)
    assert set(check.errors) == {"input0", "gamma", "beta"}
    assert check.max_rel_error < GRADIENT_TOLERANCE, check.errors


def test_batchnorm_normalises_each_channel_of_an_image_batch_over_n_h_w():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 5, 5)) * np.array([1, 10, 100]).reshape(1, 3, 1, 1) + 7
    layer = BatchNormalization(np.ones(3), np.zeros(3), eps=0.0)
    y = layer.forward(x)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, rtol=1e-12)  # biased variance
    # per channel, not per activation: one pixel across the batch is not standardised
    assert abs(y[:, 0, 0, 0].mean()) > 1e-3


def test_batchnorm_on_a_matrix_is_per_feature_with_gamma_and_beta():
    x = np.array([[1.0, 10.0], [3.0, 30.0]])
    layer = BatchNormalization(np.array([2.0, 1.0]), np.array([0.5, -1.0]), eps=1e-5)
    y = layer.forward(x)
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5)
    np.testing.assert_allclose(y, np.array([2.0, 1.0]) * x_hat + np.array([0.5, -1.0]))


def test_batchnorm_running_averages_follow_the_books_momentum_convention():
    rng = np.random.default_rng(1)
    layer = BatchNormalization(np.ones(2), np.zeros(2), momentum=0.9)
    np.testing.assert_array_equal(layer.running_mean, [0, 0])
    np.testing.assert_array_equal(layer.running_var, [1, 1])
    batches = [rng.standard_normal((5, 2)) * 3 + 2 for _ in range(3)]
    mean, var = np.zeros(2), np.ones(2)
    for batch in batches:
        layer.forward(batch, train=True)
        mean = 0.9 * mean + 0.1 * batch.mean(axis=0)
        var = 0.9 * var + 0.1 * batch.var(axis=0)  # biased, ddof=0
    np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-14)
    np.testing.assert_allclose(layer.running_var, var, rtol=1e-14)


def test_batchnorm_inference_uses_running_statistics_and_leaves_them_alone():
    layer = BatchNormalization(
        np.array([2.0]),
        np.array([1.0]),
        eps=0.0,
        running_mean=np.array([3.0]),
        running_var=np.array([4.0]),
    )
    y = layer.forward(np.array([[5.0], [7.0]]), train=False)
    np.testing.assert_allclose(y, [[2 * (5 - 3) / 2 + 1], [2 * (7 - 3) / 2 + 1]])
    np.testing.assert_array_equal(layer.running_mean, [3.0])
    np.testing.assert_array_equal(layer.running_var, [4.0])
    dx = layer.backward(np.array([[1.0], [1.0]]))
    np.testing.assert_allclose(dx, [[1.0], [1.0]])  # γ / √var: the map is affine


def test_batchnorm_keeps_float32_and_its_parameters_dtype():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 2, 2)).astype(np.float32)
    layer = BatchNormalization(np.ones(3, np.float32), np.zeros(3, np.float32))
    for train in (True, False):
        y = layer.forward(x, train=train)
        dx = layer.backward(np.ones_like(y))
        assert (y.dtype, dx.dtype, layer.dgamma.dtype) == (np.float32,) * 3
    assert layer.running_var.dtype == np.float32


def test_dropout_training_keeps_units_where_uniform_exceeds_ratio():
    x = np.arange(1.0, 1001.0)
    layer = Dropout(0.3, rng=np.random.default_rng(5))
    y = layer.forward(x, train=True)
    expected_mask = np.random.default_rng(5).random(x.shape) > 0.3
    np.testing.assert_array_equal(y, x * expected_mask)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), expected_mask)
    assert 0.6 < expected_mask.mean() < 0.8


def test_dropout_inference_scales_by_the_keep_probability():
    layer = Dropout(0.25)
    x = np.array([4.0, 8.0], dtype=np.float32)
    y = layer.forward(x, train=False)
    np.testing.assert_array_equal(y, [3.0, 6.0])
    assert y.dtype == np.float32
    np.testing.assert_array_equal(layer.backward(np.ones(2, np.float32)), [0.75, 0.75])


@pytest.mark.parametrize("seed", [0, 123])
def test_dropout_masks_repeat_for_the_same_seed_and_change_between_calls(seed):
    x = np.ones(50)
    first, second = Dropout(0.5, rng=seed), Dropout(0.5, rng=seed)
    a, b = first.forward(x), second.forward(x)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.forward(x), a)  # a new mask for every forward


def test_dropout_without_a_generator_draws_like_the_book_from_the_global_state():
    x = np.ones((4, 5))
    np.random.seed(3)
    y = Dropout(0.4).forward(x)
    np.random.seed(3)
    np.testing.assert_array_equal(y, x * (np.random.rand(4, 5) > 0.4))
