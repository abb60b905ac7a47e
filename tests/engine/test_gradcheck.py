"""The gradient checker: it must pass right gradients and catch wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from engine.gradcheck import GradientCheck, check_gradient, check_layer, relative_error
from engine.layers import Affine, Convolution, SoftmaxWithLoss


def test_relative_error_is_measured_against_the_largest_entry():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert relative_error([1e-9, 4.0], [0.0, 4.0]) == pytest.approx(1e-9 / 4)
    assert relative_error([1.0, -2.0], [1.0, 2.0]) == pytest.approx(2.0)


def test_a_gradient_below_the_floor_is_held_to_an_absolute_error():
    tiny = np.array([1e-6, -2e-6])
    off_by_noise = tiny + 2e-12
    assert relative_error(tiny, off_by_noise) == pytest.approx(1e-6)  # noise looks large
    assert relative_error(tiny, off_by_noise, floor=1e-3) == pytest.approx(2e-9)
    assert relative_error([1.0, 2.0], [1.0, 2.5], floor=1e-3) == pytest.approx(0.2)  # no effect


def test_relative_error_rejects_different_shapes():
    with pytest.raises(ValueError, match="shapes"):
        relative_error(np.zeros(3), np.zeros((3, 1)))


def test_check_gradient_accepts_the_true_gradient_and_rejects_a_wrong_one():
    x = np.array([0.5, -1.0, 2.0])

    def f(x):
        return np.sum(np.sin(x) * x**2)

    true_grad = np.cos(x) * x**2 + 2 * x * np.sin(x)
    assert check_gradient(f, x, true_grad) < 1e-9
    assert check_gradient(f, x, true_grad * [1, 1, 1.01]) > 1e-3
    np.testing.assert_array_equal(x, [0.5, -1.0, 2.0])  # perturbations are undone


class AffineWithWrongBias(Affine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = self.db * 2
        return dx


def test_check_layer_finds_every_parameter_and_blames_only_the_wrong_one():
    rng = np.random.default_rng(0)
    layer = AffineWithWrongBias(rng.standard_normal((3, 2)), rng.standard_normal(2))
    check = check_layer(layer, rng.standard_normal((4, 3)))
    assert isinstance(check, GradientCheck)
    assert set(check.errors) == {"input0", "W", "b"}
    assert check.errors["W"] < 1e-8 and check.errors["input0"] < 1e-8
    assert check.errors["b"] > 0.1
    assert check.max_rel_error == check.errors["b"]


def test_check_layer_catches_a_wrong_input_gradient():
    class Square:
        def forward(self, x):
            self.x = x
            return x**2

        def backward(self, dout):
            return dout * self.x  # missing the factor 2

    assert check_layer(Square(), np.array([1.0, 2.0])).max_rel_error > 0.4


def test_check_layer_handles_several_inputs_and_outputs_like_an_lstm_step():
    rnn = pytest.importorskip("engine.rnn")
    rng = np.random.default_rng(1)
    d, h, n = 3, 2, 4
    layer = rnn.LSTM(
        rng.standard_normal((d, 4 * h)), rng.standard_normal((h, 4 * h)), rng.standard_normal(4 * h)
    )
    inputs = (rng.standard_normal((n, d)), rng.standard_normal((n, h)), rng.standard_normal((n, h)))
    check = check_layer(layer, *inputs)
    assert set(check.errors) == {"input0", "input1", "input2", "Wx", "Wh", "b"}
    assert check.max_rel_error < 1e-7


def test_check_layer_passes_labels_through_and_takes_explicit_parameter_names():
    rng = np.random.default_rng(2)
    check = check_layer(SoftmaxWithLoss(), rng.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0]))
    assert set(check.errors) == {"input0"} and check.max_rel_error < 1e-7
    conv = Convolution(rng.standard_normal((2, 1, 2, 2)), rng.standard_normal(2))
    check = check_layer(conv, rng.standard_normal((1, 1, 3, 3)), params=["W"])
    assert set(check.errors) == {"input0", "W"} and check.max_rel_error < 1e-7


def test_check_layer_does_not_modify_the_callers_inputs():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3))
    before = x.copy()
    check_layer(Affine(rng.standard_normal((3, 2)), np.zeros(2)), x)
    np.testing.assert_array_equal(x, before)
