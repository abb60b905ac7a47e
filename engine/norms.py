"""Normalisation layers that do not depend on the batch: Layer, Instance and Group
Normalization, with ``forward`` and ``backward`` side by side as in 『ゼロから作るDeep Learning』.

All four normalisations (BatchNormalization lives in ``engine.layers``) compute the same thing,

    μ = mean(x),  σ² = mean((x − μ)²)  over a set of axes S,
    x̂ = (x − μ) / √(σ² + ε),  y = γ·x̂ + β

and differ only in S. For an image batch x of shape (N, C, H, W):

    BatchNorm     S = (N, H, W)          one (μ, σ²) per channel           — C pairs
    LayerNorm     S = (C, H, W)          one per sample                    — N pairs
    InstanceNorm  S = (H, W)             one per sample and channel        — N·C pairs
    GroupNorm     S = (C/G, H, W)        one per sample and group of C/G   — N·G pairs
                                         channels

Only BatchNorm mixes the samples of a mini-batch, so only BatchNorm needs running averages
for inference and breaks down for a batch of one; the three layers here behave the same in
training and in inference and have no ``train`` argument. GroupNorm with G = 1 normalises like
LayerNorm, with G = C like InstanceNorm (Wu & He, 2018).

backward: with means over the same axes S and dx̂ = γ·dy, the three terms of BatchNorm's
gradient appear again, because x̂ depends on x through μ and σ² of its own group only:

    ∂L/∂x = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / √(σ² + ε)
    ∂L/∂γ = Σ dy·x̂,   ∂L/∂β = Σ dy     (sums over the axes γ is shared across)

Conventions follow PyTorch: LayerNormalization's γ and β have the normalised trailing shape
(``torch.nn.LayerNorm(normalized_shape)``); InstanceNormalization and GroupNormalization have
one γ and β per channel (``nn.InstanceNorm2d(C, affine=True)``, ``nn.GroupNorm(G, C)``).
The variance is the biased one (divided by the group size), as in every one of them.
"""

from __future__ import annotations

import numpy as np


def _floating(x) -> np.ndarray:
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def normalize(x: np.ndarray, axes: tuple[int, ...], eps: float):
    """x̂ = (x − μ) / √(σ² + ε) with μ, σ² over ``axes``; returns (x̂, √(σ² + ε)) with keepdims."""
    mean = np.mean(x, axis=axes, keepdims=True)
    centred = x - mean
    std = np.sqrt(np.mean(centred**2, axis=axes, keepdims=True) + eps)
    return centred / std, std


def normalize_backward(dx_hat: np.ndarray, x_hat: np.ndarray, std: np.ndarray, axes) -> np.ndarray:
    """∂L/∂x = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / √(σ² + ε), means over ``axes``.

    The two means are the paths through μ and through σ²: shifting x shifts μ, and scaling
    x scales σ, so x̂ is blind to both and the gradient has no component along them.
    """
    return (
        dx_hat
        - np.mean(dx_hat, axis=axes, keepdims=True)
        - x_hat * np.mean(dx_hat * x_hat, axis=axes, keepdims=True)
    ) / std


class LayerNormalization:
    """Layer normalisation (Ba, Kiros & Hinton, 2016): each sample is normalised over its
    trailing axes — the last ``gamma.ndim`` axes, e.g. (C, H, W) of an image with γ of shape
    (C, H, W), or the feature axis D of (N, D) or (N, T, D) input with γ of shape (D,).

        x̂ = (x − μ) / √(σ² + ε),  μ and σ² per sample over those axes,   y = γ ⊙ x̂ + β
    """

    def __init__(self, gamma, beta, eps=1e-5):
        self.gamma = gamma
        self.beta = beta
        self.eps = float(eps)
        self.x_hat = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def _axes(self, x) -> tuple[int, ...]:
        trailing = np.ndim(self.gamma)
        if x.shape[x.ndim - trailing :] != np.shape(self.gamma):
            raise ValueError(
                f"LayerNormalization: gamma of shape {np.shape(self.gamma)} must match the "
                f"trailing axes of the input, got input of shape {x.shape}"
            )
        return tuple(range(x.ndim - trailing, x.ndim))

    def forward(self, x):
        x = _floating(x)
        self.x_hat, self.std = normalize(x, self._axes(x), self.eps)
        gamma = self.gamma.astype(x.dtype, copy=False)
        return gamma * self.x_hat + self.beta.astype(x.dtype, copy=False)

    def backward(self, dout):
        axes = self._axes(dout)
        shared = tuple(range(dout.ndim - len(axes)))  # γ is shared across the leading axes
        self.dbeta = np.sum(dout, axis=shared).astype(self.beta.dtype, copy=False)
        self.dgamma = np.sum(dout * self.x_hat, axis=shared).astype(self.gamma.dtype, copy=False)
        dx_hat = dout * self.gamma.astype(dout.dtype, copy=False)
        return normalize_backward(dx_hat, self.x_hat, self.std, axes)


class GroupNormalization:
    """Group normalisation (Wu & He, 2018) on (N, C, ...) input: the C channels are split into
    G groups of C/G consecutive channels, and each sample's group is normalised over its
    channels and every spatial position; γ and β are per channel, shape (C,).

        x viewed as (N, G, C/G, H, W):  μ, σ² over (C/G, H, W),  y = γ_c·x̂ + β_c
    """

    def __init__(self, num_groups, gamma, beta, eps=1e-5):
        self.num_groups = int(num_groups)
        self.gamma = gamma
        self.beta = beta
        self.eps = float(eps)
        self.x_hat = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def _grouped_shape(self, x) -> tuple[int, ...]:
        n, channels = x.shape[:2]
        if channels % self.num_groups:
            raise ValueError(
                f"{type(self).__name__}: {channels} channels cannot be split into "
                f"{self.num_groups} groups of equal size"
            )
        return (n, self.num_groups, channels // self.num_groups, *x.shape[2:])

    def _per_channel(self, x, values):
        """values (C,) shaped to broadcast along axis 1 of x."""
        return values.astype(x.dtype, copy=False).reshape((-1,) + (1,) * (x.ndim - 2))

    def forward(self, x):
        x = _floating(x)
        grouped = x.reshape(self._grouped_shape(x))
        x_hat, self.std = normalize(grouped, tuple(range(2, grouped.ndim)), self.eps)
        self.x_hat = x_hat.reshape(x.shape)
        return self._per_channel(x, self.gamma) * self.x_hat + self._per_channel(x, self.beta)

    def backward(self, dout):
        shared = (0, *range(2, dout.ndim))  # γ_c is shared across samples and positions
        self.dbeta = np.sum(dout, axis=shared).astype(self.beta.dtype, copy=False)
        self.dgamma = np.sum(dout * self.x_hat, axis=shared).astype(self.gamma.dtype, copy=False)
        grouped_shape = self._grouped_shape(dout)
        dx_hat = (dout * self._per_channel(dout, self.gamma)).reshape(grouped_shape)
        x_hat = self.x_hat.reshape(grouped_shape)
        dx = normalize_backward(dx_hat, x_hat, self.std, tuple(range(2, len(grouped_shape))))
        return dx.reshape(dout.shape)


class InstanceNormalization(GroupNormalization):
    """Instance normalisation (Ulyanov, Vedaldi & Lempitsky, 2016) on (N, C, ...) input: every
    channel of every sample is normalised over its spatial positions alone — GroupNorm with
    one channel per group (G = C); γ and β per channel, shape (C,).

        μ_nc, σ²_nc over (H, W),  y = γ_c·x̂ + β_c
    """

    def __init__(self, gamma, beta, eps=1e-5):
        super().__init__(np.size(gamma), gamma, beta, eps)
