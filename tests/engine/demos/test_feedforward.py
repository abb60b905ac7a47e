"""Demos of engine/demos/feedforward.py against independent computations: formulas written out
with ``math``, hand-computed values and central differences. The same demos against PyTorch
autograd: test_feedforward_vs_torch.py (skipped when torch is not installed)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import engine.demos.feedforward as module
from engine.demos.registry import REGISTRY, ParameterError, run

DEMO_IDS = sorted(
    demo_id for demo_id, demo in REGISTRY.items() if demo.function.__module__ == module.__name__
)


def values(demo_id: str, **params):
    return run(REGISTRY[demo_id], params).values


def central_difference(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


def central_difference_gradient(f, z: list[float], h: float = 1e-6) -> list[float]:
    """∂f/∂z_k ≈ (f(z + h e_k) − f(z − h e_k)) / 2h for every k."""
    grad = []
    for k in range(len(z)):
        plus, minus = list(z), list(z)
        plus[k] += h
        minus[k] -= h
        grad.append((f(plus) - f(minus)) / (2 * h))
    return grad


def softmax(z: list[float]) -> list[float]:
    exps = [math.exp(v) for v in z]
    return [e / sum(exps) for e in exps]


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def normal_pdf(x: float) -> float:
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_the_module_registers_its_demos():
    assert {"ff-activation", "ff-output-loss", "ff-minibatch-epochs"} <= set(DEMO_IDS)


@pytest.mark.parametrize("demo_id", DEMO_IDS)
def test_every_demo_is_deterministic_and_explains_itself(demo_id):
    first, second = run(REGISTRY[demo_id]), run(REGISTRY[demo_id])
    assert first.values == second.values
    assert first.result.narrative.strip()


def test_affine_forward_and_shapes():
    x, W, b = [[1.0, 2.0]], [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], [0.1, 0.2, 0.3]
    result = values("ff-affine-forward", x=x, W=W, b=b, activation="relu")
    np.testing.assert_allclose(result["u"], np.array(x) @ np.array(W) + b)
    np.testing.assert_allclose(result["z"], np.maximum(np.array(x) @ np.array(W) + b, 0))
    with pytest.raises(ParameterError, match="rows"):
        values("ff-affine-forward", x=[[1.0, 2.0, 3.0]])
    shapes = values("ff-affine-shapes", N=7, D=5, H=3)
    assert shapes["out_shape"] == [7, 3] and shapes["dx_shape"] == [7, 5]
    assert shapes["dW_shape"] == [5, 3] and shapes["db_shape"] == [3]
    assert shapes["n_params"] == 18


def test_parameter_count():
    result = values("ff-parameter-count", sizes=[784, 50, 100, 10])
    expected = sum(a * b + b for a, b in [(784, 50), (50, 100), (100, 10)])
    assert result["n_params"] == expected
    with pytest.raises(ParameterError, match="whole numbers"):
        values("ff-parameter-count", sizes=[2.5, 3])


# f and f' written out with math; the derivatives in another form than the engine's where one
# exists (σ' = e^(−x) / (1 + e^(−x))², tanh' = sech² x, GELU' = Φ(x) + x φ(x)).
REFERENCE_ACTIVATIONS = {
    "sigmoid": (sigmoid, lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
    "tanh": (math.tanh, lambda x: 1 / math.cosh(x) ** 2),
    "relu": (lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0),
    "leaky_relu": (lambda x: x if x > 0 else 0.1 * x, lambda x: 1.0 if x > 0 else 0.1),
    "gelu": (lambda x: x * normal_cdf(x), lambda x: normal_cdf(x) + x * normal_pdf(x)),
    "identity": (lambda x: x, lambda x: 1.0),
}


@pytest.mark.parametrize("name", sorted(REFERENCE_ACTIVATIONS))
def test_activation_values_and_derivatives_match_the_formulas(name):
    x = [-2.0, -0.3, 0.4, 1.7]  # away from the kink of ReLU at 0
    result = values("ff-activation", function=name, x=x, alpha=0.1)
    f, df = REFERENCE_ACTIVATIONS[name]
    expected = [df(v) for v in x]
    # the reference derivative is the derivative of the reference function
    np.testing.assert_allclose(expected, [central_difference(f, v) for v in x], rtol=0, atol=1e-8)
    np.testing.assert_allclose(result["y"], [f(v) for v in x], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result["grad"], expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result["numerical_grad"], expected, atol=1e-6)


def test_known_extremes_of_activations():
    assert values("ff-activation", function="tanh", x=[0])["max_derivative"] == pytest.approx(1)
    assert values("ff-activation", function="sigmoid", x=[0])["max_derivative"] == pytest.approx(
        0.25
    )
    gelu = values("ff-activation", function="gelu", x=[0])
    assert gelu["min_value"] == pytest.approx(-0.16997, abs=1e-4)
    step = values("ff-activation", function="step", x=[-1, 1])
    assert step["y"] == [0, 1] and step["grad"] == [0, 0]


def test_linear_layers_collapse_but_relu_layers_do_not():
    linear = values("ff-linear-collapse", activation="identity", depth=4, width=3)
    assert linear["collapse_error"] < 1e-10 and linear["linear_fit_residual"] < 1e-10
    relu = values("ff-linear-collapse", activation="relu", depth=4, width=3)
    assert relu["linear_fit_residual"] > 0.05


def test_xor_needs_a_nonlinear_hidden_layer():
    assert values("ff-xor", activation="tanh")["accuracy"] == 1.0
    linear = values("ff-xor", activation="identity")
    assert linear["accuracy"] < 0.8
    assert linear["loss_last"] == pytest.approx(math.log(2), abs=0.01)


def reference_output_loss(output: str, z: list[float], t: list[float]):
    """(y, L) written out: ½Σ(z − t)², −Σ[t log σ(z) + (1 − t) log(1 − σ(z))], −Σ t log softmax(z)."""
    if output == "identity":
        return list(z), 0.5 * sum((zk - tk) ** 2 for zk, tk in zip(z, t, strict=True))
    if output == "sigmoid":
        y = [sigmoid(zk) for zk in z]
        pairs = zip(y, t, strict=True)
        return y, -sum(tk * math.log(yk) + (1 - tk) * math.log(1 - yk) for yk, tk in pairs)
    log_sum_exp = math.log(sum(math.exp(zk) for zk in z))
    return softmax(z), -sum(tk * (zk - log_sum_exp) for zk, tk in zip(z, t, strict=True))


@pytest.mark.parametrize("output", ["identity", "sigmoid", "softmax"])
def test_output_losses_and_gradients_match_the_formulas(output):
    z, t = [2.0, -1.0, 0.5], [1.0, 0.0, 0.0] if output != "sigmoid" else [1.0, 0.0, 1.0]
    result = values("ff-output-loss", output=output, z=z, t=t)
    y, loss = reference_output_loss(output, z, t)
    numerical = central_difference_gradient(lambda v: reference_output_loss(output, v, t)[1], z)
    np.testing.assert_allclose(result["y"], y, rtol=1e-12, atol=1e-12)
    assert result["loss"] == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(result["grad"], numerical, rtol=0, atol=1e-8)
    y_minus_t = [yk - tk for yk, tk in zip(y, t, strict=True)]
    np.testing.assert_allclose(result["grad"], y_minus_t, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result["grad"], result["y_minus_t"], atol=1e-12)
    with pytest.raises(ParameterError, match="as many"):
        values("ff-output-loss", output=output, z=[1.0], t=[1.0, 0.0])


def test_softmax_temperature():
    z, temperatures = [2.0, 1.0, 0.1], [0.5, 1.0, 4.0]
    result = values("ff-softmax-temperature", z=z, temperatures=temperatures)
    for T, probs, entropy in zip(temperatures, result["probs"], result["entropies"], strict=True):
        expected = softmax([v / T for v in z])
        np.testing.assert_allclose(probs, expected, rtol=1e-12)
        assert entropy == pytest.approx(-sum(p * math.log(p) for p in expected), rel=1e-12)
    assert result["entropies"] == sorted(result["entropies"])
    assert result["argmax"] == [0, 0, 0]


def test_squared_error_gradients():
    result = values("ff-squared-error", y=[0.6, 0.3, 0.1], t=[1, 0, 0])
    assert result["sum_error"] == pytest.approx(0, abs=1e-12)
    assert result["sse"] == pytest.approx(0.26)
    np.testing.assert_allclose(result["grad_half_sse"], [-0.4, 0.3, 0.1], atol=1e-8)
    np.testing.assert_allclose(result["grad_sse"], [-0.8, 0.6, 0.2], atol=1e-8)


def test_cross_entropy_with_a_zero_probability():
    y = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]
    result = values("ff-cross-entropy", y=y, label=2, delta=1e-7)
    assert result["naive_is_nan"] is True and result["naive"] is None
    assert result["with_delta"] == pytest.approx(-math.log(0.6 + 1e-7))
    assert result["engine_value"] == pytest.approx(-math.log(0.6))
    assert values("ff-cross-entropy", y=[0.0, 1.0], label=0)["naive_is_inf"] is True
    with pytest.raises(ParameterError, match="label"):
        values("ff-cross-entropy", y=[0.5, 0.5], label=2)


def test_one_hot():
    result = values("ff-one-hot", labels=[2, 0, 1], classes=4)
    assert result["one_hot"] == [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]
    assert result["row_sums"] == [1, 1, 1] and result["labels_back"] == [2, 0, 1]
    assert result["loss_labels"] == pytest.approx(result["loss_one_hot"])
    with pytest.raises(ParameterError, match="below classes"):
        values("ff-one-hot", labels=[4], classes=4)


def test_learning_rate_paths_follow_the_closed_form():
    lrs = [0.01, 0.4, 0.9, 1.1]
    result = values("ff-learning-rate", lrs=lrs, steps=7, w0=2.0)
    for lr, path in zip(lrs, result["paths"], strict=True):
        np.testing.assert_allclose(path, [2.0 * (1 - 2 * lr) ** k for k in range(8)], rtol=1e-12)
    assert result["diverged"] == [False, False, False, True]


@pytest.mark.parametrize(
    ("n", "batch", "epochs", "per_epoch"),
    [(10000, 100, 1, 100), (1050, 100, 2, 11), (300, 1, 1, 300)],
)
def test_minibatch_updates_per_epoch(n, batch, epochs, per_epoch):
    result = values("ff-minibatch-epochs", n_samples=n, batch_size=batch, epochs=epochs)
    assert result["iterations_per_epoch"] == per_epoch
    assert result["total_updates"] == per_epoch * epochs
    assert len(result["train_accuracy"]) == epochs


def test_minibatch_parameter_checks():
    with pytest.raises(ParameterError, match="batch_size"):
        values("ff-minibatch-epochs", n_samples=10, batch_size=20)
    with pytest.raises(ParameterError, match="20,000"):
        values("ff-minibatch-epochs", n_samples=20000, batch_size=1, epochs=2)


def test_numerical_gradient_costs_two_evaluations_per_parameter():
    result = values("ff-numerical-vs-backprop", input_size=3, hidden=4, output_size=2, batch=5)
    assert result["n_params"] == 3 * 4 + 4 + 4 * 2 + 2
    assert result["numerical_loss_evaluations"] == 2 * result["n_params"]
    assert result["backprop_loss_evaluations"] == 1
    assert result["max_rel_error"] < 1e-7


def test_central_difference_is_second_order():
    result = values("ff-difference-methods", function="sin", x=0.7, hs=[1e-2, 1e-3])
    true = math.cos(0.7)
    assert result["true_derivative"] == pytest.approx(true)
    assert result["forward_errors"][0] == pytest.approx(
        abs((math.sin(0.71) - math.sin(0.7)) / 0.01 - true)
    )
    # error ratio ≈ 10 for O(h), ≈ 100 for O(h²)
    assert result["forward_errors"][0] / result["forward_errors"][1] == pytest.approx(10, rel=0.1)
    assert result["central_errors"][0] / result["central_errors"][1] == pytest.approx(100, rel=0.1)


def test_computational_graph_matches_hand_computed_derivatives():
    result = values(
        "ff-computational-graph", apple=100, apple_count=2, orange=150, orange_count=3, tax=1.1
    )
    inputs = {"apple": 100.0, "apple_count": 2.0, "orange": 150.0, "orange_count": 3.0, "tax": 1.1}

    def total(v):
        return (v["apple"] * v["apple_count"] + v["orange"] * v["orange_count"]) * v["tax"]

    assert result["total"] == pytest.approx(650 * 1.1, rel=1e-12)
    # ∂/∂price = count·tax, ∂/∂count = price·tax, ∂/∂tax = 100·2 + 150·3 = 650
    expected = {
        "apple": 2 * 1.1,
        "apple_count": 100 * 1.1,
        "orange": 3 * 1.1,
        "orange_count": 150 * 1.1,
        "tax": 650.0,
    }
    for name, derivative in expected.items():
        assert result[f"d_{name}"] == pytest.approx(derivative, rel=1e-12)
        # the total is linear in each input alone, so a central difference is exact but for rounding
        plus, minus = dict(inputs), dict(inputs)
        plus[name] += 1e-3
        minus[name] -= 1e-3
        assert (total(plus) - total(minus)) / 2e-3 == pytest.approx(derivative, rel=1e-9)


def test_chain_rule():
    result = values("ff-chain-rule", x=1.5, y=-4.0)
    assert result["dz_dx"] == pytest.approx(2 * (1.5 - 4.0))
    assert result["numerical_dz_dx"] == pytest.approx(result["dz_dx"], abs=1e-6)


@pytest.mark.parametrize(
    ("layer", "derivative"),
    [
        ("relu", lambda x: 1.0 if x > 0 else 0.0),
        ("sigmoid", lambda x: sigmoid(x) * (1 - sigmoid(x))),
    ],
)
def test_activation_backward_is_dout_times_the_derivative(layer, derivative):
    x, dout = [-1.0, 0.5, 2.0], [3.0, -2.0, 5.0]
    result = values("ff-activation-backward", layer=layer, x=x, dout=dout)
    expected = [g * derivative(v) for v, g in zip(x, dout, strict=True)]
    np.testing.assert_allclose(result["dx"], expected, rtol=1e-12, atol=1e-12)
    if layer == "relu":
        assert result["dx"] == [0.0, -2.0, 5.0]
    with pytest.raises(ParameterError, match="dout"):
        values("ff-activation-backward", layer=layer, x=[1.0], dout=[1.0, 2.0])


def mean_cross_entropy(rows: list[list[float]], labels: list[int]) -> float:
    """(1/N) Σ_n [log Σ_k exp(x_nk) − x_n,t_n], written out."""
    losses = [
        math.log(sum(math.exp(v) for v in row)) - row[label]
        for row, label in zip(rows, labels, strict=True)
    ]
    return sum(losses) / len(rows)


def test_softmax_with_loss_backward_matches_the_formula():
    x, t = [[0.3, 2.9, 4.0], [1.0, -1.0, 0.5]], [2, 0]
    result = values("ff-softmax-loss-backward", x=x, t=t)
    assert result["loss"] == pytest.approx(mean_cross_entropy(x, t), rel=1e-12)
    expected = [
        [(p - (k == label)) / len(x) for k, p in enumerate(softmax(row))]
        for row, label in zip(x, t, strict=True)
    ]
    numerical = [
        central_difference_gradient(
            lambda v, n=n: mean_cross_entropy([*x[:n], v, *x[n + 1 :]], t), x[n]
        )
        for n in range(len(x))
    ]
    np.testing.assert_allclose(expected, numerical, rtol=0, atol=1e-8)
    np.testing.assert_allclose(result["dx"], expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result["dx"], result["y_minus_t_over_n"], atol=1e-12)
    with pytest.raises(ParameterError, match="label"):
        values("ff-softmax-loss-backward", x=x, t=[2])
