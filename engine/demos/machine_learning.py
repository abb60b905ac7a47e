"""Demos on machine learning (機械学習): distances and k-NN, k-means, regression with basis
functions, over- and underfitting, bias and variance, the curse of dimensionality, validation,
performance metrics, logistic regression, PCA and the SVM margin.

The models are ``engine.classic``; the metrics are ``engine.metrics``; the data come from
``engine.datasets`` or are generated here from a seed.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from engine import classic, metrics
from engine.datasets import load_digits, make_moons, make_xor
from engine.demos.registry import (
    ChoiceParam,
    DemoResult,
    FloatParam,
    IntParam,
    ListParam,
    MatrixParam,
    ParameterError,
    Plot,
    demo,
)
from engine.functions import sigmoid

ML = ("2-1 機械学習の基礎",)
SEED = IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード")


def _fmt(values, digits: int = 6) -> str:
    text = np.array2string(
        np.asarray(values, dtype=np.float64), precision=digits, suppress_small=True, separator=", "
    )
    return " ".join(text.split())


def _whole_numbers(values: list[float], name: str, demo_id: str, minimum: int = 1) -> list[int]:
    if not all(float(v).is_integer() and v >= minimum for v in values):
        raise ParameterError(f"In demo {demo_id} {name} must hold whole numbers ≥ {minimum}.")
    return [int(v) for v in values]


def _blobs(centers, n_per_class: int, spread: float, seed: int):
    """Gaussian clusters around ``centers`` (k, d): x (k·n, d) and labels t (k·n,)."""
    centers = np.asarray(centers, dtype=np.float64)
    rng = np.random.default_rng(seed)
    x = np.concatenate(
        [c + spread * rng.standard_normal((n_per_class, centers.shape[1])) for c in centers]
    )
    return x, np.repeat(np.arange(len(centers)), n_per_class)


# --- distances and k-NN -------------------------------------------------------------------


@demo(
    "ml-distances",
    title="距離の計算：ユークリッド・マンハッタン・Lp・マハラノビス・コサイン",
    description="2 点 x, y の距離をいろいろな定義で計算する。",
    syllabus=ML,
    params=(
        ListParam("x", [1.0, 2.0], min=-1e6, max=1e6, max_length=16, help="点 x"),
        ListParam("y", [4.0, 6.0], min=-1e6, max=1e6, max_length=16, help="点 y"),
        FloatParam("p", 3.0, min=1.0, max=100.0, help="Lp 距離の p"),
        MatrixParam(
            "cov",
            [[1.0, 0.0], [0.0, 1.0]],
            min=-1e6,
            max=1e6,
            help="マハラノビス距離の共分散行列 Σ",
        ),
    ),
)
def ml_distances(x: list[float], y: list[float], p: float, cov: list[list[float]]) -> DemoResult:
    if len(x) != len(y):
        raise ParameterError("In demo ml-distances x and y must have the same number of elements.")
    sigma = np.array(cov)
    if sigma.shape != (len(x), len(x)):
        raise ParameterError(
            f"In demo ml-distances cov must be a {len(x)}×{len(x)} matrix to match x and y."
        )
    if not np.allclose(sigma, sigma.T) or np.any(np.linalg.eigvalsh(sigma) <= 0):
        raise ParameterError("In demo ml-distances cov must be symmetric positive definite.")
    xa, ya = np.array(x), np.array(y)
    values = {
        "euclidean": classic.euclidean_distance(xa, ya),
        "manhattan": classic.manhattan_distance(xa, ya),
        "minkowski": classic.minkowski_distance(xa, ya, p),
        "chebyshev": classic.chebyshev_distance(xa, ya),
        "mahalanobis": classic.mahalanobis_distance(xa, ya, sigma),
    }
    zero = not np.any(xa) or not np.any(ya)
    values["cosine_similarity"] = None if zero else classic.cosine_similarity(xa, ya)
    values["cosine_distance"] = None if zero else 1 - values["cosine_similarity"]
    narrative = "\n".join(
        [
            f"x = {_fmt(xa)}、y = {_fmt(ya)}。",
            "",
            f"- ユークリッド距離（L2）$\\sqrt{{\\sum_i (x_i - y_i)^2}}$ = **{values['euclidean']:.10g}**",
            f"- マンハッタン距離（L1）$\\sum_i |x_i - y_i|$ = **{values['manhattan']:.10g}**",
            f"- L{p:g} 距離 $(\\sum_i |x_i - y_i|^p)^{{1/p}}$ = {values['minkowski']:.10g}（p → ∞ でチェビシェフ距離 {values['chebyshev']:.10g}）",
            f"- マハラノビス距離 $\\sqrt{{(x - y)^\\top \\Sigma^{{-1}} (x - y)}}$ = {values['mahalanobis']:.10g}（Σ = I ならユークリッド距離）",
            "- コサイン類似度 $\\frac{x \\cdot y}{\\|x\\| \\|y\\|}$ = "
            + (
                "定義されない（零ベクトル）"
                if zero
                else f"{values['cosine_similarity']:.10g}（向きだけを見る。コサイン距離は 1 − 類似度）"
            ),
        ]
    )
    return DemoResult(values=values, narrative=narrative)


@demo(
    "ml-knn",
    title="k 近傍法：k による決定境界の複雑さ",
    description="2 つの半月（moons）を k-NN で分類し、k ごとに訓練データとテストデータの正解率を比べる。",
    syllabus=ML,
    params=(
        ListParam(
            "ks", [1.0, 5.0, 15.0, 51.0, 199.0], min=1, max=400, max_length=12, help="試す k"
        ),
        IntParam("n_train", 200, min=10, max=400, help="訓練データの数"),
        FloatParam("noise", 0.3, min=0.0, max=2.0, help="データのノイズ"),
        SEED,
    ),
)
def ml_knn(ks: list[float], n_train: int, noise: float, seed: int) -> DemoResult:
    k_values = _whole_numbers(ks, "ks", "ml-knn")
    if max(k_values) > n_train:
        raise ParameterError(f"In demo ml-knn every k in ks must not exceed n_train ({n_train}).")
    x_train, t_train = make_moons(n_train, noise, seed)
    x_test, t_test = make_moons(400, noise, seed + 1)
    train_acc, test_acc = [], []
    for k in k_values:
        train_acc.append(
            metrics.accuracy(t_train, classic.knn_predict(x_train, t_train, x_train, k))
        )
        test_acc.append(metrics.accuracy(t_test, classic.knn_predict(x_train, t_train, x_test, k)))
    rows = [
        f"| {k} | {a:.3f} | {b:.3f} |"
        for k, a, b in zip(k_values, train_acc, test_acc, strict=True)
    ]
    narrative = "\n".join(
        [
            f"訓練データ {n_train} 点、テストデータ 400 点（ノイズ {noise:g}）。各点の近い順に k 点の多数決で分類した。",
            "",
            "| k | 訓練正解率 | テスト正解率 |",
            "|---|---|---|",
            *rows,
            "",
            "k = 1 では訓練点の最近傍は自分自身なので訓練正解率は 1 だが、境界がノイズに合わせて複雑になる（過学習）。"
            "k を大きくすると境界が滑らかになり、大きすぎるとクラスの違いを無視する（過少適合）。",
        ]
    )
    return DemoResult(
        values={"ks": k_values, "train_accuracy": train_acc, "test_accuracy": test_acc},
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="k と正解率",
                x=k_values,
                series={"訓練": train_acc, "テスト": test_acc},
                x_label="k",
            )
        ],
    )


@demo(
    "ml-knn-vote",
    title="k 近傍法：1 点の分類",
    description="与えた訓練点から、問い合わせ点に近い k 点を選び、多数決でクラスを決める。",
    syllabus=ML,
    params=(
        MatrixParam(
            "points",
            [[1.0, 1.0], [2.0, 1.0], [4.0, 4.0], [5.0, 4.0], [3.0, 2.0]],
            min=-1e6,
            max=1e6,
            max_rows=40,
            help="訓練点",
        ),
        ListParam(
            "labels", [0.0, 0.0, 1.0, 1.0, 1.0], min=0, max=9, max_length=40, help="訓練点のクラス"
        ),
        ListParam("query", [2.5, 2.0], min=-1e6, max=1e6, max_length=16, help="分類する点"),
        IntParam("k", 3, min=1, max=40, help="近傍の数 k"),
        ChoiceParam(
            "metric",
            "euclidean",
            choices=("euclidean", "manhattan", "chebyshev", "cosine"),
            help="距離",
        ),
    ),
)
def ml_knn_vote(points, labels, query, k: int, metric: str) -> DemoResult:
    x, t = np.array(points), _whole_numbers(labels, "labels", "ml-knn-vote", minimum=0)
    if len(t) != len(x) or len(query) != x.shape[1]:
        raise ParameterError(
            "In demo ml-knn-vote labels must give one class per point and query must have as many coordinates as a point."
        )
    if k > len(x):
        raise ParameterError(
            f"In demo ml-knn-vote k ({k}) must not exceed the number of points ({len(x)})."
        )
    distances = classic.pairwise_distances(np.array([query]), x, metric)[0]
    nearest = np.argsort(distances, kind="stable")[:k]
    predicted = int(classic.knn_predict(x, np.array(t), np.array([query]), k, metric)[0])
    narrative = (
        f"問い合わせ点 {_fmt(query)} から各訓練点への距離（{metric}）: {_fmt(distances, 4)}。"
        f"近い {k} 点は番号 {nearest.tolist()}（クラス {[t[i] for i in nearest]}）で、多数決の結果はクラス **{predicted}**。"
    )
    return DemoResult(
        values={
            "distances": distances.tolist(),
            "nearest": nearest.tolist(),
            "predicted": predicted,
        },
        narrative=narrative,
    )


# --- learning without (many) labels -------------------------------------------------------


@demo(
    "ml-kmeans",
    title="k-means クラスタリング",
    description="ラベルを使わずに 3 つの塊を k-means でクラスタリングする。クラスタ内二乗和の推移と、初期値による結果の違いを示す。",
    syllabus=ML,
    params=(
        IntParam("k", 3, min=1, max=10, help="クラスタ数 k"),
        IntParam("n_per_cluster", 50, min=2, max=500, help="各塊の点の数"),
        FloatParam("spread", 0.8, min=0.01, max=5.0, help="塊の広がり（標準偏差）"),
        IntParam("restarts", 10, min=1, max=50, help="初期値（シード）を変えて試す回数"),
        SEED,
    ),
)
def ml_kmeans(k: int, n_per_cluster: int, spread: float, restarts: int, seed: int) -> DemoResult:
    x, truth = _blobs([[0.0, 0.0], [5.0, 0.0], [2.5, 4.0]], n_per_cluster, spread, seed)
    result = classic.kmeans(x, k, seed=seed)
    history = result.inertia_history
    monotone = bool(all(b <= a + 1e-9 for a, b in itertools.pairwise(history)))
    finals = [classic.kmeans(x, k, seed=seed + r).inertia for r in range(restarts)]
    # Purity: each cluster votes for its most common true label (the labels are not used in fitting).
    purity = float(
        sum(
            np.bincount(truth[result.labels == j]).max()
            for j in range(k)
            if np.any(result.labels == j)
        )
        / len(x)
    )
    narrative = "\n".join(
        [
            f"{len(x)} 点（3 つの塊）を k = {k} でクラスタリングした。学習に正解ラベルは使わない（教師なし学習）。",
            "",
            f"- クラスタ内二乗和 $\\sum_i \\|x_i - \\mu_{{c(i)}}\\|^2$ の推移: {', '.join(f'{v:.4g}' for v in history)}（増えない）",
            f"- {len(history)} 回の割り当てで収束。クラスタと元の塊の一致度（純度）{purity:.3f}",
            f"- 初期値を {restarts} 通り変えたときの最終値: 最小 {min(finals):.6g}、最大 {max(finals):.6g}"
            "（局所解に落ちることがあるので、複数回試すか k-means++ で初期値を選ぶ）",
        ]
    )
    return DemoResult(
        values={
            "inertia_history": history,
            "inertia": result.inertia,
            "iterations": len(history),
            "monotone": monotone,
            "purity": purity,
            "restart_inertias": finals,
            "centers": result.centers.tolist(),
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="クラスタ内二乗和",
                x=list(range(1, len(history) + 1)),
                series={"inertia": history},
                x_label="反復",
            )
        ],
    )


@demo(
    "ml-semi-supervised",
    title="半教師あり学習：自己訓練（self-training）",
    description="ラベル付きの点がごく少ない moons を、ラベルなしの点に予測ラベルを付けて加えていく自己訓練（1-NN）で分類する。",
    syllabus=(*ML, "4-8 様々な学習方法"),
    params=(
        IntParam("n_labeled", 3, min=1, max=50, help="各クラスのラベル付きの点の数"),
        IntParam("n_unlabeled", 300, min=10, max=1000, help="ラベルなしの点の数"),
        FloatParam("noise", 0.1, min=0.0, max=1.0, help="データのノイズ"),
        SEED,
    ),
)
def ml_semi_supervised(n_labeled: int, n_unlabeled: int, noise: float, seed: int) -> DemoResult:
    x_pool, t_pool = make_moons(2 * n_labeled + n_unlabeled, noise, seed)
    x_test, t_test = make_moons(400, noise, seed + 1)
    rng = np.random.default_rng(seed)
    labeled = np.concatenate(
        [rng.choice(np.flatnonzero(t_pool == c), n_labeled, replace=False) for c in (0, 1)]
    )
    unlabeled = np.setdiff1d(np.arange(len(t_pool)), labeled)
    supervised = metrics.accuracy(
        t_test, classic.knn_predict(x_pool[labeled], t_pool[labeled], x_test, 1)
    )
    # Self-training: repeatedly label the unlabeled point nearest to the labeled set with the
    # label of its nearest labeled neighbour (the most confident 1-NN prediction), then add it.
    x_known, t_known = x_pool[labeled], t_pool[labeled]
    remaining = x_pool[unlabeled]
    batch = max(1, len(remaining) // 30)
    while len(remaining):
        d = classic.pairwise_distances(remaining, x_known)
        nearest = d.min(axis=1)
        take = np.argsort(nearest, kind="stable")[:batch]
        new_labels = t_known[np.argmin(d[take], axis=1)]
        x_known = np.vstack([x_known, remaining[take]])
        t_known = np.concatenate([t_known, new_labels])
        remaining = np.delete(remaining, take, axis=0)
    self_trained = metrics.accuracy(t_test, classic.knn_predict(x_known, t_known, x_test, 1))
    narrative = "\n".join(
        [
            f"ラベル付きの点は各クラス {n_labeled} 点だけ、ラベルなしの点が {n_unlabeled} 点ある。",
            "",
            f"- ラベル付きの点だけで学習した 1-NN のテスト正解率: **{supervised:.3f}**",
            f"- 自己訓練（確信の高いラベルなし点から順に予測ラベルを付けて訓練データに加える）: **{self_trained:.3f}**",
            "",
            "ラベルなしデータの分布（同じ半月の上に点が連なっていること）を利用できるのが半教師あり学習。"
            "ただし、最初の誤りが広がる危険もある。",
        ]
    )
    return DemoResult(
        values={"supervised_accuracy": supervised, "self_training_accuracy": self_trained},
        narrative=narrative,
    )


# --- regression, over- and underfitting ---------------------------------------------------


@demo(
    "ml-linear-regression",
    title="線形回帰（最小二乗法）",
    description="点 (x_i, y_i) に直線 y = w₀ + w₁x を最小二乗法で当てはめる（正規方程式）。",
    syllabus=ML,
    params=(
        ListParam("x", [1.0, 2.0, 3.0, 4.0], min=-1e6, max=1e6, min_length=2, help="x の値"),
        ListParam("y", [2.0, 4.0, 5.0, 4.0], min=-1e6, max=1e6, min_length=2, help="y の値"),
    ),
)
def ml_linear_regression(x: list[float], y: list[float]) -> DemoResult:
    if len(x) != len(y):
        raise ParameterError(
            "In demo ml-linear-regression x and y must have the same number of elements."
        )
    if len(set(x)) < 2:
        raise ParameterError(
            "In demo ml-linear-regression x must hold at least two different values."
        )
    design = classic.add_bias_column(x)
    ya = np.array(y)
    intercept, slope = classic.least_squares(design, ya)
    normal_eq = np.linalg.solve(design.T @ design, design.T @ ya)
    prediction = design @ np.array([intercept, slope])
    mse = metrics.mean_squared_error(prediction, ya)
    narrative = "\n".join(
        [
            f"データ x = {_fmt(x)}、y = {_fmt(y)}。",
            "",
            f"二乗誤差 $\\sum_i (y_i - w_0 - w_1 x_i)^2$ を最小にする $w = (X^\\top X)^{{-1}} X^\\top y$ は"
            f" 切片 w₀ = **{intercept:.10g}**、傾き w₁ = **{slope:.10g}**。",
            f"訓練 MSE = {mse:.6g}、決定係数 R² = {classic.r2_score(ya, prediction):.6g}。",
        ]
    )
    return DemoResult(
        values={
            "intercept": float(intercept),
            "slope": float(slope),
            "normal_equation": normal_eq.tolist(),
            "train_mse": float(mse),
            "r2": classic.r2_score(ya, prediction),
        },
        narrative=narrative,
    )


def _sine_data(n: int, noise: float, seed: int):
    """x uniform in [0, 1], t = sin 2πx + N(0, noise²) (Bishop's running example)."""
    rng = np.random.default_rng(seed)
    x = rng.random(n)
    return x, np.sin(2 * np.pi * x) + noise * rng.standard_normal(n)


def _design(x, size: int, basis: str):
    if basis == "polynomial":
        return classic.polynomial_features(x, size)
    centers = np.linspace(0, 1, size) if size > 1 else np.array([0.5])
    return classic.gaussian_features(x, centers, width=0.1)


@demo(
    "ml-polynomial-fit",
    title="非線形回帰：基底関数の数と過学習・未学習",
    description="sin 2πx にノイズを加えたデータに、多項式（またはガウス基底）の線形回帰を当てはめ、訓練誤差とテスト誤差を比べる。",
    syllabus=ML,
    params=(
        ListParam(
            "degrees",
            [0.0, 1.0, 3.0, 9.0],
            min=0,
            max=20,
            max_length=12,
            help="多項式の次数（gaussian では基底関数の数）",
        ),
        ChoiceParam("basis", "polynomial", choices=("polynomial", "gaussian"), help="基底関数"),
        IntParam("n_train", 10, min=2, max=200, help="訓練データの数"),
        FloatParam("noise", 0.3, min=0.0, max=2.0, help="ノイズの標準偏差"),
        FloatParam("lam", 0.0, min=0.0, max=1e6, help="リッジ正則化の強さ λ"),
        SEED,
    ),
)
def ml_polynomial_fit(
    degrees, basis: str, n_train: int, noise: float, lam: float, seed: int
) -> DemoResult:
    sizes = _whole_numbers(
        degrees, "degrees", "ml-polynomial-fit", minimum=0 if basis == "polynomial" else 1
    )
    x, t = _sine_data(n_train, noise, seed)
    x_test, t_test = _sine_data(1000, noise, seed + 1)
    train_mse, test_mse, weight_norms = [], [], []
    grid = np.linspace(0, 1, 101)
    curves = {}
    for size in sizes:
        w = classic.least_squares(_design(x, size, basis), t, lam)
        train_mse.append(float(metrics.mean_squared_error(_design(x, size, basis) @ w, t)))
        test_mse.append(float(metrics.mean_squared_error(_design(x_test, size, basis) @ w, t_test)))
        weight_norms.append(float(np.linalg.norm(w)))
        curves[f"M={size}"] = np.clip(_design(grid, size, basis) @ w, -3, 3).tolist()
    best = sizes[int(np.argmin(test_mse))]
    rows = [
        f"| {m} | {a:.4g} | {b:.4g} | {c:.4g} |"
        for m, a, b, c in zip(sizes, train_mse, test_mse, weight_norms, strict=True)
    ]
    narrative = "\n".join(
        [
            f"$t = \\sin 2\\pi x + \\varepsilon$（ノイズの標準偏差 {noise:g}）の訓練データ {n_train} 点に、"
            f"{'多項式' if basis == 'polynomial' else 'ガウス基底'}の線形回帰を最小二乗法（λ = {lam:g}）で当てはめた。"
            "パラメータについては線形なので、解は $w = (\\Phi^\\top \\Phi + \\lambda I)^{-1} \\Phi^\\top t$。",
            "",
            "| M | 訓練 MSE | テスト MSE | ‖w‖ |",
            "|---|---|---|---|",
            *rows,
            "",
            f"テスト誤差が最小なのは M = {best}。M が小さすぎると訓練誤差もテスト誤差も大きい（未学習）。"
            "大きすぎると訓練誤差は 0 に近づくのにテスト誤差が増え、重みが巨大になる（過学習）。",
        ]
    )
    return DemoResult(
        values={
            "degrees": sizes,
            "train_mse": train_mse,
            "test_mse": test_mse,
            "weight_norms": weight_norms,
            "best_degree": best,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="訓練誤差とテスト誤差",
                x=sizes,
                series={"訓練 MSE": train_mse, "テスト MSE": test_mse},
                x_label="M",
            ),
            Plot(
                kind="line",
                title="当てはめた曲線",
                x=grid.tolist(),
                series={"sin 2πx": np.sin(2 * np.pi * grid).tolist(), **curves},
                x_label="x",
            ),
        ],
    )


@demo(
    "ml-bias-variance",
    title="バイアスとバリアンス",
    description="同じ分布から訓練データを何度も取り直して多項式回帰を学習し、予測のバイアス² とバリアンスを次数ごとに測る。",
    syllabus=ML,
    params=(
        ListParam("degrees", [1.0, 3.0, 9.0], min=0, max=15, max_length=8, help="多項式の次数"),
        IntParam("n_train", 25, min=2, max=200, help="1 回の訓練データの数"),
        FloatParam("noise", 0.3, min=0.0, max=2.0, help="ノイズの標準偏差"),
        IntParam("datasets", 200, min=2, max=2000, help="訓練データを取り直す回数"),
        SEED,
    ),
)
def ml_bias_variance(degrees, n_train: int, noise: float, datasets: int, seed: int) -> DemoResult:
    sizes = _whole_numbers(degrees, "degrees", "ml-bias-variance", minimum=0)
    grid = np.linspace(0.05, 0.95, 50)
    truth = np.sin(2 * np.pi * grid)
    bias2, variance = [], []
    for size in sizes:
        predictions = np.empty((datasets, grid.size))
        for d in range(datasets):
            x, t = _sine_data(n_train, noise, seed * 100003 + d)
            w = classic.least_squares(classic.polynomial_features(x, size), t)
            predictions[d] = classic.polynomial_features(grid, size) @ w
        mean_prediction = predictions.mean(axis=0)
        bias2.append(float(np.mean((mean_prediction - truth) ** 2)))  # (E[ŷ] − f)²
        variance.append(float(np.mean(predictions.var(axis=0))))  # E[(ŷ − E[ŷ])²]
    rows = [f"| {m} | {b:.4g} | {v:.4g} |" for m, b, v in zip(sizes, bias2, variance, strict=True)]
    narrative = "\n".join(
        [
            f"訓練データ（{n_train} 点）を {datasets} 回取り直し、そのたびに学習した予測を比べた。",
            "",
            f"期待二乗誤差 = バイアス² + バリアンス + ノイズ（{noise**2:.4g}）。",
            "",
            "| 次数 | バイアス² | バリアンス |",
            "|---|---|---|",
            *rows,
            "",
            "単純なモデルはバイアスが大きく（未学習）、複雑なモデルはデータごとに予測が大きく変わりバリアンスが大きい（過学習）。",
        ]
    )
    return DemoResult(
        values={"degrees": sizes, "bias2": bias2, "variance": variance, "noise_variance": noise**2},
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="バイアス² とバリアンス",
                x=[str(m) for m in sizes],
                series={"バイアス²": bias2, "バリアンス": variance},
            )
        ],
    )


@demo(
    "ml-curse-of-dimensionality",
    title="次元の呪い",
    description="次元 d を上げると、ランダムな点どうしの距離の差が相対的に縮む（最近傍と最遠点がほぼ同じ距離になる）ことを示す。",
    syllabus=ML,
    params=(
        ListParam(
            "dims", [1.0, 2.0, 10.0, 100.0, 1000.0], min=1, max=10000, max_length=10, help="次元 d"
        ),
        IntParam("n_points", 500, min=10, max=2000, help="点の数"),
        FloatParam("fraction", 0.1, min=1e-6, max=1.0, help="近傍に含めたいデータの割合 r"),
        SEED,
    ),
)
def ml_curse_of_dimensionality(dims, n_points: int, fraction: float, seed: int) -> DemoResult:
    d_values = _whole_numbers(dims, "dims", "ml-curse-of-dimensionality")
    if n_points * max(d_values) > 5_000_000:
        raise ParameterError(
            "In demo ml-curse-of-dimensionality n_points × max(dims) must not exceed 5,000,000."
        )
    rng = np.random.default_rng(seed)
    contrast, ratio = [], []
    for d in d_values:
        points = rng.random((n_points, d))
        query = rng.random(d)
        dist = np.sqrt(np.sum((points - query) ** 2, axis=1))
        contrast.append(float((dist.max() - dist.min()) / dist.min()))
        ratio.append(float(dist.min() / dist.max()))
    edge = [
        fraction ** (1 / d) for d in d_values
    ]  # side of the sub-cube holding a fraction r of the volume
    rows = [
        f"| {d} | {c:.4g} | {r:.4g} | {e:.4g} |"
        for d, c, r, e in zip(d_values, contrast, ratio, edge, strict=True)
    ]
    narrative = "\n".join(
        [
            f"単位超立方体 $[0, 1]^d$ に一様な {n_points} 点と 1 つの問い合わせ点をとった。",
            "",
            f"| d | (最遠 − 最近) / 最近 | 最近 / 最遠 | 割合 {fraction:g} を含む部分立方体の辺 $r^{{1/d}}$ |",
            "|---|---|---|---|",
            *rows,
            "",
            "次元が上がると最近傍も最遠点もほぼ同じ距離になり、「近い」ことの意味が薄れる。"
            "また、データのわずかな割合を集めるだけでも各軸の範囲のほとんどを覆う必要があり、必要なデータ量が指数的に増える。",
        ]
    )
    return DemoResult(
        values={
            "dims": d_values,
            "relative_contrast": contrast,
            "nearest_to_farthest": ratio,
            "edge_length": edge,
        },
        narrative=narrative,
    )


@demo(
    "ml-kfold",
    title="ホールドアウト法と k-分割交差検証",
    description="n 個のデータを k 個に分け、各分割を 1 回ずつ検証に使う。多項式回帰の次数を交差検証で選ぶ。",
    syllabus=ML,
    params=(
        IntParam("n", 30, min=4, max=1000, help="データの数 n"),
        IntParam("k", 5, min=2, max=100, help="分割数 k"),
        ListParam(
            "degrees", [1.0, 3.0, 9.0], min=0, max=15, max_length=8, help="比べる多項式の次数"
        ),
        FloatParam("noise", 0.3, min=0.0, max=2.0, help="ノイズの標準偏差"),
        SEED,
    ),
)
def ml_kfold(n: int, k: int, degrees, noise: float, seed: int) -> DemoResult:
    if k > n:
        raise ParameterError(f"In demo ml-kfold k ({k}) must not exceed n ({n}).")
    sizes = _whole_numbers(degrees, "degrees", "ml-kfold", minimum=0)
    folds = classic.kfold_indices(n, k, seed)
    validated = np.concatenate([valid for _, valid in folds])
    once = bool(np.array_equal(np.sort(validated), np.arange(n)))
    x, t = _sine_data(n, noise, seed)
    cv_mse = []
    for size in sizes:
        errors = []
        for train, valid in folds:
            w = classic.least_squares(classic.polynomial_features(x[train], size), t[train])
            errors.append(
                metrics.mean_squared_error(
                    classic.polynomial_features(x[valid], size) @ w, t[valid]
                )
            )
        cv_mse.append(float(np.mean(errors)))
    best = sizes[int(np.argmin(cv_mse))]
    narrative = "\n".join(
        [
            f"n = {n} 個を k = {k} 個に分けた。分割の大きさ {[len(v) for _, v in folds]}、"
            f"学習に使う数 {[len(tr) for tr, _ in folds]}。",
            "",
            f"- 全サンプルがちょうど 1 回ずつ検証に使われた: {once}",
            f"- 学習は k = {k} 回。ホールドアウト法（1 回だけ分ける）より評価のばらつきが小さく、データを無駄にしない。",
            "- 交差検証の平均 MSE: "
            + ", ".join(f"次数 {m}: {e:.4g}" for m, e in zip(sizes, cv_mse, strict=True))
            + f" → 次数 {best} を選ぶ。",
            "",
            "テストデータは最後の評価のためだけに取っておき、ハイパーパラメータ選びには使わない。",
        ]
    )
    return DemoResult(
        values={
            "fold_sizes": [len(v) for _, v in folds],
            "train_sizes": [len(tr) for tr, _ in folds],
            "trainings": len(folds),
            "each_validated_once": once,
            "cv_mse": cv_mse,
            "best_degree": best,
        },
        narrative=narrative,
    )


# --- performance metrics ------------------------------------------------------------------


@demo(
    "ml-binary-metrics",
    title="混同行列と正解率・適合率・再現率・F 値",
    description="TP, FP, FN, TN の数から正解ラベルと予測ラベルの列を作り、engine.metrics で指標を計算する。",
    syllabus=ML,
    params=(
        IntParam("tp", 40, min=0, max=10**6, help="真陽性 TP"),
        IntParam("fp", 10, min=0, max=10**6, help="偽陽性 FP"),
        IntParam("fn", 20, min=0, max=10**6, help="偽陰性 FN"),
        IntParam("tn", 30, min=0, max=10**6, help="真陰性 TN"),
    ),
)
def ml_binary_metrics(tp: int, fp: int, fn: int, tn: int) -> DemoResult:
    if tp + fp + fn + tn == 0:
        raise ParameterError(
            "In demo ml-binary-metrics the counts tp, fp, fn, tn must not all be 0."
        )
    y_true = np.repeat([1, 0, 1, 0], [tp, fp, fn, tn])
    y_pred = np.repeat([1, 1, 0, 0], [tp, fp, fn, tn])
    matrix = metrics.confusion_matrix(y_true, y_pred, n_classes=2)
    values = {
        "confusion": matrix.tolist(),
        "accuracy": metrics.accuracy(y_true, y_pred),
        "precision": metrics.precision(y_true, y_pred),
        "recall": metrics.recall(y_true, y_pred),
        "f1": metrics.f1_score(y_true, y_pred),
        "specificity": metrics.recall(y_true, y_pred, positive=0),
        "fpr": fp / (fp + tn) if fp + tn else 0.0,
    }
    narrative = "\n".join(
        [
            f"混同行列（行 = 正解、列 = 予測、[[TN, FP], [FN, TP]]）: {matrix.tolist()}",
            "",
            f"- 正解率 (TP + TN) / 全体 = **{values['accuracy']:.6g}**",
            f"- 適合率 TP / (TP + FP) = **{values['precision']:.6g}**（陽性と予測したもののうち本当に陽性の割合）",
            f"- 再現率 TP / (TP + FN) = **{values['recall']:.6g}**（本当の陽性のうち見つけた割合）",
            f"- F 値 = 2PR / (P + R) = **{values['f1']:.6g}**（適合率と再現率の調和平均）",
            f"- 特異度 TN / (TN + FP) = {values['specificity']:.6g}、偽陽性率 FP / (FP + TN) = {values['fpr']:.6g}",
        ]
    )
    return DemoResult(
        values=values,
        narrative=narrative,
        plots=[
            Plot(
                kind="heatmap",
                title="混同行列",
                z=matrix.tolist(),
                x=["予測 0", "予測 1"],
                y_ticks=["正解 0", "正解 1"],
            )
        ],
    )


@demo(
    "ml-multiclass-metrics",
    title="多クラス分類の指標：macro 平均と micro 平均",
    description="正解ラベルと予測ラベルの列から混同行列・クラスごとの適合率と再現率・macro 平均・micro 平均を計算する。",
    syllabus=ML,
    params=(
        ListParam(
            "y_true",
            [0, 0, 0, 0, 0, 0, 1, 1, 2, 2],
            min=0,
            max=20,
            max_length=64,
            help="正解ラベル",
        ),
        ListParam(
            "y_pred",
            [0, 0, 0, 0, 0, 1, 1, 2, 2, 0],
            min=0,
            max=20,
            max_length=64,
            help="予測ラベル",
        ),
    ),
)
def ml_multiclass_metrics(y_true, y_pred) -> DemoResult:
    if len(y_true) != len(y_pred):
        raise ParameterError(
            "In demo ml-multiclass-metrics y_true and y_pred must have the same length."
        )
    yt = np.array(_whole_numbers(y_true, "y_true", "ml-multiclass-metrics", minimum=0))
    yp = np.array(_whole_numbers(y_pred, "y_pred", "ml-multiclass-metrics", minimum=0))
    n_classes = int(max(yt.max(), yp.max())) + 1
    matrix = metrics.confusion_matrix(yt, yp, n_classes)
    per_class = {
        name: [fn(yt, yp, positive=c, n_classes=n_classes) for c in range(n_classes)]
        for name, fn in (
            ("precision", metrics.precision),
            ("recall", metrics.recall),
            ("f1", metrics.f1_score),
        )
    }
    values = {
        "confusion": matrix.tolist(),
        "accuracy": metrics.accuracy(yt, yp),
        "per_class_precision": per_class["precision"],
        "per_class_recall": per_class["recall"],
        "per_class_f1": per_class["f1"],
    }
    for average in ("macro", "micro"):
        values[f"{average}_precision"] = metrics.precision(yt, yp, average, n_classes=n_classes)
        values[f"{average}_recall"] = metrics.recall(yt, yp, average, n_classes=n_classes)
        values[f"{average}_f1"] = metrics.f1_score(yt, yp, average, n_classes=n_classes)
    narrative = "\n".join(
        [
            f"混同行列（行 = 正解、列 = 予測）: {matrix.tolist()}",
            "",
            f"- クラスごとの適合率 {_fmt(per_class['precision'], 4)}、再現率 {_fmt(per_class['recall'], 4)}、F 値 {_fmt(per_class['f1'], 4)}",
            f"- macro 平均（クラスごとの値の単純平均、少数クラスも同じ重み）: 適合率 {values['macro_precision']:.6g}、再現率 {values['macro_recall']:.6g}、F 値 {values['macro_f1']:.6g}",
            f"- micro 平均（全クラスの TP・FP・FN を合算してから計算、サンプルごとに同じ重み）: 適合率 {values['micro_precision']:.6g}、再現率 {values['micro_recall']:.6g}、F 値 {values['micro_f1']:.6g}",
            f"- 正解率 {values['accuracy']:.6g}（1 サンプルに 1 ラベルなら micro 平均の値はすべて正解率と等しい）",
        ]
    )
    return DemoResult(
        values=values,
        narrative=narrative,
        plots=[Plot(kind="heatmap", title="混同行列", z=matrix.tolist())],
    )


@demo(
    "ml-roc-auc",
    title="ROC 曲線と AUC",
    description="スコアの閾値を動かしたときの (偽陽性率, 真陽性率) の軌跡と、その下の面積 AUC を計算する。",
    syllabus=ML,
    params=(
        ListParam(
            "y_true",
            [1, 1, 0, 1, 0, 0],
            min=0,
            max=1,
            min_length=2,
            max_length=64,
            help="正解ラベル（1 = 陽性）",
        ),
        ListParam(
            "scores",
            [0.9, 0.8, 0.7, 0.6, 0.55, 0.4],
            min=-1e6,
            max=1e6,
            min_length=2,
            max_length=64,
            help="陽性らしさのスコア",
        ),
        ListParam(
            "thresholds", [0.5], min=-1e6, max=1e6, max_length=16, help="適合率と再現率を見る閾値"
        ),
    ),
)
def ml_roc_auc(y_true, scores, thresholds) -> DemoResult:
    if len(y_true) != len(scores):
        raise ParameterError("In demo ml-roc-auc y_true and scores must have the same length.")
    yt = np.array(_whole_numbers(y_true, "y_true", "ml-roc-auc", minimum=0))
    if yt.min() == yt.max():
        raise ParameterError("In demo ml-roc-auc y_true must contain both 0 and 1.")
    s = np.array(scores)
    fpr, tpr, cut = metrics.roc_curve(yt, s)
    area = metrics.auc(fpr, tpr)
    # AUC as a probability: the share of (positive, negative) pairs ranked correctly, ties ½.
    pos, neg = s[yt == 1], s[yt == 0]
    pairs = float(np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])))
    precision_at, recall_at = [], []
    for threshold in thresholds:
        predicted = (s >= threshold).astype(int)
        precision_at.append(metrics.precision(yt, predicted, n_classes=2))
        recall_at.append(metrics.recall(yt, predicted, n_classes=2))
    narrative = "\n".join(
        [
            "スコアの高い順に閾値を下げ、閾値以上を陽性と予測する。",
            "",
            "- ROC 曲線の点 (FPR, TPR): "
            + ", ".join(f"({a:.3g}, {b:.3g})" for a, b in zip(fpr, tpr, strict=True)),
            f"- AUC（台形の面積の和）= **{area:.10g}**",
            f"- 陽性と陰性の組のうちスコアの順序が正しい割合 = {pairs:.10g}（AUC と一致する）",
            "- 閾値ごとの適合率・再現率: "
            + ", ".join(
                f"閾値 {th:g}: {p:.4g} / {r:.4g}"
                for th, p, r in zip(thresholds, precision_at, recall_at, strict=True)
            ),
            "",
            "AUC は閾値を決めずにランキングの良さを測る。でたらめなスコアなら約 0.5、完全なら 1。",
        ]
    )
    return DemoResult(
        values={
            "fpr": fpr.tolist(),
            "tpr": tpr.tolist(),
            "thresholds": [None if np.isinf(c) else float(c) for c in cut],
            "auc": area,
            "pairwise_auc": pairs,
            "precision_at": precision_at,
            "recall_at": recall_at,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="ROC 曲線",
                x=fpr.tolist(),
                series={"TPR": tpr.tolist(), "ランダム": fpr.tolist()},
                x_label="FPR",
            )
        ],
    )


@demo(
    "ml-regression-metrics",
    title="回帰の指標：MSE・RMSE・MAE",
    description="正解値と予測値から平均二乗誤差・その平方根・平均絶対誤差を計算する。",
    syllabus=ML,
    params=(
        ListParam("y_true", [3.0, 5.0, 2.0, 7.0], min=-1e6, max=1e6, max_length=64, help="正解値"),
        ListParam("y_pred", [2.0, 5.0, 4.0, 4.0], min=-1e6, max=1e6, max_length=64, help="予測値"),
    ),
)
def ml_regression_metrics(y_true, y_pred) -> DemoResult:
    if len(y_true) != len(y_pred):
        raise ParameterError(
            "In demo ml-regression-metrics y_true and y_pred must have the same length."
        )
    t, y = np.array(y_true), np.array(y_pred)
    mse = float(metrics.mean_squared_error(y, t))
    rmse = metrics.root_mean_squared_error(y, t)
    mae = metrics.mean_absolute_error(y, t)
    narrative = "\n".join(
        [
            f"誤差 y − t = {_fmt(y - t)}。",
            "",
            f"- MSE $\\frac{{1}}{{n}} \\sum (y_i - t_i)^2$ = **{mse:.10g}**",
            f"- RMSE $\\sqrt{{\\mathrm{{MSE}}}}$ = **{rmse:.10g}**（目的変数と同じ単位）",
            f"- MAE $\\frac{{1}}{{n}} \\sum |y_i - t_i|$ = **{mae:.10g}**（大きな誤差を 2 乗で強調しないので外れ値に強い）",
        ]
    )
    return DemoResult(
        values={"errors": (y - t).tolist(), "mse": mse, "rmse": rmse, "mae": mae},
        narrative=narrative,
    )


@demo(
    "ml-perplexity",
    title="パープレキシティ",
    description="モデルが正解トークンに与えた確率から、1 トークンあたりの交差エントロピーとパープレキシティ exp(交差エントロピー) を計算する。",
    syllabus=(*ML, "4-4 自然言語処理"),
    params=(
        ListParam(
            "probs",
            [0.5, 0.25, 0.125, 0.5],
            min=1e-12,
            max=1.0,
            max_length=64,
            help="各位置で正解トークンに与えた確率",
        ),
        IntParam("vocab", 10, min=2, max=100000, help="比較に使う一様分布の語彙数 V"),
    ),
)
def ml_perplexity(probs, vocab: int) -> DemoResult:
    p = np.array(probs)
    # Each position as a distribution over {correct, everything else}: only P(correct) enters
    # the cross-entropy, so this is exactly −(1/N) Σ log p_n.
    y = np.stack([p, 1 - p], axis=1)
    labels = np.zeros(len(p), dtype=int)
    perplexity = metrics.perplexity(y, labels)
    cross_entropy = float(np.log(perplexity))
    uniform = metrics.perplexity(np.full((1, vocab), 1 / vocab), [0])
    narrative = "\n".join(
        [
            f"正解トークンの確率 {_fmt(p)}。",
            "",
            f"- 交差エントロピー $-\\frac{{1}}{{N}} \\sum_n \\log p_n$ = {cross_entropy:.10g} nat = {cross_entropy / math.log(2):.10g} bit",
            f"- パープレキシティ $\\exp(-\\frac{{1}}{{N}} \\sum_n \\log p_n)$ = **{perplexity:.10g}**（確率の幾何平均の逆数）",
            f"- 語彙 {vocab} 語の一様分布なら {uniform:.10g}（「平均して何語の中から迷っているか」）",
        ]
    )
    return DemoResult(
        values={
            "cross_entropy": cross_entropy,
            "cross_entropy_bits": cross_entropy / math.log(2),
            "perplexity": perplexity,
            "uniform_perplexity": uniform,
        },
        narrative=narrative,
    )


# --- logistic regression, PCA, SVM --------------------------------------------------------


@demo(
    "ml-logistic-regression",
    title="ロジスティック回帰",
    description="2 クラスの点を P(y=1|x) = σ(wᵀx + b) で分類する。交差エントロピーを勾配降下法で下げ、オッズ比 exp(w) を確かめる。",
    syllabus=ML,
    params=(
        FloatParam("lr", 0.5, min=1e-6, max=100.0, help="学習率"),
        IntParam("steps", 500, min=1, max=20000, help="更新回数"),
        FloatParam("spread", 1.0, min=0.05, max=5.0, help="各クラスの広がり（標準偏差）"),
        ListParam(
            "query",
            [0.5, 0.0],
            min=-1e3,
            max=1e3,
            min_length=2,
            max_length=2,
            help="確率を求める点",
        ),
        SEED,
    ),
)
def ml_logistic_regression(lr: float, steps: int, spread: float, query, seed: int) -> DemoResult:
    x, t = _blobs([[-1.0, -1.0], [1.0, 1.0]], 50, spread, seed)
    model = classic.LogisticRegression(lr=lr, steps=steps).fit(x, t)
    accuracy = metrics.accuracy(t, model.predict(x))
    q = np.array(query)
    p_query = float(model.predict_proba(q[None, :])[0])
    logit = float(q @ model.w + model.b)

    def odds(point):
        p = float(model.predict_proba(point[None, :])[0])
        return p / (1 - p)

    measured_ratio = odds(q + np.array([1.0, 0.0])) / odds(q)
    history = model.loss_history
    monotone = bool(all(b <= a + 1e-12 for a, b in itertools.pairwise(history)))
    narrative = "\n".join(
        [
            f"2 クラス各 50 点を、学習率 {lr:g} で {steps} 回の勾配降下法により学習した。"
            "損失は交差エントロピー（負の対数尤度の平均）$L = -\\frac{1}{n} \\sum [t \\log y + (1 - t) \\log (1 - y)]$、"
            "勾配は $\\frac{1}{n} X^\\top (y - t)$。",
            "",
            f"- 損失: {history[0]:.6g} → {history[-1]:.6g}、訓練正解率 {accuracy:.3f}",
            f"- w = {_fmt(model.w)}、b = {model.b:.6g}",
            f"- 点 {_fmt(q)} のロジット（対数オッズ）$w^\\top x + b$ = {logit:.6g}、確率 σ(ロジット) = **{p_query:.6g}**",
            f"- x₁ を 1 増やすとオッズは $e^{{w_1}}$ = {math.exp(model.w[0]):.6g} 倍（実測 {measured_ratio:.6g} 倍）",
        ]
    )
    return DemoResult(
        values={
            "w": model.w.tolist(),
            "b": model.b,
            "accuracy": accuracy,
            "loss_first": history[0],
            "loss_last": history[-1],
            "loss_monotone": monotone,
            "p_query": p_query,
            "logit_query": logit,
            "sigmoid_of_logit": float(sigmoid(logit)),
            "odds_ratio": [math.exp(v) for v in model.w],
            "odds_ratio_measured": measured_ratio,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="交差エントロピーの推移",
                x=list(range(len(history))),
                series={"loss": history},
                x_label="step",
            )
        ],
    )


@demo(
    "ml-pca",
    title="主成分分析：寄与率",
    description="共分散行列の固有値分解で主成分と寄与率（固有値 / 固有値の和）を求め、その分布から引いた標本の PCA と比べる。",
    syllabus=ML,
    params=(
        MatrixParam(
            "cov",
            [[3.0, 1.0], [1.0, 3.0]],
            min=-1e3,
            max=1e3,
            max_rows=8,
            max_cols=8,
            help="共分散行列",
        ),
        IntParam("samples", 2000, min=10, max=100000, help="標本の数"),
        SEED,
    ),
)
def ml_pca(cov, samples: int, seed: int) -> DemoResult:
    sigma = np.array(cov)
    if sigma.shape[0] != sigma.shape[1] or not np.allclose(sigma, sigma.T):
        raise ParameterError("In demo ml-pca cov must be a symmetric square matrix.")
    if np.linalg.eigvalsh(sigma).min() < -1e-12:
        raise ParameterError(
            "In demo ml-pca cov must be positive semi-definite (no negative eigenvalue)."
        )
    eigenvalues, axes = classic.principal_axes(sigma)
    ratio = eigenvalues / eigenvalues.sum()
    x = np.random.default_rng(seed).multivariate_normal(
        np.zeros(len(sigma)), sigma, size=samples, method="eigh"
    )
    sample = classic.pca(x)
    narrative = "\n".join(
        [
            f"共分散行列 Σ = {_fmt(sigma)} の固有値は {_fmt(eigenvalues)}。",
            "",
            f"- 第 1 主成分の向き（最大固有値の固有ベクトル）: {_fmt(axes[0], 4)}",
            f"- 寄与率 $\\lambda_k / \\sum_j \\lambda_j$ = {_fmt(ratio)}、累積寄与率 {_fmt(np.cumsum(ratio))}",
            f"- この分布から {samples} 点を引いて PCA すると寄与率 {_fmt(sample.explained_variance_ratio, 4)}",
            "",
            "主成分どうしは直交し、分散の大きい順に並ぶ。",
        ]
    )
    return DemoResult(
        values={
            "eigenvalues": eigenvalues.tolist(),
            "components": axes.tolist(),
            "explained_variance_ratio": ratio.tolist(),
            "cumulative_ratio": np.cumsum(ratio).tolist(),
            "sample_ratio": sample.explained_variance_ratio.tolist(),
        },
        narrative=narrative,
    )


@demo(
    "ml-pca-digits",
    title="主成分分析：8×8 手書き数字の次元削減",
    description="64 次元の手書き数字を PCA し、累積寄与率が閾値に届く主成分の数を調べる。",
    syllabus=ML,
    params=(FloatParam("threshold", 0.9, min=0.01, max=1.0, help="累積寄与率の閾値"),),
)
def ml_pca_digits(threshold: float) -> DemoResult:
    (x_train, _), _ = load_digits(test_ratio=0.0)  # all 1,797 images
    result = classic.pca(x_train)
    cumulative = np.cumsum(result.explained_variance_ratio)
    needed = int(np.searchsorted(cumulative, threshold - 1e-12) + 1)
    narrative = (
        f"8×8 = 64 次元の手書き数字 {len(x_train)} 枚を PCA した。第 1〜5 主成分の寄与率は "
        f"{_fmt(result.explained_variance_ratio[:5], 4)}。累積寄与率が {threshold:g} に達するのは第 **{needed}** 主成分まで"
        f"（64 次元のうち {needed} 次元で分散の {cumulative[needed - 1]:.3f} を説明できる）。"
    )
    return DemoResult(
        values={
            "explained_variance_ratio": result.explained_variance_ratio[:10].tolist(),
            "cumulative_ratio": cumulative[:20].tolist(),
            "components_needed": needed,
            "dimensions": int(x_train.shape[1]),
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="累積寄与率",
                x=list(range(1, 65)),
                series={"累積寄与率": cumulative.tolist()},
                x_label="主成分の数",
            )
        ],
    )


@demo(
    "ml-svm",
    title="サポートベクターマシン：マージン最大化",
    description="線形 SVM（ソフトマージン）を双対問題で解き、w、マージン幅 2/‖w‖、サポートベクターを求める。",
    syllabus=ML,
    params=(
        MatrixParam(
            "points", [[0.0, 0.0], [3.0, 4.0]], min=-1e3, max=1e3, max_rows=40, help="訓練点"
        ),
        ListParam("labels", [-1.0, 1.0], min=-1, max=1, max_length=40, help="ラベル（+1 / −1）"),
        FloatParam(
            "C",
            1000.0,
            min=1e-4,
            max=1e6,
            help="誤分類の罰則の強さ C（大きいほどハードマージンに近い）",
        ),
        IntParam("steps", 1000, min=10, max=20000, help="双対問題の反復回数"),
    ),
)
def ml_svm(points, labels, C: float, steps: int) -> DemoResult:
    x, y = np.array(points), np.array(labels)
    if len(y) != len(x) or not np.all(np.isin(y, (-1.0, 1.0))):
        raise ParameterError("In demo ml-svm labels must give +1 or −1 for every point.")
    if len(np.unique(y)) < 2:
        raise ParameterError("In demo ml-svm labels must contain both +1 and −1.")
    result = classic.linear_svm(x, y, C, steps)
    functional = y * result.decision_function(x)
    support = np.flatnonzero(result.alpha > 1e-6 * max(C, 1.0))
    narrative = "\n".join(
        [
            f"{len(x)} 点で線形 SVM（C = {C:g}）を学習した: w = {_fmt(result.w)}、b = {result.b:.6g}。",
            "",
            f"- マージン幅（2 つの超平面 $w^\\top x + b = \\pm 1$ の間隔）$\\frac{{2}}{{\\|w\\|}}$ = **{result.margin_width:.6g}**（‖w‖ = {np.linalg.norm(result.w):.6g}）",
            f"- サポートベクター（α > 0 の点）: 番号 {support.tolist()}。決定境界はこれらの点だけで決まる",
            f"- $y_i (w^\\top x_i + b)$ の最小値 {functional.min():.4g}（ハードマージンなら全点で 1 以上）",
        ]
    )
    return DemoResult(
        values={
            "w": result.w.tolist(),
            "b": result.b,
            "w_norm": float(np.linalg.norm(result.w)),
            "margin_width": result.margin_width,
            "support_indices": support.tolist(),
            "n_support": int(support.size),
            "min_functional_margin": float(functional.min()),
            "train_accuracy": float(np.mean(np.sign(result.decision_function(x)) == y)),
        },
        narrative=narrative,
    )


@demo(
    "ml-svm-soft-margin",
    title="ソフトマージン SVM：C によるマージンの違い",
    description="中心の近い 2 クラスに線形 SVM を C を変えて学習し、マージン幅・サポートベクター数・マージン内の点の数を比べる。",
    syllabus=ML,
    params=(
        ListParam("Cs", [0.01, 1.0, 100.0], min=1e-4, max=1e4, max_length=6, help="試す C"),
        FloatParam("spread", 0.9, min=0.05, max=5.0, help="各クラスの広がり"),
        SEED,
    ),
)
def ml_svm_soft_margin(Cs, spread: float, seed: int) -> DemoResult:
    x, t = _blobs([[-1.0, -1.0], [1.0, 1.0]], 20, spread, seed)
    y = np.where(t == 1, 1.0, -1.0)
    margins, supports, inside, accuracy = [], [], [], []
    for C in Cs:
        result = classic.linear_svm(x, y, C, 1000)
        functional = y * result.decision_function(x)
        margins.append(result.margin_width)
        supports.append(int(np.sum(result.alpha > 1e-6 * max(C, 1.0))))
        inside.append(int(np.sum(functional < 1 - 1e-3)))  # strictly inside the margin
        accuracy.append(float(np.mean(functional > 0)))
    rows = [
        f"| {C:g} | {m:.4g} | {s} | {i} | {a:.3f} |"
        for C, m, s, i, a in zip(Cs, margins, supports, inside, accuracy, strict=True)
    ]
    narrative = "\n".join(
        [
            "目的関数 $\\frac{1}{2}\\|w\\|^2 + C \\sum_i \\max(0, 1 - y_i(w^\\top x_i + b))$ を C を変えて最小化した。",
            "",
            "| C | マージン幅 | サポートベクター数 | マージン内・誤分類の点 | 訓練正解率 |",
            "|---|---|---|---|---|",
            *rows,
            "",
            "C が小さいとマージン内に入る点を多く許して幅を広くとり、C が大きいと違反を許さずハードマージンに近づく（幅が狭い）。",
        ]
    )
    return DemoResult(
        values={
            "Cs": list(Cs),
            "margin_widths": margins,
            "n_support": supports,
            "margin_violations": inside,
            "train_accuracy": accuracy,
        },
        narrative=narrative,
    )


@demo(
    "ml-svm-kernel",
    title="カーネル法の考え方：特徴写像で線形分離可能にする",
    description="XOR 状のデータは直線で分けられない。特徴 x₁x₂ を加えた空間（多項式カーネルに相当）では線形 SVM で分けられる。",
    syllabus=ML,
    params=(FloatParam("noise", 0.1, min=0.0, max=0.3, help="データのノイズ"), SEED),
)
def ml_svm_kernel(noise: float, seed: int) -> DemoResult:
    x, t = make_xor(40, noise, seed)
    centred = x - 0.5
    y = np.where(t == 1, 1.0, -1.0)
    linear = classic.linear_svm(centred, y, 1.0, 300)
    mapped = np.column_stack([centred, centred[:, 0] * centred[:, 1]])  # φ(x) = (x₁, x₂, x₁x₂)
    kernel = classic.linear_svm(mapped, y, 1.0, 300)
    acc_linear = float(np.mean(np.sign(linear.decision_function(centred)) == y))
    acc_mapped = float(np.mean(np.sign(kernel.decision_function(mapped)) == y))
    narrative = "\n".join(
        [
            f"XOR 状の 40 点（ノイズ {noise:g}）に線形 SVM を当てはめた。",
            "",
            f"- 元の特徴 (x₁, x₂) のまま: 訓練正解率 **{acc_linear:.3f}**（直線では分けられない）",
            f"- 特徴 x₁x₂ を加えた (x₁, x₂, x₁x₂): 訓練正解率 **{acc_mapped:.3f}**（w = {_fmt(kernel.w, 3)}）",
            "",
            "カーネル法は、この写像 φ を明示的に計算せず、内積 $k(x, x') = \\phi(x)^\\top \\phi(x')$ だけで高次元空間での線形分離を行う（カーネルトリック）。",
        ]
    )
    return DemoResult(
        values={"accuracy_linear": acc_linear, "accuracy_mapped": acc_mapped}, narrative=narrative
    )
