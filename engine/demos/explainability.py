"""Demos on explaining a network's decision (syllabus 4-9): saliency, CAM and Grad-CAM on a
small conv net, Integrated Gradients, LIME and exact Shapley values.

Two small models are trained at call time (memoised per seed):

- a conv net, Conv(two fixed 3×3 line detectors) → ReLU → global average pooling → Affine, that tells an
  8×8 image with a vertical bar (class 0) from one with a horizontal bar (class 1);
- a tabular net with four inputs, of which only x₀ and x₁ matter (the two-moons data) and
  x₂, x₃ are noise, that outputs the probability of class 1.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from engine import explain, functions, optim
from engine.datasets import make_moons
from engine.demos.registry import (
    ChoiceParam,
    DemoResult,
    FloatParam,
    IntParam,
    ListParam,
    ParameterError,
    Plot,
    demo,
)
from engine.layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss
from engine.nets import MultiLayerNet

SYLLABUS_XAI = ("4-9 深層学習の説明性",)
SIZE = 8
CLASSES = ("縦棒", "横棒")


# --- the conv net -------------------------------------------------------------------------------


def bar_image(
    vertical: int | None, horizontal: int | None, noise: float = 0.0, rng=None
) -> np.ndarray:
    """An 8×8 image with a vertical bar at column ``vertical`` (rows 1–6) and/or a horizontal
    bar at row ``horizontal`` (columns 1–6), plus Gaussian noise."""
    image = np.zeros((SIZE, SIZE))
    if vertical is not None:
        image[1:7, vertical] = 1.0
    if horizontal is not None:
        image[horizontal, 1:7] = 1.0
    if noise:
        image += noise * np.random.default_rng(rng).standard_normal(image.shape)
    return image


def line_detectors() -> np.ndarray:
    """Two fixed 3×3 filters: a vertical-line detector (−1, 2, −1 across each row) and its
    transpose, a horizontal-line detector. Each gives 0 on a flat patch and on a line of the
    other orientation."""
    vertical = np.tile([-1.0, 2.0, -1.0], (3, 1))
    return np.stack([vertical, vertical.T])[:, None]


class BarNet:
    """Conv(2 fixed line detectors 3×3, pad 1) → ReLU → GAP → Affine(2 → 2), on the engine's
    layers. Only the Affine layer is trained."""

    def __init__(self, seed: int):
        rng = np.random.default_rng(seed)
        self.conv = Convolution(line_detectors(), np.zeros(2), pad=1)
        self.relu = Relu()
        self.gap = Pooling(SIZE, SIZE, mode="avg")  # global average pooling
        self.fc = Affine(rng.standard_normal((2, 2)) * 0.1, np.zeros(2))

    def forward(self, x):
        """Scores (N, 2); keeps the feature maps A = ReLU(conv(x)) in ``self.A``."""
        self.A = self.relu.forward(self.conv.forward(x))
        return self.fc.forward(self.gap.forward(self.A))

    def backward(self, dscores):
        """Backpropagate ∂/∂scores; returns (∂/∂A, ∂/∂x)."""
        dA = self.gap.backward(self.fc.backward(dscores).reshape(-1, 2, 1, 1))
        return dA, self.conv.backward(self.relu.backward(dA))


@cache
def _bar_net(seed: int) -> BarNet:
    rng = np.random.default_rng(seed)
    net = BarNet(seed)
    loss = SoftmaxWithLoss()
    optimizer = optim.Adam(lr=0.1)
    rows = np.arange(SIZE)
    for _ in range(60):
        labels = rng.integers(0, 2, 32)
        positions = rng.integers(1, SIZE - 1, 32)
        # Vertical bars (class 0) at column p, rows 1–6; horizontal bars (class 1) at row p.
        along = (rows >= 1) & (rows <= SIZE - 2)
        at = rows[None, :] == positions[:, None]
        bars = np.where(
            (labels == 0)[:, None, None],
            along[None, :, None] & at[:, None, :],
            at[:, :, None] & along[None, None, :],
        )
        x = (bars + 0.1 * rng.standard_normal(bars.shape))[:, None]
        loss.forward(net.forward(x), labels)
        net.fc.backward(loss.backward())  # the filters are fixed: only the head needs gradients
        optimizer.update({"W": net.fc.W, "b": net.fc.b}, {"W": net.fc.dW, "b": net.fc.db})
    return net


@demo(
    "xai-grad-cam",
    title="Grad-CAM・CAM・サリエンシーマップ",
    description=(
        "縦棒と横棒を見分ける小さな CNN（縦線・横線を検出する固定の 3×3 フィルタ → ReLU → GAP → Affine、Affine を engine で学習）に、縦棒と横棒が"
        "両方ある画像を入れ、指定したクラスの Grad-CAM（勾配の GAP を重みにした特徴マップの和の ReLU）、"
        "CAM、入力についての勾配（サリエンシー）を計算する。"
    ),
    syllabus=SYLLABUS_XAI,
    params=(
        ChoiceParam(
            "target", "vertical", choices=("vertical", "horizontal"), help="説明するクラス"
        ),
        IntParam("column", 2, min=1, max=6, help="縦棒の列"),
        IntParam("row", 5, min=1, max=6, help="横棒の行"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="学習の乱数シード"),
    ),
)
def grad_cam_demo(target: str, column: int, row: int, seed: int) -> DemoResult:
    net = _bar_net(seed)
    c = 0 if target == "vertical" else 1
    x = bar_image(column, row)[None, None]
    scores = net.forward(x)
    A = net.A[0]
    dscores = np.zeros_like(scores)
    dscores[0, c] = 1.0  # ∂y^c/∂(scores)
    dA, dx = net.backward(dscores)
    alpha = explain.grad_cam_weights(dA[0])
    cam_grad = explain.grad_cam(A, dA[0])
    cam = explain.class_activation_map(A, net.fc.W[:, c])
    saliency = explain.saliency_map(dx[0])
    # On the target bar's pixels versus the other bar's (their crossing counts for neither).
    on_vertical = np.zeros((SIZE, SIZE), dtype=bool)
    on_vertical[1:7, column] = True
    on_horizontal = np.zeros((SIZE, SIZE), dtype=bool)
    on_horizontal[row, 1:7] = True
    crossing = on_vertical & on_horizontal
    mine, other = (on_vertical, on_horizontal) if c == 0 else (on_horizontal, on_vertical)
    mine, other = mine & ~crossing, other & ~crossing
    mean_on_target, mean_on_other = float(cam_grad[mine].mean()), float(cam_grad[other].mean())
    peak = np.unravel_index(np.argmax(cam_grad), cam_grad.shape)
    # With GAP → Affine, ∂y^c/∂A^k_ij = w^c_k / (H·W) at every pixel: Grad-CAM = ReLU(CAM) / (H·W).
    gap_identity_error = float(np.abs(cam_grad - functions.relu(cam) / SIZE**2).max())
    probs = functions.softmax(scores[0])
    narrative = "\n".join(
        [
            f"縦棒（列 {column}）と横棒（行 {row}）がある 8×8 画像。予測確率は 縦棒 {probs[0]:.3f}、横棒 {probs[1]:.3f}。"
            f"クラス「{CLASSES[c]}」を説明する。",
            "",
            f"- Grad-CAM の重み $\\alpha_k = \\frac{{1}}{{Z}}\\sum_{{i,j}} \\frac{{\\partial y^c}}{{\\partial A^k_{{ij}}}}$: {np.round(alpha, 5).tolist()}",
            f"- $L^c = \\mathrm{{ReLU}}(\\sum_k \\alpha_k A^k)$ の平均：{CLASSES[c]}の画素で **{mean_on_target:.4f}**、"
            f"もう一方の棒の画素で {mean_on_other:.4f}（最大は行 {peak[0]}・列 {peak[1]}）",
            f"- このネットは GAP → Affine で終わるので、Grad-CAM は CAM（$\\sum_k w^c_k A^k$）の ReLU を $H W = {SIZE**2}$ で割ったものと一致する"
            f"（差の最大 {gap_identity_error:.1e}）。Grad-CAM は GAP がないネットにも使える。",
            "",
            "サリエンシーマップは入力の画素についての勾配の絶対値 $|\\partial y^c / \\partial x|$ で、画素単位だがノイズが多い。",
        ]
    )
    return DemoResult(
        values={
            "probs": probs.tolist(),
            "alpha": alpha.tolist(),
            "grad_cam": cam_grad.tolist(),
            "cam": cam.tolist(),
            "saliency": saliency.tolist(),
            "mean_on_target": mean_on_target,
            "mean_on_other": mean_on_other,
            "peak": [int(peak[0]), int(peak[1])],
            "gap_identity_error": gap_identity_error,
        },
        narrative=narrative,
        plots=[
            Plot(kind="heatmap", title="入力画像", z=x[0, 0].tolist()),
            Plot(kind="heatmap", title=f"Grad-CAM（{CLASSES[c]}）", z=cam_grad.tolist()),
            Plot(kind="heatmap", title="サリエンシーマップ", z=saliency.tolist()),
        ],
    )


# --- the tabular net ------------------------------------------------------------------------------


@cache
def _tabular_net(seed: int) -> MultiLayerNet:
    """P(class 1 | x) for x = (moon x₀, moon x₁, noise x₂, noise x₃): a 4-16-2 tanh net."""
    points, t = make_moons(200, noise=0.1, seed=seed)
    noise = 0.5 * np.random.default_rng(seed + 1).standard_normal((200, 2))
    x = np.hstack([points, noise])
    net = MultiLayerNet(4, [16], 2, activation="tanh", weight_init="xavier", seed=seed)
    optimizer = optim.Adam(lr=0.05)
    for _ in range(300):
        optimizer.update(net.params, net.gradient(x, t))
    return net


def _probability(net, x) -> np.ndarray:
    """f(x) = P(class 1 | x), for a batch (m, 4)."""
    return functions.softmax(net.predict(np.atleast_2d(x)))[:, 1]


def _probability_gradient(net, x) -> np.ndarray:
    """∂f/∂x for a batch, by backpropagation through the engine's layers:
    ∂p₁/∂scores = p₁ (e₁ − p), then each layer's backward."""
    probs = functions.softmax(net.predict(np.atleast_2d(x)))
    dout = probs[:, 1:2] * (np.eye(2)[1] - probs)
    for layer in reversed(net.layers.values()):
        dout = layer.backward(dout)
    return dout


FEATURE_LIST = dict(min=-5.0, max=5.0, min_length=4, max_length=4)


@demo(
    "xai-integrated-gradients",
    title="Integrated Gradients と完全性（completeness）",
    description=(
        "4 入力のネット（x₀, x₁ だけが意味を持ち、x₂, x₃ はノイズ）の出力 f(x) = P(クラス 1) について、"
        "ベースライン x' から x への直線上の勾配をリーマン和で積分し、(x − x') を掛けて各特徴の寄与とする。"
        "寄与の和が f(x) − f(x') に近づくことを確かめる。"
    ),
    syllabus=SYLLABUS_XAI,
    params=(
        ListParam("x", [1.0, -0.3, 0.5, -0.5], help="説明する入力 x", **FEATURE_LIST),
        ListParam("baseline", [-1.0, 1.0, 0.0, 0.0], help="ベースライン x'", **FEATURE_LIST),
        IntParam("steps", 50, min=1, max=2000, help="リーマン和の分割数 m"),
        ChoiceParam("rule", "right", choices=explain.RULES, help="リーマン和のとり方"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="学習の乱数シード"),
    ),
)
def integrated_gradients_demo(x, baseline, steps: int, rule: str, seed: int) -> DemoResult:
    net = _tabular_net(seed)
    xs, base = np.asarray(x), np.asarray(baseline)
    ig = explain.integrated_gradients(
        lambda batch: _probability_gradient(net, batch), xs, base, steps, rule
    )
    f_x, f_base = float(_probability(net, xs)[0]), float(_probability(net, base)[0])
    grad_x = _probability_gradient(net, xs)[0]
    error = float(ig.sum() - (f_x - f_base))
    grid = [1, 2, 5, 10, 20, 50, 100]
    errors = [
        abs(
            float(
                explain.integrated_gradients(
                    lambda b: _probability_gradient(net, b), xs, base, m, rule
                ).sum()
            )
            - (f_x - f_base)
        )
        for m in grid
    ]
    gxi = grad_x * (xs - base)
    narrative = "\n".join(
        [
            f"$f(x) = {f_x:.6f}$、$f(x') = {f_base:.6f}$、差 $f(x) - f(x') = {f_x - f_base:.6f}$。",
            "",
            f"- Integrated Gradients（{rule}、m = {steps}）: {np.round(ig, 6).tolist()}、和 **{ig.sum():.6f}**",
            f"- 完全性の誤差 $\\sum_i IG_i - (f(x) - f(x'))$ = {error:.2e}（m を増やすと 0 に近づく）",
            f"- 比較：勾配 × 差 $\\frac{{\\partial f}}{{\\partial x_i}}(x)(x_i - x'_i)$ = {np.round(gxi, 6).tolist()}、和 {gxi.sum():.6f}（完全性を満たさない）",
            "",
            "$IG_i = (x_i - x'_i) \\int_0^1 \\frac{\\partial f(x' + \\alpha(x - x'))}{\\partial x_i} d\\alpha$。"
            "x と x' で値が同じ特徴の寄与は 0 になる（x₂ や x₃ のベースラインを x と同じ値にして試せる）。",
        ]
    )
    return DemoResult(
        values={
            "attributions": ig.tolist(),
            "attribution_sum": float(ig.sum()),
            "f_x": f_x,
            "f_baseline": f_base,
            "difference": f_x - f_base,
            "completeness_error": error,
            "gradient_times_input": gxi.tolist(),
            "gradient_times_input_sum": float(gxi.sum()),
            "steps_grid": grid,
            "completeness_errors": errors,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="分割数 m と完全性の誤差（絶対値）",
                x=grid,
                series={"|error|": errors},
                x_label="m",
            ),
            Plot(
                kind="bar",
                title="各特徴の寄与",
                x=["x0", "x1", "x2", "x3"],
                series={"IG": ig.tolist(), "勾配×差": gxi.tolist()},
            ),
        ],
    )


def _model(name: str, weights, seed: int):
    """The model to explain: the tabular net's P(class 1), or the linear f(x) = w·x."""
    if name == "linear":
        w = np.asarray(weights, dtype=np.float64)
        return lambda batch: np.atleast_2d(batch) @ w
    net = _tabular_net(seed)
    return lambda batch: _probability(net, batch)


@demo(
    "xai-lime",
    title="LIME：局所的な線形モデルで近似する",
    description=(
        "入力の特徴をランダムにオン（x の値）とオフ（ベースラインの値）にした摂動サンプルを作り、"
        "x に近いサンプルほど大きな重みで、モデルの出力を線形モデルで近似する（重み付き最小二乗法）。"
    ),
    syllabus=SYLLABUS_XAI,
    params=(
        ChoiceParam(
            "model",
            "mlp",
            choices=("mlp", "linear"),
            help="説明するモデル（mlp: 4 入力のネット、linear: w·x）",
        ),
        ListParam("x", [1.0, -0.3, 0.5, -0.5], help="説明する入力 x", **FEATURE_LIST),
        ListParam(
            "baseline", [-1.0, 1.0, 0.0, 0.0], help="特徴を「オフ」にしたときの値", **FEATURE_LIST
        ),
        ListParam("weights", [2.0, -1.0, 0.5, 0.0], help="linear モデルの重み w", **FEATURE_LIST),
        IntParam("samples", 200, min=10, max=5000, help="摂動サンプルの数"),
        FloatParam(
            "kernel_width",
            1.5,
            min=0.05,
            max=100.0,
            help="カーネル幅 σ（小さいほど x の近くだけを見る）",
        ),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード"),
    ),
)
def lime_demo(
    model: str, x, baseline, weights, samples: int, kernel_width: float, seed: int
) -> DemoResult:
    f = _model(model, weights, seed)
    coef, intercept, r2 = explain.lime_explain(f, x, baseline, samples, kernel_width, rng=seed)
    xs, base = np.asarray(x), np.asarray(baseline)
    f_x = float(f(xs)[0])
    narrative = "\n".join(
        [
            f"{samples} 個の摂動サンプル（各特徴をオン／オフ）で、重み $\\pi = \\exp(-D^2/\\sigma^2)$（σ = {kernel_width:g}）を付けて"
            "線形モデル $g(z') = w_0 + \\sum_i w_i z'_i$ を当てはめた。",
            "",
            f"- 各特徴の係数（局所的な重要度）: {np.round(coef, 6).tolist()}",
            f"- 切片 {intercept:.6f}、重み付き決定係数 $R^2$ = {r2:.4f}（局所的な忠実度）",
            f"- $f(x) = {f_x:.6f}$",
            "",
            "LIME はモデルの中身を使わない（モデル非依存）。線形モデルなら係数は $w_i (x_i - x'_i)$ と一致する。"
            "非線形なモデルでは結果がサンプルやカーネル幅で変わる。",
        ]
    )
    return DemoResult(
        values={
            "coefficients": coef.tolist(),
            "intercept": intercept,
            "r2": r2,
            "f_x": f_x,
            "linear_reference": (np.asarray(weights) * (xs - base)).tolist(),
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="LIME の係数",
                x=["x0", "x1", "x2", "x3"],
                series={"coefficient": coef.tolist()},
            )
        ],
    )


@demo(
    "xai-shapley-game",
    title="シャープレイ値：協力ゲームの厳密計算",
    description=(
        "n 人の協力ゲームの特性関数 v(S)（2ⁿ 個の提携の値）から、すべての提携を数え上げて"
        "シャープレイ値 φ_i を厳密に計算する。values[m] は m の 2 進数で 1 の桁のプレイヤーからなる提携の値。"
    ),
    syllabus=SYLLABUS_XAI,
    params=(
        ListParam(
            "values",
            [0.0, 10.0, 20.0, 50.0, 30.0, 60.0, 70.0, 100.0],
            min=-1e6,
            max=1e6,
            min_length=2,
            max_length=64,
            help="v(S)：v(∅), v({0}), v({1}), v({0,1}), v({2}), …",
        ),
    ),
)
def shapley_game(values) -> DemoResult:
    v = np.asarray(values, dtype=np.float64)
    n = v.size.bit_length() - 1
    if 2**n != v.size:
        raise ParameterError(
            f"In demo xai-shapley-game values must have 2ⁿ elements (2, 4, 8, …), got {v.size}."
        )
    phi = explain.shapley_values(v)
    masks = explain.coalition_masks(n)
    names = ["{" + ",".join(str(i) for i in np.flatnonzero(m)) + "}" for m in masks]
    narrative = "\n".join(
        [
            f"{n} 人のゲーム："
            + "、".join(
                f"v({nm.replace('{}', '∅')}) = {val:g}" for nm, val in zip(names, v, strict=True)
            ),
            "",
            "$\\phi_i = \\sum_{S \\subseteq N \\setminus \\{i\\}} \\frac{|S|!(n - |S| - 1)!}{n!}(v(S \\cup \\{i\\}) - v(S))$",
            "",
            f"- シャープレイ値: {np.round(phi, 6).tolist()}",
            f"- 和 {phi.sum():.6g} $= v(N) - v(\\emptyset) = {v[-1] - v[0]:g}$（効率性）",
            "",
            "φ_i は、プレイヤーが 1 人ずつ加わるすべての順番（n! 通り）で i が加わったときの貢献（限界貢献）の平均。",
        ]
    )
    return DemoResult(
        values={
            "phi": phi.tolist(),
            "phi_sum": float(phi.sum()),
            "grand_minus_empty": float(v[-1] - v[0]),
            "players": n,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="シャープレイ値",
                x=[f"player {i}" for i in range(n)],
                series={"φ": phi.tolist()},
            )
        ],
    )


@demo(
    "xai-shapley-model",
    title="SHAP：モデルの出力をシャープレイ値で特徴に分ける",
    description=(
        "特徴の集合 S を x の値、残りをベースラインの値にしたモデルの出力を v(S) とし、4 つの特徴の"
        "シャープレイ値を厳密に計算する（16 個の提携を数え上げる）。"
    ),
    syllabus=SYLLABUS_XAI,
    params=(
        ChoiceParam(
            "model",
            "mlp",
            choices=("mlp", "linear"),
            help="説明するモデル（mlp: 4 入力のネット、linear: w·x）",
        ),
        ListParam("x", [1.0, -0.3, 0.5, -0.5], help="説明する入力 x", **FEATURE_LIST),
        ListParam("baseline", [-1.0, 1.0, 0.0, 0.0], help="ベースライン x'", **FEATURE_LIST),
        ListParam("weights", [2.0, -1.0, 0.5, 0.0], help="linear モデルの重み w", **FEATURE_LIST),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="学習の乱数シード"),
    ),
)
def shapley_model(model: str, x, baseline, weights, seed: int) -> DemoResult:
    f = _model(model, weights, seed)
    v = explain.model_coalition_values(f, x, baseline)
    phi = explain.shapley_values(v)
    xs, base = np.asarray(x), np.asarray(baseline)
    narrative = "\n".join(
        [
            f"$v(S) = f(x_S, x'_{{\\bar{{S}}}})$：$f(x) = v(N) = {v[-1]:.6f}$、$f(x') = v(\\emptyset) = {v[0]:.6f}$。",
            "",
            f"- シャープレイ値（SHAP 値）: {np.round(phi, 6).tolist()}",
            f"- 和 {phi.sum():.6f} $= f(x) - f(x')$（効率性）",
            "",
            "線形モデル $f = w \\cdot x$ なら $\\phi_i = w_i (x_i - x'_i)$。x と x' で値が同じ特徴、"
            "モデルが使わない特徴の値は 0（ダミー性）。",
        ]
    )
    return DemoResult(
        values={
            "phi": phi.tolist(),
            "phi_sum": float(phi.sum()),
            "f_x": float(v[-1]),
            "f_baseline": float(v[0]),
            "linear_reference": (np.asarray(weights) * (xs - base)).tolist(),
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar", title="SHAP 値", x=["x0", "x1", "x2", "x3"], series={"φ": phi.tolist()}
            )
        ],
    )
