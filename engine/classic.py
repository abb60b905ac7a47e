"""Classic machine learning on NumPy, as the course's 機械学習 module teaches it.

    linear regression     ŵ = argmin ‖Xw − y‖² = (XᵀX)⁻¹Xᵀy   (least squares, 最小二乗法)
    basis functions       y = Σ_j w_j φ_j(x): polynomial φ_j(x) = x^j, Gaussian
                          φ_j(x) = exp(−(x − μ_j)² / 2s²); still linear in w, so still least squares
    logistic regression   P(y = 1 | x) = σ(wᵀx + b), trained by gradient descent on the binary
                          cross-entropy; ∂L/∂w = (1/n) Xᵀ(σ(Xw + b) − y)
    PCA                   eigenvectors of the covariance matrix, largest eigenvalue first;
                          explained variance ratio (寄与率) λ_k / Σ_j λ_j
    k-NN                  majority vote among the k nearest training points
    k-means               alternate: assign each point to its nearest centre, move each centre
                          to the mean of its points; the within-cluster sum of squares never rises
    linear SVM            minimise ½‖w‖² + C Σ max(0, 1 − y(wᵀx + b)) (soft margin), margin 2/‖w‖
    distances             Euclidean, Manhattan, Lp (Minkowski), Chebyshev, Mahalanobis, cosine
    k-fold split          k disjoint validation folds that together cover every sample once

Everything takes NumPy arrays with samples in rows (n, d); randomness comes from a seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.functions import binary_cross_entropy, sigmoid

# --- distances ----------------------------------------------------------------------------


def minkowski_distance(x, y, p: float = 2.0) -> float:
    """Lp distance (Σ_i |x_i − y_i|^p)^(1/p), p ≥ 1; p = ∞ gives max_i |x_i − y_i| (Chebyshev)."""
    diff = np.abs(np.asarray(x, dtype=np.float64) - np.asarray(y, dtype=np.float64))
    if p == np.inf:
        return float(diff.max())
    if p < 1:
        raise ValueError(f"the Lp distance needs p ≥ 1 (the triangle inequality), got {p}")
    return float(np.sum(diff**p) ** (1 / p))


def euclidean_distance(x, y) -> float:
    """L2 distance √(Σ_i (x_i − y_i)²): the straight line."""
    return minkowski_distance(x, y, 2.0)


def manhattan_distance(x, y) -> float:
    """L1 distance Σ_i |x_i − y_i|: the way along a city grid."""
    return minkowski_distance(x, y, 1.0)


def chebyshev_distance(x, y) -> float:
    """L∞ distance max_i |x_i − y_i|, the limit of Lp as p → ∞."""
    return minkowski_distance(x, y, np.inf)


def mahalanobis_distance(x, y, cov) -> float:
    """√((x − y)ᵀ Σ⁻¹ (x − y)): Euclidean after whitening by the covariance Σ.

    Differences along a direction of large variance count less; with Σ = I it is Euclidean.
    """
    diff = np.asarray(x, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    cov = np.asarray(cov, dtype=np.float64)
    # Solve Σ z = diff rather than inverting Σ: same result, better conditioned.
    return float(np.sqrt(diff @ np.linalg.solve(cov, diff)))


def cosine_similarity(x, y) -> float:
    """cos θ = x·y / (‖x‖ ‖y‖): the angle only, not the length (1 − cos θ is the cosine distance)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))


def pairwise_distances(a, b, metric: str = "euclidean", p: float = 2.0) -> np.ndarray:
    """D[i, j] = distance(a_i, b_j) for rows a (n, d) and b (m, d), without Python loops."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    diff = np.abs(a[:, None, :] - b[None, :, :])
    if metric == "euclidean":
        return np.sqrt(np.sum(diff**2, axis=-1))
    if metric == "manhattan":
        return np.sum(diff, axis=-1)
    if metric == "chebyshev":
        return diff.max(axis=-1)
    if metric == "minkowski":
        return np.sum(diff**p, axis=-1) ** (1 / p)
    if metric == "cosine":
        norms = np.linalg.norm(a, axis=1)[:, None] * np.linalg.norm(b, axis=1)[None, :]
        return 1 - (a @ b.T) / norms
    raise ValueError(f"unknown metric {metric!r}")


# --- linear and basis-function regression -------------------------------------------------


def add_bias_column(x) -> np.ndarray:
    """[1, x]: a leading column of ones, so that w_0 is the intercept."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    return np.hstack([np.ones((x.shape[0], 1)), x])


def least_squares(design, y, lam: float = 0.0) -> np.ndarray:
    """ŵ = (ΦᵀΦ + λI)⁻¹Φᵀy for the design matrix Φ (n, m); λ = 0 is ordinary least squares.

    This solves the normal equations ΦᵀΦ w = Φᵀy (the gradient of ‖Φw − y‖² set to zero).
    With λ > 0 it is ridge regression (every coefficient penalised, the intercept too if Φ
    has one). For λ = 0, ``np.linalg.lstsq`` is used: it also handles a singular ΦᵀΦ.
    """
    design, y = np.asarray(design, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if lam == 0:
        return np.linalg.lstsq(design, y, rcond=None)[0]
    m = design.shape[1]
    return np.linalg.solve(design.T @ design + lam * np.eye(m), design.T @ y)


def polynomial_features(x, degree: int) -> np.ndarray:
    """Φ = [1, x, x², …, x^degree] for a 1-D input x (n,) → (n, degree + 1)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    return x[:, None] ** np.arange(degree + 1)


def gaussian_features(x, centers, width: float) -> np.ndarray:
    """Φ = [1, exp(−(x − μ_1)² / 2s²), …]: Gaussian basis functions (RBF) plus a constant."""
    x = np.asarray(x, dtype=np.float64).ravel()
    centers = np.asarray(centers, dtype=np.float64).ravel()
    rbf = np.exp(-((x[:, None] - centers[None, :]) ** 2) / (2 * width**2))
    return np.hstack([np.ones((x.size, 1)), rbf])


def r2_score(y, prediction) -> float:
    """Coefficient of determination 1 − Σ(y − ŷ)² / Σ(y − ȳ)²."""
    y, prediction = np.asarray(y, dtype=np.float64), np.asarray(prediction, dtype=np.float64)
    return float(1 - np.sum((y - prediction) ** 2) / np.sum((y - y.mean()) ** 2))


# --- logistic regression ------------------------------------------------------------------


@dataclass
class LogisticRegression:
    """Binary logistic regression P(y = 1 | x) = σ(wᵀx + b), trained by full-batch gradient
    descent on the binary cross-entropy (the negative mean log-likelihood).

    ∂L/∂w = (1/n) Xᵀ(ŷ − y) and ∂L/∂b = mean(ŷ − y): the same "prediction minus target" as
    softmax with cross-entropy. ``loss_history`` holds L before every step and after the last.
    """

    lr: float = 0.1
    steps: int = 1000
    w: np.ndarray = field(default_factory=lambda: np.zeros(0))
    b: float = 0.0
    loss_history: list[float] = field(default_factory=list)

    def predict_proba(self, x) -> np.ndarray:
        return sigmoid(np.asarray(x, dtype=np.float64) @ self.w + self.b)

    def predict(self, x, threshold: float = 0.5) -> np.ndarray:
        return (self.predict_proba(x) >= threshold).astype(np.int64)

    def fit(self, x, y) -> LogisticRegression:
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        n, d = x.shape
        self.w, self.b, self.loss_history = np.zeros(d), 0.0, []
        for _ in range(self.steps):
            y_hat = self.predict_proba(x)
            self.loss_history.append(binary_cross_entropy(y_hat, y))
            error = y_hat - y  # ∂L/∂(wᵀx + b) per sample, times n
            self.w -= self.lr * (x.T @ error) / n
            self.b -= self.lr * float(np.mean(error))
        self.loss_history.append(binary_cross_entropy(self.predict_proba(x), y))
        return self


# --- PCA ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PCAResult:
    """Principal axes (rows of ``components``, largest variance first) and their variances."""

    mean: np.ndarray
    components: np.ndarray  # (k, d): unit vectors
    explained_variance: np.ndarray  # (k,): the eigenvalues λ_1 ≥ λ_2 ≥ …
    explained_variance_ratio: np.ndarray  # (k,): λ_j / Σ_all λ (寄与率)

    def transform(self, x) -> np.ndarray:
        """Coordinates along the principal axes: (x − mean) · componentsᵀ."""
        return (np.asarray(x, dtype=np.float64) - self.mean) @ self.components.T


def principal_axes(cov) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (descending) and unit eigenvectors (rows) of a symmetric covariance matrix.

    Each eigenvector's sign is fixed so that its largest-magnitude entry is positive, so the
    result does not depend on the LAPACK build.
    """
    cov = np.asarray(cov, dtype=np.float64)
    eigenvalues, eigenvectors = np.linalg.eigh(cov)  # ascending, columns
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, axes = eigenvalues[order], eigenvectors[:, order].T
    signs = np.sign(axes[np.arange(len(axes)), np.argmax(np.abs(axes), axis=1)])
    return np.maximum(eigenvalues, 0.0), axes * signs[:, None]


def pca(x, n_components: int | None = None) -> PCAResult:
    """PCA of the rows of x (n, d) through the eigen-decomposition of the sample covariance
    Σ = (1/(n − 1)) (x − x̄)ᵀ(x − x̄)."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=0)
    centred = x - mean
    cov = centred.T @ centred / (x.shape[0] - 1)
    variances, axes = principal_axes(cov)
    total = variances.sum()
    k = x.shape[1] if n_components is None else n_components
    return PCAResult(mean, axes[:k], variances[:k], variances[:k] / total)


# --- k-NN and k-means ---------------------------------------------------------------------


def knn_predict(x_train, y_train, x_query, k: int, metric: str = "euclidean") -> np.ndarray:
    """The majority label among the k nearest training points of each query row.

    Ties between labels go to the smallest label; the k neighbours are the k smallest
    distances (a stable sort, so equal distances keep the training order).
    """
    y_train = np.asarray(y_train, dtype=np.int64)
    distances = pairwise_distances(x_query, x_train, metric)
    nearest = np.argsort(distances, axis=1, kind="stable")[:, :k]
    votes = np.zeros((distances.shape[0], int(y_train.max()) + 1), dtype=np.int64)
    np.add.at(votes, (np.arange(distances.shape[0])[:, None], y_train[nearest]), 1)
    return np.argmax(votes, axis=1)


@dataclass(frozen=True)
class KMeansResult:
    centers: np.ndarray
    labels: np.ndarray
    inertia_history: list[float]  # within-cluster sum of squares after every assignment

    @property
    def inertia(self) -> float:
        return self.inertia_history[-1]


def kmeans(x, k: int, seed: int = 0, max_iter: int = 100, init=None) -> KMeansResult:
    """Lloyd's k-means. Initial centres: ``init`` if given, else k distinct random samples.

    Each iteration assigns every point to its nearest centre, records the within-cluster sum
    of squares Σ_i ‖x_i − μ_{c(i)}‖², and moves every centre to the mean of its points (an
    empty cluster keeps its centre). Stops when the assignment no longer changes.
    """
    x = np.asarray(x, dtype=np.float64)
    if init is None:
        rng = np.random.default_rng(seed)
        centers = x[rng.choice(x.shape[0], size=k, replace=False)].copy()
    else:
        centers = np.array(init, dtype=np.float64)
    labels = None
    history: list[float] = []
    for _ in range(max_iter):
        squared = pairwise_distances(x, centers) ** 2
        new_labels = np.argmin(squared, axis=1)
        history.append(float(squared[np.arange(x.shape[0]), new_labels].sum()))
        if labels is not None and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        for j in range(k):  # k is small; the mean over each cluster is vectorised
            members = x[labels == j]
            if len(members):
                centers[j] = members.mean(axis=0)
    return KMeansResult(centers, labels, history)


# --- linear SVM ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LinearSVMResult:
    w: np.ndarray
    b: float
    alpha: np.ndarray  # the dual variables; α_i > 0 marks a support vector
    objective: float  # ½‖w‖² + C Σ hinge

    @property
    def margin_width(self) -> float:
        """The width 2/‖w‖ between the hyperplanes wᵀx + b = ±1."""
        return float(2 / np.linalg.norm(self.w))

    def decision_function(self, x) -> np.ndarray:
        return np.asarray(x, dtype=np.float64) @ self.w + self.b


def linear_svm(x, y, C: float = 1.0, steps: int = 2000) -> LinearSVMResult:
    """Soft-margin linear SVM: minimise ½‖w‖² + C Σ_i max(0, 1 − y_i(wᵀx_i + b)), y_i = ±1.

    Solved in the dual, max_α Σα_i − ½ Σ_ij α_i α_j y_i y_j x_iᵀx_j with 0 ≤ α_i ≤ C and
    Σ α_i y_i = 0, by projected gradient ascent (each step projected exactly onto the box
    ∩ hyperplane). Then w = Σ α_i y_i x_i and b is the mean of y_i − wᵀx_i over the free
    support vectors (0 < α_i < C). Points with α_i > 0 are the support vectors; a large C
    approaches the hard margin (no point inside the margin).
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    yx = x * y[:, None]
    gram = yx @ yx.T  # Q_ij = y_i y_j x_iᵀx_j
    step = 1.0 / max(float(np.linalg.eigvalsh(gram).max()), 1e-12)
    alpha = np.zeros(len(y))
    momentum_point, t = alpha, 1.0
    for _ in range(steps):
        # Accelerated (FISTA) projected gradient ascent on the concave dual, restarted
        # whenever the momentum points against the last step (gradient restart), which
        # keeps the ascent fast without evaluating the objective.
        previous = alpha
        alpha = project_box_hyperplane(momentum_point + step * (1 - gram @ momentum_point), y, C)
        if (alpha - previous) @ (momentum_point - alpha) > 0:
            t = 1.0
        if np.max(np.abs(alpha - previous)) <= 1e-12 * max(1.0, float(np.max(alpha))):
            break  # converged: another step would not move α
        t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
        momentum_point = alpha + (t - 1) / t_next * (alpha - previous)
        t = t_next
    w = alpha @ yx
    threshold = 1e-6 * max(C, 1.0)
    free = (alpha > threshold) & (alpha < C - threshold)
    if not free.any():  # every support vector at the bound C: use them all
        free = alpha > threshold
    b = float(np.mean(y[free] - x[free] @ w))
    hinge = np.maximum(0, 1 - y * (x @ w + b))
    return LinearSVMResult(w, b, alpha, float(0.5 * w @ w + C * hinge.sum()))


def project_box_hyperplane(v, y, C: float) -> np.ndarray:
    """The point of {α : 0 ≤ α_i ≤ C, Σ α_i y_i = 0} nearest to v, for labels y_i = ±1.

    It is α(ν) = clip(v − ν y, 0, C) for the ν where g(ν) = Σ y_i α_i(ν) = 0. g is piecewise
    linear and non-increasing, with kinks where v_i − ν y_i hits 0 or C; it is evaluated at
    every kink at once and interpolated linearly between the two around its root.
    """
    kinks = np.sort(np.concatenate([v * y, (v - C) * y]))
    g = np.clip(v[None, :] - kinks[:, None] * y[None, :], 0, C) @ y
    j = int(np.argmax(g <= 0))  # the first kink where g is no longer positive (g(−∞) > 0)
    if j == 0 or g[j] == 0:
        nu = kinks[j]
    else:
        nu = kinks[j - 1] + (kinks[j] - kinks[j - 1]) * g[j - 1] / (g[j - 1] - g[j])
    return np.clip(v - nu * y, 0, C)


# --- validation ---------------------------------------------------------------------------


def kfold_indices(n: int, k: int, seed: int | None = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """k (train, validation) index pairs: the samples (shuffled with ``seed``, or in order for
    None) are cut into k folds of sizes differing by at most one; fold i validates, the rest
    trains. Every sample is validated exactly once."""
    if not 2 <= k <= n:
        raise ValueError(f"k-fold needs 2 ≤ k ≤ n, got k = {k}, n = {n}")
    order = np.arange(n) if seed is None else np.random.default_rng(seed).permutation(n)
    folds = np.array_split(order, k)
    return [(np.concatenate([folds[j] for j in range(k) if j != i]), folds[i]) for i in range(k)]
