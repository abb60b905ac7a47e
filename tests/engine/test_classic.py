"""engine.classic: distances, regression, logistic regression, PCA, k-NN, k-means, SVM, k-fold.

Pairwise distances and logistic regression against PyTorch as well: test_classic_vs_torch.py
(skipped when torch is not installed)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from engine import classic


def test_distances_by_hand():
    x, y = [1.0, 2.0], [4.0, 6.0]
    assert classic.euclidean_distance(x, y) == pytest.approx(5.0)
    assert classic.manhattan_distance(x, y) == pytest.approx(7.0)
    assert classic.chebyshev_distance(x, y) == pytest.approx(4.0)
    assert classic.minkowski_distance(x, y, 3) == pytest.approx((27 + 64) ** (1 / 3))
    assert classic.mahalanobis_distance([2, 0], [0, 0], [[4, 0], [0, 1]]) == pytest.approx(1.0)
    assert classic.mahalanobis_distance(x, y, np.eye(2)) == pytest.approx(5.0)
    assert classic.cosine_similarity([1, 2], [2, 4]) == pytest.approx(1.0)
    assert classic.cosine_similarity([1, 0], [0, 1]) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="p ≥ 1"):
        classic.minkowski_distance(x, y, 0.5)


def _distance_by_loops(u, v, metric: str, p: float) -> float:
    if metric == "cosine":
        dot = math.fsum(a * b for a, b in zip(u, v, strict=True))
        norms = math.sqrt(math.fsum(a * a for a in u)) * math.sqrt(math.fsum(b * b for b in v))
        return 1 - dot / norms
    gaps = [abs(a - b) for a, b in zip(u, v, strict=True)]
    if metric == "chebyshev":
        return max(gaps)
    return math.fsum(g**p for g in gaps) ** (1 / p)


def test_pairwise_distances_match_loops_over_the_pairs():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    for metric, p in (
        ("euclidean", 2.0),
        ("manhattan", 1.0),
        ("chebyshev", math.inf),
        ("minkowski", 3.0),
    ):
        expected = [[_distance_by_loops(u, v, metric, p) for v in b] for u in a]
        np.testing.assert_allclose(
            classic.pairwise_distances(a, b, metric, p), expected, rtol=1e-10
        )
    cosine = [[_distance_by_loops(u, v, "cosine", 2.0) for v in b] for u in a]
    np.testing.assert_allclose(classic.pairwise_distances(a, b, "cosine"), cosine, atol=1e-12)
    with pytest.raises(ValueError, match="unknown metric"):
        classic.pairwise_distances(a, b, "hamming")


def test_least_squares_matches_numpy_polyfit_and_ridge_closed_form():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    y = np.array([2.0, 4.0, 5.0, 4.0])
    np.testing.assert_allclose(classic.least_squares(classic.add_bias_column(x), y), [2.0, 0.7])
    np.testing.assert_allclose(
        classic.least_squares(classic.polynomial_features(x, 2), y), np.polyfit(x, y, 2)[::-1]
    )
    design = classic.add_bias_column(x)
    expected = np.linalg.inv(design.T @ design + 3 * np.eye(2)) @ design.T @ y
    np.testing.assert_allclose(classic.least_squares(design, y, lam=3.0), expected)


def test_basis_functions():
    np.testing.assert_allclose(classic.polynomial_features([2.0], 3), [[1, 2, 4, 8]])
    phi = classic.gaussian_features([0.5], [0.5, 1.5], width=1.0)
    np.testing.assert_allclose(phi, [[1.0, 1.0, math.exp(-0.5)]])
    assert classic.r2_score([1, 2, 3], [1, 2, 3]) == 1.0


def _probability(w, b, xi) -> float:
    """σ(wᵀx + b) = 1 / (1 + exp(−(Σ_j w_j x_j + b)))."""
    return 1 / (1 + math.exp(-(math.fsum(wj * xj for wj, xj in zip(w, xi, strict=True)) + b)))


def _mean_bce(w, b, x, t) -> float:
    """−(1/n) Σ [t log σ + (1 − t) log(1 − σ)], one sample at a time."""
    terms = []
    for xi, ti in zip(x, t, strict=True):
        p = _probability(w, b, xi)
        terms.append(ti * math.log(p) + (1 - ti) * math.log(1 - p))
    return -math.fsum(terms) / len(x)


def _bce_gradient_by_loops(w, b, x, t):
    """(∂L/∂w, ∂L/∂b) = ((1/n) Σ (σ − t) x, (1/n) Σ (σ − t)), one sample at a time."""
    errors = [_probability(w, b, xi) - ti for xi, ti in zip(x, t, strict=True)]
    gw = [math.fsum(e * xi[j] for e, xi in zip(errors, x, strict=True)) for j in range(len(w))]
    return [g / len(x) for g in gw], math.fsum(errors) / len(x)


def _bce_gradient_by_central_differences(w, b, x, t, h=1e-6):
    params = [*w, b]
    grad = []
    for k in range(len(params)):
        plus, minus = list(params), list(params)
        plus[k] += h
        minus[k] -= h
        grad.append(
            (_mean_bce(plus[:-1], plus[-1], x, t) - _mean_bce(minus[:-1], minus[-1], x, t))
            / (2 * h)
        )
    return grad[:-1], grad[-1]


def test_logistic_regression_is_gradient_descent_on_the_cross_entropy():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((30, 2))
    t = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(float)
    model = classic.LogisticRegression(lr=0.3, steps=50).fit(x, t)
    rows, targets = x.tolist(), t.tolist()
    w, b, losses = [0.0, 0.0], 0.0, []
    for step in range(50):
        losses.append(_mean_bce(w, b, rows, targets))
        gw, gb = _bce_gradient_by_loops(w, b, rows, targets)
        if step % 10 == 0:  # the loop gradient is the gradient of the loss
            nw, nb = _bce_gradient_by_central_differences(w, b, rows, targets)
            np.testing.assert_allclose([*gw, gb], [*nw, nb], rtol=0, atol=1e-8)
        w = [wj - 0.3 * g for wj, g in zip(w, gw, strict=True)]
        b -= 0.3 * gb
    losses.append(_mean_bce(w, b, rows, targets))
    np.testing.assert_allclose(model.w, w, rtol=1e-10)
    assert model.b == pytest.approx(b, rel=1e-10)
    np.testing.assert_allclose(model.loss_history, losses, rtol=1e-12)
    assert model.loss_history[0] == pytest.approx(math.log(2))
    assert all(b <= a for a, b in zip(model.loss_history, model.loss_history[1:], strict=False))


def test_pca_of_a_known_covariance_and_of_samples():
    values, axes = classic.principal_axes([[3.0, 1.0], [1.0, 3.0]])
    np.testing.assert_allclose(values, [4.0, 2.0])
    np.testing.assert_allclose(axes @ axes.T, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(np.abs(axes[0]), [2**-0.5, 2**-0.5])
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 3)) @ np.array([[2.0, 0, 0], [0.5, 1.0, 0], [0, 0, 0.2]])
    result = classic.pca(x)
    expected = np.sort(np.linalg.eigvalsh(np.cov(x, rowvar=False)))[::-1]
    np.testing.assert_allclose(result.explained_variance, expected, rtol=1e-10)
    assert result.explained_variance_ratio.sum() == pytest.approx(1.0)
    projected = result.transform(x)
    np.testing.assert_allclose(np.var(projected, axis=0, ddof=1), expected, rtol=1e-10)


def test_knn_majority_vote():
    points = np.array([[1, 1], [2, 1], [4, 4], [5, 4], [3, 2]], dtype=float)
    labels = np.array([0, 0, 1, 1, 1])
    assert classic.knn_predict(points, labels, [[2.5, 2]], k=1)[0] == 1
    assert classic.knn_predict(points, labels, [[2.5, 2]], k=3)[0] == 0
    np.testing.assert_array_equal(classic.knn_predict(points, labels, points, k=1), labels)


def test_kmeans_never_increases_the_inertia_and_finds_separated_blobs():
    rng = np.random.default_rng(3)
    centers = np.array([[0.0, 0.0], [6.0, 0.0], [3.0, 5.0]])
    x = np.concatenate([c + 0.5 * rng.standard_normal((30, 2)) for c in centers])
    result = classic.kmeans(x, 3, init=x[[0, 30, 60]])
    history = result.inertia_history
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(history))
    found = result.centers[np.argsort(result.centers[:, 0] + 10 * result.centers[:, 1])]
    np.testing.assert_allclose(found, centers[[0, 1, 2]], atol=0.3)
    inertia = sum(np.sum((x[result.labels == j] - result.centers[j]) ** 2) for j in range(3))
    assert result.inertia == pytest.approx(inertia)


def test_linear_svm_hard_margin_of_two_points_and_kkt_conditions():
    result = classic.linear_svm([[0.0, 0.0], [3.0, 4.0]], [-1.0, 1.0], C=1000.0, steps=500)
    np.testing.assert_allclose(result.w, [0.24, 0.32], atol=1e-8)
    assert result.b == pytest.approx(-1.0, abs=1e-8)
    assert result.margin_width == pytest.approx(5.0, abs=1e-6)
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-1, 0.9, (20, 2)), rng.normal(1, 0.9, (20, 2))])
    y = np.r_[-np.ones(20), np.ones(20)]
    svm = classic.linear_svm(x, y, C=1.0, steps=1500)
    assert svm.alpha @ y == pytest.approx(0.0, abs=1e-9)
    assert np.all((svm.alpha >= 0) & (svm.alpha <= 1.0))
    np.testing.assert_allclose(svm.w, (svm.alpha * y) @ x)
    functional = y * svm.decision_function(x)
    free = (svm.alpha > 1e-4) & (svm.alpha < 1 - 1e-4)
    np.testing.assert_allclose(functional[free], 1.0, atol=1e-3)  # free SVs lie on the margin
    assert np.all(functional[svm.alpha < 1e-8] >= 1 - 1e-3)  # non-SVs are outside it


def test_projection_onto_the_box_and_hyperplane():
    rng = np.random.default_rng(5)
    y = np.where(rng.random(7) < 0.5, -1.0, 1.0)
    y[0], y[1] = 1.0, -1.0
    v = rng.standard_normal(7) * 3
    alpha = classic.project_box_hyperplane(v, y, 1.0)
    assert alpha @ y == pytest.approx(0.0, abs=1e-12)
    assert np.all((alpha >= 0) & (alpha <= 1.0))
    # No feasible point is closer: check against random feasible points.
    for _ in range(200):
        candidate = classic.project_box_hyperplane(rng.standard_normal(7), y, 1.0)
        assert np.linalg.norm(v - alpha) <= np.linalg.norm(v - candidate) + 1e-12


def test_kfold_covers_every_sample_once():
    folds = classic.kfold_indices(10, 3, seed=0)
    validated = np.concatenate([valid for _, valid in folds])
    np.testing.assert_array_equal(np.sort(validated), np.arange(10))
    assert [len(v) for _, v in folds] == [4, 3, 3]
    for train, valid in folds:
        assert not set(train) & set(valid)
        assert len(train) + len(valid) == 10
    np.testing.assert_array_equal(classic.kfold_indices(4, 2, seed=None)[0][1], [0, 1])
    with pytest.raises(ValueError, match="2 ≤ k ≤ n"):
        classic.kfold_indices(3, 5)
