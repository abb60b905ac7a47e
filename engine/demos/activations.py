"""Demos on activation and output functions: the sigmoid's derivative, softmax overflow."""

from __future__ import annotations

import numpy as np

from engine import functions
from engine.demos.registry import (
    DemoResult,
    FloatParam,
    IntParam,
    ListParam,
    ParameterError,
    Plot,
    demo,
)
from engine.layers import Sigmoid


@demo(
    "sigmoid-derivative-max",
    title="シグモイド関数の導関数の最大値",
    description="engine.layers.Sigmoid の forward と backward で σ'(x) を格子上で求め、最大値を探す。",
    syllabus=("3-1 順伝播型ネットワーク", "3-2 深層モデルのための最適化"),
    params=(
        FloatParam("x_min", -10.0, min=-100.0, max=100.0, help="格子の左端"),
        FloatParam("x_max", 10.0, min=-100.0, max=100.0, help="格子の右端"),
        IntParam("points", 2001, min=3, max=200001, help="格子点の数"),
    ),
)
def sigmoid_derivative_max(x_min: float, x_max: float, points: int) -> DemoResult:
    if x_min >= x_max:
        raise ParameterError(
            f"In demo sigmoid-derivative-max x_min ({x_min:g}) must be less than x_max ({x_max:g})."
        )
    x = np.linspace(x_min, x_max, points)
    layer = Sigmoid()
    y = layer.forward(x)
    derivative = layer.backward(np.ones_like(x))  # dL/dx with dL/dy = 1 is σ'(x)
    best = int(np.argmax(derivative))
    max_value, argmax_x = float(derivative[best]), float(x[best])
    narrative = "\n".join(
        [
            "Sigmoid レイヤに格子点 x を通し、上流の勾配を 1 として backward すると σ'(x) が得られる。",
            "",
            f"最大値は **{max_value:.10g}**（x = {argmax_x:.6g}）。",
            "",
            "解析的には $\\sigma'(x) = \\sigma(x)(1 - \\sigma(x))$ で、σ(0) = 0.5 のとき"
            " 0.5 × 0.5 = 0.25 が最大。層を重ねると誤差逆伝播で 0.25 以下の数が何度も掛かるため、"
            "入力側の勾配が消えていく（勾配消失）。",
        ]
    )
    step = max(1, points // 400)  # keep the plotted series small
    plot = Plot(
        kind="line",
        title="σ(x) と σ'(x)",
        x=x[::step].tolist(),
        series={"σ(x)": y[::step].tolist(), "σ'(x)": derivative[::step].tolist()},
        x_label="x",
    )
    return DemoResult(
        values={"max_value": max_value, "argmax_x": argmax_x, "grid_step": float(x[1] - x[0])},
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "softmax-overflow",
    title="ソフトマックスのオーバーフロー対策",
    description="定義どおりの exp(x)/Σexp(x) と、最大値を引く engine.functions.softmax を比べる。",
    syllabus=("3-1 順伝播型ネットワーク",),
    params=(ListParam("x", [1010.0, 1000.0, 990.0], min=-1e6, max=1e6, help="入力ベクトル"),),
)
def softmax_overflow(x: list[float]) -> DemoResult:
    a = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        exp_a = np.exp(a)
        naive = exp_a / np.sum(exp_a)
    stable = functions.softmax(a)
    naive_has_nan = bool(np.isnan(naive).any())
    narrative = "\n".join(
        [
            f"入力の最大値は {a.max():g}。float64 の exp は 709.78 を超えるとオーバーフローして inf になる。",
            "",
            f"- 定義どおり $\\frac{{e^{{x_k}}}}{{\\sum_j e^{{x_j}}}}$: NaN を{'含む' if naive_has_nan else '含まない'}",
            f"- 最大値を引く版 $\\frac{{e^{{x_k - \\max x}}}}{{\\sum_j e^{{x_j - \\max x}}}}$: 合計 {stable.sum():.12g}",
            "",
            "分子と分母に同じ定数 $e^{-C}$ を掛けても値は変わらないので、C = max x を引けば"
            " 指数の引数は 0 以下になり、オーバーフローしない。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="安定版ソフトマックスの出力",
        x=[f"x{i}" for i in range(len(x))],
        series={"softmax": stable.tolist()},
    )
    return DemoResult(
        values={
            "naive": naive.tolist(),
            "naive_has_nan": naive_has_nan,
            "stable": stable.tolist(),
            "stable_sum": float(stable.sum()),
        },
        narrative=narrative,
        plots=[plot],
    )
