"""Data augmentation on image batches of shape (N, C, H, W): new training images from old
ones by changes that leave the label as it is (or, for MixUp, change it in step).

    random_flip      mirror each image left–right (or upside down) with probability p
    random_crop      pad by P, then cut an H′ × W′ window at a random place of each image
    random_erasing   fill a random rectangle of each image with a constant (Zhong et al., 2017)
    mixup            x̃ = λ·x_i + (1 − λ)·x_j,  t̃ = λ·t_i + (1 − λ)·t_j,  λ ~ Beta(α, α)
                     (Zhang et al., 2018)
    spec_augment     mask a band of frequencies and a stretch of time in each spectrogram
                     (Park et al., 2019)

Every function takes ``rng``, a numpy Generator or a seed, so the same seed gives the same
batch; every one works on the whole batch at once (no loop over the images) and returns a
new array, leaving its input untouched.
"""

from __future__ import annotations

import numpy as np


def _images(x) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"expected an image batch of shape (N, C, H, W), got shape {x.shape}")
    return x


def random_flip(x, p: float = 0.5, axis: str = "horizontal", rng=None):
    """Each image mirrored with probability p: left–right ("horizontal", W reversed) or upside
    down ("vertical", H reversed). Returns (flipped batch, boolean array of the flipped images).

    A left–right mirror keeps the label of a cat or a car, but not of every image: a mirrored
    "3" is no longer a 3, so the flips to use depend on the data.
    """
    x = _images(x)
    if axis not in ("horizontal", "vertical"):
        raise ValueError(f"axis must be 'horizontal' or 'vertical', not {axis!r}")
    rng = np.random.default_rng(rng)
    flipped = rng.random(len(x)) < p
    mirrored = x[:, :, :, ::-1] if axis == "horizontal" else x[:, :, ::-1, :]
    return np.where(flipped[:, None, None, None], mirrored, x), flipped


def random_crop(x, size: int | tuple[int, int], pad: int = 0, rng=None):
    """Pad each image with ``pad`` zeros on every side, then cut a size[0] × size[1] window at a
    random position (uniform over every window that fits). Returns (crops, tops, lefts), the
    window positions counted in the padded image.

    With pad = 4 and size = the original size (the usual CIFAR-10 recipe) every image is
    shifted by up to 4 pixels, which teaches the net that a small shift keeps the label.
    """
    x = _images(x)
    crop_h, crop_w = (size, size) if isinstance(size, int) else size
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, height, width = x.shape
    if not (0 < crop_h <= height and 0 < crop_w <= width):
        raise ValueError(
            f"a {crop_h}×{crop_w} crop does not fit in a padded {height}×{width} image"
        )
    rng = np.random.default_rng(rng)
    tops = rng.integers(0, height - crop_h + 1, size=n)
    lefts = rng.integers(0, width - crop_w + 1, size=n)
    # Fancy indexing picks every image's own window at once: rows (N, h), columns (N, w).
    rows = (tops[:, None] + np.arange(crop_h))[:, None, :, None]
    cols = (lefts[:, None] + np.arange(crop_w))[:, None, None, :]
    crops = x[np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None], rows, cols]
    return crops, tops, lefts


def random_erasing(
    x,
    p: float = 0.5,
    area: tuple[float, float] = (0.02, 0.33),
    aspect: tuple[float, float] = (0.3, 3.3),
    value: float = 0.0,
    rng=None,
):
    """With probability p, fill one random rectangle of each image (every channel) with
    ``value``. The rectangle covers a fraction s ~ U(area) of the image, with aspect ratio
    r = h/w drawn log-uniformly from ``aspect``: h = √(s·H·W·r), w = √(s·H·W/r), clipped to
    the image, at a uniformly random position. Returns (erased batch, mask of erased pixels
    (N, 1, H, W)).

    The net must then recognise an object from its visible parts — a guard against occlusion
    and against leaning on one small region. Zhong et al. redraw a rectangle that does not fit;
    clipping it instead keeps the batch free of loops.
    """
    x = _images(x)
    n, _, height, width = x.shape
    rng = np.random.default_rng(rng)
    erase = rng.random(n) < p
    target = rng.uniform(*area, size=n) * height * width
    ratio = np.exp(rng.uniform(np.log(aspect[0]), np.log(aspect[1]), size=n))
    h = np.clip(np.round(np.sqrt(target * ratio)), 1, height).astype(int)
    w = np.clip(np.round(np.sqrt(target / ratio)), 1, width).astype(int)
    top = (rng.random(n) * (height - h + 1)).astype(int)
    left = (rng.random(n) * (width - w + 1)).astype(int)
    rows = np.arange(height)[None, :, None]
    cols = np.arange(width)[None, None, :]
    inside = (
        (rows >= top[:, None, None])
        & (rows < (top + h)[:, None, None])
        & (cols >= left[:, None, None])
        & (cols < (left + w)[:, None, None])
    )
    mask = (inside & erase[:, None, None])[:, None]
    return np.where(mask, np.asarray(value, dtype=x.dtype), x), mask


def mixup(x, t, alpha: float = 0.2, lam: float | None = None, rng=None):
    """MixUp: every example is blended with a partner from the same batch (a random
    permutation), images and one-hot labels with the same weight λ:

        x̃ = λ·x + (1 − λ)·x[perm],   t̃ = λ·t + (1 − λ)·t[perm],   λ ~ Beta(α, α)

    One λ per batch, as in the authors' code; give ``lam`` to fix it. ``t`` is one-hot (N, K)
    or integer labels (N,) with K = max label + 1. Returns (x̃, t̃, λ, perm). Each row of t̃
    still sums to 1: the soft label says how much of each class the blend contains.
    """
    x = np.asarray(x)
    t = np.asarray(t)
    rng = np.random.default_rng(rng)
    if t.ndim == 1:
        t = np.eye(int(t.max()) + 1, dtype=x.dtype if x.dtype.kind == "f" else np.float64)[t]
    if lam is None:
        if alpha <= 0:
            raise ValueError(f"alpha must be positive, got {alpha}")
        lam = float(rng.beta(alpha, alpha))
    elif not 0 <= lam <= 1:
        raise ValueError(f"lam must be in [0, 1], got {lam}")
    perm = rng.permutation(len(x))
    x_mixed = lam * x + (1 - lam) * x[perm]
    t_mixed = lam * t + (1 - lam) * t[perm]
    return x_mixed, t_mixed, lam, perm


def spec_augment(x, freq_width: int = 2, time_width: int = 4, value: float = 0.0, rng=None):
    """SpecAugment's masking for spectrograms (N, C, F, T) — frequency on axis 2, time on
    axis 3: in each spectrogram one band of f ~ U{0, …, freq_width} consecutive frequencies
    and one stretch of t ~ U{0, …, time_width} consecutive time steps are set to ``value``,
    at uniformly random places. Returns (masked batch, mask (N, 1, F, T)).

    Park et al. (2019) also warp the time axis; the two masks are the part that does most of
    the work, and they teach a speech model to cope with missing frequencies and moments.
    """
    x = _images(x)
    n, _, freqs, steps = x.shape
    if not (0 <= freq_width <= freqs and 0 <= time_width <= steps):
        raise ValueError(
            f"mask widths ({freq_width}, {time_width}) must fit a {freqs}×{steps} spectrogram"
        )
    rng = np.random.default_rng(rng)
    f = rng.integers(0, freq_width + 1, size=n)
    t = rng.integers(0, time_width + 1, size=n)
    f0 = (rng.random(n) * (freqs - f + 1)).astype(int)
    t0 = (rng.random(n) * (steps - t + 1)).astype(int)
    rows = np.arange(freqs)[None, :, None]
    cols = np.arange(steps)[None, None, :]
    band = (rows >= f0[:, None, None]) & (rows < (f0 + f)[:, None, None])
    stretch = (cols >= t0[:, None, None]) & (cols < (t0 + t)[:, None, None])
    mask = (band | stretch)[:, None]
    return np.where(mask, np.asarray(value, dtype=x.dtype), x), mask
