"""Convolution, Pooling and im2col against direct loop implementations and numerical gradients."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.gradcheck import check_layer
from engine.im2col import col2im, im2col, output_size, sliding_windows
from engine.layers import Convolution, Pooling

GRADIENT_TOLERANCE = 1e-7


def padded(x, pad_h, pad_w, value=0.0):
    return np.pad(x, ((0, 0), (0, 0), (pad_h, pad_h), (pad_w, pad_w)), constant_values=value)


def conv_by_loops(x, W, b, stride, pad):
    """y[n, f, oh, ow] = Σ W[f] · window + b[f], one output pixel at a time."""
    (stride_h, stride_w), (pad_h, pad_w) = stride, pad
    n, _, height, width = x.shape
    filters, _, filter_h, filter_w = W.shape
    out_h = (height + 2 * pad_h - filter_h) // stride_h + 1
    out_w = (width + 2 * pad_w - filter_w) // stride_w + 1
    xp = padded(x, pad_h, pad_w)
    y = np.zeros((n, filters, out_h, out_w))
    for oh in range(out_h):
        for ow in range(out_w):
            window = xp[:, :, oh * stride_h : oh * stride_h + filter_h, ow * stride_w :][
                :, :, :, :filter_w
            ]
            y[:, :, oh, ow] = np.einsum("ncij,fcij->nf", window, W) + b
    return y


def pool_by_loops(x, pool_h, pool_w, stride, pad, mode):
    """Max (padding −∞, first maximum) or average (padding counted) one window at a time.

    Returns the output and the gradient of Σ dout·y with respect to x for a dout of ones·k,
    built by routing each window's share explicitly."""
    (stride_h, stride_w), (pad_h, pad_w) = stride, pad
    n, c, height, width = x.shape
    out_h = (height + 2 * pad_h - pool_h) // stride_h + 1
    out_w = (width + 2 * pad_w - pool_w) // stride_w + 1
    xp = padded(x, pad_h, pad_w, -np.inf if mode == "max" else 0.0)
    y = np.zeros((n, c, out_h, out_w))
    route = np.zeros((n, c, out_h, out_w, *xp.shape[2:]))  # ∂y[n,c,oh,ow]/∂xp[n,c,:,:]
    for index in np.ndindex(n, c, out_h, out_w):
        i, j, oh, ow = index
        rows = slice(oh * stride_h, oh * stride_h + pool_h)
        cols = slice(ow * stride_w, ow * stride_w + pool_w)
        window = xp[i, j, rows, cols]
        if mode == "max":
            first = np.unravel_index(np.argmax(window), window.shape)
            y[index] = window[first]
            route[index][rows, cols][first] = 1
        else:
            y[index] = window.mean()
            route[index][rows, cols] = 1 / (pool_h * pool_w)
    return y, route


def dx_from_route(route, dout, pad_h, pad_w, shape):
    dxp = np.einsum("ncpq,ncpqhw->nchw", dout, route)
    return dxp[:, :, pad_h : pad_h + shape[2], pad_w : pad_w + shape[3]]


geometry = st.fixed_dictionaries(
    {
        "n": st.integers(1, 3),
        "c": st.integers(1, 3),
        "filter_h": st.integers(1, 4),
        "filter_w": st.integers(1, 4),
        "stride_h": st.integers(1, 3),
        "stride_w": st.integers(1, 3),
        "pad_h": st.integers(0, 2),
        "pad_w": st.integers(0, 2),
        "extra_h": st.integers(0, 5),
        "extra_w": st.integers(0, 5),
        "seed": st.integers(0, 2**32 - 1),
    }
)


def input_for(g):
    """An input just large enough for the filter plus some extra rows and columns."""
    height = max(1, g["filter_h"] - 2 * g["pad_h"]) + g["extra_h"]
    width = max(1, g["filter_w"] - 2 * g["pad_w"]) + g["extra_w"]
    return np.random.default_rng(g["seed"]).standard_normal((g["n"], g["c"], height, width))


def distinct_values(shape, rng):
    """Values 0.01 apart in random order: no two within a finite-difference step (no ties)."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.01 - 1


@pytest.mark.parametrize(
    ("size", "filter_size", "stride", "pad", "expected"),
    [(28, 5, 1, 0, 24), (7, 3, 2, 1, 4), (5, 5, 1, 2, 5), (6, 3, 2, 0, 2), (4, 2, 2, 0, 2)],
)
def test_output_size_is_floor_of_h_plus_2p_minus_fh_over_s_plus_1(
    size, filter_size, stride, pad, expected
):
    assert output_size(size, filter_size, stride, pad) == expected


def test_output_size_rejects_a_filter_that_does_not_fit():
    with pytest.raises(ValueError, match="does not fit"):
        output_size(3, 5, 1, 0)


def test_im2col_columns_are_the_flattened_windows():
    x = np.arange(2 * 2 * 4 * 5, dtype=np.float64).reshape(2, 2, 4, 5)
    col = im2col(x, 3, 2, stride=(1, 2), pad=0)
    out_h, out_w = 2, 2
    assert col.shape == (2 * 3 * 2, 2 * out_h * out_w)
    # column (n=1, oh=1, ow=1) reads rows 1..3, columns 2..3 of every channel of image 1
    column = col[:, 1 * out_h * out_w + 1 * out_w + 1]
    np.testing.assert_array_equal(column, x[1, :, 1:4, 2:4].ravel())


@settings(max_examples=30, deadline=None)
@given(geometry)
def test_col2im_is_the_adjoint_of_im2col(g):
    """⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for all x, c: col2im is exactly im2col's transpose."""
    x = input_for(g)
    args = (g["filter_h"], g["filter_w"], (g["stride_h"], g["stride_w"]), (g["pad_h"], g["pad_w"]))
    col = im2col(x, *args)
    c = np.random.default_rng(g["seed"] + 1).standard_normal(col.shape)
    back = col2im(c, x.shape, *args)
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(col * c), np.sum(x * back), rtol=1e-12)


def test_sliding_windows_is_a_view_without_copy():
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6))
    windows = sliding_windows(x, 3, 3, stride=1, pad=0)
    assert np.shares_memory(windows, x)
    assert windows.shape == (2, 3, 3, 3, 4, 4)


@settings(max_examples=30, deadline=None)
@given(geometry)
def test_convolution_forward_matches_direct_loops(g):
    x = input_for(g)
    rng = np.random.default_rng(g["seed"] + 2)
    W = rng.standard_normal((3, g["c"], g["filter_h"], g["filter_w"]))
    b = rng.standard_normal(3)
    stride, pad = (g["stride_h"], g["stride_w"]), (g["pad_h"], g["pad_w"])
    y = Convolution(W, b, stride, pad).forward(x)
    np.testing.assert_allclose(y, conv_by_loops(x, W, b, stride, pad), rtol=1e-12, atol=1e-12)
    assert y.flags.c_contiguous


@settings(max_examples=20, deadline=None)
@given(geometry)
def test_convolution_backward_matches_numerical_gradients(g):
    x = input_for(g)
    rng = np.random.default_rng(g["seed"] + 3)
    W = rng.standard_normal((2, g["c"], g["filter_h"], g["filter_w"]))
    stride, pad = (g["stride_h"], g["stride_w"]), (g["pad_h"], g["pad_w"])
    layer = Convolution(W, rng.standard_normal(2), stride, pad)
    check = check_layer(layer, x)
    assert set(check.errors) == {"input0", "W", "b"}
    assert check.max_rel_error < GRADIENT_TOLERANCE, check.errors


def test_convolution_is_cross_correlation_not_flipped():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 0, 0] = 1.0  # a single 1 in the top-left corner
    W = np.arange(9.0).reshape(1, 1, 3, 3)
    y = Convolution(W, np.zeros(1), pad=2).forward(x)
    # output (oh, ow) reads x_pad at (oh + i, ow + j); the 1 sits at x_pad (2, 2), so
    # output (0, 0) sees it through W[2, 2] and output (2, 2) through W[0, 0]
    assert y[0, 0, 0, 0] == W[0, 0, 2, 2]
    assert y[0, 0, 2, 2] == W[0, 0, 0, 0]


@settings(max_examples=30, deadline=None)
@given(geometry, st.sampled_from(["max", "avg"]))
def test_pooling_forward_and_backward_match_direct_loops(g, mode):
    pool_h, pool_w = g["filter_h"], g["filter_w"]
    pad = (min(g["pad_h"], pool_h // 2), min(g["pad_w"], pool_w // 2))
    rng = np.random.default_rng(g["seed"])
    x = input_for({**g, "pad_h": pad[0], "pad_w": pad[1]})
    x = np.round(x, 1)  # coarse values: many ties, which must go to the first maximum
    stride = (g["stride_h"], g["stride_w"])
    layer = Pooling(pool_h, pool_w, stride, pad, mode)
    y = layer.forward(x)
    expected_y, route = pool_by_loops(x, pool_h, pool_w, stride, pad, mode)
    np.testing.assert_allclose(y, expected_y, rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(y.shape)
    expected_dx = dx_from_route(route, dout, *pad, x.shape)
    np.testing.assert_allclose(layer.backward(dout), expected_dx, rtol=1e-12, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(geometry, st.sampled_from(["max", "avg"]))
def test_pooling_backward_matches_numerical_gradients(g, mode):
    pool_h, pool_w = g["filter_h"], g["filter_w"]
    pad = (min(g["pad_h"], pool_h // 2), min(g["pad_w"], pool_w // 2))  # no all-padding window
    g = {**g, "pad_h": pad[0], "pad_w": pad[1]}
    x = distinct_values(input_for(g).shape, np.random.default_rng(g["seed"]))
    layer = Pooling(pool_h, pool_w, (g["stride_h"], g["stride_w"]), pad, mode)
    assert check_layer(layer, x).max_rel_error < GRADIENT_TOLERANCE


def test_max_pooling_padding_never_wins_even_over_negative_values():
    x = -np.arange(1.0, 17.0).reshape(1, 1, 4, 4)  # all negative: zero padding would win
    y = Pooling(2, 2, stride=2, pad=1).forward(x)
    assert y.shape == (1, 1, 3, 3)
    assert np.all(y < 0)
    assert y[0, 0, 0, 0] == x[0, 0, 0, 0]


def test_average_pooling_counts_padding_cells_like_count_include_pad():
    x = np.ones((1, 1, 2, 2))
    y = Pooling(2, 2, stride=2, pad=1, mode="avg").forward(x)
    np.testing.assert_array_equal(y, np.full((1, 1, 2, 2), 0.25))  # one real cell of four


def test_max_pooling_sends_the_gradient_to_the_first_of_tied_maxima_only():
    x = np.zeros((1, 1, 2, 2))  # a window of four equal values, as after a ReLU
    layer = Pooling(2, 2)
    layer.forward(x)
    dx = layer.backward(np.full((1, 1, 1, 1), 3.0))
    np.testing.assert_array_equal(dx, [[[[3.0, 0.0], [0.0, 0.0]]]])


def test_overlapping_max_windows_add_their_gradients():
    x = np.array([[[[0.0, 5.0, 0.0, 0.0]]]])  # 5 is the max of both windows that contain it
    layer = Pooling(1, 2, stride=1)
    y = layer.forward(x)
    np.testing.assert_array_equal(y, [[[[5.0, 5.0, 0.0]]]])
    np.testing.assert_array_equal(layer.backward(np.ones_like(y)), [[[[0.0, 2.0, 1.0, 0.0]]]])


def test_pooling_stride_defaults_to_the_pool_size_and_drops_the_remainder():
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 9))
    y = Pooling(2, 3).forward(x)
    assert y.shape == (2, 3, 3, 3)
    np.testing.assert_array_equal(y, x[:, :, :6, :9].reshape(2, 3, 3, 2, 3, 3).max(axis=(3, 5)))


def test_pooling_rejects_an_unknown_mode():
    with pytest.raises(ValueError, match="mode"):
        Pooling(2, 2, mode="median")


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pooling_keeps_float32(mode):
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
    layer = Pooling(3, 3, stride=2, pad=1, mode=mode)
    y = layer.forward(x)
    dx = layer.backward(np.ones_like(y))
    assert (y.dtype, dx.dtype) == (np.float32, np.float32)


def test_convolution_keeps_float32_in_forward_backward_and_gradients():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    W = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    layer = Convolution(W, np.zeros(4, np.float32), stride=2, pad=1)
    y = layer.forward(x)
    dx = layer.backward(np.ones_like(y))
    assert {a.dtype for a in (y, dx, layer.dW, layer.db)} == {np.dtype(np.float32)}


def test_convolution_with_float64_parameters_computes_float32_input_in_float32():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 2, 5, 5)).astype(np.float32)
    layer = Convolution(rng.standard_normal((3, 2, 3, 3)), np.zeros(3))
    y = layer.forward(x)
    dx = layer.backward(np.ones_like(y))
    assert (y.dtype, dx.dtype) == (np.float32, np.float32)
    assert (layer.dW.dtype, layer.db.dtype) == (np.float64, np.float64)
