"""Demos of engine/demos/feedforward.py against PyTorch autograd (float64).

Optional: skipped when torch is not installed (``pip install -e .[torch]``). The same demos
against formulas written out with ``math``: test_feedforward.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.demos.registry import REGISTRY, run

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def values(demo_id: str, **params):
    return run(REGISTRY[demo_id], params).values


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


def test_softmax_temperature_matches_torch():
    z, temperatures = [2.0, 1.0, 0.1], [0.5, 1.0, 4.0]
    result = values("ff-softmax-temperature", z=z, temperatures=temperatures)
    for T, probs in zip(temperatures, result["probs"], strict=True):
        expected = torch.softmax(torch.tensor(z, dtype=torch.float64) / T, 0).numpy()
        np.testing.assert_allclose(probs, expected)


def test_one_hot_matches_torch():
    result = values("ff-one-hot", labels=[2, 0, 1], classes=4)
    np.testing.assert_array_equal(
        result["one_hot"], torch.nn.functional.one_hot(torch.tensor([2, 0, 1]), 4).numpy()
    )


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


@pytest.mark.parametrize(("layer", "fn"), [("relu", torch.relu), ("sigmoid", torch.sigmoid)])
def test_activation_backward_matches_autograd(layer, fn):
    x, dout = [-1.0, 0.5, 2.0], [3.0, -2.0, 5.0]
    result = values("ff-activation-backward", layer=layer, x=x, dout=dout)
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    fn(t).backward(torch.tensor(dout, dtype=torch.float64))
    np.testing.assert_allclose(result["dx"], t.grad.numpy(), atol=1e-12)


def test_softmax_with_loss_backward_matches_autograd():
    x, t = [[0.3, 2.9, 4.0], [1.0, -1.0, 0.5]], [2, 0]
    result = values("ff-softmax-loss-backward", x=x, t=t)
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(tx, torch.tensor(t))
    loss.backward()
    assert result["loss"] == pytest.approx(float(loss.detach()))
    np.testing.assert_allclose(result["dx"], tx.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(result["dx"], result["y_minus_t_over_n"], atol=1e-12)
