"""The report screen: opened with p, walked with Tab and the arrows, drills, previews, export."""

from __future__ import annotations

import io
from datetime import date, timedelta

from rich.console import Console
from textual.command import CommandPalette
from textual.widgets import DataTable, Static

from studyapp.config import AppConfig
from studyapp.tui.commands import StudyCommands
from studyapp.tui.screens.home import HomeScreen
from studyapp.tui.screens.preview import PreviewScreen
from studyapp.tui.screens.report import ReportScreen
from studyapp.tui.screens.review import Phase, ReviewScreen

from .conftest import NOW, app_ready, text, wait_for

EXAM_DATE = date(2026, 4, 18)  # 47 days after NOW
QUESTIONS_STUDIED = ("tui-sigmoid-reason", "tui-sigmoid-max", "tui-softmax-multi", "tui-conv-shape")
# (days before NOW, question, rating): three weeks of study; conv-shape, forgotten twice in
# review, becomes a leech (threshold 2); two questions are never studied.
HISTORY = [
    *((20, question, 3) for question in QUESTIONS_STUDIED for _step in range(2)),
    (17, "tui-conv-shape", 1),
    (17, "tui-conv-shape", 3),
    (17, "tui-sigmoid-reason", 3),
    (12, "tui-sigmoid-max", 1),
    (12, "tui-sigmoid-max", 3),
    (12, "tui-conv-shape", 3),
    (9, "tui-softmax-multi", 3),
    (6, "tui-conv-shape", 1),
    (6, "tui-conv-shape", 3),
    (3, "tui-sigmoid-reason", 4),
    (2, "tui-sigmoid-max", 3),
    (1, "tui-conv-shape", 3),
]


def record_history(config: AppConfig) -> None:
    """Three weeks of answers, an exam date, and one finished mock exam, before NOW."""
    from studyapp.mock_exam import MockExam
    from studyapp.store import open_store

    with open_store(config) as store:
        scheduler = store.scheduler
        settings = scheduler.settings.replace(exam_date=EXAM_DATE, leech_threshold=2)
        scheduler.update_settings(settings)
        for index, (days_ago, question, rating) in enumerate(HISTORY):
            scheduler.record_answer(
                question,
                rating,
                correct=rating > 1,
                duration_ms=12_000 + 3_000 * (index % 5),
                at=NOW - timedelta(days=days_ago, hours=2, minutes=-index),  # 01:00 on
            )
        moments = (NOW - timedelta(days=4, seconds=-10 * n) for n in range(99))
        exam = MockExam.start(store, count=4, seed=2, clock=lambda: next(moments))
        for item in exam.items[:3]:  # three answered right, one left open
            question = item.question
            exam.answer(",".join(question.correct_keys) if question.choices else question.answer)
            exam.next()
        exam.finish()


def rendered(widget: Static) -> str:
    """What a Static shows, as plain text (the summary is a Rich grid)."""
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


async def open_report(pilot) -> ReportScreen:
    """Home → p; returns the report screen once it shows the report."""
    await app_ready(pilot)
    await pilot.press("p")
    app = pilot.app
    await wait_for(
        pilot, lambda: isinstance(app.screen, ReportScreen) and app.screen.query("#report-header")
    )
    await pilot.pause()
    return app.screen


async def test_p_opens_the_report_and_enter_on_a_section_drills_it(make_app, config):
    record_history(config)
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        report_screen = await open_report(pilot)
        summary = rendered(report_screen.query_one("#report-summary", Static))
        assert "4 of 6" not in summary  # Japanese, as the rest of the app
        assert "6 問中 4 問" in summary and "2026-04-18（あと 47 日）" in summary
        assert "試験日の想起率" in summary and "目標 97%" in summary
        sections = report_screen.query_one("#report-sections", DataTable)
        assert app.focused is sections and sections.row_count == 24
        assert str(sections.get_row_at(7)[0]) == "3-4 畳み込みニューラルネットワーク"
        recall_now, on_exam = (str(cell) for cell in sections.get_row_at(7)[4:6])
        assert recall_now.startswith("█████") and recall_now.endswith(" 96%")  # a bar and a figure
        assert on_exam.endswith(" 66%") and on_exam.count("█") < recall_now.count("█")
        await pilot.press(*["down"] * 7, "enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ReviewScreen) and app.screen.phase is Phase.ANSWERING,
        )
        drill = app.screen
        assert "3-4 畳み込みニューラルネットワーク" in drill.sub_title
        assert drill.item.question.id in ("tui-conv-shape", "tui-zero-init")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is report_screen)


async def test_tab_and_arrows_move_between_tables_and_enter_opens_a_weak_question(make_app, config):
    record_history(config)
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        report_screen = await open_report(pilot)
        tables = {name: report_screen.query_one(f"#report-{name}", DataTable) for name in (
            "sections", "course", "weakest", "leeches"
        )}  # fmt: skip
        await pilot.press("tab")
        assert app.focused is tables["course"]
        await pilot.press("up")  # above the first row: back to the section table's last row
        assert app.focused is tables["sections"] and tables["sections"].cursor_row == 23
        await pilot.press("down")  # below the last row: on to the next table
        assert app.focused is tables["course"] and tables["course"].cursor_row == 0
        await pilot.press(*["down"] * 6)
        assert app.focused is tables["weakest"]
        weakest = report_screen.report.weakest
        assert weakest[0].id == "tui-conv-shape"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen))
        assert app.screen.question.id == "tui-conv-shape"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is report_screen)
        # Enter on a course part drills it.
        tables["course"].focus()
        tables["course"].move_cursor(row=3)  # Day2
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        assert "Day2" in app.screen.sub_title


async def test_the_report_shows_mock_exams_and_charts(make_app, config):
    record_history(config)
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        report_screen = await open_report(pilot)
        mock = report_screen.query_one("#report-mock", DataTable)
        assert [str(cell) for cell in mock.get_row_at(0)][:3] == ["2026-02-26 03:00", "3/4", "75%"]
        assert not mock.can_focus  # nothing to do on it: Tab passes it by
        charts = [rendered(chart) for chart in report_screen.query(".report-chart")]
        assert len(charts) == 3  # mock exam scores, forecast, activity
        assert "75%" in charts[0] and "今日 … 30 日後" in charts[1] and "日" in charts[2]


async def test_e_exports_the_report_as_html_and_says_where(make_app, config, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    record_history(config)
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await open_report(pilot)
        await pilot.press("e")
        exported = tmp_path / "studyapp-report-2026-03-02.html"
        await wait_for(pilot, exported.exists)
        await wait_for(pilot, lambda: app._notifications)
        page = exported.read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and "模擬試験" in page
        messages = [notification.message for notification in app._notifications]
        assert any(str(exported) in message for message in messages), messages


async def test_an_empty_profile_gets_the_friendly_report_and_esc_goes_home(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        report_screen = await open_report(pilot)
        shown = text(report_screen.query_one("#report-empty", Static))
        assert "まだ回答がありません" in shown and "Esc でホーム画面に戻り、`r` キー" in shown
        assert not report_screen.query(DataTable)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))


async def test_the_command_palette_opens_the_report(make_app):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await app_ready(pilot)
        names = [name for name, _key, _callback in StudyCommands(app.screen).commands()]
        assert "進捗レポート" in names
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"進捗レポート")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
