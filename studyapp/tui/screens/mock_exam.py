"""Mock exams: choose the size, answer against the clock without feedback, then the score.

The start screen picks the number of questions (1, 2, 3 for 20, 50, 100, or any number
typed in the field) and offers to resume an unfinished exam. The exam screen shows one
question at a time with the same widgets as the review screen, a timer, the position and
the answered and flagged counts. Nothing is graded until the end (``ctrl+s``), when the
results screen (:mod:`studyapp.tui.screens.exam_results`) takes over.

Every response is saved by :class:`~studyapp.mock_exam.MockExam` the moment it is given:
one small UPDATE, done on the UI thread so that quick key presses (toggling options of an
"all that apply" question) are saved in the order they were pressed. Starting, resuming and
grading read the bank or write every answer, so they run in thread workers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from enum import StrEnum
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Key
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, DataTable, Input, Label, LoadingIndicator, Static
from textual.worker import Worker

from content.model import Kind
from data.errors import DataError
from studyapp.days import as_utc
from studyapp.grading import ResponseError
from studyapp.i18n import _
from studyapp.mock_exam import (
    EXAM_MINUTES,
    EXAM_QUESTIONS,
    ExamItem,
    ExamResult,
    MockExam,
    examinable,
)
from studyapp.tui.errors import describe_error
from studyapp.tui.screens.base import StudyScreen
from studyapp.tui.screens.confirm import ConfirmScreen
from studyapp.tui.screens.finished import format_duration
from studyapp.tui.screens.review import MAX_OPTIONS
from studyapp.tui.widgets.question import QuestionView

MINUTES_PER_QUESTION = EXAM_MINUTES / EXAM_QUESTIONS
QUESTION_SHORTCUTS = (20, 50, 100)
# Besides digits, the characters a numeric or shape answer may start with.
ANSWER_STARTS = frozenset("+-−.(（")
LOW_TIME = timedelta(minutes=10)  # the timer turns to the warning colour below this
OVERVIEW_COLUMNS = 10


class QuestionScroll(VerticalScroll, inherit_bindings=False):
    """Scrolls a question up and down only: ← and → are the screen's (previous, next), and
    so the help and the command palette list them there. The scrolling keys keep out of
    both, as every container's do (no description), and can be remapped by id."""

    BINDINGS: ClassVar[list[Binding]] = [
        replace(binding, description="", id=f"question_scroll.{binding.action}")
        for binding in VerticalScroll.BINDINGS
        if binding.key not in ("left", "right", "ctrl+pageup", "ctrl+pagedown")
    ]


def limit_text(minutes: float) -> str:
    """A time limit as the learner reads it: "120 min", "8 min 24 s"."""
    if float(minutes).is_integer():
        return _("{minutes} min").format(minutes=int(minutes))
    return format_duration(round(minutes * 60_000))


def clock_text(left: timedelta) -> str:
    """The countdown: 1:59:42, then 09:59 under an hour (rounded up: 00:00 means over)."""
    hours, rest = divmod(math.ceil(left.total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes:02}:{seconds:02}"


# --- the start screen ----------------------------------------------------------------------


class ExamOptions(Message):
    """What the start screen offers: how many questions can be drawn, an exam to resume."""

    def __init__(self, available: int, unfinished: MockExam | None):
        super().__init__()
        self.available = available
        self.unfinished = unfinished


class ExamStartScreen(StudyScreen):
    SCREEN_NAME = "Mock exam"
    SCREEN_HELP = (
        "Like the real E資格: questions drawn by syllabus weight, 1.2 minutes per question, "
        "no feedback until the end. 1, 2 and 3 choose 20, 50 or 100 questions; Tab moves "
        "to the field for any other number. Enter begins; r resumes an unfinished exam."
    )
    BINDINGS: ClassVar[list[Binding]] = [
        *(
            Binding(
                str(number),
                f"questions({count})",
                f"{count} questions",
                id=f"exam_start.questions_{count}",
            )
            for number, count in enumerate(QUESTION_SHORTCUTS, start=1)
        ),
        Binding("enter", "begin", "Begin", id="exam_start.begin"),
        Binding("r", "resume", "Resume", id="exam_start.resume"),
    ]
    # The number keys are shortcuts until the learner moves into the field (Tab).
    AUTO_FOCUS = None

    available: reactive[int | None] = reactive(None, bindings=True)
    unfinished: reactive[MockExam | None] = reactive(None, bindings=True)

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="exam-start"):
            with Vertical(id="exam-start-box") as box:
                box.border_title = _("Mock exam")
                yield Static(
                    _(
                        "Like the real E資格: questions drawn by syllabus weight, a timer, "
                        "flags to come back to, and no feedback until you finish."
                    ),
                    id="exam-start-intro",
                )
                with Horizontal(id="exam-start-count"):
                    yield Label(_("Questions"), classes="exam-start-label")
                    yield Input(
                        str(EXAM_QUESTIONS),
                        type="integer",
                        max_length=4,
                        select_on_focus=True,
                        id="exam-count",
                    )
                    yield Static(id="exam-start-limit")
                yield Static(
                    _("1 · 2 · 3 choose 20 · 50 · 100 questions; Enter begins."),
                    classes="muted",
                )
            yield Static(id="exam-start-resume")

    def on_mount(self) -> None:
        self._show_limit()
        self.load_options()

    @work(thread=True, exclusive=True, group="exam", exit_on_error=False)
    def load_options(self) -> None:
        store, clock = self.app.store, self.app.clock
        available = sum(examinable(question) for question in store.bank().questions)
        sessions = store.scheduler.unfinished_sessions("exam")
        # The latest unfinished exam: it is the one the learner remembers.
        unfinished = MockExam.resume(store, sessions[-1][0], clock=clock) if sessions else None
        self.post_message(ExamOptions(available, unfinished))

    def on_exam_options(self, message: ExamOptions) -> None:
        self.available = message.available
        self.unfinished = message.unfinished
        self._show_limit()
        self._show_unfinished()

    @property
    def count(self) -> int | None:
        """The number of questions asked for; None while the field does not hold one."""
        text = self.query_one("#exam-count", Input).value
        return int(text) if text.isdigit() and int(text) > 0 else None

    def _show_limit(self) -> None:
        count = self.count
        if self.available == 0:
            text = _("The question bank has no questions for a mock exam.")
        elif count is None:
            text = _("Write how many questions (1 or more).")
        else:
            drawn = min(count, self.available) if self.available is not None else count
            text = _("Time limit: {limit}").format(limit=limit_text(drawn * MINUTES_PER_QUESTION))
            if drawn < count:
                text += "  " + _("(the bank has {available} for the exam)").format(available=drawn)
        self.query_one("#exam-start-limit", Static).update(text)

    def _show_unfinished(self) -> None:
        exam = self.unfinished
        box = self.query_one("#exam-start-resume", Static)
        box.display = exam is not None
        if exam is None:
            return
        box.border_title = _("Unfinished exam")
        started = as_utc(exam.started_at).astimezone().strftime("%Y-%m-%d %H:%M")
        if exam.expired:
            state = _("its time is up")
        else:
            state = _("{left} left").format(left=clock_text(exam.time_left()))
        box.update(
            _(
                "Started {started}: {answered} of {total} answered, {state}. r resumes it; "
                "a new exam leaves it as it is."
            ).format(started=started, answered=exam.answered, total=len(exam.items), state=state)
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show_limit()
        self.refresh_bindings()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_begin()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "begin":
            return bool(self.available) and self.count is not None
        if action == "resume":
            return self.unfinished is not None
        return True

    def action_questions(self, count: int) -> None:
        self.query_one("#exam-count", Input).value = str(count)

    def action_begin(self) -> None:
        if not self.check_action("begin", ()):
            return
        store, clock, count = self.app.store, self.app.clock, self.count
        self.app.switch_screen(ExamScreen(lambda: MockExam.start(store, count=count, clock=clock)))

    def action_resume(self) -> None:
        store, clock = self.app.store, self.app.clock
        session_id = self.unfinished.session_id
        self.app.switch_screen(ExamScreen(lambda: MockExam.resume(store, session_id, clock=clock)))


# --- the exam ------------------------------------------------------------------------------


class ExamPhase(StrEnum):
    LOADING = "loading"
    ANSWERING = "answering"
    TIME_UP = "time_up"  # answers are closed; the learner may still read and then finish
    FINISHING = "finishing"  # grading in a worker


class ExamReady(Message):
    def __init__(self, exam: MockExam):
        super().__init__()
        self.exam = exam


class ExamFinished(Message):
    def __init__(self, result: ExamResult):
        super().__init__()
        self.result = result


def _choose_bindings() -> list[Binding]:
    return [
        Binding(str(n), f"choose({n})", "Choose an option", show=False, id=f"exam.choose_{n}")
        for n in range(1, MAX_OPTIONS + 1)
    ]


class ExamScreen(StudyScreen):
    SCREEN_NAME = "Mock exam"
    SCREEN_HELP = (
        "No feedback until the end. Number keys choose (several for 'all that apply'); "
        "in an answer field, Enter keeps the answer and goes on, Tab leaves the field. "
        "f flags a question to come back to, j jumps to the next unanswered or flagged "
        "one, g shows every question. ctrl+s or F10 finishes and grades; Esc leaves, and "
        "the exam can be resumed (the clock keeps running)."
    )
    BINDINGS: ClassVar[list[Binding]] = [
        *_choose_bindings(),
        Binding("left,p", "previous", "Previous", id="exam.previous"),
        Binding("right,n,enter", "next", "Next", id="exam.next"),
        Binding("f", "flag", "Flag", id="exam.flag"),
        Binding("j", "next_open", "Next open", id="exam.next_open"),
        Binding("g", "overview", "Overview", id="exam.overview"),
        Binding("backspace,delete", "clear", "Clear the answer", show=False, id="exam.clear"),
        Binding("ctrl+s,f10", "finish", "Finish", id="exam.finish"),
    ]

    phase: reactive[ExamPhase] = reactive(ExamPhase.LOADING, bindings=True)

    def __init__(self, start: Callable[[], MockExam]):
        super().__init__()
        self.start = start
        self.exam: MockExam | None = None
        self._time_up_offered = False

    # -- layout ---------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="exam-status"):
            yield Static(id="exam-timer")
            yield Static(id="exam-position")
            yield Static(id="exam-counts")
        with QuestionScroll(id="exam-body"):
            yield LoadingIndicator()

    @property
    def body(self) -> QuestionScroll:
        return self.query_one("#exam-body", QuestionScroll)

    def on_mount(self) -> None:
        self.start_exam()

    # -- workers --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="exam", exit_on_error=False)
    def start_exam(self) -> None:
        self.post_message(ExamReady(self.start()))

    @work(thread=True, exclusive=True, group="exam", exit_on_error=False)
    def grade_exam(self, count_as_reviews: bool) -> None:
        self.post_message(ExamFinished(self.exam.finish(count_as_reviews=count_as_reviews)))

    def worker_failed(self, worker: Worker) -> None:
        if self.exam is None:
            self.dismiss()  # the exam could not start: nothing to show here
        elif self.phase is ExamPhase.FINISHING:
            self.phase = ExamPhase.TIME_UP if self.exam.expired else ExamPhase.ANSWERING

    async def on_exam_ready(self, message: ExamReady) -> None:
        self.exam = message.exam
        self.phase = ExamPhase.ANSWERING
        await self._show_question()
        self._tick()
        self.set_interval(1.0, self._tick)

    def on_exam_finished(self, message: ExamFinished) -> None:
        from studyapp.tui.screens.exam_results import ExamResultsScreen

        # Not awaited: this screen is the one being replaced.
        self.app.switch_screen(ExamResultsScreen(message.result, self.exam.minutes))

    # -- showing --------------------------------------------------------------------------

    @property
    def item(self) -> ExamItem:
        return self.exam.current

    @property
    def answer_field(self) -> Input | None:
        """The field of a numeric or shape question; None for a question with options."""
        found = self.query("#answer-input")
        return found.first(Input) if found else None

    async def _show_question(self) -> None:
        item = self.item
        question = item.question
        body = self.body
        await body.remove_children()
        widgets = [QuestionView(question, id="question")]
        if not question.kind.is_choice_like:
            widgets.append(
                Input(
                    item.response or "",
                    placeholder=self._placeholder(),
                    disabled=self.phase is not ExamPhase.ANSWERING,
                    select_on_focus=False,  # typing from the question appends (see on_key)
                    id="answer-input",
                )
            )
        widgets.append(Static(id="exam-error", classes="error-message"))
        await body.mount_all(widgets)
        body.scroll_home(animate=False)
        choices = self.query_one(QuestionView).choices
        if choices is not None:
            if item.response:
                choices.chosen = frozenset(item.response.split(", "))
            choices.disabled = self.phase is not ExamPhase.ANSWERING
            # Number keys and clicks both change the choice; either is saved at once.
            self.watch(choices, "chosen", self._choice_changed, init=False)
        # The question has the focus, not the answer field, so that the letter keys move
        # and flag; typing an answer moves into the field (on_key).
        body.focus()
        self._show_position()

    def _placeholder(self) -> str:
        question = self.item.question
        unit = f" [{question.unit}]" if question.unit else ""
        if question.kind is Kind.NUMERIC:
            return _("Type a number, e.g. 0.25 or 1/4{unit}; Enter keeps it").format(unit=unit)
        return _("Type a shape, e.g. 7x7; Enter keeps it")

    def _show_position(self) -> None:
        exam = self.exam
        position = _("Question {number} / {total}").format(
            number=exam.index + 1, total=len(exam.items)
        )
        if self.item.flagged:
            position += "  " + _("⚑ flagged")
        self.query_one("#exam-position", Static).update(position)
        self.query_one("#exam-counts", Static).update(
            _("answered {answered} · flagged {flagged}").format(
                answered=exam.answered, flagged=exam.flagged
            )
        )

    def _show_error(self, message: str) -> None:
        self.query_one("#exam-error", Static).update(message)

    def _tick(self) -> None:
        """Every second: the countdown; when it reaches zero, answers close."""
        exam = self.exam
        left = exam.time_left()
        timer = self.query_one("#exam-timer", Static)
        timer.update(_("⏱ {time} left").format(time=clock_text(left)))
        timer.set_class(left < LOW_TIME, "-low")
        timer.set_class(exam.expired, "-up")
        if exam.expired and self.phase is ExamPhase.ANSWERING:
            self._close_answers()
        if self.phase is ExamPhase.TIME_UP and not self._time_up_offered and self.is_current:
            self._time_up_offered = True
            self.action_finish()

    def _close_answers(self) -> None:
        self.phase = ExamPhase.TIME_UP
        for widget in self.query("#answer-input, ChoiceList"):
            widget.disabled = True
        self.body.focus()
        self._show_error(_("Time is up: answers are closed. ctrl+s shows your score."))

    def on_screen_resume(self) -> None:
        # Time may have run out while a dialog was open: offer to finish now.
        if self.exam is not None:
            self._tick()

    # -- answering ------------------------------------------------------------------------

    def _save(self, change: Callable[[], object]) -> bool:
        """Run a change the exam saves at once; False (with the reason shown) if it failed."""
        try:
            change()
        except ResponseError as error:
            self._show_error(str(error))
            return False
        except DataError as error:
            self.notify(describe_error(error), severity="error", timeout=8)
            return False
        self._show_error("")
        self._show_position()
        return True

    def _choice_changed(self, chosen: frozenset[str]) -> None:
        response = ", ".join(sorted(chosen))
        if response != (self.item.response or ""):
            self._save(lambda: self.exam.answer(response) if response else self.exam.clear())

    def on_input_changed(self, event: Input.Changed) -> None:
        """What is typed is the answer as soon as it reads as one (nothing is lost when time
        runs out); a half-typed answer is reported only when the learner moves on."""
        text = event.value.strip()
        if self.phase is not ExamPhase.ANSWERING or text == (self.item.response or ""):
            return
        if not text:
            self._save(self.exam.clear)
            return
        try:
            self.exam.answer(text)
        except (ResponseError, DataError):
            return  # not readable yet, or not saved: _typed_answer_kept says why on leaving
        self._show_position()

    def _typed_answer_kept(self) -> bool:
        """Before leaving a question: False (with the reason shown) if what is typed in its
        field is not the answer the exam keeps."""
        field = self.answer_field
        if field is None or self.phase is not ExamPhase.ANSWERING:
            return True
        text = field.value.strip()
        if text == (self.item.response or ""):
            return True
        return self._save(lambda: self.exam.answer(text) if text else self.exam.clear())

    def on_key(self, event: Key) -> None:
        """The start of a number or shape typed on the question goes into its field."""
        field = self.answer_field
        character = event.character or ""
        if (
            field is not None
            and not field.has_focus
            and self.phase is ExamPhase.ANSWERING
            and (character.isdigit() or character in ANSWER_STARTS)
        ):
            event.stop()
            field.focus()
            field.insert_text_at_cursor(character)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self.action_next()

    def action_choose(self, number: int) -> None:
        self.query_one(QuestionView).choices.pick(number)

    def action_clear(self) -> None:
        choices = self.query_one(QuestionView).choices
        if choices is not None:
            choices.chosen = frozenset()  # saved by _choice_changed
        else:
            self.answer_field.value = ""

    def action_flag(self) -> None:
        self._save(self.exam.toggle_flag)

    # -- moving ---------------------------------------------------------------------------

    async def _move(self, step: Callable[[MockExam], ExamItem | None]) -> None:
        if not self._typed_answer_kept():
            return
        if step(self.exam) is None:
            self.notify(_("Every question is answered and none is flagged."))
            return
        await self._show_question()

    async def action_next(self) -> None:
        await self._move(MockExam.next)

    async def action_previous(self) -> None:
        await self._move(MockExam.previous)

    async def action_next_open(self) -> None:
        await self._move(MockExam.next_open)

    def action_overview(self) -> None:
        if not self._typed_answer_kept():
            return

        async def jump(index: int | None) -> None:
            if index is not None:
                await self._move(lambda exam: exam.go(index))

        self.app.push_screen(ExamOverviewScreen(self.exam), jump)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        phase = self.phase
        if action == "choose":
            question = self.item.question if self.exam else None
            return (
                phase is ExamPhase.ANSWERING
                and question.kind.is_choice_like
                and int(parameters[0]) <= len(question.choices)
            )
        if action in ("flag", "clear"):
            return phase is ExamPhase.ANSWERING
        if action in ("previous", "next", "next_open", "overview", "finish"):
            return phase in (ExamPhase.ANSWERING, ExamPhase.TIME_UP)
        return True

    # -- finishing and leaving ------------------------------------------------------------

    def action_finish(self) -> None:
        if not self._typed_answer_kept():
            return

        def finish(count_as_reviews: bool | None) -> None:
            if count_as_reviews is not None:
                self.phase = ExamPhase.FINISHING
                self.grade_exam(count_as_reviews)

        self.app.push_screen(FinishExamDialog(self.exam), finish)

    def action_back(self) -> None:
        if self.exam is None or self.phase is ExamPhase.FINISHING:
            self.dismiss()
            return

        def leave(yes: bool | None) -> None:
            if yes:
                self.dismiss()

        self.app.push_screen(
            ConfirmScreen(
                _(
                    "Leave the exam? Every answer is saved: m on the home screen resumes it. "
                    "The clock keeps running while you are away."
                )
            ),
            leave,
        )


class FinishExamDialog(ConfirmScreen):
    """Finish and grade? Says what is unanswered; the answers may count as reviews.

    Dismissed with None to keep answering, else with whether to count the answers as
    reviews (off by default: a mock exam measures, it does not move the schedule).
    """

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("c,space", "toggle_reviews", "Count as reviews", id="exam_finish.reviews"),
    ]

    def __init__(self, exam: MockExam):
        super().__init__(self._question(exam))

    @staticmethod
    def _question(exam: MockExam) -> str:
        unanswered = len(exam.items) - exam.answered
        opening = _("Time is up.") if exam.expired else _("Finish the exam and see your score?")
        if unanswered:
            status = _("{unanswered} of {total} questions are unanswered.").format(
                unanswered=unanswered, total=len(exam.items)
            )
        else:
            status = _("Every question is answered.")
        return f"{opening} {status}"

    def on_mount(self) -> None:
        reviews = Checkbox(
            _("Count these answers as reviews (moves your schedule) (c)"),
            value=False,
            id="exam-finish-reviews",
        )
        reviews.can_focus = False  # Enter finishes; c or Space ticks it
        self.query_one("#confirm-dialog").mount(reviews, before="#confirm-buttons")

    def action_toggle_reviews(self) -> None:
        self.query_one("#exam-finish-reviews", Checkbox).toggle()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(self.query_one("#exam-finish-reviews", Checkbox).value if yes else None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.prevent_default()  # ConfirmScreen's handler would dismiss with a bare yes/no
        self.action_answer(event.button.id == "confirm-yes")


class ExamOverviewScreen(ModalScreen[int | None]):
    """Every question of the exam in a grid: answered ✓, flagged ⚑, open ·; Enter jumps."""

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("enter", "jump", "Go to the question", id="exam_overview.jump"),
        Binding("escape,g", "dismiss", "Close", id="exam_overview.close"),
    ]

    def __init__(self, exam: MockExam):
        super().__init__()
        self.exam = exam

    def compose(self) -> ComposeResult:
        exam = self.exam
        with Vertical(id="exam-overview") as panel:
            panel.border_title = _("Overview")
            yield Static(
                _("answered {answered} · flagged {flagged} · open {open}").format(
                    answered=exam.answered,
                    flagged=exam.flagged,
                    open=len(exam.items) - exam.answered,
                ),
                id="exam-overview-counts",
            )
            # No cell padding: ten questions a row fit in 80 columns.
            yield DataTable(id="exam-grid", cursor_type="cell", show_header=False, cell_padding=0)
            yield Static(_("✓ answered  ⚑ flagged  · open"), classes="muted")
            yield Static(_("Arrows move, Enter goes to the question, Esc closes."), classes="muted")

    def on_mount(self) -> None:
        table = self.query_one("#exam-grid", DataTable)
        items, columns = self.exam.items, self.columns
        table.add_columns(*(str(column) for column in range(columns)))
        for start in range(0, len(items), columns):
            row = range(start, min(start + columns, len(items)))
            cells = [self._cell(index, items[index]) for index in row]
            table.add_row(*cells, *[""] * (columns - len(cells)))  # the last row may be short
        index = self.exam.index
        table.move_cursor(row=index // columns, column=index % columns)
        table.focus()

    @property
    def columns(self) -> int:
        return min(OVERVIEW_COLUMNS, len(self.exam.items))

    @staticmethod
    def _cell(index: int, item: ExamItem) -> Text:
        answered = "✓" if item.response is not None else "·"
        flag = "⚑" if item.flagged else " "
        style = "bold" if item.flagged else ("" if item.response is not None else "dim")
        return Text(f"{index + 1:>4} {answered}{flag}", style=style)

    def _index_at_cursor(self) -> int | None:
        row, column = self.query_one("#exam-grid", DataTable).cursor_coordinate
        index = row * self.columns + column
        return index if index < len(self.exam.items) else None  # the last row may be short

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_jump()

    def action_jump(self) -> None:
        index = self._index_at_cursor()
        if index is not None:
            self.dismiss(index)
