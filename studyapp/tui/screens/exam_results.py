"""A mock exam's results: the score, a bar per syllabus section, then every question in turn.

The walk-through shows each question as the review screen shows it after an answer (the
same question and feedback widgets): the options with the learner's choice and the right
one, the verdict, the explanation and the demo link (``d`` opens the demo).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from studyapp.i18n import _
from studyapp.mock_exam import ExamResult, GradedItem
from studyapp.tui.screens.base import StudyScreen
from studyapp.tui.screens.finished import format_duration
from studyapp.tui.screens.mock_exam import QuestionScroll, limit_text
from studyapp.tui.widgets.feedback import AnswerFeedback
from studyapp.tui.widgets.plot import PlotView
from studyapp.tui.widgets.question import QuestionView


class ExamResultsScreen(StudyScreen):
    SCREEN_NAME = "Mock exam results"
    SCREEN_HELP = (
        "Your score and how each syllabus section went, then every question in order with "
        "your answer, the right one and the explanation. → or n and ← or p walk through "
        "them, j goes to the next one you missed, d opens its demo; Esc goes home."
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("left,p", "walk(-1)", "Previous question", id="exam_results.previous"),
        Binding("right,n", "walk(1)", "Next question", id="exam_results.next"),
        Binding("j", "next_missed", "Next missed", id="exam_results.next_missed"),
        Binding("d", "demo", "Demo", id="exam_results.demo"),
        Binding("escape", "back", "Home", id="exam_results.home"),
    ]

    def __init__(self, result: ExamResult, minutes: float):
        super().__init__()
        self.result = result
        self.minutes = minutes
        self.index = 0
        self.walking = False  # False while the learner reads the score above the walk-through

    def compose_body(self) -> ComposeResult:
        result = self.result
        with QuestionScroll(id="exam-results"):
            with Vertical(id="exam-score") as box:
                box.border_title = _("Score")
                yield Static(
                    _("{correct} / {total} correct ({percent})").format(
                        correct=result.correct, total=result.total, percent=f"{result.score:.0%}"
                    ),
                    id="exam-score-headline",
                )
                yield Static(self._details(), id="exam-score-details")
            yield Static(_("By syllabus section (% correct)"), classes="section-title")
            yield PlotView(self._section_plot())
            yield Static(id="exam-walk-title", classes="section-title")
            yield Vertical(id="exam-walk")

    def _details(self) -> str:
        result = self.result
        # The clock stops at the time limit, even if the learner finished later.
        used = min(result.seconds, self.minutes * 60)
        unanswered = sum(item.response is None for item in result.items)
        flagged = sum(item.flagged for item in result.items)
        details = _("time {used} of {limit} · unanswered {unanswered} · flagged {flagged}").format(
            used=format_duration(round(used * 1000)),
            limit=limit_text(self.minutes),
            unanswered=unanswered,
            flagged=flagged,
        )
        if result.counted_as_reviews:
            counted = _("The answers were counted as reviews: your schedule moved.")
        else:
            counted = _("The answers were not counted as reviews: your schedule did not move.")
        return f"{details}\n{counted}"

    def _section_plot(self) -> dict:
        """Percent correct per section, as a demo plot's JSON form (a bar of 100 is full)."""
        sections = self.result.sections
        return {
            "kind": "bar",
            "x": [f"{s.correct:>3}/{s.total:<3} {s.section}" for s in sections],
            "series": {"%": [round(100 * s.rate) for s in sections]},
            "peak": 100,
        }

    async def on_mount(self) -> None:
        await self._show_item()
        self.query_one("#exam-results").focus()

    # -- the walk-through -----------------------------------------------------------------

    @property
    def item(self) -> GradedItem:
        return self.result.items[self.index]

    async def _show_item(self) -> None:
        item, question = self.item, self.item.question
        notes = [_("Question {number} / {total}").format(number=self.index + 1, total=self.total)]
        if item.response is None:
            notes.append(_("not answered"))
        if item.flagged:
            notes.append(_("⚑ you flagged it"))
        self.query_one("#exam-walk-title", Static).update(" · ".join(notes))
        walk = self.query_one("#exam-walk", Vertical)
        await walk.remove_children()
        await walk.mount_all(
            [QuestionView(question, revealed=True), AnswerFeedback(question, item.grade)]
        )
        choices = walk.query_one(QuestionView).choices
        if choices is not None and item.grade is not None:
            choices.chosen = frozenset(item.grade.response.split(", "))

    @property
    def total(self) -> int:
        return len(self.result.items)

    async def _go(self, index: int) -> None:
        self.index = index % self.total
        self.walking = True
        await self._show_item()
        title = self.query_one("#exam-walk-title")
        self.call_after_refresh(
            self.query_one("#exam-results").scroll_to_widget, title, animate=False, top=True
        )

    async def action_walk(self, step: int) -> None:
        if not self.walking:
            # The first step goes to the first question, shown below the score.
            await self._go(0 if step > 0 else self.total - 1)
        elif step < 0 and self.index == 0:
            self.walking = False
            self.query_one("#exam-results").scroll_home(animate=False)
        else:
            await self._go(self.index + step)

    async def action_next_missed(self) -> None:
        start = self.index + 1 if self.walking else 0
        for offset in range(self.total):
            index = (start + offset) % self.total
            if not self.result.items[index].correct:
                await self._go(index)
                return
        self.notify(_("Every answer was right."))

    def action_demo(self) -> None:
        self.app.open_demo(self.item.question)
