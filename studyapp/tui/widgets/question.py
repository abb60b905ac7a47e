"""A question as the learner reads it: title, tags, body (Markdown, math as Unicode), options.

Shared by the review screen (options selectable) and the read-only preview (answer shown).
"""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Markdown, Static

from content.mathtext import to_unicode
from content.model import Choice, Kind, Question
from content.plaintext import markdown_to_text
from studyapp.i18n import _

_CODE_SPAN = re.compile(r"`([^`]+)`")


def kind_name(kind: Kind) -> str:
    return {
        Kind.CHOICE: _("single choice"),
        Kind.MULTI: _("multiple choice (all that apply)"),
        Kind.NUMERIC: _("numeric"),
        Kind.SHAPE: _("shape"),
        Kind.CODE: _("code"),
        Kind.TEXT: _("free text (self-graded)"),
    }[kind]


def inline_content(text: str) -> Content:
    """One line of bank Markdown for a label: plain text (emphasis and escapes resolved,
    math as Unicode), `code` spans highlighted."""
    parts: list[str | tuple[str, str]] = []
    for index, piece in enumerate(_CODE_SPAN.split(text)):
        if index % 2:
            parts.append((piece, "bold $text-accent"))
        elif piece.strip():
            # markdown_to_text trims; keep the spaces that separate prose from code.
            leading = piece[: len(piece) - len(piece.lstrip())]
            trailing = piece[len(piece.rstrip()) :]
            parts.append(leading + markdown_to_text(piece) + trailing)
        elif piece:
            parts.append(piece)
    return Content.assemble(*parts)


def question_markdown(text: str) -> str:
    """Bank Markdown ready for the Markdown widget: every formula as Unicode."""
    return to_unicode(text)


class ChoiceRow(Static):
    """One option: its number key, a marker (chosen or not), its letter and its text."""

    def __init__(self, number: int, choice: Choice, *, multi: bool):
        super().__init__()
        self.number = number
        self.choice = choice
        self.multi = multi

    def show(self, *, chosen: bool, revealed: bool) -> None:
        """Once ``revealed``, correct options get a ✓ and a wrong choice is marked."""
        marker = ("☑" if chosen else "☐") if self.multi else ("●" if chosen else "○")
        mark = ("✓ " if self.choice.correct else "  ") if revealed else ""
        self.set_class(chosen, "-chosen")
        self.set_class(revealed and self.choice.correct, "-correct")
        self.set_class(revealed and chosen and not self.choice.correct, "-wrong")
        self.update(
            Content.assemble(
                (f"{mark}{self.number} ", "bold"),
                f"{marker} {self.choice.key}. ",
                inline_content(self.choice.text),
            )
        )


class ChoiceList(Vertical):
    """The options of a choice, multi or code question; number keys pick them."""

    chosen: reactive[frozenset[str]] = reactive(frozenset(), init=False)
    revealed: reactive[bool] = reactive(False, init=False)

    def __init__(self, question: Question, *, revealed: bool = False):
        super().__init__()
        self.question = question
        self.multi = question.kind is Kind.MULTI
        self.set_reactive(ChoiceList.revealed, revealed)

    def compose(self) -> ComposeResult:
        for number, choice in enumerate(self.question.choices, start=1):
            yield ChoiceRow(number, choice, multi=self.multi)

    def on_mount(self) -> None:
        self._show()

    def pick(self, number: int) -> bool:
        """Choose option ``number`` (1-based): toggles for multi; False if there is none."""
        if not 1 <= number <= len(self.question.choices):
            return False
        key = self.question.choices[number - 1].key
        if self.multi:
            self.chosen = self.chosen ^ {key}
        else:
            self.chosen = frozenset({key})
        return True

    @property
    def response(self) -> str:
        """The chosen keys as the grader reads them, e.g. "A, C"."""
        return ", ".join(sorted(self.chosen))

    def watch_chosen(self) -> None:
        self._show()

    def watch_revealed(self) -> None:
        self._show()

    def _show(self) -> None:
        for row in self.query(ChoiceRow):
            row.show(chosen=row.choice.key in self.chosen, revealed=self.revealed)

    def on_click(self, event) -> None:
        row = event.widget
        if isinstance(row, ChoiceRow) and not self.revealed and not self.disabled:
            self.pick(row.number)


class QuestionView(Vertical):
    """Title, tags and body of a question, and its options when it has any."""

    def __init__(self, question: Question, *, revealed: bool = False, id: str | None = None):
        super().__init__(id=id, classes="question")
        self.question = question
        self.revealed = revealed

    def compose(self) -> ComposeResult:
        question = self.question
        yield Static(inline_content(question.title), classes="question-title")
        tags = [question.course, *question.syllabus, kind_name(question.kind)]
        yield Static(" · ".join(tags), classes="question-tags muted")
        yield Markdown(question_markdown(question.body), classes="question-body")
        if question.kind.is_choice_like:
            yield ChoiceList(question, revealed=self.revealed)

    @property
    def choices(self) -> ChoiceList | None:
        found = self.query(ChoiceList)
        return found.first() if found else None
