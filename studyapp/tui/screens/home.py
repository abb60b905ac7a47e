"""Home: what is due, today's work, the streak, the exam countdown, and how to start.

It is the first frame of the app, drawn before the database is open; its numbers arrive
from a worker (``show_summary``) and are refreshed whenever the learner comes back to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Label, Static

from studyapp.i18n import _
from studyapp.tui.screens.base import StudyScreen

if TYPE_CHECKING:
    from studyapp.exam import Readiness
    from studyapp.home import HomeSummary

PENDING = "…"


class HomeScreen(StudyScreen):
    SCREEN_NAME = "Home"
    SCREEN_HELP = (
        "Today's numbers. Start the review with r or Enter: due questions first, then new "
        "ones up to the daily limit. Browse questions by syllabus section or course day, "
        "and start a drill there. m takes a timed mock exam. With an exam date set, the "
        "recall predicted for exam day and the reviews a day the last week takes are shown here."
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("r,enter", "app.start_review", "Start review", id="home.start_review"),
        Binding("b", "app.browse", "Browse", id="home.browse"),
        Binding("m", "app.mock_exam", "Mock exam", id="home.mock_exam"),
        Binding("p", "app.report", "Report", id="home.report"),
        Binding("comma", "app.settings", "Settings", id="home.settings"),
    ]

    summary: HomeSummary | None = None  # None until the database has answered
    readiness: Readiness | None = None  # None until computed, or without an exam date

    class SummaryReady(Message):
        def __init__(self, summary: HomeSummary):
            super().__init__()
            self.summary = summary

    class ReadinessReady(Message):
        def __init__(self, readiness: Readiness | None):
            super().__init__()
            self.readiness = readiness

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="home"):
            with Vertical(id="home-today") as today:
                today.border_title = _("Today")
                with Grid(id="home-numbers"):
                    for key, label in self._rows():
                        yield Label(label, id=f"home-{key}-label", classes="home-label")
                        yield Label(PENDING, id=f"home-{key}", classes="home-value")
            yield Static(id="home-message")
            with Vertical(id="home-start") as start:
                start.border_title = _("How to study")
                yield Grid(id="home-keys")

    def _rows(self) -> list[tuple[str, str]]:
        return [
            ("due", _("Due now")),
            ("new", _("New today")),
            ("reviewed", _("Answered today")),
            ("streak", _("Streak")),
            ("exam", _("Exam")),
            ("readiness", _("Exam-day recall")),
            ("bank", _("Questions studied")),
        ]

    def on_mount(self) -> None:
        self.call_after_refresh(self._show_keys)

    def _show_keys(self) -> None:
        """How to start, with the keys as bound now (keymap.toml may have changed them)."""
        bound: dict[str, list[str]] = {}
        for _node, binding, _enabled, _tooltip in self.active_bindings.values():
            if binding.id:
                bound.setdefault(binding.id, []).append(self.app.get_key_display(binding))
        rows = [
            (" / ".join(bound.get("home.start_review", [])), _("start today's review")),
            ("1–9, ⏎", _("choose options and answer")),
            ("1–4, space", _("rate your answer (Again, Hard, Good, Easy)")),
            (" / ".join(bound.get("home.browse", [])), _("browse questions, start a drill")),
            (" / ".join(bound.get("home.mock_exam", [])), _("a timed mock exam")),
            (" / ".join(bound.get("home.report", [])), _("progress report: where you stand")),
            (" / ".join(bound.get("home.settings", [])), _("settings")),
            (" / ".join(bound.get("app.help", [])), _("the keys of any screen")),
            (" / ".join(bound.get("app.command_palette", [])), _("every command by name")),
        ]
        grid = self.query_one("#home-keys", Grid)
        grid.remove_children()
        grid.mount_all(
            widget
            for keys, description in rows
            for widget in (Label(keys, classes="home-key"), Label(description))
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "back"  # home is the bottom of the stack

    async def retranslate(self) -> None:
        self.sub_title = self.screen_title()
        await self.recompose()
        self._show_keys()
        self.refresh_summary()

    def on_screen_resume(self) -> None:
        if self.app.store is not None:
            self.refresh_summary()
        if self.app.bank_synced:
            self.refresh_readiness()  # answers given or the exam date changed meanwhile

    @work(thread=True, exclusive=True, group="home", exit_on_error=False)
    def refresh_summary(self) -> None:
        from studyapp.home import home_summary

        self.post_message(self.SummaryReady(home_summary(self.app.store, now=self.app.clock())))

    def on_home_screen_summary_ready(self, message: SummaryReady) -> None:
        self.show_summary(message.summary)

    @work(thread=True, exclusive=True, group="readiness", exit_on_error=False)
    def refresh_readiness(self) -> None:
        """Recall predicted for exam day: it reads the bank and every card, so it runs only
        once the bank is synced, never before the home numbers are shown."""
        from studyapp.exam import readiness

        store = self.app.store
        scheduler = store.scheduler
        found = None
        if scheduler.settings.exam_date is not None:  # else no need to read the bank
            found = readiness(scheduler, store.bank().questions, self.app.clock())
        self.post_message(self.ReadinessReady(found))

    def on_home_screen_readiness_ready(self, message: ReadinessReady) -> None:
        self.readiness = message.readiness
        self._show_readiness()

    def _show_readiness(self) -> None:
        """The exam-day row, while the home numbers say an exam is ahead ("…" until the
        readiness is computed). Drawn from the data, so a change of language redraws it."""
        summary, found = self.summary, self.readiness
        ahead = (
            summary is not None
            and summary.days_to_exam is not None
            and summary.days_to_exam >= 0  # not for a past exam
        )
        for widget in self.query("#home-readiness-label, #home-readiness"):
            widget.display = ahead
        if not ahead or found is None:
            return
        text = _("{recall} predicted (target {target})").format(
            recall=f"{found.predicted_recall:.0%}", target=f"{found.target_recall:.0%}"
        )
        if found.on_track:
            text += " · " + _("on track")
        else:
            text += " · " + _("{answers} reviews a day in the last week").format(
                answers=found.final_week_reviews_per_day
            )
        self.query_one("#home-readiness", Label).update(text)

    def show_summary(self, summary: HomeSummary) -> None:
        self.summary = summary
        values = {
            "due": _("{due} (learning {learning} · reviews {reviews})").format(
                due=summary.due_now, learning=summary.learning_due, reviews=summary.reviews_due
            ),
            "new": str(summary.new_today),
            "reviewed": str(summary.reviewed_today),
            "streak": _("{days} days").format(days=summary.streak_days),
            "exam": self._exam_text(summary),
            "bank": _("{seen} of {total} (suspended {suspended} · leeches {leeches})").format(
                seen=summary.seen_questions,
                total=summary.total_questions,
                suspended=summary.suspended,
                leeches=summary.leeches,
            ),
        }
        for key, text in values.items():
            self.query_one(f"#home-{key}", Label).update(text)
        self._show_readiness()
        self.query_one("#home-message", Static).update(self._message(summary))
        self.call_after_refresh(self.app.startup_usable)

    def _exam_text(self, summary: HomeSummary) -> str:
        if summary.exam_date is None or summary.days_to_exam is None:
            return _("no date set (settings: ,)")
        days = summary.days_to_exam
        when = summary.exam_date.isoformat()
        if days > 0:
            return _("{when}: in {days} days").format(when=when, days=days)
        if days == 0:
            return _("{when}: today. Good luck!").format(when=when)
        return _("{when}: {days} days ago").format(when=when, days=-days)

    def _message(self, summary: HomeSummary) -> str:
        if summary.total_questions == 0:
            return _("The question bank is empty or not synced yet.")
        if summary.due_now or summary.new_today:
            return _("Press r or Enter to start today's review.")
        return _("Nothing is due now. Come back later, or press b to drill a topic.")
