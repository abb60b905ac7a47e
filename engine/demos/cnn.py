"""Demos on convolution and pooling: output sizes and the cost of separable convolutions."""

from __future__ import annotations

import numpy as np

from engine.demos.registry import DemoResult, IntParam, ParameterError, Plot, demo
from engine.layers import Convolution, Pooling

SYLLABUS_CNN = ("3-4 畳み込みニューラルネットワーク",)


def _check_window_fits(demo_id: str, size: int, pad: int, window: int, axis: str) -> None:
    if window > size + 2 * pad:
        raise ParameterError(
            f"In demo {demo_id} the window ({window}) is larger than the padded input "
            f"{axis} ({size} + 2×{pad} = {size + 2 * pad})."
        )


def _size_narrative(name: str, size: int, pad: int, window: int, stride: int, out: int) -> str:
    remainder = (size + 2 * pad - window) % stride
    text = (
        f"{name}: $\\frac{{{size} + 2 \\times {pad} - {window}}}{{{stride}}} + 1"
        f" = \\lfloor {(size + 2 * pad - window) / stride:g} \\rfloor + 1 = {out}$"
    )
    if remainder:
        text += f"（割り切れないので、最後の {remainder} 画素はフィルタが届かず使われない）"
    return text


@demo(
    "conv-output-size",
    title="畳み込み層の出力サイズ",
    description="engine.layers.Convolution に実際に入力を通し、出力の形を読み取る。",
    syllabus=SYLLABUS_CNN,
    params=(
        IntParam("H", 6, min=1, max=256, help="入力の高さ"),
        IntParam("W", 6, min=1, max=256, help="入力の幅"),
        IntParam("FH", 2, min=1, max=64, help="フィルタの高さ"),
        IntParam("FW", 2, min=1, max=64, help="フィルタの幅"),
        IntParam("pad", 1, min=0, max=32, help="パディング"),
        IntParam("stride", 1, min=1, max=32, help="ストライド"),
    ),
)
def conv_output_size(H: int, W: int, FH: int, FW: int, pad: int, stride: int) -> DemoResult:
    _check_window_fits("conv-output-size", H, pad, FH, "height")
    _check_window_fits("conv-output-size", W, pad, FW, "width")
    x = np.arange(H * W, dtype=np.float64).reshape(1, 1, H, W)
    layer = Convolution(np.ones((1, 1, FH, FW)), np.zeros(1), stride=stride, pad=pad)
    out = layer.forward(x)
    out_h, out_w = out.shape[2], out.shape[3]
    narrative = "\n".join(
        [
            f"{H}×{W} の入力を、{FH}×{FW} のフィルタ・ストライド {stride}・パディング {pad} の"
            f" `Convolution` に通すと、出力は **{out_h}×{out_w}** になった。",
            "",
            "出力サイズの式 $OH = \\frac{H + 2P - FH}{S} + 1$ に当てはめると：",
            "",
            f"- {_size_narrative('高さ', H, pad, FH, stride, out_h)}",
            f"- {_size_narrative('幅', W, pad, FW, stride, out_w)}",
        ]
    )
    plot = Plot(
        kind="heatmap",
        title=f"出力特徴マップ（入力 0…{H * W - 1} を全 1 のフィルタで畳み込んだ値）",
        z=out[0, 0].tolist() if out_h * out_w <= 400 else [],
    )
    return DemoResult(
        values={"out_h": out_h, "out_w": out_w, "padded_h": H + 2 * pad, "padded_w": W + 2 * pad},
        narrative=narrative,
        plots=[plot] if plot.z else [],
    )


@demo(
    "pool-output-size",
    title="プーリング層の出力サイズ",
    description="engine.layers.Pooling（Max プーリング）に入力を通し、出力の形を読み取る。",
    syllabus=SYLLABUS_CNN,
    params=(
        IntParam("H", 4, min=1, max=256, help="入力の高さ"),
        IntParam("W", 4, min=1, max=256, help="入力の幅"),
        IntParam("pool", 2, min=1, max=32, help="プーリング窓の大きさ（正方形）"),
        IntParam("stride", 2, min=1, max=32, help="ストライド"),
        IntParam("pad", 0, min=0, max=16, help="パディング"),
    ),
)
def pool_output_size(H: int, W: int, pool: int, stride: int, pad: int) -> DemoResult:
    _check_window_fits("pool-output-size", H, pad, pool, "height")
    _check_window_fits("pool-output-size", W, pad, pool, "width")
    if pad > pool // 2:
        raise ParameterError(
            f"In demo pool-output-size the padding ({pad}) must be at most half the window "
            f"({pool} // 2 = {pool // 2}), otherwise a window could see padding only."
        )
    x = np.arange(H * W, dtype=np.float64).reshape(1, 1, H, W)
    out = Pooling(pool, pool, stride=stride, pad=pad, mode="max").forward(x)
    out_h, out_w = out.shape[2], out.shape[3]
    narrative = "\n".join(
        [
            f"{H}×{W} の入力に {pool}×{pool} の Max プーリング（ストライド {stride}、パディング {pad}）を"
            f"かけると、出力は **{out_h}×{out_w}** になった。",
            "",
            "プーリングにも畳み込みと同じ式 $OH = \\frac{H + 2P - F}{S} + 1$ が使える。"
            "プーリングには学習するパラメータがなく、チャンネル数も変わらない。",
            "",
            f"- {_size_narrative('高さ', H, pad, pool, stride, out_h)}",
            f"- {_size_narrative('幅', W, pad, pool, stride, out_w)}",
        ]
    )
    return DemoResult(values={"out_h": out_h, "out_w": out_w}, narrative=narrative)


@demo(
    "depthwise-separable-cost",
    title="Depthwise Separable Convolution の計算量",
    description=(
        "ストライド 1・same パディングで、通常の畳み込みと MobileNet の depthwise + pointwise の"
        "乗算回数を、各層の出力の形から数える。"
    ),
    syllabus=(*SYLLABUS_CNN, "5-1 エッジコンピューティング"),
    params=(
        IntParam("H", 14, min=1, max=1024, help="特徴マップの高さ"),
        IntParam("W", 14, min=1, max=1024, help="特徴マップの幅"),
        IntParam("C", 32, min=1, max=4096, help="入力チャンネル数"),
        IntParam("M", 64, min=1, max=4096, help="出力チャンネル数"),
        IntParam("K", 3, min=1, max=15, help="カーネルサイズ（奇数）"),
    ),
)
def depthwise_separable_cost(H: int, W: int, C: int, M: int, K: int) -> DemoResult:
    if K % 2 == 0:
        raise ParameterError(
            f"In demo depthwise-separable-cost K must be odd for same padding, got {K}."
        )
    pad = (K - 1) // 2
    standard = Convolution(np.zeros((M, C, K, K)), np.zeros(M), stride=1, pad=pad)
    depthwise = Convolution(np.zeros((1, 1, K, K)), np.zeros(1), stride=1, pad=pad)
    pointwise = Convolution(np.zeros((M, C, 1, 1)), np.zeros(M), stride=1, pad=0)
    # Every output element of a convolution costs (input channels × FH × FW) multiplications.
    _, _, out_h, out_w = standard.output_shape((1, C, H, W))
    standard_mults = out_h * out_w * M * C * K * K
    # Depthwise: one K×K filter per channel — the channels are independent single-channel inputs.
    _, _, dw_h, dw_w = depthwise.output_shape((C, 1, H, W))
    depthwise_mults = C * dw_h * dw_w * K * K
    _, _, pw_h, pw_w = pointwise.output_shape((1, C, dw_h, dw_w))
    pointwise_mults = pw_h * pw_w * M * C
    separable_mults = depthwise_mults + pointwise_mults
    ratio = separable_mults / standard_mults
    narrative = "\n".join(
        [
            f"入力 {H}×{W}×{C}、出力チャンネル {M}、カーネル {K}×{K}（ストライド 1、same パディング）。",
            "",
            f"- 通常の畳み込み: $H W M \\cdot K^2 C$ = **{standard_mults:,}** 回",
            f"- depthwise: $H W C \\cdot K^2$ = {depthwise_mults:,} 回",
            f"- pointwise (1×1): $H W M \\cdot C$ = {pointwise_mults:,} 回",
            f"- separable の合計 = **{separable_mults:,}** 回",
            "",
            f"比は $\\frac{{1}}{{M}} + \\frac{{1}}{{K^2}} = \\frac{{1}}{{{M}}} + \\frac{{1}}{{{K * K}}}"
            f" = {ratio:.4f}$。計算量はおよそ {1 / ratio:.1f} 分の 1 になる。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="乗算回数",
        x=["通常の畳み込み", "depthwise", "pointwise", "separable 合計"],
        series={"乗算回数": [standard_mults, depthwise_mults, pointwise_mults, separable_mults]},
    )
    return DemoResult(
        values={
            "standard_mults": standard_mults,
            "depthwise_mults": depthwise_mults,
            "pointwise_mults": pointwise_mults,
            "separable_mults": separable_mults,
            "ratio": ratio,
        },
        narrative=narrative,
        plots=[plot],
    )
