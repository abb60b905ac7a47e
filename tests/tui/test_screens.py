"""Demo, browse, settings, help, the command palette, keys and quitting, driven by Pilot."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, OptionList

from studyapp.tui.app import BLAS_THREAD_VARIABLES, cap_blas_threads
from studyapp.tui.commands import StudyCommands
from studyapp.tui.screens.browse import BrowseScreen
from studyapp.tui.screens.demo import DemoScreen
from studyapp.tui.screens.help import HelpScreen
from studyapp.tui.screens.home import HomeScreen
from studyapp.tui.screens.preview import PreviewScreen
from studyapp.tui.screens.review import Phase, ReviewScreen
from studyapp.tui.screens.settings import SettingsScreen

from .conftest import (
    TEST_BANK,
    app_ready,
    skip_to,
    start_review,
    text,
    wait_for,
    wait_for_phase,
)


def demo_ran(screen: DemoScreen) -> bool:
    return screen.query_one("#demo-values", DataTable).row_count > 0 and not screen.has_class(
        "-running"
    )


def value_cell(screen: DemoScreen, name: str) -> str:
    return str(screen.query_one("#demo-values", DataTable).get_row(name)[1])


async def test_d_opens_the_demo_with_the_questions_parameters_and_its_claims(make_app):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        review = await start_review(pilot)
        await skip_to(pilot, review, "tui-conv-shape")
        assert not review.check_action("demo", ())  # not before the answer
        await pilot.press("7", "x", "7", "enter")
        await wait_for_phase(pilot, review, Phase.FEEDBACK)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DemoScreen) and demo_ran(app.screen))
        demo = app.screen
        assert demo.query_one("#param-H", Input).value == "6"
        assert demo.query_one("#param-pad", Input).value == "1"
        claims = [text(claim) for claim in demo.query(".claim")]
        assert claims == ["✓ out_h == 7   値: 7", "✓ out_w == 7   値: 7"]
        assert value_cell(demo, "out_h") == "7"
        assert str(demo.query_one("#demo-values", DataTable).get_row("out_h")[0]) == "★ out_h"

        # Changing a parameter re-runs the demo; the claims are about the question's values.
        demo.query_one("#param-H", Input).value = "8"
        await wait_for(pilot, lambda: value_cell(demo, "out_h") == "9")
        assert [text(claim)[0] for claim in demo.query(".claim")] == ["✗", "✓"]
        demo.query_one("#param-H", Input).value = "0"
        await wait_for(pilot, lambda: text(demo.query_one("#demo-error")))
        assert text(demo.query_one("#demo-error")).startswith("実行していません: ")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: value_cell(demo, "out_h") == "7")

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is review)
        assert review.phase is Phase.FEEDBACK


@pytest.mark.parametrize(
    ("trusted", "expected"), [(True, "[0.3775 0.6225]"), (False, "実行していません")]
)
async def test_code_question_runs_its_options_only_for_a_trusted_bank(make_app, trusted, expected):
    app = make_app(config={"trust_bank": trusted})
    async with app.run_test(size=(110, 32)) as pilot:
        await app_ready(pilot)
        question = next(q for q in app.store.bank().questions if q.id == "tui-softmax-code")
        app.open_demo(question)
        await wait_for(pilot, lambda: len(app.screen.query("#demo-options > *")) >= 2)
        shown = "\n".join(text(row) for row in app.screen.query("#demo-options > *"))
        assert "exp_x = np.exp(x - x.max())" in shown
        assert expected in shown, shown


async def test_browse_filters_by_section_and_text_opens_a_question_and_drills(make_app):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await app_ready(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, BrowseScreen) and app.screen.shown)
        browse = app.screen
        assert len(browse.shown) == 6
        groups = browse.query_one("#browse-groups", OptionList)
        groups.highlighted = groups.get_option_index("section:3-4")
        await wait_for(pilot, lambda: [q.id for q in browse.shown] == ["tui-conv-shape"])
        groups.highlighted = 0
        await pilot.press("slash")
        await pilot.press(*"softmax")
        await wait_for(pilot, lambda: len(browse.shown) == 2)
        await pilot.press("enter")  # from the search to the table
        assert app.focused is browse.query_one("#browse-questions")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen))
        assert app.screen.question.id == "tui-softmax-multi"
        assert "正解: A, B" in text(app.screen.query_one(".answers"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is browse)

        groups.highlighted = groups.get_option_index("course:Day2")
        await pilot.press("t")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ReviewScreen) and app.screen.phase is Phase.ANSWERING,
        )
        assert app.screen.sub_title == "ドリル: Day2"
        assert app.screen.item.question.course.startswith("Day2")


async def test_settings_validate_in_one_sentence_and_save(make_app):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await app_ready(pilot)
        await pilot.press("comma")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        settings = app.screen
        retention = settings.query_one("#setting-desired_retention", Input)
        retention.value = "abc"
        await pilot.press("ctrl+s")
        error = settings.query_one("#settings-error")
        assert text(error) == "目標正答率: 0.9 のような数値を入力してください。"
        retention.value = "1.5"
        await pilot.press("ctrl+s")
        assert text(error).startswith("目標正答率: 1.5 is outside 0.70–0.99")
        retention.value = "0.85"
        settings.query_one("#setting-new_per_day", Input).value = "5"
        settings.query_one("#setting-exam_date", Input).value = "2026-03-12"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        saved = app.store.scheduler.settings
        assert (saved.desired_retention, saved.new_per_day) == (0.85, 5)
        await wait_for(pilot, lambda: text(app.screen.query_one("#home-new")) == "5")
        assert text(app.screen.query_one("#home-exam")) == "2026-03-12（あと 10 日）"


async def test_switching_the_language_applies_at_once(make_app):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await app_ready(pilot)
        await pilot.press("comma")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        app.screen.query_one("#setting-language").value = "en"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await wait_for(pilot, lambda: app.screen.sub_title == "Home")
        assert text(app.screen.query_one("#home-new")) == "6"
        assert text(app.screen.query("KeyHint").first()).endswith("Start review")


async def test_help_shows_the_keys_of_the_current_screen(make_app):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        review = await start_review(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        ids = [row.ids for row in app.screen.rows]
        assert "review.submit" in ids and "review.choose_1 … review.choose_3" in ids
        assert "review.rate_good" not in ids  # rating keys work only after the answer
        await pilot.press("escape")
        await pilot.press("2", "enter")
        await wait_for_phase(pilot, review, Phase.FEEDBACK)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = {row.ids: row for row in app.screen.rows}
        assert rows["review.rate_good"].description == "正解"
        assert rows["review.demo"].keys == "d"


async def test_command_palette_offers_every_action_of_the_screen(make_app):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await app_ready(pilot)
        names = [name for name, _key, _callback in StudyCommands(app.screen).commands()]
        for expected in (
            "復習を始める",
            "問題一覧",
            "設定",
            "キー一覧",
            "終了",
            "配色テーマを変える",
        ):
            assert expected in names
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"設定")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))


async def test_keymap_file_remaps_keys_and_a_bad_file_is_one_notification(make_app, tmp_path):
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[keymap]\nhome.start_review = "x"\n', encoding="utf-8")
    app = make_app(keymap_path=keymap)
    async with app.run_test(size=(110, 32)) as pilot:
        await app_ready(pilot)
        await pilot.press("r")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))

    keymap.write_text("[keymap\n", encoding="utf-8")
    app = make_app(keymap_path=keymap)
    async with app.run_test(size=(110, 32)) as pilot:
        await app_ready(pilot)
        messages = [notification.message for notification in app._notifications]
        assert len(messages) == 1 and "正しい TOML ではありません" in messages[0]
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))


async def test_ctrl_q_quits(make_app):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        review = await start_review(pilot)
        assert review.is_attached
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_an_unusable_database_exits_with_one_sentence(make_app, config, tmp_path):
    config.db = str(tmp_path)  # a directory, not a database file
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code == 1


def test_start_up_imports_neither_numpy_nor_the_engine(tmp_path):
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from studyapp.config import AppConfig
        from studyapp.tui.app import StudyApp

        async def main():
            config = AppConfig.resolve(db={str(tmp_path / "s.db")!r}, banks=[{str(TEST_BANK)!r}])
            app = StudyApp(config)
            async with app.run_test() as pilot:
                while not (app.bank_synced and app.home.summary):
                    await pilot.pause(0.05)
                await app.workers.wait_for_complete()
            heavy = [m for m in ("numpy", "engine", "engine.demos") if m in sys.modules]
            assert not heavy, heavy

        asyncio.run(main())
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_blas_threads_are_capped_before_numpy_loads(monkeypatch):
    for variable in BLAS_THREAD_VARIABLES:
        monkeypatch.setenv(variable, "8")
    cap_blas_threads()
    import os

    assert {os.environ[variable] for variable in BLAS_THREAD_VARIABLES} == {"1"}
