"""Demos of engine/demos/feedforward.py against independent computations (PyTorch autograd)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import engine.demos.feedforward as module
from engine.demos.registry import REGISTRY, ParameterError, run

DEMO_IDS = sorted(
    demo_id for demo_id, demo in REGISTRY.items() if demo.function.__module__ == module.__name__
)


def values(demo_id: str, **params):
    return run(REGISTRY[demo_id], params).values


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


TORCH_ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.1),
    "gelu": torch.nn.functional.gelu,
    "identity": lambda t: t,
}


@pytest.mark.parametrize("name", sorted(TORCH_ACTIVATIONS))
def test_activation_values_and_derivatives_match_autograd(name):
    x = [-2.0, -0.3, 0.4, 1.7]
    result = values("ff-activation", function=name, x=x, alpha=0.1)
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = TORCH_ACTIVATIONS[name](t)
    y.sum().backward()
    np.testing.assert_allclose(result["y"], y.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(result["grad"], t.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(result["numerical_grad"], t.grad.numpy(), atol=1e-6)


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


@pytest.mark.parametrize("output", ["identity", "sigmoid", "softmax"])
def test_output_losses_and_gradients_match_autograd(output):
    z, t = [2.0, -1.0, 0.5], [1.0, 0.0, 0.0] if output != "sigmoid" else [1.0, 0.0, 1.0]
    result = values("ff-output-loss", output=output, z=z, t=t)
    tz = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    tt = torch.tensor(t, dtype=torch.float64)
    if output == "identity":
        loss = 0.5 * torch.sum((tz - tt) ** 2)
    elif output == "sigmoid":
        loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(tz), tt, reduction="sum")
    else:
        loss = torch.nn.functional.cross_entropy(tz[None, :], tt[None, :])
    loss.backward()
    assert result["loss"] == pytest.approx(float(loss.detach()))
    np.testing.assert_allclose(result["grad"], tz.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(result["grad"], result["y_minus_t"], atol=1e-12)
    with pytest.raises(ParameterError, match="as many"):
        values("ff-output-loss", output=output, z=[1.0], t=[1.0, 0.0])


def test_softmax_temperature():
    z, temperatures = [2.0, 1.0, 0.1], [0.5, 1.0, 4.0]
    result = values("ff-softmax-temperature", z=z, temperatures=temperatures)
    for T, probs in zip(temperatures, result["probs"], strict=True):
        expected = torch.softmax(torch.tensor(z, dtype=torch.float64) / T, 0).numpy()
        np.testing.assert_allclose(probs, expected)
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
    np.testing.assert_array_equal(
        result["one_hot"], torch.nn.functional.one_hot(torch.tensor([2, 0, 1]), 4).numpy()
    )
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


def test_computational_graph_matches_autograd():
    result = values(
        "ff-computational-graph", apple=100, apple_count=2, orange=150, orange_count=3, tax=1.1
    )
    a, na, o, no, tax = (
        torch.tensor(v, dtype=torch.float64, requires_grad=True)
        for v in (100.0, 2.0, 150.0, 3.0, 1.1)
    )
    total = (a * na + o * no) * tax
    total.backward()
    assert result["total"] == pytest.approx(float(total.detach()))
    for key, tensor in (
        ("d_apple", a),
        ("d_apple_count", na),
        ("d_orange", o),
        ("d_orange_count", no),
        ("d_tax", tax),
    ):
        assert result[key] == pytest.approx(float(tensor.grad))


def test_chain_rule():
    result = values("ff-chain-rule", x=1.5, y=-4.0)
    assert result["dz_dx"] == pytest.approx(2 * (1.5 - 4.0))
    assert result["numerical_dz_dx"] == pytest.approx(result["dz_dx"], abs=1e-6)


@pytest.mark.parametrize(("layer", "fn"), [("relu", torch.relu), ("sigmoid", torch.sigmoid)])
def test_activation_backward_matches_autograd(layer, fn):
    x, dout = [-1.0, 0.5, 2.0], [3.0, -2.0, 5.0]
    result = values("ff-activation-backward", layer=layer, x=x, dout=dout)
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    fn(t).backward(torch.tensor(dout, dtype=torch.float64))
    np.testing.assert_allclose(result["dx"], t.grad.numpy(), atol=1e-12)
    with pytest.raises(ParameterError, match="dout"):
        values("ff-activation-backward", layer=layer, x=[1.0], dout=[1.0, 2.0])


def test_softmax_with_loss_backward_matches_autograd():
    x, t = [[0.3, 2.9, 4.0], [1.0, -1.0, 0.5]], [2, 0]
    result = values("ff-softmax-loss-backward", x=x, t=t)
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(tx, torch.tensor(t))
    loss.backward()
    assert result["loss"] == pytest.approx(float(loss.detach()))
    np.testing.assert_allclose(result["dx"], tx.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(result["dx"], result["y_minus_t_over_n"], atol=1e-12)
    with pytest.raises(ParameterError, match="label"):
        values("ff-softmax-loss-backward", x=x, t=[2])
