"""Plain dataclasses for a parsed question bank.

These types are the contract between the parser (content), the store (data), grading and the
user interfaces (studyapp). They hold text and JSON values only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class Kind(StrEnum):
    """What kind of answer a question expects."""

    CHOICE = "choice"  # exactly one correct option
    MULTI = "multi"  # one or more correct options, all must be picked
    NUMERIC = "numeric"  # a number, with tolerance and optional unit
    SHAPE = "shape"  # an array shape such as 7x7
    CODE = "code"  # choose the line that completes a NumPy snippet
    TEXT = "text"  # free text, self-graded against a model answer

    @property
    def is_choice_like(self) -> bool:
        return self in (Kind.CHOICE, Kind.MULTI, Kind.CODE)


# Comparison operators a claim may use, in canonical spelling.
CLAIM_OPERATORS = ("==", "!=", "≈", "<=", ">=", "<", ">", "in")


@dataclass(frozen=True)
class Claim:
    """A machine-checkable statement about a demo's result, e.g. ``max_value ≈ 0.25 ± 1e-9``.

    ``target`` names a value of the demo's result; ``index`` selects inside list values
    (``layer_std[0]`` has target ``layer_std`` and index ``(0,)``).
    """

    text: str
    target: str
    index: tuple[int, ...]
    op: str
    expected: Any
    tolerance: float | None = None
    line: int = 0
    # ``± 1%`` is relative: ``tolerance`` is then 0.01 and scales with the expected value.
    relative: bool = False


@dataclass(frozen=True)
class DemoLink:
    """The demo that proves a question's answer: its id, parameter values and claims."""

    demo_id: str
    params: dict[str, Any]
    claims: tuple[Claim, ...]
    line: int = 0


@dataclass(frozen=True)
class Choice:
    """One option of a choice, multi or code question. ``key`` is A, B, C, …"""

    key: str
    text: str
    correct: bool


@dataclass(frozen=True)
class Question:
    """One question of the bank, as written in its Markdown file."""

    id: str
    kind: Kind
    title: str
    body: str
    explanation: str
    syllabus: tuple[str, ...]
    course: str
    source: str
    demo: DemoLink
    file: str
    line: int
    content_hash: str
    choices: tuple[Choice, ...] = ()
    # The model answer as written: "7x7", "0.25", a sentence for text questions; for
    # choice-like kinds the keys of the correct options, e.g. "B" or "A, C".
    answer: str = ""
    tolerance: float | None = None
    unit: str = ""
    # Code questions: the snippet with a ``____`` placeholder that each option fills.
    snippet: str = ""

    @property
    def correct_keys(self) -> tuple[str, ...]:
        return tuple(choice.key for choice in self.choices if choice.correct)

    @property
    def course_part(self) -> str:
        """The course part a question belongs to: 応用数学, 機械学習 or Day1 … Day4."""
        return self.course.split(" ", 1)[0]


@dataclass(frozen=True)
class Problem:
    """A problem found while reading the bank, reported as ``file:line: message``."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Bank:
    """Every question that parsed, and every problem found, for one or more bank directories.

    ``trusted`` says whether code snippets from this bank may run: true for the bundled bank,
    and for other banks only when the user passes ``--trust-bank``.
    """

    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)
    trusted: bool = False
    # Display names of every question file read, in bank order (also files with problems).
    files: list[str] = field(default_factory=list)

    def by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}
