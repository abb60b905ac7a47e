"""Demos of engine/demos/compression.py against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.demos import ParameterError, run_demo


def values(demo_id: str, **params):
    return run_demo(demo_id, **params).values


def test_quantize_affine_uint8():
    x = [-1.0, -0.3, 0.0, 0.5, 1.2, 2.0]
    result = values("compress-quantize", x=x, scheme="affine", bits=8, signed=False)
    scale = 3 / 255
    zero_point = 85
    q = np.clip(np.round(np.array(x) / scale) + zero_point, 0, 255)
    assert result["scale"] == pytest.approx(scale)
    assert result["zero_point"] == zero_point
    assert result["q"] == q.astype(int).tolist()
    np.testing.assert_allclose(result["dequantized"], scale * (q - zero_point))
    assert result["max_in_range_error"] <= scale / 2 + 1e-12
    assert result["compression_ratio"] == 4


def test_quantize_symmetric_and_clipping_with_a_given_range():
    result = values(
        "compress-quantize", x=[-2.0, 0.5, 3.0], scheme="symmetric", bits=4, x_min=-1.0, x_max=1.0
    )
    assert result["zero_point"] == 0 and result["scale"] == pytest.approx(1 / 7)
    assert result["q"] == [-7, round(0.5 * 7), 7]
    assert result["clipped"] == 2
    with pytest.raises(ParameterError, match="x_min"):
        values("compress-quantize", x_min=2.0, x_max=1.0)


def test_quantize_mlp_sizes_and_accuracy():
    result = values("compress-quantize-mlp", bits=4)
    n = 64 * 64 + 64 + 64 * 10 + 10
    assert result["param_count"] == n
    assert result["float_bytes"] == 4 * n and result["quantized_bytes"] == n / 2
    assert result["accuracy_by_bits"][-1] >= result["float_accuracy"] - 0.01
    assert result["accuracy_by_bits"][0] < result["accuracy_by_bits"][-1]


def test_prune_counts_zeros_independently():
    result = values("compress-prune", sparsity=0.3, method="unstructured")
    pruned = round(0.3 * 64 * 64) + round(0.3 * 64 * 10)
    assert result["total_weights"] == 64 * 64 + 64 * 10
    assert result["nonzero_weights"] == result["total_weights"] - pruned
    structured = values("compress-prune", sparsity=0.25, method="structured")
    assert structured["kept_units"] == 64 - 16
    assert structured["unstructured_curve"][0] == structured["dense_accuracy"]


def test_prune_finetune_recovers_accuracy():
    result = values("compress-prune", sparsity=0.5, finetune_epochs=2)
    assert result["finetuned_accuracy"] > result["pruned_accuracy"]


def test_distill_temperature_is_the_softmax_of_z_over_t():
    z = np.array([6.0, 3.0, 1.0, 0.0])
    result = values("compress-distill-temperature", logits=z.tolist(), T=4.0)
    p = np.exp(z / 4) / np.exp(z / 4).sum()
    np.testing.assert_allclose(result["probs"], p, rtol=1e-12)
    assert result["entropy"] == pytest.approx(-(p * np.log(p)).sum())
    assert result["max_entropy"] == pytest.approx(math.log(4))


def test_distill_loss_parts():
    s, t, T = np.array([2.0, 1.0, 0.5]), np.array([4.0, 1.0, -1.0]), 4.0
    result = values(
        "compress-distill-loss", student=s.tolist(), teacher=t.tolist(), label=0, T=T, alpha=0.5
    )
    pt, ps_T = np.exp(t / T) / np.exp(t / T).sum(), np.exp(s / T) / np.exp(s / T).sum()
    soft = T**2 * -(pt * np.log(ps_T)).sum()
    hard = -np.log(np.exp(s[0]) / np.exp(s).sum())
    assert result["soft_loss"] == pytest.approx(soft)
    assert result["hard_loss"] == pytest.approx(hard)
    assert result["total_loss"] == pytest.approx(0.5 * soft + 0.5 * hard)
    assert result["soft_grad_norm_with_T2"] == pytest.approx(np.linalg.norm(T * (ps_T - pt)))
    with pytest.raises(ParameterError, match="same number"):
        values("compress-distill-loss", student=[1.0, 2.0], teacher=[1.0, 2.0, 3.0])
    with pytest.raises(ParameterError, match="label"):
        values("compress-distill-loss", label=5)


@pytest.mark.parametrize(("alpha", "rho"), [(0.5, 1.0), (0.75, 0.5), (1.0, 1.0)])
def test_mobilenet_multipliers(alpha, rho):
    H, C, M, K = 112, 64, 128, 3
    result = values("compress-mobilenet-multipliers", H=H, C=C, M=M, K=K, alpha=alpha, rho=rho)

    def cost(h, c, m):
        return h * h * c * K * K + h * h * c * m

    h, c, m = round(rho * H), round(alpha * C), round(alpha * M)
    assert result["scaled_mults"] == cost(h, c, m)
    assert result["ratio"] == pytest.approx(cost(h, c, m) / cost(H, C, M))


def test_densenet_channels_grow_by_k():
    result = values("compress-densenet-block", k0=24, growth=32, layers=4, theta=0.5, size=8)
    assert result["channels"] == [24 + 32 * i for i in range(5)]
    assert result["transition_channels"] == (24 + 4 * 32) // 2
    assert result["transition_hw"] == [4, 4]
    bottleneck = values("compress-densenet-block", k0=16, growth=12, layers=2, bottleneck=True)
    assert bottleneck["block_out_channels"] == 40
    assert bottleneck["block_weights"] == (16 * 48 + 48 * 12 * 9) + (28 * 48 + 48 * 12 * 9)


def test_fire_module_weights():
    result = values("compress-fire-module", C=96, squeeze=16, expand1=64, expand3=64)
    assert result["fire_weights"] == 96 * 16 + 16 * 64 + 16 * 9 * 64
    assert result["conv3x3_weights"] == 96 * 9 * 128
    assert result["out_channels"] == 128


@pytest.mark.parametrize(
    ("demo_id", "params"),
    [
        ("compress-quantize", {"x": [0.1, -0.7, 3.0], "bits": 6}),
        ("compress-prune", {"sparsity": 0.7, "method": "structured"}),
        ("compress-distill-loss", {"T": 2.0}),
    ],
)
def test_demos_are_deterministic(demo_id, params):
    assert values(demo_id, **params) == values(demo_id, **params)
