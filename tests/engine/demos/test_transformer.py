"""Demos of engine/demos/transformer.py against computations written out here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.demos import ParameterError, run_demo


def softmax_rows(a: np.ndarray) -> np.ndarray:
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_masked_attention_against_a_hand_written_causal_softmax():
    n, d_k, seed = 5, 3, 4
    values = run_demo("transformer-masked-attention", n=n, d_k=d_k, causal=True, seed=seed).values
    x = np.random.default_rng(seed).standard_normal((n, d_k))  # the demo's input
    scores = x @ x.T / math.sqrt(d_k)
    scores[np.triu_indices(n, 1)] = -np.inf
    np.testing.assert_allclose(values["weights"], softmax_rows(scores), rtol=1e-12)
    assert values["future_weight_sum"] == 0
    assert values["row_sums"] == pytest.approx([1.0] * n)
    assert values["earlier_outputs_unchanged"] is True


def test_unmasked_attention_sees_the_future():
    values = run_demo("transformer-masked-attention", n=4, causal=False).values
    assert values["future_weight_sum"] > 0
    assert values["earlier_outputs_unchanged"] is False


def test_scaling_demo_variances_and_saturation():
    d_k, keys, queries, seed = 64, 8, 500, 0
    values = run_demo("transformer-scaling", d_k=d_k, keys=keys, queries=queries, seed=seed).values
    rng = np.random.default_rng(seed)
    q, k = rng.standard_normal((queries, d_k)), rng.standard_normal((keys, d_k))
    raw = q @ k.T
    assert values["score_var_unscaled"] == pytest.approx(raw.var(), rel=1e-12)
    assert values["score_var_scaled"] == pytest.approx(raw.var() / d_k, rel=1e-12)
    assert values["max_weight_unscaled"] == pytest.approx(
        softmax_rows(raw).max(axis=1).mean(), rel=1e-12
    )
    assert values["max_weight_scaled"] == pytest.approx(
        softmax_rows(raw / math.sqrt(d_k)).max(axis=1).mean(), rel=1e-12
    )
    assert values["softmax_grad_unscaled"] < values["softmax_grad_scaled"]


def test_positional_encoding_row_against_the_formula():
    values = run_demo(
        "transformer-positional-encoding", length=20, d_model=6, pos=7, offset=4
    ).values
    expected = []
    for dim in range(6):
        angle = 7 / 10000 ** ((dim - dim % 2) / 6)
        expected.append(math.sin(angle) if dim % 2 == 0 else math.cos(angle))
    assert values["row"] == pytest.approx(expected, abs=1e-14)
    assert values["norm"] == pytest.approx(math.sqrt(3))
    offset_dot = sum(math.cos(4 / 10000 ** (2 * i / 6)) for i in range(3))
    assert values["dot_with_offset"] == pytest.approx(offset_dot, rel=1e-12)
    assert values["dot_spread"] < 1e-12
    assert values["shape"] == [20, 6]


@pytest.mark.parametrize(("d_model", "heads", "S"), [(8, 2, 0), (12, 3, 7), (512, 8, 0)])
def test_multi_head_shapes_and_parameter_count(d_model, heads, S):
    values = run_demo("transformer-multi-head", N=1, T=4, S=S, d_model=d_model, heads=heads).values
    d_k = d_model // heads
    assert values["d_k"] == d_k
    assert values["q_heads_shape"] == [1, heads, 4, d_k]
    assert values["weights_shape"] == [1, heads, 4, S or 4]
    assert values["output_shape"] == [1, 4, d_model]
    assert values["n_params"] == values["n_params_one_head"] == 4 * (d_model * d_model + d_model)


def test_attention_cost_is_quadratic():
    values = run_demo("transformer-attention-cost", lengths=[10, 20, 40], d_k=8).values
    assert values["score_elements"] == [100, 400, 1600]
    assert values["multiplications"] == [2 * n * n * 8 for n in (10, 20, 40)]


def test_encoder_block_parameter_count_and_normalised_positions():
    d, h, f = 16, 4, 40
    values = run_demo("transformer-encoder-block", T=3, d_model=d, heads=h, d_ff=f).values
    assert values["attention_params"] == 4 * (d * d + d)
    assert values["ffn_params"] == d * f + f + f * d + d
    assert values["norm_params"] == 4 * d
    assert values["n_params"] == 4 * (d * d + d) + d * f + f + f * d + d + 4 * d
    assert values["output_shape"] == [1, 3, d]
    assert values["position_means"] == pytest.approx([0, 0, 0], abs=1e-12)
    # LayerNorm's ε = 1e-5 keeps the std just below 1.
    assert values["position_stds"] == pytest.approx([1, 1, 1], abs=1e-4)


def test_permutation_equivariance_holds_only_without_positions():
    without = run_demo("transformer-permutation", positional=False, seed=3).values
    with_pe = run_demo("transformer-permutation", positional=True, seed=3).values
    assert without["permutation_equivariant"] is True and without["max_diff"] < 1e-12
    assert with_pe["permutation_equivariant"] is False and with_pe["max_diff"] > 1e-3


def test_parameter_problems_are_one_sentence():
    with pytest.raises(ParameterError, match="divisible by heads"):
        run_demo("transformer-multi-head", d_model=10, heads=4)
    with pytest.raises(ParameterError, match="divisible by heads"):
        run_demo("transformer-encoder-block", d_model=10, heads=4)
    with pytest.raises(ParameterError, match="pos \\+ offset"):
        run_demo("transformer-positional-encoding", length=5, pos=3, offset=3)
    with pytest.raises(ParameterError, match="whole numbers"):
        run_demo("transformer-attention-cost", lengths=[10.5])


@pytest.mark.parametrize(
    ("demo_id", "params"),
    [
        ("transformer-masked-attention", {"seed": 6}),
        ("transformer-scaling", {"seed": 2, "d_k": 16}),
        ("transformer-multi-head", {"seed": 4, "S": 3}),
        ("transformer-encoder-block", {"seed": 1}),
        ("transformer-permutation", {"seed": 5, "positional": True}),
    ],
)
def test_same_parameters_same_values(demo_id, params):
    assert run_demo(demo_id, **params).values == run_demo(demo_id, **params).values
