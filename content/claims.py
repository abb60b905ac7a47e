"""Claims on a demo's values: their grammar, and the evaluator that checks them.

A claim is how the bank proves an answer: the question's demo recomputes the result, and
each claim must hold for the values it returns. The grammar::

    claim     := name index* op literal [tolerance]
    name      := [A-Za-z_][A-Za-z0-9_]*           a value of the demo's result
    index     := "[" integer "]"                 negative counts from the end
    op        := == | != | ≈ | ~= | < | > | <= | ≤ | >= | ≥ | in
    literal   := a JSON value (numbers, "strings", true, false, null, [lists])
    tolerance := ("±" | "+-") number ["%"]     required by ≈ and allowed only there

Examples: ``out_h == 7``, ``max_value ≈ 0.25 ± 1e-9``, ``grad_norms[-1] < 1e-3``,
``init in ["he", "xavier"]``, ``ratio ≈ 8.4 ± 1%`` (a relative tolerance).
"""

from __future__ import annotations

import json
import math
import numbers
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from content.model import CLAIM_OPERATORS, Claim

_CLAIM = re.compile(
    r"\s*(?P<target>[A-Za-z_][A-Za-z0-9_]*)"
    r"(?P<index>(?:\s*\[\s*-?\d+\s*\])*)\s*"
    r"(?P<op>==|!=|≈|~=|<=|≤|>=|≥|<|>|(?<![A-Za-z0-9_])in(?=[\s\[]))"
    r"(?P<rest>.*)",
    re.DOTALL,
)
_TOLERANCE = re.compile(
    r"(?:±|\+-|\+/-)\s*(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<percent>%?)"
)
# Alternative spellings, so authors can type the claim on any keyboard.
_CANONICAL_OP = {"~=": "≈", "≤": "<=", "≥": ">="}
_ORDERING = {"<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}


class ClaimSyntaxError(ValueError):
    """A claim that cannot be read; the message is one sentence for the author."""


def _reject_nan(constant: str) -> float:
    if constant == "NaN":
        raise ClaimSyntaxError("NaN never equals anything; claim a flag such as has_nan == true")
    return float(constant)


_LITERAL = json.JSONDecoder(parse_constant=_reject_nan)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_numeric_tree(value: Any) -> bool:
    if isinstance(value, list):
        return all(_is_numeric_tree(item) for item in value)
    return _is_number(value)


def parse_claim(text: str, line: int = 0) -> Claim:
    """Read one claim; raise :class:`ClaimSyntaxError` saying what is wrong."""
    match = _CLAIM.fullmatch(text)
    if not match:
        raise ClaimSyntaxError(
            f"claim {text.strip()!r} is not '<value> <op> <JSON value>' "
            f"with op one of {', '.join(CLAIM_OPERATORS)}"
        )
    op = _CANONICAL_OP.get(match["op"], match["op"])
    rest = match["rest"].strip()
    try:
        expected, end = _LITERAL.raw_decode(rest)
    except ClaimSyntaxError as error:
        raise ClaimSyntaxError(f"claim {text.strip()!r}: {error}") from None
    except (ValueError, RecursionError):
        hint = ' (strings need double quotes: "he")' if re.match(r"[A-Za-z]", rest) else ""
        raise ClaimSyntaxError(
            f"claim {text.strip()!r}: expected a JSON value after {op!r}, got {rest!r}{hint}"
        ) from None
    tolerance, relative = _parse_tolerance(rest[end:].strip(), text)
    _check_operands(op, expected, tolerance, text)
    index = tuple(int(number) for number in re.findall(r"-?\d+", match["index"]))
    return Claim(
        text=text.strip(),
        target=match["target"],
        index=index,
        op=op,
        expected=expected,
        tolerance=tolerance,
        line=line,
        relative=relative,
    )


def _parse_tolerance(text: str, claim: str) -> tuple[float | None, bool]:
    if not text:
        return None, False
    match = _TOLERANCE.fullmatch(text)
    if not match:
        raise ClaimSyntaxError(
            f"claim {claim.strip()!r}: unexpected {text!r} after the value "
            "(a tolerance is written '± 1e-9', '+- 1e-9' or '± 1%')"
        )
    tolerance = float(match["number"])
    if not math.isfinite(tolerance):
        raise ClaimSyntaxError(f"claim {claim.strip()!r}: the tolerance must be a finite number")
    if match["percent"]:
        return tolerance / 100, True
    return tolerance, False


def _check_operands(op: str, expected: Any, tolerance: float | None, claim: str) -> None:
    where = f"claim {claim.strip()!r}"
    if op == "≈":
        if tolerance is None:
            raise ClaimSyntaxError(f"{where}: ≈ needs a tolerance, e.g. 'max_value ≈ 0.25 ± 1e-9'")
        if not _is_numeric_tree(expected):
            raise ClaimSyntaxError(f"{where}: ≈ compares numbers or lists of numbers")
        return
    if tolerance is not None:
        raise ClaimSyntaxError(f"{where}: only ≈ takes a tolerance; use ≈ or drop the '± …'")
    if op in _ORDERING and not _is_number(expected):
        raise ClaimSyntaxError(f"{where}: {op} compares with a number")
    if op == "in" and not isinstance(expected, list):
        raise ClaimSyntaxError(f"{where}: 'in' needs a JSON list on its right, e.g. [1, 2]")


# --- evaluation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimOutcome:
    """Whether a claim held, the value it was checked against, and a sentence saying so."""

    passed: bool
    actual: Any
    message: str


def evaluate_claim(claim: Claim, values: Mapping[str, Any]) -> ClaimOutcome:
    """Check ``claim`` against a demo's ``values``. Never raises: any failure is an outcome."""
    try:
        return _evaluate(claim, values)
    except Exception as error:  # values come from demo code: a bad one must not stop a run
        return ClaimOutcome(False, None, f"{claim.text}: could not be checked ({error!r})")


def _evaluate(claim: Claim, values: Mapping[str, Any]) -> ClaimOutcome:
    if claim.target not in values:
        known = ", ".join(sorted(values)) or "nothing"
        return ClaimOutcome(
            False, None, f"the demo returns no value {claim.target!r} (it returns: {known})"
        )
    actual = values[claim.target]
    subject = claim.target
    for position in claim.index:
        if not isinstance(actual, (list, tuple)):
            return ClaimOutcome(
                False,
                actual,
                f"{subject} is {_show(actual)}, not a list, so [{position}] cannot be taken",
            )
        if not -len(actual) <= position < len(actual):
            return ClaimOutcome(
                False,
                actual,
                f"{subject} has {len(actual)} items, so index [{position}] is out of range",
            )
        actual = actual[position]
        subject = f"{subject}[{position}]"
    failure = _failure(claim, subject, actual)
    if failure:
        return ClaimOutcome(False, actual, failure)
    return ClaimOutcome(
        True, actual, f"{subject} is {_show(actual)}, as claimed ({_expectation(claim)})"
    )


def _failure(claim: Claim, subject: str, actual: Any) -> str | None:
    """Why ``actual`` breaks the claim, or None when the claim holds."""
    expected, op = claim.expected, claim.op
    unmet = f"{subject} is {_show(actual)}, expected {_expectation(claim)}"
    if op == "≈":
        return _approx_failure(claim, subject, actual, expected)
    if op == "in":
        return None if any(_equal(actual, option) for option in expected) else unmet
    if op in _ORDERING:
        if not _is_number(actual):
            return _mismatch(subject, actual, expected)
        return None if _ORDERING[op](actual, expected) else unmet
    if _kind(actual) != _kind(expected):
        return _mismatch(subject, actual, expected)
    return None if _equal(actual, expected) == (op == "==") else unmet


def _approx_failure(claim: Claim, subject: str, actual: Any, expected: Any) -> str | None:
    if isinstance(expected, list):
        if not isinstance(actual, (list, tuple)):
            return _mismatch(subject, actual, expected)
        if len(actual) != len(expected):
            return f"{subject} has {len(actual)} items, expected {len(expected)}"
        for position, (item, wanted) in enumerate(zip(actual, expected, strict=True)):
            failure = _approx_failure(claim, f"{subject}[{position}]", item, wanted)
            if failure:
                return failure
        return None
    if not _is_number(actual):
        return _mismatch(subject, actual, expected)
    tolerance = claim.tolerance or 0.0
    allowed = tolerance * abs(_float(expected)) if claim.relative else tolerance
    if actual == expected or abs(_float(actual) - _float(expected)) <= allowed:
        return None
    return f"{subject} is {_show(actual)}, expected ≈ {_show(expected)}{_tolerance_text(claim)}"


def _float(value: Any) -> float:
    """A number as a float; integers too large for a float become ±inf instead of raising."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _equal(actual: Any, expected: Any) -> bool:
    """Equality that does not confuse true with 1 or "7" with 7."""
    if _kind(actual) != _kind(expected):
        return False
    if isinstance(expected, list):
        return len(actual) == len(expected) and all(
            _equal(item, wanted) for item, wanted in zip(actual, expected, strict=True)
        )
    if isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            _equal(actual[key], expected[key]) for key in expected
        )
    return actual == expected


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if _is_number(value):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def _mismatch(subject: str, actual: Any, expected: Any) -> str:
    return (
        f"{subject} is {_show(actual)} ({_kind(actual)}), "
        f"but the claim compares it with {_kind(expected)} ({_show(expected)})"
    )


def _expectation(claim: Claim) -> str:
    return f"{claim.op} {_show(claim.expected)}{_tolerance_text(claim)}"


def _tolerance_text(claim: Claim) -> str:
    if claim.tolerance is None:
        return ""
    if claim.relative:
        return f" ± {claim.tolerance * 100:g}%"
    return f" ± {claim.tolerance:g}"


def _show(value: Any, limit: int = 80) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
