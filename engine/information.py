"""Information measures of discrete distributions (応用数学 第3章 情報理論).

    self-information     I(x) = −log P(x)
    entropy              H(P) = −Σ_x P(x) log P(x)
    cross-entropy        H(P, Q) = −Σ_x P(x) log Q(x)
    KL divergence        D_KL(P‖Q) = Σ_x P(x) log (P(x) / Q(x)) = H(P, Q) − H(P)
    JS divergence        D_JS(P‖Q) = ½ D_KL(P‖M) + ½ D_KL(Q‖M),  M = ½ (P + Q)
    joint entropy        H(X, Y) = −Σ_x Σ_y P(x, y) log P(x, y)
    conditional entropy  H(Y|X) = H(X, Y) − H(X)
    mutual information   I(X; Y) = H(X) + H(Y) − H(X, Y) = D_KL(P(x, y) ‖ P(x) P(y))

Distributions are 1-D arrays of probabilities (a joint distribution is a 2-D table with
P(X = i, Y = j) in row i, column j). Terms with P(x) = 0 contribute nothing: 0 · log 0 = 0,
the limit of p log p as p → 0. A term with P(x) > 0 and Q(x) = 0 makes cross-entropy and
KL divergence infinite, as the formulas say.

``base`` chooses the unit: e (nats, the default, as in the course's code), 2 (bits) or any
other base > 1.
"""

from __future__ import annotations

import math

import numpy as np


def _log(x, base: float | None):
    """log x in the given base (natural logarithm for None)."""
    value = np.log(x)
    return value if base is None else value / math.log(base)


def as_distribution(p, *, name: str = "p", atol: float = 1e-9) -> np.ndarray:
    """p as a float64 array of probabilities: every entry ≥ 0 and the sum 1 (within atol)."""
    p = np.asarray(p, dtype=np.float64)
    if p.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{name} must hold probabilities ≥ 0, got {p.tolist()}")
    total = float(p.sum())
    if abs(total - 1) > atol:
        raise ValueError(f"{name} must sum to 1, got a sum of {total:.12g}")
    return p


def _plogq(p: np.ndarray, q: np.ndarray, base: float | None) -> np.ndarray:
    """The terms p·log q, with 0 where p = 0 (0·log 0 = 0) and −∞ where p > 0 and q = 0."""
    terms = np.zeros_like(p)
    support = p > 0
    with np.errstate(divide="ignore"):  # log 0 = −∞ is the right answer where p > 0
        terms[support] = p[support] * _log(q[support], base)
    return terms


def self_information(p, base: float | None = None):
    """I(x) = −log P(x): the rarer the event, the more information it carries (∞ for P = 0)."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return -_log(p, base)


def entropy(p, base: float | None = None) -> float:
    """H(P) = −Σ P(x) log P(x) = E[I(x)], the mean self-information; 0 ≤ H ≤ log K."""
    p = as_distribution(p)
    return float(-np.sum(_plogq(p, p, base))) + 0.0  # + 0.0 turns −0.0 into 0.0


def cross_entropy(p, q, base: float | None = None) -> float:
    """H(P, Q) = −Σ P(x) log Q(x): the mean code length when events of P are coded for Q."""
    p, q = as_distribution(p, name="p"), as_distribution(q, name="q")
    _same_shape(p, q)
    return float(-np.sum(_plogq(p, q, base))) + 0.0


def kl_divergence(p, q, base: float | None = None) -> float:
    """D_KL(P‖Q) = Σ P(x) log (P(x) / Q(x)) = H(P, Q) − H(P).

    ≥ 0 (Gibbs' inequality), 0 only when P = Q, and not symmetric: D_KL(P‖Q) ≠ D_KL(Q‖P)
    in general, so it is not a distance.
    """
    p, q = as_distribution(p, name="p"), as_distribution(q, name="q")
    _same_shape(p, q)
    # Σ p log p − Σ p log q, term by term, so that 0·log(0/q) = 0 and p·log(p/0) = ∞.
    value = float(np.sum(_plogq(p, p, base) - _plogq(p, q, base)))
    return max(value, 0.0)  # rounding must not make a divergence negative


def js_divergence(p, q, base: float | None = None) -> float:
    """D_JS(P‖Q) = ½ D_KL(P‖M) + ½ D_KL(Q‖M) with M = ½ (P + Q).

    Symmetric, always finite (M > 0 wherever P or Q is), and at most log 2
    (1 bit), reached when P and Q have disjoint supports.
    """
    p, q = as_distribution(p, name="p"), as_distribution(q, name="q")
    _same_shape(p, q)
    m = (p + q) / 2
    return 0.5 * kl_divergence(p, m, base) + 0.5 * kl_divergence(q, m, base)


def _same_shape(p: np.ndarray, q: np.ndarray) -> None:
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")


def _joint(pxy) -> np.ndarray:
    pxy = as_distribution(pxy, name="the joint distribution")
    if pxy.ndim != 2:
        raise ValueError(f"a joint distribution is a 2-D table, got shape {pxy.shape}")
    return pxy


def marginals(pxy) -> tuple[np.ndarray, np.ndarray]:
    """P(x) = Σ_y P(x, y) (row sums) and P(y) = Σ_x P(x, y) (column sums)."""
    pxy = _joint(pxy)
    return pxy.sum(axis=1), pxy.sum(axis=0)


def joint_entropy(pxy, base: float | None = None) -> float:
    """H(X, Y) = −Σ_x Σ_y P(x, y) log P(x, y)."""
    pxy = _joint(pxy)
    return entropy(pxy.ravel(), base)


def conditional_entropy(pxy, base: float | None = None) -> float:
    """H(Y|X) = −Σ P(x, y) log P(y|x) = H(X, Y) − H(X): what is left of Y once X is known."""
    px, _ = marginals(pxy)
    return max(joint_entropy(pxy, base) - entropy(px, base), 0.0)


def mutual_information(pxy, base: float | None = None) -> float:
    """I(X; Y) = H(X) + H(Y) − H(X, Y) = D_KL(P(x, y) ‖ P(x)P(y)); 0 when X, Y are independent."""
    pxy = _joint(pxy)
    px, py = marginals(pxy)
    return kl_divergence(pxy.ravel(), np.outer(px, py).ravel(), base)
