"""engine.metrics against counts done by hand and by plain loops."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import metrics


def test_confusion_matrix_rows_are_true_classes_and_columns_predictions():
    y_true = [0, 0, 1, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 2, 0]
    np.testing.assert_array_equal(
        metrics.confusion_matrix(y_true, y_pred), [[1, 1, 0], [0, 2, 1], [1, 0, 0]]
    )
    np.testing.assert_array_equal(metrics.confusion_matrix([1], [1], n_classes=3).shape, (3, 3))


def test_binary_metrics_from_counts():
    # TP = 40, FP = 10, FN = 20, TN = 30
    y_true = np.repeat([1, 0, 1, 0], [40, 10, 20, 30])
    y_pred = np.repeat([1, 1, 0, 0], [40, 10, 20, 30])
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(0.7)
    assert metrics.precision(y_true, y_pred) == pytest.approx(0.8)
    assert metrics.recall(y_true, y_pred) == pytest.approx(2 / 3)
    assert metrics.f1_score(y_true, y_pred) == pytest.approx(2 * 0.8 * (2 / 3) / (0.8 + 2 / 3))


def test_undefined_ratios_are_zero():
    assert metrics.precision([1, 1], [0, 0]) == 0.0
    assert metrics.f1_score([0, 0], [0, 0]) == 0.0


def _per_class_by_loops(y_true, y_pred, k):
    rows = []
    for c in range(k):
        tp = sum(t == c and p == c for t, p in zip(y_true, y_pred, strict=True))
        fp = sum(t != c and p == c for t, p in zip(y_true, y_pred, strict=True))
        fn = sum(t == c and p != c for t, p in zip(y_true, y_pred, strict=True))
        rows.append((tp, fp, fn))
    return rows


def _ratio(a, b):
    return a / b if b else 0.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=40))
def test_micro_and_macro_averages_match_loops(pairs):
    y_true = [t for t, _ in pairs]
    y_pred = [p for _, p in pairs]
    rows = _per_class_by_loops(y_true, y_pred, 4)
    macro_p = np.mean([_ratio(tp, tp + fp) for tp, fp, _ in rows])
    macro_r = np.mean([_ratio(tp, tp + fn) for tp, _, fn in rows])
    macro_f = np.mean([_ratio(2 * tp, 2 * tp + fp + fn) for tp, fp, fn in rows])
    assert metrics.precision(y_true, y_pred, "macro", n_classes=4) == pytest.approx(macro_p)
    assert metrics.recall(y_true, y_pred, "macro", n_classes=4) == pytest.approx(macro_r)
    assert metrics.f1_score(y_true, y_pred, "macro", n_classes=4) == pytest.approx(macro_f)
    accuracy = np.mean(np.array(y_true) == np.array(y_pred))
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(accuracy)
    for fn in (metrics.precision, metrics.recall, metrics.f1_score):
        assert fn(y_true, y_pred, "micro", n_classes=4) == pytest.approx(accuracy)


def test_unknown_average_is_rejected():
    with pytest.raises(ValueError, match="average"):
        metrics.precision([0, 1], [0, 1], average="weighted")


def _auc_by_pairs(y, s):
    pos = [b for a, b in zip(y, s, strict=True) if a == 1]
    neg = [b for a, b in zip(y, s, strict=True) if a == 0]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def test_roc_curve_points_and_auc():
    y = [1, 1, 0, 1, 0, 0]
    s = [0.9, 0.8, 0.7, 0.6, 0.55, 0.4]
    fpr, tpr, thresholds = metrics.roc_curve(y, s)
    np.testing.assert_allclose(fpr, [0, 0, 0, 1 / 3, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(tpr, [0, 1 / 3, 2 / 3, 2 / 3, 1, 1, 1])
    assert thresholds[0] == math.inf
    assert metrics.roc_auc(y, s) == pytest.approx(8 / 9)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.sampled_from([0.1, 0.2, 0.5, 0.7, 0.9])),
        min_size=2,
        max_size=30,
    ).filter(lambda v: 0 < sum(a for a, _ in v) < len(v))
)
def test_auc_equals_the_probability_of_a_correct_ranking_ties_half(pairs):
    y = [a for a, _ in pairs]
    s = [b for _, b in pairs]
    assert metrics.roc_auc(y, s) == pytest.approx(_auc_by_pairs(y, s))


def test_roc_curve_needs_both_classes():
    with pytest.raises(ValueError, match="positive and one negative"):
        metrics.roc_curve([1, 1], [0.2, 0.3])


def test_regression_metrics_and_perplexity():
    y, t = np.array([2.0, 5.0, 4.0, 4.0]), np.array([3.0, 5.0, 2.0, 7.0])
    assert metrics.mean_squared_error(y, t) == pytest.approx(3.5)
    assert metrics.root_mean_squared_error(y, t) == pytest.approx(math.sqrt(3.5))
    assert metrics.mean_absolute_error(y, t) == pytest.approx(1.5)
    uniform = np.full((3, 8), 1 / 8)
    assert metrics.perplexity(uniform, [0, 3, 7]) == pytest.approx(8)
    probs = np.array([[0.5, 0.5], [0.25, 0.75]])
    assert metrics.perplexity(probs, [0, 0]) == pytest.approx((0.5 * 0.25) ** -0.5)
