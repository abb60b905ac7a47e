"""Demos on accelerators (syllabus 5-3): the roofline model and why batching raises the
arithmetic intensity, a systolic array (the heart of a TPU) simulated cycle by cycle,
bfloat16 versus float16, and branch divergence in a SIMT warp.
"""

from __future__ import annotations

import numpy as np

from engine import parallel
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
from engine.layers import Affine

SYLLABUS_ACCEL = ("5-3 アクセラレータ",)


@demo(
    "accel-roofline",
    title="ルーフラインモデル：演算強度と到達できる性能",
    description=(
        "ピーク演算性能 P とメモリ帯域 B の装置で、演算強度 I（FLOP/バイト）のカーネルが到達できる性能"
        " min(P, I × B) を計算し、メモリ律速か演算律速かを判定する。"
    ),
    syllabus=SYLLABUS_ACCEL,
    params=(
        FloatParam("peak_tflops", 100.0, min=0.001, max=1e5, help="ピーク演算性能 P（TFLOP/s）"),
        FloatParam("bandwidth_gbs", 1000.0, min=1.0, max=1e6, help="メモリ帯域 B（GB/s）"),
        FloatParam("intensity", 10.0, min=0.001, max=1e6, help="演算強度 I（FLOP/バイト）"),
    ),
)
def roofline_demo(peak_tflops: float, bandwidth_gbs: float, intensity: float) -> DemoResult:
    peak, bandwidth = peak_tflops * 1e12, bandwidth_gbs * 1e9
    attainable = parallel.roofline(peak, bandwidth, intensity)
    ridge = peak / bandwidth
    bound = "memory" if intensity < ridge else "compute"
    grid = np.logspace(-1, 4, 51)
    narrative = "\n".join(
        [
            f"P = {peak_tflops:g} TFLOP/s、B = {bandwidth_gbs:g} GB/s の装置。リッジポイント（折れ目）は "
            f"$P / B = {ridge:g}$ FLOP/バイト。",
            "",
            f"演算強度 I = {intensity:g} FLOP/バイトのカーネルが到達できる性能は "
            f"$\\min(P, I \\times B) = \\min({peak_tflops:g}, {intensity * bandwidth_gbs / 1000:g})$ = **{attainable / 1e12:g} TFLOP/s**"
            f"（{'メモリ律速：データの読み書きが追いつかない' if bound == 'memory' else '演算律速：演算器が上限'}）。",
        ]
    )
    return DemoResult(
        values={
            "attainable_tflops": attainable / 1e12,
            "ridge_point": ridge,
            "bound": bound,
            "utilization": attainable / peak,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="ルーフライン（両対数の値: log10）",
                x=np.log10(grid).round(3).tolist(),
                series={
                    "log10 TFLOP/s": np.log10(
                        [parallel.roofline(peak, bandwidth, i) / 1e12 for i in grid]
                    ).tolist()
                },
                x_label="log10 演算強度 (FLOP/byte)",
            )
        ],
    )


@demo(
    "accel-batch-intensity",
    title="バッチ処理で演算強度が上がる理由",
    description=(
        "全結合層 Y = X·W（W は d_in × d_out）をバッチサイズを変えて engine の Affine で計算し、"
        "積和の FLOP 数と、読み書きする配列（X, W, Y）のバイト数から演算強度を求める。"
        "重み W はバッチ全体で 1 回読めばよいので、バッチが大きいほど演算強度が上がる。"
    ),
    syllabus=SYLLABUS_ACCEL,
    params=(
        IntParam("d_in", 1024, min=1, max=8192, help="入力の次元 d_in"),
        IntParam("d_out", 1024, min=1, max=8192, help="出力の次元 d_out"),
        ListParam(
            "batches", [1, 8, 64, 512], min=1, max=4096, max_length=12, help="試すバッチサイズ"
        ),
        ChoiceParam(
            "dtype", "float32", choices=("float32", "float16"), help="要素の型（バイト数）"
        ),
        FloatParam(
            "peak_tflops", 100.0, min=0.001, max=1e5, help="装置のピーク演算性能（TFLOP/s）"
        ),
        FloatParam("bandwidth_gbs", 1000.0, min=1.0, max=1e6, help="装置のメモリ帯域（GB/s）"),
    ),
)
def batch_intensity(
    d_in: int, d_out: int, batches, dtype: str, peak_tflops: float, bandwidth_gbs: float
) -> DemoResult:
    if any(not float(b).is_integer() for b in batches):
        raise ParameterError("In demo accel-batch-intensity batches must be whole numbers.")
    np_dtype = np.dtype(dtype)
    W = np.zeros((d_in, d_out), dtype=np_dtype)
    layer = Affine(W, np.zeros(d_out, dtype=np_dtype))
    flops, moved, intensity, attainable = [], [], [], []
    for b in (int(v) for v in batches):
        # float16 is only a storage format here: compute in float32, count bytes as stored.
        x = np.zeros((b, d_in), dtype=np.float32)
        y = layer.forward(x)
        f = 2 * x.shape[0] * W.shape[0] * W.shape[1]  # one multiply and one add per term
        m = (x.size + W.size + y.size) * np_dtype.itemsize  # read X and W once, write Y once
        flops.append(f)
        moved.append(m)
        intensity.append(f / m)
        attainable.append(parallel.roofline(peak_tflops * 1e12, bandwidth_gbs * 1e9, f / m) / 1e12)
    ridge = peak_tflops * 1e12 / (bandwidth_gbs * 1e9)
    lines = [
        f"- バッチ {int(b)}: {f:,} FLOP、{m:,} バイト → 演算強度 **{i:.3f}** FLOP/バイト、到達性能 {a:.4g} TFLOP/s"
        for b, f, m, i, a in zip(batches, flops, moved, intensity, attainable, strict=True)
    ]
    narrative = "\n".join(
        [
            f"全結合層 {d_in} → {d_out}（{dtype}, {np_dtype.itemsize} バイト/要素）。FLOP = $2 B d_{{in}} d_{{out}}$、"
            "バイト = $(B d_{in} + d_{in} d_{out} + B d_{out}) \\times$ 要素のバイト数。",
            "",
            *lines,
            "",
            f"リッジポイントは {ridge:g} FLOP/バイト。バッチ 1 では重みを読むだけで律速される（メモリ律速）。"
            "バッチを大きくすると同じ重みを何度も使えるので演算強度が上がり、GPU や TPU の演算器を使い切れる。",
        ]
    )
    return DemoResult(
        values={
            "batches": [int(b) for b in batches],
            "flops": flops,
            "bytes": moved,
            "intensity": intensity,
            "attainable_tflops": attainable,
            "ridge_point": ridge,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="演算強度（FLOP/バイト）",
                x=[str(int(b)) for b in batches],
                series={"intensity": intensity},
            )
        ],
    )


def systolic_matmul(A: np.ndarray, B: np.ndarray):
    """C = A·B on an M × N grid of processing elements (output-stationary systolic array).

    Rows of A enter from the left, row i delayed by i cycles; columns of B enter from the top,
    column j delayed by j cycles. Every cycle each PE multiplies the a it holds by the b it
    holds, adds the product to its own accumulator C_ij, and passes a to the right and b
    downward. a_ik and b_kj meet in PE (i, j) at cycle i + j + k, so the last product is
    made at cycle (M − 1) + (N − 1) + (K − 1). Returns (C, cycles, busy PEs per cycle).
    """
    M, K = A.shape
    N = B.shape[1]
    a_reg = np.zeros((M, N))
    b_reg = np.zeros((M, N))
    a_valid = np.zeros((M, N), dtype=bool)
    b_valid = np.zeros((M, N), dtype=bool)
    C = np.zeros((M, N))
    busy = []
    cycles = M + N + K - 2
    for t in range(cycles):
        # Shift: a moves one PE to the right, b one PE down; new values enter at the edges.
        a_reg[:, 1:], a_valid[:, 1:] = a_reg[:, :-1].copy(), a_valid[:, :-1].copy()
        b_reg[1:, :], b_valid[1:, :] = b_reg[:-1, :].copy(), b_valid[:-1, :].copy()
        for i in range(M):
            k = t - i
            a_valid[i, 0] = 0 <= k < K
            a_reg[i, 0] = A[i, k] if a_valid[i, 0] else 0.0
        for j in range(N):
            k = t - j
            b_valid[0, j] = 0 <= k < K
            b_reg[0, j] = B[k, j] if b_valid[0, j] else 0.0
        active = a_valid & b_valid
        C += np.where(active, a_reg * b_reg, 0.0)  # every active PE does one multiply-add
        busy.append(int(active.sum()))
    return C, cycles, busy


@demo(
    "accel-systolic-array",
    title="TPU のシストリックアレイ：行列積をサイクルごとに流す",
    description=(
        "M × N 個の積和演算器（PE）を格子に並べ、A の行を左から、B の列を上から 1 サイクルずつずらして"
        "流し込む。各 PE は毎サイクル 1 回の積和を行い、データを隣の PE に渡す。結果を A·B と比べる。"
    ),
    syllabus=SYLLABUS_ACCEL,
    params=(
        MatrixParam(
            "A",
            [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
            min=-1e3,
            max=1e3,
            max_rows=8,
            max_cols=8,
            help="行列 A（M × K）",
        ),
        MatrixParam(
            "B",
            [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
            min=-1e3,
            max=1e3,
            max_rows=8,
            max_cols=8,
            help="行列 B（K × N）",
        ),
    ),
)
def systolic_array(A, B) -> DemoResult:
    a, b = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    if a.shape[1] != b.shape[0]:
        raise ParameterError(
            f"In demo accel-systolic-array the columns of A ({a.shape[1]}) must equal the rows of B ({b.shape[0]})."
        )
    C, cycles, busy = systolic_matmul(a, b)
    M, K = a.shape
    N = b.shape[1]
    error = float(np.abs(C - a @ b).max())
    narrative = "\n".join(
        [
            f"{M}×{N} = {M * N} 個の PE で {M}×{K} と {K}×{N} の積を計算した。",
            "",
            f"- 結果 {C.tolist()}（A·B との差の最大 {error:g}）",
            f"- かかったサイクル数 $M + N + K - 2$ = **{cycles}**、積和の回数 $M N K$ = {M * N * K}",
            f"- サイクルごとに働いた PE の数: {busy}",
            "",
            "各データはメモリから 1 回読まれたあと PE から PE へ受け渡され、何度も再利用される。"
            "メモリへのアクセスを減らして大量の積和を並列に行うのが TPU（行列演算ユニット）の仕組み。",
        ]
    )
    return DemoResult(
        values={
            "C": C.tolist(),
            "max_error": error,
            "cycles": cycles,
            "macs": M * N * K,
            "busy_per_cycle": busy,
            "peak_busy": max(busy),
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="サイクルごとに働いた PE の数",
                x=list(range(cycles)),
                series={"busy PEs": busy},
            )
        ],
    )


def to_bfloat16(x) -> np.ndarray:
    """float32 → bfloat16 (1 sign, 8 exponent, 7 fraction bits) by rounding to nearest, ties to
    even, on the upper 16 bits of the float32 pattern; returned as float32 values."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounding = 0x7FFF + ((bits >> 16) & 1)
    rounded = ((bits + rounding) >> 16) << 16
    return rounded.astype(np.uint32).view(np.float32)


@demo(
    "accel-bfloat16",
    title="bfloat16 と float16：範囲と精度",
    description=(
        "float32 の値を bfloat16（指数 8 ビット・仮数 7 ビット）と float16（指数 5 ビット・仮数 10 ビット）に"
        "丸め、表せる範囲と精度を比べる。"
    ),
    syllabus=SYLLABUS_ACCEL,
    params=(
        ListParam(
            "x",
            [1.0, 1.00390625, 3.14159265, 70000.0, 1e-6],
            min=-3e38,
            max=3e38,
            max_length=32,
            help="丸める値",
        ),
    ),
)
def bfloat16_demo(x) -> DemoResult:
    values = np.asarray(x, dtype=np.float32)
    bf16 = to_bfloat16(values)
    with np.errstate(over="ignore"):
        fp16 = values.astype(np.float16).astype(np.float32)
    fp16_overflow = np.isinf(fp16) & np.isfinite(values)

    def rel(err_values):
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.abs(err_values.astype(np.float64) - values.astype(np.float64)) / np.abs(
                values.astype(np.float64)
            )
        return np.where(np.isfinite(r), r, np.inf)

    bf16_error, fp16_error = rel(bf16), rel(fp16)
    rows = [
        f"- {v:.9g}: bfloat16 → {b:.9g}、float16 → {'inf（オーバーフロー）' if o else f'{h:.9g}'}"
        for v, b, h, o in zip(values, bf16, fp16, fp16_overflow, strict=True)
    ]
    narrative = "\n".join(
        [
            "bfloat16 は float32 の上位 16 ビット（指数 8 ビットはそのまま、仮数を 23 → 7 ビット）。"
            "float16 は指数 5 ビット・仮数 10 ビットで、最大値は 65504。",
            "",
            *rows,
            "",
            f"- 1 の次に表せる数との差（機械イプシロン）: bfloat16 は $2^{{-7}}$ = {2**-7:g}、float16 は $2^{{-10}}$ = {2**-10:g}",
            "",
            "bfloat16 は float32 と同じ範囲を持つので、損失のスケーリングなしでもオーバーフロー・アンダーフローしにくい。"
            "その代わり精度（有効桁数）は float16 より低い。TPU が採用し、今は多くの GPU も対応する。",
        ]
    )
    return DemoResult(
        values={
            "bfloat16": bf16.astype(np.float64).tolist(),
            "float16": [float(v) if np.isfinite(v) else 1e300 for v in fp16],
            "float16_overflow": fp16_overflow.tolist(),
            "bfloat16_rel_error": [float(e) for e in bf16_error],
            "float16_rel_error": [float(e) if np.isfinite(e) else 1e300 for e in fp16_error],
            "bfloat16_eps": 2.0**-7,
            "float16_eps": 2.0**-10,
            "float16_max": float(np.finfo(np.float16).max),
        },
        narrative=narrative,
    )


WARP = 32


@demo(
    "accel-simt-divergence",
    title="SIMT：ワープ内の分岐（ダイバージェンス）",
    description=(
        "GPU は 32 スレッド（ワープ）が同じ命令を同時に実行する（SIMT）。要素ごとに if/else が分かれるとき、"
        "ワープ内で分岐先が割れると両方の分岐を順に実行し、その間は一部のスレッドが休む。"
        "要素の並べ方を変えて、全ワープの実行サイクル数を数える。"
    ),
    syllabus=SYLLABUS_ACCEL,
    params=(
        IntParam("n", 1024, min=32, max=1_000_000, help="要素（スレッド）の数"),
        ChoiceParam(
            "pattern",
            "alternating",
            choices=("alternating", "blocked", "uniform"),
            help="if が真になる要素の並び",
        ),
        IntParam("if_cycles", 10, min=1, max=1000, help="if 側の処理のサイクル数"),
        IntParam("else_cycles", 10, min=1, max=1000, help="else 側の処理のサイクル数"),
    ),
)
def simt_divergence(n: int, pattern: str, if_cycles: int, else_cycles: int) -> DemoResult:
    index = np.arange(n)
    if pattern == "alternating":
        taken = index % 2 == 0  # neighbours disagree: every warp splits
    elif pattern == "blocked":
        taken = index < n // 2  # the same half of the data, in a contiguous block
    else:
        taken = np.ones(n, dtype=bool)
    warps = -(-n // WARP)
    padded = np.zeros(warps * WARP, dtype=np.int8)  # 1: if, 0: else, −1: no thread
    padded[:] = -1
    padded[:n] = taken
    lanes = padded.reshape(warps, WARP)
    runs_if = np.any(lanes == 1, axis=1)
    runs_else = np.any(lanes == 0, axis=1)
    cycles = int(np.sum(runs_if * if_cycles + runs_else * else_cycles))
    divergent = int(np.sum(runs_if & runs_else))
    useful = int(np.sum(taken) * if_cycles + np.sum(~taken) * else_cycles)
    efficiency = useful / (cycles * WARP)
    narrative = "\n".join(
        [
            f"{n} 個のスレッド = {warps} ワープ。並び方 {pattern}：分岐が割れたワープは **{divergent}** 個。",
            "",
            f"- 全ワープの実行サイクル数の合計: **{cycles:,}**",
            f"- スレッドが有効な仕事をした割合（SIMT 効率）: {efficiency:.3f}",
            "",
            "分岐が割れたワープは if 側と else 側を順に実行し、その間もう一方のスレッドは待つ。"
            "同じ分岐をとるデータがワープ単位でまとまるように並べると速くなる。",
        ]
    )
    return DemoResult(
        values={
            "warps": warps,
            "divergent_warps": divergent,
            "total_cycles": cycles,
            "efficiency": efficiency,
        },
        narrative=narrative,
    )
