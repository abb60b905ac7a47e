"""Demos on the Transformer: masked (causal) attention, why scores are divided by √d_k,
sinusoidal positional encoding, multi-head attention's shapes and parameters, the O(n²)
cost of attention, the encoder block (residuals and layer norm), and why positions must be
encoded at all. Every computation goes through engine.transformer.
"""

from __future__ import annotations

import numpy as np

from engine.demos.registry import (
    BoolParam,
    DemoResult,
    IntParam,
    ListParam,
    ParameterError,
    Plot,
    demo,
)
from engine.transformer import (
    MultiHeadAttention,
    TransformerEncoderBlock,
    causal_mask,
    positional_encoding,
    scaled_dot_product_attention,
    split_heads,
)

SYLLABUS_TRANSFORMER = ("3-6 Transformer",)
SEED = IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード")


@demo(
    "transformer-masked-attention",
    title="Masked Self-Attention（未来を見ないマスク）",
    description=(
        "系列の自己注意に下三角のマスクをかけ、注意の重みの上三角が 0 になること、"
        "後ろのトークンを変えても前の位置の出力が変わらないことを示す。"
    ),
    syllabus=SYLLABUS_TRANSFORMER,
    params=(
        IntParam("n", 4, min=1, max=32, help="系列長"),
        IntParam("d_k", 4, min=1, max=64, help="次元"),
        BoolParam("causal", True, help="未来の位置をマスクする"),
        SEED,
    ),
)
def transformer_masked_attention(n: int, d_k: int, causal: bool, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d_k))
    mask = causal_mask(n) if causal else None
    weights, output = scaled_dot_product_attention(x, x, x, mask)
    changed = x.copy()
    changed[-1] += 1.0  # change the last token only
    _, output_changed = scaled_dot_product_attention(changed, changed, changed, mask)
    earlier_unchanged = (
        bool(np.allclose(output[:-1], output_changed[:-1], rtol=0, atol=1e-12)) if n > 1 else True
    )
    future_weight = float(np.triu(weights, k=1).sum())
    narrative = "\n".join(
        [
            f"長さ {n} の系列の自己注意（Q = K = V = 入力）。マスク: {'下三角（因果マスク）' if causal else 'なし'}。",
            "",
            "マスクした位置のスコアを $-\\infty$ にしてから softmax をとるので、その重みは厳密に 0 になる。"
            f" 対角より上（未来）の重みの合計: **{future_weight:.6g}**。",
            "",
            f"最後のトークンだけを変えたとき、それより前の位置の出力は"
            f"{'変わらない' if earlier_unchanged else '変わる'}。",
            "デコーダ（GPT など）は位置 i の次のトークンを i 以前だけから予測するので、学習時に全位置を並列に"
            "計算しても答え（未来のトークン）を覗けない。",
        ]
    )
    plot = Plot(
        kind="heatmap",
        title="注意の重み（行: クエリの位置、列: キーの位置）",
        z=weights.tolist(),
        x=[f"k{j + 1}" for j in range(n)],
        y_ticks=[f"q{i + 1}" for i in range(n)],
    )
    return DemoResult(
        values={
            "weights": weights.tolist(),
            "future_weight_sum": future_weight,
            "row_sums": weights.sum(axis=1).tolist(),
            "earlier_outputs_unchanged": earlier_unchanged,
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "transformer-scaling",
    title="なぜ √d_k で割るのか",
    description=(
        "成分が N(0, 1) のクエリとキーの内積の分散が d_k になることを標本で確かめ、"
        "√d_k で割らないと softmax が 1 つのキーに張り付く（飽和する）ことを示す。"
    ),
    syllabus=SYLLABUS_TRANSFORMER,
    params=(
        IntParam("d_k", 64, min=1, max=1024, help="クエリ・キーの次元"),
        IntParam("keys", 8, min=2, max=64, help="キーの数"),
        IntParam("queries", 500, min=10, max=5000, help="標本にするクエリの数"),
        SEED,
    ),
)
def transformer_scaling(d_k: int, keys: int, queries: int, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((queries, d_k))
    k = rng.standard_normal((keys, d_k))
    v = np.eye(keys)  # the output of each query is then its weight vector
    raw = q @ k.T
    scaled_weights, _ = scaled_dot_product_attention(q, k, v)
    # Multiplying q by √d_k cancels the division: the same function without the scaling.
    unscaled_weights, _ = scaled_dot_product_attention(q * np.sqrt(d_k), k, v)

    def summary(weights: np.ndarray) -> tuple[float, float]:
        entropy = -np.sum(weights * np.log(np.maximum(weights, 1e-300)), axis=1)
        return float(weights.max(axis=1).mean()), float(entropy.mean())

    max_scaled, entropy_scaled = summary(scaled_weights)
    max_unscaled, entropy_unscaled = summary(unscaled_weights)
    # softmax's Jacobian diag(a) − a·aᵀ: its largest entry a(1 − a) is tiny when a is 0 or 1.
    grad_scaled = float(np.mean(np.max(scaled_weights * (1 - scaled_weights), axis=1)))
    grad_unscaled = float(np.mean(np.max(unscaled_weights * (1 - unscaled_weights), axis=1)))
    narrative = "\n".join(
        [
            f"$d_k = {d_k}$、成分が N(0, 1) のクエリ {queries} 個とキー {keys} 個。",
            "",
            f"- 内積 $q \\cdot k$ の分散: {raw.var():.4g}（理論値 $d_k = {d_k}$）",
            f"- $\\frac{{q \\cdot k}}{{\\sqrt{{d_k}}}}$ の分散: {(raw / np.sqrt(d_k)).var():.4g}（理論値 1）",
            "",
            f"割らない場合、softmax の最大の重みの平均は **{max_unscaled:.4g}**（エントロピー {entropy_unscaled:.4g}）、"
            f"割った場合は **{max_scaled:.4g}**（エントロピー {entropy_scaled:.4g}、一様なら $\\log {keys} = {np.log(keys):.4g}$）。",
            "",
            f"softmax の勾配の大きさの目安 $a(1 - a)$ の最大値の平均: 割らない {grad_unscaled:.4g}、割る {grad_scaled:.4g}。"
            " 重みが 0 か 1 に張り付くと勾配が消える。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="最初のクエリの注意の重み",
        x=[f"k{j + 1}" for j in range(keys)],
        series={
            "√d_k で割る": scaled_weights[0].tolist(),
            "割らない": unscaled_weights[0].tolist(),
        },
    )
    return DemoResult(
        values={
            "score_var_unscaled": float(raw.var()),
            "score_var_scaled": float((raw / np.sqrt(d_k)).var()),
            "max_weight_unscaled": max_unscaled,
            "max_weight_scaled": max_scaled,
            "entropy_unscaled": entropy_unscaled,
            "entropy_scaled": entropy_scaled,
            "softmax_grad_unscaled": grad_unscaled,
            "softmax_grad_scaled": grad_scaled,
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "transformer-positional-encoding",
    title="正弦波の位置エンコーディング",
    description=(
        "engine.transformer.positional_encoding で PE(pos, 2i) = sin(pos/10000^(2i/d))、"
        "PE(pos, 2i+1) = cos(pos/10000^(2i/d)) を計算し、指定した位置の値を示す。"
    ),
    syllabus=SYLLABUS_TRANSFORMER,
    params=(
        IntParam("length", 50, min=1, max=2048, help="系列長（位置 0 … length−1）"),
        IntParam("d_model", 16, min=1, max=1024, help="モデルの次元"),
        IntParam("pos", 1, min=0, max=2047, help="値を表示する位置"),
        IntParam(
            "offset", 3, min=0, max=2047, help="位置の差 k（内積が k だけで決まることを確かめる）"
        ),
    ),
)
def transformer_positional_encoding(length: int, d_model: int, pos: int, offset: int) -> DemoResult:
    if pos + offset >= length:
        raise ParameterError(
            f"In demo transformer-positional-encoding pos + offset ({pos + offset}) must be less than length ({length})."
        )
    pe = positional_encoding(length, d_model)
    row = pe[pos]
    # PE(p)·PE(p + k) = Σ_i cos(k·ω_i): the same for every p, a function of the offset only.
    dots = [float(pe[p] @ pe[p + offset]) for p in range(length - offset)]
    narrative = "\n".join(
        [
            f"$d_{{model}} = {d_model}$。位置 {pos} の位置エンコーディング（先頭 8 成分まで）:",
            "",
            ", ".join(f"{v:.6g}" for v in row[:8]) + (" …" if d_model > 8 else ""),
            "",
            "偶数番目の次元 2i は $\\sin(pos / 10000^{2i/d_{model}})$、奇数番目 2i+1 は同じ角度の $\\cos$。"
            " 前の次元ほど速く、後ろの次元ほどゆっくり変わる。",
            "",
            f"各位置のベクトルのノルムは $\\sqrt{{d_{{model}}/2}} = {np.linalg.norm(row):.6g}$ で一定。"
            f" 位置の差 {offset} の 2 つのベクトルの内積は、どの位置でも {dots[0]:.6g}"
            f"（ばらつき {np.ptp(dots):.2g}）: 相対位置が内積に表れる。",
        ]
    )
    shown = min(length, 64)
    plot = Plot(
        kind="heatmap",
        title=f"位置エンコーディング（行: 位置 0…{shown - 1}、列: 次元）",
        z=pe[:shown].tolist(),
    )
    return DemoResult(
        values={
            "row": row.tolist(),
            "norm": float(np.linalg.norm(row)),
            "dot_with_offset": dots[0],
            "dot_spread": float(np.ptp(dots)),
            "shape": list(pe.shape),
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "transformer-multi-head",
    title="Multi-Head Attention の形とパラメータ数",
    description=(
        "engine.transformer.MultiHeadAttention に (N, T, d_model) を通し、ヘッドごとの Q の形、"
        "注意の重みの形、出力の形、パラメータ数 4(d_model² + d_model) を示す。"
    ),
    syllabus=SYLLABUS_TRANSFORMER,
    params=(
        IntParam("N", 2, min=1, max=16, help="バッチサイズ"),
        IntParam("T", 5, min=1, max=64, help="クエリ側の系列長"),
        IntParam("S", 0, min=0, max=64, help="キー・バリュー側の系列長（0 なら自己注意で S = T）"),
        IntParam("d_model", 8, min=1, max=1024, help="モデルの次元"),
        IntParam("heads", 2, min=1, max=64, help="ヘッド数 h"),
        SEED,
    ),
)
def transformer_multi_head(
    N: int, T: int, S: int, d_model: int, heads: int, seed: int
) -> DemoResult:
    if d_model % heads:
        raise ParameterError(
            f"In demo transformer-multi-head d_model ({d_model}) must be divisible by heads ({heads})."
        )
    rng = np.random.default_rng(seed)
    mha = MultiHeadAttention.initialized(d_model, heads, rng)
    x = rng.standard_normal((N, T, d_model))
    # Self-attention reads K and V from x itself; source–target attention from another sequence.
    source = x if S == 0 else rng.standard_normal((N, S, d_model))
    out = mha.forward(x, source, source)
    q_heads = split_heads(x @ mha.params["W_Q"], heads)
    d_k = d_model // heads
    # One head over all d_model features: the same matrices, only not split (zeros suffice to count).
    single = MultiHeadAttention(
        *[np.zeros((d_model, d_model))] * 4, *[np.zeros(d_model)] * 4, heads=1
    )
    narrative = "\n".join(
        [
            f"クエリ側の入力 (N, T, d_model) = ({N}, {T}, {d_model})、"
            + (
                "キーとバリューも同じ系列（自己注意）。"
                if S == 0
                else f"キーとバリューは別の系列 ({N}, {S}, {d_model})（Source-Target Attention）。"
            )
            + f" ヘッド数 h = {heads}、$d_k = d_{{model}}/h = {d_k}$。",
            "",
            f"- 線形変換した Q をヘッドに分けた形: {tuple(q_heads.shape)}（N, h, T, $d_k$）",
            f"- 注意の重み: {tuple(mha.weights.shape)}（ヘッドごとにクエリの数 × キーの数）",
            f"- 各ヘッドの出力を連結して $W_O$ を掛けた出力: {tuple(out.shape)}（入力と同じ形）",
            "",
            f"パラメータは $W_Q, W_K, W_V, W_O$（各 {d_model}×{d_model}）とバイアスで "
            f"$4(d_{{model}}^2 + d_{{model}})$ = **{mha.num_params}**。"
            f" ヘッド数 1 でも {single.num_params} で変わらない（ヘッドは次元を分けるだけ）。",
        ]
    )
    plot = Plot(
        kind="heatmap",
        title="1 つ目のヘッドの注意の重み（バッチの 1 つ目）",
        z=mha.weights[0, 0].tolist(),
    )
    return DemoResult(
        values={
            "d_k": d_k,
            "q_heads_shape": list(q_heads.shape),
            "weights_shape": list(mha.weights.shape),
            "output_shape": list(out.shape),
            "n_params": mha.num_params,
            "n_params_one_head": single.num_params,
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "transformer-attention-cost",
    title="Self-Attention の計算量は系列長の 2 乗",
    description=(
        "長さ n の系列で自己注意を実際に計算し、注意の重み行列の要素数 n² と、"
        "QKᵀ と（重み）×V の乗算回数 2n²d を形から数える。"
    ),
    syllabus=SYLLABUS_TRANSFORMER,
    params=(
        ListParam(
            "lengths", [64.0, 128.0, 256.0], min=1, max=1024, max_length=8, help="系列長 n の一覧"
        ),
        IntParam("d_k", 64, min=1, max=512, help="次元 d（= d_k = d_v）"),
        SEED,
    ),
)
def transformer_attention_cost(lengths: list[float], d_k: int, seed: int) -> DemoResult:
    if any(not float(n).is_integer() for n in lengths):
        raise ParameterError("In demo transformer-attention-cost lengths must be whole numbers.")
    rng = np.random.default_rng(seed)
    elements, mults = [], []
    for n in (int(n) for n in lengths):
        x = rng.standard_normal((n, d_k))
        weights, output = scaled_dot_product_attention(x, x, x)
        elements.append(weights.size)
        # QKᵀ: n·n dot products of length d; weights·V: n·d dot products of length n.
        mults.append(weights.size * d_k + output.size * weights.shape[1])
    narrative = "\n".join(
        [
            f"$d = {d_k}$ で系列長を変えて自己注意を計算した。",
            "",
            *(
                f"- n = {int(n)}: 重み行列 {e:,} 要素、乗算 {m:,} 回"
                for n, e, m in zip(lengths, elements, mults, strict=True)
            ),
            "",
            "全位置の組について内積をとるので、メモリも計算も $O(n^2)$。系列長が 2 倍になると 4 倍になる。"
            " RNN の 1 層の計算量は $O(n d^2)$ で n に比例するが、時刻の順に逐次計算しなければならない。",
        ]
    )
    plot = Plot(
        kind="line",
        title="注意の重み行列の要素数",
        x=[int(n) for n in lengths],
        series={"n²": elements},
        x_label="n",
    )
    return DemoResult(
        values={"score_elements": elements, "multiplications": mults},
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "transformer-encoder-block",
    title="Transformer エンコーダブロック：残差接続と Layer Normalization",
    description=(
        "engine.transformer.TransformerEncoderBlock（Multi-Head Attention → 残差 + LayerNorm → FFN → "
        "残差 + LayerNorm）に入力を通し、出力の形、各位置の平均と標準偏差、パラメータ数を示す。"
    ),
    syllabus=SYLLABUS_TRANSFORMER,
    params=(
        IntParam("T", 4, min=1, max=64, help="系列長"),
        IntParam("d_model", 8, min=2, max=512, help="モデルの次元"),
        IntParam("heads", 2, min=1, max=64, help="ヘッド数"),
        IntParam("d_ff", 32, min=1, max=4096, help="FFN の中間層の次元"),
        SEED,
    ),
)
def transformer_encoder_block(T: int, d_model: int, heads: int, d_ff: int, seed: int) -> DemoResult:
    if d_model % heads:
        raise ParameterError(
            f"In demo transformer-encoder-block d_model ({d_model}) must be divisible by heads ({heads})."
        )
    rng = np.random.default_rng(seed)
    block = TransformerEncoderBlock(d_model, heads, d_ff, rng)
    x = 3.0 + 2.0 * rng.standard_normal((1, T, d_model))
    out = block.forward(x)
    attention_params = block.attention.num_params
    ffn_params = sum(block.params[k].size for k in ("W_1", "b_1", "W_2", "b_2"))
    norm_params = sum(block.params[k].size for k in ("gamma_1", "beta_1", "gamma_2", "beta_2"))
    means, stds = out[0].mean(axis=1), out[0].std(axis=1)
    narrative = "\n".join(
        [
            f"入力 (1, {T}, {d_model}) は平均およそ 3、標準偏差およそ 2。出力の形は {tuple(out.shape)} で入力と同じ"
            "（だからブロックを何段も積める）。",
            "",
            "$y = \\mathrm{LayerNorm}(x + \\mathrm{MultiHead}(x, x, x))$、$out = \\mathrm{LayerNorm}(y + \\mathrm{FFN}(y))$。",
            f"LayerNorm は位置ごとに特徴の次元で正規化するので、出力の各位置の平均は最大でも {np.abs(means).max():.2g}、"
            f"標準偏差は {stds.min():.6g}〜{stds.max():.6g}（γ = 1, β = 0）。",
            "",
            f"パラメータ数: Multi-Head Attention {attention_params:,} + FFN $2 d_{{model}} d_{{ff}} + d_{{ff}} + d_{{model}}$ = {ffn_params:,}"
            f" + LayerNorm 2 つ {norm_params:,} = **{block.num_params:,}**。",
        ]
    )
    return DemoResult(
        values={
            "output_shape": list(out.shape),
            "position_means": means.tolist(),
            "position_stds": stds.tolist(),
            "attention_params": attention_params,
            "ffn_params": ffn_params,
            "norm_params": norm_params,
            "n_params": block.num_params,
        },
        narrative=narrative,
    )


@demo(
    "transformer-permutation",
    title="位置エンコーディングがないと語順がわからない",
    description=(
        "自己注意に入力の並べ替えを施すと、出力も同じように並べ替わるだけ（置換同変）であることを示し、"
        "位置エンコーディングを加えるとそうならないことを比べる。"
    ),
    syllabus=SYLLABUS_TRANSFORMER,
    params=(
        IntParam("n", 5, min=2, max=32, help="系列長"),
        IntParam("d_model", 8, min=2, max=128, help="次元"),
        BoolParam("positional", False, help="入力に位置エンコーディングを加える"),
        SEED,
    ),
)
def transformer_permutation(n: int, d_model: int, positional: bool, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    mha = MultiHeadAttention.initialized(d_model, 1, rng)
    tokens = rng.standard_normal((n, d_model))  # token embeddings
    order = np.roll(np.arange(n), 1)  # a reordering of the sentence
    pe = positional_encoding(n, d_model) if positional else np.zeros((n, d_model))

    def encode(embeddings: np.ndarray) -> np.ndarray:
        x = (embeddings + pe)[None]
        return mha.forward(x, x, x)[0]

    out = encode(tokens)
    out_reordered = encode(tokens[order])
    max_diff = float(np.abs(out_reordered - out[order]).max())
    equivariant = max_diff < 1e-12
    narrative = "\n".join(
        [
            f"{n} 個のトークンの自己注意。位置エンコーディング: {'あり' if positional else 'なし'}。",
            "",
            "トークンの順番を入れ替えて入力し、元の出力を同じように入れ替えたものと比べた。"
            f" 差の最大値: {max_diff:.3g}。",
            "",
            (
                "差は 0：自己注意は入力の集合だけを見て、順番を区別しない。「犬が人を噛む」と「人が犬を噛む」が"
                "同じ表現の並べ替えになってしまうので、位置の情報を入力に加える必要がある。"
                if equivariant
                else "位置エンコーディングを加えると、同じトークンでも位置によって表現が変わり、語順が出力に反映される。"
            ),
        ]
    )
    return DemoResult(
        values={"max_diff": max_diff, "permutation_equivariant": equivariant},
        narrative=narrative,
    )
