"""Study sessions: today's review and topic drills, one answer at a time (no Textual).

The user interface drives a :class:`StudySession` like this::

    session = StudySession.review(store)          # or StudySession.drill(store, section="3-4")
    while (item := session.current) is not None:
        session.begin_question()                  # when the question is shown: starts the timer
        grade = session.submit(response)          # ResponseError if unreadable; nothing written
        session.preview_intervals()               # what 1–4 would schedule, for the buttons
        outcome = session.rate()                  # the suggested rating (Space), or rate(Rating.HARD)
    summary = session.finish()

:meth:`StudySession.rate` commits the answer (review row and card, one transaction) before it
returns, so a crash never loses an answer already given. :meth:`StudySession.undo` takes the
last answer (or suspension) back: the review row goes, the card is restored exactly (the
scheduler replays the log) and the question is current again.

Review sessions serve learning and relearning cards as they fall due, then due reviews, then
new questions (the plan comes from a :class:`~studyapp.queue.QueuePolicy`; see
studyapp/queue.py for the order and the seam for exam-aware scheduling). Daily limits are
counted from the log, so they hold across sessions; days start at local midnight, as in
:meth:`StudyScheduler.today`. Every time comes from ``clock`` (UTC), which tests fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from content.model import Bank, Kind, Question
from content.syllabus import COURSE_PARTS, MAJOR_SECTIONS, SECTIONS, section_code
from data.models import CardStatus, utc_now
from studyapp.days import as_utc
from studyapp.errors import StudyappError, UsageError
from studyapp.exam import policy_for
from studyapp.grading import Grade, Rating, ResponseError, grade
from studyapp.i18n import _
from studyapp.queue import DEFAULT_POLICY, LEARN_AHEAD, QueueCandidates, QueuePolicy
from studyapp.scheduler import CardState, ReviewRecord, StudyScheduler

if TYPE_CHECKING:
    from studyapp.settings import Settings
    from studyapp.store import Store

Clock = Callable[[], datetime]

# A drill question answered Again comes back after this many other questions.
DRILL_AGAIN_GAP = 3
# When the queue runs dry, look for newly due work at most this often.
REFILL_INTERVAL = timedelta(minutes=1)
_LEARNING = (CardStatus.LEARNING, CardStatus.RELEARNING)


class SessionKind(StrEnum):
    REVIEW = "review"
    DRILL = "drill"
    EXAM = "exam"


class SessionError(StudyappError):
    """A call out of turn, e.g. rating before answering (one sentence)."""


class RatingRequired(SessionError):
    """A self-graded (free text) answer needs the learner's rating, 1–4."""


class InvalidDrill(UsageError):
    """A drill on a syllabus section or course part that does not exist."""


@dataclass(frozen=True)
class QueueItem:
    """One question to serve, why it is served, and its card (None if never studied)."""

    question: Question
    reason: str  # "learning" | "relearning" | "review" | "new" | "drill"
    card: CardState | None
    leech: bool

    @property
    def question_id(self) -> str:
        return self.question.id


@dataclass(frozen=True)
class Progress:
    """Where the session stands; ``remaining`` includes the current question."""

    answered: int
    remaining: int
    learning: int
    review: int
    new: int


@dataclass(frozen=True)
class AnswerOutcome:
    """What :meth:`StudySession.rate` stored and what it means for the schedule."""

    grade: Grade
    rating: Rating
    correct: bool | None
    next_due: datetime | None  # None when the answer does not move the schedule
    interval_text: str  # e.g. "10分後", "3日後"
    became_leech: bool
    review: ReviewRecord | None = None
    card: CardState | None = None
    suspended: bool = False  # the card was suspended as a leech (setting leech_suspend)


@dataclass(frozen=True)
class SectionResult:
    """Answers in one syllabus section (a question tagged with two counts in both)."""

    section: str  # "3-4"
    name: str  # "畳み込みニューラルネットワーク"
    answered: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True)
class SessionSummary:
    """The results of a session, from its review rows (so undone answers do not count)."""

    session_id: int
    kind: SessionKind
    answered: int
    correct: int
    accuracy: float | None  # correct / answered; None when nothing was answered
    time_ms: int  # time spent answering (sum of the answers' durations)
    elapsed: timedelta  # from the session's start to its end
    questions: int  # distinct questions answered
    ratings: dict[Rating, int]
    sections: tuple[SectionResult, ...]


def format_interval(delta: timedelta) -> str:
    """A time until due as the rating buttons show it: "1分後", "10分後", "3日後", "2.5か月後"."""
    seconds = delta.total_seconds()
    if seconds < 1:
        return _("now")
    if seconds < 60:
        return _("in {n} s").format(n=round(seconds))
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("in {n} min").format(n=minutes)
    hours = seconds / 3600
    if round(hours) < 24:
        return _("in {n} h").format(n=_short(hours))
    days = seconds / 86400
    if round(days) < 30:
        return _("in {n} d").format(n=round(days))
    if days < 365:
        return _("in {n} mo").format(n=_short(days / 30))
    return _("in {n} y").format(n=_short(days / 365))


def _short(value: float) -> str:
    """One decimal, without a trailing ".0": 1.0 → "1", 2.46 → "2.5"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _clock(now: datetime | None, clock: Clock | None) -> Clock:
    if clock is not None:
        return clock
    if now is not None:
        fixed = as_utc(now)
        return lambda: fixed
    return utc_now


@dataclass
class _State:
    """Everything :meth:`StudySession.undo` puts back."""

    current: QueueItem | None
    pending: list[QueueItem]
    learning: dict[str, CardState]
    answered: int


@dataclass
class _Undo:
    action: str  # "answer" | "suspend"
    state: _State
    question_id: str
    suspended: bool = False  # the answer suspended its card as a leech


@dataclass
class _Answer:
    """The answer to the current question, between submit/reveal and rate."""

    grade: Grade
    duration_ms: int


class StudySession:
    """One sitting of study; create it with :meth:`review` or :meth:`drill`."""

    def __init__(
        self,
        store: Store,
        kind: SessionKind,
        *,
        questions: dict[str, Question],
        moves_schedule: bool,
        clock: Clock,
        policy: QueuePolicy | None = None,
        details: dict[str, Any] | None = None,
    ):
        self.store = store
        self.scheduler: StudyScheduler = store.scheduler
        self.kind = kind
        self.moves_schedule = moves_schedule
        self.policy = policy or DEFAULT_POLICY
        self.questions = questions
        self._clock = clock
        now = self._now()
        self.started_at = now
        self.session_id = self.scheduler.start_session(
            kind.value, details={"moves_schedule": moves_schedule, **(details or {})}, at=now
        )
        self._state = _State(current=None, pending=[], learning={}, answered=0)
        self._undo: list[_Undo] = []
        self._answer: _Answer | None = None
        self._shown_at = now
        self._refilled_at: datetime | None = None
        self._summary: SessionSummary | None = None
        self.last_outcome: AnswerOutcome | None = None

    # -- creating ---------------------------------------------------------------------------

    @classmethod
    def review(
        cls,
        store: Store,
        *,
        now: datetime | None = None,
        clock: Clock | None = None,
        policy: QueuePolicy | None = None,
        bank: Bank | None = None,
    ) -> StudySession:
        """Today's review: learning cards as they fall due, due reviews, then new questions.

        Without a ``policy``, the order aims at the exam date when one is set
        (:func:`studyapp.exam.policy_for`), else it is plain FSRS.
        ``bank``: the store's bank if the caller holds it already (saves reading it again).
        """
        questions = {question.id: question for question in (bank or store.bank()).questions}
        session = cls(
            store,
            SessionKind.REVIEW,
            questions=questions,
            moves_schedule=True,
            clock=_clock(now, clock),
            policy=policy or policy_for(store.scheduler.settings),
        )
        session._state.learning = session._learning_cards()
        session._refill(session._now())
        session._advance()
        return session

    @classmethod
    def drill(
        cls,
        store: Store,
        *,
        section: str | None = None,
        course_part: str | None = None,
        moves_schedule: bool = False,
        limit: int | None = None,
        now: datetime | None = None,
        clock: Clock | None = None,
        policy: QueuePolicy | None = None,
        bank: Bank | None = None,
    ) -> StudySession:
        """A drill on a syllabus section ("3-4", or "3" for a whole chapter) or a course part
        ("Day2", or "Day2 Section4"); both None drills the whole bank. Weakest questions
        first. Answers are recorded but move no card unless ``moves_schedule``."""
        matches = _drill_filter(section, course_part)
        questions = {q.id: q for q in (bank or store.bank()).questions if matches(q)}
        details = {"section": section, "course_part": course_part, "limit": limit}
        session = cls(
            store,
            SessionKind.DRILL,
            questions=questions,
            moves_schedule=moves_schedule,
            clock=_clock(now, clock),
            policy=policy,
            details={key: value for key, value in details.items() if value is not None},
        )
        cards = session.scheduler.cards(questions)
        eligible = [q for q in questions.values() if not (q.id in cards and cards[q.id].suspended)]
        ordered = session.policy.order_drill(eligible, cards, session.scheduler, session._now())
        if limit is not None:
            ordered = ordered[: max(0, limit)]
        session._state.pending = [session._item(q, "drill", cards.get(q.id)) for q in ordered]
        session._advance()
        return session

    # -- reading ----------------------------------------------------------------------------

    @property
    def current(self) -> QueueItem | None:
        """The question to show, or None when the session is finished."""
        return self._state.current

    @property
    def settings(self) -> Settings:
        return self.scheduler.settings

    @property
    def answered(self) -> int:
        return self._state.answered

    @property
    def grade(self) -> Grade | None:
        """The current question's grade once submitted or revealed, else None."""
        return self._answer.grade if self._answer else None

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def progress(self) -> Progress:
        state = self._state
        items = list(state.pending)
        if state.current is not None and state.current.reason in ("review", "new", "drill"):
            items.append(state.current)
        review = new = learning = 0
        for item in items:
            kind = _count_as(item)
            review += kind == "review"
            new += kind == "new"
            learning += kind == "learning"
        if self.kind is SessionKind.REVIEW:
            # Learning cards stay in ``learning`` while current; count those due soon.
            horizon = self._now() + LEARN_AHEAD
            learning += sum(1 for card in state.learning.values() if card.due <= horizon)
        return Progress(
            answered=state.answered,
            remaining=review + new + learning,
            learning=learning,
            review=review,
            new=new,
        )

    # -- answering --------------------------------------------------------------------------

    def begin_question(self) -> None:
        """Start the answer timer: call when the current question is shown."""
        self._shown_at = self._now()

    def submit(self, response: str) -> Grade:
        """Grade ``response`` to the current question; raises ResponseError if it cannot be
        read. Nothing is written until :meth:`rate`."""
        item = self._require_current()
        result = grade(item.question, response)
        self._answer = _Answer(result, self._elapsed_ms())
        return result

    def reveal(self) -> Grade:
        """Show the model answer without answering: for free text, the self-graded grade;
        for an objective question it counts as not knowing (wrong, suggested Again)."""
        item = self._require_current()
        if self._answer is not None:
            return self._answer.grade
        question = item.question
        if question.kind is Kind.TEXT:
            result = grade(question, "")
        else:
            try:
                expected = grade(question, question.answer).expected
            except ResponseError:  # a model answer the grader cannot read: show it as written
                expected = question.answer
            result = Grade(False, "", Rating.AGAIN, expected)
        self._answer = _Answer(result, self._elapsed_ms())
        return result

    def preview_intervals(self) -> dict[Rating, str]:
        """What each rating would schedule now, e.g. {AGAIN: "1分後", …, EASY: "8日後"}."""
        item = self._require_current()
        if not self.moves_schedule:
            return {rating: _("no change") for rating in Rating}
        now = self._now()
        card = item.card or CardState(item.question_id)
        replay = self.scheduler.fsrs
        return {
            rating: format_interval(replay.advance(card, rating, now).due - now)
            for rating in Rating
        }

    def rate(self, rating: Rating | int | None = None) -> AnswerOutcome:
        """Store the answer with ``rating`` (None: the suggested one) and move on.

        Commits before returning. Free-text answers need a rating (Again means wrong).
        """
        item = self._require_current()
        answer = self._answer
        if answer is None:
            raise SessionError(_("Answer the question before rating it."))
        if rating is None:
            if answer.grade.suggested is None:
                raise RatingRequired(_("Rate your answer from 1 (Again) to 4 (Easy)."))
            rating = answer.grade.suggested
        rating = Rating(rating)
        correct = answer.grade.correct
        if correct is None:
            correct = rating != Rating.AGAIN
        now = self._now()
        suspend_leech = self.moves_schedule and self.settings.leech_suspend
        recorded = self.scheduler.record_answer(
            item.question_id,
            int(rating),
            correct=correct,
            answer=answer.grade.response,
            duration_ms=answer.duration_ms,
            at=now,
            session_id=self.session_id,
            moves_schedule=self.moves_schedule,
            suspend_if_leech=suspend_leech,
        )
        card = recorded.card
        before = item.card
        became_leech = self.moves_schedule and card.leech and not (before and before.leech)
        suspended = became_leech and card.suspended and suspend_leech
        self._undo.append(_Undo("answer", self._snapshot(), item.question_id, suspended=suspended))
        self._after_answer(item, card, rating, suspended)
        if self.moves_schedule:
            next_due = card.due
            interval = format_interval(card.due - now)
        else:
            next_due, interval = None, _("no change")
        outcome = AnswerOutcome(
            grade=answer.grade,
            rating=rating,
            correct=correct,
            next_due=next_due,
            interval_text=interval,
            became_leech=became_leech,
            review=recorded.review,
            card=card,
            suspended=suspended,
        )
        self.last_outcome = outcome
        self._advance()
        return outcome

    def undo(self) -> QueueItem | None:
        """Take back the last answer (its review row goes, its card is restored exactly) or
        the last suspension; that question is current again. None when nothing to undo."""
        if not self._undo:
            return None
        entry = self._undo.pop()
        card: CardState | None
        if entry.action == "answer":
            undone = self.scheduler.undo_last_answer(self.session_id, unsuspend=entry.suspended)
            card = undone.card if undone is not None else None
        else:
            card = self.scheduler.set_suspended(entry.question_id, False)
        self._state = entry.state
        current = self._state.current
        if current is not None and card is not None:
            restored = None if card.is_new else card
            current = replace(current, card=restored, leech=bool(restored and restored.leech))
            self._state.current = current
            if current.reason in _LEARNING_REASONS and restored is not None:
                self._state.learning[current.question_id] = restored
        self._answer = None
        self._summary = None
        self.last_outcome = None
        self.begin_question()
        return current

    def suspend_current(self) -> None:
        """Suspend the current question (it leaves every queue until unsuspended); next."""
        item = self._require_current()
        self._undo.append(_Undo("suspend", self._snapshot(), item.question_id))
        self.scheduler.set_suspended(item.question_id, True)
        self._state.learning.pop(item.question_id, None)
        self._state.pending = [p for p in self._state.pending if p.question_id != item.question_id]
        self._advance()

    def finish(self) -> SessionSummary:
        """Close the session (once) and sum it up from its review rows."""
        if self._summary is not None:
            return self._summary
        now = self._now()
        answers = self.scheduler.session_answers(self.session_id)
        summary = self._summarize(answers, now)
        self.scheduler.end_session(
            self.session_id,
            details={
                "answered": summary.answered,
                "correct": summary.correct,
                "time_ms": summary.time_ms,
            },
            at=now,
        )
        self._summary = summary
        return summary

    # -- internals --------------------------------------------------------------------------

    def _now(self) -> datetime:
        return as_utc(self._clock())

    def _elapsed_ms(self) -> int:
        return max(0, round((self._now() - self._shown_at).total_seconds() * 1000))

    def _require_current(self) -> QueueItem:
        if self._state.current is None:
            raise SessionError(_("The session is finished: there is no question to answer."))
        return self._state.current

    def _snapshot(self) -> _State:
        state = self._state
        return _State(state.current, list(state.pending), dict(state.learning), state.answered)

    def _item(self, question: Question, reason: str, card: CardState | None) -> QueueItem:
        if card is not None and card.is_new:
            card = None
        return QueueItem(question, reason, card, bool(card and card.leech))

    def _learning_cards(self) -> dict[str, CardState]:
        return {
            card.question_id: card
            for card in self.scheduler.learning_cards()
            if card.question_id in self.questions
        }

    def _after_answer(
        self, item: QueueItem, card: CardState, rating: Rating, suspended: bool
    ) -> None:
        state = self._state
        state.answered += 1
        if self.kind is SessionKind.REVIEW:
            if card.status in _LEARNING and not suspended:
                state.learning[item.question_id] = card
            else:
                state.learning.pop(item.question_id, None)
        elif rating == Rating.AGAIN and not suspended:
            again = self._item(
                item.question, item.reason, card if self.moves_schedule else item.card
            )
            state.pending.insert(min(DRILL_AGAIN_GAP, len(state.pending)), again)

    def _advance(self) -> None:
        self._answer = None
        self._state.current = self._pick(self._now())
        self._shown_at = self._now()

    def _pick(self, now: datetime) -> QueueItem | None:
        state = self._state
        if self.kind is not SessionKind.REVIEW:
            return state.pending.pop(0) if state.pending else None
        soonest = self._soonest_learning()
        if soonest is not None and soonest.due <= now:
            return self._learning_item(soonest)
        if not state.pending and (
            self._refilled_at is None or now - self._refilled_at >= REFILL_INTERVAL
        ):
            self._refill(now)
            soonest = self._soonest_learning()
            if soonest is not None and soonest.due <= now:
                return self._learning_item(soonest)
        if state.pending:
            return state.pending.pop(0)
        if soonest is not None and soonest.due <= now + LEARN_AHEAD:
            return self._learning_item(soonest)
        return None

    def _soonest_learning(self) -> CardState | None:
        learning = self._state.learning
        return min(learning.values(), key=lambda card: card.due) if learning else None

    def _learning_item(self, card: CardState) -> QueueItem:
        reason = "relearning" if card.status == CardStatus.RELEARNING else "learning"
        return self._item(self.questions[card.question_id], reason, card)

    def _refill(self, now: datetime) -> None:
        """Plan due reviews and new questions within today's budget (from the log)."""
        self._refilled_at = now
        state = self._state
        scheduler = self.scheduler
        if state.answered:  # another process may have answered too: trust the database
            state.learning = self._learning_cards()
        queued = {item.question_id for item in state.pending} | set(state.learning)
        if state.current is not None:
            queued.add(state.current.question_id)
        budget = scheduler.daily_budget(now)
        candidates = QueueCandidates(
            now=now,
            settings=scheduler.settings,
            budget=budget,
            questions=self.questions,
            due_reviews=[c for c in scheduler.due_reviews(now) if c.question_id in self.questions],
            new_ids=[qid for qid in scheduler.new_question_ids() if qid in self.questions],
            scheduler=scheduler,
            exclude=frozenset(queued),
        )
        plan = self.policy.plan_review(candidates)
        reviews: list[QueueItem] = []
        for card in plan.reviews:
            qid = card.question_id
            if qid in self.questions and qid not in queued and not card.suspended:
                queued.add(qid)
                reviews.append(self._item(self.questions[qid], "review", card))
        new: list[QueueItem] = []
        for qid in plan.new:
            if qid in self.questions and qid not in queued:
                queued.add(qid)
                new.append(self._item(self.questions[qid], "new", None))
        state.pending += reviews[: budget.reviews] + new[: budget.new]

    def _summarize(self, answers: list[ReviewRecord], now: datetime) -> SessionSummary:
        correct = sum(1 for answer in answers if answer.correct)
        ratings = {rating: 0 for rating in Rating}
        sections: dict[str, list[int]] = {}
        for answer in answers:
            ratings[Rating(answer.rating)] += 1
            question = self.questions.get(answer.question_id)
            for tag in question.syllabus if question else ():
                counts = sections.setdefault(section_code(tag), [0, 0])
                counts[0] += 1
                counts[1] += bool(answer.correct)
        order = {code: index for index, code in enumerate(SECTIONS)}
        return SessionSummary(
            session_id=self.session_id,
            kind=self.kind,
            answered=len(answers),
            correct=correct,
            accuracy=correct / len(answers) if answers else None,
            time_ms=sum(answer.duration_ms or 0 for answer in answers),
            elapsed=now - self.started_at,
            questions=len({answer.question_id for answer in answers}),
            ratings=ratings,
            sections=tuple(
                SectionResult(code, SECTIONS.get(code, ""), counts[0], counts[1])
                for code, counts in sorted(
                    sections.items(), key=lambda entry: order.get(entry[0], len(order))
                )
            ),
        )


_LEARNING_REASONS = ("learning", "relearning")


def _count_as(item: QueueItem) -> str:
    if item.reason != "drill":
        return item.reason
    if item.card is None:
        return "new"
    return "learning" if item.card.status in _LEARNING else "review"


def _drill_filter(section: str | None, course_part: str | None) -> Callable[[Question], bool]:
    """The test a question must pass to be in a drill; raises InvalidDrill for bad names."""
    code = None
    if section is not None:
        code = section_code(section.strip())
        if code not in SECTIONS and code not in MAJOR_SECTIONS:
            raise InvalidDrill(
                _("{section} is not a syllabus section (e.g. 3-4, or 3 for a chapter).").format(
                    section=repr(section)
                )
            )
    part = None
    if course_part is not None:
        wanted = course_part.strip()
        head, _sep, rest = wanted.partition(" ")
        known = {name.lower(): name for name in COURSE_PARTS}
        if head.lower() not in known:
            raise InvalidDrill(
                _("{part} is not a course part (one of {parts}).").format(
                    part=repr(course_part), parts=", ".join(COURSE_PARTS)
                )
            )
        part = f"{known[head.lower()]} {rest}".strip()

    def matches(question: Question) -> bool:
        if code is not None:
            codes = [section_code(tag) for tag in question.syllabus]
            if not any(c == code or c.split("-")[0] == code for c in codes):
                return False
        if part is not None:
            if " " in part:
                return question.course == part or question.course.startswith(part + " ")
            return question.course_part == part
        return True

    return matches


__all__ = [
    "AnswerOutcome",
    "InvalidDrill",
    "Progress",
    "QueueItem",
    "RatingRequired",
    "SectionResult",
    "SessionError",
    "SessionKind",
    "SessionSummary",
    "StudySession",
    "format_interval",
]
