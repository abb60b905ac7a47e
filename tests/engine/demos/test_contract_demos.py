"""The thirteen contract demos against independent computations written here.

Hidden acceptance tests call these ids with parameters of their own, so ids, parameter
names and value names are fixed (issue 4). Each expected value below is computed without
the engine, the way a learner would by hand or with plain NumPy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.demos import ParameterError, run_demo


def values(demo_id: str, **params):
    return run_demo(demo_id, **params).values


def out_size(size, window, stride, pad):
    return (size + 2 * pad - window) // stride + 1


@pytest.mark.parametrize(
    ("H", "W", "FH", "FW", "pad", "stride"),
    [
        (6, 6, 2, 2, 1, 1),
        (8, 8, 3, 3, 1, 2),
        (28, 28, 5, 5, 0, 1),
        (7, 9, 3, 2, 2, 3),
        (1, 1, 1, 1, 0, 1),
    ],
)
def test_conv_output_size(H, W, FH, FW, pad, stride):
    result = values("conv-output-size", H=H, W=W, FH=FH, FW=FW, pad=pad, stride=stride)
    assert (result["out_h"], result["out_w"]) == (
        out_size(H, FH, stride, pad),
        out_size(W, FW, stride, pad),
    )


def test_conv_output_size_of_the_seed_examples():
    assert values("conv-output-size", H=6, W=6, FH=2, FW=2, pad=1, stride=1)["out_h"] == 7
    # One seed note says 3×3 here; the arithmetic says 4×4.
    assert values("conv-output-size", H=8, W=8, FH=3, FW=3, pad=1, stride=2)["out_h"] == 4


def test_conv_output_size_rejects_a_filter_larger_than_the_padded_input():
    with pytest.raises(ParameterError, match="larger than the padded input"):
        values("conv-output-size", H=3, W=3, FH=6, FW=3, pad=1, stride=1)


@pytest.mark.parametrize(
    ("H", "W", "pool", "stride", "pad"),
    [(4, 4, 2, 2, 0), (24, 24, 2, 2, 0), (5, 7, 3, 2, 1), (9, 9, 3, 3, 0)],
)
def test_pool_output_size(H, W, pool, stride, pad):
    result = values("pool-output-size", H=H, W=W, pool=pool, stride=stride, pad=pad)
    assert (result["out_h"], result["out_w"]) == (
        out_size(H, pool, stride, pad),
        out_size(W, pool, stride, pad),
    )


def test_sigmoid_derivative_max_is_a_quarter_at_zero():
    result = values("sigmoid-derivative-max")
    assert result["max_value"] == pytest.approx(0.25, abs=1e-12)
    assert result["argmax_x"] == pytest.approx(0.0, abs=1e-9)


def test_sigmoid_derivative_max_on_a_grid_without_zero_is_below_a_quarter():
    result = values("sigmoid-derivative-max", x_min=1.0, x_max=3.0, points=11)
    s = 1 / (1 + math.exp(-1.0))
    assert result["max_value"] == pytest.approx(s * (1 - s), rel=1e-12)
    assert result["argmax_x"] == 1.0


@pytest.mark.parametrize(
    ("init", "expected"), [("zero", 1), ("normal", 8), ("xavier", 8), ("he", 8)]
)
def test_zero_init_keeps_every_hidden_unit_identical(init, expected):
    assert (
        values("zero-init-symmetry", init=init, hidden=8, steps=50)["distinct_hidden_units"]
        == expected
    )


@pytest.mark.parametrize("lam", [0.0, 0.1, 1.0, 10.0, 1000.0])
def test_ridge_gradient_descent_matches_the_closed_form(lam):
    result = values("ridge-shrinkage", lam=lam)
    assert result["weight_norm"] == pytest.approx(result["closed_form_norm"], abs=1e-3)


def test_ridge_weights_shrink_monotonically_towards_zero():
    norms = [
        values("ridge-shrinkage", lam=lam)["weight_norm"] for lam in (0.0, 0.1, 1.0, 10.0, 1e4)
    ]
    assert norms == sorted(norms, reverse=True)
    assert norms[-1] < 1e-3 * norms[0]


def _layer_stds(activation, init, layers, nodes, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1000, nodes))
    scale = {
        "std1": 1.0,
        "std0.01": 0.01,
        "xavier": 1 / math.sqrt(nodes),
        "he": math.sqrt(2 / nodes),
    }[init]
    act = {
        "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
        "tanh": np.tanh,
        "relu": lambda a: np.maximum(a, 0),
    }[activation]
    stds = []
    for _ in range(layers):
        x = act(x @ (rng.standard_normal((nodes, nodes)) * scale))
        stds.append(x.std())
    return stds


@pytest.mark.parametrize(
    ("activation", "init"),
    [("sigmoid", "std1"), ("sigmoid", "std0.01"), ("tanh", "xavier"), ("relu", "he")],
)
def test_weight_init_activations_match_the_books_experiment(activation, init):
    result = values(
        "weight-init-activations", activation=activation, init=init, layers=5, nodes=100, seed=3
    )
    assert result["layer_std"] == pytest.approx(_layer_stds(activation, init, 5, 100, 3), rel=1e-9)


def test_weight_init_activations_show_the_known_distributions():
    sigmoid_std1 = values("weight-init-activations", activation="sigmoid", init="std1")["layer_std"]
    sigmoid_small = values("weight-init-activations", activation="sigmoid", init="std0.01")[
        "layer_std"
    ]
    assert min(sigmoid_std1) > 0.4  # saturated at 0 and 1
    # Near 0.5 everywhere: the first layer's std is about σ'(0)·0.01·√100 = 0.025.
    assert max(sigmoid_small) < 0.03


def test_vanishing_gradient_sigmoid_vs_relu_with_he():
    sigmoid = values("vanishing-gradient", activation="sigmoid", init="xavier", depth=8)
    relu_he = values("vanishing-gradient", activation="relu", init="he", depth=8)
    tanh_xavier = values("vanishing-gradient", activation="tanh", init="xavier", depth=8)
    assert len(sigmoid["grad_norms"]) == 9  # 8 hidden layers and the output layer
    assert sigmoid["ratio_first_last"] == pytest.approx(
        sigmoid["grad_norms"][0] / sigmoid["grad_norms"][-1]
    )
    # Each sigmoid layer multiplies the gradient by at most 0.25 (times ‖W‖ ≈ 1 with Xavier).
    assert sigmoid["ratio_first_last"] < 1e-3
    assert 0.1 < relu_he["ratio_first_last"] < 10
    assert 0.5 < tanh_xavier["ratio_first_last"] < 2


def _reference_path(optimizer, lr, steps, x0, y0):
    """Plain-Python optimizers on f = x²/20 + y², written from the textbook formulas."""
    p = np.array([x0, y0], dtype=float)
    v = np.zeros(2)
    h = np.zeros(2)
    m = np.zeros(2)
    path = [p.copy()]
    for t in range(1, steps + 1):
        g = np.array([p[0] / 10, 2 * p[1]])
        if optimizer == "sgd":
            p -= lr * g
        elif optimizer == "momentum":
            v = 0.9 * v + g
            p -= lr * v
        elif optimizer == "nesterov":
            v = 0.9 * v + g
            p -= lr * (g + 0.9 * v)
        elif optimizer == "adagrad":
            h += g * g
            p -= lr * g / (np.sqrt(h) + 1e-8)
        elif optimizer == "rmsprop":
            h = 0.99 * h + 0.01 * g * g
            p -= lr * g / (np.sqrt(h) + 1e-8)
        else:
            m = 0.9 * m + 0.1 * g
            h = 0.999 * h + 0.001 * g * g
            p -= lr * (m / (1 - 0.9**t)) / (np.sqrt(h / (1 - 0.999**t)) + 1e-8)
        path.append(p.copy())
    return np.array(path)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_optimizer_path_follows_the_textbook_update_rules(optimizer):
    result = values("optimizer-path", optimizer=optimizer, lr=0.2, steps=40, x0=-7.0, y0=2.0)
    expected = _reference_path(optimizer, 0.2, 40, -7.0, 2.0)
    assert np.allclose(result["path"], expected, rtol=1e-12, atol=1e-14)
    assert (result["final_x"], result["final_y"]) == tuple(result["path"][-1])
    assert result["final_loss"] == pytest.approx(
        result["final_x"] ** 2 / 20 + result["final_y"] ** 2
    )


def test_softmax_overflow_naive_is_nan_and_stable_is_exact():
    result = values("softmax-overflow", x=[1010.0, 1000.0, 990.0])
    assert result["naive_has_nan"] is True
    assert all(math.isnan(v) for v in result["naive"])
    e = np.exp(np.array([0.0, -10.0, -20.0]))
    assert result["stable"] == pytest.approx((e / e.sum()).tolist(), rel=1e-12)


def test_softmax_without_overflow_agrees_with_the_naive_formula():
    result = values("softmax-overflow", x=[1.0, 2.0, 3.0])
    assert result["naive_has_nan"] is False
    assert result["naive"] == pytest.approx(result["stable"], rel=1e-12)


@pytest.mark.parametrize(
    ("H", "W", "C", "M", "K"), [(14, 14, 32, 64, 3), (112, 112, 32, 64, 3), (7, 5, 512, 1024, 5)]
)
def test_depthwise_separable_cost(H, W, C, M, K):
    result = values("depthwise-separable-cost", H=H, W=W, C=C, M=M, K=K)
    assert result["standard_mults"] == H * W * M * C * K * K
    assert result["separable_mults"] == H * W * C * K * K + H * W * C * M
    assert result["ratio"] == pytest.approx(1 / M + 1 / K**2, rel=1e-12)


def test_scaled_dot_product_attention_matches_the_formula():
    q = [[1.0, 0.0], [0.5, 2.0]]
    k = [[1.0, 1.0], [0.0, 1.0], [2.0, -1.0]]
    v = [[1.0, 0.0, 2.0], [0.0, 3.0, 1.0], [4.0, 1.0, 0.0]]
    result = values("scaled-dot-product-attention", Q=q, K=k, V=v)
    scores = np.array(q) @ np.array(k).T / math.sqrt(2)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    assert np.allclose(result["weights"], weights, rtol=1e-12)
    assert np.allclose(result["output"], weights @ np.array(v), rtol=1e-12)


def test_attention_rejects_mismatched_shapes():
    with pytest.raises(ParameterError, match="same number of columns"):
        values("scaled-dot-product-attention", Q=[[1.0, 0.0]], K=[[1.0]], V=[[1.0]])


@pytest.mark.parametrize("layer", ["affine", "conv", "batchnorm", "lstm", "softmaxloss"])
def test_gradient_check_finds_backprop_correct(layer):
    assert values("gradient-check", layer=layer)["max_rel_error"] < 1e-7


def test_batchnorm_forward_in_training_mode():
    x = [1.0, 2.0, 4.0, 9.0]
    result = values("batchnorm-forward", x=x, gamma=2.0, beta=0.5, eps=1e-5)
    a = np.array(x)
    expected = 2.0 * (a - a.mean()) / np.sqrt(a.var() + 1e-5) + 0.5
    assert result["y"] == pytest.approx(expected.tolist(), rel=1e-12)
