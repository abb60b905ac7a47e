"""engine.metric_learning: contrastive loss, triplet loss and NT-Xent."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import metric_learning
from engine.functions import numerical_gradient


def test_triplet_loss_with_and_without_squares():
    loss, d_ap, d_an = metric_learning.triplet_loss([[0, 0]], [[0.6, 0.8]], [[1.2, 0.5]], 0.5)
    assert (d_ap[0], d_an[0]) == pytest.approx((1.0, 1.3))
    assert loss == pytest.approx(0.2)
    loss_sq, _, _ = metric_learning.triplet_loss(
        [[0, 0]], [[0.6, 0.8]], [[1.2, 0.5]], 0.5, squared=True
    )
    assert loss_sq == pytest.approx(max(0, 1.0 - 1.69 + 0.5))
    easy, _, _ = metric_learning.triplet_loss([[0, 0]], [[0.1, 0]], [[5, 0]], 0.5)
    assert easy == 0


def test_contrastive_loss_values_and_gradient():
    x1 = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    x2 = np.array([[0.3, 0.4], [1.3, 1.4], [0.9, 1.2]])
    y = np.array([1.0, 0.0, 0.0])
    loss, dx1, dx2 = metric_learning.contrastive_loss(x1, x2, y, margin=1.0)
    # 0.5·0.25 (similar, d = 0.5); 0.5·0.25 (dissimilar, d = 0.5 < m); 0 (dissimilar, d = 1.5 > m)
    assert loss == pytest.approx((0.125 + 0.125 + 0.0) / 3)

    def f(a):
        return metric_learning.contrastive_loss(a.reshape(3, 2), x2, y, 1.0)[0]

    np.testing.assert_allclose(dx1.ravel(), numerical_gradient(f, x1.ravel().copy()), atol=1e-8)
    np.testing.assert_allclose(dx2, -dx1)


def _nt_xent_reference(z1, z2, tau):
    z = np.vstack([z1, z2])
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    n2 = len(z)
    total = 0.0
    for i in range(n2):
        j = (i + n2 // 2) % n2
        others = [math.exp(z[i] @ z[k] / tau) for k in range(n2) if k != i]
        total += -math.log(math.exp(z[i] @ z[j] / tau) / sum(others))
    return total / n2


def test_nt_xent_matches_a_loop_implementation():
    rng = np.random.default_rng(0)
    z1, z2 = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    assert metric_learning.nt_xent(z1, z2, 0.5) == pytest.approx(
        _nt_xent_reference(z1, z2, 0.5), rel=1e-12
    )


def test_nt_xent_of_identical_embeddings_is_log_2n_minus_1():
    ones = np.ones((8, 4))
    assert metric_learning.nt_xent(ones, ones, 0.1) == pytest.approx(math.log(15), rel=1e-12)
