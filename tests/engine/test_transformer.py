"""engine.transformer: attention with and without masks, heads, positional encoding, the
encoder block, and BERT's masking — each against a computation written out here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import transformer
from engine.transformer import (
    MASK_KEPT,
    MASK_RANDOM,
    MASK_REPLACED,
    MASK_UNCHANGED,
    MultiHeadAttention,
    TransformerEncoderBlock,
    bert_input,
    bert_mask,
    causal_mask,
    positional_encoding,
    scaled_dot_product_attention,
)


def softmax_rows(a: np.ndarray) -> np.ndarray:
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_attention_is_softmax_of_scaled_scores_times_values():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    weights, out = scaled_dot_product_attention(q, k, v)
    expected = np.empty((3, 5))
    for i in range(3):
        scores = [q[i] @ k[j] / math.sqrt(4) for j in range(5)]
        expected[i] = np.exp(scores) / np.sum(np.exp(scores))
    np.testing.assert_allclose(weights, expected, rtol=1e-13)
    np.testing.assert_allclose(out, expected @ v, rtol=1e-13)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-14)


def test_attention_of_the_contract_demo_example():
    weights, out = scaled_dot_product_attention(
        np.array([[1.0, 0.0]]),
        np.array([[1.0, 0.0], [0.0, 1.0]]),
        np.array([[1.0, 2.0], [3.0, 4.0]]),
    )
    a = 1 / (1 + math.exp(-1 / math.sqrt(2)))  # softmax of (1/√2, 0)
    np.testing.assert_allclose(weights, [[a, 1 - a]], rtol=1e-14)
    np.testing.assert_allclose(out, [[a + 3 * (1 - a), 2 * a + 4 * (1 - a)]], rtol=1e-14)


def test_attention_broadcasts_over_leading_axes():
    rng = np.random.default_rng(1)
    q, k, v = (
        rng.normal(size=(2, 3, 4, 8)),
        rng.normal(size=(2, 3, 6, 8)),
        rng.normal(size=(2, 3, 6, 5)),
    )
    weights, out = scaled_dot_product_attention(q, k, v)
    assert weights.shape == (2, 3, 4, 6) and out.shape == (2, 3, 4, 5)
    w01, o01 = scaled_dot_product_attention(q[0, 1], k[0, 1], v[0, 1])
    np.testing.assert_allclose(weights[0, 1], w01, rtol=1e-13)
    np.testing.assert_allclose(out[0, 1], o01, rtol=1e-13)


def test_masked_keys_get_exactly_zero_weight_and_rows_still_sum_to_one():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(5, 4))
    mask = causal_mask(5)
    weights, out = scaled_dot_product_attention(x, x, x, mask)
    assert np.all(weights[~mask] == 0)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-14)
    # Row i equals attention over the first i + 1 positions only.
    for i in range(5):
        w_i, o_i = scaled_dot_product_attention(x[i : i + 1], x[: i + 1], x[: i + 1])
        np.testing.assert_allclose(weights[i, : i + 1], w_i[0], rtol=1e-13)
        np.testing.assert_allclose(out[i], o_i[0], rtol=1e-13)


def test_a_query_with_no_allowed_key_is_an_error():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="at least one key"):
        scaled_dot_product_attention(x, x, x, np.array([[True, False], [False, False]]))


def test_causal_mask_is_lower_triangular():
    np.testing.assert_array_equal(
        causal_mask(3), [[True, False, False], [True, True, False], [True, True, True]]
    )


@pytest.mark.parametrize("d_model", [4, 6, 7])
def test_positional_encoding_follows_the_paper(d_model):
    pe = positional_encoding(12, d_model)
    assert pe.shape == (12, d_model)
    for pos in range(12):
        for dim in range(d_model):
            angle = pos / 10000 ** ((dim - dim % 2) / d_model)
            expected = math.sin(angle) if dim % 2 == 0 else math.cos(angle)
            assert pe[pos, dim] == pytest.approx(expected, abs=1e-14)


def test_positional_encoding_dot_products_depend_on_the_offset_only():
    pe = positional_encoding(40, 16)
    dots = [pe[p] @ pe[p + 5] for p in range(35)]
    np.testing.assert_allclose(dots, dots[0], rtol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(pe, axis=1), math.sqrt(8), rtol=1e-13)


def test_multi_head_attention_equals_a_loop_over_heads():
    rng = np.random.default_rng(4)
    d_model, heads = 8, 2
    mha = MultiHeadAttention.initialized(d_model, heads, rng)
    for key in ("b_Q", "b_K", "b_V", "b_O"):
        mha.params[key][...] = rng.normal(size=d_model)
    query, source = rng.normal(size=(3, 4, d_model)), rng.normal(size=(3, 6, d_model))
    out = mha.forward(query, source, source)
    p = mha.params
    d_k = d_model // heads
    for n in range(3):
        head_outputs = []
        for h in range(heads):
            cols = slice(h * d_k, (h + 1) * d_k)
            q = query[n] @ p["W_Q"][:, cols] + p["b_Q"][cols]
            k = source[n] @ p["W_K"][:, cols] + p["b_K"][cols]
            v = source[n] @ p["W_V"][:, cols] + p["b_V"][cols]
            weights = softmax_rows(q @ k.T / math.sqrt(d_k))
            np.testing.assert_allclose(mha.weights[n, h], weights, rtol=1e-12)
            head_outputs.append(weights @ v)
        expected = np.concatenate(head_outputs, axis=1) @ p["W_O"] + p["b_O"]
        np.testing.assert_allclose(out[n], expected, rtol=1e-12)
    assert mha.num_params == 4 * (d_model**2 + d_model)


def test_multi_head_attention_rejects_heads_that_do_not_divide_d_model():
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadAttention.initialized(6, 4)


@pytest.mark.torch
def test_multi_head_attention_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    d_model, heads = 8, 4
    mha = MultiHeadAttention.initialized(d_model, heads, rng)
    for key in ("b_Q", "b_K", "b_V", "b_O"):
        mha.params[key][...] = rng.normal(size=d_model)
    p = mha.params
    ref = torch.nn.MultiheadAttention(d_model, heads, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        ref.in_proj_weight.copy_(
            torch.from_numpy(np.concatenate([p["W_Q"].T, p["W_K"].T, p["W_V"].T]))
        )
        ref.in_proj_bias.copy_(torch.from_numpy(np.concatenate([p["b_Q"], p["b_K"], p["b_V"]])))
        ref.out_proj.weight.copy_(torch.from_numpy(p["W_O"].T))
        ref.out_proj.bias.copy_(torch.from_numpy(p["b_O"]))
    x = rng.normal(size=(2, 5, d_model))
    mask = causal_mask(5)
    out = mha.forward(x, x, x, mask)
    t = torch.from_numpy(x)
    expected, weights = ref(t, t, t, attn_mask=torch.from_numpy(~mask), average_attn_weights=False)
    np.testing.assert_allclose(out, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mha.weights, weights.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_encoder_block_is_post_ln_attention_then_feed_forward():
    rng = np.random.default_rng(6)
    block = TransformerEncoderBlock(d_model=8, heads=2, d_ff=16, rng=rng)
    p = block.params
    for key in ("gamma_1", "beta_1", "gamma_2", "beta_2", "b_1", "b_2"):
        p[key][...] = rng.normal(size=p[key].shape)
    x = rng.normal(size=(2, 3, 8))
    out = block.forward(x)

    def norm(a, g, b):
        return g * (a - a.mean(-1, keepdims=True)) / np.sqrt(a.var(-1, keepdims=True) + 1e-5) + b

    y = norm(x + block.attention.forward(x, x, x), p["gamma_1"], p["beta_1"])
    ffn = np.maximum(y @ p["W_1"] + p["b_1"], 0) @ p["W_2"] + p["b_2"]
    np.testing.assert_allclose(out, norm(y + ffn, p["gamma_2"], p["beta_2"]), rtol=1e-12)
    assert block.num_params == 4 * (64 + 8) + (8 * 16 + 16 + 16 * 8 + 8) + 4 * 8


def test_bert_mask_follows_the_15_80_10_10_rule():
    tokens = np.arange(200_000) % 1000
    inputs, kind = bert_mask(tokens, vocab_size=1000, mask_id=1000, rng=0)
    selected = kind != MASK_KEPT
    assert abs(selected.mean() - 0.15) < 0.003
    assert abs((kind == MASK_REPLACED).sum() / selected.sum() - 0.8) < 0.01
    assert abs((kind == MASK_RANDOM).sum() / selected.sum() - 0.1) < 0.01
    assert abs((kind == MASK_UNCHANGED).sum() / selected.sum() - 0.1) < 0.01
    np.testing.assert_array_equal(inputs[kind == MASK_REPLACED], 1000)
    np.testing.assert_array_equal(inputs[kind == MASK_KEPT], tokens[kind == MASK_KEPT])
    np.testing.assert_array_equal(inputs[kind == MASK_UNCHANGED], tokens[kind == MASK_UNCHANGED])
    assert inputs[kind == MASK_RANDOM].max() < 1000


def test_bert_mask_is_reproducible_with_a_seed():
    tokens = np.arange(500)
    a, b = bert_mask(tokens, 50, 50, rng=7), bert_mask(tokens, 50, 50, rng=7)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_bert_input_layout():
    tokens, segments = bert_input(2, 1)
    assert tokens == ["[CLS]", "A1", "A2", "[SEP]", "B1", "[SEP]"]
    assert segments == [0, 0, 0, 0, 1, 1]
    assert bert_input(2, 0) == (["[CLS]", "A1", "A2", "[SEP]"], [0, 0, 0, 0])


def test_the_attention_demo_uses_the_engine_function():
    from engine.demos import attention

    assert attention.scaled_dot_product_attention is transformer.scaled_dot_product_attention
