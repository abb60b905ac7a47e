"""Demos on normalisation layers: batch normalisation in training mode."""

from __future__ import annotations

import numpy as np

from engine.demos.registry import DemoResult, FloatParam, ListParam, Plot, demo
from engine.layers import BatchNormalization


@demo(
    "batchnorm-forward",
    title="バッチ正規化の順伝播（学習時）",
    description="1 つの特徴量のミニバッチを engine.layers.BatchNormalization に通す。",
    syllabus=("3-7 汎化性能向上のためのテクニック", "3-2 深層モデルのための最適化"),
    params=(
        ListParam(
            "x",
            [1.0, 2.0, 3.0, 4.0],
            min=-1e6,
            max=1e6,
            min_length=2,
            max_length=256,
            help="ミニバッチ（1 特徴量）",
        ),
        FloatParam("gamma", 1.0, min=-100.0, max=100.0, help="スケール γ"),
        FloatParam("beta", 0.0, min=-100.0, max=100.0, help="シフト β"),
        FloatParam("eps", 1e-5, min=0.0, max=1.0, help="ゼロ除算を防ぐ ε"),
    ),
)
def batchnorm_forward(x: list[float], gamma: float, beta: float, eps: float) -> DemoResult:
    batch = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    layer = BatchNormalization(np.array([gamma]), np.array([beta]), eps=eps)
    y = layer.forward(batch, train=True)[:, 0]
    mean, var = float(batch.mean()), float(batch.var())
    narrative = "\n".join(
        [
            f"ミニバッチ {len(x)} 個の平均は $\\mu = {mean:.6g}$、分散（N で割る）は $\\sigma^2 = {var:.6g}$。",
            "",
            "$\\hat{x}_i = \\frac{x_i - \\mu}{\\sqrt{\\sigma^2 + \\varepsilon}}$ で平均 0・分散 1 に正規化し、"
            f"$y_i = \\gamma \\hat{{x}}_i + \\beta$（γ = {gamma:g}, β = {beta:g}）でスケールとシフトを学習できる形に戻す。",
            "",
            f"出力の平均は {y.mean():.6g}、標準偏差は {y.std():.6g}。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="入力と出力",
        x=[f"x{i}" for i in range(len(x))],
        series={"x": list(x), "y": y.tolist()},
    )
    return DemoResult(
        values={"y": y.tolist(), "mean": mean, "var": var},
        narrative=narrative,
        plots=[plot],
    )
