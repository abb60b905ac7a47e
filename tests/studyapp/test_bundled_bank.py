"""Quality gates on the bundled question bank: it parses, every claim holds, and it reads well.

These run in CI, so a wrong answer key or a sloppy question can never land.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import pytest

from content import BUNDLED_BANK_DIR
from content.model import Bank, Kind
from content.parser import load_bank
from studyapp.demo_links import demo_link_problems
from studyapp.verify import verify_bank


@cache
def bundled_bank() -> Bank:
    return load_bank([BUNDLED_BANK_DIR], trusted=True)


def test_the_bundled_bank_parses_without_problems():
    assert [str(problem) for problem in bundled_bank().problems] == []


def test_every_demo_link_names_a_demo_and_valid_parameters():
    assert [str(problem) for problem in demo_link_problems(bundled_bank())] == []


@pytest.mark.slow
def test_every_claim_of_the_bundled_bank_holds():
    report = verify_bank(bundled_bank())
    assert [str(failure) for failure in report.failed] == []
    assert report.skipped == []  # the bundled bank is trusted: every code question ran
    assert report.passed == report.claims > 0


def test_every_question_has_tags_a_source_an_explanation_and_a_claim():
    for question in bundled_bank().questions:
        assert question.syllabus, question.id
        assert question.course.strip(), question.id
        assert question.source.strip(), question.id
        assert len(question.explanation.strip()) >= 40, question.id
        assert question.demo.claims, question.id


def _normalized(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_no_two_questions_share_a_body():
    bodies = Counter(_normalized(q.body) for q in bundled_bank().questions)
    assert [body[:60] for body, count in bodies.items() if count > 1] == []


def test_options_within_a_question_are_distinct():
    for question in bundled_bank().questions:
        texts = [_normalized(choice.text) for choice in question.choices]
        assert len(texts) == len(set(texts)), question.id


def test_the_correct_option_of_four_choice_questions_is_spread_over_a_to_d():
    positions = Counter(
        q.correct_keys[0]
        for q in bundled_bank().questions
        if q.kind is Kind.CHOICE and len(q.choices) == 4
    )
    total = sum(positions.values())
    if total < 40:
        pytest.skip(f"only {total} four-choice questions: too few to judge the balance")
    for key in "ABCD":
        assert 0.15 <= positions[key] / total <= 0.35, (key, positions)


def _length_tells() -> tuple[int, int, int]:
    """Four-choice questions, and how many give the answer away by being the unique longest
    or the unique shortest option (a tell test-wise learners exploit)."""
    total = longest = shortest = 0
    for question in bundled_bank().questions:
        if question.kind is not Kind.CHOICE or len(question.choices) != 4:
            continue
        lengths = [len(_normalized(choice.text)) for choice in question.choices]
        mine = lengths[[choice.correct for choice in question.choices].index(True)]
        total += 1
        longest += mine == max(lengths) and lengths.count(mine) == 1
        shortest += mine == min(lengths) and lengths.count(mine) == 1
    return total, longest, shortest


def test_the_correct_option_is_not_given_away_by_its_length():
    # Unbiased, each length rank would hold about a quarter of the answers. Too few at an
    # extreme is a tell too ("the shortest option is never right").
    total, longest, shortest = _length_tells()
    assert 0.12 <= longest / total <= 0.35, f"{longest} of {total} correct options are the longest"
    assert 0.12 <= shortest / total <= 0.35, (
        f"{shortest} of {total} correct options are the shortest"
    )


def test_code_blocks_fit_an_80_column_terminal():
    # The TUI clips a code block's long lines instead of wrapping them; 72 characters
    # leave room for the block's padding and the screen's margins at 80 columns.
    long_lines = []
    for path in sorted(BUNDLED_BANK_DIR.rglob("*.md")):
        in_fence = False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("```"):
                in_fence = not in_fence
            elif in_fence and len(line) > 72:
                long_lines.append(f"{path.relative_to(BUNDLED_BANK_DIR)}:{number}")
    assert long_lines == []
