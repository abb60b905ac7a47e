"""Demos on convolutional networks beyond output sizes: im2col, receptive fields, parameter
counts, transposed, 1×1 and grouped convolutions, pooling (global average, Lp, small
shifts), why a fully connected layer ignores the image's layout, and AlexNet's shapes.

Every demo runs the engine's Convolution and Pooling layers (or reads their output shapes,
where a real forward pass would only waste time and memory: AlexNet's fc6 alone holds 37.7
million weights).
"""

from __future__ import annotations

import numpy as np

from engine import im2col as windows
from engine.demos.registry import (
    BoolParam,
    DemoResult,
    FloatParam,
    IntParam,
    ListParam,
    ParameterError,
    Plot,
    demo,
)
from engine.layers import Affine, Convolution, Pooling

SYLLABUS_CNN = ("3-4 畳み込みニューラルネットワーク",)
SEED = IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード")


def _shape_only(shape: tuple[int, ...]) -> np.ndarray:
    """An array of the given shape that occupies no memory: layers read only W.shape here."""
    return np.broadcast_to(np.zeros(1), shape)


def _fits(demo_id: str, size: int, pad: int, window: int, name: str) -> None:
    if window > size + 2 * pad:
        raise ParameterError(
            f"In demo {demo_id} the {window}-wide window does not fit in the padded {name} "
            f"({size} + 2×{pad} = {size + 2 * pad})."
        )


def direct_convolution(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int, pad: int):
    """The definition, one output pixel at a time (slow; only to check im2col on tiny inputs):
    y[n, f, i, j] = Σ_c Σ_p Σ_q W[f, c, p, q] · x_pad[n, c, i·S + p, j·S + q] + b[f]."""
    n, _, height, width = x.shape
    filters, _, fh, fw = W.shape
    out_h = windows.output_size(height, fh, stride, pad)
    out_w = windows.output_size(width, fw, stride, pad)
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    y = np.empty((n, filters, out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            patch = x_pad[:, :, i * stride : i * stride + fh, j * stride : j * stride + fw]
            y[:, :, i, j] = np.tensordot(patch, W, axes=([1, 2, 3], [1, 2, 3])) + b
    return y


# --- im2col ------------------------------------------------------------------------------------


@demo(
    "conv-im2col",
    title="im2col：畳み込みを 1 回の行列積にする",
    description=(
        "入力の各窓（C×FH×FW 個の画素）を 1 列に並べた行列を engine.im2col で作り、"
        "その形と中身、行列積で求めた畳み込みが定義どおりの計算と一致することを確かめる。"
    ),
    syllabus=SYLLABUS_CNN,
    params=(
        IntParam("N", 1, min=1, max=16, help="バッチサイズ"),
        IntParam("C", 3, min=1, max=8, help="入力チャンネル数"),
        IntParam("H", 7, min=1, max=32, help="入力の高さ"),
        IntParam("W", 7, min=1, max=32, help="入力の幅"),
        IntParam("FH", 5, min=1, max=11, help="フィルタの高さ"),
        IntParam("FW", 5, min=1, max=11, help="フィルタの幅"),
        IntParam("stride", 1, min=1, max=8, help="ストライド"),
        IntParam("pad", 0, min=0, max=5, help="パディング"),
        IntParam("FN", 2, min=1, max=8, help="フィルタの数（出力チャンネル数）"),
        SEED,
    ),
)
def conv_im2col(
    N: int, C: int, H: int, W: int, FH: int, FW: int, stride: int, pad: int, FN: int, seed: int
) -> DemoResult:
    _fits("conv-im2col", H, pad, FH, "height")
    _fits("conv-im2col", W, pad, FW, "width")
    x = np.arange(N * C * H * W, dtype=np.float64).reshape(N, C, H, W)
    col = windows.im2col(x, FH, FW, stride, pad)  # engine orientation: (C·FH·FW, N·OH·OW)
    out_h = windows.output_size(H, FH, stride, pad)
    out_w = windows.output_size(W, FW, stride, pad)
    book_col = col.T  # the book's im2col: one row per output pixel, (N·OH·OW, C·FH·FW)
    rng = np.random.default_rng(seed)
    weight, bias = rng.standard_normal((FN, C, FH, FW)), rng.standard_normal(FN)
    layer = Convolution(weight, bias, stride=stride, pad=pad)
    y = layer.forward(x)
    # The book's route: (N·OH·OW, C·FH·FW) · (C·FH·FW, FN), then back to NCHW.
    y_book = (book_col @ weight.reshape(FN, -1).T + bias).reshape(N, out_h, out_w, FN)
    y_book = y_book.transpose(0, 3, 1, 2)
    direct = direct_convolution(x, weight, bias, stride, pad)
    max_abs_diff = float(max(np.abs(y - direct).max(), np.abs(y_book - direct).max()))
    first_window = book_col[0].tolist()
    narrative = "\n".join(
        [
            f"入力 ({N}, {C}, {H}, {W}) に {FH}×{FW} のフィルタをストライド {stride}、"
            f"パディング {pad} で掛けると、出力は {out_h}×{out_w}。",
            "",
            f"- 『ゼロから作る』の im2col は 1 行に 1 つの窓を並べ、形は "
            f"$(N \\cdot OH \\cdot OW, C \\cdot FH \\cdot FW)$ = **({book_col.shape[0]}, {book_col.shape[1]})**。",
            f"- フィルタを $(FN, C \\cdot FH \\cdot FW)$ = ({FN}, {C * FH * FW}) に reshape して転置し、"
            f"行列積を 1 回計算すると ({book_col.shape[0]}, {FN}) になり、これを (N, FN, OH, OW) に戻す。",
            f"- 行列の要素数は入力の {col.size / x.size:.3g} 倍。窓が重なる画素は何度もコピーされるので、"
            "im2col はメモリを多く使う代わりに、速い行列積ライブラリを使える。",
            "",
            f"定義どおりの計算との差の最大値は {max_abs_diff:.3g}。"
            f"最初の窓（1 行目）の中身: {first_window[: min(12, len(first_window))]}"
            + (" …" if len(first_window) > 12 else ""),
        ]
    )
    plot = Plot(
        kind="heatmap",
        title="im2col の行列（1 行 = 1 つの窓、入力は 0, 1, 2, … の連番）",
        z=book_col.tolist() if book_col.size <= 4000 else [],
        x_label="C·FH·FW",
        y_label="N·OH·OW",
    )
    return DemoResult(
        values={
            "out_h": out_h,
            "out_w": out_w,
            "book_rows": book_col.shape[0],
            "book_cols": book_col.shape[1],
            "col_rows": col.shape[0],
            "col_cols": col.shape[1],
            "expansion": col.size / x.size,
            "first_window": first_window,
            "max_abs_diff": max_abs_diff,
        },
        narrative=narrative,
        plots=[plot] if plot.z else [],
    )


# --- receptive field --------------------------------------------------------------------------


def receptive_field_by_backprop(layers: int, kernel: int, stride: int) -> tuple[list[int], int]:
    """The side of the input region one output pixel depends on, after 1, 2, … layers.

    Each stack of Convolution layers (all-ones filters, so no contribution cancels) is given an
    input big enough for a 3×3 output; the gradient of the centre output pixel is sent back,
    and the nonzero rows of ∂y/∂x are the pixels that pixel sees.
    """
    fields, jump = [], 1
    for depth in range(1, layers + 1):
        stack = [
            Convolution(np.ones((1, 1, kernel, kernel)), np.zeros(1), stride=stride)
            for _ in range(depth)
        ]
        field = 1
        for k in range(depth):  # only to size the input: r grows by (k − 1)·(product of strides)
            field += (kernel - 1) * stride**k
        jump = stride**depth
        size = field + 2 * jump
        y = np.zeros((1, 1, size, size))
        for layer in stack:
            y = layer.forward(y)
        dout = np.zeros_like(y)
        dout[0, 0, y.shape[2] // 2, y.shape[3] // 2] = 1.0
        for layer in reversed(stack):
            dout = layer.backward(dout)
        rows = np.nonzero(dout[0, 0].any(axis=1))[0]
        fields.append(int(rows[-1] - rows[0] + 1))
    return fields, jump


@demo(
    "conv-receptive-field",
    title="受容野：層を重ねると 1 画素が見る範囲が広がる",
    description=(
        "同じ畳み込み層を重ね、出力の中央の 1 画素から誤差逆伝播で勾配を戻し、"
        "勾配が 0 でない入力の範囲（受容野）を測る。"
    ),
    syllabus=SYLLABUS_CNN,
    params=(
        IntParam("layers", 3, min=1, max=8, help="畳み込み層の数"),
        IntParam("kernel", 3, min=1, max=11, help="フィルタの大きさ（正方形）"),
        IntParam("stride", 1, min=1, max=3, help="各層のストライド"),
    ),
)
def conv_receptive_field(layers: int, kernel: int, stride: int) -> DemoResult:
    if stride**layers > 512:
        raise ParameterError(
            f"In demo conv-receptive-field stride^layers = {stride**layers} is too large; "
            "use fewer layers or a smaller stride."
        )
    fields, jump = receptive_field_by_backprop(layers, kernel, stride)
    params_stack = layers * kernel * kernel
    params_single = fields[-1] ** 2
    narrative = "\n".join(
        [
            f"{kernel}×{kernel}・ストライド {stride} の畳み込みを {layers} 層重ね、出力の 1 画素の勾配を"
            "入力まで逆伝播した。勾配が 0 でない範囲がその画素の受容野である。",
            "",
            "層ごとの受容野: " + ", ".join(f"{r}×{r}" for r in fields),
            "",
            "受容野は 1 層ごとに $(k - 1) \\times$（それまでのストライドの積）ずつ広がる"
            "（$r_l = r_{l-1} + (k - 1) J_{l-1}$、$J_{l-1}$ は手前の層までのストライドの積）。",
            f"1 チャンネルあたりの重みは、{kernel}×{kernel} を {layers} 層で {params_stack} 個、"
            f"同じ受容野を 1 層の {fields[-1]}×{fields[-1]} で得ると {params_single} 個。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="層の数と受容野の一辺",
        x=[f"{i + 1} 層" for i in range(layers)],
        series={"受容野": fields},
    )
    return DemoResult(
        values={
            "receptive_field": fields[-1],
            "fields": fields,
            "jump": jump,
            "stack_weights": params_stack,
            "single_layer_weights": params_single,
        },
        narrative=narrative,
        plots=[plot],
    )


# --- parameter counts -------------------------------------------------------------------------


@demo(
    "conv-param-count",
    title="畳み込み層のパラメータ数と、同じ出力を作る全結合層",
    description=(
        "フィルタ (FN, C, FH, FW) とバイアス (FN,) の要素数を数え、同じ入力から同じ数の出力を作る"
        "全結合層（Affine）の重みの数と比べる。"
    ),
    syllabus=SYLLABUS_CNN,
    params=(
        IntParam("C", 3, min=1, max=2048, help="入力チャンネル数"),
        IntParam("H", 32, min=1, max=512, help="入力の高さ"),
        IntParam("W", 32, min=1, max=512, help="入力の幅"),
        IntParam("FN", 16, min=1, max=2048, help="フィルタの数"),
        IntParam("FH", 3, min=1, max=15, help="フィルタの高さ"),
        IntParam("FW", 3, min=1, max=15, help="フィルタの幅"),
        IntParam("stride", 1, min=1, max=8, help="ストライド"),
        IntParam("pad", 1, min=0, max=7, help="パディング"),
        BoolParam("bias", True, help="バイアスを数えるか"),
    ),
)
def conv_param_count(
    C: int, H: int, W: int, FN: int, FH: int, FW: int, stride: int, pad: int, bias: bool
) -> DemoResult:
    _fits("conv-param-count", H, pad, FH, "height")
    _fits("conv-param-count", W, pad, FW, "width")
    layer = Convolution(_shape_only((FN, C, FH, FW)), _shape_only((FN,)), stride=stride, pad=pad)
    _, out_c, out_h, out_w = layer.output_shape((1, C, H, W))
    weights = layer.W.size
    conv_params = weights + (layer.b.size if bias else 0)
    inputs, outputs = C * H * W, out_c * out_h * out_w
    fc_params = inputs * outputs + (outputs if bias else 0)
    mults = outputs * C * FH * FW
    narrative = "\n".join(
        [
            f"入力 ({C}, {H}, {W})、フィルタ ({FN}, {C}, {FH}, {FW})、ストライド {stride}、パディング {pad}。",
            "",
            f"- 出力は ({out_c}, {out_h}, {out_w})。出力のチャンネル数はフィルタの数 FN で決まる。",
            f"- 重み: $FN \\cdot C \\cdot FH \\cdot FW$ = {FN}·{C}·{FH}·{FW} = **{weights:,}**"
            + (
                f"、バイアス {FN} 個（フィルタ 1 枚に 1 個）で合計 **{conv_params:,}**。"
                if bias
                else "。"
            ),
            f"- パラメータ数は入力の高さ・幅によらない。同じ {inputs:,} 入力から {outputs:,} 出力を作る"
            f"全結合層なら {fc_params:,} 個必要で、畳み込み層の {fc_params / conv_params:,.0f} 倍。",
            f"- 乗算回数は $FN \\cdot OH \\cdot OW \\cdot C \\cdot FH \\cdot FW$ = {mults:,} 回。"
            "同じ重みを画像全体で使い回す（重み共有）ので、パラメータは少なく計算は多い。",
        ]
    )
    return DemoResult(
        values={
            "weight_shape": list(layer.W.shape),
            "weights": weights,
            "biases": FN if bias else 0,
            "conv_params": conv_params,
            "out_c": out_c,
            "out_h": out_h,
            "out_w": out_w,
            "fc_params": fc_params,
            "multiplications": mults,
        },
        narrative=narrative,
    )


# --- transposed convolution -------------------------------------------------------------------


@demo(
    "conv-transposed-size",
    title="転置畳み込み（逆畳み込み）の出力サイズ",
    description=(
        "転置畳み込みは畳み込みの逆伝播と同じ計算である。engine の Convolution.backward で"
        "小さな特徴マップを大きくし、その大きさに同じ畳み込みを掛けると元の大きさに戻ることを確かめる。"
    ),
    syllabus=SYLLABUS_CNN,
    params=(
        IntParam("H", 4, min=1, max=128, help="入力の高さ"),
        IntParam("W", 4, min=1, max=128, help="入力の幅"),
        IntParam("K", 3, min=1, max=11, help="カーネルの大きさ"),
        IntParam("stride", 2, min=1, max=8, help="ストライド"),
        IntParam("pad", 1, min=0, max=5, help="パディング"),
        IntParam("output_padding", 0, min=0, max=7, help="出力の片側に足す行・列の数"),
    ),
)
def conv_transposed_size(
    H: int, W: int, K: int, stride: int, pad: int, output_padding: int
) -> DemoResult:
    if output_padding >= stride:
        raise ParameterError(
            f"In demo conv-transposed-size output_padding ({output_padding}) must be smaller "
            f"than the stride ({stride})."
        )
    out_h = (H - 1) * stride - 2 * pad + K + output_padding
    out_w = (W - 1) * stride - 2 * pad + K + output_padding
    if min(out_h, out_w) < 1 or min(out_h, out_w) + 2 * pad < K:
        raise ParameterError(
            f"In demo conv-transposed-size the padding ({pad}) is too large for a {K}×{K} kernel "
            f"on a {H}×{W} input."
        )
    # The transposed convolution of this size is the backward pass of the convolution that maps
    # an out_h × out_w map to H × W: it spreads every input value over a K×K patch, stride apart.
    conv = Convolution(np.ones((1, 1, K, K)), np.zeros(1), stride=stride, pad=pad)
    back = conv.forward(np.zeros((1, 1, out_h, out_w)))
    conv_check = list(back.shape[2:]) == [H, W]
    one_hot = np.zeros((1, 1, H, W))
    one_hot[0, 0, 0, 0] = 1.0
    y = conv.backward(one_hot)
    covered = int(np.count_nonzero(y))
    narrative = "\n".join(
        [
            f"{H}×{W} の入力に、カーネル {K}×{K}・ストライド {stride}・パディング {pad}"
            f"・output_padding {output_padding} の転置畳み込みを掛けると、出力は **{out_h}×{out_w}**。",
            "",
            "$O = (I - 1) \\times S - 2P + K$ ＋ output_padding で、通常の畳み込みの式"
            " $I = \\left\\lfloor \\frac{O + 2P - K}{S} \\right\\rfloor + 1$ を O について解いたもの。",
            f"- 同じ設定の畳み込みを {out_h}×{out_w} に掛けると {back.shape[2]}×{back.shape[3]} に戻る"
            f"（{'一致' if conv_check else '不一致'}）。",
            "- ストライドが 2 以上だと、切り捨てのせいで複数の O が同じ I に対応する。どれを出すかを"
            " output_padding で選ぶ。",
            f"- 入力の 1 画素は、出力の {covered} 画素（K×K の窓のうち出力に収まる部分）に重み付きで書き込まれる。",
        ]
    )
    return DemoResult(
        values={
            "out_h": out_h,
            "out_w": out_w,
            "conv_back_h": int(back.shape[2]),
            "conv_back_w": int(back.shape[3]),
            "conv_check": conv_check,
            "corner_pixels_written": covered,
        },
        narrative=narrative,
        plots=[Plot(kind="heatmap", title="左上の 1 画素が書き込む範囲", z=y[0, 0].tolist())]
        if out_h * out_w <= 400
        else [],
    )


# --- 1×1 and grouped convolutions -------------------------------------------------------------


@demo(
    "conv-pointwise",
    title="1×1 畳み込みは画素ごとの全結合層",
    description=(
        "1×1 の畳み込み（pointwise convolution）と、各画素のチャンネルベクトルに同じ Affine を"
        "掛ける計算を engine で比べる。"
    ),
    syllabus=SYLLABUS_CNN,
    params=(
        IntParam("N", 2, min=1, max=8, help="バッチサイズ"),
        IntParam("C", 64, min=1, max=512, help="入力チャンネル数"),
        IntParam("M", 16, min=1, max=512, help="出力チャンネル数"),
        IntParam("H", 5, min=1, max=32, help="高さ"),
        IntParam("W", 5, min=1, max=32, help="幅"),
        SEED,
    ),
)
def conv_pointwise(N: int, C: int, M: int, H: int, W: int, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, H, W))
    weight, bias = rng.standard_normal((M, C, 1, 1)), rng.standard_normal(M)
    y_conv = Convolution(weight, bias).forward(x)
    # Every pixel's C-vector through one Affine (C → M): rows are the N·H·W pixels.
    pixels = x.transpose(0, 2, 3, 1).reshape(-1, C)
    y_affine = Affine(weight.reshape(M, C).T, bias).forward(pixels)
    y_affine = y_affine.reshape(N, H, W, M).transpose(0, 3, 1, 2)
    max_abs_diff = float(np.abs(y_conv - y_affine).max())
    params = M * C + M
    narrative = "\n".join(
        [
            f"入力 ({N}, {C}, {H}, {W}) に 1×1 の畳み込み（フィルタ ({M}, {C}, 1, 1)）を掛けると、"
            f"出力は ({N}, {M}, {H}, {W})：高さと幅はそのままで、チャンネル数だけが {C} → {M} になる。",
            "",
            f"各画素の {C} 次元ベクトルに同じ全結合層（{C} → {M}）を掛けた結果との差は最大 {max_abs_diff:.3g}。",
            f"パラメータは {C}·{M} + {M} = {params:,} 個。チャンネル方向の次元削減（ボトルネック）や、"
            "depthwise 畳み込みの後にチャンネルを混ぜる pointwise 畳み込みに使う。",
        ]
    )
    return DemoResult(
        values={
            "out_shape": list(y_conv.shape),
            "max_abs_diff": max_abs_diff,
            "params": params,
        },
        narrative=narrative,
    )


@demo(
    "conv-channel-sum",
    title="多チャンネルの畳み込みはチャンネル方向に足す",
    description=(
        "形 (1, C, K, K) のフィルタ 1 枚の畳み込みを engine で計算し、チャンネルごとの畳み込みの"
        "和・最大・入力の平均を畳み込んだものと比べる。"
    ),
    syllabus=SYLLABUS_CNN,
    params=(
        IntParam("C", 3, min=1, max=64, help="入力チャンネル数"),
        IntParam("H", 6, min=1, max=32, help="高さ"),
        IntParam("W", 6, min=1, max=32, help="幅"),
        IntParam("K", 3, min=1, max=7, help="フィルタの大きさ"),
        IntParam("pad", 1, min=0, max=3, help="パディング"),
        SEED,
    ),
)
def conv_channel_sum(C: int, H: int, W: int, K: int, pad: int, seed: int) -> DemoResult:
    if H + 2 * pad < K or W + 2 * pad < K:
        raise ParameterError(
            f"In demo conv-channel-sum the {K}×{K} filter does not fit the padded "
            f"{H + 2 * pad}×{W + 2 * pad} input."
        )
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, C, H, W))
    weight, bias = rng.standard_normal((1, C, K, K)), np.zeros(1)
    y = Convolution(weight, bias, pad=pad).forward(x)
    # Channel c alone through its own K×K slice of the filter: C single-channel maps.
    per_channel = np.stack(
        [
            Convolution(weight[:, c : c + 1], bias, pad=pad).forward(x[:, c : c + 1])[0, 0]
            for c in range(C)
        ]
    )
    mean_input = Convolution(weight.mean(axis=1, keepdims=True), bias, pad=pad).forward(
        x.mean(axis=1, keepdims=True)
    )[0, 0]

    def differs(candidate: np.ndarray) -> float:
        return float(np.abs(y[0, 0] - candidate).max())

    sum_diff = differs(per_channel.sum(axis=0))
    max_diff = differs(per_channel.max(axis=0))
    mean_diff = differs(mean_input)
    narrative = "\n".join(
        [
            f"入力 (1, {C}, {H}, {W}) にフィルタ (1, {C}, {K}, {K}) を 1 枚、パディング {pad} で掛けると、"
            f"出力は {tuple(y.shape)}：チャンネルはフィルタの枚数と同じ 1 枚になる。",
            "",
            "チャンネルごとに、そのチャンネル用の重みだけで畳み込んだ結果と比べた（出力との差の最大値）：",
            f"- 画素ごとの**和**：{sum_diff:.3g}（一致する）",
            f"- 画素ごとの最大値：{max_diff:.3g}",
            f"- 入力をチャンネル方向に平均してから平均の重みで畳み込んだもの：{mean_diff:.3g}",
            "",
            "畳み込みはフィルタの全チャンネルにわたる積和で、チャンネルごとの結果を足し合わせたものになる。",
        ]
    )
    return DemoResult(
        values={
            "out_shape": list(y.shape),
            "sum_of_channels_diff": sum_diff,
            "max_of_channels_diff": max_diff,
            "mean_input_diff": mean_diff,
        },
        narrative=narrative,
    )


def grouped_convolution(x, weight, bias, groups: int, pad: int) -> np.ndarray:
    """Grouped convolution: the C input channels and the FN filters are split into ``groups``
    equal parts, and part g of the filters (FN/g, C/g, K, K) sees only part g of the channels."""
    filters, channels = weight.shape[0], x.shape[1]
    per_in, per_out = channels // groups, filters // groups
    outputs = [
        Convolution(
            weight[g * per_out : (g + 1) * per_out],
            bias[g * per_out : (g + 1) * per_out],
            pad=pad,
        ).forward(x[:, g * per_in : (g + 1) * per_in])
        for g in range(groups)
    ]
    return np.concatenate(outputs, axis=1)


@demo(
    "conv-grouped",
    title="グループ化畳み込みと depthwise 畳み込みのパラメータ数",
    description=(
        "入力チャンネルとフィルタを G グループに分けて畳み込み、パラメータ数を通常の畳み込みと比べる。"
        "グループをまたぐ重みを 0 にした通常の畳み込みと同じ出力になることも確かめる。"
    ),
    syllabus=SYLLABUS_CNN,
    params=(
        IntParam("C", 8, min=1, max=256, help="入力チャンネル数"),
        IntParam("M", 8, min=1, max=256, help="出力チャンネル数（フィルタの数）"),
        IntParam("K", 3, min=1, max=7, help="カーネルの大きさ（奇数）"),
        IntParam("groups", 2, min=1, max=256, help="グループ数 G（G = C で depthwise）"),
        IntParam("H", 6, min=1, max=32, help="高さ"),
        IntParam("W", 6, min=1, max=32, help="幅"),
        SEED,
    ),
)
def conv_grouped(C: int, M: int, K: int, groups: int, H: int, W: int, seed: int) -> DemoResult:
    if C % groups or M % groups:
        raise ParameterError(
            f"In demo conv-grouped groups ({groups}) must divide both C ({C}) and M ({M})."
        )
    if K % 2 == 0:
        raise ParameterError(f"In demo conv-grouped K must be odd for same padding, got {K}.")
    rng = np.random.default_rng(seed)
    pad = (K - 1) // 2
    x = rng.standard_normal((1, C, H, W))
    weight = rng.standard_normal((M, C // groups, K, K))
    bias = rng.standard_normal(M)
    y = grouped_convolution(x, weight, bias, groups, pad)
    # The same layer as an ordinary convolution whose weights across groups are zero.
    dense = np.zeros((M, C, K, K))
    per_in, per_out = C // groups, M // groups
    for g in range(groups):
        dense[g * per_out : (g + 1) * per_out, g * per_in : (g + 1) * per_in] = weight[
            g * per_out : (g + 1) * per_out
        ]
    max_abs_diff = float(np.abs(Convolution(dense, bias, pad=pad).forward(x) - y).max())
    standard_weights = M * C * K * K
    grouped_weights = weight.size
    depthwise_weights = C * K * K
    narrative = "\n".join(
        [
            f"入力 {C} チャンネル、出力 {M} チャンネル、{K}×{K} のカーネルを {groups} グループに分けた。",
            "",
            f"- 通常の畳み込みの重み: $M \\cdot C \\cdot K^2$ = **{standard_weights:,}**",
            f"- グループ化畳み込み: 各フィルタは $C/G$ = {per_in} チャンネルだけを見るので"
            f" $M \\cdot \\frac{{C}}{{G}} \\cdot K^2$ = **{grouped_weights:,}**（{groups} 分の 1）",
            f"- depthwise（G = C、チャンネルごとに 1 枚）: $C \\cdot K^2$ = {depthwise_weights:,}",
            "",
            f"グループをまたぐ重みを 0 にした通常の畳み込みとの差は最大 {max_abs_diff:.3g}："
            "グループ化畳み込みは、チャンネルの混ぜ方を制限した畳み込みである。",
        ]
    )
    return DemoResult(
        values={
            "standard_weights": standard_weights,
            "grouped_weights": grouped_weights,
            "depthwise_weights": depthwise_weights,
            "weight_shape": list(weight.shape),
            "out_shape": list(y.shape),
            "max_abs_diff": max_abs_diff,
        },
        narrative=narrative,
    )


# --- pooling ----------------------------------------------------------------------------------


@demo(
    "conv-global-avg-pool",
    title="Global Average Pooling",
    description=(
        "特徴マップ全体を 1 つの窓とする平均プーリングを engine の Pooling で計算し、"
        "分類器の全結合層のパラメータ数を、平坦化（flatten）した場合と比べる。"
    ),
    syllabus=SYLLABUS_CNN,
    params=(
        IntParam("N", 2, min=1, max=8, help="バッチサイズ"),
        IntParam("C", 512, min=1, max=2048, help="チャンネル数"),
        IntParam("H", 7, min=1, max=64, help="特徴マップの高さ"),
        IntParam("W", 7, min=1, max=64, help="特徴マップの幅"),
        IntParam("classes", 1000, min=1, max=10000, help="クラス数"),
        SEED,
    ),
)
def conv_global_avg_pool(N: int, C: int, H: int, W: int, classes: int, seed: int) -> DemoResult:
    x = np.random.default_rng(seed).standard_normal((N, C, H, W))
    pooled = Pooling(H, W, mode="avg").forward(x)
    max_abs_diff = float(np.abs(pooled[:, :, 0, 0] - x.mean(axis=(2, 3))).max())
    fc_flatten = C * H * W * classes + classes
    fc_gap = C * classes + classes
    narrative = "\n".join(
        [
            f"({N}, {C}, {H}, {W}) の特徴マップに {H}×{W} の平均プーリングを掛けると"
            f" {tuple(pooled.shape)}：チャンネルごとに全画素の平均を 1 つ取る。",
            f"チャンネルごとの平均（`x.mean(axis=(2, 3))`）との差は最大 {max_abs_diff:.3g}。",
            "",
            f"- 平坦化して {classes} クラスの全結合層につなぐ: {C}·{H}·{W}·{classes} + {classes}"
            f" = **{fc_flatten:,}** 個",
            f"- GAP の後につなぐ: {C}·{classes} + {classes} = **{fc_gap:,}** 個"
            f"（{fc_flatten / fc_gap:.1f} 分の 1）",
            "",
            "プーリング自体には学習するパラメータがない。出力は特徴マップの大きさによらず (N, C) なので、"
            "入力画像の大きさが変わっても同じ全結合層を使える。",
        ]
    )
    return DemoResult(
        values={
            "out_shape": list(pooled.shape),
            "max_abs_diff": max_abs_diff,
            "pool_params": 0,
            "fc_params_flatten": fc_flatten,
            "fc_params_gap": fc_gap,
            "ratio": fc_flatten / fc_gap,
        },
        narrative=narrative,
    )


@demo(
    "conv-lp-pooling",
    title="Lp プーリング：平均と最大のあいだ",
    description=(
        "窓の値 x に対し $(\\frac{1}{|R|}\\sum |x|^p)^{1/p}$ を、engine の平均プーリングを"
        " $|x|^p$ に掛けて求める。p = 1 で平均、p を大きくすると最大値に近づく。"
    ),
    syllabus=SYLLABUS_CNN,
    params=(
        ListParam(
            "x", [1.0, 2.0, 3.0, 6.0], min=0.0, max=1e3, min_length=1, max_length=64,
            help="窓の中の値（0 以上）",
        ),
        FloatParam("p", 2.0, min=1.0, max=200.0, help="指数 p"),
    ),
)  # fmt: skip
def conv_lp_pooling(x: list[float], p: float) -> DemoResult:
    window = np.asarray(x).reshape(1, 1, 1, -1)
    size = window.shape[-1]
    average = Pooling(1, size, mode="avg")

    def lp(power: float) -> float:
        return float(average.forward(np.abs(window) ** power)[0, 0, 0, 0] ** (1 / power))

    value = lp(p)
    mean = float(average.forward(window)[0, 0, 0, 0])
    maximum = float(Pooling(1, size, mode="max").forward(window)[0, 0, 0, 0])
    grid = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]
    curve = [lp(q) for q in grid]
    narrative = "\n".join(
        [
            f"窓の値 {x} に対して、",
            "",
            f"- p = {p:g} の Lp プーリング: $\\left(\\frac{{1}}{{{size}}} \\sum |x_i|^{{{p:g}}}\\right)^{{1/{p:g}}}$"
            f" = **{value:.6g}**",
            f"- 平均プーリング（p = 1）: {mean:.6g}、Max プーリング（p → ∞）: {maximum:.6g}",
            "",
            "p を大きくすると最大の値の寄与が支配的になり、Lp プーリングは Max プーリングに近づく："
            + ", ".join(f"p={q:g}: {v:.4g}" for q, v in zip(grid, curve, strict=True)),
        ]
    )
    plot = Plot(
        kind="line",
        title="p と Lp プーリングの値",
        x=grid,
        series={"Lp": curve, "max": [maximum] * len(grid), "mean": [mean] * len(grid)},
        x_label="p",
    )
    return DemoResult(
        values={"lp": value, "mean": mean, "max": maximum, "curve": curve},
        narrative=narrative,
        plots=[plot],
    )


def _bar_image(size: int, column: int) -> np.ndarray:
    """A (1, 1, size, size) image that is 1 on one column (a vertical bar) and 0 elsewhere."""
    image = np.zeros((1, 1, size, size))
    image[0, 0, :, column] = 1.0
    return image


@demo(
    "conv-shift-invariance",
    title="平行移動：畳み込みはずれに追従し、プーリングはずれを吸収する",
    description=(
        "縦の棒を写した画像を横にずらし、縦線検出フィルタ（単純型細胞に相当）の応答と、"
        "それを Max プーリングした値（複雑型細胞に相当）がどう変わるかを比べる。"
    ),
    syllabus=SYLLABUS_CNN,
    params=(
        IntParam("size", 14, min=6, max=32, help="画像の一辺"),
        IntParam("column", 5, min=0, max=31, help="棒のある列"),
        IntParam("shift", 1, min=0, max=8, help="右へずらす画素数"),
        IntParam("pool", 4, min=1, max=16, help="Max プーリングの窓（ストライドも同じ）"),
    ),
)
def conv_shift_invariance(size: int, column: int, shift: int, pool: int) -> DemoResult:
    if not (column >= 1 and column + shift <= size - 2):
        raise ParameterError(
            f"In demo conv-shift-invariance the bar (column {column}, shifted by {shift}) must "
            f"stay inside columns 1…{size - 2} of the {size}-pixel image."
        )
    conv_size = size - 2
    if pool > conv_size:
        raise ParameterError(
            f"In demo conv-shift-invariance the pool ({pool}) must fit the {conv_size}-wide "
            "response map."
        )
    vertical_line = np.array([[-1.0, 2.0, -1.0]] * 3).reshape(1, 1, 3, 3)  # likes a 1-px bar
    conv = Convolution(vertical_line, np.zeros(1))
    pooling = Pooling(pool, pool, stride=pool, mode="max")
    response = conv.forward(_bar_image(size, column))
    response_shifted = conv.forward(_bar_image(size, column + shift))
    pooled = pooling.forward(response)
    pooled_shifted = pooling.forward(response_shifted)
    peak = int(np.argmax(response[0, 0].max(axis=0)))
    peak_shifted = int(np.argmax(response_shifted[0, 0].max(axis=0)))
    # Equivariance: the response moves with the image (compared where both maps are defined).
    equivariant = bool(
        np.allclose(response_shifted[..., shift:], response[..., : conv_size - shift])
    )
    response_changed = not np.allclose(response, response_shifted)
    pooled_unchanged = bool(np.allclose(pooled, pooled_shifted))
    global_max_unchanged = bool(np.isclose(response.max(), response_shifted.max()))
    narrative = "\n".join(
        [
            f"{size}×{size} の画像の {column} 列目に縦の棒を置き、{shift} 画素右にずらした。",
            "",
            f"- 縦線検出フィルタ（3×3）の応答のピークは {peak} 列目 → {peak_shifted} 列目："
            "畳み込みの出力は入力と一緒に動く（平行移動に対して同変）。位置ごとに決まった特徴に反応する"
            "単純型細胞に似ている。",
            f"- 応答を {pool}×{pool} の Max プーリングに通すと、出力は"
            f"{'変わらない' if pooled_unchanged else '変わる'}。窓の中でのずれは吸収される（小さな平行移動に"
            "対する不変性）。位置が多少ずれても同じ特徴に反応する複雑型細胞に似ている。",
            f"- 応答全体の最大値（Global Max Pooling）は{'変わらない' if global_max_unchanged else '変わる'}。",
        ]
    )
    plot = Plot(
        kind="line",
        title="応答（各列の最大値）",
        x=list(range(conv_size)),
        series={
            "元の画像": response[0, 0].max(axis=0).tolist(),
            "ずらした画像": response_shifted[0, 0].max(axis=0).tolist(),
        },
        x_label="列",
    )
    return DemoResult(
        values={
            "peak_column": peak,
            "peak_column_shifted": peak_shifted,
            "conv_equivariant": equivariant,
            "conv_response_changed": bool(response_changed),
            "pooled_unchanged": pooled_unchanged,
            "global_max_unchanged": global_max_unchanged,
            "pooled": pooled[0, 0].max(axis=0).tolist(),
            "pooled_shifted": pooled_shifted[0, 0].max(axis=0).tolist(),
        },
        narrative=narrative,
        plots=[plot],
    )


# --- fully connected vs convolution -----------------------------------------------------------


@demo(
    "conv-vs-affine",
    title="全結合層は画素の並びを使わない",
    description=(
        "画像の画素を決まった順に並べ替えても、全結合層は重みの行を同じように並べ替えれば同じ出力を"
        "出せる（空間の並びを使っていない）。畳み込み層の出力は変わってしまう。"
    ),
    syllabus=SYLLABUS_CNN,
    params=(
        IntParam("C", 3, min=1, max=8, help="チャンネル数"),
        IntParam("H", 6, min=3, max=32, help="高さ"),
        IntParam("W", 6, min=3, max=32, help="幅"),
        IntParam("hidden", 10, min=1, max=256, help="全結合層の出力数"),
        SEED,
    ),
)
def conv_vs_affine(C: int, H: int, W: int, hidden: int, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, C, H, W))
    order = rng.permutation(C * H * W)
    x_shuffled = x.reshape(2, -1)[:, order].reshape(x.shape)
    weight = rng.standard_normal((C * H * W, hidden))
    bias = rng.standard_normal(hidden)
    y = Affine(weight, bias).forward(x)  # Affine flattens (C, H, W) into one vector
    y_shuffled = Affine(weight[order], bias).forward(x_shuffled)
    affine_max_diff = float(np.abs(y - y_shuffled).max())
    conv = Convolution(rng.standard_normal((hidden, C, 3, 3)), np.zeros(hidden), pad=1)
    conv_max_diff = float(np.abs(conv.forward(x) - conv.forward(x_shuffled)).max())
    narrative = "\n".join(
        [
            f"({C}, {H}, {W}) の画像を全結合層（Affine）に入れると、まず {C * H * W} 次元の 1 本のベクトルに"
            "平坦化される。縦・横・チャンネルの並びの情報は、どの重みがどの画素に掛かるかにしか残らない。",
            "",
            f"- 画素を決まった順序に並べ替え、重みの行も同じように並べ替えると、全結合層の出力の差は"
            f" {affine_max_diff:.3g}（まったく同じ）。全結合層にとって、隣り合う画素も離れた画素も区別がない。",
            f"- 3×3 の畳み込み層では、並べ替えた画像の出力が最大 {conv_max_diff:.3g} 変わる。"
            "畳み込みは近くの画素どうしの関係（局所的な特徴）を同じフィルタで画像全体から取り出す。",
            "",
            f"パラメータ数は全結合層 {weight.size + bias.size:,} 個、畳み込み層 {conv.W.size + conv.b.size:,} 個。",
        ]
    )
    return DemoResult(
        values={
            "affine_max_diff": affine_max_diff,
            "conv_max_diff": conv_max_diff,
            "affine_params": weight.size + bias.size,
            "conv_params": conv.W.size + conv.b.size,
        },
        narrative=narrative,
    )


# --- AlexNet ----------------------------------------------------------------------------------

# (name, kind, filters, kernel, stride, pad, grouped in the two-GPU original)
ALEXNET = (
    ("conv1", "conv", 96, 11, 4, 0, False),
    ("pool1", "pool", None, 3, 2, 0, False),
    ("conv2", "conv", 256, 5, 1, 2, True),
    ("pool2", "pool", None, 3, 2, 0, False),
    ("conv3", "conv", 384, 3, 1, 1, False),
    ("conv4", "conv", 384, 3, 1, 1, True),
    ("conv5", "conv", 256, 3, 1, 1, True),
    ("pool5", "pool", None, 3, 2, 0, False),
    ("fc6", "fc", 4096, None, None, None, False),
    ("fc7", "fc", 4096, None, None, None, False),
    ("fc8", "fc", 1000, None, None, None, False),
)


@demo(
    "conv-alexnet",
    title="AlexNet の各層の形とパラメータ数",
    description=(
        "AlexNet（5 つの畳み込み層と 3 つの全結合層）の各層の出力の形を engine の Convolution と"
        "出力サイズの式で求め、パラメータ数を数える。"
    ),
    syllabus=(*SYLLABUS_CNN, "4-1 画像認識"),
    params=(
        IntParam("input_size", 227, min=67, max=512, help="入力画像の一辺"),
        IntParam("conv1_pad", 0, min=0, max=5, help="conv1 のパディング"),
        BoolParam(
            "groups", False, help="conv2・conv4・conv5 を 2 グループに分ける（原論文の 2 GPU 構成）"
        ),
    ),
)
def conv_alexnet(input_size: int, conv1_pad: int, groups: bool) -> DemoResult:
    shape = (3, input_size, input_size)
    names, shapes, params, kinds = [], [], [], []
    for name, kind, filters, kernel, stride, pad, grouped in ALEXNET:
        channels = shape[0]
        if kind == "conv":
            pad = conv1_pad if name == "conv1" else pad
            split = 2 if groups and grouped else 1
            layer = Convolution(
                _shape_only((filters, channels // split, kernel, kernel)),
                _shape_only((filters,)),
                stride=stride,
                pad=pad,
            )
            if kernel > shape[1] + 2 * pad:
                raise ParameterError(
                    f"In demo conv-alexnet the input ({input_size}) is too small: {name} no longer fits."
                )
            shape = layer.output_shape((1, *shape))[1:]
            count = layer.W.size + layer.b.size
        elif kind == "pool":
            if kernel > shape[1]:
                raise ParameterError(
                    f"In demo conv-alexnet the input ({input_size}) is too small: {name} no longer fits."
                )
            side = windows.output_size(shape[1], kernel, stride, pad)
            shape, count = (channels, side, side), 0
        else:
            inputs = int(np.prod(shape))
            shape, count = (filters,), inputs * filters + filters
        names.append(name)
        shapes.append(list(shape))
        params.append(count)
        kinds.append(kind)
    conv_params = sum(p for p, k in zip(params, kinds, strict=True) if k == "conv")
    fc_params = sum(p for p, k in zip(params, kinds, strict=True) if k == "fc")
    total = conv_params + fc_params
    flatten = int(np.prod(shapes[names.index("pool5")]))
    narrative = "\n".join(
        [
            f"入力 3×{input_size}×{input_size}、conv1 のパディング {conv1_pad}"
            + ("、conv2・conv4・conv5 は 2 グループ（原論文の 2 GPU 構成）。" if groups else "。"),
            "",
            *[
                f"- {n}: 出力 {'×'.join(map(str, s))}、パラメータ {p:,}"
                for n, s, p in zip(names, shapes, params, strict=True)
            ],
            "",
            f"pool5 の出力を平坦化すると {flatten:,} 次元。パラメータは合計 **{total:,}**"
            f"（畳み込み層 {conv_params:,}、全結合層 {fc_params:,} ＝ 全体の {fc_params / total:.1%}）。",
            "活性化関数は ReLU、fc6・fc7（4096 ユニット）の出力にドロップアウトを使い、"
            "局所応答正規化（LRN）も使った。2012 年の ILSVRC で 2 位に大差をつけて優勝した。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="層ごとのパラメータ数",
        x=names,
        series={"パラメータ数": params},
    )
    return DemoResult(
        values={
            "layers": names,
            "shapes": shapes,
            "params": params,
            "conv_layers": kinds.count("conv"),
            "fc_layers": kinds.count("fc"),
            "conv_params": conv_params,
            "fc_params": fc_params,
            "total_params": total,
            "fc_share": fc_params / total,
            "flatten": flatten,
        },
        narrative=narrative,
        plots=[plot],
    )
