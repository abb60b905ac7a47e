"""Weight initialisation: the stds of Xavier and He from the fan-in, seeding and dtypes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import init


def test_fan_in_of_affine_and_convolution_weights():
    assert init.fan_in((100, 50)) == 100
    assert init.fan_in((30, 3, 5, 5)) == 75
    with pytest.raises(ValueError):
        init.fan_in((3,))


def test_xavier_and_he_stds():
    assert init.xavier_std(100) == pytest.approx(0.1)
    assert init.he_std(100) == pytest.approx(math.sqrt(0.02))


@pytest.mark.parametrize(
    ("initialiser", "shape", "expected_std"),
    [
        (init.xavier, (400, 300), 1 / math.sqrt(400)),
        (init.he, (400, 300), math.sqrt(2 / 400)),
        (init.he, (64, 16, 3, 3), math.sqrt(2 / (16 * 9))),
        (init.xavier, (64, 16, 3, 3), 1 / math.sqrt(16 * 9)),
    ],
)
def test_samples_have_the_intended_standard_deviation(initialiser, shape, expected_std):
    W = initialiser(shape, np.random.default_rng(0))
    assert W.shape == shape
    assert W.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(W.mean()) < 0.02 * expected_std * 5


def test_normal_uses_the_given_std_and_zero_gives_zeros():
    W = init.normal((500, 200), 0.01, np.random.default_rng(1))
    assert W.std() == pytest.approx(0.01, rel=0.02)
    assert not np.any(init.normal((3, 3), 0.0, np.random.default_rng(1)))


def test_same_generator_state_same_weights_and_dtype_is_kept():
    a = init.he((5, 4), np.random.default_rng(7), dtype=np.float32)
    b = init.he((5, 4), np.random.default_rng(7), dtype=np.float32)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32
    rng = np.random.default_rng(7)
    assert not np.array_equal(init.he((5, 4), rng), init.he((5, 4), rng))
    np.testing.assert_array_equal(
        init.xavier((2, 2), 3), init.xavier((2, 2), 3)
    )  # a seed works too


def test_initial_weight_dispatches_by_name_or_std():
    rng_a, rng_b = np.random.default_rng(0), np.random.default_rng(0)
    np.testing.assert_array_equal(init.initial_weight((4, 3), "he", rng_a), init.he((4, 3), rng_b))
    np.testing.assert_array_equal(
        init.initial_weight((4, 3), 0.5, rng_a), init.normal((4, 3), 0.5, rng_b)
    )
    with pytest.raises(ValueError, match="weight_init"):
        init.initial_weight((4, 3), "glorot")
