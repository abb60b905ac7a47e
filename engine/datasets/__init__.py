"""Small data sets that ship with the engine: no download, no network.

- ``load_digits``: the 8×8 handwritten digits (1,797 images, 10 classes), in the style of the
  book's ``load_mnist``. The data come from scikit-learn's copy of the UCI set; see
  LICENSE-digits.txt next to this file for the source, the citation and the licences.
- ``make_spiral``, ``make_moons``, ``make_xor``: generated 2-D toy sets for classifiers,
  each returning ``(x, t)`` with x (n, 2) and integer class labels t (n,), deterministic
  for a given ``seed``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

DIGITS_FILE = Path(__file__).with_name("digits.npz")


@cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 images as uint8 rows of 64 pixels (0–16) and their labels 0–9, read once."""
    with np.load(DIGITS_FILE) as data:
        images, labels = data["images"], data["labels"]
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


def load_digits(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    test_ratio: float = 0.2,
    seed: int = 0,
    *,
    dtype: DTypeLike = np.float64,
):
    """The 8×8 digits split into ((x_train, t_train), (x_test, t_test)).

    normalize      pixel values 0–16 are divided by 16, into [0, 1]; else kept as 0–16
    flatten        x is (n, 64); else (n, 1, 8, 8), the NCHW shape Convolution takes
    one_hot_label  t is one-hot (n, 10) of ``dtype``; else integer labels 0–9 (n,)
    test_ratio     the share of the 1,797 images held out for testing
    seed           the seed of the shuffle that makes the split: same seed, same split

    x is a new array of ``dtype`` (float64 unless asked), so it may be modified freely.
    """
    if not 0 <= test_ratio < 1:
        raise ValueError(f"test_ratio must be in [0, 1), got {test_ratio}")
    images, labels = _digits()
    x = images.astype(dtype)
    if normalize:
        x /= 16
    if not flatten:
        x = x.reshape(-1, 1, 8, 8)
    t = np.eye(10, dtype=dtype)[labels] if one_hot_label else labels.astype(np.int64)

    order = np.random.default_rng(seed).permutation(len(labels))
    n_test = round(len(labels) * test_ratio)
    test, train = order[:n_test], order[n_test:]
    return (x[train], t[train]), (x[test], t[test])


def make_spiral(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """K interleaved spiral arms, one per class (like the spiral of the book ❷ and CS231n).

    Point k of arm j (s = k/(n − 1) running from 0 to 1) lies at radius r = s and angle
    θ = 2πj/K + 4s + noise·ε, ε ~ N(0, 1): x = (r·sin θ, r·cos θ). Not linearly
    separable, so a linear classifier fails where a net with a hidden layer succeeds.
    Returns x (K·n, 2) and t (K·n,), class by class.
    """
    rng = np.random.default_rng(seed)
    s = np.tile(np.linspace(0, 1, n_per_class), n_classes)
    t = np.repeat(np.arange(n_classes), n_per_class)
    theta = 2 * np.pi * t / n_classes + 4 * s + noise * rng.standard_normal(s.shape)
    x = np.stack((s * np.sin(theta), s * np.cos(theta)), axis=1)
    return x, t


def make_moons(
    n_samples: int = 200, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: class 0 on (cos θ, sin θ), class 1 on
    (1 − cos θ, 1/2 − sin θ), θ evenly in [0, π], plus Gaussian noise of std ``noise``.

    Returns x (n_samples, 2) and t (n_samples,), class 0 first (class 1 gets the odd one).
    """
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    theta_upper = np.linspace(0, np.pi, n_upper)
    theta_lower = np.linspace(0, np.pi, n_lower)
    upper = np.stack((np.cos(theta_upper), np.sin(theta_upper)), axis=1)
    lower = np.stack((1 - np.cos(theta_lower), 0.5 - np.sin(theta_lower)), axis=1)
    x = np.concatenate((upper, lower))
    x += noise * np.random.default_rng(seed).standard_normal(x.shape)
    t = np.concatenate((np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)))
    return x, t


def make_xor(
    n_samples: int = 200, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Points around the four corners of the XOR gate: around (x₁, x₂) ∈ {0, 1}² the label
    is x₁ XOR x₂, the classic problem one perceptron cannot solve (no line separates it).

    The corners take turns, (0,0), (0,1), (1,0), (1,1), (0,0), …; each point is its corner
    plus Gaussian noise of std ``noise``. Returns x (n_samples, 2) and t (n_samples,).
    """
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])[np.arange(n_samples) % 4]
    t = corners[:, 0] ^ corners[:, 1]
    x = corners + noise * np.random.default_rng(seed).standard_normal(corners.shape)
    return x, t
