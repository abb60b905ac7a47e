"""A question read-only, with its answer, explanation and demo link (from Browse)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll

from content.model import Question
from studyapp.i18n import _
from studyapp.tui.screens.base import StudyScreen
from studyapp.tui.widgets.feedback import AnswerFeedback
from studyapp.tui.widgets.question import QuestionView


class PreviewScreen(StudyScreen):
    SCREEN_NAME = "Question"
    SCREEN_HELP = "A question with its answer and explanation, read-only. d opens its demo."
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("d", "demo", "Demo", id="preview.demo"),
    ]

    def __init__(self, question: Question):
        super().__init__()
        self.question = question

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="preview"):
            yield QuestionView(self.question, revealed=True)
            yield AnswerFeedback(self.question, None)

    def screen_title(self) -> str:
        return _("Question: {id}").format(id=self.question.id)

    def on_mount(self) -> None:
        self.query_one("#preview").focus()

    def action_demo(self) -> None:
        self.app.open_demo(self.question)
