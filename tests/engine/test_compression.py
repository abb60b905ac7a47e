"""engine.compression: quantisation, pruning masks and the distillation loss."""

from __future__ import annotations

import numpy as np
import pytest

from engine import compression
from engine.functions import numerical_gradient


def test_integer_ranges():
    assert compression.integer_range(8, signed=True) == (-128, 127)
    assert compression.integer_range(8, signed=False) == (0, 255)
    assert compression.integer_range(4, signed=True) == (-8, 7)
    with pytest.raises(ValueError):
        compression.integer_range(1)


def test_affine_qparams_of_minus_one_to_two_in_uint8():
    qp = compression.affine_qparams(-1.0, 2.0, bits=8, signed=False)
    assert qp.scale == pytest.approx(3 / 255, rel=1e-15)
    assert qp.zero_point == 85  # −round(−1 / (3/255)) = 85
    signed = compression.affine_qparams(-1.0, 2.0, bits=8, signed=True)
    assert signed.zero_point == -128 + 85


def test_affine_range_is_widened_to_contain_zero():
    qp = compression.affine_qparams(0.5, 2.0, bits=8, signed=False)
    assert qp.zero_point == 0 and qp.scale == pytest.approx(2.0 / 255)
    assert compression.dequantize(compression.quantize(0.0, qp), qp) == 0.0


def test_quantize_round_trip_error_is_at_most_half_a_step_inside_the_range():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.0, 2.0, 1000)
    qp = compression.affine_qparams(-1.0, 2.0, bits=8, signed=False)
    q = compression.quantize(x, qp)
    assert q.dtype == np.uint8
    error = np.abs(compression.dequantize(q, qp) - x)
    assert error.max() <= qp.scale / 2 + 1e-12


def test_quantize_clips_values_outside_the_range():
    qp = compression.affine_qparams(-1.0, 2.0, bits=8, signed=False)
    q = compression.quantize([-5.0, 5.0], qp)
    np.testing.assert_array_equal(q, [0, 255])


def test_symmetric_qparams_and_fake_quantize():
    qp = compression.symmetric_qparams(2.54, bits=8)
    assert (qp.zero_point, qp.q_min, qp.q_max) == (0, -127, 127)
    assert qp.scale == pytest.approx(0.02)
    restored, _ = compression.fake_quantize(np.array([-2.54, 0.011, 1.0]), 8, "symmetric")
    np.testing.assert_allclose(restored, [-2.54, 0.02, 1.0], atol=1e-12)
    with pytest.raises(ValueError):
        compression.fake_quantize([1.0], 8, "log")


def test_magnitude_prune_mask_removes_the_smallest_weights():
    W = np.array([[0.5, -0.1, 2.0], [-3.0, 0.05, 0.2]])
    mask = compression.magnitude_prune_mask(W, 0.5)
    np.testing.assert_array_equal(mask, [[1, 0, 1], [1, 0, 0]])
    assert compression.magnitude_prune_mask(W, 0.0).all()
    assert not compression.magnitude_prune_mask(W, 1.0).any()
    with pytest.raises(ValueError):
        compression.magnitude_prune_mask(W, 1.5)


def test_structured_prune_mask_removes_whole_columns_of_smallest_norm():
    W = np.array([[1.0, 0.1, -2.0, 0.0], [1.0, 0.1, 0.0, 0.3]])
    mask = compression.structured_prune_mask(W, 0.5, axis=1)
    np.testing.assert_array_equal(mask, [[1, 0, 1, 0], [1, 0, 1, 0]])


def test_softmax_with_temperature():
    z = np.array([4.0, 2.0, 0.0])
    expected = np.exp(z / 2) / np.exp(z / 2).sum()
    np.testing.assert_allclose(compression.softmax_with_temperature(z, 2.0), expected, rtol=1e-14)
    np.testing.assert_allclose(
        compression.softmax_with_temperature(z, 1e6), np.full(3, 1 / 3), atol=1e-5
    )
    with pytest.raises(ValueError):
        compression.softmax_with_temperature(z, 0.0)


def _reference_loss(z, v, label, T, alpha):
    pt = np.exp(v / T) / np.exp(v / T).sum()
    ps_T = np.exp(z / T) / np.exp(z / T).sum()
    ps = np.exp(z) / np.exp(z).sum()
    return alpha * T**2 * -(pt * np.log(ps_T)).sum() + (1 - alpha) * -np.log(ps[label])


def test_distillation_loss_matches_the_formula_and_its_gradient():
    z = np.array([2.0, 1.0, 0.5])
    v = np.array([4.0, 1.0, -1.0])
    result = compression.distillation_loss(z, v, [0], T=4.0, alpha=0.3)
    assert result.total == pytest.approx(_reference_loss(z, v, 0, 4.0, 0.3), rel=1e-12)
    numeric = numerical_gradient(lambda zz: _reference_loss(zz, v, 0, 4.0, 0.3), z.copy())
    np.testing.assert_allclose(result.grad[0], numeric, atol=1e-8)


def test_t_squared_keeps_the_soft_gradient_from_vanishing():
    z, v = np.array([2.0, 1.0, 0.5]), np.array([4.0, 1.0, -1.0])
    norms = [
        np.linalg.norm(compression.distillation_loss(z, v, [0], T, 1.0).grad) for T in (4, 16, 64)
    ]
    assert max(norms) / min(norms) < 1.2  # with T² the size stays about the same
    assert norms[-1] / 64**2 < 1e-3  # without it, it would shrink like 1/T²
