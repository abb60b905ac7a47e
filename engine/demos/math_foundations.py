"""Demos on the mathematical foundations (応用数学): linear algebra, probability and statistics,
information theory.

Every demo computes at call time with NumPy and the engine's formula modules
(``engine.information`` for information measures, ``engine.classic`` for PCA axes).
"""

from __future__ import annotations

import math

import numpy as np

from engine import information
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

LINALG = ("1-1 線形代数",)
PROBABILITY = ("1-2 確率・統計",)
INFORMATION = ("1-3 情報理論",)
SEED = IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード")


def _fmt(values, digits: int = 6) -> str:
    """A list or matrix as short text for the narrative."""
    text = np.array2string(
        np.asarray(values, dtype=np.float64), precision=digits, suppress_small=True, separator=", "
    )
    return " ".join(text.split())  # one line, so that a matrix stays inside its sentence


def _sign_fixed_columns(vectors: np.ndarray) -> np.ndarray:
    """Each column scaled so that its largest-magnitude entry is positive (a stable choice of sign)."""
    index = np.argmax(np.abs(vectors), axis=0)
    signs = np.sign(vectors[index, np.arange(vectors.shape[1])])
    signs[signs == 0] = 1
    return vectors * signs


# --- 1-1 linear algebra -------------------------------------------------------------------


@demo(
    "linalg-products",
    title="行列積とアダマール積",
    description="2 つの行列 A, B について、行列積 AB・BA と要素ごとの積（アダマール積）A∘B を比べる。",
    syllabus=LINALG,
    params=(
        MatrixParam("A", [[1.0, 2.0], [3.0, 4.0]], min=-1e6, max=1e6, help="行列 A"),
        MatrixParam("B", [[0.0, 1.0], [1.0, 0.0]], min=-1e6, max=1e6, help="行列 B"),
    ),
)
def linalg_products(A: list[list[float]], B: list[list[float]]) -> DemoResult:
    a, b = np.array(A), np.array(B)
    product_ok = a.shape[1] == b.shape[0]
    product_ba_ok = b.shape[1] == a.shape[0]
    hadamard_ok = a.shape == b.shape
    product = (a @ b).tolist() if product_ok else None
    product_ba = (b @ a).tolist() if product_ba_ok else None
    hadamard = (a * b).tolist() if hadamard_ok else None
    commute = bool(product_ok and product_ba_ok and np.allclose(a @ b, b @ a))
    lines = [
        f"A は {a.shape[0]}×{a.shape[1]}、B は {b.shape[0]}×{b.shape[1]}。",
        "",
        "- 行列積 $(AB)_{ij} = \\sum_k A_{ik} B_{kj}$ は A の列数と B の行数が等しいときだけ定義される: "
        + (
            f"AB = {_fmt(product)}（{a.shape[0]}×{b.shape[1]}）"
            if product_ok
            else "AB は定義されない"
        ),
        "- BA: "
        + (f"{_fmt(product_ba)}" if product_ba_ok else "定義されない")
        + (
            "（AB = BA）"
            if commute
            else "（一般に AB ≠ BA）"
            if product_ok and product_ba_ok
            else ""
        ),
        "- アダマール積 $(A \\circ B)_{ij} = A_{ij} B_{ij}$ は同じ形の行列どうしの要素ごとの積（NumPy の `A * B`）: "
        + (f"{_fmt(hadamard)}" if hadamard_ok else "形が違うので定義されない"),
    ]
    return DemoResult(
        values={
            "a_shape": list(a.shape),
            "b_shape": list(b.shape),
            "product_ok": product_ok,
            "product": product,
            "product_ba_ok": product_ba_ok,
            "product_ba": product_ba,
            "commute": commute,
            "hadamard_ok": hadamard_ok,
            "hadamard": hadamard,
        },
        narrative="\n".join(lines),
    )


@demo(
    "linalg-product-shape",
    title="行列・テンソルの積の形",
    description="指定した形の配列を作り、np.matmul（@）・np.dot・要素ごとの積（*）を実際に計算して結果の形を調べる。",
    syllabus=(*LINALG, "3-1 順伝播型ネットワーク"),
    params=(
        ListParam(
            "a_shape", [2.0, 3.0, 4.0], min=1, max=4096, min_length=1, max_length=4, help="A の形"
        ),
        ListParam(
            "b_shape", [4.0, 5.0], min=1, max=4096, min_length=1, max_length=4, help="B の形"
        ),
        ChoiceParam("op", "matmul", choices=("matmul", "dot", "hadamard"), help="演算"),
    ),
)
def linalg_product_shape(a_shape: list[float], b_shape: list[float], op: str) -> DemoResult:
    shapes = []
    for name, shape in (("a_shape", a_shape), ("b_shape", b_shape)):
        if not all(float(d).is_integer() for d in shape):
            raise ParameterError(f"In demo linalg-product-shape {name} must hold whole numbers.")
        if math.prod(int(d) for d in shape) > 1_000_000:
            raise ParameterError(
                f"In demo linalg-product-shape {name} describes more than 1,000,000 elements."
            )
        shapes.append(tuple(int(d) for d in shape))
    a = np.arange(math.prod(shapes[0]), dtype=np.float64).reshape(shapes[0]) % 7
    b = np.arange(math.prod(shapes[1]), dtype=np.float64).reshape(shapes[1]) % 5
    operation = {"matmul": np.matmul, "dot": np.dot, "hadamard": np.multiply}[op]
    symbol = {"matmul": "A @ B", "dot": "np.dot(A, B)", "hadamard": "A * B"}[op]
    try:
        out = operation(a, b)
        ok, out_shape, error = True, list(out.shape), ""
    except ValueError as exc:  # the shapes do not fit: report NumPy's own message
        ok, out_shape, error = False, None, str(exc)
    narrative = (
        f"A の形 {shapes[0]}、B の形 {shapes[1]} で `{symbol}` を計算した。\n\n"
        + (
            f"結果の形は **{tuple(out_shape)}**。"
            if ok
            else f"計算できない（ValueError: {error}）。"
        )
        + "\n\n行列積は「A の最後の軸」と「B の（行列としての）行の軸」の長さが一致するとき定義され、"
        "その軸が消える。`*` は要素ごとの積（アダマール積）で、形が同じか、ブロードキャストできるときだけ計算できる。"
    )
    return DemoResult(
        values={"ok": ok, "out_shape": out_shape, "error": error},
        narrative=narrative,
    )


@demo(
    "linalg-rank-svd",
    title="行列のランクと特異値分解",
    description="A = UΣVᵀ を計算し、ランク（0 でない特異値の数）、AᵀA の固有値との関係、ランク k 近似の誤差を示す。",
    syllabus=LINALG,
    params=(
        MatrixParam(
            "A",
            [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]],
            min=-1e6,
            max=1e6,
            help="行列 A",
        ),
        IntParam("k", 1, min=1, max=16, help="低ランク近似のランク k"),
    ),
)
def linalg_rank_svd(A: list[list[float]], k: int) -> DemoResult:
    a = np.array(A)
    m, n = a.shape
    if k > min(m, n):
        raise ParameterError(
            f"In demo linalg-rank-svd k ({k}) must not exceed min(rows, columns) = {min(m, n)}."
        )
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    tolerance = max(m, n) * np.finfo(np.float64).eps * (s[0] if s.size else 0.0)
    rank = int(np.sum(s > tolerance))
    reconstruction_error = float(np.linalg.norm(a - (u * s) @ vt))
    approx = (u[:, :k] * s[:k]) @ vt[:k]
    lowrank_error = float(np.linalg.norm(a - approx))  # Frobenius norm
    tail_norm = float(np.sqrt(np.sum(s[k:] ** 2)))
    ata_eigenvalues = np.sort(np.linalg.eigvalsh(a.T @ a))[::-1][: s.size]
    narrative = "\n".join(
        [
            f"{m}×{n} 行列 A を特異値分解した: 特異値 σ = {_fmt(s)}。",
            "",
            f"- ランク（0 でない特異値の数） = **{rank}**（np.linalg.matrix_rank も同じ判定をする）",
            f"- $A^\\top A$ の固有値 {_fmt(np.maximum(ata_eigenvalues, 0))} の平方根が特異値になる",
            f"- $U \\Sigma V^\\top$ と A の差: {reconstruction_error:.2e}",
            f"- 上位 {k} 個の特異値だけ残したランク {k} 近似の誤差 $\\|A - A_k\\|_F$ = {lowrank_error:.6g}"
            f"（捨てた特異値の 2 乗和の平方根 {tail_norm:.6g} と一致：Eckart–Young の定理）",
        ]
    )
    plot = Plot(
        kind="bar", title="特異値", x=[f"σ{i + 1}" for i in range(s.size)], series={"σ": s.tolist()}
    )
    return DemoResult(
        values={
            "shape": [m, n],
            "rank": rank,
            "singular_values": s.tolist(),
            "ata_eigenvalues": ata_eigenvalues.tolist(),
            "U": u.tolist(),
            "Vt": vt.tolist(),
            "reconstruction_error": reconstruction_error,
            "lowrank_error": lowrank_error,
            "tail_norm": tail_norm,
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "linalg-eigen",
    title="固有値分解と対角化",
    description="正方行列 A の固有値・固有ベクトルを求め、A = PΛP⁻¹ と対角化できるか、Aⁿ = PΛⁿP⁻¹ を確かめる。",
    syllabus=LINALG,
    params=(
        MatrixParam(
            "A",
            [[4.0, 1.0], [2.0, 3.0]],
            min=-1e3,
            max=1e3,
            max_rows=8,
            max_cols=8,
            help="正方行列 A",
        ),
        IntParam("power", 3, min=0, max=20, help="べき乗 n（Aⁿ を求める）"),
    ),
)
def linalg_eigen(A: list[list[float]], power: int) -> DemoResult:
    a = np.array(A)
    n = a.shape[0]
    if a.shape[1] != n:
        raise ParameterError(
            f"In demo linalg-eigen A must be square, got {a.shape[0]}×{a.shape[1]}."
        )
    eigenvalues, vectors = np.linalg.eig(a)
    order = np.lexsort((-eigenvalues.imag, -eigenvalues.real))  # largest real part first
    eigenvalues, vectors = eigenvalues[order], vectors[:, order]
    real = bool(np.all(np.abs(eigenvalues.imag) < 1e-12))
    if real:
        eigenvalues, vectors = eigenvalues.real, _sign_fixed_columns(vectors.real)
    # Diagonalisable when the n eigenvectors are linearly independent (P invertible).
    diagonalizable = bool(np.linalg.matrix_rank(vectors, tol=1e-8) == n)
    power_matrix = np.linalg.matrix_power(a, power)
    symmetric = bool(np.allclose(a, a.T))
    values = {
        "eigenvalues_real": bool(real),
        "eigenvalues": (eigenvalues if real else eigenvalues.real).tolist(),
        "eigenvalues_imag": (np.zeros(n) if real else eigenvalues.imag).tolist(),
        "eigenvectors": vectors.real.tolist() if real else None,
        "diagonalizable": diagonalizable,
        "symmetric": symmetric,
        "trace": float(np.trace(a)),
        "determinant": float(np.linalg.det(a)),
        "power_matrix": power_matrix.tolist(),
    }
    shown = (
        _fmt(eigenvalues) if real else ", ".join(f"{v.real:.6g}{v.imag:+.6g}i" for v in eigenvalues)
    )
    lines = [f"{n}×{n} 行列 A の固有値: {shown}。" + ("" if real else "（複素数）")]
    if diagonalizable:
        p = vectors
        lam = np.diag(eigenvalues)
        reconstruction = p @ lam @ np.linalg.inv(p)
        via_eigen = p @ np.diag(eigenvalues**power) @ np.linalg.inv(p)
        values["reconstruction_error"] = float(np.max(np.abs(reconstruction - a)))
        values["power_via_eigen"] = np.real_if_close(via_eigen).real.tolist()
        values["eigvecs_orthogonal"] = bool(np.allclose(p.conj().T @ p, np.eye(n), atol=1e-9))
        lines += [
            "",
            "固有ベクトルを列に並べた P は正則なので、A は対角化できる: $A = P \\Lambda P^{-1}$"
            f"（誤差 {values['reconstruction_error']:.1e}）。",
            f"$A^{{{power}}} = P \\Lambda^{{{power}}} P^{{-1}}$ = {_fmt(values['power_via_eigen'])}"
            f"（直接掛けた {_fmt(power_matrix)} と一致）。対角行列のべき乗は対角成分のべき乗で済む。",
        ]
        if symmetric:
            lines.append(
                "A は対称行列なので、固有値は実数、固有ベクトルは直交する（$P^{-1} = P^\\top$）。"
            )
    else:
        values["reconstruction_error"] = None
        values["power_via_eigen"] = None
        values["eigvecs_orthogonal"] = False
        lines += [
            "",
            "独立な固有ベクトルが n 本そろわないため、A は対角化できない（P が正則にならない）。",
        ]
    lines.append(
        f"固有値の和 {np.sum(eigenvalues).real:.6g} はトレース {np.trace(a):.6g}、積は行列式 {np.linalg.det(a):.6g} に等しい。"
    )
    return DemoResult(values=values, narrative="\n".join(lines))


# --- 1-2 probability and statistics -------------------------------------------------------


@demo(
    "prob-bayes-test",
    title="ベイズの定理：検査で陽性と出たときに病気である確率",
    description="有病率・感度・特異度から、陽性のときに本当に病気である事後確率を求める（繰り返し検査も）。",
    syllabus=PROBABILITY,
    params=(
        FloatParam("prior", 0.01, min=0.0, max=1.0, help="有病率 P(病気)"),
        FloatParam("sensitivity", 0.9, min=0.0, max=1.0, help="感度 P(陽性 | 病気)"),
        FloatParam("specificity", 0.95, min=0.0, max=1.0, help="特異度 P(陰性 | 健康)"),
        IntParam(
            "tests",
            1,
            min=1,
            max=10,
            help="続けて陽性が出た回数（結果は病気の有無のもとで独立とする）",
        ),
        IntParam("population", 10000, min=1, max=10**9, help="自然頻度で示す人数"),
    ),
)
def prob_bayes_test(
    prior: float, sensitivity: float, specificity: float, tests: int, population: int
) -> DemoResult:
    false_positive = 1 - specificity
    posteriors = []
    p = prior
    for _ in range(tests):
        evidence = sensitivity * p + false_positive * (1 - p)  # P(+) by total probability
        if evidence == 0:
            raise ParameterError(
                "In demo prob-bayes-test a positive result is impossible with these parameters "
                "(P(陽性) = 0); change sensitivity or specificity."
            )
        p = sensitivity * p / evidence  # Bayes: P(D|+) = P(+|D) P(D) / P(+)
        posteriors.append(p)
    p_positive = sensitivity * prior + false_positive * (1 - prior)
    p_negative = 1 - p_positive
    p_disease_given_negative = (1 - sensitivity) * prior / p_negative if p_negative > 0 else None
    true_pos = population * prior * sensitivity
    false_pos = population * (1 - prior) * false_positive
    narrative = "\n".join(
        [
            f"有病率 {prior:g}、感度 {sensitivity:g}、特異度 {specificity:g}（偽陽性率 {false_positive:g}）。",
            "",
            "$P(D \\mid +) = \\frac{P(+ \\mid D) P(D)}{P(+ \\mid D) P(D) + P(+ \\mid \\neg D) P(\\neg D)}$"
            f" = {sensitivity * prior:.6g} / {p_positive:.6g} = **{posteriors[0]:.6g}**",
            "",
            f"{population:,} 人で数えると、病気で陽性 {true_pos:,.1f} 人、健康なのに陽性 {false_pos:,.1f} 人。"
            "陽性者の大半が偽陽性なのは、健康な人がはるかに多い（事前確率が小さい）から。",
        ]
        + (
            [
                "",
                "事後確率を次の検査の事前確率にすると、陽性が続くたびに "
                + " → ".join(f"{q:.4g}" for q in posteriors)
                + " と上がる。",
            ]
            if tests > 1
            else []
        )
    )
    return DemoResult(
        values={
            "p_positive": p_positive,
            "posterior": posteriors[0],
            "posteriors": posteriors,
            "final_posterior": posteriors[-1],
            "p_disease_given_negative": p_disease_given_negative,
            "true_positives": true_pos,
            "false_positives": false_pos,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="陽性が続いたあとの事後確率",
                x=[f"{i + 1} 回" for i in range(tests)],
                series={"P(病気 | 陽性)": posteriors},
            )
        ],
    )


def _joint_param(P: list[list[float]], demo_id: str) -> np.ndarray:
    table = np.array(P)
    if np.any(table < 0) or abs(table.sum() - 1) > 1e-9:
        raise ParameterError(
            f"In demo {demo_id} P must be a joint distribution: entries ≥ 0 that sum to 1 "
            f"(they sum to {table.sum():.6g})."
        )
    return table


@demo(
    "prob-joint-table",
    title="同時確率・周辺確率・条件付き確率",
    description="同時確率の表 P(X, Y) から周辺確率と条件付き確率を求め、独立かどうかを調べる。",
    syllabus=PROBABILITY,
    params=(
        MatrixParam(
            "P",
            [[0.1, 0.3], [0.2, 0.4]],
            min=0,
            max=1,
            help="同時確率 P(X=i, Y=j)（行が X、列が Y）",
        ),
    ),
)
def prob_joint_table(P: list[list[float]]) -> DemoResult:
    table = _joint_param(P, "prob-joint-table")
    px, py = information.marginals(table)
    with np.errstate(invalid="ignore", divide="ignore"):
        y_given_x = np.where(px[:, None] > 0, table / px[:, None], np.nan)
        x_given_y = np.where(py[None, :] > 0, table / py[None, :], np.nan)
    product = np.outer(px, py)
    independent = bool(np.allclose(table, product, atol=1e-12))
    narrative = "\n".join(
        [
            f"同時確率 P(X, Y) = {_fmt(table)}",
            "",
            f"- 周辺確率（行和）P(X) = {_fmt(px)}、（列和）P(Y) = {_fmt(py)}",
            f"- 条件付き確率 $P(Y \\mid X) = \\frac{{P(X, Y)}}{{P(X)}}$（各行を行和で割る）= {_fmt(y_given_x)}",
            f"- $P(X \\mid Y)$（各列を列和で割る）= {_fmt(x_given_y)}",
            f"- P(X)P(Y) = {_fmt(product)} → "
            + (
                "P(X, Y) と等しいので X と Y は独立。"
                if independent
                else "P(X, Y) と違うので独立ではない。"
            ),
        ]
    )
    return DemoResult(
        values={
            "marginal_x": px.tolist(),
            "marginal_y": py.tolist(),
            "y_given_x": np.nan_to_num(y_given_x, nan=-1.0).tolist(),
            "x_given_y": np.nan_to_num(x_given_y, nan=-1.0).tolist(),
            "product_of_marginals": product.tolist(),
            "independent": independent,
        },
        narrative=narrative,
        plots=[Plot(kind="heatmap", title="P(X, Y)", z=table.tolist())],
    )


@demo(
    "prob-moments",
    title="期待値と分散",
    description="離散確率変数 X の期待値 E[X]、分散 V[X] = E[X²] − E[X]²、Y = aX + b の期待値と分散を計算する。",
    syllabus=PROBABILITY,
    params=(
        ListParam("values", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], min=-1e6, max=1e6, help="X のとる値"),
        ListParam(
            "weights",
            [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
            min=0,
            max=1e6,
            help="各値の重み（正規化して確率にする）",
        ),
        FloatParam("scale", 1.0, min=-1e3, max=1e3, help="a（Y = aX + b）"),
        FloatParam("shift", 0.0, min=-1e6, max=1e6, help="b（Y = aX + b）"),
    ),
)
def prob_moments(
    values: list[float], weights: list[float], scale: float, shift: float
) -> DemoResult:
    if len(values) != len(weights):
        raise ParameterError(
            f"In demo prob-moments weights must have as many elements as values ({len(values)})."
        )
    w = np.array(weights)
    if w.sum() <= 0:
        raise ParameterError("In demo prob-moments weights must not all be zero.")
    x, p = np.array(values), w / w.sum()
    mean = float(p @ x)
    second = float(p @ x**2)
    variance = float(p @ (x - mean) ** 2)  # E[(X − E[X])²]
    y = scale * x + shift
    mean_y = float(p @ y)
    variance_y = float(p @ (y - mean_y) ** 2)
    narrative = "\n".join(
        [
            f"X の値 {_fmt(x)}、確率 {_fmt(p)}。",
            "",
            f"- $E[X] = \\sum_x x P(x)$ = **{mean:.10g}**",
            f"- $E[X^2]$ = {second:.10g}、$V[X] = E[X^2] - (E[X])^2$ = **{variance:.10g}**、標準偏差 {math.sqrt(variance):.10g}",
            f"- Y = {scale:g}X + {shift:g}: E[Y] = {mean_y:.10g}（= aE[X] + b）、V[Y] = {variance_y:.10g}（= a²V[X]：b は分散を変えない）",
        ]
    )
    return DemoResult(
        values={
            "probs": p.tolist(),
            "mean": mean,
            "second_moment": second,
            "variance": variance,
            "std": math.sqrt(variance),
            "mean_transformed": mean_y,
            "variance_transformed": variance_y,
        },
        narrative=narrative,
        plots=[
            Plot(kind="bar", title="確率分布", x=[f"{v:g}" for v in x], series={"P": p.tolist()})
        ],
    )


@demo(
    "prob-covariance",
    title="共分散と相関係数",
    description="組 (x_i, y_i) を等確率の観測として、共分散・相関係数を計算し、独立かどうかも調べる。",
    syllabus=PROBABILITY,
    params=(
        ListParam("x", [-1.0, 0.0, 1.0], min=-1e6, max=1e6, help="x の値"),
        ListParam("y", [1.0, 0.0, 1.0], min=-1e6, max=1e6, help="y の値（x と同じ数）"),
    ),
)
def prob_covariance(x: list[float], y: list[float]) -> DemoResult:
    if len(x) != len(y) or len(x) < 2:
        raise ParameterError(
            "In demo prob-covariance x and y must have the same number of elements (at least 2)."
        )
    xa, ya = np.array(x), np.array(y)
    n = xa.size
    dx, dy = xa - xa.mean(), ya - ya.mean()
    covariance = float(np.mean(dx * dy))  # Cov = E[(X − E[X])(Y − E[Y])]
    denominator = float(np.sqrt(np.mean(dx**2) * np.mean(dy**2)))
    correlation = covariance / denominator if denominator > 0 else None
    # Independence of the empirical distribution: P(x, y) = P(x) P(y) for every pair of values.
    xs, xi = np.unique(xa, return_inverse=True)
    ys, yi = np.unique(ya, return_inverse=True)
    joint = np.zeros((xs.size, ys.size))
    np.add.at(joint, (xi, yi), 1 / n)
    independent = bool(np.allclose(joint, np.outer(joint.sum(1), joint.sum(0)), atol=1e-12))
    narrative = "\n".join(
        [
            f"{n} 組の観測を等確率とみなした。",
            "",
            f"- 共分散 $\\mathrm{{Cov}}(X, Y) = E[(X - E[X])(Y - E[Y])]$ = **{covariance:.10g}**"
            f"（不偏推定 1/(n−1) なら {covariance * n / (n - 1):.10g}）",
            "- 相関係数 "
            + (f"{correlation:.10g}" if correlation is not None else "は分散 0 のため定義されない"),
            "- 経験分布で P(x, y) = P(x)P(y) か: "
            + ("成り立つ（独立）" if independent else "成り立たない（独立ではない）"),
            "",
            "共分散が 0 でも独立とは限らない：共分散は線形な関係しか測らない。",
        ]
    )
    return DemoResult(
        values={
            "mean_x": float(xa.mean()),
            "mean_y": float(ya.mean()),
            "covariance": covariance,
            "covariance_unbiased": covariance * n / (n - 1),
            "correlation": correlation,
            "independent": independent,
        },
        narrative=narrative,
    )


@demo(
    "prob-binomial",
    title="ベルヌーイ分布と二項分布",
    description="成功確率 p の試行を n 回行ったときの成功回数 X ~ Bin(n, p)。確率質量関数、期待値 np、分散 np(1−p) を、標本とも比べる。",
    syllabus=PROBABILITY,
    params=(
        IntParam("n", 10, min=1, max=1000, help="試行回数 n（n = 1 ならベルヌーイ分布）"),
        FloatParam("p", 0.3, min=0.0, max=1.0, help="成功確率 p"),
        IntParam("k", 3, min=0, max=1000, help="P(X = k) を求める k"),
        IntParam("samples", 100000, min=1, max=1000000, help="標本の数"),
        SEED,
    ),
)
def prob_binomial(n: int, p: float, k: int, samples: int, seed: int) -> DemoResult:
    if k > n:
        raise ParameterError(f"In demo prob-binomial k ({k}) must not exceed n ({n}).")
    ks = np.arange(n + 1)
    pmf = (
        np.array([math.comb(n, int(j)) for j in ks], dtype=np.float64) * p**ks * (1 - p) ** (n - ks)
    )
    draws = np.random.default_rng(seed).binomial(n, p, size=samples)
    mean, variance = float(pmf @ ks), float(pmf @ (ks - pmf @ ks) ** 2)
    narrative = "\n".join(
        [
            f"X ~ Bin(n = {n}, p = {p:g})：成功確率 p のベルヌーイ試行を {n} 回行ったときの成功回数。",
            "",
            f"- $P(X = k) = \\binom{{n}}{{k}} p^k (1 - p)^{{n-k}}$ より P(X = {k}) = **{pmf[k]:.10g}**",
            f"- 期待値 np = {mean:.10g}、分散 np(1 − p) = {variance:.10g}",
            f"- {samples:,} 個の標本では平均 {draws.mean():.6g}、分散 {draws.var():.6g}",
        ]
    )
    return DemoResult(
        values={
            "pmf_k": float(pmf[k]),
            "pmf": pmf.tolist(),
            "mean": mean,
            "variance": variance,
            "sample_mean": float(draws.mean()),
            "sample_variance": float(draws.var()),
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title=f"Bin({n}, {p:g}) の確率質量関数",
                x=ks.tolist(),
                series={"P(X=k)": pmf.tolist()},
            )
        ],
    )


@demo(
    "prob-categorical",
    title="カテゴリカル分布（マルチヌーイ分布）",
    description="K 個のカテゴリから 1 つを確率 p_k で選ぶ。one-hot ベクトルで表した標本の平均が p に近づくことを示す。",
    syllabus=PROBABILITY,
    params=(
        ListParam(
            "probs",
            [0.2, 0.5, 0.3],
            min=0,
            max=1,
            min_length=2,
            max_length=32,
            help="各カテゴリの確率",
        ),
        IntParam("samples", 10000, min=1, max=1000000, help="標本の数"),
        SEED,
    ),
)
def prob_categorical(probs: list[float], samples: int, seed: int) -> DemoResult:
    p = np.array(probs)
    if abs(p.sum() - 1) > 1e-9:
        raise ParameterError(
            f"In demo prob-categorical probs must sum to 1 (they sum to {p.sum():.6g})."
        )
    labels = np.random.default_rng(seed).choice(p.size, size=samples, p=p)
    one_hot = np.eye(p.size)[labels]
    frequencies = one_hot.mean(axis=0)
    narrative = (
        f"カテゴリカル分布 Cat(p = {_fmt(p)}) から {samples:,} 個を引いた。"
        f"one-hot ベクトルの平均（各カテゴリの頻度）は {_fmt(frequencies, 4)}。"
        "K = 2 ならベルヌーイ分布、n 回の試行の各カテゴリの回数は多項分布に従う。"
        f"エントロピーは {information.entropy(p, 2):.6g} bit。"
    )
    return DemoResult(
        values={"frequencies": frequencies.tolist(), "one_hot_first": one_hot[0].tolist()},
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="確率と頻度",
                x=list(range(p.size)),
                series={"p": p.tolist(), "頻度": frequencies.tolist()},
            )
        ],
    )


@demo(
    "prob-gaussian",
    title="ガウス分布（正規分布）",
    description="N(μ, σ²) の確率密度と、μ ± σ, 2σ, 3σ に入る確率（誤差関数による厳密値と標本の割合）。",
    syllabus=PROBABILITY,
    params=(
        FloatParam("mu", 0.0, min=-1e6, max=1e6, help="平均 μ"),
        FloatParam("sigma", 1.0, min=1e-6, max=1e6, help="標準偏差 σ"),
        IntParam("samples", 100000, min=1, max=1000000, help="標本の数"),
        SEED,
    ),
)
def prob_gaussian(mu: float, sigma: float, samples: int, seed: int) -> DemoResult:
    draws = np.random.default_rng(seed).normal(mu, sigma, size=samples)
    within = [math.erf(m / math.sqrt(2)) for m in (1, 2, 3)]  # P(|X − μ| ≤ mσ)
    sample_within = [float(np.mean(np.abs(draws - mu) <= m * sigma)) for m in (1, 2, 3)]
    pdf_at_mu = 1 / (sigma * math.sqrt(2 * math.pi))
    narrative = "\n".join(
        [
            f"$\\mathcal{{N}}(\\mu = {mu:g}, \\sigma^2 = {sigma**2:g})$、密度 $p(x) = \\frac{{1}}{{\\sqrt{{2\\pi}}\\sigma}} \\exp(-\\frac{{(x - \\mu)^2}}{{2\\sigma^2}})$。",
            "",
            f"- 平均での密度 $\\frac{{1}}{{\\sqrt{{2\\pi}}\\sigma}}$ = {pdf_at_mu:.6g}",
            "- μ ± σ, ± 2σ, ± 3σ に入る確率: "
            + ", ".join(f"{w:.4f}" for w in within)
            + "（標本では "
            + ", ".join(f"{w:.4f}" for w in sample_within)
            + "）",
        ]
    )
    edges = np.linspace(mu - 4 * sigma, mu + 4 * sigma, 41)
    counts, _ = np.histogram(draws, bins=edges)
    return DemoResult(
        values={
            "pdf_at_mu": pdf_at_mu,
            "within": within,
            "sample_within": sample_within,
            "sample_mean": float(draws.mean()),
            "sample_std": float(draws.std()),
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="histogram",
                title="標本のヒストグラム",
                x=edges.tolist(),
                series={"度数": counts.tolist()},
            )
        ],
    )


@demo(
    "prob-rand-vs-randn",
    title="np.random.rand と np.random.randn の違い",
    description="rand は [0, 1) の一様分布、randn は標準正規分布 N(0, 1)。両方から引いて平均・標準偏差・最小・最大を比べる。",
    syllabus=(*PROBABILITY, "3-2 深層モデルのための最適化"),
    params=(IntParam("size", 100000, min=10, max=1000000, help="引く個数"), SEED),
)
def prob_rand_vs_randn(size: int, seed: int) -> DemoResult:
    # np.random.rand / randn are methods of the legacy global RandomState; a RandomState of
    # our own has the same methods and the same distributions, but a reproducible seed.
    state = np.random.RandomState(seed)
    uniform = state.rand(size)
    normal = state.randn(size)

    def stats(x):
        return (
            float(x.mean()),
            float(x.std()),
            float(x.min()),
            float(x.max()),
            float(np.mean(x < 0)),
        )

    u, g = stats(uniform), stats(normal)
    narrative = "\n".join(
        [
            f"同じ個数 {size:,} を引いた。",
            "",
            "| 関数 | 分布 | 平均 | 標準偏差 | 最小 | 最大 | 負の割合 |",
            "|---|---|---|---|---|---|---|",
            f"| np.random.rand | 一様分布 [0, 1) | {u[0]:.4f} | {u[1]:.4f} | {u[2]:.4f} | {u[3]:.4f} | {u[4]:.3f} |",
            f"| np.random.randn | 標準正規分布 N(0, 1) | {g[0]:.4f} | {g[1]:.4f} | {g[2]:.4f} | {g[3]:.4f} | {g[4]:.3f} |",
            "",
            "一様分布 [0, 1) の理論値は平均 1/2、標準偏差 $1/\\sqrt{12} \\approx 0.2887$。"
            "rand は負の値を決して返さない。Xavier や He の初期値で重みを作るときは、"
            "標準正規分布の `np.random.randn` にスケール（$1/\\sqrt{n}$ や $\\sqrt{2/n}$）を掛ける。",
        ]
    )
    edges = np.linspace(-4, 4, 33)
    return DemoResult(
        values={
            "rand_mean": u[0],
            "rand_std": u[1],
            "rand_min": u[2],
            "rand_max": u[3],
            "rand_negative_fraction": u[4],
            "randn_mean": g[0],
            "randn_std": g[1],
            "randn_min": g[2],
            "randn_max": g[3],
            "randn_negative_fraction": g[4],
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="histogram",
                title="rand と randn のヒストグラム",
                x=edges.tolist(),
                series={
                    "rand": np.histogram(uniform, bins=edges)[0].tolist(),
                    "randn": np.histogram(normal, bins=edges)[0].tolist(),
                },
            )
        ],
    )


@demo(
    "prob-gaussian-mixture",
    title="混合ガウス分布",
    description="p(x) = Σ π_k N(x | μ_k, σ_k²) の平均と分散（全分散の公式）を計算し、標本と比べる。",
    syllabus=PROBABILITY,
    params=(
        ListParam(
            "weights",
            [0.3, 0.7],
            min=0,
            max=1,
            min_length=1,
            max_length=8,
            help="混合係数 π_k（和が 1）",
        ),
        ListParam(
            "means",
            [0.0, 4.0],
            min=-1e3,
            max=1e3,
            min_length=1,
            max_length=8,
            help="各成分の平均 μ_k",
        ),
        ListParam(
            "stds",
            [1.0, 1.0],
            min=1e-3,
            max=1e3,
            min_length=1,
            max_length=8,
            help="各成分の標準偏差 σ_k",
        ),
        IntParam("samples", 100000, min=1, max=1000000, help="標本の数"),
        SEED,
    ),
)
def prob_gaussian_mixture(
    weights: list[float], means: list[float], stds: list[float], samples: int, seed: int
) -> DemoResult:
    if not len(weights) == len(means) == len(stds):
        raise ParameterError(
            "In demo prob-gaussian-mixture weights, means and stds must have the same length."
        )
    pi, mu, sd = np.array(weights), np.array(means), np.array(stds)
    if abs(pi.sum() - 1) > 1e-9:
        raise ParameterError(
            f"In demo prob-gaussian-mixture weights must sum to 1 (they sum to {pi.sum():.6g})."
        )
    mean = float(pi @ mu)
    variance = float(pi @ (sd**2 + mu**2) - mean**2)  # E[V[X|k]] + V[E[X|k]]
    rng = np.random.default_rng(seed)
    component = rng.choice(pi.size, size=samples, p=pi)  # first pick a component k ~ Cat(π)
    draws = rng.normal(mu[component], sd[component])  # then x ~ N(μ_k, σ_k²)
    grid = np.linspace(mu.min() - 4 * sd.max(), mu.max() + 4 * sd.max(), 201)
    density = (
        pi * np.exp(-((grid[:, None] - mu) ** 2) / (2 * sd**2)) / (sd * np.sqrt(2 * np.pi))
    ).sum(1)
    narrative = "\n".join(
        [
            f"混合係数 π = {_fmt(pi)}、平均 μ = {_fmt(mu)}、標準偏差 σ = {_fmt(sd)}。",
            "",
            f"- 平均 $E[X] = \\sum_k \\pi_k \\mu_k$ = **{mean:.10g}**",
            f"- 分散 $V[X] = \\sum_k \\pi_k (\\sigma_k^2 + \\mu_k^2) - (E[X])^2$ = **{variance:.10g}**"
            "（成分内の分散の平均 + 成分の平均のばらつき）",
            f"- 標本（成分を Cat(π) で選んでから正規分布で引く）{samples:,} 個: 平均 {draws.mean():.6g}、分散 {draws.var():.6g}",
        ]
    )
    return DemoResult(
        values={
            "mean": mean,
            "variance": variance,
            "sample_mean": float(draws.mean()),
            "sample_variance": float(draws.var()),
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="混合ガウス分布の密度",
                x=grid.tolist(),
                series={"p(x)": density.tolist()},
            )
        ],
    )


def _skewness(x: np.ndarray) -> float:
    d = x - x.mean()
    return float(np.mean(d**3) / np.mean(d**2) ** 1.5)


@demo(
    "prob-central-limit",
    title="中心極限定理",
    description="正規分布でない分布から n 個ずつ引いた標本平均の分布が、平均 μ・標準偏差 σ/√n の正規分布に近づくことを示す。",
    syllabus=PROBABILITY,
    params=(
        ChoiceParam(
            "dist", "exponential", choices=("uniform", "exponential", "bernoulli"), help="元の分布"
        ),
        IntParam("n", 30, min=1, max=1000, help="1 回の標本の大きさ n"),
        IntParam("trials", 20000, min=10, max=100000, help="標本平均を作る回数"),
        SEED,
    ),
)
def prob_central_limit(dist: str, n: int, trials: int, seed: int) -> DemoResult:
    if n * trials > 5_000_000:
        raise ParameterError("In demo prob-central-limit n × trials must not exceed 5,000,000.")
    rng = np.random.default_rng(seed)
    if dist == "uniform":
        draws, mu, sigma = rng.random((trials, n)), 0.5, math.sqrt(1 / 12)
    elif dist == "exponential":
        draws, mu, sigma = rng.exponential(1.0, (trials, n)), 1.0, 1.0
    else:
        draws, mu, sigma = (rng.random((trials, n)) < 0.2).astype(float), 0.2, math.sqrt(0.16)
    means = draws.mean(axis=1)
    predicted_std = sigma / math.sqrt(n)
    narrative = "\n".join(
        [
            f"元の分布（{dist}）は平均 μ = {mu:g}、標準偏差 σ = {sigma:.6g}、歪度 {_skewness(draws[:, 0]):.3f}。",
            f"n = {n} 個の平均を {trials:,} 回作った。",
            "",
            f"- 標本平均の平均 {means.mean():.6g}（μ）",
            f"- 標本平均の標準偏差 {means.std():.6g}（理論値 $\\sigma / \\sqrt{{n}}$ = {predicted_std:.6g}）",
            f"- 標本平均の歪度 {_skewness(means):.3f}（正規分布なら 0。n を大きくすると 0 に近づく）",
        ]
    )
    edges = np.linspace(means.min(), means.max(), 31)
    return DemoResult(
        values={
            "population_mean": mu,
            "population_std": sigma,
            "mean_of_means": float(means.mean()),
            "std_of_means": float(means.std()),
            "predicted_std": predicted_std,
            "skewness_single": _skewness(draws[:, 0]),
            "skewness_of_means": _skewness(means),
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="histogram",
                title="標本平均のヒストグラム",
                x=edges.tolist(),
                series={"度数": np.histogram(means, bins=edges)[0].tolist()},
            )
        ],
    )


@demo(
    "prob-mle-bernoulli",
    title="コイン投げの最尤推定・MAP 推定・ベイズ推定",
    description="表の確率 θ を、尤度の最大化（MLE）、Beta 事前分布での事後確率の最大化（MAP）、事後分布の平均（ベイズ推定）で求める。",
    syllabus=PROBABILITY,
    params=(
        IntParam("heads", 7, min=0, max=100000, help="表の回数"),
        IntParam("tosses", 10, min=1, max=100000, help="投げた回数"),
        FloatParam("a", 2.0, min=1.0, max=1e4, help="事前分布 Beta(a, b) の a"),
        FloatParam("b", 2.0, min=1.0, max=1e4, help="事前分布 Beta(a, b) の b"),
    ),
)
def prob_mle_bernoulli(heads: int, tosses: int, a: float, b: float) -> DemoResult:
    if heads > tosses:
        raise ParameterError(
            f"In demo prob-mle-bernoulli heads ({heads}) must not exceed tosses ({tosses})."
        )
    outcomes = np.r_[np.ones(heads), np.zeros(tosses - heads)]
    grid = np.linspace(0, 1, 10001)
    with np.errstate(divide="ignore"):
        # log L(θ) = Σ_i log P(x_i | θ): a sum of logs, not a log of a product
        log_likelihood = heads * np.log(grid) + (tosses - heads) * np.log(1 - grid)
        log_posterior = log_likelihood + (a - 1) * np.log(grid) + (b - 1) * np.log(1 - grid)
    grid_mle = float(
        grid[np.nanargmax(np.where(np.isnan(log_likelihood), -np.inf, log_likelihood))]
    )
    grid_map = float(grid[np.nanargmax(np.where(np.isnan(log_posterior), -np.inf, log_posterior))])
    mle = heads / tosses
    map_estimate = (heads + a - 1) / (tosses + a + b - 2)
    posterior_mean = (heads + a) / (tosses + a + b)
    per_toss = np.where(outcomes == 1, mle, 1 - mle)
    likelihood_at_mle = float(np.prod(per_toss))  # the product of many probabilities < 1
    with np.errstate(divide="ignore"):
        log_likelihood_at_mle = float(np.sum(np.log(per_toss)))
    narrative = "\n".join(
        [
            f"{tosses} 回中 {heads} 回表。事前分布 Beta({a:g}, {b:g})。",
            "",
            f"- 最尤推定 $\\hat\\theta_{{ML}} = \\frac{{k}}{{n}}$ = **{mle:.10g}**（対数尤度を格子で最大化すると {grid_mle:.4f}）",
            f"- MAP 推定 $\\frac{{k + a - 1}}{{n + a + b - 2}}$ = **{map_estimate:.10g}**（格子で {grid_map:.4f}）",
            f"- ベイズ推定（事後分布 Beta(k + a, n − k + b) の平均）$\\frac{{k + a}}{{n + a + b}}$ = **{posterior_mean:.10g}**",
            "",
            f"尤度を確率の積のまま計算すると {likelihood_at_mle:.6g}、対数尤度（和）は {log_likelihood_at_mle:.6g}。"
            "データが多いと積は float64 の最小値を下回って 0 になる（アンダーフロー）ため、対数をとって和で扱う。"
            "log は単調増加なので最大点は変わらない。",
        ]
    )
    finite = np.isfinite(log_likelihood)
    return DemoResult(
        values={
            "mle": mle,
            "map": map_estimate,
            "posterior_mean": posterior_mean,
            "grid_mle": grid_mle,
            "grid_map": grid_map,
            "likelihood_at_mle": likelihood_at_mle,
            "log_likelihood_at_mle": log_likelihood_at_mle,
            "likelihood_underflows": likelihood_at_mle == 0.0,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="対数尤度 log L(θ)",
                x=grid[finite][::50].tolist(),
                series={"log L": log_likelihood[finite][::50].tolist()},
                x_label="θ",
            )
        ],
    )


@demo(
    "prob-mle-gaussian",
    title="正規分布の最尤推定：分散の推定は偏る",
    description="N(μ, σ²) から n 個引いて平均と分散を最尤推定することを何度も繰り返し、推定量の平均を調べる。",
    syllabus=PROBABILITY,
    params=(
        FloatParam("mu", 0.0, min=-1e3, max=1e3, help="真の平均 μ"),
        FloatParam("sigma", 1.0, min=1e-3, max=1e3, help="真の標準偏差 σ"),
        IntParam("n", 5, min=2, max=1000, help="1 回の標本の大きさ n"),
        IntParam("trials", 100000, min=10, max=200000, help="繰り返す回数"),
        SEED,
    ),
)
def prob_mle_gaussian(mu: float, sigma: float, n: int, trials: int, seed: int) -> DemoResult:
    if n * trials > 5_000_000:
        raise ParameterError("In demo prob-mle-gaussian n × trials must not exceed 5,000,000.")
    x = np.random.default_rng(seed).normal(mu, sigma, (trials, n))
    mean_hat = x.mean(axis=1)  # ∂ log L / ∂μ = 0  →  μ̂ = (1/n) Σ x_i
    var_mle = np.mean((x - mean_hat[:, None]) ** 2, axis=1)  # σ̂² = (1/n) Σ (x_i − μ̂)²
    var_unbiased = var_mle * n / (n - 1)
    narrative = "\n".join(
        [
            f"N({mu:g}, {sigma**2:g}) から n = {n} 個引いて推定することを {trials:,} 回繰り返した。",
            "",
            f"- 平均の最尤推定量 $\\hat\\mu = \\frac{{1}}{{n}} \\sum x_i$ の平均: {mean_hat.mean():.6g}（真値 {mu:g}：不偏）",
            f"- 分散の最尤推定量 $\\hat\\sigma^2 = \\frac{{1}}{{n}} \\sum (x_i - \\hat\\mu)^2$ の平均: **{var_mle.mean():.6g}**"
            f"（理論値 $\\frac{{n-1}}{{n}}\\sigma^2$ = {(n - 1) / n * sigma**2:.6g}：小さめに偏る）",
            f"- n − 1 で割る不偏分散の平均: {var_unbiased.mean():.6g}（真値 {sigma**2:g}）",
        ]
    )
    return DemoResult(
        values={
            "mean_estimate_avg": float(mean_hat.mean()),
            "mle_variance_avg": float(var_mle.mean()),
            "unbiased_variance_avg": float(var_unbiased.mean()),
            "expected_mle_variance": (n - 1) / n * sigma**2,
        },
        narrative=narrative,
    )


@demo(
    "prob-naive-bayes",
    title="ナイーブベイズによるスパム判定",
    description="特徴（単語の有無）がクラスのもとで独立と仮定し、P(クラス | x) ∝ P(クラス) Π P(x_i | クラス) を計算する。",
    syllabus=(*PROBABILITY, "2-1 機械学習の基礎"),
    params=(
        FloatParam("prior_spam", 0.4, min=0.0, max=1.0, help="事前確率 P(スパム)"),
        ListParam("p_word_spam", [0.8, 0.6, 0.1], min=0, max=1, help="P(単語 i を含む | スパム)"),
        ListParam("p_word_ham", [0.1, 0.3, 0.5], min=0, max=1, help="P(単語 i を含む | 通常)"),
        ListParam("x", [1.0, 1.0, 0.0], min=0, max=1, help="メールが単語 i を含むか（1/0）"),
    ),
)
def prob_naive_bayes(
    prior_spam: float, p_word_spam: list[float], p_word_ham: list[float], x: list[float]
) -> DemoResult:
    if not len(p_word_spam) == len(p_word_ham) == len(x):
        raise ParameterError(
            "In demo prob-naive-bayes p_word_spam, p_word_ham and x must have the same length."
        )
    if not all(v in (0.0, 1.0) for v in x):
        raise ParameterError("In demo prob-naive-bayes x must hold only 0 and 1.")
    xs, ps, ph = np.array(x), np.array(p_word_spam), np.array(p_word_ham)
    # Bernoulli naive Bayes: P(x | c) = Π_i p_i^x_i (1 − p_i)^(1 − x_i)
    like_spam = float(np.prod(np.where(xs == 1, ps, 1 - ps)))
    like_ham = float(np.prod(np.where(xs == 1, ph, 1 - ph)))
    joint_spam, joint_ham = prior_spam * like_spam, (1 - prior_spam) * like_ham
    evidence = joint_spam + joint_ham
    if evidence == 0:
        raise ParameterError(
            "In demo prob-naive-bayes x has probability 0 under both classes; change x or the probabilities."
        )
    posterior = joint_spam / evidence
    narrative = "\n".join(
        [
            f"x = {_fmt(xs, 0)}。特徴どうしはクラスのもとで独立と仮定する（ナイーブな仮定）。",
            "",
            f"- P(x | スパム) = {like_spam:.6g}、P(x | 通常) = {like_ham:.6g}",
            f"- P(スパム)P(x | スパム) = {joint_spam:.6g}、P(通常)P(x | 通常) = {joint_ham:.6g}",
            f"- 事後確率 P(スパム | x) = {joint_spam:.6g} / {evidence:.6g} = **{posterior:.6g}**",
        ]
    )
    return DemoResult(
        values={
            "likelihood_spam": like_spam,
            "likelihood_ham": like_ham,
            "posterior_spam": posterior,
            "predicted": "spam" if posterior > 0.5 else "ham",
        },
        narrative=narrative,
    )


# --- 1-3 information theory ---------------------------------------------------------------

UNIT = ChoiceParam("unit", "bit", choices=("bit", "nat"), help="単位（bit: log₂、nat: 自然対数）")


def _base(unit: str) -> float | None:
    return 2.0 if unit == "bit" else None


def _distribution(p: list[float], name: str, demo_id: str) -> np.ndarray:
    array = np.array(p)
    if abs(array.sum() - 1) > 1e-9:
        raise ParameterError(
            f"In demo {demo_id} {name} must sum to 1 (it sums to {array.sum():.10g})."
        )
    return array


@demo(
    "info-entropy",
    title="自己情報量とエントロピー",
    description="各事象の自己情報量 −log P(x) と、その期待値であるエントロピー H(P) を計算する。",
    syllabus=INFORMATION,
    params=(
        ListParam("p", [0.5, 0.25, 0.125, 0.125], min=0, max=1, help="確率分布"),
        UNIT,
    ),
)
def info_entropy(p: list[float], unit: str) -> DemoResult:
    dist = _distribution(p, "p", "info-entropy")
    base = _base(unit)
    info = information.self_information(dist, base)
    h = information.entropy(dist, base)
    h_max = math.log(dist.size, base) if base else math.log(dist.size)
    narrative = "\n".join(
        [
            f"P = {_fmt(dist)}（単位 {unit}）。",
            "",
            "- 自己情報量 $I(x) = -\\log P(x)$: "
            + ", ".join("∞" if np.isinf(v) else f"{v:.6g}" for v in info)
            + "（まれな事象ほど大きい）",
            f"- エントロピー $H(P) = -\\sum_x P(x) \\log P(x)$ = **{h:.10g}** {unit}（自己情報量の期待値。$0 \\log 0 = 0$ とする）",
            f"- 事象が {dist.size} 個のときの最大値 log {dist.size} = {h_max:.10g} {unit}（一様分布のとき）",
        ]
    )
    return DemoResult(
        values={
            "entropy": h,
            "self_information": [None if np.isinf(v) else float(v) for v in info],
            "max_entropy": h_max,
            "is_uniform": bool(np.allclose(dist, 1 / dist.size)),
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="確率と自己情報量",
                x=list(range(dist.size)),
                series={
                    "P(x)": dist.tolist(),
                    "I(x)": [0.0 if np.isinf(v) else float(v) for v in info],
                },
            )
        ],
    )


@demo(
    "info-divergences",
    title="交差エントロピー・KL ダイバージェンス・JS ダイバージェンス",
    description="2 つの分布 P, Q について H(P), H(P, Q), D_KL(P‖Q), D_KL(Q‖P), D_JS(P‖Q) を計算し、関係を確かめる。",
    syllabus=INFORMATION,
    params=(
        ListParam("p", [0.5, 0.5], min=0, max=1, help="分布 P"),
        ListParam("q", [0.9, 0.1], min=0, max=1, help="分布 Q"),
        ChoiceParam("unit", "nat", choices=("bit", "nat"), help="単位（bit: log₂、nat: 自然対数）"),
    ),
)
def info_divergences(p: list[float], q: list[float], unit: str) -> DemoResult:
    pd, qd = _distribution(p, "p", "info-divergences"), _distribution(q, "q", "info-divergences")
    if pd.size != qd.size:
        raise ParameterError(
            "In demo info-divergences p and q must have the same number of elements."
        )
    base = _base(unit)
    values = {
        "entropy_p": information.entropy(pd, base),
        "entropy_q": information.entropy(qd, base),
        "cross_entropy_pq": information.cross_entropy(pd, qd, base),
        "cross_entropy_qp": information.cross_entropy(qd, pd, base),
        "kl_pq": information.kl_divergence(pd, qd, base),
        "kl_qp": information.kl_divergence(qd, pd, base),
        "js": information.js_divergence(pd, qd, base),
        "js_max": math.log(2, base) if base else math.log(2),
    }
    values["kl_pq_infinite"] = math.isinf(values["kl_pq"])
    values["kl_qp_infinite"] = math.isinf(values["kl_qp"])
    for key in ("cross_entropy_pq", "cross_entropy_qp", "kl_pq", "kl_qp"):
        if math.isinf(values[key]):
            values[key] = None  # JSON has no infinity; the *_infinite flags say so

    def show(key):
        return "∞" if values[key] is None else f"{values[key]:.10g}"

    narrative = "\n".join(
        [
            f"P = {_fmt(pd)}、Q = {_fmt(qd)}（単位 {unit}）。",
            "",
            f"- $H(P)$ = {values['entropy_p']:.10g}、$H(P, Q) = -\\sum P \\log Q$ = {show('cross_entropy_pq')}",
            f"- $D_{{KL}}(P \\| Q) = H(P, Q) - H(P)$ = **{show('kl_pq')}**",
            f"- $D_{{KL}}(Q \\| P)$ = **{show('kl_qp')}**（向きを変えると値が変わる：非対称）",
            f"- $D_{{JS}}(P \\| Q) = \\frac{{1}}{{2}} D_{{KL}}(P \\| M) + \\frac{{1}}{{2}} D_{{KL}}(Q \\| M)$, $M = \\frac{{P + Q}}{{2}}$ = **{values['js']:.10g}**"
            f"（対称で、最大でも log 2 = {values['js_max']:.6g}）",
        ]
    )
    return DemoResult(
        values=values,
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="P と Q",
                x=list(range(pd.size)),
                series={"P": pd.tolist(), "Q": qd.tolist()},
            )
        ],
    )


@demo(
    "info-joint",
    title="結合エントロピー・条件付きエントロピー・相互情報量",
    description="同時分布 P(X, Y) から H(X), H(Y), H(X, Y), H(Y|X), H(X|Y), I(X; Y) を計算する。",
    syllabus=INFORMATION,
    params=(
        MatrixParam(
            "P",
            [[0.25, 0.25], [0.0, 0.5]],
            min=0,
            max=1,
            help="同時確率 P(X=i, Y=j)（行が X、列が Y）",
        ),
        UNIT,
    ),
)
def info_joint(P: list[list[float]], unit: str) -> DemoResult:
    table = _joint_param(P, "info-joint")
    base = _base(unit)
    px, py = information.marginals(table)
    values = {
        "H_x": information.entropy(px, base),
        "H_y": information.entropy(py, base),
        "H_xy": information.joint_entropy(table, base),
        "H_y_given_x": information.conditional_entropy(table, base),
        "H_x_given_y": information.conditional_entropy(table.T, base),
        "mutual_information": information.mutual_information(table, base),
    }
    narrative = "\n".join(
        [
            f"P(X, Y) = {_fmt(table)}（単位 {unit}）。周辺分布 P(X) = {_fmt(px)}、P(Y) = {_fmt(py)}。",
            "",
            f"- H(X) = {values['H_x']:.10g}、H(Y) = {values['H_y']:.10g}",
            f"- 結合エントロピー H(X, Y) = **{values['H_xy']:.10g}**",
            f"- 条件付きエントロピー H(Y|X) = H(X, Y) − H(X) = **{values['H_y_given_x']:.10g}**、H(X|Y) = {values['H_x_given_y']:.10g}",
            f"- 相互情報量 I(X; Y) = H(X) + H(Y) − H(X, Y) = H(Y) − H(Y|X) = **{values['mutual_information']:.10g}**"
            "（X を知ることで減る Y の不確かさ。独立なら 0）",
        ]
    )
    return DemoResult(values=values, narrative=narrative)
