"""Demos on feed-forward networks (Day1): the affine layer and its shapes, activation functions
and their derivatives, output layers and losses, gradient descent and the learning rate,
mini-batches and epochs, numerical differentiation against backpropagation, the
computational graph, and the backward pass of the basic layers.

Everything runs on the engine: ``engine.layers`` (Affine, Relu, Sigmoid, Tanh,
SoftmaxWithLoss), ``engine.functions`` (activations, softmax, losses, numerical_gradient),
``engine.optim.SGD`` and ``engine.nets``.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np

from engine import functions, information, optim
from engine.datasets import make_xor
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
from engine.gradcheck import relative_error
from engine.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss, Tanh
from engine.nets import MultiLayerNet, train

FORWARD = ("3-1 順伝播型ネットワーク",)
OPTIMIZATION = ("3-2 深層モデルのための最適化",)
SEED = IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード")


def _fmt(values, digits: int = 6) -> str:
    text = np.array2string(
        np.asarray(values, dtype=np.float64), precision=digits, suppress_small=True, separator=", "
    )
    return " ".join(text.split())


def _gelu_derivative(x):
    """GELU'(x) = Φ(x) + x·φ(x)."""
    x = np.asarray(x, dtype=np.float64)
    cdf = 0.5 * (1 + functions._erf(x / math.sqrt(2)))
    return cdf + x * np.exp(-(x**2) / 2) / math.sqrt(2 * math.pi)


ACTIVATION_NAMES = ("step", "sigmoid", "tanh", "relu", "leaky_relu", "gelu", "identity")


def activation_and_derivative(name: str, x: np.ndarray, alpha: float = 0.01):
    """f(x) and f'(x) elementwise. Where the engine has a layer, f' comes from its backward."""
    x = np.asarray(x, dtype=np.float64)
    ones = np.ones_like(x)
    if name in ("sigmoid", "tanh", "relu"):
        layer = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": Relu}[name]()
        return layer.forward(x), layer.backward(ones)  # dL/dx with dL/dy = 1 is f'(x)
    if name == "step":
        return functions.step(x), np.zeros_like(x)  # flat everywhere (undefined at 0)
    if name == "leaky_relu":
        return functions.leaky_relu(x, alpha), np.where(x > 0, 1.0, alpha)
    if name == "gelu":
        return functions.gelu(x), _gelu_derivative(x)
    return x.copy(), ones  # identity


def _numerical_derivative(name: str, x: np.ndarray, alpha: float) -> np.ndarray:
    """f'(x_i) by central differences, all points at once (f is elementwise)."""
    h = 1e-5
    plus = activation_and_derivative(name, x + h, alpha)[0]
    minus = activation_and_derivative(name, x - h, alpha)[0]
    return (plus - minus) / (2 * h)


# --- Section 1: the affine layer ----------------------------------------------------------


@demo(
    "ff-affine-forward",
    title="入力層から中間層へ：u = xW + b",
    description="入力 x、重み W、バイアス b から総入力 u = xW + b（np.dot）と活性化後の出力 z を、engine.layers.Affine で計算する。",
    syllabus=FORWARD,
    params=(
        MatrixParam("x", [[1.0, 2.0]], min=-1e6, max=1e6, max_rows=32, help="入力（行がデータ）"),
        MatrixParam(
            "W",
            [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]],
            min=-1e6,
            max=1e6,
            help="重み W（入力数×出力数）",
        ),
        ListParam("b", [0.1, 0.2, 0.3], min=-1e6, max=1e6, help="バイアス b"),
        ChoiceParam(
            "activation",
            "identity",
            choices=("identity", "relu", "sigmoid", "tanh"),
            help="活性化関数",
        ),
    ),
)
def ff_affine_forward(x, W, b, activation: str) -> DemoResult:
    xa, wa, ba = np.array(x), np.array(W), np.array(b)
    if xa.shape[1] != wa.shape[0]:
        raise ParameterError(
            f"In demo ff-affine-forward W must have as many rows as x has columns ({xa.shape[1]})."
        )
    if ba.size != wa.shape[1]:
        raise ParameterError(
            f"In demo ff-affine-forward b must have one element per column of W ({wa.shape[1]})."
        )
    u = Affine(wa, ba).forward(xa)
    z, _ = activation_and_derivative(activation, u)
    narrative = "\n".join(
        [
            f"x の形 {xa.shape}、W の形 {wa.shape}、b の形 {ba.shape}。",
            "",
            f"- 総入力 $u = xW + b$（`np.dot(x, W) + b`）= {_fmt(u)}、形 {u.shape}",
            f"- 活性化関数 {activation} を通した出力 z = {_fmt(z)}",
            "",
            "行列積の内側の次元（x の列数 = W の行数）が消えて、出力の形は（データ数, 出力ユニット数）になる。"
            "b は各行に同じものが足される（ブロードキャスト）。",
        ]
    )
    return DemoResult(
        values={"u": u.tolist(), "z": z.tolist(), "u_shape": list(u.shape)}, narrative=narrative
    )


@demo(
    "ff-affine-shapes",
    title="Affine レイヤの形：順伝播と逆伝播",
    description="バッチ N、入力 D、出力 H の Affine レイヤを engine 上で順伝播・逆伝播し、各配列の形とパラメータ数を調べる。",
    syllabus=FORWARD + OPTIMIZATION,
    params=(
        IntParam("N", 100, min=1, max=1000, help="バッチサイズ N"),
        IntParam("D", 784, min=1, max=4096, help="入力の次元 D"),
        IntParam("H", 50, min=1, max=4096, help="出力ユニット数 H"),
        SEED,
    ),
)
def ff_affine_shapes(N: int, D: int, H: int, seed: int) -> DemoResult:
    if N * D + D * H > 5_000_000:
        raise ParameterError("In demo ff-affine-shapes N·D + D·H must not exceed 5,000,000.")
    rng = np.random.default_rng(seed)
    layer = Affine(rng.standard_normal((D, H)) * 0.01, np.zeros(H))
    x = rng.standard_normal((N, D))
    out = layer.forward(x)
    dx = layer.backward(np.ones_like(out))
    values = {
        "x_shape": list(x.shape),
        "W_shape": list(layer.W.shape),
        "b_shape": list(layer.b.shape),
        "out_shape": list(out.shape),
        "dx_shape": list(dx.shape),
        "dW_shape": list(layer.dW.shape),
        "db_shape": list(layer.db.shape),
        "n_params": int(layer.W.size + layer.b.size),
        "db_equals_batch_sum": bool(np.allclose(layer.db, np.ones_like(out).sum(axis=0))),
    }
    narrative = "\n".join(
        [
            f"X ({N}, {D}) · W ({D}, {H}) + b ({H},) → 出力 {tuple(out.shape)}。",
            "",
            f"- 逆伝播: $\\frac{{\\partial L}}{{\\partial X}} = \\frac{{\\partial L}}{{\\partial Y}} W^\\top$ → {tuple(dx.shape)}（X と同じ形）",
            f"- $\\frac{{\\partial L}}{{\\partial W}} = X^\\top \\frac{{\\partial L}}{{\\partial Y}}$ → {tuple(layer.dW.shape)}（W と同じ形）",
            f"- $\\frac{{\\partial L}}{{\\partial b}}$ = バッチ方向の和 → {tuple(layer.db.shape)}（b と同じ形）",
            f"- パラメータ数 D·H + H = {values['n_params']:,}",
        ]
    )
    return DemoResult(values=values, narrative=narrative)


@demo(
    "ff-parameter-count",
    title="全結合ネットワークのパラメータ数",
    description="層のユニット数を並べて engine.nets.MultiLayerNet を作り、重みとバイアスの数を数える。",
    syllabus=FORWARD,
    params=(
        ListParam(
            "sizes",
            [784.0, 50.0, 100.0, 10.0],
            min=1,
            max=10000,
            min_length=2,
            max_length=10,
            help="各層のユニット数（入力層から）",
        ),
    ),
)
def ff_parameter_count(sizes) -> DemoResult:
    if not all(float(s).is_integer() for s in sizes):
        raise ParameterError("In demo ff-parameter-count sizes must hold whole numbers.")
    units = [int(s) for s in sizes]
    if sum(a * b for a, b in itertools.pairwise(units)) > 5_000_000:
        raise ParameterError(
            "In demo ff-parameter-count the net must have at most 5,000,000 weights."
        )
    net = MultiLayerNet(units[0], units[1:-1], units[-1], activation="relu")
    per_layer = [
        int(net.params[f"W{i}"].size + net.params[f"b{i}"].size) for i in range(1, len(units))
    ]
    total = int(sum(p.size for p in net.params.values()))
    narrative = (
        f"ユニット数 {units} の全結合ネットワーク。層ごとのパラメータ数（重み n_in·n_out + バイアス n_out）は "
        f"{per_layer}、合計 **{total:,}**。重みを持つ層は {len(units) - 1} 層。"
    )
    return DemoResult(
        values={"per_layer": per_layer, "n_params": total, "weight_layers": len(units) - 1},
        narrative=narrative,
    )


# --- Section 2: activation functions ------------------------------------------------------


@demo(
    "ff-activation",
    title="活性化関数とその導関数",
    description="ステップ・シグモイド・tanh・ReLU・Leaky ReLU・GELU・恒等関数の値と導関数を、指定した点と格子上で計算する。",
    syllabus=FORWARD + OPTIMIZATION,
    params=(
        ChoiceParam("function", "relu", choices=ACTIVATION_NAMES, help="活性化関数"),
        ListParam("x", [-2.0, -0.5, 0.5, 2.0], min=-100, max=100, help="評価する点"),
        FloatParam("alpha", 0.01, min=0.0, max=1.0, help="Leaky ReLU の負側の傾き α"),
    ),
)
def ff_activation(function: str, x, alpha: float) -> DemoResult:
    points = np.array(x)
    y, dy = activation_and_derivative(function, points, alpha)
    numerical = _numerical_derivative(function, points, alpha)
    grid = np.linspace(-5, 5, 2001)
    gy, gdy = activation_and_derivative(function, grid, alpha)
    best = int(np.argmax(gdy))
    narrative = "\n".join(
        [
            f"{function} を x = {_fmt(points)} で評価した。",
            "",
            f"- f(x) = {_fmt(y)}",
            f"- f'(x) = {_fmt(dy)}（中心差分による数値微分 {_fmt(numerical)}）",
            f"- 区間 [−5, 5] での f の最小値 {gy.min():.6g}（x = {grid[np.argmin(gy)]:.4g}）、"
            f"f' の最大値 {gdy[best]:.6g}（x = {grid[best]:.4g}）",
        ]
    )
    step = 10
    return DemoResult(
        values={
            "y": y.tolist(),
            "grad": dy.tolist(),
            "numerical_grad": numerical.tolist(),
            "min_value": float(gy.min()),
            "argmin_x": float(grid[np.argmin(gy)]),
            "max_derivative": float(gdy[best]),
            "argmax_derivative_x": float(grid[best]),
            "zero_fraction": float(np.mean(y == 0)),
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title=f"{function} と導関数",
                x=grid[::step].tolist(),
                series={"f(x)": gy[::step].tolist(), "f'(x)": gdy[::step].tolist()},
                x_label="x",
            )
        ],
    )


@demo(
    "ff-linear-collapse",
    title="線形な層を重ねても線形：活性化関数が非線形である理由",
    description="活性化関数なし（恒等関数）で Affine を何層重ねても 1 つの Affine と同じになることを、engine 上で確かめる。ReLU を挟むと 1 つの線形写像では表せない。",
    syllabus=FORWARD,
    params=(
        IntParam("depth", 3, min=1, max=20, help="重ねる Affine レイヤの数"),
        IntParam("width", 4, min=1, max=64, help="各層のユニット数"),
        ChoiceParam(
            "activation",
            "identity",
            choices=("identity", "relu", "sigmoid", "tanh"),
            help="層の間の活性化関数",
        ),
        SEED,
    ),
)
def ff_linear_collapse(depth: int, width: int, activation: str, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    layers = [
        Affine(rng.standard_normal((width, width)), rng.standard_normal(width))
        for _ in range(depth)
    ]
    x = rng.standard_normal((200, width))
    h = x
    for i, layer in enumerate(layers):
        h = layer.forward(h)
        if i < depth - 1:
            h = activation_and_derivative(activation, h)[0]
    # Compose the affine maps: x ↦ (…((xW₁ + b₁)W₂ + b₂)…) = x·(W₁W₂…) + b_total.
    W_total, b_total = np.eye(width), np.zeros(width)
    for layer in layers:
        W_total, b_total = W_total @ layer.W, b_total @ layer.W + layer.b
    collapse_error = float(np.max(np.abs(h - (x @ W_total + b_total))))
    # The best single affine map for the network's outputs, by least squares.
    design = np.hstack([x, np.ones((len(x), 1))])
    coef = np.linalg.lstsq(design, h, rcond=None)[0]
    residual = float(np.sqrt(np.mean((design @ coef - h) ** 2)) / max(float(np.std(h)), 1e-300))
    narrative = "\n".join(
        [
            f"{width}×{width} の Affine を {depth} 層、間に {activation} を挟んで重ねた。",
            "",
            f"- 重みの積 W₁W₂…W_L とまとめたバイアスによる 1 層の Affine との最大差: {collapse_error:.3g}",
            f"- 最小二乗法で当てはめた最良の 1 層 Affine の相対誤差: **{residual:.3g}**",
            "",
            "恒等関数（線形）なら何層重ねても 1 層と同じ表現力しかない（差は丸め誤差だけ）。"
            "非線形な活性化関数を挟むと、1 つの線形写像では表せない関数になる。",
        ]
    )
    return DemoResult(
        values={"collapse_error": collapse_error, "linear_fit_residual": residual},
        narrative=narrative,
    )


@demo(
    "ff-xor",
    title="XOR：中間層と非線形の活性化関数の必要性",
    description="XOR のデータを、中間層 1 層のネットワーク（Affine → 活性化 → Affine → Softmax）で学習する。活性化が恒等関数だと線形モデルと同じで解けない。",
    syllabus=FORWARD,
    params=(
        ChoiceParam(
            "activation",
            "tanh",
            choices=("identity", "relu", "sigmoid", "tanh"),
            help="中間層の活性化関数",
        ),
        IntParam("hidden", 8, min=1, max=64, help="中間層のユニット数"),
        IntParam("steps", 500, min=1, max=5000, help="更新回数（全データで 1 回の更新）"),
        FloatParam("lr", 0.5, min=1e-4, max=10.0, help="学習率"),
        SEED,
    ),
)
def ff_xor(activation: str, hidden: int, steps: int, lr: float, seed: int) -> DemoResult:
    x, t = make_xor(200, 0.1, seed)
    x = x - 0.5  # centre the corners around the origin
    rng = np.random.default_rng(seed)
    params = {
        "W1": rng.standard_normal((2, hidden)),
        "b1": np.zeros(hidden),
        "W2": rng.standard_normal((hidden, 2)) / math.sqrt(hidden),
        "b2": np.zeros(2),
    }
    affine1, affine2 = Affine(params["W1"], params["b1"]), Affine(params["W2"], params["b2"])
    act = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh}.get(activation)
    act_layer = act() if act else None
    loss_layer = SoftmaxWithLoss()
    optimizer = optim.SGD(lr=lr)
    losses = []
    for _ in range(steps):
        h = affine1.forward(x)
        h = act_layer.forward(h) if act_layer else h
        losses.append(float(loss_layer.forward(affine2.forward(h), t)))
        d = affine2.backward(loss_layer.backward())
        d = act_layer.backward(d) if act_layer else d
        affine1.backward(d)
        optimizer.update(
            params, {"W1": affine1.dW, "b1": affine1.db, "W2": affine2.dW, "b2": affine2.db}
        )
    h = affine1.forward(x)
    h = act_layer.forward(h) if act_layer else h
    accuracy = float(np.mean(np.argmax(affine2.forward(h), axis=1) == t))
    narrative = "\n".join(
        [
            f"XOR の 4 隅に集まる 200 点を、中間層 {hidden} ユニット・活性化 {activation} のネットワークで {steps} 回学習した。",
            "",
            f"- 損失 {losses[0]:.4g} → {losses[-1]:.4g}、正解率 **{accuracy:.3f}**",
            "",
            "XOR は 1 本の直線では分けられない（線形分離不可能）。恒等関数の中間層は全体として線形モデル"
            "（ロジスティック回帰）と同じで、どう引いても直線は 4 隅のうち 3 つまでしか分けられない。"
            f"交差エントロピーを最小化すると全点にほぼ 0.5 を出す解に向かう（損失 log 2 ≈ {math.log(2):.4f}）。"
            "非線形な活性化関数（tanh など）を持つ中間層なら、入力空間を曲げて分けられる。",
        ]
    )
    return DemoResult(
        values={"accuracy": accuracy, "loss_first": losses[0], "loss_last": losses[-1]},
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="損失",
                x=list(range(len(losses)))[::10],
                series={"loss": losses[::10]},
                x_label="step",
            )
        ],
    )


# --- Section 3: output layers and losses --------------------------------------------------


@demo(
    "ff-output-loss",
    title="出力層の活性化関数と損失関数の組",
    description="恒等関数＋二乗和誤差、シグモイド＋バイナリ交差エントロピー、ソフトマックス＋交差エントロピーで、出力・損失・出力層の入力についての勾配を計算する。",
    syllabus=FORWARD,
    params=(
        ChoiceParam(
            "output",
            "softmax",
            choices=("identity", "sigmoid", "softmax"),
            help="出力層の活性化関数",
        ),
        ListParam("z", [2.0, 1.0, 0.1], min=-1e3, max=1e3, help="出力層の入力（ロジット）"),
        ListParam(
            "t",
            [1.0, 0.0, 0.0],
            min=-1e6,
            max=1e6,
            help="目標値（softmax では one-hot、sigmoid では各ラベル 0/1）",
        ),
    ),
)
def ff_output_loss(output: str, z, t) -> DemoResult:
    za, ta = np.array(z), np.array(t)
    if za.size != ta.size:
        raise ParameterError("In demo ff-output-loss t must have as many elements as z.")
    if output == "softmax" and (abs(ta.sum() - 1) > 1e-9 or np.any(ta < 0)):
        raise ParameterError(
            "In demo ff-output-loss t must be a probability vector (one-hot) for output=softmax."
        )
    if output == "sigmoid" and np.any((ta < 0) | (ta > 1)):
        raise ParameterError("In demo ff-output-loss t must lie in [0, 1] for output=sigmoid.")

    def loss_of(logits):
        if output == "identity":
            return 0.5 * float(np.sum((logits - ta) ** 2))  # 二乗和誤差 ½Σ(y − t)²
        if output == "sigmoid":
            return (
                functions.binary_cross_entropy(functions.sigmoid(logits), ta) * ta.size
            )  # summed over labels
        return float(functions.cross_entropy_error(functions.softmax(logits), ta))

    if output == "identity":
        y = za.copy()
        grad = y - ta
        pairing = "回帰：恒等関数と二乗和誤差 $\\frac{1}{2}\\sum_k (y_k - t_k)^2$"
    elif output == "sigmoid":
        y = functions.sigmoid(za)
        grad = y - ta
        pairing = "二値分類・マルチラベル分類：各出力にシグモイド関数、バイナリ交差エントロピー $-\\sum_k [t_k \\log y_k + (1 - t_k) \\log (1 - y_k)]$"
    else:
        layer = SoftmaxWithLoss()
        layer.forward(za[None, :], ta[None, :])
        y = layer.y[0]
        grad = layer.backward()[0]
        pairing = "多クラス分類：ソフトマックス関数と交差エントロピー $-\\sum_k t_k \\log y_k$"
    loss = loss_of(za)
    numerical = functions.numerical_gradient(lambda v: loss_of(v), za.copy())
    narrative = "\n".join(
        [
            pairing + "。",
            "",
            f"- 出力 y = {_fmt(y)}（総和 {y.sum():.6g}）",
            f"- 損失 = **{loss:.10g}**",
            f"- 出力層の入力についての勾配 ∂L/∂z = {_fmt(grad)}（数値微分 {_fmt(numerical)}）",
            "",
            "どの組でも勾配は「出力 − 目標」 y − t というきれいな形になる。だからこの組み合わせで使う。",
        ]
    )
    return DemoResult(
        values={
            "y": y.tolist(),
            "y_sum": float(y.sum()),
            "loss": loss,
            "grad": grad.tolist(),
            "y_minus_t": (y - ta).tolist(),
            "grad_check_error": relative_error(grad, numerical),
        },
        narrative=narrative,
    )


@demo(
    "ff-softmax-temperature",
    title="ソフトマックスの温度パラメータ",
    description="softmax(z / T) を温度 T を変えて計算し、出力の鋭さ（最大確率とエントロピー）を比べる。",
    syllabus=FORWARD,
    params=(
        ListParam("z", [2.0, 1.0, 0.1], min=-1e3, max=1e3, help="ロジット"),
        ListParam("temperatures", [0.1, 1.0, 10.0], min=1e-3, max=1e3, max_length=8, help="温度 T"),
    ),
)
def ff_softmax_temperature(z, temperatures) -> DemoResult:
    za = np.array(z)
    probs = [functions.softmax(za / T) for T in temperatures]
    entropies = [information.entropy(p) for p in probs]
    rows = [
        f"| {T:g} | {_fmt(p, 4)} | {e:.4g} |"
        for T, p, e in zip(temperatures, probs, entropies, strict=True)
    ]
    narrative = "\n".join(
        [
            f"ロジット z = {_fmt(za)} に $y_k = \\frac{{\\exp(z_k / T)}}{{\\sum_j \\exp(z_j / T)}}$ を適用した。",
            "",
            "| T | 出力 | エントロピー（nat） |",
            "|---|---|---|",
            *rows,
            "",
            f"T → 0 で最大のロジットに確率が集中し（one-hot に近づく）、T → ∞ で一様分布（エントロピー log {za.size} = {math.log(za.size):.4g}）に近づく。"
            "順位（argmax）は T によらず同じ。知識蒸留では T > 1 で教師の「柔らかい」出力を使う。",
        ]
    )
    return DemoResult(
        values={
            "probs": [p.tolist() for p in probs],
            "max_probs": [float(p.max()) for p in probs],
            "entropies": entropies,
            "argmax": [int(np.argmax(p)) for p in probs],
        },
        narrative=narrative,
    )


@demo(
    "ff-squared-error",
    title="二乗和誤差：なぜ 2 乗するのか、1/2 は何のためか",
    description="誤差 y − t をそのまま足すと打ち消し合う。2 乗和と、その 1/2 倍の勾配を数値微分と比べる。",
    syllabus=FORWARD,
    params=(
        ListParam("y", [0.8, 0.1, 0.3], min=-1e6, max=1e6, help="出力 y"),
        ListParam("t", [1.0, 0.0, 0.0], min=-1e6, max=1e6, help="目標値 t"),
    ),
)
def ff_squared_error(y, t) -> DemoResult:
    ya, ta = np.array(y), np.array(t)
    if ya.size != ta.size:
        raise ParameterError("In demo ff-squared-error y and t must have the same length.")
    error = ya - ta
    sse = float(np.sum(error**2))
    half = 0.5 * sse
    grad_half = functions.numerical_gradient(lambda v: 0.5 * np.sum((v - ta) ** 2), ya.copy())
    grad_full = functions.numerical_gradient(lambda v: np.sum((v - ta) ** 2), ya.copy())
    narrative = "\n".join(
        [
            f"誤差 y − t = {_fmt(error)}。",
            "",
            f"- そのまま足すと Σ(y − t) = **{error.sum():.6g}**：正と負の誤差が打ち消し合い、誤差の大きさを表せない",
            f"- 2 乗和 Σ(y − t)² = {sse:.6g}（常に 0 以上、0 になるのは全出力が一致したときだけ）",
            f"- $E = \\frac{{1}}{{2}} \\sum (y - t)^2$ = {half:.6g} の勾配（数値微分）{_fmt(grad_half)} = y − t",
            f"- 1/2 がない場合の勾配 {_fmt(grad_full)} = 2(y − t)",
            "",
            "1/2 は微分したときに出る 2 を打ち消して式を簡単にするためのもので、最小点の位置は変わらない（学習率に吸収される）。",
            f"平均二乗誤差（engine.functions.mean_squared_error）は {float(functions.mean_squared_error(ya, ta)):.6g}。",
        ]
    )
    return DemoResult(
        values={
            "sum_error": float(error.sum()),
            "sse": sse,
            "half_sse": half,
            "grad_half_sse": grad_half.tolist(),
            "grad_sse": grad_full.tolist(),
            "y_minus_t": error.tolist(),
        },
        narrative=narrative,
    )


@demo(
    "ff-cross-entropy",
    title="交差エントロピー誤差と log(0) 対策",
    description="正解ラベル t の one-hot と出力 y から −Σ t log y を計算する。y に 0 があると log 0 = −∞ で計算が壊れるので、微小な値 δ を足す。",
    syllabus=FORWARD,
    params=(
        ListParam(
            "y",
            [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0],
            min=0,
            max=1,
            help="出力（確率）",
        ),
        IntParam("label", 2, min=0, max=63, help="正解クラス"),
        FloatParam("delta", 1e-7, min=0.0, max=0.1, help="log の中に足す微小な値 δ"),
    ),
)
def ff_cross_entropy(y, label: int, delta: float) -> DemoResult:
    ya = np.array(y)
    if label >= ya.size:
        raise ParameterError(
            f"In demo ff-cross-entropy label ({label}) must be smaller than the length of y ({ya.size})."
        )
    t = np.eye(ya.size)[label]
    with np.errstate(divide="ignore", invalid="ignore"):
        naive = float(-np.sum(t * np.log(ya)))  # 0 · log 0 = 0 · (−∞) = NaN
    with_delta = float(-np.sum(t * np.log(ya + delta)))
    engine_value = float(functions.cross_entropy_error(ya, label))
    narrative = "\n".join(
        [
            f"正解はクラス {label}（y = {ya[label]:g}）。one-hot の t は正解の位置だけ 1 なので、"
            "$E = -\\sum_k t_k \\log y_k$ は実質 $-\\log y_{正解}$ だけが残る。",
            "",
            f"- そのまま計算: {naive}（y に 0 があると np.log(0) = −inf、0 × (−inf) = nan になる）",
            f"- δ = {delta:g} を足して $-\\sum_k t_k \\log(y_k + \\delta)$: **{with_delta:.10g}**",
            f"- engine.functions.cross_entropy_error（0 を最小の正の数に置き換える）: {engine_value:.10g}",
        ]
    )
    return DemoResult(
        values={
            "naive": None if not math.isfinite(naive) else naive,
            "naive_is_nan": math.isnan(naive),
            "naive_is_inf": math.isinf(naive),
            "with_delta": with_delta,
            "engine_value": engine_value,
            "neg_log_correct": -math.log(ya[label]) if ya[label] > 0 else None,
        },
        narrative=narrative,
    )


@demo(
    "ff-one-hot",
    title="one-hot 表現",
    description="クラスラベルの列を one-hot 行列（正解の位置だけ 1）に変換し、ラベルのままでも one-hot でも交差エントロピーが同じになることを示す。",
    syllabus=FORWARD,
    params=(
        ListParam("labels", [2.0, 0.0, 1.0], min=0, max=63, help="クラスラベル"),
        IntParam("classes", 4, min=2, max=64, help="クラス数"),
    ),
)
def ff_one_hot(labels, classes: int) -> DemoResult:
    if not all(float(v).is_integer() for v in labels) or max(labels) >= classes:
        raise ParameterError(
            f"In demo ff-one-hot labels must be whole numbers below classes ({classes})."
        )
    lab = np.array(labels, dtype=np.int64)
    one_hot = np.eye(classes)[lab]  # row i of the identity is the one-hot vector of class i
    scores = np.random.default_rng(0).standard_normal((len(lab), classes))
    y = functions.softmax(scores)
    loss_labels = float(functions.cross_entropy_error(y, lab))
    loss_one_hot = float(functions.cross_entropy_error(y, one_hot))
    narrative = "\n".join(
        [
            f"ラベル {lab.tolist()}（{classes} クラス）を `np.eye({classes})[labels]` で one-hot にした: {one_hot.astype(int).tolist()}",
            "",
            f"適当な出力 y に対する交差エントロピーは、ラベルで渡しても {loss_labels:.10g}、one-hot で渡しても {loss_one_hot:.10g} で同じ。",
        ]
    )
    return DemoResult(
        values={
            "one_hot": one_hot.tolist(),
            "row_sums": one_hot.sum(axis=1).tolist(),
            "labels_back": np.argmax(one_hot, axis=1).tolist(),
            "loss_labels": loss_labels,
            "loss_one_hot": loss_one_hot,
        },
        narrative=narrative,
    )


# --- Section 4: gradient descent ----------------------------------------------------------


@demo(
    "ff-learning-rate",
    title="学習率の大きさと勾配降下法",
    description="f(w) = w² を engine.optim.SGD で最小化する。学習率が小さすぎると遅く、大きすぎると振動・発散する。",
    syllabus=OPTIMIZATION,
    params=(
        ListParam(
            "lrs", [0.01, 0.1, 0.9, 1.1], min=1e-6, max=10.0, max_length=8, help="試す学習率 η"
        ),
        IntParam("steps", 20, min=1, max=1000, help="更新回数"),
        FloatParam("w0", 1.0, min=-100.0, max=100.0, help="初期値 w₀"),
    ),
)
def ff_learning_rate(lrs, steps: int, w0: float) -> DemoResult:
    paths, finals, losses, diverged = [], [], [], []
    for lr in lrs:
        params = {"w": np.array([w0])}
        optimizer = optim.SGD(lr=lr)
        path = [w0]
        for _ in range(steps):
            optimizer.update(params, {"w": 2 * params["w"]})  # ∂(w²)/∂w = 2w
            path.append(float(params["w"][0]))
        paths.append(path)
        finals.append(path[-1])
        losses.append(path[-1] ** 2)
        diverged.append(bool(abs(path[-1]) > abs(w0)))
    rows = [
        f"| {lr:g} | {1 - 2 * lr:.4g} | {w:.6g} | {'発散' if d else '収束に向かう'} |"
        for lr, w, d in zip(lrs, finals, diverged, strict=True)
    ]
    narrative = "\n".join(
        [
            f"$w \\leftarrow w - \\eta \\frac{{\\partial f}}{{\\partial w}} = w - 2\\eta w = (1 - 2\\eta) w$ を w₀ = {w0:g} から {steps} 回。",
            "",
            "| η | 1 回あたりの倍率 1 − 2η | 最終の w | |",
            "|---|---|---|---|",
            *rows,
            "",
            "|1 − 2η| < 1（0 < η < 1）なら 0 に収束する。η が小さいと倍率が 1 に近く遅い。"
            "η が 0.5 を超えると符号が反転して振動し、η > 1 では |w| が毎回大きくなって発散する。",
        ]
    )
    return DemoResult(
        values={
            "final_w": finals,
            "final_loss": losses,
            "diverged": diverged,
            "factors": [1 - 2 * lr for lr in lrs],
            "paths": paths,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="w の推移",
                x=list(range(steps + 1)),
                series={
                    f"η={lr:g}": [max(min(v, 10.0), -10.0) for v in p]
                    for lr, p in zip(lrs, paths, strict=True)
                },
                x_label="step",
            )
        ],
    )


@demo(
    "ff-minibatch-epochs",
    title="ミニバッチとエポック",
    description="n 個の訓練データをバッチサイズ B で学習するとき、1 エポック（全データを 1 回ずつ使う）あたりの更新回数を engine.nets.train で数える。",
    syllabus=OPTIMIZATION,
    params=(
        IntParam("n_samples", 10000, min=1, max=20000, help="訓練データの数 n"),
        IntParam(
            "batch_size",
            100,
            min=1,
            max=20000,
            help="バッチサイズ B（1 なら確率的勾配降下法・オンライン学習、n ならバッチ学習）",
        ),
        IntParam("epochs", 1, min=1, max=20, help="エポック数"),
        SEED,
    ),
)
def ff_minibatch_epochs(n_samples: int, batch_size: int, epochs: int, seed: int) -> DemoResult:
    if batch_size > n_samples:
        raise ParameterError(
            f"In demo ff-minibatch-epochs batch_size ({batch_size}) must not exceed n_samples ({n_samples})."
        )
    updates = math.ceil(n_samples / batch_size) * epochs
    if updates > 20000:
        raise ParameterError(
            "In demo ff-minibatch-epochs epochs × ⌈n_samples / batch_size⌉ must not exceed 20,000 updates."
        )
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 2, n_samples)
    x = rng.standard_normal((n_samples, 2)) + np.where(t[:, None] == 1, 1.0, -1.0)
    net = MultiLayerNet(2, [4], 2, activation="relu", seed=seed)
    history = train(net, optim.SGD(lr=0.1), x, t, epochs=epochs, batch_size=batch_size, seed=seed)
    total = len(history.loss)  # one loss per update
    per_epoch = total // epochs
    narrative = "\n".join(
        [
            f"n = {n_samples:,} 個をバッチサイズ {batch_size} で {epochs} エポック学習した（毎エポック並べ替えてから区切る）。",
            "",
            f"- 1 エポックあたりの更新回数 ⌈n / B⌉ = **{per_epoch:,}**、合計 {total:,} 回",
            f"- 各エポック後の訓練正解率 {[round(a, 4) for a in history.train_accuracy]}",
            "",
            "B = 1 は確率的勾配降下法（1 サンプルごとに更新、オンライン学習にも使える）、B = n は全データの平均勾配で 1 回だけ更新するバッチ学習。"
            "ミニバッチはその間で、行列演算でまとめて計算できる（GPU の並列性を活かせる）。",
        ]
    )
    return DemoResult(
        values={
            "iterations_per_epoch": per_epoch,
            "total_updates": total,
            "train_accuracy": history.train_accuracy,
            "loss_first": history.loss[0],
            "loss_last": history.loss[-1],
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="ミニバッチごとの損失",
                x=list(range(1, total + 1))[:: max(1, total // 400)],
                series={"loss": history.loss[:: max(1, total // 400)]},
                x_label="更新回数",
            )
        ],
    )


# --- Section 5: backpropagation -----------------------------------------------------------


@demo(
    "ff-numerical-vs-backprop",
    title="数値微分と誤差逆伝播法：結果と計算量",
    description="小さなネットワークの全パラメータの勾配を、中心差分の数値微分と誤差逆伝播法で求め、一致と損失の評価回数を比べる。",
    syllabus=OPTIMIZATION,
    params=(
        IntParam("input_size", 4, min=1, max=20, help="入力の次元"),
        IntParam("hidden", 5, min=1, max=20, help="中間層のユニット数"),
        IntParam("output_size", 3, min=2, max=10, help="クラス数"),
        IntParam("batch", 8, min=1, max=50, help="バッチサイズ"),
        SEED,
    ),
)
def ff_numerical_vs_backprop(
    input_size: int, hidden: int, output_size: int, batch: int, seed: int
) -> DemoResult:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, input_size))
    t = rng.integers(0, output_size, batch)
    net = MultiLayerNet(
        input_size, [hidden], output_size, activation="sigmoid", weight_init=1.0, seed=seed
    )
    calls = 0
    original_loss = net.loss

    def counting_loss(*args, **kwargs):
        nonlocal calls
        calls += 1
        return original_loss(*args, **kwargs)

    net.loss = counting_loss
    started = time.perf_counter()
    numerical = net.numerical_gradient(x, t)
    numerical_seconds = time.perf_counter() - started
    numerical_calls, calls = calls, 0
    started = time.perf_counter()
    analytic = net.gradient(x, t)
    backprop_seconds = time.perf_counter() - started
    backprop_calls = calls
    n_params = int(sum(p.size for p in net.params.values()))
    error = max(relative_error(analytic[key], numerical[key]) for key in analytic)
    narrative = "\n".join(
        [
            f"入力 {input_size} → 中間 {hidden}（シグモイド）→ 出力 {output_size} のネットワーク、パラメータ {n_params} 個。",
            "",
            f"- 数値微分 $\\frac{{L(\\theta + h) - L(\\theta - h)}}{{2h}}$: 損失の計算（順伝播）を **{numerical_calls}** 回 = 2 × パラメータ数（{numerical_seconds * 1000:.1f} ms）",
            f"- 誤差逆伝播法: 順伝播 {backprop_calls} 回と逆伝播 1 回で全パラメータの勾配が出る（{backprop_seconds * 1000:.2f} ms）",
            f"- 両者の最大相対誤差 {error:.2e}（一致する：勾配確認）",
            "",
            "パラメータが百万個あれば数値微分は順伝播を 200 万回必要とする。だから学習には誤差逆伝播法を使い、数値微分は実装の確認に使う。",
        ]
    )
    return DemoResult(
        values={
            "n_params": n_params,
            "numerical_loss_evaluations": numerical_calls,
            "backprop_loss_evaluations": backprop_calls,
            "max_rel_error": error,
        },
        narrative=narrative,
    )


DIFF_FUNCTIONS = {
    "cube": (lambda x: x**3, lambda x: 3 * x**2, "x³"),
    "sin": (np.sin, np.cos, "sin x"),
    "exp": (np.exp, np.exp, "eˣ"),
}


@demo(
    "ff-difference-methods",
    title="数値微分：前進差分と中心差分の誤差",
    description="f'(x) を前進差分 (f(x+h) − f(x))/h と中心差分 (f(x+h) − f(x−h))/2h（engine.functions.numerical_gradient）で近似し、真の値との誤差を h ごとに比べる。",
    syllabus=OPTIMIZATION,
    params=(
        ChoiceParam("function", "cube", choices=tuple(DIFF_FUNCTIONS), help="微分する関数"),
        FloatParam("x", 1.0, min=-10.0, max=10.0, help="微分する点"),
        ListParam(
            "hs", [0.1, 0.01, 0.001, 1e-4], min=1e-12, max=1.0, max_length=10, help="刻み幅 h"
        ),
    ),
)
def ff_difference_methods(function: str, x: float, hs) -> DemoResult:
    f, df, label = DIFF_FUNCTIONS[function]
    true = float(df(x))
    forward_errors, central_errors = [], []
    for h in hs:
        forward = (f(x + h) - f(x)) / h
        central = functions.numerical_gradient(lambda v: float(np.sum(f(v))), np.array([x]), h=h)[0]
        forward_errors.append(abs(float(forward) - true))
        central_errors.append(abs(float(central) - true))
    rows = [
        f"| {h:g} | {a:.3e} | {b:.3e} |"
        for h, a, b in zip(hs, forward_errors, central_errors, strict=True)
    ]
    narrative = "\n".join(
        [
            f"f(x) = {label} の x = {x:g} での微分（真の値 {true:.10g}）。",
            "",
            "| h | 前進差分の誤差 | 中心差分の誤差 |",
            "|---|---|---|",
            *rows,
            "",
            "前進差分の誤差は h に比例し（O(h)）、中心差分では 1 次の誤差が打ち消し合って h² に比例する（O(h²)）。"
            "h を小さくしすぎると、今度は丸め誤差（桁落ち）が増える。",
        ]
    )
    return DemoResult(
        values={
            "true_derivative": true,
            "forward_errors": forward_errors,
            "central_errors": central_errors,
        },
        narrative=narrative,
    )


class MulNode:
    """Multiplication node z = x·y: backward sends dz·y to x and dz·x to y (inputs swapped)."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


class AddNode:
    """Addition node z = x + y: backward passes dz unchanged to both inputs."""

    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout, dout


class SquareNode:
    """Square node z = t²: backward multiplies by 2t."""

    def forward(self, t):
        self.t = t
        return t * t

    def backward(self, dout):
        return dout * 2 * self.t


@demo(
    "ff-computational-graph",
    title="計算グラフ：買い物の合計金額の逆伝播",
    description="りんごとみかんを買って消費税をかける計算を、乗算ノードと加算ノードの計算グラフで順伝播・逆伝播する。",
    syllabus=OPTIMIZATION,
    params=(
        FloatParam("apple", 100.0, min=0.0, max=1e6, help="りんご 1 個の値段"),
        IntParam("apple_count", 2, min=0, max=1000, help="りんごの個数"),
        FloatParam("orange", 150.0, min=0.0, max=1e6, help="みかん 1 個の値段"),
        IntParam("orange_count", 3, min=0, max=1000, help="みかんの個数"),
        FloatParam("tax", 1.1, min=0.0, max=10.0, help="消費税（倍率）"),
    ),
)
def ff_computational_graph(
    apple: float, apple_count: int, orange: float, orange_count: int, tax: float
) -> DemoResult:
    mul_apple, mul_orange, add, mul_tax = MulNode(), MulNode(), AddNode(), MulNode()
    apple_total = mul_apple.forward(apple, apple_count)
    orange_total = mul_orange.forward(orange, orange_count)
    subtotal = add.forward(apple_total, orange_total)
    total = mul_tax.forward(subtotal, tax)
    d_subtotal, d_tax = mul_tax.backward(1.0)
    d_apple_total, d_orange_total = add.backward(d_subtotal)
    d_apple, d_apple_count = mul_apple.backward(d_apple_total)
    d_orange, d_orange_count = mul_orange.backward(d_orange_total)
    narrative = "\n".join(
        [
            f"順伝播: ({apple:g} × {apple_count} + {orange:g} × {orange_count}) × {tax:g} = **{total:.10g}**",
            "",
            "逆伝播（出力側の微分 1 から始め、乗算ノードは入力を入れ替えて掛け、加算ノードはそのまま流す）:",
            f"- ∂支払額/∂りんごの値段 = {d_apple:.10g}、∂/∂りんごの個数 = {d_apple_count:.10g}",
            f"- ∂支払額/∂みかんの値段 = {d_orange:.10g}、∂/∂みかんの個数 = {d_orange_count:.10g}",
            f"- ∂支払額/∂消費税 = {d_tax:.10g}",
            "",
            "局所的な微分を出力側から掛け合わせていく（連鎖律）だけで、すべての入力についての微分が 1 回の逆伝播で求まる。",
        ]
    )
    return DemoResult(
        values={
            "total": total,
            "d_apple": d_apple,
            "d_apple_count": d_apple_count,
            "d_orange": d_orange,
            "d_orange_count": d_orange_count,
            "d_tax": d_tax,
        },
        narrative=narrative,
    )


@demo(
    "ff-chain-rule",
    title="連鎖律：z = t², t = x + y",
    description="z = t², t = x + y の ∂z/∂x を、計算グラフの逆伝播・連鎖律の式・数値微分で求める。",
    syllabus=OPTIMIZATION,
    params=(
        FloatParam("x", 1.0, min=-1e3, max=1e3, help="x"),
        FloatParam("y", 2.0, min=-1e3, max=1e3, help="y"),
    ),
)
def ff_chain_rule(x: float, y: float) -> DemoResult:
    add, square = AddNode(), SquareNode()
    t = add.forward(x, y)
    z = square.forward(t)
    dz_dt = square.backward(1.0)
    dz_dx, dz_dy = add.backward(dz_dt)
    numerical = functions.numerical_gradient(lambda v: float((v[0] + y) ** 2), np.array([x]))[0]
    narrative = "\n".join(
        [
            f"x = {x:g}、y = {y:g} で t = {t:g}、z = {z:g}。",
            "",
            f"$\\frac{{\\partial z}}{{\\partial x}} = \\frac{{\\partial z}}{{\\partial t}} \\cdot \\frac{{\\partial t}}{{\\partial x}} = 2t \\cdot 1 = 2(x + y)$ = **{dz_dx:.10g}**"
            f"（計算グラフの逆伝播でも {dz_dx:.10g}、数値微分 {numerical:.10g}）",
        ]
    )
    return DemoResult(
        values={
            "t": t,
            "z": z,
            "dz_dt": dz_dt,
            "dz_dx": dz_dx,
            "dz_dy": dz_dy,
            "numerical_dz_dx": float(numerical),
        },
        narrative=narrative,
    )


@demo(
    "ff-activation-backward",
    title="ReLU レイヤと Sigmoid レイヤの逆伝播",
    description="engine.layers.Relu / Sigmoid に x を順伝播し、上流の勾配 dout を逆伝播して dx を求める。",
    syllabus=OPTIMIZATION,
    params=(
        ChoiceParam("layer", "relu", choices=("relu", "sigmoid"), help="レイヤ"),
        ListParam("x", [-1.0, 0.0, 2.0], min=-100, max=100, help="順伝播の入力 x"),
        ListParam("dout", [1.0, 1.0, 1.0], min=-1e6, max=1e6, help="上流から来た勾配"),
    ),
)
def ff_activation_backward(layer: str, x, dout) -> DemoResult:
    if len(x) != len(dout):
        raise ParameterError("In demo ff-activation-backward dout must have as many elements as x.")
    instance = Relu() if layer == "relu" else Sigmoid()
    y = instance.forward(np.array(x))
    dx = instance.backward(np.array(dout))
    rule = (
        "ReLU: 順伝播で x > 0 だった位置は dout をそのまま流し、x ≤ 0 の位置は 0 にする（スイッチ）"
        if layer == "relu"
        else "Sigmoid: $dx = dout \\cdot y(1 - y)$（順伝播の出力 y だけで計算できる）"
    )
    narrative = f"{rule}。\n\n- y = {_fmt(y)}\n- dx = **{_fmt(dx)}**"
    return DemoResult(values={"y": y.tolist(), "dx": dx.tolist()}, narrative=narrative)


@demo(
    "ff-softmax-loss-backward",
    title="Softmax-with-Loss レイヤの逆伝播：(y − t) / N",
    description="engine.layers.SoftmaxWithLoss に 1 バッチのスコアを通し、逆伝播の dx が (y − t)/N になることを数値微分とも比べる。",
    syllabus=FORWARD + OPTIMIZATION,
    params=(
        MatrixParam(
            "x", [[0.3, 2.9, 4.0]], min=-1e3, max=1e3, max_rows=16, help="スコア（行がデータ）"
        ),
        ListParam("t", [2.0], min=0, max=63, help="正解ラベル（各行に 1 つ）"),
    ),
)
def ff_softmax_loss_backward(x, t) -> DemoResult:
    xa = np.array(x)
    if len(t) != xa.shape[0] or not all(float(v).is_integer() and v < xa.shape[1] for v in t):
        raise ParameterError(
            "In demo ff-softmax-loss-backward t must give one whole-number label below the number of columns for every row of x."
        )
    labels = np.array(t, dtype=np.int64)
    layer = SoftmaxWithLoss()
    loss = float(layer.forward(xa, labels))
    dx = layer.backward()
    y = layer.y
    one_hot = np.eye(xa.shape[1])[labels]
    numerical = functions.numerical_gradient(
        lambda v: SoftmaxWithLoss().forward(v, labels), xa.copy()
    )
    narrative = "\n".join(
        [
            f"スコア x = {_fmt(xa)}、正解 {labels.tolist()}、バッチサイズ N = {xa.shape[0]}。",
            "",
            f"- y = softmax(x) = {_fmt(y)}、損失 {loss:.10g}",
            f"- 逆伝播 dx = {_fmt(dx)} = (y − t) / N（数値微分との相対誤差 {relative_error(dx, numerical):.1e}）",
            "",
            "ソフトマックス関数と交差エントロピーを 1 つのレイヤにまとめると、逆伝播は出力と教師ラベルの差になる。",
        ]
    )
    return DemoResult(
        values={
            "y": y.tolist(),
            "loss": loss,
            "dx": dx.tolist(),
            "y_minus_t_over_n": ((y - one_hot) / xa.shape[0]).tolist(),
            "grad_check_error": relative_error(dx, numerical),
        },
        narrative=narrative,
    )
