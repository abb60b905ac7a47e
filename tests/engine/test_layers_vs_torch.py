"""The layers against PyTorch (CPU, float64): forward values and every gradient to 1e-10.

Optional: skipped when torch is not installed (``pip install -e .[torch]``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.gradcheck import relative_error
from engine.layers import (
    Affine,
    BatchNormalization,
    Convolution,
    Pooling,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
    Tanh,
)

torch = pytest.importorskip("torch")
F = torch.nn.functional
pytestmark = pytest.mark.torch

TOLERANCE = 1e-10
seeds = st.integers(0, 2**32 - 1)


def leaf(array):
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


def assert_close(engine_value, torch_value):
    expected = torch_value.detach().numpy() if hasattr(torch_value, "detach") else torch_value
    assert relative_error(engine_value, expected) < TOLERANCE


window = st.fixed_dictionaries(
    {
        "n": st.integers(1, 3),
        "c": st.integers(1, 4),
        "kh": st.integers(1, 5),
        "kw": st.integers(1, 5),
        "sh": st.integers(1, 3),
        "sw": st.integers(1, 3),
        "ph": st.integers(0, 2),
        "pw": st.integers(0, 2),
        "extra_h": st.integers(0, 6),
        "extra_w": st.integers(0, 6),
        "seed": seeds,
    }
)


def image(g, rng):
    height = max(1, g["kh"] - 2 * g["ph"]) + g["extra_h"]
    width = max(1, g["kw"] - 2 * g["pw"]) + g["extra_w"]
    return rng.standard_normal((g["n"], g["c"], height, width))


@settings(max_examples=40, deadline=None)
@given(window, st.integers(1, 4))
def test_convolution_matches_conv2d(g, filters):
    rng = np.random.default_rng(g["seed"])
    x = image(g, rng)
    W = rng.standard_normal((filters, g["c"], g["kh"], g["kw"]))
    b = rng.standard_normal(filters)
    stride, pad = (g["sh"], g["sw"]), (g["ph"], g["pw"])
    layer = Convolution(W, b, stride, pad)
    y = layer.forward(x)
    dout = rng.standard_normal(y.shape)
    dx = layer.backward(dout)

    tx, tW, tb = leaf(x), leaf(W), leaf(b)
    ty = F.conv2d(tx, tW, tb, stride=stride, padding=pad)
    ty.backward(torch.tensor(dout))
    assert_close(y, ty)
    assert_close(dx, tx.grad)
    assert_close(layer.dW, tW.grad)
    assert_close(layer.db, tb.grad)


@settings(max_examples=60, deadline=None)
@given(window, st.sampled_from(["max", "avg"]), st.booleans())
def test_pooling_matches_max_pool2d_and_avg_pool2d(g, mode, with_ties):
    rng = np.random.default_rng(g["seed"])
    pad = (min(g["ph"], g["kh"] // 2), min(g["pw"], g["kw"] // 2))  # torch's limit
    g = {**g, "ph": pad[0], "pw": pad[1]}
    x = image(g, rng)
    if with_ties:
        x = np.maximum(np.round(x), 0)  # as after a ReLU: windows of equal values
    stride = (g["sh"], g["sw"])
    layer = Pooling(g["kh"], g["kw"], stride, pad, mode)
    y = layer.forward(x)
    dout = rng.standard_normal(y.shape)
    dx = layer.backward(dout)

    tx = leaf(x)
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d  # avg: count_include_pad=True
    ty = pool(tx, (g["kh"], g["kw"]), stride=stride, padding=pad)
    ty.backward(torch.tensor(dout))
    assert_close(y, ty)
    assert_close(dx, tx.grad)


@settings(max_examples=40, deadline=None)
@given(
    st.one_of(
        st.tuples(st.integers(2, 8), st.integers(1, 5)),
        st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)),
    ).filter(lambda s: np.prod(s) // s[1] >= 3),
    seeds,
)
def test_batchnorm_training_matches_batch_norm(shape, seed):
    """At least three values per channel: with two, x̂ = ±√(σ²/(σ² + ε)) and ∂L/∂x is a
    difference of O(1) terms of order ε, which any two implementations round differently."""
    rng = np.random.default_rng(seed)
    x = 3 * rng.standard_normal(shape) - 1
    gamma, beta = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    layer = BatchNormalization(gamma, beta, momentum=0.9, eps=1e-5)
    y = layer.forward(x, train=True)
    dout = rng.standard_normal(shape)
    dx = layer.backward(dout)

    tx, tgamma, tbeta = leaf(x), leaf(gamma), leaf(beta)
    running_mean = torch.zeros(shape[1], dtype=torch.float64)
    running_var = torch.ones(shape[1], dtype=torch.float64)
    ty = F.batch_norm(
        tx, running_mean, running_var, tgamma, tbeta, training=True, momentum=0.1, eps=1e-5
    )
    ty.backward(torch.tensor(dout))
    assert_close(y, ty)
    assert_close(dx, tx.grad)
    assert_close(layer.dgamma, tgamma.grad)
    assert_close(layer.dbeta, tbeta.grad)
    # book's momentum 0.9 = torch's 0.1; torch stores the unbiased variance, the engine the
    # biased one (the book's): undo torch's n/(n − 1) to compare
    count = x.size // shape[1]
    assert_close(layer.running_mean, running_mean)
    assert_close(0.9 + (layer.running_var - 0.9) * count / (count - 1), running_var)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6), seeds)
def test_affine_matches_linear(n, d, m, seed):
    rng = np.random.default_rng(seed)
    x, W, b = rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)
    layer = Affine(W, b)
    y = layer.forward(x)
    dout = rng.standard_normal(y.shape)
    dx = layer.backward(dout)
    tx, tW, tb = leaf(x), leaf(W.T), leaf(b)  # torch keeps the weight as (out, in)
    ty = F.linear(tx, tW, tb)
    ty.backward(torch.tensor(dout))
    assert_close(y, ty)
    assert_close(dx, tx.grad)
    assert_close(layer.dW, tW.grad.T)
    assert_close(layer.db, tb.grad)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 8), st.integers(2, 8), seeds, st.booleans())
def test_softmax_with_loss_matches_cross_entropy(n, k, seed, one_hot):
    rng = np.random.default_rng(seed)
    x = 2 * rng.standard_normal((n, k))
    labels = rng.integers(0, k, n)
    t = np.eye(k)[labels] if one_hot else labels
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    dx = layer.backward(2.5)
    tx = leaf(x)
    tloss = F.cross_entropy(tx, torch.tensor(t) if one_hot else torch.tensor(labels))
    (2.5 * tloss).backward()
    assert_close(np.array([loss]), np.array([tloss.item()]))
    assert_close(dx, tx.grad)


@pytest.mark.parametrize(
    ("layer_class", "torch_function"),
    [(Relu, torch.relu), (Sigmoid, torch.sigmoid), (Tanh, torch.tanh)],
)
def test_activations_match_torch(layer_class, torch_function):
    rng = np.random.default_rng(0)
    x = 4 * rng.standard_normal((5, 7))
    x[0, :3] = 0.0  # ReLU's kink: both take the derivative there as 0
    layer = layer_class()
    y = layer.forward(x)
    dout = rng.standard_normal(y.shape)
    tx = leaf(x)
    ty = torch_function(tx)
    ty.backward(torch.tensor(dout))
    assert_close(y, ty)
    assert_close(layer.backward(dout), tx.grad)
