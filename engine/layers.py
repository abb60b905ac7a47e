"""Layers with ``forward`` and ``backward`` side by side, as in 『ゼロから作るDeep Learning』.

Each layer keeps, in ``forward``, exactly what its ``backward`` needs, and stores the
gradients of its parameters as attributes (``dW``, ``db``, ``dgamma``, ``dbeta``).
Formulas come from ``engine.functions``, so each is written once in the project.

Where the book is wrong or approximate, these layers follow PyTorch: pooling pads for real
(−∞ for max, zeros counted in the average), max pooling sends the gradient to the first
maximum of each window only, and batch normalisation on images works per channel.

dtypes: a layer computes in its input's dtype (float32 stays float32, float64 stays float64;
integers become float64), and every parameter gradient has its parameter's dtype.
"""

from __future__ import annotations

import numpy as np

from engine import functions
from engine.im2col import (
    add_at_window_offsets,
    add_windows,
    col2im,
    im2col,
    output_size,
    pair,
    sliding_windows,
    window_max,
    window_sum,
)


def _floating(x) -> np.ndarray:
    """x as an array of floating dtype (float32 and float64 kept, anything else float64)."""
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


class Relu:
    """y = max(0, x);  ∂y/∂x = 1 where x > 0, else 0 (0 at x = 0, as PyTorch)."""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        x = _floating(x)
        self.mask = x > 0
        return functions.relu(x)

    def backward(self, dout):
        return dout * self.mask


class Sigmoid:
    """y = σ(x);  ∂y/∂x = y (1 − y), so backward needs only the output."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = functions.sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class Tanh:
    """y = tanh(x);  ∂y/∂x = 1 − y²."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = functions.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out**2)


class Affine:
    """Fully connected layer: Y = X·W + b, with X flattened to (N, D) if it has more axes.

    backward: ∂L/∂X = ∂L/∂Y · Wᵀ,  ∂L/∂W = Xᵀ · ∂L/∂Y,  ∂L/∂b = Σ_n ∂L/∂Y.
    """

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        x = _floating(x)
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W.astype(x.dtype, copy=False) + self.b.astype(x.dtype, copy=False)

    def backward(self, dout):
        dx = dout @ self.W.astype(dout.dtype, copy=False).T
        self.dW = (self.x.T @ dout).astype(self.W.dtype, copy=False)
        self.db = np.sum(dout, axis=0).astype(self.b.dtype, copy=False)
        return dx.reshape(self.original_x_shape)


class SoftmaxWithLoss:
    """Softmax followed by the cross-entropy loss, averaged over the batch.

    forward(x, t): y = softmax(x), L = −(1/N) Σ_n Σ_k t_nk log y_nk, with t one-hot or labels.
    backward: ∂L/∂x = (y − t) / N — the two derivatives combine into this short form.
    """

    def __init__(self):
        self.y = None
        self.t = None
        self.loss = None

    def forward(self, x, t):
        self.y = functions.softmax(x)
        self.t = np.asarray(t)
        self.loss = functions.cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.y.shape[0] if self.y.ndim > 1 else 1
        if self.t.shape == self.y.shape:
            one_hot = self.t.astype(self.y.dtype, copy=False)
        else:
            one_hot = np.arange(self.y.shape[-1]) == self.t[..., None]
        scale = self.y.dtype.type(dout / batch_size)  # a NumPy float64 would upcast float32
        return (self.y - one_hot) * scale


class Convolution:
    """2-D convolution on NCHW input; like ``torch.nn.functional.conv2d`` it is a
    cross-correlation (the filter is not flipped):

        y[n, f, oh, ow] = Σ_c Σ_i Σ_j W[f, c, i, j] · x_pad[n, c, oh·S + i, ow·S + j] + b[f]

    With col = im2col(x) of shape (C·FH·FW, N·OH·OW) and W_col = W.reshape(FN, C·FH·FW) this
    is a matrix product, Y = W_col · col + b, and backward is three:

        ∂L/∂W_col = ∂L/∂Y · colᵀ,   ∂L/∂b = Σ ∂L/∂Y,   ∂L/∂col = W_colᵀ · ∂L/∂Y  → col2im → ∂L/∂x

    ``stride`` and ``pad`` are an int or a (height, width) pair; W has shape (FN, C, FH, FW).
    """

    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = pair(stride)
        self.pad = pair(pad)
        self.x_shape = None
        self.col = None
        self.dW = None
        self.db = None

    def output_shape(self, input_shape: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        """(N, FN, OH, OW) for an input of shape (N, C, H, W), without computing anything."""
        filters, _, filter_h, filter_w = self.W.shape
        n, _, height, width = input_shape
        out_h = output_size(height, filter_h, self.stride[0], self.pad[0])
        out_w = output_size(width, filter_w, self.stride[1], self.pad[1])
        return n, filters, out_h, out_w

    def forward(self, x):
        x = _floating(x)
        filters, _, filter_h, filter_w = self.W.shape
        n, _, out_h, out_w = self.output_shape(x.shape)
        self.x_shape = x.shape
        self.col = im2col(x, filter_h, filter_w, self.stride, self.pad)
        W_col = self.W.reshape(filters, -1).astype(x.dtype, copy=False)
        # One product per image, W_col · col_n, writes Y straight in NCHW order (no transpose).
        col_per_image = self.col.reshape(-1, n, out_h * out_w).transpose(1, 0, 2)
        out = W_col @ col_per_image
        out += self.b.astype(x.dtype, copy=False)[:, None]
        return out.reshape(n, filters, out_h, out_w)

    def backward(self, dout):
        filters, _, filter_h, filter_w = self.W.shape
        dout_col = dout.transpose(1, 0, 2, 3).reshape(filters, -1)  # (FN, N·OH·OW)
        self.db = np.sum(dout_col, axis=1).astype(self.b.dtype, copy=False)
        self.dW = (dout_col @ self.col.T).reshape(self.W.shape).astype(self.W.dtype, copy=False)
        dcol = self.W.reshape(filters, -1).astype(dout.dtype, copy=False).T @ dout_col
        return col2im(dcol, self.x_shape, filter_h, filter_w, self.stride, self.pad)


class Pooling:
    """Max or average pooling over pool_h × pool_w windows of NCHW input, per channel.

    max:  y = max over the window,  and ∂L/∂x is ∂L/∂y at the window's first maximum (in
          row-major order, like PyTorch's argmax), 0 elsewhere. Padding is −∞, so a padded
          cell never wins.
    avg:  y = (1 / (FH·FW)) Σ over the window,  ∂L/∂x = ∂L/∂y / (FH·FW) on every cell of it.
          Padding cells are zeros that count in the average, like PyTorch's AvgPool2d with
          its default count_include_pad=True.

    ``stride`` defaults to the pool size (windows that tile the input); ``stride`` and ``pad``
    are an int or a (height, width) pair. PyTorch requires pad ≤ pool size / 2, so that every
    window holds a real cell; beyond that a max window of padding only gives −∞.
    """

    def __init__(self, pool_h, pool_w, stride=None, pad=0, mode="max"):
        if mode not in ("max", "avg"):
            raise ValueError(f"mode must be 'max' or 'avg', not {mode!r}")
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = pair((pool_h, pool_w) if stride is None else stride)
        self.pad = pair(pad)
        self.mode = mode
        self.pool_size = pool_h * pool_w
        self.x_shape = None
        self.arg_max = None

    def forward(self, x):
        x = _floating(x)
        self.x_shape = x.shape
        if self.mode == "max":
            windows = sliding_windows(x, self.pool_h, self.pool_w, self.stride, self.pad, -np.inf)
            out, self.arg_max = window_max(windows)
            return out
        windows = sliding_windows(x, self.pool_h, self.pool_w, self.stride, self.pad)
        return window_sum(windows) / self.pool_size

    def backward(self, dout):
        if self.mode == "max":
            return add_at_window_offsets(
                dout, self.arg_max, self.x_shape, self.pool_h, self.pool_w, self.stride, self.pad
            )
        n, c, out_h, out_w = dout.shape
        window_shape = (n, c, self.pool_h, self.pool_w, out_h, out_w)
        dwindows = np.broadcast_to(dout[:, :, None, None] / self.pool_size, window_shape)
        return add_windows(dwindows, self.x_shape, self.stride, self.pad)


class BatchNormalization:
    """Batch normalisation (Ioffe & Szegedy 2015), per feature on (N, D) input and per
    channel on (N, C, H, W) input: statistics are taken over every axis except axis 1.

    training:   μ = mean(x),  σ² = mean((x − μ)²)  (the biased batch variance),
                x̂ = (x − μ) / √(σ² + ε),  y = γ·x̂ + β
                running_mean ← m·running_mean + (1 − m)·μ, and the same for running_var with σ²
    inference:  x̂ = (x − running_mean) / √(running_var + ε),  y = γ·x̂ + β

    backward (training), with means over the same axes and dx̂ = γ·dy:
        ∂L/∂x = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / √(σ² + ε)
        ∂L/∂γ = Σ dy·x̂,   ∂L/∂β = Σ dy
    In inference μ and σ² are constants, so ∂L/∂x = dx̂ / √(running_var + ε).

    running_mean and running_var start at 0 and 1 unless given (as in PyTorch; the book starts
    the variance at 0 too, so inference before much training would divide by about √ε). The
    update uses the book's momentum convention (m = 0.9 keeps 90 % of the old value;
    PyTorch's momentum=0.1 means the same) and the biased variance σ² the book uses (PyTorch
    stores the unbiased σ²·n/(n − 1)).
    """

    def __init__(self, gamma, beta, momentum=0.9, eps=1e-5, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = float(momentum)
        self.eps = float(eps)
        self.running_mean = np.zeros_like(gamma) if running_mean is None else running_mean
        self.running_var = np.ones_like(gamma) if running_var is None else running_var
        self.x_hat = None
        self.std = None
        self.train = None
        self.dgamma = None
        self.dbeta = None

    def _per_channel(self, x, values):
        """values (C,) shaped to broadcast along axis 1 of x: (C,) for 2-D, (C, 1, 1) for 4-D."""
        return values.astype(x.dtype, copy=False).reshape((-1,) + (1,) * (x.ndim - 2))

    def forward(self, x, train=True):
        x = _floating(x)
        axes = (0, *range(2, x.ndim))
        if train:
            mean = np.mean(x, axis=axes)
            centred = x - self._per_channel(x, mean)
            var = np.mean(centred**2, axis=axes)
            self.running_mean *= self.momentum
            self.running_mean += (1 - self.momentum) * mean
            self.running_var *= self.momentum
            self.running_var += (1 - self.momentum) * var
        else:
            centred = x - self._per_channel(x, self.running_mean)
            var = self.running_var
        self.train = train
        self.std = np.sqrt(self._per_channel(x, var) + self.eps)
        self.x_hat = centred / self.std
        return self._per_channel(x, self.gamma) * self.x_hat + self._per_channel(x, self.beta)

    def backward(self, dout):
        axes = (0, *range(2, dout.ndim))
        self.dbeta = np.sum(dout, axis=axes).astype(self.beta.dtype, copy=False)
        self.dgamma = np.sum(dout * self.x_hat, axis=axes).astype(self.gamma.dtype, copy=False)
        dx_hat = dout * self._per_channel(dout, self.gamma)
        if self.train:
            dx_hat = (
                dx_hat
                - np.mean(dx_hat, axis=axes, keepdims=True)
                - self.x_hat * np.mean(dx_hat * self.x_hat, axis=axes, keepdims=True)
            )
        return dx_hat / self.std


class Dropout:
    """Dropout as in the book (not "inverted" dropout):

    training:   each unit is kept when u > ratio for u ~ U[0, 1): y = x·mask, ∂L/∂x = dy·mask
    inference:  every unit is kept and scaled by the keep probability: y = x·(1 − ratio)

    ``rng`` (a numpy Generator or a seed) makes the masks reproducible; without it u comes
    from NumPy's global generator, ``np.random.rand`` as in the book, so ``np.random.seed``
    does the same.
    """

    def __init__(self, ratio=0.5, rng=None):
        self.ratio = float(ratio)
        self.rng = None if rng is None else np.random.default_rng(rng)
        self.mask = None
        self.train = None

    def forward(self, x, train=True):
        x = _floating(x)
        self.train = train
        if train:
            u = np.random.rand(*x.shape) if self.rng is None else self.rng.random(x.shape)
            self.mask = u > self.ratio
            return x * self.mask
        return x * (1 - self.ratio)

    def backward(self, dout):
        return dout * self.mask if self.train else dout * (1 - self.ratio)
