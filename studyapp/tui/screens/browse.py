"""Browse the bank: by syllabus section (the 24 中項目) or course part, search by text or id,
open a question read-only or its demo, and start a drill on the chosen group."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from content.model import Bank, Question
from content.syllabus import COURSE_PARTS, SECTIONS, section_code
from studyapp.i18n import _
from studyapp.tui.screens.base import StudyScreen
from studyapp.tui.widgets.question import kind_name

TITLE_WIDTH = 34  # cells: long titles are cut so that kind and course stay in view


@dataclass(frozen=True)
class Group:
    """A set of questions to browse and drill: everything, a section, or a course part."""

    key: str  # "all", "section:3-4", "course:Day2"
    label: str

    def contains(self, question: Question) -> bool:
        kind, _sep, name = self.key.partition(":")
        if kind == "section":
            return name in (section_code(tag) for tag in question.syllabus)
        if kind == "course":
            return question.course_part == name
        return True

    def drill(self) -> dict[str, str]:
        """The keyword arguments of StudySession.drill for this group."""
        kind, _sep, name = self.key.partition(":")
        return {"section": name} if kind == "section" else {"course_part": name} if name else {}


def groups() -> list[Group]:
    return [
        Group("all", _("All questions")),
        *(Group(f"section:{code}", f"{code} {name}") for code, name in SECTIONS.items()),
        *(Group(f"course:{part}", part) for part in COURSE_PARTS),
    ]


def _searchable(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class BankLoaded(Message):
    def __init__(self, bank: Bank):
        super().__init__()
        self.bank = bank


class BrowseScreen(StudyScreen):
    SCREEN_NAME = "Browse"
    # Narrow terminals get a narrower group list (long section names wrap).
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]
    SCREEN_HELP = (
        "Choose a syllabus section or course part on the left, search by text or id with /, "
        "open a question with Enter, its demo with d, and drill the chosen group with t."
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("slash", "search", "Search", id="browse.search"),
        Binding("d", "demo", "Demo", id="browse.demo"),
        Binding("t", "drill", "Drill the group", id="browse.drill"),
    ]

    def __init__(self):
        super().__init__()
        self.questions: list[Question] = []
        self.group = groups()[0]
        self.shown: list[Question] = []

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="browse"):
            yield OptionList(id="browse-groups")
            with Vertical(id="browse-main"):
                yield Input(placeholder=_("Search text or id (/)"), id="browse-search")
                yield DataTable(id="browse-questions", cursor_type="row", zebra_stripes=True)
                yield Static(id="browse-detail", classes="muted")

    def on_mount(self) -> None:
        self.query_one("#browse-groups").border_title = _("Sections and course")
        table = self.query_one("#browse-questions", DataTable)
        table.add_column(_("Title"), key="title", width=TITLE_WIDTH)
        table.add_column(_("Kind"), key="kind")
        table.add_column(_("Course"), key="course")
        table.add_column(_("Id"), key="id")
        self.load_bank()

    @work(thread=True, exclusive=True, group="bank", exit_on_error=False)
    def load_bank(self) -> None:
        self.post_message(BankLoaded(self.app.store.bank()))

    def on_bank_loaded(self, message: BankLoaded) -> None:
        self.questions = message.bank.questions
        options: list[Option | None] = []
        all_groups = groups()
        for group in all_groups:
            if group.key in ("section:1-1", f"course:{COURSE_PARTS[0]}"):
                options.append(None)  # a separator before the sections and the course
            count = sum(1 for question in self.questions if group.contains(question))
            label = Text.assemble((f"{count:>3} ", "dim"), group.label)
            options.append(Option(label, id=group.key, disabled=count == 0))
        group_list = self.query_one("#browse-groups", OptionList)
        group_list.add_options(options)
        group_list.highlighted = 0
        group_list.focus()
        self._filter()

    # -- filtering ------------------------------------------------------------------------

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        key = event.option.id or "all"
        self.group = next(group for group in groups() if group.key == key)
        self._filter()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#browse-questions", DataTable).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._filter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#browse-questions", DataTable).focus()

    def _filter(self) -> None:
        needle = _searchable(self.query_one("#browse-search", Input).value.strip())
        self.shown = [
            question
            for question in self.questions
            if self.group.contains(question)
            and (
                not needle
                or needle in _searchable(f"{question.id} {question.title} {question.body}")
            )
        ]
        table = self.query_one("#browse-questions", DataTable)
        table.clear()
        for question in self.shown:
            table.add_row(
                question.title,
                kind_name(question.kind),
                question.course,
                question.id,
                key=question.id,
            )
        table.border_title = _("{shown} of {total} questions").format(
            shown=len(self.shown), total=len(self.questions)
        )
        self._show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        question = self.highlighted
        detail = "" if question is None else " · ".join([question.id, *question.syllabus])
        self.query_one("#browse-detail", Static).update(detail)

    @property
    def highlighted(self) -> Question | None:
        tables = self.query("#browse-questions").results(DataTable)
        row = next(tables).cursor_row if self.shown else -1  # bindings are checked early
        return self.shown[row] if 0 <= row < len(self.shown) else None

    # -- actions --------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        from studyapp.tui.screens.preview import PreviewScreen

        question = self.highlighted
        if question is not None:
            self.app.push_screen(PreviewScreen(question))

    def action_search(self) -> None:
        self.query_one("#browse-search", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo":
            return self.highlighted is not None or None
        if action == "drill":  # the whole group, whatever the search shows
            return any(self.group.contains(question) for question in self.questions) or None
        return True

    def action_demo(self) -> None:
        self.app.open_demo(self.highlighted)

    def action_drill(self) -> None:
        title = _("Drill: {group}").format(group=self.group.label)
        self.app.start_drill(title=title, **self.group.drill())
