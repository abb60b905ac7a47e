"""Mock exams: questions drawn by syllabus weight, timed, graded only at the end (no Textual).

Like the real E資格: 100 questions in 120 minutes by default. The learner may answer in any
order, flag questions, skip and return; nothing is graded until the end. Every response is
saved in the session's details as it is given, so a crash loses none and an interrupted exam
can be resumed. At the end every answer is logged as a review of the exam session; the
answers move the FSRS schedule only if the learner chooses so.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from content.model import Kind, Question
from content.syllabus import OPTIONAL_SECTIONS, section_code, section_label
from studyapp.grading import Grade, Rating, ResponseError, grade
from studyapp.i18n import _
from studyapp.store import Store

EXAM_QUESTIONS = 100
EXAM_MINUTES = 120

# JDLA publishes no weights per syllabus section. This estimate follows the 2024 syllabus's
# emphasis (the deep-learning chapters hold most of its keywords) and learners' reports of
# the exam; within a chapter, questions are spread evenly over its examined 中項目.
CHAPTER_WEIGHTS = {"1": 0.10, "2": 0.10, "3": 0.50, "4": 0.25, "5": 0.05}

Clock = Callable[[], datetime]


def examinable(question: Question) -> bool:
    """Objective questions of examined sections: the exam has no free text and no (option)."""
    return (
        question.kind is not Kind.TEXT
        and section_code(question.syllabus[0]) not in OPTIONAL_SECTIONS
    )


def allocate(count: int, available: dict[str, int]) -> dict[str, int]:
    """How many questions each section gets: by chapter weight, evenly inside a chapter,
    never more than a section has; what a section cannot supply goes to the others."""
    shares: dict[str, float] = {}
    for chapter, weight in CHAPTER_WEIGHTS.items():
        sections = [code for code in available if code.split("-")[0] == chapter and available[code]]
        for code in sections:
            shares[code] = weight / len(sections)
    total_share = sum(shares.values()) or 1.0
    wanted = {code: count * share / total_share for code, share in shares.items()}
    allocation = {code: min(available[code], math.floor(value)) for code, value in wanted.items()}
    # Hand out the rest one at a time: largest unmet share first, to sections with spare questions.
    while sum(allocation.values()) < min(count, sum(available.values())):
        spare = [code for code in allocation if allocation[code] < available[code]]
        code = max(spare, key=lambda c: (wanted[c] - allocation[c], -list(allocation).index(c)))
        allocation[code] += 1
    return allocation


def draw_questions(questions: Sequence[Question], count: int, seed: int) -> list[Question]:
    """``count`` examinable questions drawn by :func:`allocate`, shuffled like a real exam."""
    rng = random.Random(seed)
    by_section: dict[str, list[Question]] = {}
    for question in questions:
        if examinable(question):
            by_section.setdefault(section_code(question.syllabus[0]), []).append(question)
    allocation = allocate(count, {code: len(items) for code, items in by_section.items()})
    drawn = [q for code, n in allocation.items() for q in rng.sample(by_section[code], n)]
    rng.shuffle(drawn)
    return drawn


@dataclass
class ExamItem:
    question: Question
    response: str | None = None
    flagged: bool = False
    seconds: float = 0.0  # time spent on this question so far


@dataclass(frozen=True)
class SectionScore:
    section: str
    correct: int
    total: int

    @property
    def rate(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class GradedItem:
    question: Question
    response: str | None
    grade: Grade | None  # None when left unanswered
    flagged: bool

    @property
    def correct(self) -> bool:
        return self.grade is not None and bool(self.grade.correct)


@dataclass(frozen=True)
class ExamResult:
    correct: int
    total: int
    sections: list[SectionScore]
    items: list[GradedItem]
    seconds: float
    counted_as_reviews: bool

    @property
    def score(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass
class MockExam:
    """A mock exam in progress; create it with :meth:`start` or :meth:`resume`."""

    store: Store
    session_id: int
    items: list[ExamItem]
    started_at: datetime
    minutes: float
    clock: Clock
    index: int = 0
    _entered_at: datetime = field(init=False)

    def __post_init__(self) -> None:
        self._entered_at = self.clock()

    @classmethod
    def start(
        cls,
        store: Store,
        *,
        count: int = EXAM_QUESTIONS,
        minutes: float | None = None,
        seed: int | None = None,
        clock: Clock | None = None,
        questions: Sequence[Question] | None = None,
    ) -> MockExam:
        """Draw the questions and open an exam session; 1.2 minutes per question by default."""
        clock = clock or (lambda: datetime.now(UTC))
        seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
        drawn = draw_questions(
            questions if questions is not None else store.bank().questions, count, seed
        )
        if not drawn:
            raise ValueError("the bank has no examinable question")
        minutes = minutes if minutes is not None else len(drawn) * EXAM_MINUTES / EXAM_QUESTIONS
        now = clock()
        # Only the latest unfinished exam can be resumed: a new one closes the others.
        for old_id, _started, _details in store.scheduler.unfinished_sessions("exam"):
            store.scheduler.end_session(old_id, details={"abandoned": True}, at=now)
        session_id = store.scheduler.start_session(
            "exam",
            details={
                "questions": [q.id for q in drawn],
                "minutes": minutes,
                "seed": seed,
                "responses": {},
            },
            at=now,
        )
        return cls(store, session_id, [ExamItem(q) for q in drawn], now, minutes, clock)

    @classmethod
    def resume(cls, store: Store, session_id: int, *, clock: Clock | None = None) -> MockExam:
        """Reopen an interrupted exam with its saved responses and flags."""
        clock = clock or (lambda: datetime.now(UTC))
        found = {
            sid: (started, details)
            for sid, started, details in store.scheduler.unfinished_sessions("exam")
        }
        if session_id not in found:
            raise ValueError(f"no unfinished mock exam {session_id}")
        started, details = found[session_id]
        bank = store.bank().by_id()
        items = []
        for question_id in details["questions"]:
            if question_id in bank:
                saved = details.get("responses", {}).get(question_id, {})
                items.append(
                    ExamItem(
                        bank[question_id],
                        saved.get("response"),
                        saved.get("flagged", False),
                        saved.get("seconds", 0.0),
                    )
                )
        exam = cls(store, session_id, items, started, details["minutes"], clock)
        open_items = [i for i, item in enumerate(items) if item.response is None or item.flagged]
        exam.index = open_items[0] if open_items else 0
        return exam

    # -- time -------------------------------------------------------------------------------

    @property
    def deadline(self) -> datetime:
        return self.started_at + timedelta(minutes=self.minutes)

    def time_left(self) -> timedelta:
        return max(timedelta(0), self.deadline - self.clock())

    @property
    def expired(self) -> bool:
        return self.time_left() == timedelta(0)

    # -- moving and answering ---------------------------------------------------------------

    @property
    def current(self) -> ExamItem:
        return self.items[self.index]

    def go(self, index: int) -> ExamItem:
        """Move to question ``index`` (wrapping around), adding the time spent on this one."""
        now = self.clock()
        self.current.seconds += (now - self._entered_at).total_seconds()
        self._entered_at = now
        self.index = index % len(self.items)
        return self.current

    def next(self) -> ExamItem:
        return self.go(self.index + 1)

    def previous(self) -> ExamItem:
        return self.go(self.index - 1)

    def next_open(self) -> ExamItem | None:
        """The next unanswered or flagged question after this one, or None when none is left."""
        for step in range(1, len(self.items) + 1):
            candidate = (self.index + step) % len(self.items)
            item = self.items[candidate]
            if item.response is None or item.flagged:
                return self.go(candidate)
        return None

    def answer(self, response: str) -> None:
        """Keep ``response`` for the current question (checked readable, not graded)."""
        if self.expired:
            raise ResponseError(_("Time is up: finish the exam to see your score."))
        grade(self.current.question, response)  # raises ResponseError if unreadable
        self.current.response = response
        self._save()

    def clear(self) -> None:
        self.current.response = None
        self._save()

    def toggle_flag(self) -> bool:
        self.current.flagged = not self.current.flagged
        self._save()
        return self.current.flagged

    @property
    def answered(self) -> int:
        return sum(item.response is not None for item in self.items)

    @property
    def flagged(self) -> int:
        return sum(item.flagged for item in self.items)

    def _save(self) -> None:
        responses = {
            item.question.id: {
                "response": item.response,
                "flagged": item.flagged,
                "seconds": item.seconds,
            }
            for item in self.items
            if item.response is not None or item.flagged or item.seconds
        }
        self.store.scheduler.update_session_details(self.session_id, {"responses": responses})

    # -- the end ----------------------------------------------------------------------------

    def finish(self, *, count_as_reviews: bool = False) -> ExamResult:
        """Grade every question, log the answers given, close the session; score per section.

        Unanswered questions count as wrong in the score and are not logged. With
        ``count_as_reviews`` the answers move the FSRS schedule like review answers.
        """
        self.go(self.index)  # account for the time on the last question
        now = self.clock()
        scheduler = self.store.scheduler
        graded = []
        for item in self.items:
            result = grade(item.question, item.response) if item.response is not None else None
            if result is not None:  # an unanswered question scores 0 but is no answer given
                scheduler.record_answer(
                    item.question.id,
                    Rating.GOOD if result.correct else Rating.AGAIN,
                    correct=bool(result.correct),
                    answer=item.response,
                    duration_ms=round(item.seconds * 1000),
                    at=now,
                    session_id=self.session_id,
                    moves_schedule=count_as_reviews,
                )
            graded.append(GradedItem(item.question, item.response, result, item.flagged))
        sections: dict[str, list[bool]] = {}
        for item in graded:
            sections.setdefault(section_code(item.question.syllabus[0]), []).append(item.correct)
        scores = [
            SectionScore(section_label(code), sum(marks), len(marks))
            for code, marks in sorted(
                sections.items(), key=lambda kv: tuple(map(int, kv[0].split("-")))
            )
        ]
        correct = sum(item.correct for item in graded)
        seconds = (now - self.started_at).total_seconds()
        scheduler.end_session(
            self.session_id,
            details={
                "score": correct,
                "total": len(graded),
                "sections": {s.section: [s.correct, s.total] for s in scores},
                "counted_as_reviews": count_as_reviews,
            },
            at=now,
        )
        return ExamResult(correct, len(graded), scores, graded, seconds, count_as_reviews)
