"""Demos of engine/demos/math_foundations.py against PyTorch (float64): matrix products, product
shapes, rank and SVD, the normal CDF, KL and JS divergences.

Optional: skipped when torch is not installed (``pip install -e .[torch]``). The same demos
against hand-computed values and formulas written out: test_math_foundations.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.demos.registry import REGISTRY, run

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def values(demo_id: str, **params):
    return run(REGISTRY[demo_id], params).values


def test_products_and_hadamard_match_torch():
    A = [[1, 2], [3, 4]]
    B = [[0, 1], [1, 0]]
    result = values("linalg-products", A=A, B=B)
    a, b = torch.tensor(A, dtype=torch.float64), torch.tensor(B, dtype=torch.float64)
    np.testing.assert_array_equal(result["product"], (a @ b).numpy())
    np.testing.assert_array_equal(result["product_ba"], (b @ a).numpy())
    np.testing.assert_array_equal(result["hadamard"], (a * b).numpy())


@pytest.mark.parametrize(
    ("a", "b", "shape"),
    [([2, 3, 4], [4, 5], [2, 3, 5]), ([3, 2], [2, 3], [3, 3])],
)
def test_matmul_shapes_match_torch(a, b, shape):
    result = values("linalg-product-shape", a_shape=a, b_shape=b, op="matmul")
    assert result["out_shape"] == shape
    assert list((torch.ones(a) @ torch.ones(b)).shape) == shape


def test_rank_and_svd_against_torch():
    A = [[1, 2, 3], [2, 4, 6], [1, 0, 1]]
    result = values("linalg-rank-svd", A=A, k=1)
    t = torch.tensor(A, dtype=torch.float64)
    assert result["rank"] == int(torch.linalg.matrix_rank(t)) == 2
    s = torch.linalg.svdvals(t).numpy()
    np.testing.assert_allclose(result["singular_values"], s, atol=1e-12)
    assert result["lowrank_error"] == pytest.approx(math.sqrt(s[1] ** 2 + s[2] ** 2), abs=1e-12)


def test_gaussian_intervals_match_torch():
    gauss = values("prob-gaussian", mu=3, sigma=2, samples=100000, seed=0)
    normal = torch.distributions.Normal(0.0, 1.0)
    for m, p in zip((1, 2, 3), gauss["within"], strict=True):
        assert p == pytest.approx(float(normal.cdf(torch.tensor(float(m))) * 2 - 1), abs=1e-6)


def test_divergences_against_torch():
    p, q = [0.5, 0.3, 0.2], [0.1, 0.6, 0.3]
    result = values("info-divergences", p=p, q=q, unit="nat")
    tp, tq = torch.tensor(p, dtype=torch.float64), torch.tensor(q, dtype=torch.float64)
    kl_pq = float(torch.nn.functional.kl_div(tq.log(), tp, reduction="sum"))
    kl_qp = float(torch.nn.functional.kl_div(tp.log(), tq, reduction="sum"))
    assert result["kl_pq"] == pytest.approx(kl_pq) and result["kl_qp"] == pytest.approx(kl_qp)
    m = (tp + tq) / 2
    js = 0.5 * float(torch.sum(tp * (tp / m).log())) + 0.5 * float(torch.sum(tq * (tq / m).log()))
    assert result["js"] == pytest.approx(js)
