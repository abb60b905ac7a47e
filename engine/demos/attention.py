"""Demos on attention: scaled dot-product attention on small matrices."""

from __future__ import annotations

import numpy as np

from engine.demos.registry import DemoResult, MatrixParam, ParameterError, Plot, demo
from engine.transformer import scaled_dot_product_attention


@demo(
    "scaled-dot-product-attention",
    title="Scaled Dot-Product Attention",
    description="softmax(QKᵀ/√d_k)V をその場で計算し、注意の重みと出力を示す。",
    syllabus=("3-6 Transformer", "3-5 リカレントニューラルネットワーク"),
    params=(
        MatrixParam("Q", [[1.0, 0.0], [0.0, 1.0]], min=-1e3, max=1e3, help="クエリ (n × d_k)"),
        MatrixParam(
            "K", [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], min=-1e3, max=1e3, help="キー (m × d_k)"
        ),
        MatrixParam(
            "V", [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], min=-1e3, max=1e3, help="バリュー (m × d_v)"
        ),
    ),
)
def scaled_dot_product_attention_demo(Q, K, V) -> DemoResult:
    q, k, v = (np.asarray(m, dtype=np.float64) for m in (Q, K, V))
    if q.shape[1] != k.shape[1]:
        raise ParameterError(
            f"In demo scaled-dot-product-attention Q and K need the same number of columns "
            f"(d_k), got {q.shape[1]} and {k.shape[1]}."
        )
    if k.shape[0] != v.shape[0]:
        raise ParameterError(
            f"In demo scaled-dot-product-attention K and V need the same number of rows "
            f"(one value per key), got {k.shape[0]} and {v.shape[0]}."
        )
    weights, output = scaled_dot_product_attention(q, k, v)
    d_k = q.shape[1]
    narrative = "\n".join(
        [
            f"クエリ {q.shape[0]} 個、キーとバリュー {k.shape[0]} 組、$d_k = {d_k}$。",
            "",
            f"1. スコア $QK^\\top / \\sqrt{{d_k}}$ を計算（$\\sqrt{{{d_k}}} = {np.sqrt(d_k):.4g}$ で割るのは、"
            "次元が大きいと内積の分散が大きくなり softmax が飽和して勾配が消えるのを防ぐため）。",
            "2. 各行に softmax をかけて注意の重みにする（各行の和は 1）。",
            "3. 重みでバリューの加重平均をとったものが出力。",
        ]
    )
    plot = Plot(
        kind="heatmap",
        title="注意の重み（行: クエリ、列: キー）",
        z=weights.tolist(),
        x=[f"k{j}" for j in range(k.shape[0])],
        y_ticks=[f"q{i}" for i in range(q.shape[0])],
    )
    return DemoResult(
        values={"weights": weights.tolist(), "output": output.tolist(), "d_k": d_k},
        narrative=narrative,
        plots=[plot],
    )
