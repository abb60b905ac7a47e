"""Gradient checking: backprop's gradients against central differences.

Backprop is fast but easy to get wrong; the numerical gradient
∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h is slow but hard to get wrong. Where the two
agree, backward is right. Check in float64: in float32 the differences drown in rounding.

    check_gradient(f, x, analytic)   any scalar function f(x) and its gradient at x
    check_layer(layer, *inputs)      any layer with forward/backward, its inputs and parameters

A layer with several outputs (an LSTM step returns h and c) is checked through the scalar
f = Σ_k Σ (r_k ⊙ output_k) with fixed random r_k: its gradient is what backward returns for
the upstream gradients r_k, and random weights leave no component of the Jacobian unchecked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.functions import numerical_gradient

# The central difference's rounding noise is about ε·|f|/h = ε^(2/3)·|f| ≈ 4e-11 for a
# loss of size 1, whatever the gradient's size. A gradient whose largest entry is below this
# floor (a recurrent weight used once in a two-step sequence, say) is therefore held to an
# absolute error of 1e-7 × 1e-3 = 1e-10 rather than to a relative error no numerical
# gradient could meet.
GRADIENT_SCALE_FLOOR = 1e-3


def relative_error(analytic, numerical, floor: float = 0.0) -> float:
    """max_i |a_i − n_i| / max(max_i |a_i|, max_i |n_i|, floor): the largest difference
    relative to the largest entry, or to ``floor`` when the entries are all smaller (0 when
    both are zero and there is no floor).

    Measured against the gradient's scale rather than entry by entry, because the
    finite-difference noise (≈ ε·|f| / h) is the same for every entry and would make any
    entry that is nearly zero look wrong.
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numerical = np.asarray(numerical, dtype=np.float64)
    if analytic.shape != numerical.shape:
        raise ValueError(f"gradient shapes differ: {analytic.shape} and {numerical.shape}")
    scale = max(
        np.max(np.abs(analytic), initial=0.0), np.max(np.abs(numerical), initial=0.0), floor
    )
    if scale == 0:
        return 0.0
    return float(np.max(np.abs(analytic - numerical)) / scale)


def check_gradient(f, x, analytic) -> float:
    """Relative error between ``analytic`` and the numerical gradient of f at x.

    ``f`` takes x (perturbed in place one element at a time, then restored) and returns a
    scalar; it may also read x through a closure. Gradients smaller than
    :data:`GRADIENT_SCALE_FLOOR` are compared against that floor.
    """
    return relative_error(analytic, numerical_gradient(f, x), floor=GRADIENT_SCALE_FLOOR)


def _as_tuple(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _is_float(x) -> bool:
    return np.issubdtype(np.asarray(x).dtype, np.floating)


@dataclass(frozen=True)
class GradientCheck:
    """The relative error of every checked gradient, by name: "input0", "input1", … for the
    layer's inputs, and the attribute name ("W", "b", "gamma", …) for its parameters."""

    errors: dict[str, float]

    @property
    def max_rel_error(self) -> float:
        return max(self.errors.values(), default=0.0)


def check_layer(layer, *inputs, params=None, seed=0, **forward_kwargs) -> GradientCheck:
    """Check ``layer.backward`` against numerical gradients at ``inputs``.

    ``layer.forward(*inputs, **forward_kwargs)`` may return one array (or scalar) or a tuple;
    ``layer.backward`` receives one upstream gradient per output and returns the gradients of
    the leading inputs (one array or a tuple): ``SoftmaxWithLoss.backward`` returns only
    ∂L/∂x, so the labels t of ``forward(x, t)`` are passed through unchecked. Parameters are the names in
    ``params``, by default every array attribute ``p`` for which backward set ``dp``
    (W → dW, gamma → dgamma, Wx → dWx). Forward must be deterministic (no dropout).
    """
    inputs = tuple(np.array(x, dtype=np.float64) if _is_float(x) else x for x in inputs)

    def outputs():
        return _as_tuple(layer.forward(*inputs, **forward_kwargs))

    rng = np.random.default_rng(seed)
    upstream = tuple(rng.standard_normal(np.shape(out)) for out in outputs())

    def f(_=None):
        return sum(np.sum(r * out) for r, out in zip(upstream, outputs(), strict=True))

    f()  # the forward pass that backward differentiates
    input_grads = _as_tuple(layer.backward(*upstream))
    if params is None:
        params = [
            name
            for name, value in vars(layer).items()
            if isinstance(value, np.ndarray) and getattr(layer, "d" + name, None) is not None
        ]
    param_grads = {name: np.array(getattr(layer, "d" + name)) for name in params}

    errors = {f"input{i}": check_gradient(f, inputs[i], grad) for i, grad in enumerate(input_grads)}
    for name, grad in param_grads.items():
        errors[name] = check_gradient(f, getattr(layer, name), grad)
    return GradientCheck(errors)
