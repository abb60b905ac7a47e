"""Demos of engine/demos/machine_learning.py against PyTorch (float64).

Optional: skipped when torch is not installed (``pip install -e .[torch]``). The same demos
against hand-computed values: test_machine_learning.py.
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


def test_distances_against_torch():
    x, y = [1.0, -2.0, 3.0], [4.0, 6.0, -1.0]
    cov = [[2.0, 0.3, 0.0], [0.3, 1.0, 0.2], [0.0, 0.2, 0.5]]
    result = values("ml-distances", x=x, y=y, p=3, cov=cov)
    tx, ty = torch.tensor([x], dtype=torch.float64), torch.tensor([y], dtype=torch.float64)
    for key, p in (
        ("euclidean", 2.0),
        ("manhattan", 1.0),
        ("minkowski", 3.0),
        ("chebyshev", math.inf),
    ):
        assert result[key] == pytest.approx(float(torch.cdist(tx, ty, p=p)))
    diff = np.array(x) - np.array(y)
    assert result["mahalanobis"] == pytest.approx(math.sqrt(diff @ np.linalg.inv(cov) @ diff))
    cos = float(torch.nn.functional.cosine_similarity(tx, ty))
    assert result["cosine_similarity"] == pytest.approx(cos)
