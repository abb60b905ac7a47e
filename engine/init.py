"""Weight initialisation: draw W ~ N(0, std²) with a std chosen from the fan-in n_in.

    Xavier:  std = 1 / √n_in      (the course's and the book's form; suits sigmoid and tanh)
    He:      std = √(2 / n_in)    (ReLU zeroes half the signal, so twice the variance)

Glorot & Bengio's paper uses √(2 / (n_in + n_out)); the course and 『ゼロから作るDeep Learning』
use 1 / √n_in, and so does this module.

n_in is the number of inputs each output unit sums over: shape[0] for an Affine weight of
shape (n_in, n_out), and C·FH·FW for a Convolution weight of shape (FN, C, FH, FW).
Every function takes ``rng``, a numpy Generator (or a seed), so results are reproducible.
"""

from __future__ import annotations

import math

import numpy as np


def fan_in(shape: tuple[int, ...]) -> int:
    """n_in: shape[0] for a (n_in, n_out) matrix, the product C·FH·FW for (FN, C, FH, FW)."""
    if len(shape) == 2:
        return shape[0]
    if len(shape) == 4:
        return math.prod(shape[1:])
    raise ValueError(f"expected a 2-D Affine or 4-D Convolution weight shape, got {shape}")


def xavier_std(n_in: int) -> float:
    """std = 1 / √n_in."""
    return 1 / math.sqrt(n_in)


def he_std(n_in: int) -> float:
    """std = √(2 / n_in)."""
    return math.sqrt(2 / n_in)


def normal(shape, std: float, rng=None, dtype=np.float64) -> np.ndarray:
    """W ~ N(0, std²) of the given shape and dtype (std = 0 gives all zeros)."""
    rng = np.random.default_rng(rng)
    return rng.standard_normal(shape, dtype=dtype) * float(std)


def xavier(shape, rng=None, dtype=np.float64) -> np.ndarray:
    """W ~ N(0, 1/n_in)."""
    return normal(shape, xavier_std(fan_in(shape)), rng, dtype)


def he(shape, rng=None, dtype=np.float64) -> np.ndarray:
    """W ~ N(0, 2/n_in)."""
    return normal(shape, he_std(fan_in(shape)), rng, dtype)


def initial_weight(shape, method: str | float, rng=None, dtype=np.float64) -> np.ndarray:
    """A weight by name ("he" or "xavier") or from N(0, std²) for a number std."""
    if isinstance(method, str):
        initialisers = {"he": he, "xavier": xavier}
        if method not in initialisers:
            raise ValueError(f"weight_init must be 'he', 'xavier' or a std, not {method!r}")
        return initialisers[method](shape, rng, dtype)
    return normal(shape, method, rng, dtype)
