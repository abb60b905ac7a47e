"""Fixtures for the TUI tests: a small bank in every kind, a fresh database, a fixed clock.

The bank (tests/tui/bank) serves its new questions in this order: choice, numeric, multi,
code, shape, text. Local time is UTC so that "today" does not depend on the machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studyapp import i18n
from studyapp.config import AppConfig
from studyapp.tui.app import StudyApp

TEST_BANK = Path(__file__).resolve().parent / "bank"
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
QUESTION_ORDER = (
    "tui-sigmoid-reason",
    "tui-sigmoid-max",
    "tui-softmax-multi",
    "tui-softmax-code",
    "tui-conv-shape",
    "tui-zero-init",
)


@pytest.fixture(autouse=True)
def utc_and_japanese(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
    i18n.set_language(None)


@pytest.fixture
def config(tmp_path) -> AppConfig:
    return AppConfig.resolve(db=str(tmp_path / "studyapp.db"), banks=[str(TEST_BANK)])


@pytest.fixture
def make_app(config) -> Callable[..., StudyApp]:
    def make(**options) -> StudyApp:
        for name, value in options.pop("config", {}).items():
            setattr(config, name, value)
        return StudyApp(config, clock=lambda: NOW, **options)

    return make


async def wait_for(pilot, condition: Callable[[], object], timeout: float = 15.0) -> None:
    """Let the app run until ``condition()`` is true (workers finish in their own time)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await pilot.pause(0.02)
    await pilot.pause()


async def app_ready(pilot) -> None:
    """The database is open, the bank synced and the home screen shows its numbers."""
    app = pilot.app
    await wait_for(pilot, lambda: app.bank_synced and app.home.summary is not None)
    await app.workers.wait_for_complete()
    await pilot.pause()


def text(widget) -> str:
    return str(widget.content)


def reviews_in(config: AppConfig) -> list[tuple[str, int, bool | None]]:
    """(question id, rating, correct) of every row in the review log, oldest first."""
    from sqlalchemy import select

    from data.models import Review
    from studyapp.store import open_store

    with open_store(config, sync=False) as store, store.database.read() as session:
        rows = session.execute(
            select(Review.question_id, Review.rating, Review.correct).order_by(Review.id)
        ).all()
    return [tuple(row) for row in rows]


async def start_review(pilot):
    """Home → r; returns the review screen once its first question is shown."""
    from studyapp.tui.screens.review import Phase, ReviewScreen

    await app_ready(pilot)
    await pilot.press("r")
    await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, ReviewScreen) and pilot.app.screen.phase is Phase.ANSWERING
        ),
    )
    return pilot.app.screen


async def wait_for_phase(pilot, review, phase) -> None:
    await wait_for(pilot, lambda: review.phase is phase)


async def answer_and_move_on(pilot, review) -> None:
    """Answer the current question any readable way and rate it Easy."""
    from content.model import Kind
    from studyapp.tui.screens.review import Phase

    question = review.item.question
    if question.kind.is_choice_like:
        await pilot.press("1", "enter")
    elif question.kind is Kind.NUMERIC:
        await pilot.press("0", "enter")
    elif question.kind is Kind.SHAPE:
        await pilot.press("1", "x", "1", "enter")
    else:
        await pilot.press("enter")
    await wait_for_phase(pilot, review, Phase.FEEDBACK)
    before = review.item
    await pilot.press("4")
    await wait_for(
        pilot,
        lambda: (
            not review.is_attached  # the session finished
            or (review.phase is not Phase.BUSY and review.item is not before)
        ),
    )


async def skip_to(pilot, review, question_id: str) -> None:
    while review.item.question.id != question_id:
        await answer_and_move_on(pilot, review)
