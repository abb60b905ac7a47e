"""Model compression for the edge: quantisation, pruning and knowledge distillation.

Quantisation (Jacob et al. 2018; PyTorch's convention) maps a real x to an integer q:

    q = clip(round(x / s) + z, q_min, q_max),     x̂ = s · (q − z)

with scale s > 0 and zero point z (the integer that stands for the real 0). Pruning zeroes
the weights (or whole units) that matter least; distillation trains a small student on the
softened outputs of a large teacher (Hinton, Vinyals & Dean 2015).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import functions

# --- quantisation ------------------------------------------------------------------------


def integer_range(bits: int = 8, signed: bool = True) -> tuple[int, int]:
    """(q_min, q_max) of a ``bits``-bit integer: int8 → (−128, 127), uint8 → (0, 255)."""
    if not 2 <= bits <= 16:
        raise ValueError(f"bits must be between 2 and 16, got {bits}")
    if signed:
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, 2**bits - 1


@dataclass(frozen=True)
class QuantParams:
    """Scale s, zero point z and the integer range [q_min, q_max] of one quantiser."""

    scale: float
    zero_point: int
    q_min: int
    q_max: int


def affine_qparams(x_min: float, x_max: float, bits: int = 8, signed: bool = True) -> QuantParams:
    """Asymmetric (affine) quantisation of the range [x_min, x_max]:

        s = (x_max − x_min) / (q_max − q_min),     z = q_min − round(x_min / s)

    The range is first widened to contain 0, so that the real 0 (zero padding, ReLU
    outputs) is represented exactly by the integer z.
    """
    q_min, q_max = integer_range(bits, signed)
    x_min, x_max = min(float(x_min), 0.0), max(float(x_max), 0.0)
    if x_max == x_min:  # an all-zero tensor: any scale represents it exactly
        return QuantParams(1.0, int(np.clip(0, q_min, q_max)), q_min, q_max)
    scale = (x_max - x_min) / (q_max - q_min)
    zero_point = int(np.clip(q_min - round(x_min / scale), q_min, q_max))
    return QuantParams(scale, zero_point, q_min, q_max)


def symmetric_qparams(abs_max: float, bits: int = 8) -> QuantParams:
    """Symmetric quantisation of [−a, a] (a = max|x|) onto [−(2^(b−1) − 1), 2^(b−1) − 1]:

        s = a / (2^(b−1) − 1),     z = 0

    The most negative code (−128 for int8) is left unused so that the grid is symmetric.
    """
    q_max = 2 ** (bits - 1) - 1
    abs_max = float(abs_max)
    scale = abs_max / q_max if abs_max > 0 else 1.0
    return QuantParams(scale, 0, -q_max, q_max)


def quantize(x, qparams: QuantParams) -> np.ndarray:
    """q = clip(round(x / s) + z, q_min, q_max) as integers (int8/uint8 when they fit)."""
    x = np.asarray(x, dtype=np.float64)
    q = np.clip(np.round(x / qparams.scale) + qparams.zero_point, qparams.q_min, qparams.q_max)
    for dtype in (np.int8, np.uint8, np.int16, np.uint16):
        info = np.iinfo(dtype)
        if info.min <= qparams.q_min and qparams.q_max <= info.max:
            return q.astype(dtype)
    return q.astype(np.int32)


def dequantize(q, qparams: QuantParams) -> np.ndarray:
    """x̂ = s · (q − z), back to float64."""
    return qparams.scale * (np.asarray(q, dtype=np.float64) - qparams.zero_point)


def fake_quantize(x, bits: int = 8, scheme: str = "symmetric") -> tuple[np.ndarray, QuantParams]:
    """x → quantise → dequantise with parameters fitted to x itself (per tensor).

    Returns x̂ (the float values the integer model actually computes with) and the
    parameters. scheme: "symmetric" (z = 0) or "affine" (min/max, signed integers).
    """
    x = np.asarray(x, dtype=np.float64)
    if scheme == "symmetric":
        qparams = symmetric_qparams(np.max(np.abs(x)) if x.size else 0.0, bits)
    elif scheme == "affine":
        qparams = affine_qparams(np.min(x), np.max(x), bits, signed=True)
    else:
        raise ValueError(f"scheme must be 'symmetric' or 'affine', not {scheme!r}")
    return dequantize(quantize(x, qparams), qparams), qparams


# --- pruning -----------------------------------------------------------------------------


def magnitude_prune_mask(W, sparsity: float) -> np.ndarray:
    """Unstructured magnitude pruning: a 0/1 mask that removes the round(sparsity · size)
    weights of smallest |w| (ties broken by position), keeping the rest.

    The pruned matrix W ⊙ mask keeps its shape; only a sparse format or sparse hardware
    turns the zeros into saved memory and time.
    """
    W = np.asarray(W)
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must be in [0, 1], got {sparsity}")
    n_prune = round(sparsity * W.size)
    mask = np.ones(W.size, dtype=W.dtype if np.issubdtype(W.dtype, np.floating) else np.float64)
    order = np.argsort(np.abs(W).ravel(), kind="stable")
    mask[order[:n_prune]] = 0
    return mask.reshape(W.shape)


def structured_prune_mask(W, sparsity: float, axis: int = 1) -> np.ndarray:
    """Structured pruning: remove whole slices along ``axis`` (for an Affine weight of shape
    (n_in, n_out), axis=1 removes output units) — the round(sparsity · n) slices of smallest
    L2 norm. The survivors form a smaller dense matrix, so any hardware runs faster.
    """
    W = np.asarray(W)
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must be in [0, 1], got {sparsity}")
    other_axes = tuple(a for a in range(W.ndim) if a != axis % W.ndim)
    norms = np.sqrt(np.sum(W.astype(np.float64) ** 2, axis=other_axes))
    n_prune = round(sparsity * norms.size)
    keep = np.ones(norms.size)
    keep[np.argsort(norms, kind="stable")[:n_prune]] = 0
    shape = [1] * W.ndim
    shape[axis] = norms.size
    return np.broadcast_to(keep.reshape(shape), W.shape).astype(np.float64)


# --- knowledge distillation ----------------------------------------------------------------


def softmax_with_temperature(logits, T: float = 1.0) -> np.ndarray:
    """q_i = exp(z_i / T) / Σ_j exp(z_j / T): T = 1 is the softmax; T > 1 softens it."""
    if T <= 0:
        raise ValueError(f"the temperature T must be positive, got {T}")
    return functions.softmax(np.asarray(logits, dtype=np.float64) / T)


@dataclass(frozen=True)
class DistillationLoss:
    """The parts of the distillation loss for one batch, and its gradient w.r.t. the student
    logits (``grad``, same shape as the logits)."""

    soft: float  # T² · CE(teacher softened, student softened)
    hard: float  # CE(labels, student at T = 1)
    total: float  # α · soft + (1 − α) · hard
    grad: np.ndarray


def distillation_loss(
    student_logits, teacher_logits, labels, T: float = 4.0, alpha: float = 0.5
) -> DistillationLoss:
    """Hinton et al. (2015):

        L = α · T² · CE(softmax(v/T), softmax(z/T)) + (1 − α) · CE(y, softmax(z))

    z: student logits, v: teacher logits, y: hard labels. The gradient of the soft term
    w.r.t. z is T² · (softmax(z/T) − softmax(v/T)) / T per sample; without the factor T² it
    would shrink like 1/T², so T² keeps the two terms balanced when T changes.
    """
    z = np.atleast_2d(np.asarray(student_logits, dtype=np.float64))
    v = np.atleast_2d(np.asarray(teacher_logits, dtype=np.float64))
    labels = np.atleast_1d(np.asarray(labels))
    n = z.shape[0]
    p_teacher = softmax_with_temperature(v, T)
    p_student_T = softmax_with_temperature(z, T)
    p_student = functions.softmax(z)
    soft = T**2 * functions.cross_entropy_error(p_student_T, p_teacher)
    hard = functions.cross_entropy_error(p_student, labels)
    one_hot = np.eye(z.shape[1])[labels.astype(np.intp)]
    grad_soft = T**2 * (p_student_T - p_teacher) / T / n
    grad_hard = (p_student - one_hot) / n
    grad = alpha * grad_soft + (1 - alpha) * grad_hard
    total = alpha * soft + (1 - alpha) * hard
    return DistillationLoss(float(soft), float(hard), float(total), grad)
