"""Activation functions, output functions and losses: one definition per formula.

Every layer, net, demo and question in the project computes these formulas through this
module, so a learner finds each formula written exactly once.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np


def _as_float(x) -> np.ndarray:
    """An array of floating dtype: float32 and float64 are kept, anything else becomes float64."""
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def step(x):
    """Step function: 1 where x > 0, else 0."""
    x = _as_float(x)
    return (x > 0).astype(x.dtype)


def sigmoid(x):
    """σ(x) = 1 / (1 + exp(−x)), evaluated without overflow for large |x|.

    With z = exp(−|x|) ≤ 1: σ(x) = 1 / (1 + z) for x ≥ 0 and z / (1 + z) for x < 0.
    """
    x = _as_float(x)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def relu(x):
    """ReLU(x) = max(0, x)."""
    x = _as_float(x)
    return np.maximum(x, 0)


def leaky_relu(x, alpha: float = 0.01):
    """Leaky ReLU(x) = x for x > 0, αx otherwise (Maas et al., 2013)."""
    x = _as_float(x)
    return np.where(x > 0, x, alpha * x).astype(x.dtype, copy=False)


# NumPy has no erf; math.erf per element is exact and fast enough for demos (not a layer).
_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x):
    """GELU(x) = x·Φ(x) = ½x(1 + erf(x/√2)), Φ the standard normal CDF (Hendrycks & Gimpel, 2016)."""
    x = _as_float(x)
    return (0.5 * x * (1 + _erf(x / math.sqrt(2)))).astype(x.dtype, copy=False)


def tanh(x):
    """tanh(x) = (exp(x) − exp(−x)) / (exp(x) + exp(−x))."""
    return np.tanh(_as_float(x))


def softmax(x):
    """softmax(x)_k = exp(x_k) / Σ_j exp(x_j) over the last axis.

    Subtracting max(x) first leaves the result unchanged and keeps exp from overflowing.
    """
    x = _as_float(x)
    shifted = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def _targets_like(y: np.ndarray, t) -> np.ndarray:
    """Targets as an array shaped like ``y``: one-hot rows stay, class labels become one-hot."""
    t = np.asarray(t)
    if t.shape == y.shape:
        return t.astype(y.dtype, copy=False)
    labels = t.astype(np.intp).reshape(y.shape[:-1])
    one_hot = np.zeros_like(y)
    np.put_along_axis(one_hot, labels[..., None], 1, axis=-1)
    return one_hot


def cross_entropy_error(y, t):
    """Cross-entropy E = −(1/N) Σ_n Σ_k t_nk log y_nk, the mean over the batch.

    ``y`` holds probabilities (N, K) or (K,); ``t`` is one-hot (same shape) or class labels.
    y is clipped at the smallest positive normal number only so that log(0) stays finite;
    the book's ``log(y + 1e-7)`` would bias every loss by up to 1e-7.
    """
    y = _as_float(y)
    t = _targets_like(y, t)
    if y.ndim == 1:
        y, t = y[None, :], t[None, :]
    batch_size = y.shape[0]
    log_y = np.log(np.maximum(y, np.finfo(y.dtype).tiny))
    return -np.sum(t * log_y) / batch_size


def binary_cross_entropy(y, t):
    """Binary cross-entropy E = −(1/N) Σ_n [t_n log y_n + (1 − t_n) log(1 − y_n)], the batch mean.

    y is the predicted probability of class 1 (a sigmoid output); t ∈ {0, 1}, or a soft
    target in [0, 1]. Minimising it maximises the Bernoulli log-likelihood (logistic
    regression). Probabilities are clipped at the smallest normal number only so that log 0
    stays finite.
    """
    y = _as_float(y)
    t = np.asarray(t, dtype=y.dtype)
    tiny = np.finfo(y.dtype).tiny
    return -np.mean(t * np.log(np.maximum(y, tiny)) + (1 - t) * np.log(np.maximum(1 - y, tiny)))


def mean_squared_error(y, t):
    """Mean squared error E = (1/(N·K)) Σ_n Σ_k (y_nk − t_nk)², the mean over every element.

    This is the usual MSE (PyTorch's ``mse_loss``; the syllabus's metric). The course's
    function divides it by 2 and the book's ``sum_squared_error`` is ½ Σ (y − t)²: both only
    rescale the gradient. ``t`` is an array like ``y`` or class labels (made one-hot).
    """
    y = _as_float(y)
    t = _targets_like(y, t)
    return np.mean((y - t) ** 2)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float | None = None):
    """Central-difference gradient ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h.

    ``x`` is perturbed in place one element at a time and restored, so ``f`` may either use
    its argument or read the same array through a closure (as the book's nets do). The
    default step h = ε^(1/3) of the dtype balances truncation and rounding error.
    """
    if h is None:
        h = float(np.finfo(x.dtype).eps ** (1 / 3))
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = f(x)
        x[index] = original - h
        f_minus = f(x)
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
