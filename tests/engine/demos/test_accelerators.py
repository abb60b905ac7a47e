"""Demos of engine/demos/accelerators.py against independent computations."""

from __future__ import annotations

import numpy as np
import pytest

from engine.demos import ParameterError, run_demo


def values(demo_id: str, **params):
    return run_demo(demo_id, **params).values


@pytest.mark.parametrize(
    ("intensity", "expected", "bound"), [(10, 10, "memory"), (500, 100, "compute")]
)
def test_roofline(intensity, expected, bound):
    result = values("accel-roofline", peak_tflops=100, bandwidth_gbs=1000, intensity=intensity)
    assert result["attainable_tflops"] == pytest.approx(expected)
    assert result["bound"] == bound and result["ridge_point"] == pytest.approx(100)


def test_batch_intensity():
    result = values("accel-batch-intensity", d_in=256, d_out=128, batches=[1, 32], dtype="float16")
    for b, flops, moved in zip([1, 32], result["flops"], result["bytes"], strict=True):
        assert flops == 2 * b * 256 * 128
        assert moved == (b * 256 + 256 * 128 + b * 128) * 2
    assert result["intensity"][1] > result["intensity"][0]
    with pytest.raises(ParameterError, match="whole numbers"):
        values("accel-batch-intensity", batches=[1.5])


def test_systolic_array_computes_the_product():
    rng = np.random.default_rng(0)
    A, B = rng.integers(-3, 4, (3, 4)).astype(float), rng.integers(-3, 4, (4, 5)).astype(float)
    result = values("accel-systolic-array", A=A.tolist(), B=B.tolist())
    np.testing.assert_array_equal(result["C"], A @ B)
    assert result["cycles"] == 3 + 5 + 4 - 2
    assert sum(result["busy_per_cycle"]) == 3 * 4 * 5  # one multiply-add per product
    with pytest.raises(ParameterError, match="columns of A"):
        values("accel-systolic-array", A=[[1.0, 2.0]], B=[[1.0]])


def _bfloat16_reference(v: float) -> float:
    """Nearest float with 8 significant bits (ties to even), by arithmetic on the exponent."""
    if v == 0:
        return 0.0
    exponent = np.floor(np.log2(abs(v)))
    step = 2.0 ** (exponent - 7)
    return float(np.round(v / step) * step)  # np.round rounds halves to even


def test_bfloat16_and_float16():
    x = [1.0, 1.00390625, 3.14159265, 70000.0, -123.456, 1e-3]
    result = values("accel-bfloat16", x=x)
    np.testing.assert_allclose(
        result["bfloat16"], [_bfloat16_reference(float(np.float32(v))) for v in x]
    )
    assert result["float16_overflow"] == [False, False, False, True, False, False]
    assert result["float16"][1] == 1.00390625 and result["bfloat16"][3] == 70144


@pytest.mark.parametrize(
    ("pattern", "cycles", "divergent"),
    [("alternating", 640, 32), ("blocked", 320, 0), ("uniform", 320, 0)],
)
def test_simt_divergence(pattern, cycles, divergent):
    result = values("accel-simt-divergence", n=1024, pattern=pattern, if_cycles=10, else_cycles=10)
    assert (result["total_cycles"], result["divergent_warps"], result["warps"]) == (
        cycles,
        divergent,
        32,
    )
    uneven = values("accel-simt-divergence", n=100, pattern="blocked", if_cycles=3, else_cycles=5)
    # 4 warps; elements 0–49 take if: warps 0 (if), 1 (split at 50), 2, 3 (else; warp 3 is partial)
    assert uneven["total_cycles"] == 3 + (3 + 5) + 5 + 5
    assert values("accel-simt-divergence") == values("accel-simt-divergence")
