"""Optimizers and gradient clipping.

Each optimizer has ``update(params, grads)``: both are dicts of arrays with the same keys (the
``params`` / ``grads`` of a layer or a net), and every parameter array is updated in place, so
the layers holding it see the new values. State (velocities, sums of squares, moments) is kept
per key, in the parameter's dtype: float32 parameters stay float32.

The formulas are PyTorch's (``torch.optim``), so a trajectory here equals the one
``torch.optim`` takes with the same settings. Where 『ゼロから作るDeep Learning』 writes a
formula differently, the docstring says how the two relate. Default learning rates are the
book's and the course's (0.01; Adam 0.001); eps defaults are PyTorch's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np


def _zeros_like_each(params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {key: np.zeros_like(value) for key, value in params.items()}


class Optimizer:
    """What every optimizer here offers: a learning rate ``lr`` and ``update(params, grads)``."""

    lr: float

    def update(self, params: dict, grads: dict) -> None:
        """θ ← θ + Δθ for every key, in place, Δθ computed from ``grads[key]``."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent (確率的勾配降下法).

        θ ← θ − η·∂L/∂θ

    Same as ``torch.optim.SGD(params, lr)``.
    """

    def __init__(self, lr: float = 0.01):
        self.lr = lr

    def update(self, params: dict, grads: dict) -> None:
        for key in params:
            params[key] -= self.lr * grads[key]


class Momentum(Optimizer):
    """Momentum SGD.

        v ← μ·v + ∂L/∂θ
        θ ← θ − η·v

    Same as ``torch.optim.SGD(params, lr, momentum=μ)``. The book and the course write
    v ← μ·v − η·∂L/∂θ, θ ← θ + v: their v is −η times this one, so with a constant η both
    take the same path. Keeping η outside v (as PyTorch does) makes a change of ``lr`` during
    training act at once instead of fading in through v.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        self.lr = lr
        self.momentum = momentum
        self.v: dict[str, np.ndarray] | None = None

    def update(self, params: dict, grads: dict) -> None:
        if self.v is None:
            self.v = _zeros_like_each(params)
        for key in params:
            self.v[key] *= self.momentum
            self.v[key] += grads[key]
            params[key] -= self.lr * self.v[key]


class Nesterov(Optimizer):
    """Nesterov's accelerated gradient (NAG), in the form of Bengio et al. (2012).

        v ← μ·v + ∂L/∂θ
        θ ← θ − η·(∂L/∂θ + μ·v)

    The step looks ahead along the new velocity: it is Momentum's step plus η·μ·v once more.
    Same as ``torch.optim.SGD(params, lr, momentum=μ, nesterov=True)``; written with the
    book's velocity u = −η·v it is θ ← θ + μ²·u_old − (1 + μ)·η·∂L/∂θ. The book's
    ``common/optimizer.py`` multiplies μ² by the already-updated u instead, which is not
    this formula.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        self.lr = lr
        self.momentum = momentum
        self.v: dict[str, np.ndarray] | None = None

    def update(self, params: dict, grads: dict) -> None:
        if self.v is None:
            self.v = _zeros_like_each(params)
        for key in params:
            self.v[key] *= self.momentum
            self.v[key] += grads[key]
            params[key] -= self.lr * (grads[key] + self.momentum * self.v[key])


class AdaGrad(Optimizer):
    """AdaGrad: each parameter's step shrinks with the sum of its past squared gradients.

        h ← h + ∂L/∂θ ⊙ ∂L/∂θ
        θ ← θ − η·∂L/∂θ / (√h + ε)

    Same as ``torch.optim.Adagrad(params, lr, eps=ε)``; the book uses ε = 1e-7.
    """

    def __init__(self, lr: float = 0.01, eps: float = 1e-10):
        self.lr = lr
        self.eps = eps
        self.h: dict[str, np.ndarray] | None = None

    def update(self, params: dict, grads: dict) -> None:
        if self.h is None:
            self.h = _zeros_like_each(params)
        for key in params:
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)


class RMSprop(Optimizer):
    """RMSprop: AdaGrad with an exponential moving average, so old gradients are forgotten.

        h ← ρ·h + (1 − ρ)·∂L/∂θ ⊙ ∂L/∂θ      (ρ = decay_rate)
        θ ← θ − η·∂L/∂θ / (√h + ε)

    Same as ``torch.optim.RMSprop(params, lr, alpha=ρ, eps=ε)``; the book uses ε = 1e-7.
    """

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-8):
        self.lr = lr
        self.decay_rate = decay_rate
        self.eps = eps
        self.h: dict[str, np.ndarray] | None = None

    def update(self, params: dict, grads: dict) -> None:
        if self.h is None:
            self.h = _zeros_like_each(params)
        for key in params:
            self.h[key] *= self.decay_rate
            self.h[key] += (1 - self.decay_rate) * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): momentum plus RMSprop, with bias-corrected moments.

        t ← t + 1
        m ← β₁·m + (1 − β₁)·∂L/∂θ
        v ← β₂·v + (1 − β₂)·∂L/∂θ ⊙ ∂L/∂θ
        m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
        θ ← θ − η·m̂ / (√v̂ + ε)

    Same as ``torch.optim.Adam(params, lr, betas=(β₁, β₂), eps=ε)``. The book folds both
    corrections into the rate, η_t = η·√(1 − β₂ᵗ)/(1 − β₁ᵗ), and adds its ε = 1e-7 to √v
    instead of √v̂: that is this formula with ε replaced by ε/√(1 − β₂ᵗ), which is much larger
    in the first steps (β₂ = 0.999, t = 1: about 32·ε) and tends to ε as t grows.
    """

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.t = 0
        self.m: dict[str, np.ndarray] | None = None
        self.v: dict[str, np.ndarray] | None = None

    def update(self, params: dict, grads: dict) -> None:
        if self.m is None or self.v is None:
            self.m, self.v = _zeros_like_each(params), _zeros_like_each(params)
        self.t += 1
        for key in params:
            # m + (1 − β₁)(g − m) is β₁·m + (1 − β₁)·g rounded as PyTorch rounds it.
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] *= self.beta2
            self.v[key] += (1 - self.beta2) * grads[key] * grads[key]
            m_hat = self.m[key] / (1 - self.beta1**self.t)
            v_hat = self.v[key] / (1 - self.beta2**self.t)
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def clip_grads(grads: Mapping[str, np.ndarray] | Iterable[np.ndarray], max_norm: float) -> float:
    """Gradient clipping by the global norm, in place; returns the norm before clipping.

        ‖g‖ = √(Σ over every array and element of g²)
        if ‖g‖ > max_norm:  g ← g · max_norm / (‖g‖ + 1e-6)

    Every gradient is scaled by the same factor, so the update keeps its direction and only
    its length is capped (the remedy for exploding gradients in RNNs). Same as
    ``torch.nn.utils.clip_grad_norm_(parameters, max_norm)``.
    """
    arrays = list(grads.values()) if isinstance(grads, Mapping) else list(grads)
    total_norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in arrays)))
    rate = max_norm / (total_norm + 1e-6)
    if rate < 1:
        for g in arrays:
            g *= rate
    return total_norm
