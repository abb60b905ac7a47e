"""The mock exam end to end, driven by Pilot: start, answer, flag, move, finish, walk through;
leave and resume; the clock running out; readiness for exam day on the home screen."""

from __future__ import annotations

from datetime import date, timedelta

from textual.widgets import Checkbox, Input

from studyapp.store import open_store
from studyapp.tui.app import StudyApp
from studyapp.tui.commands import StudyCommands
from studyapp.tui.screens.confirm import ConfirmScreen
from studyapp.tui.screens.demo import DemoScreen
from studyapp.tui.screens.exam_results import ExamResultsScreen
from studyapp.tui.screens.help import HelpScreen
from studyapp.tui.screens.home import HomeScreen
from studyapp.tui.screens.mock_exam import (
    ExamOverviewScreen,
    ExamPhase,
    ExamScreen,
    FinishExamDialog,
)
from studyapp.tui.screens.settings import SettingsScreen
from studyapp.tui.widgets.plot import PlotView
from studyapp.tui.widgets.question import ChoiceRow

from .conftest import NOW, app_ready, reviews_in, text, wait_for
from .mock_exam_support import (
    EXAM_ORDER,
    answer_exam_question,
    draw_in_a_fixed_order,
    exam_shown,
    open_start_screen,
    start_exam,
)


def status(exam: ExamScreen) -> tuple[str, str, str]:
    return tuple(text(exam.query_one(f"#exam-{part}")) for part in ("timer", "position", "counts"))


def chosen(screen) -> list[str]:
    return [row.choice.key for row in screen.query(ChoiceRow) if row.has_class("-chosen")]


async def test_a_mock_exam_from_home_to_the_walk_through(make_app, config, monkeypatch):
    draw_in_a_fixed_order(monkeypatch)
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        start = await open_start_screen(pilot)
        assert (
            text(start.query_one("#exam-start-limit"))
            == "制限時間: 6 分  （出題できる問題は 5 問）"
        )
        await pilot.press("1")
        assert start.query_one("#exam-count", Input).value == "20"
        await pilot.press("enter")
        exam = await exam_shown(pilot)
        assert [item.question.id for item in exam.exam.items] == list(EXAM_ORDER)
        assert status(exam) == ("⏱ 残り 06:00", "問題 1 / 5", "回答 0 · フラグ 0")
        assert exam.query_one("#exam-timer").has_class("-low")  # under 10 minutes
        assert not exam.query(".verdict")  # no feedback during the exam

        # 1: right, flagged; 2: wrong; 3: skipped; 4 and 5: right (typed answers).
        await pilot.press("1", "2", "f")
        assert chosen(exam) == ["A", "B"]
        assert status(exam)[1:] == ("問題 1 / 5  ⚑ フラグ", "回答 1 · フラグ 1")
        await pilot.press("n")
        await answer_exam_question(pilot, exam, right=False)
        await pilot.press("n")
        assert exam.exam.index == 3
        await answer_exam_question(pilot, exam, right=True)
        await answer_exam_question(pilot, exam, right=True)
        assert status(exam)[1:] == ("問題 1 / 5  ⚑ フラグ", "回答 4 · フラグ 1")

        await pilot.press("j")  # the next unanswered or flagged: 3
        assert exam.exam.index == 2
        await pilot.press("p")
        assert exam.exam.index == 1
        await pilot.press("backspace")  # 2 is unanswered again
        assert status(exam)[2] == "回答 3 · フラグ 1"

        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, ExamOverviewScreen))
        overview = app.screen
        assert text(overview.query_one("#exam-overview-counts")) == "回答 3 · フラグ 1 · 未回答 2"
        cells = [str(cell).strip() for cell in overview.query_one("#exam-grid").get_row_at(0)]
        assert cells == ["1 ✓⚑", "2 ·", "3 ·", "4 ✓", "5 ✓"]
        await pilot.press("right", "enter")
        await wait_for(pilot, lambda: app.screen is exam)
        assert exam.exam.index == 2
        await pilot.press("1")  # 3: wrong

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, FinishExamDialog))
        dialog = app.screen
        assert text(dialog.query_one("#confirm-question")) == (
            "試験を終了して採点しますか？ 5 問中 1 問が未回答です。"
        )
        assert dialog.query_one(Checkbox).value is False
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExamResultsScreen))
        results = app.screen
        await pilot.pause()
        assert text(results.query_one("#exam-score-headline")) == "5 問中 3 問正解（60%）"
        details = text(results.query_one("#exam-score-details"))
        assert details.startswith("時間 0 秒 / 6 分 · 未回答 1 · フラグ 1\n")
        assert "記録していません" in details
        plot = results.query_one(PlotView).plot
        assert plot["series"]["%"] == [50, 100]
        assert [label.split()[1] for label in plot["x"]] == ["3-1", "3-4"]

        # The walk-through: every question in order, then the ones missed, and a demo.
        await pilot.press("n")
        assert text(results.query_one("#exam-walk-title")) == "問題 1 / 5 · ⚑ フラグ付き"
        assert text(results.query_one(".verdict")) == "✓ 正解"
        assert chosen(results) == ["A", "B"]
        await pilot.press("j")
        assert text(results.query_one("#exam-walk-title")) == "問題 2 / 5 · 未回答"
        assert not results.query(".verdict")
        await pilot.press("j")
        assert results.index == 2
        assert text(results.query_one(".verdict")) == "✗ 不正解"
        wrong = [row.choice.key for row in results.query(ChoiceRow) if row.has_class("-wrong")]
        assert wrong == ["A"]
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DemoScreen))
        demo = app.screen
        assert demo.question.id == "tui-sigmoid-reason"
        await wait_for(pilot, lambda: text(demo.query_one(".claim")).startswith("✓"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is results)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        with open_store(config, sync=False) as store:
            assert store.scheduler.cards(EXAM_ORDER) == {}  # not counted as reviews
    answers = {question_id: correct for question_id, _rating, correct in reviews_in(config)}
    first, cleared, third, fourth, fifth = EXAM_ORDER
    # The second question's answer was cleared: it scores 0 but is not logged as an answer.
    assert answers == {first: True, third: False, fourth: True, fifth: True}
    assert cleared not in answers


async def test_leaving_asks_first_and_the_exam_resumes_as_it_was(make_app, config, monkeypatch):
    draw_in_a_fixed_order(monkeypatch)
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        exam = await start_exam(pilot)
        await pilot.press("1", "f", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "m で再開できます" in text(app.screen.query_one("#confirm-question"))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is exam)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))

        start = await open_start_screen(pilot)
        await wait_for(pilot, lambda: start.query_one("#exam-start-resume").display)
        offer = text(start.query_one("#exam-start-resume"))
        assert offer.startswith("2026-03-02 03:00 に開始: 5 問中 1 問回答、残り 06:00。r で再開")
        await pilot.press("r")
        exam = await exam_shown(pilot)
        assert (exam.exam.answered, exam.exam.flagged) == (1, 1)
        assert chosen(exam) == ["A"]
        assert status(exam)[1] == "問題 1 / 5  ⚑ フラグ"
    assert reviews_in(config) == []  # nothing is graded before the end


async def test_when_time_runs_out_answers_close_and_the_finish_dialog_opens(config, monkeypatch):
    draw_in_a_fixed_order(monkeypatch)
    now = [NOW]
    app = StudyApp(config, clock=lambda: now[0])
    async with app.run_test(size=(110, 32)) as pilot:
        start = await open_start_screen(pilot)
        await pilot.press("tab", "3")  # any number of questions, typed
        assert text(start.query_one("#exam-start-limit")) == "制限時間: 3 分 36 秒"
        await pilot.press("enter")
        exam = await exam_shown(pilot)
        assert exam.item.question.kind.is_choice_like is False  # tui-sigmoid-max
        await pilot.press(*"0.25")  # kept as typed, without Enter
        assert exam.exam.answered == 1

        now[0] = NOW + timedelta(minutes=4)
        await wait_for(pilot, lambda: isinstance(app.screen, FinishExamDialog))
        assert text(app.screen.query_one("#confirm-question")) == (
            "時間切れです。 3 問中 2 問が未回答です。"
        )
        await pilot.press("n")  # back to read the questions; no more answers
        await wait_for(pilot, lambda: app.screen is exam)
        assert exam.phase is ExamPhase.TIME_UP
        assert status(exam)[0] == "⏱ 残り 00:00"
        assert text(exam.query_one("#exam-error")).startswith("時間切れです。回答は締め切りました")
        await pilot.press("n")
        assert exam.exam.index == 1
        assert not exam.check_action("choose", (1,)) and not exam.check_action("flag", ())

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, FinishExamDialog))
        await pilot.press("c")
        assert app.screen.query_one(Checkbox).value is True
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ExamResultsScreen))
        details = text(app.screen.query_one("#exam-score-details"))
        assert details.startswith("時間 3 分 36 秒 / 3 分 36 秒 · 未回答 2")
        assert "スケジュールが変わりました" in details
        counted = app.store.scheduler.cards([item.question.id for item in exam.exam.items])
    assert len(counted) == 1  # counted as reviews: the one answered question has a card


async def test_home_shows_the_recall_predicted_for_exam_day(make_app, config):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await app_ready(pilot)
        assert not app.home.query_one("#home-readiness").display  # no exam date

    with open_store(config, sync=False) as store:
        scheduler = store.scheduler
        scheduler.update_settings(scheduler.settings.replace(exam_date=date(2026, 3, 12)))
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await app_ready(pilot)
        readiness = app.home.query_one("#home-readiness")
        await wait_for(pilot, lambda: text(readiness) != "…")
        assert readiness.display and app.home.query_one("#home-readiness-label").display
        # Six questions, none studied, ten days left: each needs a review in the last week.
        assert text(readiness) == "予測 0%（目標 97%） · 試験前の 1 週間は 1 日 1 回の復習"

        # Clearing the date in the settings takes the row away on the way back home.
        await pilot.press("comma")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        app.screen.query_one("#setting-exam_date", Input).value = ""
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await wait_for(pilot, lambda: app.home.readiness is None)
        assert not readiness.display


async def test_every_exam_action_has_a_key_and_a_command(make_app, monkeypatch):
    draw_in_a_fixed_order(monkeypatch)
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await app_ready(pilot)
        assert "模擬試験" in [name for name, _key, _run in StudyCommands(app.screen).commands()]
        exam = await start_exam(pilot)
        names = [name for name, _key, _run in StudyCommands(exam).commands()]
        for expected in ("前へ", "次へ", "フラグ", "次の未回答・フラグ", "一覧", "採点"):
            assert expected in names
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = {row.ids: row.keys for row in app.screen.rows}
        assert keys["exam.previous"] == "←, p" and keys["exam.next"] == "→, n, ⏎"
        assert (keys["exam.flag"], keys["exam.next_open"], keys["exam.overview"]) == ("f", "j", "g")
        assert keys["exam.finish"] == "^s, f10"
        assert "exam.choose_1 … exam.choose_3" in keys  # tui-softmax-multi has 3 options
