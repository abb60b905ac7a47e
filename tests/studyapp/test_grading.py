"""Grading every kind of question, with the answer formats learners actually type."""

from __future__ import annotations

import pytest

from content.model import Choice, DemoLink, Kind, Question
from studyapp.grading import Rating, ResponseError, grade, parse_number, parse_shape


def make_question(kind: Kind, **fields) -> Question:
    base = dict(
        id="q",
        kind=kind,
        title="t",
        body="b",
        explanation="e",
        syllabus=("3-4 畳み込みニューラルネットワーク",),
        course="Day2 Section4",
        source="s",
        demo=DemoLink("conv-output-size", {}, ()),
        file="f.md",
        line=1,
        content_hash="h",
    )
    return Question(**(base | fields))


FOUR_OPTIONS = tuple(Choice(key, f"option {key}", key == "B") for key in "ABCD")


@pytest.mark.parametrize("text", ["0.25", "1/4", "2.5e-1", "０．２５", ".25", " 0.25 ", "25e-2"])
def test_numbers_in_every_accepted_spelling(text):
    assert parse_number(text) == pytest.approx(0.25, abs=1e-15)


def test_negative_numbers_with_typographic_minus_and_thousands_separators():
    assert parse_number("−3") == -3
    assert parse_number("1,000") == 1000
    assert parse_number("12 ms", unit="ms") == 12


@pytest.mark.parametrize("text", ["abc", "1/0", "", "1..2", "0.25.1"])
def test_unreadable_numbers_raise_a_response_error(text):
    with pytest.raises(ResponseError):
        parse_number(text)


@pytest.mark.parametrize("text", ["7x7", "7×7", "(7, 7)", "[7,7]", "７×７", "7 X 7", "7*7"])
def test_shapes_in_every_accepted_spelling(text):
    assert parse_shape(text) == (7, 7)


def test_shapes_of_higher_rank():
    assert parse_shape("100x30x24x24") == (100, 30, 24, 24)


def test_choice_right_suggests_good_and_wrong_suggests_again():
    question = make_question(Kind.CHOICE, choices=FOUR_OPTIONS, answer="B")
    assert grade(question, "B").correct is True
    assert grade(question, "B").suggested is Rating.GOOD
    assert grade(question, "2").correct is True  # the number key of option B
    assert grade(question, "b").correct is True
    wrong = grade(question, "C")
    assert wrong.correct is False
    assert wrong.suggested is Rating.AGAIN
    assert wrong.expected == "B"


def test_choice_rejects_two_picks_and_unknown_keys():
    question = make_question(Kind.CHOICE, choices=FOUR_OPTIONS, answer="B")
    with pytest.raises(ResponseError):
        grade(question, "A, B")
    with pytest.raises(ResponseError):
        grade(question, "E")
    with pytest.raises(ResponseError):
        grade(question, "")


def test_multi_needs_exactly_the_correct_set():
    options = tuple(Choice(k, k, k in "AC") for k in "ABCD")
    question = make_question(Kind.MULTI, choices=options, answer="A, C")
    assert grade(question, "A, C").correct is True
    assert grade(question, "CA").correct is True
    assert grade(question, "1 3").correct is True
    assert grade(question, "A").correct is False
    assert grade(question, "A, B, C").correct is False


def test_numeric_with_tolerance_and_unit():
    question = make_question(Kind.NUMERIC, answer="0.25", tolerance=1e-3, unit="")
    assert grade(question, "1/4").correct is True
    assert grade(question, "0.2505").correct is True
    assert grade(question, "0.252").correct is False
    exact = make_question(Kind.NUMERIC, answer="0.25", tolerance=None)
    assert grade(exact, "0.25").correct is True
    assert grade(exact, "0.2500001").correct is False


def test_shape_compares_sizes_not_spelling():
    question = make_question(Kind.SHAPE, answer="7x7")
    assert grade(question, "(7, 7)").correct is True
    assert grade(question, "7×7").response == "7×7"
    assert grade(question, "6x6").correct is False


def test_text_questions_are_self_graded():
    question = make_question(Kind.TEXT, answer="符号が打ち消し合わないように二乗する。")
    result = grade(question, "打ち消し合うから")
    assert result.correct is None
    assert result.self_graded
    assert result.suggested is None
    assert result.expected == question.answer
