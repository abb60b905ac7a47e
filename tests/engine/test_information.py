"""engine.information: entropy and divergences of discrete distributions, 0·log 0 = 0."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import functions, information


def _by_loops_entropy(p, base=math.e):
    return -sum(x * math.log(x, base) for x in p if x > 0)


def _by_loops_kl(p, q, base=math.e):
    total = 0.0
    for a, b in zip(p, q, strict=True):
        if a > 0:
            if b == 0:
                return math.inf
            total += a * math.log(a / b, base)
    return total


def _normalised(values):
    total = sum(values)
    return [v / total for v in values]


@st.composite
def distribution_pairs(draw):
    """Two distributions over the same K outcomes (zeros included)."""
    k = draw(st.integers(2, 6))
    weights = st.lists(st.sampled_from([0.0, 0.1, 0.5, 1.0, 2.0, 7.0]), min_size=k, max_size=k)
    p = draw(weights.filter(lambda v: sum(v) > 0))
    q = draw(weights.filter(lambda v: sum(v) > 0))
    return _normalised(p), _normalised(q)


def test_entropy_in_bits_and_nats():
    assert information.entropy([0.5, 0.5], base=2) == pytest.approx(1.0)
    assert information.entropy([0.5, 0.25, 0.125, 0.125], base=2) == pytest.approx(1.75)
    assert information.entropy([0.5, 0.5]) == pytest.approx(math.log(2))
    assert information.entropy([0.25] * 4, base=2) == pytest.approx(2.0)


def test_zero_probabilities_contribute_nothing_and_a_certain_event_has_zero_entropy():
    assert information.entropy([1.0, 0.0, 0.0]) == 0.0
    assert math.copysign(1, information.entropy([1.0, 0.0])) == 1  # not −0.0
    assert information.entropy([0.5, 0.5, 0.0], base=2) == pytest.approx(1.0)


def test_self_information():
    np.testing.assert_allclose(information.self_information([0.5, 0.125], base=2), [1, 3])
    assert information.self_information(0.0) == math.inf


@settings(max_examples=60, deadline=None)
@given(distribution_pairs())
def test_measures_match_loops_and_satisfy_their_identities(pair):
    p, q = pair
    h = information.entropy(p)
    assert h == pytest.approx(_by_loops_entropy(p), abs=1e-12)
    assert 0 <= h <= math.log(len(p)) + 1e-12
    kl = information.kl_divergence(p, q)
    expected = _by_loops_kl(p, q)
    if math.isinf(expected):
        assert math.isinf(kl)
        assert math.isinf(information.cross_entropy(p, q))
    else:
        assert kl == pytest.approx(expected, abs=1e-9)
        assert kl >= 0
        assert information.cross_entropy(p, q) == pytest.approx(h + kl, abs=1e-9)
    js = information.js_divergence(p, q)
    assert js == pytest.approx(information.js_divergence(q, p), abs=1e-12)
    assert -1e-15 <= js <= math.log(2) + 1e-12


def test_kl_is_asymmetric_and_zero_only_for_equal_distributions():
    p, q = [0.5, 0.5], [0.9, 0.1]
    assert information.kl_divergence(p, q) == pytest.approx(
        0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(5)
    )
    assert information.kl_divergence(q, p) == pytest.approx(
        0.9 * math.log(1.8) + 0.1 * math.log(0.2)
    )
    assert information.kl_divergence(p, p) == 0.0


def test_disjoint_supports_make_kl_infinite_and_js_log2():
    assert information.kl_divergence([1, 0], [0, 1]) == math.inf
    assert information.js_divergence([1, 0], [0, 1], base=2) == pytest.approx(1.0)


def test_joint_conditional_and_mutual_information():
    pxy = np.array([[0.25, 0.25], [0.0, 0.5]])
    assert information.joint_entropy(pxy, 2) == pytest.approx(1.5)
    assert information.conditional_entropy(pxy, 2) == pytest.approx(0.5)
    h_y = _by_loops_entropy([0.25, 0.75], 2)
    assert information.mutual_information(pxy, 2) == pytest.approx(1 + h_y - 1.5)
    independent = np.outer([0.3, 0.7], [0.6, 0.4])
    assert information.mutual_information(independent) == pytest.approx(0.0, abs=1e-12)


def test_binary_cross_entropy_is_the_mean_bernoulli_negative_log_likelihood():
    y, t = np.array([0.9, 0.2, 0.6]), np.array([1, 0, 1])
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.6)) / 3
    assert functions.binary_cross_entropy(y, t) == pytest.approx(expected)
    assert math.isfinite(functions.binary_cross_entropy([0.0], [1]))


@pytest.mark.parametrize(
    ("p", "fragment"),
    [([0.5, 0.6], "sum to 1"), ([-0.1, 1.1], "probabilities"), ([], "empty")],
)
def test_invalid_distributions_are_rejected(p, fragment):
    with pytest.raises(ValueError, match=fragment):
        information.entropy(p)


def test_shapes_must_match():
    with pytest.raises(ValueError, match="same shape"):
        information.kl_divergence([0.5, 0.5], [1 / 3] * 3)
