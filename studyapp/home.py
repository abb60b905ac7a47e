"""The home screen's numbers: what is due, today's work, the streak, the exam countdown.

Cheap by design (it runs on start-up, before the bank is synced): a few aggregate queries on
indexed columns, no bank parsing, no scan of the review log. Due counts are capped by
today's limits, as a review session started now would serve them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, distinct, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from data.db import Database
from data.models import Card, CardStatus, Question, Review, UTCDateTime
from studyapp.scheduler import StudyScheduler, as_utc, local_day_start

_LEARNING = (CardStatus.LEARNING, CardStatus.RELEARNING)


@dataclass(frozen=True)
class HomeSummary:
    due_now: int  # learning_due + reviews_due
    learning_due: int  # learning and relearning cards due now
    reviews_due: int  # review cards due now, up to what today's review limit still allows
    new_today: int  # new questions still available today (daily new limit, bank size)
    reviewed_today: int  # answers given today (every kind of session)
    streak_days: int  # consecutive days with an answer, up to today (or yesterday)
    exam_date: date | None
    days_to_exam: int | None  # 0 on exam day, negative after it; None without a date
    total_questions: int  # active questions in the bank
    seen_questions: int  # active questions studied at least once
    suspended: int
    leeches: int


def home_summary(source: Any, now: datetime | None = None) -> HomeSummary:
    """The summary for a Store, a StudyScheduler, or a ``(database, profile_id)`` pair."""
    scheduler = _scheduler(source)
    now = as_utc(now if now is not None else scheduler.clock())
    settings = scheduler.settings
    day_start = local_day_start(now, scheduler.zone)
    statements = _statements()
    params = {"profile": scheduler.profile_id, "now": now, "day_start": day_start}
    with scheduler.database.read() as session:
        total = session.scalar(statements.questions) or 0
        cards = session.execute(statements.cards, params).one()
        new_done, reviews_done, reviewed_today = session.execute(statements.today, params).one()
        streak = _streak(session, scheduler, day_start)
    reviews_due = min(cards.review_due, max(0, settings.reviews_per_day - reviews_done))
    new_today = min(total - cards.not_new, max(0, settings.new_per_day - new_done))
    exam_date = settings.exam_date
    today = now.astimezone(scheduler.zone).date()
    return HomeSummary(
        due_now=cards.learning_due + reviews_due,
        learning_due=cards.learning_due,
        reviews_due=reviews_due,
        new_today=new_today,
        reviewed_today=reviewed_today,
        streak_days=streak,
        exam_date=exam_date,
        days_to_exam=(exam_date - today).days if exam_date is not None else None,
        total_questions=total,
        seen_questions=cards.seen,
        suspended=cards.suspended,
        leeches=cards.leeches,
    )


@dataclass(frozen=True)
class _Statements:
    questions: Select[Any]
    cards: Select[Any]
    today: Select[Any]


@functools.cache
def _statements() -> _Statements:
    """The home screen's queries, built once (building them costs more than running them).

    Parameters: ``profile``, and ``now`` and ``day_start`` (UTC datetimes).
    """
    profile = bindparam("profile")
    now = bindparam("now", type_=UTCDateTime())
    day_start = bindparam("day_start", type_=UTCDateTime())
    unsuspended = Card.suspended.is_(False)
    cards = (
        select(
            func.count().filter(Card.status != CardStatus.NEW).label("seen"),
            func.count()
            .filter(or_(Card.status != CardStatus.NEW, Card.suspended.is_(True)))
            .label("not_new"),
            func.count()
            .filter(Card.status.in_(_LEARNING), unsuspended, Card.due <= now)
            .label("learning_due"),
            func.count()
            .filter(Card.status == CardStatus.REVIEW, unsuspended, Card.due <= now)
            .label("review_due"),
            func.count().filter(Card.suspended.is_(True)).label("suspended"),
            func.count()
            .filter(Card.leech.is_(True), Card.status != CardStatus.NEW)
            .label("leeches"),
        )
        .select_from(Card)
        .join(Question, Question.id == Card.question_id)
        .where(Card.profile_id == profile, Question.retired_at.is_(None))
    )
    # Today's first answers to new questions and answers to questions studied before, as
    # StudyScheduler.today counts them for the daily limits; and every answer today.
    earlier = aliased(Review)
    seen_before = exists().where(
        earlier.profile_id == Review.profile_id,
        earlier.question_id == Review.question_id,
        earlier.moves_schedule.is_(True),
        earlier.reviewed_at < day_start,
    )
    moving = Review.moves_schedule.is_(True)
    today = select(
        func.count(distinct(Review.question_id)).filter(moving, ~seen_before),
        func.count(distinct(Review.question_id)).filter(moving, seen_before),
        func.count(),
    ).where(Review.profile_id == profile, Review.reviewed_at >= day_start)
    questions = select(func.count()).select_from(Question).where(Question.retired_at.is_(None))
    return _Statements(questions, cards, today)


def _scheduler(source: Any) -> StudyScheduler:
    if isinstance(source, StudyScheduler):
        return source
    if isinstance(source, tuple) and len(source) == 2 and isinstance(source[0], Database):
        return StudyScheduler(source[0], source[1])
    scheduler = getattr(source, "scheduler", None)
    if isinstance(scheduler, StudyScheduler):
        return scheduler
    raise TypeError(
        f"home_summary needs a Store, a StudyScheduler or (database, profile_id), not {source!r}"
    )


# Days whose answers one streak query checks (one index seek each); a year takes 13 queries.
_STREAK_BATCH = 30


def _streak(session: Session, scheduler: StudyScheduler, day_start: datetime) -> int:
    """Consecutive local days with at least one answer, ending today — or yesterday, since
    a streak lives until the day ends. Checks days in batches, newest first: one query
    asks, for each of ``_STREAK_BATCH`` days, whether an answer falls in it."""
    statement = _days_with_answers(_STREAK_BATCH)
    params: dict[str, Any] = {"profile": scheduler.profile_id}
    bound = _next_day(day_start, scheduler)  # the end of today
    streak = 0
    first = True
    while True:
        for index in range(_STREAK_BATCH + 1):
            params[f"b{index}"] = bound
            if index < _STREAK_BATCH:
                bound = _previous_day(bound, scheduler) if index or not first else day_start
        answered = session.execute(statement, params).one()
        if first and not answered[0]:
            answered = answered[1:]  # nothing yet today: the streak may end yesterday
        first = False
        for day in answered:
            if not day:
                return streak
            streak += 1


@functools.cache
def _days_with_answers(days: int) -> Select[Any]:
    """One row: for each day ``i`` (``b{i+1}`` ≤ time < ``b{i}``), whether it has an answer."""
    profile = bindparam("profile")
    bounds = [bindparam(f"b{index}", type_=UTCDateTime()) for index in range(days + 1)]
    return select(
        *(
            exists()
            .where(
                Review.profile_id == profile,
                Review.reviewed_at >= bounds[index + 1],
                Review.reviewed_at < bounds[index],
            )
            .label(f"day{index}")
            for index in range(days)
        )
    )


def _previous_day(day_start: datetime, scheduler: StudyScheduler) -> datetime:
    # From noon of the day before, so a 23- or 25-hour day (DST) lands on the right date.
    return local_day_start(day_start - timedelta(hours=12), scheduler.zone)


def _next_day(day_start: datetime, scheduler: StudyScheduler) -> datetime:
    return local_day_start(day_start + timedelta(hours=36), scheduler.zone)
