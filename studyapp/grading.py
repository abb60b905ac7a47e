"""Grading a learner's response to a question, for every kind (no Textual, no database).

Objective kinds are graded here; free-text questions are self-graded, so their grade only
says that the model answer should be revealed. Wrong answers suggest the rating Again;
right answers suggest Good (the learner may pick Hard or Easy instead).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from fractions import Fraction

from content.model import Kind, Question
from studyapp.i18n import _


class Rating(IntEnum):
    """The four FSRS ratings, numbered as the keys 1–4 that choose them."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class ResponseError(ValueError):
    """The response cannot be read as an answer of the question's kind (one sentence)."""


@dataclass(frozen=True)
class Grade:
    """The outcome of grading: ``correct`` is None for self-graded (text) questions."""

    correct: bool | None
    response: str
    suggested: Rating | None
    expected: str

    @property
    def self_graded(self) -> bool:
        return self.correct is None


def normalize_text(text: str) -> str:
    """Full-width digits and symbols as ASCII, typographic minus as '-', spaces trimmed."""
    text = unicodedata.normalize("NFKC", text)
    return text.replace("−", "-").replace("–", "-").strip()


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FRACTION = re.compile(r"^([+-]?\d+)\s*/\s*([+-]?\d+)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(text: str, unit: str = "") -> float:
    """Read "0.25", "1/4", "2.5e-1", "０．２５", "1,000" (and the unit, if given) as a float."""
    value = normalize_text(text)
    if unit and value.endswith(normalize_text(unit)):
        value = value[: -len(normalize_text(unit))].strip()
    if _THOUSANDS.match(value):
        value = value.replace(",", "")
    if _NUMBER.match(value):
        return float(value)
    fraction = _FRACTION.match(value)
    if fraction:
        numerator, denominator = int(fraction[1]), int(fraction[2])
        if denominator == 0:
            raise ResponseError(_("A fraction cannot have 0 as its denominator."))
        return float(Fraction(numerator, denominator))
    raise ResponseError(
        _("{text} is not a number (write e.g. 0.25, 1/4 or 2.5e-1).").format(
            text=repr(text.strip())
        )
    )


_SHAPE_SEPARATORS = re.compile(r"\s*[x×X*,]\s*|\s+")


def parse_shape(text: str) -> tuple[int, ...]:
    """Read "7x7", "7×7", "(7, 7)", "[7,7]", "７×７" or "100x30x24x24" as a tuple of ints."""
    value = normalize_text(text).strip("()[] ")
    parts = [part for part in _SHAPE_SEPARATORS.split(value) if part]
    if not parts or not all(part.isdigit() for part in parts):
        raise ResponseError(
            _("{text} is not a shape (write e.g. 7x7 or (7, 7)).").format(text=repr(text.strip()))
        )
    return tuple(int(part) for part in parts)


def format_shape(shape: tuple[int, ...]) -> str:
    return "×".join(str(size) for size in shape)


def _numbers_match(given: float, expected: float, tolerance: float | None) -> bool:
    if tolerance is not None:
        return abs(given - expected) <= tolerance
    return math.isclose(given, expected, rel_tol=1e-9, abs_tol=1e-12)


def _choice_keys(question: Question, response: str) -> frozenset[str]:
    """Option keys from "B", "b", "2", "A, C", "AC" or "1 3"."""
    keys = [choice.key for choice in question.choices]
    picked: set[str] = set()
    for token in re.findall(r"\d+|[A-Za-z]", normalize_text(response)):
        key = (
            keys[int(token) - 1]
            if token.isdigit() and 1 <= int(token) <= len(keys)
            else token.upper()
        )
        if key not in keys:
            raise ResponseError(
                _("{token} is not an option (the options are {keys}).").format(
                    token=repr(token), keys=", ".join(keys)
                )
            )
        picked.add(key)
    if not picked:
        raise ResponseError(_("Pick an option first."))
    return frozenset(picked)


def grade(question: Question, response: str) -> Grade:
    """Grade ``response`` (as typed or as chosen keys) against ``question``.

    Raises ResponseError when the response cannot be read; nothing is recorded then.
    """
    kind = question.kind
    if kind is Kind.TEXT:
        return Grade(None, response.strip(), None, question.answer)
    if kind.is_choice_like:
        picked = _choice_keys(question, response)
        if kind is not Kind.MULTI and len(picked) > 1:
            raise ResponseError(_("Pick exactly one option."))
        correct = picked == frozenset(question.correct_keys)
        shown = ", ".join(sorted(picked))
        expected = ", ".join(question.correct_keys)
    elif kind is Kind.NUMERIC:
        given = parse_number(response, question.unit)
        correct = _numbers_match(
            given, parse_number(question.answer, question.unit), question.tolerance
        )
        shown = f"{given:g}"
        expected = f"{question.answer} {question.unit}".strip()
    elif kind is Kind.SHAPE:
        given_shape = parse_shape(response)
        correct = given_shape == parse_shape(question.answer)
        shown = format_shape(given_shape)
        expected = format_shape(parse_shape(question.answer))
    else:  # pragma: no cover - Kind is a closed enum
        raise ResponseError(f"Questions of kind {kind} cannot be graded.")
    suggested = Rating.GOOD if correct else Rating.AGAIN
    return Grade(correct, shown, suggested, expected)
