"""Demos on lightweight models for the edge: quantisation, pruning, distillation, MobileNet's
multipliers, DenseNet's growth of channels and SqueezeNet's Fire module.

The quantisation and pruning demos act on a small multi-layer net trained at call time on
the 8×8 digits (the training is memoised per seed, so a second call reuses the same net).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from engine import compression, functions, optim
from engine.datasets import load_digits
from engine.demos.cnn import depthwise_separable_cost
from engine.demos.registry import (
    BoolParam,
    ChoiceParam,
    DemoResult,
    FloatParam,
    IntParam,
    ListParam,
    ParameterError,
    Plot,
    demo,
)
from engine.layers import Convolution, Pooling, Relu
from engine.nets import MultiLayerNet, train

SYLLABUS_EDGE = ("5-1 エッジコンピューティング",)
HIDDEN = 64


# --- a small trained net -------------------------------------------------------------------------


@cache
def _trained_params(seed: int) -> dict[str, np.ndarray]:
    """W1 (64×32), b1, W2 (32×10), b2 of a 64-32-10 ReLU net trained with Adam on the digits."""
    (x_train, t_train), _ = load_digits(seed=seed)
    net = MultiLayerNet(64, [HIDDEN], 10, seed=seed)
    train(
        net,
        optim.Adam(lr=0.01),
        x_train,
        t_train,
        epochs=10,
        batch_size=100,
        seed=seed,
        evaluate=False,
    )
    params = {key: value.copy() for key, value in net.params.items()}
    for value in params.values():
        value.flags.writeable = False
    return params


def _net_with(params: dict[str, np.ndarray]) -> MultiLayerNet:
    """A fresh 64-32-10 net whose parameters are copies of ``params``."""
    net = MultiLayerNet(64, [HIDDEN], 10, seed=0)
    for key, value in params.items():
        net.params[key][...] = value
    return net


def _accuracy(params, seed: int) -> float:
    _, (x_test, t_test) = load_digits(seed=seed)
    return _net_with(params).accuracy(x_test, t_test)


def _count_params(params) -> int:
    return int(sum(value.size for value in params.values()))


# --- quantisation ----------------------------------------------------------------------------------


@demo(
    "compress-quantize",
    title="量子化：float32 から整数へ（スケールとゼロ点）",
    description=(
        "実数のリストを b ビット整数に量子化し、逆量子化して誤差を測る。"
        "affine（非対称：min/max からスケールとゼロ点）と symmetric（対称：ゼロ点 0）。"
    ),
    syllabus=SYLLABUS_EDGE,
    params=(
        ListParam(
            "x",
            [-1.0, -0.3, 0.0, 0.5, 1.2, 2.0],
            min=-1e6,
            max=1e6,
            max_length=256,
            help="量子化する実数",
        ),
        ChoiceParam("scheme", "affine", choices=("affine", "symmetric"), help="量子化の方式"),
        IntParam("bits", 8, min=2, max=16, help="整数のビット数"),
        BoolParam("signed", False, help="affine で符号付き整数（int8 なら −128…127）を使うか"),
        FloatParam(
            "x_min",
            0.0,
            min=-1e6,
            max=1e6,
            help="量子化の範囲の下限（x_min = x_max なら x の最小値・最大値を使う）",
        ),
        FloatParam("x_max", 0.0, min=-1e6, max=1e6, help="量子化の範囲の上限"),
    ),
)
def quantize_demo(
    x, scheme: str, bits: int, signed: bool, x_min: float, x_max: float
) -> DemoResult:
    values = np.asarray(x, dtype=np.float64)
    calibrated = x_min == x_max
    lo, hi = (values.min(), values.max()) if calibrated else (x_min, x_max)
    if lo > hi:
        raise ParameterError("In demo compress-quantize x_min must not exceed x_max.")
    if scheme == "affine":
        qparams = compression.affine_qparams(lo, hi, bits, signed)
    else:  # symmetric quantisation is always signed: z = 0 stands for the real 0
        qparams = compression.symmetric_qparams(max(abs(lo), abs(hi)), bits)
    q = compression.quantize(values, qparams)
    restored = compression.dequantize(q, qparams)
    error = restored - values
    clipped = (q == qparams.q_min) | (q == qparams.q_max)
    in_range = (values >= qparams.scale * (qparams.q_min - qparams.zero_point)) & (
        values <= qparams.scale * (qparams.q_max - qparams.zero_point)
    )
    max_in_range_error = float(np.abs(error[in_range]).max()) if in_range.any() else 0.0
    narrative = "\n".join(
        [
            f"{scheme} 量子化、{bits} ビット（整数の範囲 {qparams.q_min}…{qparams.q_max}）。"
            f"範囲 [{lo:g}, {hi:g}] から",
            "",
            f"- スケール $s = {qparams.scale:.6g}$、ゼロ点 $z = {qparams.zero_point}$",
            f"- 量子化 $q = \\mathrm{{clip}}(\\mathrm{{round}}(x / s) + z)$ → {q.tolist()}",
            f"- 逆量子化 $\\hat{{x}} = s (q - z)$ → {[round(float(v), 6) for v in restored]}",
            f"- 範囲内の誤差の最大値 {max_in_range_error:.6g}（上限は $s/2 = {qparams.scale / 2:.6g}$）",
            "",
            f"1 要素あたり 32 ビットが {bits} ビットになり、メモリは {32 / bits:g} 分の 1。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="元の値と逆量子化した値",
        x=[f"x{i}" for i in range(values.size)],
        series={"x": values.tolist(), "x̂": restored.tolist()},
    )
    return DemoResult(
        values={
            "scale": qparams.scale,
            "zero_point": qparams.zero_point,
            "q_min": qparams.q_min,
            "q_max": qparams.q_max,
            "q": q.tolist(),
            "dequantized": restored.tolist(),
            "error": error.tolist(),
            "max_abs_error": float(np.abs(error).max()),
            "max_in_range_error": max_in_range_error,
            "half_scale": qparams.scale / 2,
            "zero_exact": bool(
                compression.dequantize(compression.quantize(0.0, qparams), qparams) == 0.0
            ),
            "clipped": int(np.sum(clipped & ~in_range)),
            "compression_ratio": 32 / bits,
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "compress-quantize-mlp",
    title="量子化：学習済みネットの重みを b ビットに",
    description=(
        "digits で学習した 64-32-10 のネットの重みとバイアスをテンソルごとに量子化し"
        "（量子化→逆量子化）、テスト精度とメモリを float32 と比べる。"
    ),
    syllabus=SYLLABUS_EDGE,
    params=(
        IntParam("bits", 8, min=2, max=16, help="重みのビット数"),
        ChoiceParam("scheme", "symmetric", choices=("symmetric", "affine"), help="量子化の方式"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="学習とデータ分割の乱数シード"),
    ),
)
def quantize_mlp(bits: int, scheme: str, seed: int) -> DemoResult:
    params = _trained_params(seed)
    float_accuracy = _accuracy(params, seed)

    def quantized(b: int):
        return {
            key: compression.fake_quantize(value, b, scheme)[0] for key, value in params.items()
        }

    q_params = quantized(bits)
    q_accuracy = _accuracy(q_params, seed)
    max_error = max(float(np.abs(q_params[k] - params[k]).max()) for k in params)
    n = _count_params(params)
    grid = list(range(2, 9))
    curve = [_accuracy(quantized(b), seed) for b in grid]
    narrative = "\n".join(
        [
            f"学習済みネット（パラメータ {n:,} 個）のテスト精度は float32 で **{float_accuracy:.4f}**、"
            f"{bits} ビットに量子化すると **{q_accuracy:.4f}**。",
            "",
            f"メモリは {n * 4:,} バイト → {n * bits / 8:,.0f} バイト（{32 / bits:g} 分の 1）。"
            f"重みの誤差の最大値は {max_error:.3g}。",
            "",
            "8 ビットでは精度はほとんど変わらず、ビット数を減らしすぎると丸め誤差が大きくなり精度が落ちる。",
        ]
    )
    plot = Plot(
        kind="line",
        title="重みのビット数とテスト精度",
        x=grid,
        series={"quantized": curve, "float32": [float_accuracy] * len(grid)},
        x_label="bits",
        y_label="accuracy",
    )
    return DemoResult(
        values={
            "float_accuracy": float_accuracy,
            "quantized_accuracy": q_accuracy,
            "accuracy_drop": float_accuracy - q_accuracy,
            "param_count": n,
            "float_bytes": n * 4,
            "quantized_bytes": n * bits / 8,
            "compression_ratio": 32 / bits,
            "max_weight_error": max_error,
            "bits_grid": grid,
            "accuracy_by_bits": curve,
        },
        narrative=narrative,
        plots=[plot],
    )


# --- pruning -----------------------------------------------------------------------------------------


def _prune(params, sparsity: float, method: str) -> dict[str, np.ndarray]:
    """Unstructured: the smallest |w| of each weight matrix. Structured: whole hidden units
    (a column of W1 with its bias and the matching row of W2), by the norm of W1's column."""
    pruned = {key: value.copy() for key, value in params.items()}
    if method == "unstructured":
        for key in ("W1", "W2"):
            pruned[key] *= compression.magnitude_prune_mask(pruned[key], sparsity)
    else:
        unit_mask = compression.structured_prune_mask(pruned["W1"], sparsity, axis=1)[0]
        pruned["W1"] *= unit_mask
        pruned["b1"] *= unit_mask
        pruned["W2"] *= unit_mask[:, None]
    return pruned


def _finetune(params, masks, seed: int, epochs: int) -> dict[str, np.ndarray]:
    """Retrain the surviving weights: after every update the pruned ones are zeroed again."""
    (x_train, t_train), _ = load_digits(seed=seed)
    net = _net_with(params)
    optimizer = optim.Adam(lr=0.003)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(x_train))
        for start in range(0, len(x_train), 100):
            batch = order[start : start + 100]
            optimizer.update(net.params, net.gradient(x_train[batch], t_train[batch]))
            for key, mask in masks.items():
                net.params[key] *= mask
    return {key: value.copy() for key, value in net.params.items()}


@demo(
    "compress-prune",
    title="プルーニング：重みの大きさで枝刈りする",
    description=(
        "digits で学習した 64-32-10 のネットを、絶対値の小さい重みから（非構造化）または"
        "ノルムの小さい中間ユニットごと（構造化）削り、テスト精度を比べる。再学習（fine-tuning）も選べる。"
    ),
    syllabus=SYLLABUS_EDGE,
    params=(
        FloatParam(
            "sparsity",
            0.5,
            min=0.0,
            max=1.0,
            help="削る割合（非構造化: 重み、構造化: 中間ユニット）",
        ),
        ChoiceParam(
            "method", "unstructured", choices=("unstructured", "structured"), help="枝刈りの単位"
        ),
        IntParam(
            "finetune_epochs", 0, min=0, max=5, help="枝刈り後に残った重みを再学習するエポック数"
        ),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="学習とデータ分割の乱数シード"),
    ),
)
def prune_demo(sparsity: float, method: str, finetune_epochs: int, seed: int) -> DemoResult:
    params = _trained_params(seed)
    dense_accuracy = _accuracy(params, seed)
    pruned = _prune(params, sparsity, method)
    pruned_accuracy = _accuracy(pruned, seed)
    finetuned_accuracy = pruned_accuracy
    if finetune_epochs:
        masks = {key: (pruned[key] != 0).astype(np.float64) for key in ("W1", "W2", "b1")}
        if method == "unstructured":
            masks.pop("b1")
        pruned = _finetune(pruned, masks, seed, finetune_epochs)
        finetuned_accuracy = _accuracy(pruned, seed)
    weights = [pruned["W1"], pruned["W2"]]
    nonzero = int(sum(np.count_nonzero(w) for w in weights))
    total = int(sum(w.size for w in weights))
    grid = [0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95]
    curves = {
        m: [_accuracy(_prune(params, s, m), seed) for s in grid]
        for m in ("unstructured", "structured")
    }
    kept_units = int(np.count_nonzero(np.abs(pruned["W1"]).sum(axis=0)))
    narrative = "\n".join(
        [
            f"{'非構造化' if method == 'unstructured' else '構造化'}プルーニングで {sparsity:.0%} を削った。"
            f"重み行列の非ゼロ要素は {nonzero:,} / {total:,}、残った中間ユニットは {kept_units} / {HIDDEN}。",
            "",
            f"- 枝刈り前のテスト精度: **{dense_accuracy:.4f}**",
            f"- 枝刈り直後: **{pruned_accuracy:.4f}**",
        ]
        + (
            [f"- 再学習 {finetune_epochs} エポック後: **{finetuned_accuracy:.4f}**"]
            if finetune_epochs
            else []
        )
        + [
            "",
            "非構造化は行列の形を変えずに 0 を増やす（疎行列の形式や専用ハードウェアがないと速くならない）。"
            "構造化はユニットごと消すので、小さな密行列になりどのハードウェアでも速くなるが、精度は落ちやすい。",
        ]
    )
    plot = Plot(
        kind="line",
        title="削った割合とテスト精度（再学習なし）",
        x=grid,
        series={"unstructured": curves["unstructured"], "structured": curves["structured"]},
        x_label="sparsity",
        y_label="accuracy",
    )
    return DemoResult(
        values={
            "dense_accuracy": dense_accuracy,
            "pruned_accuracy": pruned_accuracy,
            "finetuned_accuracy": finetuned_accuracy,
            "nonzero_weights": nonzero,
            "total_weights": total,
            "actual_sparsity": 1 - nonzero / total,
            "kept_units": kept_units,
            "W1_shape": list(pruned["W1"].shape),
            "sparsity_grid": grid,
            "unstructured_curve": curves["unstructured"],
            "structured_curve": curves["structured"],
        },
        narrative=narrative,
        plots=[plot],
    )


# --- distillation -------------------------------------------------------------------------------


def _entropy(p: np.ndarray) -> float:
    return float(-np.sum(p * np.log(np.maximum(p, np.finfo(float).tiny))))


@demo(
    "compress-distill-temperature",
    title="蒸留：温度付きソフトマックス",
    description="ロジットを温度 T で割ってからソフトマックスをとり、T による分布の柔らかさを比べる。",
    syllabus=SYLLABUS_EDGE,
    params=(
        ListParam(
            "logits",
            [6.0, 3.0, 1.0, 0.0],
            min=-1e3,
            max=1e3,
            min_length=2,
            max_length=32,
            help="教師モデルのロジット",
        ),
        FloatParam("T", 4.0, min=0.05, max=1000.0, help="温度 T"),
    ),
)
def distill_temperature(logits, T: float) -> DemoResult:
    z = np.asarray(logits, dtype=np.float64)
    probs = compression.softmax_with_temperature(z, T)
    probs_t1 = compression.softmax_with_temperature(z, 1.0)
    temperatures = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0]
    table = [compression.softmax_with_temperature(z, t) for t in temperatures]
    narrative = "\n".join(
        [
            f"ロジット {z.tolist()} に対し $q_i = \\frac{{\\exp(z_i / T)}}{{\\sum_j \\exp(z_j / T)}}$ を計算した。",
            "",
            f"- T = 1: {[round(float(p), 4) for p in probs_t1]}（エントロピー {_entropy(probs_t1):.4f}）",
            f"- T = {T:g}: {[round(float(p), 4) for p in probs]}（エントロピー {_entropy(probs):.4f}）",
            "",
            "T を大きくすると確率は一様分布に近づき（エントロピーが増え）、正解以外のクラスどうしの"
            "相対的な大きさ（暗黙知 dark knowledge）が生徒に伝わりやすくなる。最大のクラスは T によらず同じ。",
        ]
    )
    plot = Plot(
        kind="line",
        title="温度ごとの各クラスの確率",
        x=temperatures,
        series={f"class {i}": [float(p[i]) for p in table] for i in range(z.size)},
        x_label="T",
        y_label="probability",
    )
    return DemoResult(
        values={
            "probs": probs.tolist(),
            "probs_T1": probs_t1.tolist(),
            "max_prob": float(probs.max()),
            "argmax": int(np.argmax(probs)),
            "entropy": _entropy(probs),
            "entropy_T1": _entropy(probs_t1),
            "max_entropy": float(np.log(z.size)),
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "compress-distill-loss",
    title="蒸留：ソフトターゲットの損失と T² の係数",
    description=(
        "生徒と教師のロジットから、蒸留損失 α·T²·CE(教師^T, 生徒^T) + (1−α)·CE(正解, 生徒) と"
        "生徒のロジットについての勾配を計算し、T² を掛けない場合と比べる。"
    ),
    syllabus=SYLLABUS_EDGE,
    params=(
        ListParam(
            "student",
            [2.0, 1.0, 0.5],
            min=-1e3,
            max=1e3,
            min_length=2,
            max_length=32,
            help="生徒のロジット",
        ),
        ListParam(
            "teacher",
            [4.0, 1.0, -1.0],
            min=-1e3,
            max=1e3,
            min_length=2,
            max_length=32,
            help="教師のロジット",
        ),
        IntParam("label", 0, min=0, max=31, help="正解クラス"),
        FloatParam("T", 4.0, min=0.05, max=1000.0, help="温度 T"),
        FloatParam("alpha", 0.5, min=0.0, max=1.0, help="ソフトターゲット損失の重み α"),
    ),
)
def distill_loss(student, teacher, label: int, T: float, alpha: float) -> DemoResult:
    if len(student) != len(teacher):
        raise ParameterError(
            "In demo compress-distill-loss student and teacher must have the same number of logits."
        )
    if label >= len(student):
        raise ParameterError(
            f"In demo compress-distill-loss label must be below the number of classes ({len(student)})."
        )
    result = compression.distillation_loss(student, teacher, [label], T, alpha)
    soft_only = compression.distillation_loss(student, teacher, [label], T, 1.0)
    grad_with = float(np.linalg.norm(soft_only.grad))
    grad_without = grad_with / T**2
    temperatures = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    norms = [
        float(np.linalg.norm(compression.distillation_loss(student, teacher, [label], t, 1.0).grad))
        for t in temperatures
    ]
    narrative = "\n".join(
        [
            f"温度 T = {T:g}、α = {alpha:g} の蒸留損失を計算した。",
            "",
            f"- ソフトターゲット損失 $T^2 \\cdot CE$ = {result.soft:.6g}",
            f"- ハードターゲット損失（T = 1、正解ラベル {label}）= {result.hard:.6g}",
            f"- 合計 $\\alpha \\cdot soft + (1 - \\alpha) \\cdot hard$ = **{result.total:.6g}**",
            "",
            f"ソフト項の生徒のロジットについての勾配のノルムは、$T^2$ を掛けると {grad_with:.4g}、掛けないと "
            f"{grad_without:.4g}。勾配は $\\frac{{1}}{{T}}(q^{{student}} - q^{{teacher}})$ で、T が大きいとおよそ "
            "$1/T^2$ で小さくなるので、$T^2$ を掛けてハード項と釣り合わせる。",
        ]
    )
    plot = Plot(
        kind="line",
        title="ソフト項の勾配のノルム（T² あり／なし）",
        x=temperatures,
        series={
            "T² あり": norms,
            "T² なし": [n / t**2 for n, t in zip(norms, temperatures, strict=True)],
        },
        x_label="T",
    )
    return DemoResult(
        values={
            "soft_loss": result.soft,
            "hard_loss": result.hard,
            "total_loss": result.total,
            "grad": result.grad[0].tolist(),
            "soft_grad_norm_with_T2": grad_with,
            "soft_grad_norm_without_T2": grad_without,
            "temperatures": temperatures,
            "soft_grad_norms_with_T2": norms,
            "teacher_probs_T": compression.softmax_with_temperature(teacher, T).tolist(),
        },
        narrative=narrative,
        plots=[plot],
    )


# --- MobileNet, DenseNet, SqueezeNet --------------------------------------------------------------


@demo(
    "compress-mobilenet-multipliers",
    title="MobileNet の幅乗数 α と解像度乗数 ρ",
    description=(
        "Depthwise Separable Convolution 1 層の乗算回数を、チャンネル数に α、解像度に ρ を掛けた"
        "場合と比べる（depthwise-separable-cost で層の出力の形から数える）。"
    ),
    syllabus=(*SYLLABUS_EDGE, "3-4 畳み込みニューラルネットワーク"),
    params=(
        IntParam("H", 112, min=1, max=1024, help="特徴マップの高さ・幅"),
        IntParam("C", 64, min=1, max=4096, help="入力チャンネル数"),
        IntParam("M", 128, min=1, max=4096, help="出力チャンネル数"),
        IntParam("K", 3, min=1, max=15, help="カーネルサイズ（奇数）"),
        FloatParam("alpha", 0.5, min=0.01, max=1.0, help="幅乗数 α"),
        FloatParam("rho", 1.0, min=0.01, max=1.0, help="解像度乗数 ρ"),
    ),
)
def mobilenet_multipliers(H: int, C: int, M: int, K: int, alpha: float, rho: float) -> DemoResult:
    base = depthwise_separable_cost(H=H, W=H, C=C, M=M, K=K).values
    h = max(1, round(rho * H))
    c, m = max(1, round(alpha * C)), max(1, round(alpha * M))
    scaled = depthwise_separable_cost(H=h, W=h, C=c, M=m, K=K).values
    ratio = scaled["separable_mults"] / base["separable_mults"]
    params_base = C * K * K + C * M
    params_scaled = c * K * K + c * m
    narrative = "\n".join(
        [
            f"入力 {H}×{H}×{C} → 出力 {M} チャンネル（カーネル {K}×{K}）の Depthwise Separable Convolution に、"
            f"α = {alpha:g}、ρ = {rho:g} を掛けると入力 {h}×{h}×{c} → 出力 {m} チャンネルになる。",
            "",
            f"- 乗算回数: {base['separable_mults']:,} → {scaled['separable_mults']:,}（比 **{ratio:.4f}**）",
            f"- $\\alpha^2 \\rho^2 = {alpha**2 * rho**2:.4f}$",
            f"- 重みの数: {params_base:,} → {params_scaled:,}（比 {params_scaled / params_base:.4f}）",
            "",
            "pointwise の項 $\\rho^2 H^2 \\cdot \\alpha M \\cdot \\alpha C$ は $\\alpha^2\\rho^2$ 倍、depthwise の項 "
            "$\\rho^2 H^2 \\cdot \\alpha C \\cdot K^2$ は $\\alpha\\rho^2$ 倍になる。計算量の大半は pointwise なので、"
            "全体はおよそ $\\alpha^2 \\rho^2$ 倍。ρ は重みの数を変えない。",
        ]
    )
    return DemoResult(
        values={
            "base_mults": base["separable_mults"],
            "scaled_mults": scaled["separable_mults"],
            "ratio": ratio,
            "alpha2_rho2": alpha**2 * rho**2,
            "depthwise_ratio": scaled["depthwise_mults"] / base["depthwise_mults"],
            "pointwise_ratio": scaled["pointwise_mults"] / base["pointwise_mults"],
            "params_base": params_base,
            "params_scaled": params_scaled,
            "params_ratio": params_scaled / params_base,
        },
        narrative=narrative,
    )


@demo(
    "compress-densenet-block",
    title="DenseNet：Dense Block と Transition Layer のチャンネル数",
    description=(
        "engine の Convolution で Dense Block を組み、各層の出力 k チャンネルをそれまでの特徴マップに"
        "連結していく。続く Transition Layer（1×1 畳み込みで θ 倍に圧縮、2×2 平均プーリング）の形も読む。"
    ),
    syllabus=(*SYLLABUS_EDGE, "4-1 画像認識"),
    params=(
        IntParam("k0", 16, min=1, max=256, help="Dense Block に入るチャンネル数 k₀"),
        IntParam("growth", 12, min=1, max=64, help="成長率 k（各層が出力するチャンネル数）"),
        IntParam("layers", 6, min=1, max=24, help="Dense Block の層数 L"),
        FloatParam("theta", 0.5, min=0.05, max=1.0, help="Transition Layer の圧縮率 θ"),
        IntParam("size", 8, min=2, max=32, help="特徴マップの高さ・幅"),
        BoolParam(
            "bottleneck", False, help="各層の前に 1×1 畳み込みで 4k チャンネルに絞る（DenseNet-B）"
        ),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="重みと入力の乱数シード"),
    ),
)
def densenet_block(
    k0: int, growth: int, layers: int, theta: float, size: int, bottleneck: bool, seed: int
) -> DemoResult:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, k0, size, size))
    relu = Relu()
    channels = [x.shape[1]]
    weights = 0
    for _ in range(layers):
        h = relu.forward(x)
        c = h.shape[1]
        if bottleneck:
            conv1 = Convolution(
                rng.standard_normal((4 * growth, c, 1, 1)) * 0.1, np.zeros(4 * growth)
            )
            h = relu.forward(conv1.forward(h))
            weights += conv1.W.size
            c = 4 * growth
        conv = Convolution(rng.standard_normal((growth, c, 3, 3)) * 0.1, np.zeros(growth), pad=1)
        weights += conv.W.size
        new = conv.forward(h)
        x = np.concatenate([x, new], axis=1)  # dense connection: keep every earlier map
        channels.append(x.shape[1])
    out_channels = int(np.floor(theta * x.shape[1]))
    transition = Convolution(
        rng.standard_normal((out_channels, x.shape[1], 1, 1)) * 0.1, np.zeros(out_channels)
    )
    pooled = Pooling(2, 2, stride=2, mode="avg").forward(transition.forward(relu.forward(x)))
    narrative = "\n".join(
        [
            f"k₀ = {k0} チャンネルの入力に、成長率 k = {growth} の層を {layers} 層重ねた"
            f"{'（各層の前に 1×1 ボトルネック）' if bottleneck else ''}。",
            "",
            f"- 各層のあとのチャンネル数: {channels}（1 層ごとに k = {growth} ずつ増える：$k_0 + \\ell k$）",
            f"- Dense Block の出力: **{channels[-1]}** チャンネル、{size}×{size}",
            f"- Transition Layer（θ = {theta:g}）: 1×1 畳み込みで **{pooled.shape[1]}** チャンネル、"
            f"2×2 平均プーリングで {pooled.shape[2]}×{pooled.shape[3]}",
            f"- Dense Block の畳み込みの重みの数: {weights:,}",
            "",
            "各層は前のすべての層の特徴マップを連結して受け取るので、k は小さく（12 や 32）てよい。"
            "Transition Layer がチャンネル数と解像度を減らして、連結で増えすぎるのを抑える。",
        ]
    )
    return DemoResult(
        values={
            "channels": channels,
            "block_out_channels": channels[-1],
            "transition_channels": int(pooled.shape[1]),
            "transition_hw": [int(pooled.shape[2]), int(pooled.shape[3])],
            "block_weights": weights,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="Dense Block の各層のあとのチャンネル数",
                x=list(range(len(channels))),
                series={"channels": channels},
            )
        ],
    )


@demo(
    "compress-fire-module",
    title="SqueezeNet の Fire module の重みの数",
    description=(
        "squeeze（1×1 で s チャンネルに絞る）→ expand（1×1 と 3×3 を並べて連結）の Fire module を"
        "engine の Convolution で組み、同じ入出力の 3×3 畳み込みと重みの数を比べる。"
    ),
    syllabus=SYLLABUS_EDGE,
    params=(
        IntParam("C", 128, min=1, max=1024, help="入力チャンネル数"),
        IntParam("squeeze", 16, min=1, max=1024, help="squeeze 層の 1×1 フィルタ数 s"),
        IntParam("expand1", 64, min=1, max=1024, help="expand 層の 1×1 フィルタ数"),
        IntParam("expand3", 64, min=1, max=1024, help="expand 層の 3×3 フィルタ数"),
    ),
)
def fire_module(C: int, squeeze: int, expand1: int, expand3: int) -> DemoResult:
    x = np.ones((1, C, 4, 4))
    sq = Convolution(np.zeros((squeeze, C, 1, 1)), np.zeros(squeeze))
    e1 = Convolution(np.zeros((expand1, squeeze, 1, 1)), np.zeros(expand1))
    e3 = Convolution(np.zeros((expand3, squeeze, 3, 3)), np.zeros(expand3), pad=1)
    s = functions.relu(sq.forward(x))
    out = np.concatenate([e1.forward(s), e3.forward(s)], axis=1)
    fire_weights = sq.W.size + e1.W.size + e3.W.size
    plain = Convolution(np.zeros((out.shape[1], C, 3, 3)), np.zeros(out.shape[1]), pad=1)
    narrative = "\n".join(
        [
            f"入力 {C} チャンネル → squeeze 1×1 で {squeeze} チャンネル → expand 1×1（{expand1}）と 3×3（{expand3}）を連結して "
            f"**{out.shape[1]}** チャンネル。",
            "",
            f"- Fire module の重み: {C}·{squeeze} + {squeeze}·{expand1} + {squeeze}·9·{expand3} = **{fire_weights:,}**",
            f"- 同じ入出力の 3×3 畳み込み: {C}·9·{out.shape[1]} = {plain.W.size:,}",
            f"- 比: {fire_weights / plain.W.size:.4f}",
            "",
            "3×3 フィルタの一部を 1×1 に置き換え、3×3 に入るチャンネル数を squeeze で減らすことで重みを減らす。",
        ]
    )
    return DemoResult(
        values={
            "out_channels": int(out.shape[1]),
            "fire_weights": int(fire_weights),
            "conv3x3_weights": int(plain.W.size),
            "ratio": fire_weights / plain.W.size,
        },
        narrative=narrative,
    )
