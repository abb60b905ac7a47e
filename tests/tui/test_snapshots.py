"""SVG snapshots of every screen (pytest-textual-snapshot), with a fixed clock and bank.

Update after a deliberate change of the look: ``pytest tests/tui/test_snapshots.py
--snapshot-update``, then check the SVGs in tests/tui/__snapshots__/ before committing.
"""

from __future__ import annotations

from datetime import date

from textual.widgets import Input

from studyapp.store import open_store
from studyapp.tui.screens.demo import DemoScreen
from studyapp.tui.screens.review import Phase

from .conftest import (
    answer_and_move_on,
    app_ready,
    skip_to,
    start_review,
    wait_for,
    wait_for_phase,
)
from .mock_exam_support import answer_exam_question, draw_in_a_fixed_order, start_exam
from .test_report_screen import open_report, record_history

WIDE = (110, 32)
SMALL = (80, 24)


async def steady(pilot) -> None:
    """No blinking cursor, no running worker: the same picture every time."""
    await pilot.app.workers.wait_for_complete()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


async def home(pilot) -> None:
    await app_ready(pilot)
    await steady(pilot)


async def choice_chosen(pilot) -> None:
    await start_review(pilot)
    await pilot.press("2")
    await steady(pilot)


async def choice_answered(pilot) -> None:
    review = await start_review(pilot)
    await pilot.press("1", "enter")
    await wait_for_phase(pilot, review, Phase.FEEDBACK)
    await steady(pilot)


async def numeric_typed(pilot) -> None:
    review = await start_review(pilot)
    await skip_to(pilot, review, "tui-sigmoid-max")
    await pilot.press("1", "/", "4")
    await steady(pilot)


async def text_revealed(pilot) -> None:
    review = await start_review(pilot)
    await skip_to(pilot, review, "tui-zero-init")
    await pilot.press("enter")
    await wait_for_phase(pilot, review, Phase.FEEDBACK)
    await steady(pilot)


async def demo_from_answer(pilot) -> None:
    review = await start_review(pilot)
    await skip_to(pilot, review, "tui-conv-shape")
    await pilot.press("7", "x", "7", "enter")
    await wait_for_phase(pilot, review, Phase.FEEDBACK)
    await pilot.press("d")
    app = pilot.app
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, DemoScreen) and app.screen.query("#demo-plots > *"),
    )
    await steady(pilot)


async def browse(pilot) -> None:
    await app_ready(pilot)
    await pilot.press("b")
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "shown", None))
    await pilot.press("down", "down", "enter")  # the second section with questions (3-2)
    await steady(pilot)


async def preview(pilot) -> None:
    await browse(pilot)
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen.query("#preview"))
    await steady(pilot)


async def settings_error(pilot) -> None:
    await app_ready(pilot)
    await pilot.press("comma")
    await wait_for(pilot, lambda: pilot.app.screen.query("#setting-new_per_day"))
    pilot.app.screen.query_one("#setting-new_per_day", Input).value = "many"
    await pilot.press("ctrl+s")
    await steady(pilot)


async def help_on_feedback(pilot) -> None:
    await choice_answered(pilot)
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: pilot.app.screen.query("#help-keys"))
    await steady(pilot)


async def suspend_confirmation(pilot) -> None:
    await start_review(pilot)
    await pilot.press("s")
    await wait_for(pilot, lambda: pilot.app.screen.query("#confirm-dialog"))
    await steady(pilot)


async def finished(pilot) -> None:
    review = await start_review(pilot)
    for _ in range(6):
        await answer_and_move_on(pilot, review)
    await wait_for(pilot, lambda: pilot.app.screen.query("#finished"))
    await steady(pilot)


def test_home(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=home)


def test_home_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=home)


def test_review_choice(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=choice_chosen)


def test_review_feedback(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=choice_answered)


def test_review_feedback_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=choice_answered)


def test_review_numeric_input(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=numeric_typed)


def test_review_text_revealed(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=text_revealed)


def test_demo(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=demo_from_answer)


def test_browse(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=browse)


def test_browse_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=browse)


def test_preview(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=preview)


def test_settings_validation(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=settings_error)


def test_help(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=help_on_feedback)


def test_suspend_confirmation(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=suspend_confirmation)


def test_session_finished(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=finished)


async def report(pilot) -> None:
    await open_report(pilot)
    await steady(pilot)


def test_report(snap_compare, make_app, config):
    record_history(config)
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=report)


def test_report_80x24(snap_compare, make_app, config):
    record_history(config)
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=report)


def test_report_empty(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=report)


def test_report_empty_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=report)


async def exam_question(pilot) -> None:
    await start_exam(pilot)
    await pilot.press("1", "f")  # an option of an "all that apply" question, flagged
    await steady(pilot)


async def exam_overview(pilot) -> None:
    exam = await start_exam(pilot)
    await pilot.press("1", "2", "f", "n")
    await answer_exam_question(pilot, exam, right=False)
    await pilot.press("g")
    await wait_for(pilot, lambda: pilot.app.screen.query("#exam-grid"))
    await steady(pilot)


async def exam_results(pilot) -> None:
    exam = await start_exam(pilot)
    for right in (True, False, True, True, False):
        await answer_exam_question(pilot, exam, right=right)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: pilot.app.screen.query("#exam-finish-reviews"))
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen.query("#exam-walk .question"))
    await steady(pilot)


async def home_with_readiness(pilot) -> None:
    await app_ready(pilot)
    readiness = pilot.app.home.query_one("#home-readiness")
    await wait_for(pilot, lambda: str(readiness.content) != "…")
    await steady(pilot)


def test_mock_exam(snap_compare, make_app, monkeypatch):
    draw_in_a_fixed_order(monkeypatch)
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=exam_question)


def test_mock_exam_80x24(snap_compare, make_app, monkeypatch):
    draw_in_a_fixed_order(monkeypatch)
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=exam_question)


def test_mock_exam_overview(snap_compare, make_app, monkeypatch):
    draw_in_a_fixed_order(monkeypatch)
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=exam_overview)


def test_mock_exam_results(snap_compare, make_app, monkeypatch):
    draw_in_a_fixed_order(monkeypatch)
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=exam_results)


def test_home_with_readiness(snap_compare, make_app, config):
    with open_store(config, sync=False) as store:
        scheduler = store.scheduler
        scheduler.update_settings(scheduler.settings.replace(exam_date=date(2026, 3, 12)))
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=home_with_readiness)
