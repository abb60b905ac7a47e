"""Demos on gradients: backpropagation checked against numerical differentiation."""

from __future__ import annotations

import numpy as np

from engine.demos.registry import ChoiceParam, DemoResult, IntParam, Plot, demo
from engine.gradcheck import check_layer
from engine.layers import Affine, BatchNormalization, Convolution, SoftmaxWithLoss
from engine.rnn import LSTM

LAYER_NAMES = ("affine", "conv", "batchnorm", "lstm", "softmaxloss")


def _layer_case(name: str, rng: np.random.Generator):
    """A small layer of kind ``name`` with random parameters, and the inputs to check it at."""
    normal = rng.standard_normal
    if name == "affine":
        return Affine(normal((4, 3)), normal(3)), (normal((5, 4)),), {}
    if name == "conv":
        layer = Convolution(normal((2, 3, 3, 3)), normal(2), stride=1, pad=1)
        return layer, (normal((2, 3, 5, 5)),), {}
    if name == "batchnorm":
        return BatchNormalization(normal(3), normal(3)), (normal((6, 3)),), {"train": True}
    if name == "lstm":
        D, H = 3, 4
        layer = LSTM(normal((D, 4 * H)) * 0.5, normal((H, 4 * H)) * 0.5, normal(4 * H) * 0.1)
        return layer, (normal((2, D)), normal((2, H)), normal((2, H))), {}
    labels = rng.integers(0, 4, size=5)
    return SoftmaxWithLoss(), (normal((5, 4)), labels), {}


@demo(
    "gradient-check",
    title="勾配確認：誤差逆伝播と数値微分の比較",
    description=(
        "層の backward が返す勾配を、中心差分の数値微分と比べる。"
        "相対誤差がごく小さければ、誤差逆伝播の実装は正しい。"
    ),
    syllabus=("3-2 深層モデルのための最適化",),
    params=(
        ChoiceParam("layer", "affine", choices=LAYER_NAMES, help="確認する層"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード"),
    ),
)
def gradient_check(layer: str, seed: int) -> DemoResult:
    instance, inputs, forward_kwargs = _layer_case(layer, np.random.default_rng(seed))
    result = check_layer(instance, *inputs, seed=seed, **forward_kwargs)
    names = list(result.errors)
    narrative = "\n".join(
        [
            f"{type(instance).__name__} の backward の勾配を、数値微分"
            " $\\frac{f(x + h) - f(x - h)}{2h}$ と比べた（float64、h ≈ 6×10⁻⁶）。",
            "",
            f"最大相対誤差は **{result.max_rel_error:.3g}**。"
            "数値微分は遅いが実装が簡単で間違えにくいため、誤差逆伝播の実装確認（勾配確認）に使う。"
            "学習そのものには、1 回の逆伝播で全パラメータの勾配が求まる誤差逆伝播を使う。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="勾配ごとの相対誤差",
        x=names,
        series={"相対誤差": [result.errors[name] for name in names]},
    )
    return DemoResult(
        values={"max_rel_error": result.max_rel_error, "errors": result.errors},
        narrative=narrative,
        plots=[plot],
    )
