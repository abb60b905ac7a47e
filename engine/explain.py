"""Explaining a network's decision: saliency, CAM, Grad-CAM, Integrated Gradients, LIME and
exact Shapley values.

The gradient-based methods take what the engine's layers already compute in ``backward``
(∂y^c/∂x, ∂y^c/∂A); the model-agnostic ones (LIME, Shapley) only call the model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from engine import functions

# --- gradient-based maps -----------------------------------------------------------------------


def saliency_map(input_grad) -> np.ndarray:
    """Vanilla gradient (Simonyan et al. 2014): M_ij = max_c |∂y^c/∂x_{c,i,j}|, for a
    gradient of shape (C, H, W) (or (H, W))."""
    grad = np.abs(np.asarray(input_grad, dtype=np.float64))
    return grad.max(axis=0) if grad.ndim == 3 else grad


def class_activation_map(feature_maps, class_weights) -> np.ndarray:
    """CAM (Zhou et al. 2016) for a net that ends in GAP → Affine:

        M^c_ij = Σ_k w^c_k · A^k_ij

    feature_maps A: (K, H, W), the last convolutional feature maps; class_weights w^c: (K,),
    the column of the Affine weight that scores class c.
    """
    A = np.asarray(feature_maps, dtype=np.float64)
    return np.tensordot(np.asarray(class_weights, dtype=np.float64), A, axes=1)


def grad_cam_weights(feature_grads) -> np.ndarray:
    """α^c_k = (1/Z) Σ_i Σ_j ∂y^c/∂A^k_ij: the gradients global-average-pooled per channel."""
    return np.asarray(feature_grads, dtype=np.float64).mean(axis=(-2, -1))


def grad_cam(feature_maps, feature_grads) -> np.ndarray:
    """Grad-CAM (Selvaraju et al. 2017):  L^c = ReLU(Σ_k α^c_k A^k).

    feature_maps A: (K, H, W); feature_grads: ∂y^c/∂A of the same shape. The ReLU keeps only
    the regions whose increase would raise the score of class c.
    """
    A = np.asarray(feature_maps, dtype=np.float64)
    alpha = grad_cam_weights(feature_grads)
    return functions.relu(np.tensordot(alpha, A, axes=1))


# --- Integrated Gradients ----------------------------------------------------------------------

RULES = ("left", "right", "midpoint", "trapezoid")


def path_points(steps: int, rule: str = "right") -> tuple[np.ndarray, np.ndarray]:
    """The α values in [0, 1] at which the path x' + α(x − x') is sampled, and the weight
    of each in the Riemann sum (the weights add up to 1)."""
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    k = np.arange(steps + 1) / steps
    if rule == "left":
        return k[:-1], np.full(steps, 1 / steps)
    if rule == "right":
        return k[1:], np.full(steps, 1 / steps)
    if rule == "midpoint":
        return (k[:-1] + k[1:]) / 2, np.full(steps, 1 / steps)
    if rule == "trapezoid":
        weights = np.full(steps + 1, 1 / steps)
        weights[[0, -1]] /= 2
        return k, weights
    raise ValueError(f"rule must be one of {', '.join(RULES)}, not {rule!r}")


def integrated_gradients(
    grad_fn: Callable[[np.ndarray], np.ndarray], x, baseline, steps: int = 50, rule: str = "right"
) -> np.ndarray:
    """Integrated Gradients (Sundararajan, Taly & Yan 2017):

        IG_i(x) = (x_i − x'_i) · ∫₀¹ ∂F(x' + α(x − x'))/∂x_i dα

    approximated by a Riemann sum over ``steps`` points on the straight path from the
    baseline x' to x. ``grad_fn`` maps a batch of inputs (m, d) to ∂F/∂x (m, d).
    Completeness: Σ_i IG_i = F(x) − F(x') exactly for the integral, approximately here.
    """
    x = np.asarray(x, dtype=np.float64)
    baseline = np.asarray(baseline, dtype=np.float64)
    alphas, weights = path_points(steps, rule)
    path = baseline + alphas[:, None] * (x - baseline)
    grads = np.asarray(grad_fn(path), dtype=np.float64)
    return (x - baseline) * (weights @ grads)


# --- LIME --------------------------------------------------------------------------------------


def lime_explain(
    f: Callable[[np.ndarray], np.ndarray],
    x,
    baseline,
    num_samples: int = 500,
    kernel_width: float | None = None,
    rng=None,
) -> tuple[np.ndarray, float, float]:
    """LIME (Ribeiro, Singh & Guestrin 2016) on interpretable binary features.

    Each perturbed sample switches features on (z'_i = 1: the value of x) or off
    (z'_i = 0: the value of the baseline). The samples are weighted by closeness to x,

        π(z') = exp(−D(z')² / σ²),   D(z') = ‖1 − z'‖₂ (how many features are off, as a length)

    and a linear surrogate g(z') = w₀ + Σ_i w_i z'_i is fitted by weighted least squares.
    Returns (w, w₀, weighted R²): w_i is the local importance of feature i.
    σ defaults to 0.75 √d, as in the lime package.
    """
    x = np.asarray(x, dtype=np.float64)
    baseline = np.asarray(baseline, dtype=np.float64)
    d = x.size
    sigma = 0.75 * math.sqrt(d) if kernel_width is None else float(kernel_width)
    rng = np.random.default_rng(rng)
    z = rng.integers(0, 2, size=(num_samples, d)).astype(np.float64)
    z[0] = 1.0  # the instance itself is always among the samples
    inputs = baseline + z * (x - baseline)
    targets = np.asarray(f(inputs), dtype=np.float64).reshape(-1)
    distance = np.sqrt(np.sum((1.0 - z) ** 2, axis=1))
    pi = np.exp(-(distance**2) / sigma**2)
    design = np.hstack([np.ones((num_samples, 1)), z])
    root = np.sqrt(pi)[:, None]
    coef, *_ = np.linalg.lstsq(design * root, targets * root[:, 0], rcond=None)
    fitted = design @ coef
    mean = np.sum(pi * targets) / np.sum(pi)
    total = np.sum(pi * (targets - mean) ** 2)
    r2 = 1.0 - np.sum(pi * (targets - fitted) ** 2) / total if total > 0 else 1.0
    return coef[1:], float(coef[0]), float(r2)


# --- Shapley values ----------------------------------------------------------------------------


def coalition_masks(n: int) -> np.ndarray:
    """All 2ⁿ coalitions as rows of 0/1, row m = the bits of m (player i is bit i)."""
    m = np.arange(2**n)
    return ((m[:, None] >> np.arange(n)) & 1).astype(bool)


def shapley_values(values: Sequence[float]) -> np.ndarray:
    """Exact Shapley values of an n-player game given by v(S) for all 2ⁿ coalitions S
    (``values[m]`` is v of the coalition whose members are the set bits of m):

        φ_i = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S))

    Efficiency: Σ_i φ_i = v(N) − v(∅).
    """
    v = np.asarray(values, dtype=np.float64)
    n = v.size.bit_length() - 1
    if 2**n != v.size:
        raise ValueError(f"a game needs 2ⁿ coalition values, got {v.size}")
    phi = np.zeros(n)
    for i in range(n):
        for m in range(2**n):
            if m >> i & 1:
                continue
            s = bin(m).count("1")
            weight = math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n)
            phi[i] += weight * (v[m | 1 << i] - v[m])
    return phi


def model_coalition_values(f: Callable[[np.ndarray], np.ndarray], x, baseline) -> np.ndarray:
    """v(S) = f(x_S, x'_{N∖S}): the model with the features in S taken from x and the others
    from the baseline x' (one reference input), for every coalition in ``coalition_masks``."""
    x = np.asarray(x, dtype=np.float64)
    baseline = np.asarray(baseline, dtype=np.float64)
    masks = coalition_masks(x.size)
    inputs = np.where(masks, x, baseline)
    return np.asarray(f(inputs), dtype=np.float64).reshape(-1)
