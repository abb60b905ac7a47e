"""Layer, Instance and Group Normalization: statistics over the right axes, gradients that
match central differences, and (when PyTorch is installed) PyTorch's values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.gradcheck import check_layer, relative_error
from engine.norms import GroupNormalization, InstanceNormalization, LayerNormalization

GRADIENT_TOLERANCE = 1e-7
seeds = st.integers(0, 2**32 - 1)


def random_affine(shape, rng):
    return 1 + 0.5 * rng.standard_normal(shape), rng.standard_normal(shape)


# --- statistics over the right axes ----------------------------------------------------------


def test_layernorm_normalises_each_sample_over_c_h_w():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 5, 5)) * np.array([1.0, 5.0, 50.0]).reshape(3, 1, 1, 1) + 3
    layer = LayerNormalization(np.ones((4, 5, 5)), np.zeros((4, 5, 5)), eps=0.0)
    y = layer.forward(x)
    np.testing.assert_allclose(y.mean(axis=(1, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(1, 2, 3)), 1, rtol=1e-12)
    # one (μ, σ) per sample, not per channel: a single channel is not standardised
    assert abs(y[:, 0].mean(axis=(1, 2))).max() > 1e-3
    assert layer.std.size == 3


def test_layernorm_on_a_sequence_normalises_the_feature_axis_only():
    x = np.arange(24, dtype=np.float64).reshape(2, 3, 4) ** 1.5
    gamma, beta = np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.0, 1.0, 0.0, -1.0])
    y = LayerNormalization(gamma, beta, eps=1e-5).forward(x)
    mean = x.mean(axis=-1, keepdims=True)
    expected = gamma * (x - mean) / np.sqrt(x.var(axis=-1, keepdims=True) + 1e-5) + beta
    np.testing.assert_allclose(y, expected, rtol=1e-13, atol=1e-13)


def test_layernorm_rejects_a_gamma_that_does_not_match_the_trailing_axes():
    with pytest.raises(ValueError, match="trailing axes"):
        LayerNormalization(np.ones(3), np.zeros(3)).forward(np.zeros((2, 4)))


def test_instancenorm_normalises_each_sample_and_channel_over_h_w():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 4, 6)) * 7 + rng.standard_normal((2, 3, 1, 1)) * 10
    layer = InstanceNormalization(np.ones(3), np.zeros(3), eps=0.0)
    y = layer.forward(x)
    np.testing.assert_allclose(y.mean(axis=(2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(2, 3)), 1, rtol=1e-12)
    assert layer.std.size == 2 * 3


def test_groupnorm_normalises_groups_of_consecutive_channels():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 6, 3, 3)) * np.arange(1, 7).reshape(1, 6, 1, 1)
    layer = GroupNormalization(3, np.ones(6), np.zeros(6), eps=0.0)
    y = layer.forward(x)
    grouped = y.reshape(2, 3, 2, 3, 3)
    np.testing.assert_allclose(grouped.mean(axis=(2, 3, 4)), 0, atol=1e-12)
    np.testing.assert_allclose(grouped.var(axis=(2, 3, 4)), 1, rtol=1e-12)
    assert layer.std.size == 2 * 3


def test_groupnorm_with_one_group_is_layernorm_and_with_c_groups_is_instancenorm():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 3, 5))
    gamma, beta = random_affine(4, rng)
    per_position = np.broadcast_to(gamma[:, None, None], (4, 3, 5))
    shift = np.broadcast_to(beta[:, None, None], (4, 3, 5))
    np.testing.assert_allclose(
        GroupNormalization(1, gamma, beta).forward(x),
        LayerNormalization(np.array(per_position), np.array(shift)).forward(x),
        rtol=1e-12,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        GroupNormalization(4, gamma, beta).forward(x),
        InstanceNormalization(gamma, beta).forward(x),
        rtol=1e-12,
        atol=1e-12,
    )


def test_groupnorm_rejects_channels_that_do_not_split_evenly():
    with pytest.raises(ValueError, match="groups of equal size"):
        GroupNormalization(4, np.ones(6), np.zeros(6)).forward(np.zeros((1, 6, 2, 2)))


def test_the_output_of_one_sample_does_not_depend_on_the_rest_of_the_batch():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 4, 3, 3))
    gamma, beta = random_affine(4, rng)
    for layer in (InstanceNormalization(gamma, beta), GroupNormalization(2, gamma, beta)):
        np.testing.assert_allclose(layer.forward(x)[2:3], layer.forward(x[2:3]), rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    x = np.ones((2, 4, 2, 2), dtype=dtype) * np.arange(4, dtype=dtype).reshape(1, 4, 1, 1)
    for layer in (
        LayerNormalization(np.ones((4, 2, 2), dtype=dtype), np.zeros((4, 2, 2), dtype=dtype)),
        InstanceNormalization(np.ones(4, dtype=dtype), np.zeros(4, dtype=dtype)),
        GroupNormalization(2, np.ones(4, dtype=dtype), np.zeros(4, dtype=dtype)),
    ):
        y = layer.forward(x)
        assert y.dtype == dtype
        dx = layer.backward(np.ones_like(y))
        assert dx.dtype == dtype
        assert layer.dgamma.dtype == dtype and layer.dbeta.dtype == dtype


# --- gradients against central differences --------------------------------------------------

image_shapes = st.tuples(
    st.integers(1, 3), st.sampled_from([2, 4, 6]), st.integers(2, 4), st.integers(2, 4)
)


@settings(max_examples=25, deadline=None)
@given(shape=image_shapes, seed=seeds)
def test_layernorm_backward_matches_numerical_gradients(shape, seed):
    rng = np.random.default_rng(seed)
    layer = LayerNormalization(*random_affine(shape[1:], rng))
    check = check_layer(layer, 2 * rng.standard_normal(shape) + 1)
    assert set(check.errors) == {"input0", "gamma", "beta"}
    assert check.max_rel_error < GRADIENT_TOLERANCE, check.errors


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 3), t=st.integers(1, 3), d=st.integers(3, 6), seed=seeds)
def test_layernorm_backward_on_a_sequence_matches_numerical_gradients(n, t, d, seed):
    rng = np.random.default_rng(seed)
    layer = LayerNormalization(*random_affine(d, rng))
    check = check_layer(layer, rng.standard_normal((n, t, d)))
    assert check.max_rel_error < GRADIENT_TOLERANCE, check.errors


@settings(max_examples=25, deadline=None)
@given(shape=image_shapes, seed=seeds)
def test_instancenorm_backward_matches_numerical_gradients(shape, seed):
    rng = np.random.default_rng(seed)
    layer = InstanceNormalization(*random_affine(shape[1], rng))
    check = check_layer(layer, 2 * rng.standard_normal(shape) + 1)
    assert set(check.errors) == {"input0", "gamma", "beta"}
    assert check.max_rel_error < GRADIENT_TOLERANCE, check.errors


@settings(max_examples=25, deadline=None)
@given(shape=image_shapes, groups=st.sampled_from([1, 2]), seed=seeds)
def test_groupnorm_backward_matches_numerical_gradients(shape, groups, seed):
    rng = np.random.default_rng(seed)
    layer = GroupNormalization(groups, *random_affine(shape[1], rng))
    check = check_layer(layer, 2 * rng.standard_normal(shape) + 1)
    assert set(check.errors) == {"input0", "gamma", "beta"}
    assert check.max_rel_error < GRADIENT_TOLERANCE, check.errors


# --- against PyTorch (optional) --------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["layer", "instance", "group"])
def test_forward_and_gradients_equal_pytorch(kind):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 4, 5, 6))
    dout = rng.standard_normal(x.shape)
    if kind == "layer":
        gamma, beta = random_affine((4, 5, 6), rng)
        layer = LayerNormalization(gamma, beta)
    else:
        gamma, beta = random_affine(4, rng)
        layer = (
            InstanceNormalization(gamma, beta)
            if kind == "instance"
            else GroupNormalization(2, gamma, beta)
        )
    tx, tg, tb = (
        torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, gamma, beta)
    )
    if kind == "layer":
        ty = F.layer_norm(tx, (4, 5, 6), tg, tb, eps=1e-5)
    elif kind == "instance":
        ty = F.instance_norm(tx, weight=tg, bias=tb, eps=1e-5)
    else:
        ty = F.group_norm(tx, 2, tg, tb, eps=1e-5)
    ty.backward(torch.tensor(dout))
    y = layer.forward(x)
    dx = layer.backward(dout)
    assert relative_error(y, ty.detach().numpy()) < 1e-10
    assert relative_error(dx, tx.grad.numpy()) < 1e-10
    assert relative_error(layer.dgamma, tg.grad.numpy()) < 1e-10
    assert relative_error(layer.dbeta, tb.grad.numpy()) < 1e-10
