"""Review and drill: one question at a time, answered and rated by keyboard alone.

Answering: number keys pick options (multi toggles), Enter submits; numeric, shape and text
questions have an input (Enter submits; for text it reveals the model answer). Feedback:
the verdict, the explanation, the demo link (``d``) and the four ratings with their next
intervals: 1–4 rate, Space takes the suggested one. ctrl+z undoes the last answer, ``s``
suspends the question, Esc leaves (every answer given is already saved).

The session's database calls (start, rate, undo, suspend, finish) run in thread workers;
while one runs the screen is ``BUSY`` and ignores answer keys, so they never overlap.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, LoadingIndicator, Static
from textual.worker import Worker

from content.model import Kind
from studyapp.grading import Grade, Rating, ResponseError
from studyapp.i18n import _
from studyapp.session import AnswerOutcome, Progress, QueueItem, SessionSummary, StudySession
from studyapp.tui.screens.base import StudyScreen
from studyapp.tui.screens.confirm import ConfirmScreen
from studyapp.tui.widgets.feedback import AnswerFeedback, RatingBar, RatingButton, rating_name
from studyapp.tui.widgets.question import QuestionView

MAX_OPTIONS = 9


class Phase(StrEnum):
    LOADING = "loading"
    ANSWERING = "answering"
    FEEDBACK = "feedback"
    BUSY = "busy"  # a database call is running


class SessionStep(Message):
    """A worker finished a step: the question to show next (None: the session is over)."""

    def __init__(self, item: QueueItem | None, progress: Progress, note: str = ""):
        super().__init__()
        self.item = item
        self.progress = progress
        self.note = note


class SessionFinished(Message):
    def __init__(self, summary: SessionSummary, *, show_summary: bool):
        super().__init__()
        self.summary = summary
        self.show_summary = show_summary


def _choose_bindings() -> list[Binding]:
    return [
        Binding(str(n), f"choose({n})", "Choose an option", show=False, id=f"review.choose_{n}")
        for n in range(1, MAX_OPTIONS + 1)
    ]


class ReviewScreen(StudyScreen):
    SCREEN_NAME = "Review"
    SCREEN_HELP = (
        "Answer with the number keys (several for 'all that apply') or type into the input, "
        "then Enter. After the answer, rate how well you knew it: 1 Again, 2 Hard, 3 Good, "
        "4 Easy; Space takes the suggested rating. Every answer is saved as soon as it is "
        "rated; Esc leaves and keeps them."
    )
    BINDINGS: ClassVar[list[Binding]] = [
        *_choose_bindings(),
        Binding("enter", "submit", "Answer", id="review.submit"),
        Binding("1", "rate(1)", "Again", show=False, id="review.rate_again"),
        Binding("2", "rate(2)", "Hard", show=False, id="review.rate_hard"),
        Binding("3", "rate(3)", "Good", show=False, id="review.rate_good"),
        Binding("4", "rate(4)", "Easy", show=False, id="review.rate_easy"),
        Binding("space", "rate_suggested", "Suggested rating", id="review.rate_suggested"),
        Binding("d", "demo", "Demo", id="review.demo"),
        Binding("ctrl+z", "undo", "Undo", id="review.undo"),
        Binding("s", "suspend", "Suspend", id="review.suspend"),
    ]

    phase: reactive[Phase] = reactive(Phase.LOADING, bindings=True)

    def __init__(self, start: Callable[[], StudySession], title: str | None = None):
        super().__init__()
        self.start = start
        self.title_text = title
        self.session: StudySession | None = None
        self.item: QueueItem | None = None
        self.grade: Grade | None = None
        self._phase_before_busy = Phase.LOADING

    # -- layout ---------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="review-status"):
            yield Static(id="review-reason")
            yield Static(id="review-note")
            yield Static(id="review-progress")
        with VerticalScroll(id="review-body"):
            yield LoadingIndicator()
        yield Horizontal(id="rating-dock")

    @property
    def body(self) -> VerticalScroll:
        return self.query_one("#review-body", VerticalScroll)

    def screen_title(self) -> str:
        return self.title_text or _(self.SCREEN_NAME)

    def on_mount(self) -> None:
        self.start_session()

    # -- workers --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="session", exit_on_error=False)
    def start_session(self) -> None:
        session = self.start()
        self.session = session
        self.post_message(SessionStep(session.current, session.progress))

    def _run(self, step: Callable[[StudySession], str]) -> None:
        """Run ``step`` on the session in a worker; it returns a note to show, then the
        screen shows the next question (or the summary when none is left)."""
        self._phase_before_busy = self.phase
        self.phase = Phase.BUSY
        self._session_worker(step)

    @work(thread=True, group="session", exit_on_error=False)
    def _session_worker(self, step: Callable[[StudySession], str]) -> None:
        session = self.session
        note = step(session)
        self.post_message(SessionStep(session.current, session.progress, note))

    @work(thread=True, group="session", exit_on_error=False)
    def finish_session(self, *, show_summary: bool) -> None:
        summary = self.session.finish()
        self.post_message(SessionFinished(summary, show_summary=show_summary))

    def worker_failed(self, worker: Worker) -> None:
        if self.session is None:
            self.dismiss()  # the session could not start: nothing to show here
        elif self.phase is Phase.BUSY:
            self.phase = self._phase_before_busy

    # -- showing --------------------------------------------------------------------------

    async def on_session_step(self, message: SessionStep) -> None:
        self._show_progress(message.progress)
        self.query_one("#review-note", Static).update(message.note)
        if message.item is None:
            self.phase = Phase.BUSY
            self.finish_session(show_summary=True)
            return
        await self._show_question(message.item)

    async def _show_question(self, item: QueueItem) -> None:
        self.item, self.grade = item, None
        body = self.body
        await body.remove_children()
        await self.query_one("#rating-dock").remove_children()
        question = item.question
        widgets = [QuestionView(question, id="question")]
        if not question.kind.is_choice_like:
            widgets.append(Input(placeholder=self._placeholder(), id="answer-input"))
        widgets.append(Static(id="review-error", classes="error-message"))
        await body.mount_all(widgets)
        body.scroll_home(animate=False)
        if question.kind.is_choice_like:
            body.focus()
        else:
            self.query_one("#answer-input", Input).focus()
        self.session.begin_question()
        self.phase = Phase.ANSWERING

    def _placeholder(self) -> str:
        question = self.item.question
        if question.kind is Kind.NUMERIC:
            unit = f" [{question.unit}]" if question.unit else ""
            return _("A number, e.g. 0.25 or 1/4{unit}; Enter answers").format(unit=unit)
        if question.kind is Kind.SHAPE:
            return _("A shape, e.g. 7x7; Enter answers")
        return _("Your answer (optional); Enter shows the model answer")

    def _show_progress(self, progress: Progress) -> None:
        self.query_one("#review-progress", Static).update(
            _("{remaining} left · learning {learning} · review {review} · new {new}").format(
                remaining=progress.remaining,
                learning=progress.learning,
                review=progress.review,
                new=progress.new,
            )
        )

    def _show_reason(self) -> None:
        item = self.item
        reasons = {
            "new": _("New"),
            "review": _("Review"),
            "learning": _("Learning"),
            "relearning": _("Relearning"),
            "drill": _("Drill"),
        }
        text = reasons.get(item.reason, item.reason)
        if item.leech:
            text += "  " + _("⚠ leech: often forgotten")
        self.query_one("#review-reason", Static).update(text)

    def watch_phase(self, phase: Phase) -> None:
        if phase is Phase.ANSWERING and self.item is not None:
            self._show_reason()

    async def _show_feedback(self, grade: Grade) -> None:
        self.grade = grade
        question_view = self.query_one(QuestionView)
        if question_view.choices is not None:
            question_view.choices.revealed = True
        for answer_input in self.query("#answer-input").results(Input):
            answer_input.disabled = True
        self.query_one("#review-error", Static).update("")
        feedback = AnswerFeedback(self.item.question, grade)
        await self.body.mount(feedback)
        await self.query_one("#rating-dock").mount(
            RatingBar(self.session.preview_intervals(), grade.suggested)
        )
        self.body.focus()
        self.phase = Phase.FEEDBACK
        self.call_after_refresh(self.body.scroll_to_widget, feedback, animate=False, top=True)

    # -- actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        phase = self.phase
        if action == "choose":
            question = self.item.question if self.item else None
            return (
                phase is Phase.ANSWERING
                and question is not None
                and question.kind.is_choice_like
                and int(parameters[0]) <= len(question.choices)
            )
        if action == "submit":
            return phase is Phase.ANSWERING
        if action in ("rate", "demo"):
            return phase is Phase.FEEDBACK
        if action == "rate_suggested":
            if phase is not Phase.FEEDBACK:
                return False
            return (self.grade is not None and self.grade.suggested is not None) or None
        if action == "undo":
            return phase is Phase.ANSWERING and self.session is not None and self.session.can_undo
        if action == "suspend":
            return phase in (Phase.ANSWERING, Phase.FEEDBACK)
        return True

    def action_choose(self, number: int) -> None:
        choices = self.query_one(QuestionView).choices
        if choices is not None and choices.pick(number):
            self.query_one("#review-error", Static).update("")

    async def action_submit(self) -> None:
        question = self.item.question
        if question.kind.is_choice_like:
            response = self.query_one(QuestionView).choices.response
        else:
            response = self.query_one("#answer-input", Input).value.strip()
        try:
            if question.kind is Kind.TEXT and not response:
                grade = self.session.reveal()
            else:
                grade = self.session.submit(response)
        except ResponseError as error:
            self.query_one("#review-error", Static).update(str(error))
            return
        await self._show_feedback(grade)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.phase is Phase.ANSWERING:
            await self.action_submit()

    def action_rate(self, rating: int) -> None:
        self._run(lambda session: self._rate(session, Rating(rating)))

    def action_rate_suggested(self) -> None:
        self._run(lambda session: self._rate(session, None))

    def on_button_pressed(self, event: RatingButton.Pressed) -> None:
        if isinstance(event.button, RatingButton) and self.phase is Phase.FEEDBACK:
            self.action_rate(int(event.button.rating))

    @staticmethod
    def _rate(session: StudySession, rating: Rating | None) -> str:
        outcome: AnswerOutcome = session.rate(rating)
        note = _("Last: {rating} → {interval}").format(
            rating=rating_name(outcome.rating), interval=outcome.interval_text
        )
        if outcome.suspended:
            note += "  " + _("⚠ became a leech and was suspended")
        elif outcome.became_leech:
            note += "  " + _("⚠ became a leech")
        return note

    def action_undo(self) -> None:
        def undo(session: StudySession) -> str:
            return _("Undone: the last answer was taken back.") if session.undo() else ""

        self._run(undo)

    def action_suspend(self) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run(self._suspend)

        self.app.push_screen(
            ConfirmScreen(
                _("Suspend this question? It leaves every queue until you unsuspend it.")
            ),
            confirmed,
        )

    @staticmethod
    def _suspend(session: StudySession) -> str:
        session.suspend_current()
        return _("Suspended. ctrl+z brings it back.")

    def action_demo(self) -> None:
        self.app.open_demo(self.item.question)

    def action_back(self) -> None:
        if self.session is None or self.phase is Phase.BUSY:
            self.dismiss()
            return
        self.phase = Phase.BUSY
        self.finish_session(show_summary=False)

    def on_session_finished(self, message: SessionFinished) -> None:
        summary = message.summary
        if message.show_summary:
            from studyapp.tui.screens.finished import FinishedScreen

            # Not awaited: this screen is the one being replaced.
            self.app.switch_screen(FinishedScreen(summary))
            return
        if summary.answered:
            self.notify(
                _("Session ended: {answered} answered, all saved.").format(
                    answered=summary.answered
                )
            )
        self.dismiss()
