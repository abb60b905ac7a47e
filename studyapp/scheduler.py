"""FSRS-6 scheduling on top of the review log (no Textual).

The review log is the truth; a card's state is what replaying its schedule-moving reviews
through FSRS yields, and the ``cards`` table caches exactly that (plus the learner's
``suspended`` flag). Everything here keeps the two equal:

- :meth:`StudyScheduler.record_answer` appends a review and advances the cached card by that
  one review, in one transaction (a review older than the card's last one replays the card);
- :meth:`StudyScheduler.undo_last_answer` deletes a session's last review and replays;
- :func:`rebuild_cards` replays a whole profile (after an import or a settings change).

Fuzzing is off: intervals are a pure function of the log, so replay reproduces the cache
bit for bit. Answer-path queries use the indexes on ``cards (profile_id, due)`` and
``reviews (profile_id, question_id, reviewed_at)``; none scans a table.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import fsrs
from sqlalchemy import Select, and_, delete, distinct, exists, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from data.db import Database
from data.models import (
    RATINGS,
    SESSION_KINDS,
    Card,
    CardStatus,
    Question,
    Review,
    StudySession,
    utc_now,
)
from studyapp.days import as_utc, local_day_start
from studyapp.settings import Settings, load_settings, save_settings

_LEARNING_STATUSES = (CardStatus.LEARNING, CardStatus.RELEARNING)
# A new card's due time means nothing to FSRS; a constant keeps replay a pure function.
_NEW_CARD_DUE = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CardState:
    """The scheduling state of one question for one profile; ``NEW`` until first reviewed."""

    question_id: str
    status: CardStatus = CardStatus.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    suspended: bool = False
    leech: bool = False

    @property
    def is_new(self) -> bool:
        return self.status == CardStatus.NEW

    @classmethod
    def from_row(cls, row: Card) -> CardState:
        values = {name: getattr(row, name) for name in _CARD_FIELDS}
        values["status"] = CardStatus(values["status"])
        return cls(**values)

    def to_fsrs(self) -> fsrs.Card:
        if self.is_new:
            return fsrs.Card(card_id=0, due=_NEW_CARD_DUE)
        return fsrs.Card(
            card_id=0,  # an explicit id: fsrs's default sleeps 1 ms to make one up
            state=fsrs.State(self.status),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )


_CARD_FIELDS = tuple(field.name for field in fields(CardState))


@dataclass(frozen=True)
class ReviewRecord:
    """One row of the review log."""

    id: int
    question_id: str
    session_id: int | None
    rating: int
    correct: bool | None
    answer: str | None
    duration_ms: int | None
    reviewed_at: datetime
    moves_schedule: bool

    @classmethod
    def from_row(cls, row: Review) -> ReviewRecord:
        return cls(**{field.name: getattr(row, field.name) for field in fields(cls)})


@dataclass(frozen=True)
class RecordedAnswer:
    """What :meth:`StudyScheduler.record_answer` stored, and the card state after it."""

    review: ReviewRecord
    card: CardState


@dataclass(frozen=True)
class UndoneAnswer:
    """The review that :meth:`StudyScheduler.undo_last_answer` removed, and the card restored."""

    review: ReviewRecord
    card: CardState


@dataclass(frozen=True)
class DueCounts:
    """Active, unsuspended work available now (before daily limits)."""

    learning: int  # learning and relearning cards due now
    review: int  # review cards due now
    new: int  # questions never studied

    @property
    def due_now(self) -> int:
        return self.learning + self.review


@dataclass(frozen=True)
class TodayCounts:
    """What the learner did today (local day), as the daily limits count it."""

    new: int  # questions studied for the first time today
    reviews: int  # questions studied before today and answered again today


@dataclass(frozen=True)
class DailyBudget:
    """How many new questions and reviews today's limits still allow."""

    new: int
    reviews: int


@dataclass(frozen=True)
class ProfileStats:
    """Counts for ``studyapp stats``: the bank, the profile's cards and its log."""

    questions: int  # active questions in the bank
    retired: int  # questions that left the bank (history kept)
    cards: int  # active questions this profile has studied
    new: int  # active questions never studied (not suspended)
    reviews: int  # every answer in the log, schedule-moving or not
    due_now: int
    learning_due: int
    review_due: int
    learning: int  # cards in learning or relearning, due or not
    suspended: int
    leeches: int
    today: TodayCounts


class FsrsReplay:
    """Advances card states through FSRS with a profile's settings, deterministically.

    Elapsed time is counted in calendar days of the local time zone ``zone``, as Anki does.
    The fsrs package counts whole 24-hour blocks instead: a review at 10:05 the day after one
    at 10:10 would count as a same-day review and barely strengthen the memory, so a learner
    who studies a little earlier each day would be stuck at one-day intervals. Each card is
    therefore shown to fsrs as last reviewed exactly N × 24 h ago, N being the calendar days
    since its last review.
    """

    def __init__(self, settings: Settings, zone: tzinfo | None = None):
        self.scheduler = fsrs.Scheduler(
            desired_retention=settings.desired_retention,
            learning_steps=settings.learning_steps,
            relearning_steps=settings.relearning_steps,
            enable_fuzzing=False,
        )
        self.leech_threshold = settings.leech_threshold
        self.zone = zone

    def calendar_days(self, earlier: datetime, later: datetime) -> int:
        """Local calendar days from ``earlier`` to ``later``: 1 from 23:50 to 00:10 next day."""
        return (
            as_utc(later).astimezone(self.zone).date()
            - as_utc(earlier).astimezone(self.zone).date()
        ).days

    def _as_fsrs(self, card: CardState, at: datetime) -> fsrs.Card:
        """``card`` for fsrs at time ``at``, its last review moved to whole calendar days ago."""
        fsrs_card = card.to_fsrs()
        if card.last_review is not None:
            days = self.calendar_days(card.last_review, at)
            if days >= 1:
                fsrs_card.last_review = as_utc(at) - timedelta(days=days)
        return fsrs_card

    def advance(self, card: CardState, rating: int, at: datetime) -> CardState:
        """The card after one review rated ``rating`` (1–4) at ``at`` (UTC)."""
        reviewed, _ = self.scheduler.review_card(self._as_fsrs(card, at), fsrs.Rating(rating), at)
        lapses = card.lapses + (card.status == CardStatus.REVIEW and rating == fsrs.Rating.Again)
        return CardState(
            question_id=card.question_id,
            status=CardStatus(reviewed.state),
            step=reviewed.step,
            stability=reviewed.stability,
            difficulty=reviewed.difficulty,
            due=reviewed.due,
            last_review=reviewed.last_review,
            reps=card.reps + 1,
            lapses=lapses,
            suspended=card.suspended,
            leech=lapses >= self.leech_threshold,
        )

    def replay(
        self, question_id: str, reviews: Iterable[tuple[int, datetime]], *, suspended: bool = False
    ) -> CardState:
        """The card after ``reviews`` — (rating, time) pairs in log order — from new."""
        card = CardState(question_id, suspended=suspended)
        for rating, at in reviews:
            card = self.advance(card, rating, at)
        return card

    def retrievability(self, card: CardState, at: datetime) -> float:
        """Predicted probability of recall at ``at``; 0 for a card never reviewed."""
        if card.is_new:
            return 0.0
        return self.scheduler.get_card_retrievability(
            self._as_fsrs(card, at), current_datetime=as_utc(at)
        )


class StudyScheduler:
    """Scheduling for one profile: record and undo answers, due queries, predictions.

    Every method runs in its own transaction, so answers are committed as they are given.
    ``clock`` and ``zone`` (the local time zone that days are counted in) can be fixed for
    tests and simulations.
    """

    def __init__(
        self,
        database: Database,
        profile_id: int,
        *,
        settings: Settings | None = None,
        clock: Callable[[], datetime] = utc_now,
        zone: tzinfo | None = None,
    ):
        self.database = database
        self.profile_id = profile_id
        self.clock = clock
        self.zone = zone
        if settings is None:
            with database.read() as session:
                settings = load_settings(session, profile_id)
        self._use(settings)

    @property
    def settings(self) -> Settings:
        return self._settings

    def _use(self, settings: Settings) -> None:
        self._settings = settings
        self.fsrs = FsrsReplay(settings, self.zone)

    def _now(self, at: datetime | None) -> datetime:
        return as_utc(at if at is not None else self.clock())

    # -- settings ---------------------------------------------------------------------------

    def update_settings(self, settings: Settings) -> None:
        """Save new settings; when scheduling ones change, rebuild every card to match."""
        with self.database.write() as session:
            save_settings(session, self.profile_id, settings)
            if settings.scheduling != self._settings.scheduling:
                rebuild_cards(session, self.profile_id, FsrsReplay(settings, self.zone))
        self._use(settings)

    # -- answers ----------------------------------------------------------------------------

    def record_answer(
        self,
        question_id: str,
        rating: int,
        *,
        correct: bool | None = None,
        answer: str | None = None,
        duration_ms: int | None = None,
        at: datetime | None = None,
        session_id: int | None = None,
        moves_schedule: bool = True,
        suspend_if_leech: bool = False,
    ) -> RecordedAnswer:
        """Append one answer to the log and update the card, in one committed transaction.

        ``rating`` is 1–4 (Again, Hard, Good, Easy); answers with ``moves_schedule`` false
        (drills, mock exams) are logged but leave the card as it is. With
        ``suspend_if_leech``, an answer that makes the card a leech also suspends it, in the
        same transaction.
        """
        if rating not in RATINGS:
            raise ValueError(f"{rating!r} is not a rating (1–4)")
        at = self._now(at)
        with self.database.write() as session:
            review = Review(
                profile_id=self.profile_id,
                question_id=question_id,
                session_id=session_id,
                rating=int(rating),
                correct=correct,
                answer=answer,
                duration_ms=duration_ms,
                reviewed_at=at,
                moves_schedule=moves_schedule,
            )
            session.add(review)
            session.flush()
            row = session.get(Card, (self.profile_id, question_id))
            card = CardState.from_row(row) if row else CardState(question_id)
            if moves_schedule:
                was_leech = card.leech
                if card.last_review is not None and at < card.last_review:
                    card = replay_card(session, self.profile_id, question_id, self.fsrs)
                else:
                    card = self.fsrs.advance(card, rating, at)
                if suspend_if_leech and card.leech and not was_leech:
                    card = replace(card, suspended=True)
                store_card(session, self.profile_id, card, row)
            return RecordedAnswer(ReviewRecord.from_row(review), card)

    def undo_last_answer(self, session_id: int, *, unsuspend: bool = False) -> UndoneAnswer | None:
        """Remove the last answer of a study session and restore its card; None if none.

        ``unsuspend`` also lifts the card's suspension (the undone answer had suspended it
        as a leech), in the same transaction.
        """
        with self.database.write() as session:
            review = session.scalars(
                select(Review)
                .where(Review.session_id == session_id, Review.profile_id == self.profile_id)
                .order_by(Review.id.desc())
                .limit(1)
            ).first()
            if review is None:
                return None
            record = ReviewRecord.from_row(review)
            session.delete(review)
            session.flush()
            card = replay_card(session, self.profile_id, record.question_id, self.fsrs)
            if unsuspend:
                card = replace(card, suspended=False)
            store_card(session, self.profile_id, card)
            return UndoneAnswer(record, card)

    def set_suspended(self, question_id: str, suspended: bool = True) -> CardState:
        """Suspend a question (it leaves every queue) or bring it back."""
        with self.database.write() as session:
            row = session.get(Card, (self.profile_id, question_id))
            card = CardState.from_row(row) if row else CardState(question_id)
            card = replace(card, suspended=suspended)
            store_card(session, self.profile_id, card, row)
            return card

    def rebuild_cards(self) -> int:
        """Replay the whole log of the profile into the card cache; returns the cards built."""
        with self.database.write() as session:
            return rebuild_cards(session, self.profile_id, self.fsrs)

    # -- study sessions ---------------------------------------------------------------------

    def start_session(
        self, kind: str, *, details: dict[str, Any] | None = None, at: datetime | None = None
    ) -> int:
        """Open a study session (``review``, ``drill`` or ``exam``); returns its id."""
        if kind not in SESSION_KINDS:
            raise ValueError(f"{kind!r} is not a session kind ({', '.join(SESSION_KINDS)})")
        with self.database.write() as session:
            row = StudySession(
                profile_id=self.profile_id,
                kind=kind,
                started_at=self._now(at),
                details=dict(details or {}),
            )
            session.add(row)
            session.flush()
            return row.id

    def end_session(
        self, session_id: int, *, details: dict[str, Any] | None = None, at: datetime | None = None
    ) -> None:
        """Close a study session, merging ``details`` into the ones it has."""
        with self.database.write() as session:
            row = self._own_session(session, session_id)
            row.ended_at = self._now(at)
            if details:
                row.details = {**row.details, **details}

    def update_session_details(self, session_id: int, details: dict[str, Any]) -> None:
        """Merge ``details`` into an open session's details, committed at once (a mock exam
        keeps its answers there until it is graded, so a crash loses none)."""
        with self.database.write() as session:
            row = self._own_session(session, session_id)
            row.details = {**row.details, **details}

    def unfinished_sessions(self, kind: str) -> list[tuple[int, datetime, dict[str, Any]]]:
        """(id, started_at, details) of this profile's sessions of ``kind`` never ended."""
        with self.database.read() as session:
            rows = session.scalars(
                select(StudySession)
                .where(
                    StudySession.profile_id == self.profile_id,
                    StudySession.kind == kind,
                    StudySession.ended_at.is_(None),
                )
                .order_by(StudySession.id)
            )
            return [(row.id, row.started_at, dict(row.details)) for row in rows]

    def _own_session(self, session: Session, session_id: int) -> StudySession:
        row = session.get(StudySession, session_id)
        if row is None or row.profile_id != self.profile_id:
            raise ValueError(f"no study session {session_id} for this profile")
        return row

    # -- reading ----------------------------------------------------------------------------

    def card(self, question_id: str) -> CardState:
        with self.database.read() as session:
            row = session.get(Card, (self.profile_id, question_id))
            return CardState.from_row(row) if row else CardState(question_id)

    def history(self, question_id: str) -> list[ReviewRecord]:
        """Every answer to one question, oldest first."""
        with self.database.read() as session:
            rows = session.scalars(
                select(Review)
                .where(Review.profile_id == self.profile_id, Review.question_id == question_id)
                .order_by(Review.reviewed_at, Review.id)
            )
            return [ReviewRecord.from_row(row) for row in rows]

    def session_answers(self, session_id: int) -> list[ReviewRecord]:
        """Every answer given in one study session, in order."""
        with self.database.read() as session:
            rows = session.scalars(
                select(Review)
                .where(Review.session_id == session_id, Review.profile_id == self.profile_id)
                .order_by(Review.id)
            )
            return [ReviewRecord.from_row(row) for row in rows]

    def due_learning(
        self, now: datetime | None = None, limit: int | None = None
    ) -> list[CardState]:
        """Learning and relearning cards due by ``now``, most overdue first."""
        return self._cards(
            self._active_cards()
            .where(Card.status.in_(_LEARNING_STATUSES), Card.due <= self._now(now))
            .order_by(Card.due)
            .limit(limit)
        )

    def due_reviews(self, now: datetime | None = None, limit: int | None = None) -> list[CardState]:
        """Review cards due by ``now``, most overdue first."""
        return self._cards(
            self._active_cards()
            .where(Card.status == CardStatus.REVIEW, Card.due <= self._now(now))
            .order_by(Card.due)
            .limit(limit)
        )

    def learning_cards(self) -> list[CardState]:
        """Every learning and relearning card, due now or later, soonest first."""
        return self._cards(
            self._active_cards().where(Card.status.in_(_LEARNING_STATUSES)).order_by(Card.due)
        )

    def cards(self, question_ids: Iterable[str] | None = None) -> dict[str, CardState]:
        """The cached cards of active questions (all, or of ``question_ids``), by id.

        Suspended cards are included; a question without a card is new and absent here.
        """
        statement = (
            select(Card)
            .join(Question, Question.id == Card.question_id)
            .where(Card.profile_id == self.profile_id, Question.retired_at.is_(None))
        )
        if question_ids is not None:
            statement = statement.where(Card.question_id.in_(list(question_ids)))
        with self.database.read() as session:
            return {row.question_id: CardState.from_row(row) for row in session.scalars(statement)}

    def next_due(self, now: datetime | None = None) -> CardState | None:
        """The most overdue studied card due by ``now``, or None."""
        cards = self._cards(
            self._active_cards()
            .where(Card.status != CardStatus.NEW, Card.due <= self._now(now))
            .order_by(Card.due)
            .limit(1)
        )
        return cards[0] if cards else None

    def new_question_ids(self, limit: int | None = None) -> list[str]:
        """Active, unsuspended questions never studied, in bank order (file, line)."""
        with self.database.read() as session:
            return list(
                session.scalars(
                    self._new_questions(Question.id)
                    .order_by(Question.file, Question.line)
                    .limit(limit)
                )
            )

    def counts(self, now: datetime | None = None) -> DueCounts:
        """How many learning cards, review cards and new questions are available now."""
        now = self._now(now)
        with self.database.read() as session:
            return self._counts(session, now)

    def today(self, now: datetime | None = None) -> TodayCounts:
        """New questions introduced and reviews done since local midnight."""
        now = self._now(now)
        with self.database.read() as session:
            return self._today(session, local_day_start(now, self.zone))

    def daily_budget(self, now: datetime | None = None) -> DailyBudget:
        """What the daily limits still allow today."""
        done = self.today(now)
        return DailyBudget(
            new=max(0, self._settings.new_per_day - done.new),
            reviews=max(0, self._settings.reviews_per_day - done.reviews),
        )

    def retrievability(self, card: CardState, at: datetime | None = None) -> float:
        """Predicted recall of ``card`` at ``at`` (default now), e.g. on exam day."""
        return self.fsrs.retrievability(card, self._now(at))

    def retrievabilities(self, at: datetime | None = None) -> dict[str, float]:
        """Predicted recall at ``at`` of every studied active card (suspended included)."""
        at = self._now(at)
        with self.database.read() as session:
            rows = session.scalars(
                select(Card)
                .join(Question, Question.id == Card.question_id)
                .where(
                    Card.profile_id == self.profile_id,
                    Card.status != CardStatus.NEW,
                    Question.retired_at.is_(None),
                )
            )
            return {
                row.question_id: self.fsrs.retrievability(CardState.from_row(row), at)
                for row in rows
            }

    def due_forecast(self, days: int = 30, now: datetime | None = None) -> list[int]:
        """Cards falling due on each of the next ``days`` local days; day 0 includes overdue."""
        now = self._now(now)
        start = local_day_start(now, self.zone)
        # Each day ends where the next local day starts; stepping from noon keeps a DST
        # change from skipping or doubling a day.
        ends = [
            local_day_start(start + timedelta(days=offset + 1, hours=12), self.zone)
            for offset in range(days)
        ]
        with self.database.read() as session:
            dues = session.scalars(
                self._active_cards()
                .with_only_columns(Card.due)
                .where(Card.status != CardStatus.NEW, Card.due < ends[-1])
                .order_by(Card.due)
            ).all()
        counts = [0] * days
        day = 0
        for due in dues:
            while due >= ends[day]:
                day += 1
            counts[day] += 1
        return counts

    def stats(self, now: datetime | None = None) -> ProfileStats:
        """Counts of the bank, the profile's cards and log, and today's work."""
        now = self._now(now)
        pid = self.profile_id
        with self.database.read() as session:
            question_counts = dict(
                session.execute(
                    select(Question.retired_at.is_(None), func.count()).group_by(
                        Question.retired_at.is_(None)
                    )
                ).all()
            )
            studied = session.execute(
                select(
                    func.count(),
                    func.count().filter(Card.status.in_(_LEARNING_STATUSES)),
                    func.count().filter(Card.suspended.is_(True)),
                    func.count().filter(Card.leech.is_(True)),
                )
                .select_from(Card)
                .join(Question, Question.id == Card.question_id)
                .where(
                    Card.profile_id == pid,
                    Card.status != CardStatus.NEW,
                    Question.retired_at.is_(None),
                )
            ).one()
            suspended_new = session.scalar(
                select(func.count())
                .select_from(Card)
                .join(Question, Question.id == Card.question_id)
                .where(
                    Card.profile_id == pid,
                    Card.status == CardStatus.NEW,
                    Card.suspended.is_(True),
                    Question.retired_at.is_(None),
                )
            )
            reviews = session.scalar(
                select(func.count()).select_from(Review).where(Review.profile_id == pid)
            )
            due = self._counts(session, now)
            today = self._today(session, local_day_start(now, self.zone))
        return ProfileStats(
            questions=question_counts.get(True, 0),
            retired=question_counts.get(False, 0),
            cards=studied[0],
            new=due.new,
            reviews=reviews or 0,
            due_now=due.due_now,
            learning_due=due.learning,
            review_due=due.review,
            learning=studied[1],
            suspended=studied[2] + (suspended_new or 0),
            leeches=studied[3],
            today=today,
        )

    # -- query helpers ----------------------------------------------------------------------

    def _active_cards(self) -> Select[tuple[Card]]:
        """This profile's cards of active questions, suspended ones left out."""
        return (
            select(Card)
            .join(Question, Question.id == Card.question_id)
            .where(
                Card.profile_id == self.profile_id,
                Card.suspended.is_(False),
                Question.retired_at.is_(None),
            )
        )

    def _new_questions(self, *columns: Any) -> Select[Any]:
        return (
            select(*columns)
            .select_from(Question)
            .outerjoin(
                Card, and_(Card.question_id == Question.id, Card.profile_id == self.profile_id)
            )
            .where(
                Question.retired_at.is_(None),
                or_(
                    Card.question_id.is_(None),
                    and_(Card.status == CardStatus.NEW, Card.suspended.is_(False)),
                ),
            )
        )

    def _cards(self, statement: Select[tuple[Card]]) -> list[CardState]:
        with self.database.read() as session:
            return [CardState.from_row(row) for row in session.scalars(statement)]

    def _counts(self, session: Session, now: datetime) -> DueCounts:
        by_status = dict(
            session.execute(
                self._active_cards()
                .with_only_columns(Card.status, func.count())
                .where(Card.status != CardStatus.NEW, Card.due <= now)
                .group_by(Card.status)
            ).all()
        )
        new = session.scalar(self._new_questions(func.count()))
        return DueCounts(
            learning=sum(by_status.get(status, 0) for status in _LEARNING_STATUSES),
            review=by_status.get(CardStatus.REVIEW, 0),
            new=new or 0,
        )

    def _today(self, session: Session, day_start: datetime) -> TodayCounts:
        earlier = aliased(Review)
        seen_before = exists().where(
            earlier.profile_id == Review.profile_id,
            earlier.question_id == Review.question_id,
            earlier.moves_schedule.is_(True),
            earlier.reviewed_at < day_start,
        )
        new, reviews = session.execute(
            select(
                func.count(distinct(Review.question_id)).filter(~seen_before),
                func.count(distinct(Review.question_id)).filter(seen_before),
            ).where(
                Review.profile_id == self.profile_id,
                Review.moves_schedule.is_(True),
                Review.reviewed_at >= day_start,
            )
        ).one()
        return TodayCounts(new=new, reviews=reviews)


# -- cache maintenance, inside a caller's transaction -----------------------------------------


def replay_card(
    session: Session, profile_id: int, question_id: str, replay: FsrsReplay
) -> CardState:
    """The card as the log says it is now (its ``suspended`` flag as cached)."""
    reviews = session.execute(
        select(Review.rating, Review.reviewed_at)
        .where(
            Review.profile_id == profile_id,
            Review.question_id == question_id,
            Review.moves_schedule.is_(True),
        )
        .order_by(Review.reviewed_at, Review.id)
    ).all()
    suspended = session.scalar(
        select(Card.suspended).where(Card.profile_id == profile_id, Card.question_id == question_id)
    )
    return replay.replay(question_id, reviews, suspended=bool(suspended))


def store_card(session: Session, profile_id: int, card: CardState, row: Card | None = None) -> None:
    """Write ``card`` into the cache; a new, unsuspended card needs no row."""
    row = row if row is not None else session.get(Card, (profile_id, card.question_id))
    if card.is_new and not card.suspended:
        if row is not None:
            session.delete(row)
        return
    values = _as_dict(card)
    if row is None:
        session.add(Card(profile_id=profile_id, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)


def rebuild_cards(session: Session, profile_id: int, replay: FsrsReplay) -> int:
    """Replace the profile's card cache by a replay of its whole log; returns the cards."""
    suspended = set(
        session.scalars(
            select(Card.question_id).where(Card.profile_id == profile_id, Card.suspended.is_(True))
        )
    )
    reviews = session.execute(
        select(Review.question_id, Review.rating, Review.reviewed_at)
        .where(Review.profile_id == profile_id, Review.moves_schedule.is_(True))
        .order_by(Review.question_id, Review.reviewed_at, Review.id)
    )
    cards = [
        replay.replay(
            question_id,
            ((rating, at) for _, rating, at in rows),
            suspended=question_id in suspended,
        )
        for question_id, rows in itertools.groupby(reviews, key=lambda row: row.question_id)
    ]
    reviewed = {card.question_id for card in cards}
    cards += [CardState(question_id, suspended=True) for question_id in suspended - reviewed]
    session.execute(delete(Card).where(Card.profile_id == profile_id))
    if cards:
        session.execute(
            insert(Card), [{"profile_id": profile_id, **_as_dict(card)} for card in cards]
        )
    return len(cards)


def _as_dict(card: CardState) -> dict[str, Any]:
    return {name: getattr(card, name) for name in _CARD_FIELDS}
