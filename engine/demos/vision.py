"""Demos on image recognition: residual connections, bottlenecks, WideResNet, EfficientNet, ViT."""

from __future__ import annotations

import math

import numpy as np

from engine import init
from engine.demos.registry import (
    ChoiceParam,
    DemoResult,
    FloatParam,
    IntParam,
    ParameterError,
    Plot,
    demo,
)
from engine.layers import Affine, Convolution, Relu, Sigmoid, Tanh

SYLLABUS_VISION = ("4-1 画像認識",)
SEED = IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード")

# --- residual connections -----------------------------------------------------------------

ACTIVATION_LAYERS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": Relu}


def _weights(init_name: str, shape: tuple[int, int], rng) -> np.ndarray:
    if init_name == "std0.01":
        return init.normal(shape, 0.01, rng)
    return init.initial_weight(shape, init_name, rng)


def input_gradient_norms(
    blocks: list[tuple[Affine, object]], x: np.ndarray, dout: np.ndarray, residual: bool
) -> list[float]:
    """‖∂L/∂h_l‖ at the input of every block, input side first, for the stack

    plain:    h_{l+1} = F_l(h_l)          residual: h_{l+1} = h_l + F_l(h_l)

    with F_l = activation ∘ Affine. The residual block's backward adds the identity path:
    ∂L/∂h_l = ∂L/∂h_{l+1} · (I + ∂F_l/∂h_l).
    """
    h = x
    for affine, activation in blocks:
        f = activation.forward(affine.forward(h))
        h = h + f if residual else f
    norms = []
    grad = dout
    for affine, activation in reversed(blocks):
        through_f = affine.backward(activation.backward(grad))
        grad = grad + through_f if residual else through_f
        norms.append(float(np.linalg.norm(grad)))
    return norms[::-1]


@demo(
    "resnet-gradient-flow",
    title="残差接続と勾配の流れ（plain と residual の比較）",
    description=(
        "同じ重みの全結合ブロックを深く積み、ただ重ねた場合（plain）と y = F(x) + x の"
        "残差接続で重ねた場合に、出力から流した勾配がブロックの入力でどれだけ残るかを比べる。"
    ),
    syllabus=SYLLABUS_VISION,
    params=(
        IntParam("depth", 20, min=1, max=100, help="ブロックの数"),
        IntParam("width", 32, min=2, max=256, help="各ブロックのユニット数"),
        ChoiceParam("activation", "sigmoid", choices=tuple(ACTIVATION_LAYERS), help="活性化関数"),
        ChoiceParam("init", "xavier", choices=("xavier", "he", "std0.01"), help="重みの初期値"),
        SEED,
    ),
)
def resnet_gradient_flow(depth: int, width: int, activation: str, init: str, seed: int):
    rng = np.random.default_rng(seed)
    weights = [_weights(init, (width, width), rng) for _ in range(depth)]
    x = rng.standard_normal((16, width))
    dout = rng.standard_normal((16, width))  # the gradient arriving from the loss above

    def blocks():
        return [(Affine(W, np.zeros(width)), ACTIVATION_LAYERS[activation]()) for W in weights]

    plain = input_gradient_norms(blocks(), x, dout, residual=False)
    residual = input_gradient_norms(blocks(), x, dout, residual=True)
    top = float(np.linalg.norm(dout))
    plain_ratio = plain[0] / top
    residual_ratio = residual[0] / top
    narrative = "\n".join(
        [
            f"{depth} 個のブロック（Affine → {activation}、幅 {width}、初期値 {init}）を同じ重みで積み、"
            f"出力側から同じ勾配（ノルム {top:.3g}）を流した。",
            "",
            f"- plain $h_{{l+1}} = F(h_l)$：最初のブロックの入力での勾配ノルムは **{plain[0]:.3g}**"
            f"（出力側の {plain_ratio:.3g} 倍）",
            f"- residual $h_{{l+1}} = F(h_l) + h_l$：**{residual[0]:.3g}**（{residual_ratio:.3g} 倍）",
            "",
            "残差ブロックの逆伝播は $\\frac{\\partial L}{\\partial h_l} = \\frac{\\partial L}{\\partial h_{l+1}}"
            "\\left(I + \\frac{\\partial F}{\\partial h_l}\\right)$ で、恒等写像（スキップ接続）の項 $I$ が"
            "勾配をそのまま下の層へ運ぶ。plain では毎層 $\\frac{\\partial F}{\\partial h_l}$ が掛かり続け、"
            "小さければ勾配は指数的に消える。",
        ]
    )
    plot = Plot(
        kind="line",
        title="各ブロックの入力での勾配ノルム（左が入力側）",
        x=list(range(1, depth + 1)),
        series={"plain": plain, "residual": residual},
        x_label="ブロック",
        y_label="‖∂L/∂h‖",
    )
    return DemoResult(
        values={
            "plain_grad_norms": plain,
            "residual_grad_norms": residual,
            "output_grad_norm": top,
            "plain_ratio": plain_ratio,
            "residual_ratio": residual_ratio,
        },
        narrative=narrative,
        plots=[plot],
    )


# --- parameter counts of blocks -----------------------------------------------------------


def conv(in_channels: int, out_channels: int, k: int) -> Convolution:
    """A k × k convolution with same padding, bias-free as in ResNet (BN follows it)."""
    return Convolution(
        np.zeros((out_channels, in_channels, k, k)), np.zeros(out_channels), pad=k // 2
    )


def weight_count(layers: list[Convolution]) -> int:
    return sum(layer.W.size for layer in layers)


def multiplications(layers: list[Convolution], in_shape: tuple[int, int, int, int]) -> int:
    """Multiplications of a chain of convolutions: each output element costs C·FH·FW."""
    total, shape = 0, in_shape
    for layer in layers:
        shape = layer.output_shape(shape)
        total += math.prod(shape) * math.prod(layer.W.shape[1:])
    return total


@demo(
    "resnet-bottleneck-params",
    title="ボトルネック構造のパラメータ数",
    description=(
        "1×1（次元削減）→ 3×3 → 1×1（次元復元）のボトルネックブロックと、3×3 畳み込み 2 層の"
        "ブロックの重みの数と乗算回数を、engine の Convolution 層の形から数える（バイアスなし）。"
    ),
    syllabus=SYLLABUS_VISION,
    params=(
        IntParam("C", 256, min=1, max=4096, help="ブロックの入出力のチャンネル数"),
        IntParam("mid", 64, min=1, max=4096, help="ボトルネックの中間チャンネル数"),
        IntParam("H", 56, min=1, max=512, help="特徴マップの高さ・幅"),
    ),
)
def resnet_bottleneck_params(C: int, mid: int, H: int) -> DemoResult:
    bottleneck = [conv(C, mid, 1), conv(mid, mid, 3), conv(mid, C, 1)]
    basic = [conv(C, C, 3), conv(C, C, 3)]
    basic_mid = [conv(mid, mid, 3), conv(mid, mid, 3)]  # the paper's comparison (Fig. 5)
    # The shapes must chain and come back to C channels, so the skip connection can add them.
    x = np.zeros((1, C, 2, 2))
    for layer in bottleneck:
        x = layer.forward(x)
    assert x.shape[1] == C
    layer_params = [layer.W.size for layer in bottleneck]
    bottleneck_params = weight_count(bottleneck)
    basic_params = weight_count(basic)
    shape = (1, C, H, H)
    bottleneck_mults = multiplications(bottleneck, shape)
    basic_mults = multiplications(basic, shape)
    narrative = "\n".join(
        [
            f"入出力 {C} チャンネル、中間 {mid} チャンネル、特徴マップ {H}×{H}。",
            "",
            f"- ボトルネック：1×1 ({C}→{mid}) {layer_params[0]:,} + 3×3 ({mid}→{mid}) {layer_params[1]:,}"
            f" + 1×1 ({mid}→{C}) {layer_params[2]:,} = **{bottleneck_params:,}**",
            f"- 3×3 畳み込み 2 層 ({C}→{C}→{C})：$2 \\times 9 \\times {C}^2$ = **{basic_params:,}**",
            "",
            f"- 参考：中間と同じ {mid} チャンネルの 3×3 畳み込み 2 層は {weight_count(basic_mid):,}。"
            f"ボトルネックは {C} チャンネルを扱いながら、これと同程度の重みで済む。",
            "",
            f"重みは {basic_params / bottleneck_params:.2f} 分の 1、乗算回数も {basic_mults:,} 回から"
            f" {bottleneck_mults:,} 回に減る。1×1 畳み込みでチャンネルを絞ってから高価な 3×3 をかけ、"
            "もう一度 1×1 で戻すのがボトルネック構造である（ResNet-50/101/152 で使われる）。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="ブロックの重みの数",
        x=["1×1 削減", "3×3", "1×1 復元", "ボトルネック計", "3×3 ×2"],
        series={"重み": [*layer_params, bottleneck_params, basic_params]},
    )
    return DemoResult(
        values={
            "bottleneck_params": bottleneck_params,
            "basic_params": basic_params,
            "basic_params_mid": weight_count(basic_mid),
            "layer_params": layer_params,
            "ratio": basic_params / bottleneck_params,
            "bottleneck_mults": bottleneck_mults,
            "basic_mults": basic_mults,
        },
        narrative=narrative,
        plots=[plot],
    )


def wide_resnet_layers(depth: int, k: int) -> tuple[list[Convolution], list[int]]:
    """The convolutions of WRN-depth-k (Zagoruyko & Komodakis 2016) and its BN channel counts.

    conv 3×3 (3 → 16), then three groups of N = (depth − 4)/6 basic blocks with 16k, 32k
    and 64k channels (two 3×3 convolutions each, pre-activation BN before each), a 1×1
    projection on the shortcut where the channel count changes, and a final BN.
    """
    n = (depth - 4) // 6
    layers = [conv(3, 16, 3)]
    bn_channels = []
    channels = 16
    for width in (16 * k, 32 * k, 64 * k):
        for _ in range(n):
            bn_channels += [channels, width]
            layers += [conv(channels, width, 3), conv(width, width, 3)]
            if channels != width:
                layers.append(conv(channels, width, 1))
            channels = width
    bn_channels.append(channels)
    return layers, bn_channels


@demo(
    "wideresnet-params",
    title="WideResNet：幅 k とパラメータ数",
    description=(
        "WRN-d-k の畳み込み層を engine の Convolution として組み立て、重み・BN・全結合の"
        "パラメータを数える。幅を k 倍にしたときの増え方を k = 1 と比べる。"
    ),
    syllabus=SYLLABUS_VISION,
    params=(
        IntParam("depth", 28, min=10, max=100, help="深さ d（(d − 4) は 6 の倍数）"),
        IntParam("k", 10, min=1, max=16, help="幅の倍率 k"),
        IntParam("classes", 10, min=1, max=1000, help="クラス数"),
    ),
)
def wideresnet_params(depth: int, k: int, classes: int) -> DemoResult:
    if (depth - 4) % 6:
        raise ParameterError(
            f"In demo wideresnet-params depth − 4 must be a multiple of 6 (e.g. 16, 28, 40), got {depth}."
        )

    def count(width_factor: int) -> tuple[int, int]:
        layers, bn = wide_resnet_layers(depth, width_factor)
        fc_in = 64 * width_factor
        conv_params = weight_count(layers)
        return conv_params, conv_params + 2 * sum(bn) + fc_in * classes + classes

    conv_params, total = count(k)
    conv_params_1, total_1 = count(1)
    n = (depth - 4) // 6
    narrative = "\n".join(
        [
            f"WRN-{depth}-{k}：各グループに {n} 個のブロック、チャンネル数は {16 * k}, {32 * k}, {64 * k}。",
            "",
            f"- 畳み込みの重み：**{conv_params:,}**（k = 1 では {conv_params_1:,}、"
            f"{conv_params / conv_params_1:.1f} 倍）",
            f"- BN と全結合を含む合計：**{total:,}**（約 {total / 1e6:.1f}M）",
            "",
            f"3×3 畳み込みの重みは入力と出力のチャンネル数の積に比例するので、幅を k 倍にすると"
            f"およそ $k^2 = {k * k}$ 倍になる（最初の 3 → 16 チャンネルの畳み込みは幅を変えず、"
            "それを受ける最初のブロックの畳み込みは出力側だけが k 倍になるので、少し下回る）。"
            "WideResNet は層を深くする代わりに幅を広げ、浅くても高い精度と GPU での速い学習を得た。",
        ]
    )
    return DemoResult(
        values={
            "conv_params": conv_params,
            "total_params": total,
            "conv_params_k1": conv_params_1,
            "total_params_k1": total_1,
            "conv_ratio": conv_params / conv_params_1,
            "blocks_per_group": n,
            "channels": [16 * k, 32 * k, 64 * k],
        },
        narrative=narrative,
    )


# --- EfficientNet -------------------------------------------------------------------------


@demo(
    "efficientnet-scaling",
    title="EfficientNet の複合スケーリング",
    description=(
        "深さ α^φ、幅 β^φ、解像度 γ^φ で小さな畳み込みネットを拡大し、engine の Convolution 層の"
        "出力の形から数えた乗算回数の増え方を (αβ²γ²)^φ と比べる。"
    ),
    syllabus=SYLLABUS_VISION,
    params=(
        IntParam("phi", 1, min=0, max=8, help="複合係数 φ"),
        FloatParam("alpha", 1.2, min=1.0, max=3.0, help="深さの係数 α"),
        FloatParam("beta", 1.1, min=1.0, max=3.0, help="幅の係数 β"),
        FloatParam("gamma", 1.15, min=1.0, max=3.0, help="解像度の係数 γ"),
        IntParam("layers", 10, min=1, max=50, help="基準ネットの 3×3 畳み込みの層数"),
        IntParam("channels", 32, min=1, max=256, help="基準ネットのチャンネル数"),
        IntParam("resolution", 64, min=8, max=512, help="基準ネットの入力解像度"),
    ),
)
def efficientnet_scaling(
    phi: int, alpha: float, beta: float, gamma: float, layers: int, channels: int, resolution: int
) -> DemoResult:
    depth_mult, width_mult, resolution_mult = alpha**phi, beta**phi, gamma**phi
    constraint = alpha * beta**2 * gamma**2
    formula = constraint**phi

    def flops(n_layers: int, c: int, r: int) -> int:
        stack = [conv(c, c, 3) for _ in range(n_layers)]
        return multiplications(stack, (1, c, r, r))

    base = flops(layers, channels, resolution)
    scaled_layers = math.ceil(layers * depth_mult)
    scaled_channels = round(channels * width_mult)
    scaled_resolution = round(resolution * resolution_mult)
    scaled = flops(scaled_layers, scaled_channels, scaled_resolution)
    measured = scaled / base
    narrative = "\n".join(
        [
            f"$\\phi = {phi}$、$\\alpha = {alpha:g}$, $\\beta = {beta:g}$, $\\gamma = {gamma:g}$。",
            "",
            f"- 深さ $\\alpha^\\phi = {depth_mult:.4f}$ 倍、幅 $\\beta^\\phi = {width_mult:.4f}$ 倍、"
            f"解像度 $\\gamma^\\phi = {resolution_mult:.4f}$ 倍",
            f"- $\\alpha \\cdot \\beta^2 \\cdot \\gamma^2 = {constraint:.4f}$ なので、FLOPs は"
            f" $({constraint:.4f})^{{{phi}}} = {formula:.4f}$ 倍（約 $2^\\phi = {2**phi}$ 倍）の見込み",
            f"- 実際に {layers} 層・{channels} ch・{resolution}² のネットを {scaled_layers} 層・"
            f"{scaled_channels} ch・{scaled_resolution}² に拡大して数えると **{measured:.4f} 倍**"
            "（層数・チャンネル数・画素数を整数に丸めた分だけずれる）",
            "",
            "畳み込みの計算量は深さに比例し、幅（チャンネル数）と解像度にはそれぞれ 2 乗で比例する。"
            "そのため β と γ だけが 2 乗で効く。",
        ]
    )
    return DemoResult(
        values={
            "depth_mult": depth_mult,
            "width_mult": width_mult,
            "resolution_mult": resolution_mult,
            "constraint": constraint,
            "flops_factor": formula,
            "measured_flops_ratio": measured,
            "scaled_layers": scaled_layers,
            "scaled_channels": scaled_channels,
            "scaled_resolution": scaled_resolution,
        },
        narrative=narrative,
    )


# --- Vision Transformer -------------------------------------------------------------------


def image_to_patches(image: np.ndarray, patch: int) -> np.ndarray:
    """(C, H, W) → (N, P²·C) with N = (H/P)(W/P): the patches in raster order, flattened."""
    c, h, w = image.shape
    grid = image.reshape(c, h // patch, patch, w // patch, patch)
    return grid.transpose(1, 3, 0, 2, 4).reshape((h // patch) * (w // patch), c * patch * patch)


@demo(
    "vit-patches",
    title="Vision Transformer のパッチ分割とトークン数",
    description=(
        "画像を P×P のパッチに切って平坦化し、Affine 層で D 次元に線形射影して [CLS] トークンと"
        "位置埋め込みを加える。同じ射影がカーネル P・ストライド P の畳み込みと一致することも確かめる。"
    ),
    syllabus=(*SYLLABUS_VISION, "3-6 Transformer"),
    params=(
        IntParam("H", 224, min=1, max=512, help="画像の高さ"),
        IntParam("W", 224, min=1, max=512, help="画像の幅"),
        IntParam("C", 3, min=1, max=16, help="チャンネル数"),
        IntParam("P", 16, min=1, max=64, help="パッチの一辺"),
        IntParam("D", 768, min=1, max=1024, help="埋め込みの次元"),
        SEED,
    ),
)
def vit_patches(H: int, W: int, C: int, P: int, D: int, seed: int) -> DemoResult:
    if H % P or W % P:
        raise ParameterError(
            f"In demo vit-patches the image size {H}×{W} must be a multiple of the patch size P = {P}."
        )
    rng = np.random.default_rng(seed)
    image = rng.standard_normal((C, H, W))
    patches = image_to_patches(image, P)
    projection = Affine(init.xavier((P * P * C, D), rng), np.zeros(D))
    tokens = projection.forward(patches)
    cls = rng.standard_normal((1, D)) * 0.02
    position = rng.standard_normal((len(tokens) + 1, D)) * 0.02
    sequence = np.vstack([cls, tokens]) + position
    # The same projection as a convolution with P×P kernels and stride P.
    kernel = projection.W.T.reshape(D, C, P, P)
    conv_out = Convolution(kernel, np.zeros(D), stride=P).forward(image[None])
    conv_tokens = conv_out.reshape(D, -1).T
    matches = bool(np.allclose(conv_tokens, tokens, atol=1e-9))
    n = len(patches)
    narrative = "\n".join(
        [
            f"{H}×{W}×{C} の画像を {P}×{P} のパッチに分けると $\\frac{{{H}}}{{{P}}} \\times \\frac{{{W}}}{{{P}}}"
            f" = {n}$ 個。各パッチを平坦化すると $P^2 C = {P * P * C}$ 次元のベクトルになる。",
            "",
            f"これを線形射影（重み {P * P * C}×{D} とバイアス {D}、パラメータ {P * P * C * D + D:,} 個）で"
            f" {D} 次元に埋め込み、先頭に [CLS] トークンを 1 個足すと、系列の長さは **{n + 1}**。"
            "学習可能な位置埋め込みを足して Transformer エンコーダに入れ、[CLS] の出力でクラスを予測する。",
            "",
            f"パッチごとの線形射影は、カーネル {P}×{P}・ストライド {P} の畳み込みと同じ計算になる"
            f"（一致: {'はい' if matches else 'いいえ'}）。",
        ]
    )
    return DemoResult(
        values={
            "num_patches": n,
            "seq_len": int(sequence.shape[0]),
            "patch_dim": P * P * C,
            "embed_dim": D,
            "projection_params": P * P * C * D + D,
            "sequence_shape": list(sequence.shape),
            "conv_matches_projection": matches,
        },
        narrative=narrative,
    )
