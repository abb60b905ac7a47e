"""Claims: the grammar (every operator and spelling) and the evaluator's verdicts and messages."""

from __future__ import annotations

import math

import pytest

from content.claims import ClaimSyntaxError, evaluate_claim, parse_claim
from content.model import CLAIM_OPERATORS, Claim

# --- grammar ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "target", "index", "op", "expected", "tolerance", "relative"),
    [
        ("out_h == 7", "out_h", (), "==", 7, None, False),
        ("out_h != 6", "out_h", (), "!=", 6, None, False),
        ("max_value ≈ 0.25 ± 1e-9", "max_value", (), "≈", 0.25, 1e-9, False),
        ("max_value ~= 0.25 +- 1e-9", "max_value", (), "≈", 0.25, 1e-9, False),
        ("ratio ≈ 8.4 ± 1%", "ratio", (), "≈", 8.4, 0.01, True),
        ("grad_norms[-1] < 1e-3", "grad_norms", (-1,), "<", 0.001, None, False),
        ("layer_std[0] > 0.5", "layer_std", (0,), ">", 0.5, None, False),
        ("weights[0][1] <= 2", "weights", (0, 1), "<=", 2, None, False),
        ("weights[0] [1] ≤ 2", "weights", (0, 1), "<=", 2, None, False),
        ("loss >= 0", "loss", (), ">=", 0, None, False),
        ("loss ≥ 0", "loss", (), ">=", 0, None, False),
        ('init in ["he", "xavier"]', "init", (), "in", ["he", "xavier"], None, False),
        ("steps in[1, 2]", "steps", (), "in", [1, 2], None, False),
        ("naive_has_nan == true", "naive_has_nan", (), "==", True, None, False),
        ('label == "7x7"', "label", (), "==", "7x7", None, False),
        ("stable ≈ [0.5, 0.5] ± 1e-9", "stable", (), "≈", [0.5, 0.5], 1e-9, False),
        ("out_h==7", "out_h", (), "==", 7, None, False),
        ("big < Infinity", "big", (), "<", math.inf, None, False),
    ],
)
def test_claims_parse_into_canonical_parts(text, target, index, op, expected, tolerance, relative):
    claim = parse_claim(text, line=12)
    assert claim == Claim(
        text=text,
        target=target,
        index=index,
        op=op,
        expected=expected,
        tolerance=tolerance,
        line=12,
        relative=relative,
    )
    assert claim.op in CLAIM_OPERATORS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("out_h = 7", "claim 'out_h = 7' is not '<value> <op> <JSON value>'"),
        ("== 7", "claim '== 7' is not '<value> <op> <JSON value>'"),
        ("values[x] == 1", "is not '<value> <op> <JSON value>'"),
        ("xin [1, 2]", "is not '<value> <op> <JSON value>'"),
        ("init == he", "expected a JSON value after '==', got 'he' (strings need double quotes"),
        ("out_h ==", "expected a JSON value after '==', got ''"),
        ("x ≈ 0.25", "≈ needs a tolerance, e.g. 'max_value ≈ 0.25 ± 1e-9'"),
        ('x ≈ "a" ± 1', "≈ compares numbers or lists of numbers"),
        ("x ≈ true ± 1", "≈ compares numbers or lists of numbers"),
        ("x == 7 ± 1", "only ≈ takes a tolerance; use ≈ or drop the '± …'"),
        ("x < true", "< compares with a number"),
        ('x >= "3"', ">= compares with a number"),
        ("x in 3", "'in' needs a JSON list on its right, e.g. [1, 2]"),
        ("x == 7 and more", "unexpected 'and more' after the value"),
        ("x ≈ 1 ± lots", "unexpected '± lots' after the value"),
        ("x == NaN", "NaN never equals anything; claim a flag such as has_nan == true"),
    ],
)
def test_malformed_claims_say_what_is_wrong(text, message):
    with pytest.raises(ClaimSyntaxError) as error:
        parse_claim(text)
    assert message in str(error.value)


# --- evaluation ---------------------------------------------------------------------------

VALUES = {
    "out_h": 7,
    "ratio": 8.45,
    "max_value": 0.2500000001,
    "layer_std": [0.8, 0.4, 0.1],
    "weights": [[1.0, 2.0], [3.0, 4.0]],
    "naive": [math.nan, math.nan],
    "naive_has_nan": True,
    "init": "he",
    "stable": [0.3775406688, 0.6224593312],
    "nothing": None,
}


def check(text: str):
    return evaluate_claim(parse_claim(text), VALUES)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("out_h == 7", "out_h is 7, as claimed (== 7)"),
        ("out_h == 7.0", "out_h is 7, as claimed (== 7.0)"),
        ("out_h != 6", "out_h is 7, as claimed (!= 6)"),
        ("max_value ≈ 0.25 ± 1e-9", "max_value is 0.2500000001, as claimed (≈ 0.25 ± 1e-09)"),
        ("ratio ≈ 8.4 ± 1%", "ratio is 8.45, as claimed (≈ 8.4 ± 1%)"),
        ("layer_std[0] > 0.5", "layer_std[0] is 0.8, as claimed (> 0.5)"),
        ("layer_std[-1] < 0.2", "layer_std[-1] is 0.1, as claimed (< 0.2)"),
        ("weights[1][0] >= 3", "weights[1][0] is 3.0, as claimed (>= 3)"),
        ('init in ["he", "xavier"]', 'init is "he", as claimed (in ["he", "xavier"])'),
        ("naive_has_nan == true", "naive_has_nan is true, as claimed (== true)"),
        ("stable ≈ [0.3775, 0.6225] ± 1e-4", "stable is [0.3775406688, 0.6224593312], as claimed"),
        ("weights == [[1, 2], [3, 4]]", "weights is [[1.0, 2.0], [3.0, 4.0]], as claimed"),
        ("nothing == null", "nothing is null, as claimed (== null)"),
    ],
)
def test_claims_that_hold_pass_with_a_message(text, message):
    outcome = check(text)
    assert outcome.passed, outcome.message
    assert outcome.message.startswith(message)


@pytest.mark.parametrize(
    ("text", "actual", "message"),
    [
        ("out_h == 6", 7, "out_h is 7, expected == 6"),
        ("out_h != 7", 7, "out_h is 7, expected != 7"),
        ("out_h < 7", 7, "out_h is 7, expected < 7"),
        ("max_value ≈ 0.25 ± 1e-12", 0.2500000001, "max_value is 0.2500000001, expected ≈ 0.25 ± 1e-12"),
        ("ratio ≈ 8.4 ± 0.1%", 8.45, "ratio is 8.45, expected ≈ 8.4 ± 0.1%"),
        ("stable ≈ [0.3775, 0.7] ± 1e-4", [0.3775406688, 0.6224593312],
         "stable[1] is 0.6224593312, expected ≈ 0.7 ± 0.0001"),
        ("stable ≈ [0.5] ± 1", [0.3775406688, 0.6224593312], "stable has 2 items, expected 1"),
        ('init in ["zero", "normal"]', "he", 'init is "he", expected in ["zero", "normal"]'),
        ("naive[0] < 1", math.nan, "naive[0] is NaN, expected < 1"),
        ("naive[0] ≈ 0 ± 1", math.nan, "naive[0] is NaN, expected ≈ 0 ± 1"),
    ],
)  # fmt: skip
def test_claims_that_break_fail_with_the_actual_value(text, actual, message):
    outcome = check(text)
    assert not outcome.passed
    assert outcome.message == message
    if isinstance(actual, float) and math.isnan(actual):
        assert math.isnan(outcome.actual)
    else:
        assert outcome.actual == actual


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("out_hh == 7", "the demo returns no value 'out_hh' (it returns: init, layer_std, max_value, "
         "naive, naive_has_nan, nothing, out_h, ratio, stable, weights)"),
        ("layer_std[3] > 0", "layer_std has 3 items, so index [3] is out of range"),
        ("layer_std[-4] > 0", "layer_std has 3 items, so index [-4] is out of range"),
        ("out_h[0] == 7", "out_h is 7, not a list, so [0] cannot be taken"),
        ("weights[0][1][0] == 2", "weights[0][1] is 2.0, not a list, so [0] cannot be taken"),
        ('out_h == "7"', 'out_h is 7 (a number), but the claim compares it with a string ("7")'),
        ("naive_has_nan == 1", "naive_has_nan is true (a boolean), but the claim compares it with a number (1)"),
        ("naive_has_nan < 2", "naive_has_nan is true (a boolean), but the claim compares it with a number (2)"),
        ("init ≈ 1 ± 1", 'init is "he" (a string), but the claim compares it with a number (1)'),
        ("out_h ≈ [7] ± 1", "out_h is 7 (a number), but the claim compares it with a list ([7])"),
    ],
)  # fmt: skip
def test_unknown_names_bad_indexes_and_type_mismatches_fail_clearly(text, message):
    outcome = check(text)
    assert not outcome.passed
    assert outcome.message == message


def test_in_does_not_confuse_true_with_one():
    assert not evaluate_claim(parse_claim("flag in [1, 2]"), {"flag": True}).passed
    assert evaluate_claim(parse_claim("flag in [1, true]"), {"flag": True}).passed


def test_a_relative_tolerance_scales_with_the_expected_value():
    claim = parse_claim("n ≈ 1000 ± 1%")
    assert evaluate_claim(claim, {"n": 1009.9}).passed
    assert not evaluate_claim(claim, {"n": 1010.1}).passed


def test_infinities_compare_equal_under_approximation():
    assert evaluate_claim(parse_claim("x ≈ Infinity ± 1"), {"x": math.inf}).passed


def test_integers_too_large_for_a_float_do_not_raise():
    huge = "1" + "0" * 400
    outcome = evaluate_claim(parse_claim(f"x ≈ {huge} ± 1"), {"x": 1.0})
    assert not outcome.passed
    assert outcome.message.startswith("x is 1.0, expected ≈ 1000")


def test_long_values_are_shortened_in_messages():
    outcome = evaluate_claim(parse_claim("xs == []"), {"xs": list(range(100))})
    assert not outcome.passed
    assert len(outcome.message) < 120
    assert "…" in outcome.message


def test_values_that_cannot_be_checked_become_a_failed_outcome():
    class Unprintable:
        def __repr__(self):
            raise RuntimeError("no repr")

    outcome = evaluate_claim(parse_claim("x == 1"), {"x": Unprintable()})
    assert not outcome.passed
    assert outcome.message.startswith("x == 1: could not be checked")


def test_values_of_other_types_are_a_type_mismatch():
    outcome = evaluate_claim(parse_claim("x < 1"), {"x": complex(1, 1)})
    assert not outcome.passed
    assert "(a complex)" in outcome.message
