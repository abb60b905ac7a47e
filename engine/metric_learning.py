"""Metric learning and contrastive self-supervised losses on embeddings.

An embedding net f maps inputs to vectors; these losses pull embeddings of similar pairs
together and push dissimilar ones apart:

- contrastive loss (Hadsell, Chopra & LeCun 2006) on pairs — a Siamese net;
- triplet loss (Schroff, Kalenichenko & Philbin 2015, FaceNet) on (anchor, positive, negative);
- InfoNCE / NT-Xent (Chen et al. 2020, SimCLR) on two augmented views of each sample.
"""

from __future__ import annotations

import numpy as np

from engine import functions


def _rows(a) -> np.ndarray:
    return np.atleast_2d(np.asarray(a, dtype=np.float64))


def euclidean_distance(a, b) -> np.ndarray:
    """d(a, b) = ‖a − b‖₂ row by row: (N, D), (N, D) → (N,)."""
    return np.sqrt(np.sum((_rows(a) - _rows(b)) ** 2, axis=1))


def contrastive_loss(x1, x2, similar, margin: float = 1.0) -> tuple[float, np.ndarray, np.ndarray]:
    """Contrastive loss, averaged over the N pairs (y = 1: similar pair, y = 0: dissimilar):

        L = (1/N) Σ_n ½ [ y_n d_n² + (1 − y_n) max(0, m − d_n)² ]

    Similar pairs are pulled together at any distance; dissimilar pairs are pushed apart
    only while they are closer than the margin m. Returns (L, ∂L/∂x1, ∂L/∂x2).
    """
    x1, x2 = _rows(x1), _rows(x2)
    y = np.asarray(similar, dtype=np.float64).reshape(-1)
    n = x1.shape[0]
    d = euclidean_distance(x1, x2)
    hinge = np.maximum(0.0, margin - d)
    loss = np.mean(0.5 * (y * d**2 + (1 - y) * hinge**2))
    # ∂L/∂d = y·d − (1 − y)·max(0, m − d);  ∂d/∂x1 = (x1 − x2) / d.
    # y·d²/2 has gradient y·(x1 − x2) directly, which also holds at d = 0.
    unit = np.divide(x1 - x2, d[:, None], out=np.zeros_like(x1), where=d[:, None] > 0)
    dx1 = (y[:, None] * (x1 - x2) - ((1 - y) * hinge)[:, None] * unit) / n
    return float(loss), dx1, -dx1


def triplet_loss(anchor, positive, negative, margin: float = 0.2, squared: bool = False):
    """Triplet loss, averaged over the N triplets:

        L = (1/N) Σ_n max(0, d(a_n, p_n) − d(a_n, n_n) + m)

    with d the Euclidean distance, or its square when ``squared`` (as in FaceNet). The loss
    is 0 once the negative is farther from the anchor than the positive by at least m.
    Returns (L, d_ap, d_an) with the per-triplet distances (squared if asked).
    """
    d_ap = euclidean_distance(anchor, positive)
    d_an = euclidean_distance(anchor, negative)
    if squared:
        d_ap, d_an = d_ap**2, d_an**2
    loss = np.mean(np.maximum(0.0, d_ap - d_an + margin))
    return float(loss), d_ap, d_an


def cosine_similarity_matrix(a, b) -> np.ndarray:
    """S_ij = a_i · b_j / (‖a_i‖ ‖b_j‖)."""
    a, b = _rows(a), _rows(b)
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return a @ b.T


def nt_xent(z1, z2, temperature: float = 0.5) -> float:
    """NT-Xent, the InfoNCE loss of SimCLR, for N pairs of views (z1_k, z2_k):

        ℓ(i, j) = −log [ exp(s_ij / τ) / Σ_{k ≠ i} exp(s_ik / τ) ]

    over the 2N embeddings z = [z1; z2], s = cosine similarity, j the other view of i; the
    loss is the mean of ℓ over all 2N anchors. Each anchor has 1 positive and 2N − 2
    negatives: a softmax cross-entropy whose correct class is the positive.
    """
    z = np.vstack([_rows(z1), _rows(z2)])
    n2 = z.shape[0]
    logits = cosine_similarity_matrix(z, z) / temperature
    np.fill_diagonal(logits, -np.inf)  # an embedding is never its own negative
    positives = (np.arange(n2) + n2 // 2) % n2
    return float(functions.cross_entropy_error(functions.softmax(logits), positives))
