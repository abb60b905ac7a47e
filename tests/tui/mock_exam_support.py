"""Helpers for the mock exam tests: a fixed draw, starting an exam, answering by keyboard.

The test bank has five examinable questions (its free-text one is not drawn). With
``EXAM_SEED`` they come in the order of ``EXAM_ORDER``.
"""

from __future__ import annotations

from studyapp import mock_exam
from studyapp.tui.screens.mock_exam import ExamPhase, ExamScreen, ExamStartScreen

from .conftest import app_ready, wait_for

EXAM_SEED = 3
EXAM_ORDER = (
    "tui-softmax-multi",
    "tui-softmax-code",
    "tui-sigmoid-reason",
    "tui-sigmoid-max",
    "tui-conv-shape",
)
# Keys that answer each question right, and wrong.
RIGHT = {
    "tui-sigmoid-reason": "2",
    "tui-sigmoid-max": "0.25",
    "tui-softmax-multi": "12",
    "tui-softmax-code": "2",
    "tui-conv-shape": "7x7",
}
WRONG = {
    "tui-sigmoid-reason": "1",
    "tui-sigmoid-max": "1",
    "tui-softmax-multi": "3",
    "tui-softmax-code": "1",
    "tui-conv-shape": "6x6",
}


class _FixedSeed:
    """Stands in for random.SystemRandom, which MockExam.start asks for a seed."""

    def randrange(self, _stop: int) -> int:
        return EXAM_SEED


def draw_in_a_fixed_order(monkeypatch) -> None:
    monkeypatch.setattr(mock_exam.random, "SystemRandom", _FixedSeed)


async def open_start_screen(pilot) -> ExamStartScreen:
    """Home → m; returns the start screen once it knows what the bank offers."""
    await app_ready(pilot)
    await pilot.press("m")
    app = pilot.app
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, ExamStartScreen) and app.screen.available is not None,
    )
    return app.screen


async def start_exam(pilot, *keys: str) -> ExamScreen:
    """Home → m → ``keys`` (default: 1 and Enter, 20 questions: the whole test bank)."""
    await open_start_screen(pilot)
    await pilot.press(*(keys or ("1", "enter")))
    return await exam_shown(pilot)


async def exam_shown(pilot) -> ExamScreen:
    app = pilot.app
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, ExamScreen) and app.screen.phase is ExamPhase.ANSWERING,
    )
    await pilot.pause()
    return app.screen


async def answer_exam_question(pilot, exam: ExamScreen, *, right: bool) -> None:
    """Answer the current question by keyboard, then go to the next one: ``n`` after
    options, Enter after a typed answer (the field has the focus then)."""
    question = exam.item.question
    before = exam.exam.index
    await pilot.press(*(RIGHT if right else WRONG)[question.id])
    await pilot.press("n" if question.kind.is_choice_like else "enter")
    await wait_for(pilot, lambda: exam.exam.index != before)
