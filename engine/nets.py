"""Networks built from the layers, as in 『ゼロから作るDeep Learning』: a multi-layer net with
a choice of activation, initialisation, batch normalisation, dropout and weight decay, and a
simple convolutional net; plus a mini-batch training loop.

A net keeps its parameters in ``params`` (W1, b1, …) — the very arrays its layers use, so an
optimizer's in-place ``update(net.params, grads)`` trains the net — and its layers, in order,
in ``layers``. ``gradient`` backpropagates; ``numerical_gradient`` is the slow check.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engine import functions, im2col
from engine.init import initial_weight
from engine.layers import (
    Affine,
    BatchNormalization,
    Convolution,
    Dropout,
    Pooling,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
    Tanh,
)

ACTIVATIONS: dict[str, Callable[[], object]] = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh}


class _Net:
    """What every net shares: predict, loss with L2 weight decay, accuracy, gradients."""

    def __init__(self, weight_decay_lambda: float):
        self.weight_decay_lambda = float(weight_decay_lambda)
        self.params: dict[str, np.ndarray] = {}
        self.layers: dict[str, object] = {}
        self.last_layer = SoftmaxWithLoss()
        self.last_loss = None  # the loss of the latest ``gradient`` call
        self._param_sources: list[tuple[str, str, str]] = []

    def predict(self, x, train=False):
        """The scores (before softmax) for x; ``train`` switches batch norm and dropout."""
        for layer in self.layers.values():
            if isinstance(layer, BatchNormalization | Dropout):
                x = layer.forward(x, train)
            else:
                x = layer.forward(x)
        return x

    def loss(self, x, t, train=True):
        """L = cross-entropy(softmax(predict(x)), t) + (λ/2) Σ_l ‖W_l‖² (weight decay)."""
        loss = self.last_layer.forward(self.predict(x, train), t)
        if self.weight_decay_lambda:
            squares = sum(np.sum(W**2) for key, W in self.params.items() if key.startswith("W"))
            loss = loss + self.weight_decay_lambda / 2 * squares
        return loss

    def accuracy(self, x, t) -> float:
        """The fraction of x whose highest score is the label (t: labels or one-hot)."""
        predicted = np.argmax(self.predict(x, train=False), axis=1)
        t = np.asarray(t)
        labels = np.argmax(t, axis=1) if t.ndim == 2 else t
        return float(np.mean(predicted == labels))

    def gradient(self, x, t) -> dict[str, np.ndarray]:
        """∂L/∂p for every parameter p by backpropagation; ∂/∂W of the decay term is λ·W."""
        self.last_loss = self.loss(x, t, train=True)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        grads = {}
        for key, layer_name, attribute in self._param_sources:
            grads[key] = getattr(self.layers[layer_name], "d" + attribute)
            if key.startswith("W") and self.weight_decay_lambda:
                grads[key] = grads[key] + self.weight_decay_lambda * self.params[key]
        return grads

    def numerical_gradient(self, x, t) -> dict[str, np.ndarray]:
        """∂L/∂p by central differences (slow; for checking ``gradient``, dropout off)."""
        return {
            key: functions.numerical_gradient(lambda _: self.loss(x, t, train=True), param)
            for key, param in self.params.items()
        }

    def _add_param(self, key, layer_name, attribute):
        """Record that params[key] is ``layer.<attribute>``, and its gradient ``d<attribute>``."""
        self.params[key] = getattr(self.layers[layer_name], attribute)
        self._param_sources.append((key, layer_name, attribute))


class MultiLayerNet(_Net):
    """Fully connected net: (Affine → [BatchNorm] → activation → [Dropout]) × hidden layers,
    then Affine → Softmax-with-loss (the book's MultiLayerNetExtend).

    weight_init: "he", "xavier" or a number, the std of N(0, std²) (0 gives all-zero
    weights). Weight decay adds (λ/2) Σ ‖W‖² to the loss and λ·W to each ∂L/∂W.
    ``seed`` fixes the initial weights and the dropout masks.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size_list: list[int],
        output_size: int,
        activation: str = "relu",
        weight_init: str | float = "he",
        weight_decay_lambda: float = 0.0,
        use_batchnorm: bool = False,
        use_dropout: bool = False,
        dropout_ratio: float = 0.5,
        seed: int | None = 0,
        dtype=np.float64,
    ):
        super().__init__(weight_decay_lambda)
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, not {activation!r}")
        rng = np.random.default_rng(seed)
        sizes = [input_size, *hidden_size_list, output_size]
        for index, (n_in, n_out) in enumerate(itertools.pairwise(sizes), start=1):
            W = initial_weight((n_in, n_out), weight_init, rng, dtype)
            self.layers[f"Affine{index}"] = Affine(W, np.zeros(n_out, dtype=dtype))
            self._add_param(f"W{index}", f"Affine{index}", "W")
            self._add_param(f"b{index}", f"Affine{index}", "b")
            if index == len(sizes) - 1:
                break
            if use_batchnorm:
                gamma, beta = np.ones(n_out, dtype=dtype), np.zeros(n_out, dtype=dtype)
                self.layers[f"BatchNorm{index}"] = BatchNormalization(gamma, beta)
                self._add_param(f"gamma{index}", f"BatchNorm{index}", "gamma")
                self._add_param(f"beta{index}", f"BatchNorm{index}", "beta")
            self.layers[f"Activation{index}"] = ACTIVATIONS[activation]()
            if use_dropout:
                self.layers[f"Dropout{index}"] = Dropout(dropout_ratio, rng)


class SimpleConvNet(_Net):
    """Conv → ReLU → Pool → Affine → ReLU → Affine → Softmax-with-loss (the book's
    SimpleConvNet), with parameters W1, b1 (convolution), W2, b2, W3, b3 (affine).

    input_dim is (C, H, W); the pooling is pool_size × pool_size with stride pool_size.
    """

    def __init__(
        self,
        input_dim: tuple[int, int, int] = (1, 28, 28),
        filter_num: int = 30,
        filter_size: int = 5,
        pad: int = 0,
        stride: int = 1,
        pool_size: int = 2,
        hidden_size: int = 100,
        output_size: int = 10,
        weight_init: str | float = "he",
        weight_decay_lambda: float = 0.0,
        seed: int | None = 0,
        dtype=np.float64,
    ):
        super().__init__(weight_decay_lambda)
        channels, height, width = input_dim
        conv_h = im2col.output_size(height, filter_size, stride, pad)
        conv_w = im2col.output_size(width, filter_size, stride, pad)
        pooled = filter_num * (conv_h // pool_size) * (conv_w // pool_size)
        rng = np.random.default_rng(seed)

        W1 = initial_weight(
            (filter_num, channels, filter_size, filter_size), weight_init, rng, dtype
        )
        self.layers["Conv1"] = Convolution(W1, np.zeros(filter_num, dtype=dtype), stride, pad)
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pooling(pool_size, pool_size, stride=pool_size)
        W2 = initial_weight((pooled, hidden_size), weight_init, rng, dtype)
        self.layers["Affine1"] = Affine(W2, np.zeros(hidden_size, dtype=dtype))
        self.layers["Relu2"] = Relu()
        W3 = initial_weight((hidden_size, output_size), weight_init, rng, dtype)
        self.layers["Affine2"] = Affine(W3, np.zeros(output_size, dtype=dtype))
        for key, layer_name in (("1", "Conv1"), ("2", "Affine1"), ("3", "Affine2")):
            self._add_param("W" + key, layer_name, "W")
            self._add_param("b" + key, layer_name, "b")


@dataclass
class TrainingHistory:
    """The loss of every mini-batch, and the accuracies after every epoch (when evaluated)."""

    loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)


def train(
    net,
    optimizer,
    x_train,
    t_train,
    epochs: int = 10,
    batch_size: int = 100,
    x_test=None,
    t_test=None,
    seed: int | None = 0,
    evaluate: bool = True,
) -> TrainingHistory:
    """Mini-batch training: each epoch visits the training set once in a fresh random order,
    one ``optimizer.update(net.params, net.gradient(x_batch, t_batch))`` per mini-batch.

    With ``evaluate``, the accuracy on the training set (and on x_test, when given) is
    recorded after every epoch.
    """
    rng = np.random.default_rng(seed)
    history = TrainingHistory()
    size = len(x_train)
    for _ in range(epochs):
        order = rng.permutation(size)
        for start in range(0, size, batch_size):
            batch = order[start : start + batch_size]
            grads = net.gradient(x_train[batch], t_train[batch])
            optimizer.update(net.params, grads)
            history.loss.append(float(net.last_loss))
        if evaluate:
            history.train_accuracy.append(net.accuracy(x_train, t_train))
            if x_test is not None:
                history.test_accuracy.append(net.accuracy(x_test, t_test))
    return history
