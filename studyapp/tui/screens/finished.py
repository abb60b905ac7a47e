"""The end of a session: how many answered and right, time spent, ratings, by section."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from studyapp.grading import Rating
from studyapp.i18n import _
from studyapp.session import SessionKind, SessionSummary
from studyapp.tui.screens.base import StudyScreen
from studyapp.tui.widgets.feedback import rating_name


def format_duration(milliseconds: int) -> str:
    minutes, seconds = divmod(round(milliseconds / 1000), 60)
    if minutes:
        return _("{minutes} min {seconds} s").format(minutes=minutes, seconds=seconds)
    return _("{seconds} s").format(seconds=seconds)


class FinishedScreen(StudyScreen):
    SCREEN_NAME = "Session finished"
    SCREEN_HELP = "The results of the session just finished. Enter or Esc goes home."
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("enter,escape", "back", "Home", id="finished.home"),
    ]

    def __init__(self, summary: SessionSummary):
        super().__init__()
        self.summary = summary

    def compose_body(self) -> ComposeResult:
        summary = self.summary
        with VerticalScroll(id="finished"):
            with Vertical(id="finished-summary") as box:
                box.border_title = _("Well done") if summary.answered else _("Nothing to study")
                yield Static(self._headline(), id="finished-headline")
                if summary.answered:
                    yield Static(self._ratings(), id="finished-ratings")
            if summary.sections:
                yield Static(_("By syllabus section"), classes="section-title")
                table: DataTable = DataTable(id="finished-sections", cursor_type="none")
                table.add_columns(_("Section"), _("Answered"), _("Correct"), _("Accuracy"))
                for section in summary.sections:
                    table.add_row(
                        f"{section.section} {section.name}",
                        section.answered,
                        section.correct,
                        _percent(section.accuracy),
                    )
                yield table

    def _headline(self) -> str:
        summary = self.summary
        if not summary.answered:
            if summary.kind is SessionKind.REVIEW:
                return _(
                    "Nothing is due now and today's new questions are done. "
                    "Come back later, or browse (b) to drill a topic."
                )
            return _("This drill has no questions to answer.")
        return _("{answered} answered · {correct} correct ({accuracy}) · {time} answering").format(
            answered=summary.answered,
            correct=summary.correct,
            accuracy=_percent(summary.accuracy),
            time=format_duration(summary.time_ms),
        )

    def _ratings(self) -> str:
        return "   ".join(
            f"{rating_name(rating)} {self.summary.ratings.get(rating, 0)}" for rating in Rating
        )


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"
