"""engine.classic against PyTorch (float64): pairwise distances against ``torch.cdist`` and
cosine similarity, logistic regression against gradient descent with autograd.

Optional: skipped when torch is not installed (``pip install -e .[torch]``). The same functions
against loops and central differences: test_classic.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import classic

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def test_pairwise_distances_match_torch_cdist():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    for metric, p in (
        ("euclidean", 2.0),
        ("manhattan", 1.0),
        ("chebyshev", math.inf),
        ("minkowski", 3.0),
    ):
        expected = torch.cdist(torch.tensor(a), torch.tensor(b), p=p).numpy()
        np.testing.assert_allclose(
            classic.pairwise_distances(a, b, metric, p), expected, rtol=1e-10
        )
    cosine = (
        1
        - torch.nn.functional.cosine_similarity(
            torch.tensor(a)[:, None, :], torch.tensor(b)[None, :, :], dim=-1
        ).numpy()
    )
    np.testing.assert_allclose(classic.pairwise_distances(a, b, "cosine"), cosine, atol=1e-12)


def test_logistic_regression_matches_torch_gradient_descent():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((30, 2))
    t = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(float)
    model = classic.LogisticRegression(lr=0.3, steps=50).fit(x, t)
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    xt, tt = torch.tensor(x), torch.tensor(t)
    for _ in range(50):
        loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(xt @ w + b), tt)
        loss.backward()
        with torch.no_grad():
            w -= 0.3 * w.grad
            b -= 0.3 * b.grad
        w.grad.zero_()
        b.grad.zero_()
    np.testing.assert_allclose(model.w, w.detach().numpy(), rtol=1e-10)
    assert model.b == pytest.approx(float(b.detach()), rel=1e-10)
