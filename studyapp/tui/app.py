"""The study app: opens on the home screen at once and fills it from the database.

Start-up is kept short (DESIGN.md "Budgets"): the first frame needs only Textual and this
package. The database layer (SQLAlchemy), the bank sync and the review screen's modules load
in thread workers after the first frame; NumPy and the demos load only when a demo opens.
Actions that need the database (starting a review, browsing) wait for it if pressed early.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message

from studyapp.config import AppConfig
from studyapp.i18n import _, current_language, set_language
from studyapp.tui import wrapping
from studyapp.tui.commands import StudyCommands
from studyapp.tui.errors import ReportsWorkerErrors, describe_error
from studyapp.tui.keymap import KeymapError, default_keymap_path, load_keymap
from studyapp.tui.screens.base import StudyScreen
from studyapp.tui.screens.help import HelpScreen, key_rows
from studyapp.tui.screens.home import HomeScreen

if TYPE_CHECKING:
    from content.model import Question
    from data.sync import SyncReport
    from studyapp.home import HomeSummary
    from studyapp.session import StudySession
    from studyapp.store import Store

# NumPy, imported when a demo opens, must not start a BLAS thread per core: the machine is
# shared with the UI thread, and the demos are small.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# When set to a file name, the app appends its start-up times (JSON) there and exits once
# the home screen is usable: benchmarks/startup.py measures start-up this way.
STARTUP_REPORT_VARIABLE = "STUDYAPP_STARTUP_REPORT"

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class StoreOpened(Message):
    """The database is open and the home screen's numbers are computed."""

    def __init__(self, store: Store, summary: HomeSummary, language: str):
        super().__init__()
        self.store = store
        self.summary = summary
        self.language = language


class BankSynced(Message):
    """The background bank sync finished; ``report`` says what changed."""

    def __init__(self, report: SyncReport):
        super().__init__()
        self.report = report


class StudyApp(ReportsWorkerErrors, App[None]):
    TITLE = "studyapp"
    CSS_PATH = "studyapp.tcss"
    COMMANDS: ClassVar = {StudyCommands}
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("question_mark,f1", "help", "Keys", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", id="app.command_palette"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        config: AppConfig,
        *,
        clock: Clock | None = None,
        keymap_path: Path | None = None,
    ):
        wrapping.install()
        set_language(config.lang)
        super().__init__()
        self.config = config
        self.clock: Clock = clock or _utc_now
        self.keymap_path = keymap_path or default_keymap_path()
        self.store: Store | None = None
        self.bank_synced = False
        self._waiting_for_store: list[Callable[[], object]] = []
        self._started = time.perf_counter()
        self._startup_times: dict[str, float] = {}

    # -- start-up -------------------------------------------------------------------------

    def get_default_screen(self) -> HomeScreen:
        return HomeScreen()

    @property
    def home(self) -> HomeScreen:
        return self.screen_stack[0]  # the default screen, never popped

    def on_mount(self) -> None:
        self.apply_keymap_file()

    def apply_keymap_file(self) -> None:
        try:
            self.set_keymap(load_keymap(self.keymap_path))
        except KeymapError as error:
            self.notify(str(error), severity="warning", timeout=10)

    async def on_ready(self) -> None:
        self._startup_reached("first_screen")
        await self.show_quick_summary()
        self.open_store()

    async def show_quick_summary(self) -> None:
        """The home numbers through sqlite3, before SQLAlchemy is even imported.

        Importing SQLAlchemy costs as much as starting Textual; these few indexed queries
        take milliseconds, so they run right here rather than in a worker thread, where
        each of the many short GIL hand-overs to the busy UI thread would cost more than
        the queries themselves.
        """
        from studyapp.home import quick_home_summary

        found = quick_home_summary(self.config.db, self.config.profile, self.clock())
        if found is not None:
            summary, settings = found
            await self._use_stored_language(settings.language)
            self.home.show_summary(summary)

    async def _use_stored_language(self, language: str | None) -> None:
        """The profile's language setting applies unless --lang chose one."""
        if self.config.lang is None and language and language != current_language():
            await self.change_language(language)

    def startup_usable(self) -> None:
        """The home screen shows its numbers: the app is usable."""
        self._startup_reached("usable")

    def _startup_reached(self, stage: str) -> None:
        if stage in self._startup_times:
            return
        self._startup_times[stage] = time.time()
        self.log.info(f"start-up: {stage} after {time.perf_counter() - self._started:.3f} s")
        report = os.environ.get(STARTUP_REPORT_VARIABLE)
        if report and {"first_screen", "usable"} <= self._startup_times.keys():
            with open(report, "a", encoding="utf-8") as file:
                file.write(json.dumps(self._startup_times) + "\n")
            self.exit()

    @work(thread=True, exclusive=True, group="store", exit_on_error=False)
    def open_store(self) -> None:
        from studyapp.home import home_summary
        from studyapp.store import open_store

        store = open_store(self.config, sync=False)
        try:
            summary = home_summary(store, now=self.clock())
            language = store.scheduler.settings.language
        except BaseException:
            store.close()
            raise
        self.post_message(StoreOpened(store, summary, language))

    def worker_failed(self, worker) -> None:
        if worker.group == "store" and self.store is None:
            # Without a database there is nothing to study: leave with the reason (after
            # the first frame, so that no widget is half-mounted when the app closes).
            message = describe_error(worker.error)
            self.call_after_refresh(self.exit, return_code=1, message=message)
        elif worker.group == "sync":
            self._bank_ready()  # study what the database already has

    async def on_store_opened(self, message: StoreOpened) -> None:
        self.store = message.store
        await self._use_stored_language(message.language)
        self.home.show_summary(message.summary)
        self.sync_bank()

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def sync_bank(self) -> None:
        report = self.store.sync()
        self.post_message(BankSynced(report))
        # Load the review screen's modules now, while the learner reads the home screen.
        import studyapp.tui.screens.review  # noqa: F401

    def on_bank_synced(self, message: BankSynced) -> None:
        report = message.report
        if report.added or report.updated or report.retired or report.restored:
            self.home.refresh_summary()
        if report.problems:
            self.notify(
                _("{count} problems in the question bank; run 'studyapp bank check'.").format(
                    count=len(report.problems)
                ),
                severity="warning",
            )
        self._bank_ready()

    def _bank_ready(self) -> None:
        self.bank_synced = True
        self.home.refresh_readiness()  # it needs the synced bank
        waiting, self._waiting_for_store = self._waiting_for_store, []
        for callback in waiting:
            self.call_later(callback)

    def when_ready(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` now if the database is open and the bank synced, else then."""
        if self.store is not None and self.bank_synced:
            self.call_later(callback)
        else:
            if not self._waiting_for_store:
                self.notify(_("Opening the database…"), timeout=2)
            self._waiting_for_store = [callback]  # the latest request wins

    async def change_language(self, language: str) -> None:
        """Switch the interface language now: the home screen is rebuilt in it."""
        set_language(language)
        await self.go_home()
        await self.home.retranslate()

    # -- navigation -----------------------------------------------------------------------

    async def go_home(self) -> None:
        while len(self.screen_stack) > 1:
            await self.pop_screen()

    async def action_go_home(self) -> None:
        await self.go_home()

    def action_start_review(self) -> None:
        self.when_ready(self._open_review)

    async def _open_review(self) -> None:
        from studyapp.session import StudySession
        from studyapp.tui.screens.review import ReviewScreen

        await self.go_home()
        store, clock = self.store, self.clock
        self.push_screen(ReviewScreen(lambda: StudySession.review(store, clock=clock)))

    def start_drill(
        self, *, title: str, section: str | None = None, course_part: str | None = None
    ) -> None:
        """A drill on a syllabus section or course part; it does not move the schedule."""
        from studyapp.session import StudySession
        from studyapp.tui.screens.review import ReviewScreen

        store, clock = self.store, self.clock

        def drill() -> StudySession:
            return StudySession.drill(store, section=section, course_part=course_part, clock=clock)

        self.push_screen(ReviewScreen(drill, title=title))

    def action_browse(self) -> None:
        def open_browse() -> None:
            from studyapp.tui.screens.browse import BrowseScreen

            self.push_screen(BrowseScreen())

        self.when_ready(open_browse)

    def action_settings(self) -> None:
        def open_settings() -> None:
            from studyapp.tui.screens.settings import SettingsScreen

            self.push_screen(SettingsScreen())

        self.when_ready(open_settings)

    def action_report(self) -> None:
        def open_report() -> None:
            from studyapp.tui.screens.report import ReportScreen

            self.push_screen(ReportScreen())

        self.when_ready(open_report)

    def action_mock_exam(self) -> None:
        self.when_ready(self._open_mock_exam)

    async def _open_mock_exam(self) -> None:
        from studyapp.tui.screens.mock_exam import ExamStartScreen

        await self.go_home()
        self.push_screen(ExamStartScreen())

    def open_demo(self, question: Question) -> None:
        """The demo of ``question``, with the question's parameters and claims."""
        from studyapp.tui.screens.demo import DemoScreen

        self.push_screen(DemoScreen(question))

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        if isinstance(screen, StudyScreen):
            title, introduction = _(screen.SCREEN_NAME), _(screen.SCREEN_HELP)
        else:
            title, introduction = self.title, ""
        self.push_screen(HelpScreen(title, introduction, key_rows(screen), self.keymap_path))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "help":
            return not isinstance(self.screen, HelpScreen)
        return True


def cap_blas_threads() -> None:
    for variable in BLAS_THREAD_VARIABLES:
        os.environ[variable] = "1"


def run_app(config: AppConfig) -> int:
    """Run the TUI until the learner quits; returns the exit code."""
    cap_blas_threads()
    app = StudyApp(config)
    try:
        app.run()
    finally:
        if app.store is not None:
            app.store.close()
    return app.return_code or 0
