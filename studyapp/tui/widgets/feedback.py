"""After an answer: right or wrong, the expected answer, the explanation, the demo link;
and the four rating buttons with the interval each would schedule."""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Markdown, Static

from content.model import DemoLink, Kind, Question
from studyapp.grading import Grade, Rating
from studyapp.i18n import _
from studyapp.tui.widgets.question import inline_content, question_markdown


def rating_name(rating: Rating) -> str:
    return {
        Rating.AGAIN: _("Again"),
        Rating.HARD: _("Hard"),
        Rating.GOOD: _("Good"),
        Rating.EASY: _("Easy"),
    }[rating]


def demo_call(link: DemoLink) -> str:
    """The demo as the bank writes it: ``conv-output-size H=6 W=6 pad=1``."""
    params = " ".join(f"{name}={json.dumps(value)}" for name, value in link.params.items())
    return f"{link.demo_id} {params}".strip()


class AnswerFeedback(Vertical):
    """The verdict, the expected answer, the explanation (解説) and the demo link.

    Without a grade (the read-only preview) it shows the answer without a verdict.
    """

    def __init__(self, question: Question, grade: Grade | None):
        super().__init__(id="feedback")
        self.question = question
        self.grade = grade

    def compose(self) -> ComposeResult:
        question, grade = self.question, self.grade
        if question.kind is Kind.TEXT:
            if grade is not None:
                yield Static(
                    _("Model answer: compare it with yours and rate yourself 1–4."),
                    classes="verdict -self",
                )
                if grade.response:
                    yield Static(Content.assemble((_("Your answer: "), "bold"), grade.response))
            else:
                yield Static(_("Model answer"), classes="verdict -self")
            yield Markdown(question_markdown(question.answer), classes="model-answer")
        else:
            if grade is not None:
                verdict = _("✓ Correct") if grade.correct else _("✗ Not quite")
                classes = "verdict " + ("-correct" if grade.correct else "-wrong")
                yield Static(verdict, classes=classes)
            yield Static(self._answers_line(), classes="answers")
        yield Static(_("Explanation"), classes="section-title")
        yield Markdown(question_markdown(question.explanation), classes="explanation")
        yield Static(
            Content.assemble(
                (_("Demo: "), "bold"),
                (demo_call(question.demo), "$text-accent"),
                "  ",
                (_("(d opens it)"), "dim"),
            ),
            classes="demo-link",
        )

    def _answers_line(self) -> Content:
        question, grade = self.question, self.grade
        if grade is not None:
            expected = grade.expected
        else:
            expected = f"{question.answer} {question.unit}".strip()
        if question.kind.is_choice_like:
            texts = {choice.key: choice.text for choice in question.choices}
            if question.kind is not Kind.MULTI and expected in texts:
                expected = f"{expected}. {texts[expected]}"
        parts: list[str | tuple[str, str] | Content] = []
        if grade is not None and grade.response:
            parts += [(_("Your answer: "), "bold"), grade.response, "   "]
        parts += [(_("Answer: "), "bold"), inline_content(expected)]
        return Content.assemble(*parts)


class RatingButton(Button, can_focus=False):
    """Keys do the rating (1–4, Space); the buttons show the intervals and take clicks."""

    def __init__(self, rating: Rating, interval: str, *, suggested: bool):
        label = f"{int(rating)} {rating_name(rating)}\n{interval}"
        super().__init__(label, id=f"rate-{int(rating)}", classes="rating", compact=True)
        self.rating = rating
        self.set_class(suggested, "-suggested")


class RatingBar(Horizontal):
    """Four buttons; the suggested rating (what Space takes) is highlighted."""

    def __init__(self, intervals: dict[Rating, str], suggested: Rating | None):
        super().__init__(id="ratings")
        self.intervals = intervals
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        for rating in Rating:
            yield RatingButton(rating, self.intervals[rating], suggested=rating == self.suggested)
