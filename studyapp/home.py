"""The home screen's numbers: what is due, today's work, the streak, the exam countdown.

Cheap by design: a few aggregate queries on indexed columns, no bank parsing, no scan of the
review log. Due counts are capped by today's limits, as a review session started now would
serve them.

The queries are written once, in SQL that SQLite and PostgreSQL both run, so that two
connections can run them: a SQLAlchemy session (:func:`home_summary`, everywhere), and —
at start-up only — Python's own sqlite3 module (:func:`quick_home_summary`). Importing
SQLAlchemy costs as much as starting Textual, so the TUI shows these numbers from sqlite3
first and opens the store behind them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from data.states import CardStatus
from studyapp.days import as_utc, local_day_start, next_day_start, previous_day_start
from studyapp.settings import Settings, settings_from_stored

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.orm import Session

    from studyapp.scheduler import StudyScheduler


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


# --- the queries (named parameters; times as given by the runner) ---------------------------

_QUESTIONS = "SELECT COUNT(*) FROM questions WHERE retired_at IS NULL"

_CARDS = f"""
SELECT
    COUNT(*) FILTER (WHERE c.status <> {CardStatus.NEW}),
    COUNT(*) FILTER (WHERE c.status <> {CardStatus.NEW} OR c.suspended),
    COUNT(*) FILTER (WHERE c.status IN ({CardStatus.LEARNING}, {CardStatus.RELEARNING})
                     AND NOT c.suspended AND c.due <= :now),
    COUNT(*) FILTER (WHERE c.status = {CardStatus.REVIEW} AND NOT c.suspended AND c.due <= :now),
    COUNT(*) FILTER (WHERE c.suspended),
    COUNT(*) FILTER (WHERE c.leech AND c.status <> {CardStatus.NEW})
FROM cards AS c JOIN questions AS q ON q.id = c.question_id
WHERE c.profile_id = :profile AND q.retired_at IS NULL
"""

# Today's first answers to new questions, and answers to questions studied before, as
# StudyScheduler.today counts them for the daily limits; and every answer today.
_SEEN_BEFORE = """EXISTS (
    SELECT 1 FROM reviews AS e
    WHERE e.profile_id = r.profile_id AND e.question_id = r.question_id
      AND e.moves_schedule AND e.reviewed_at < :day_start)"""
_TODAY = f"""
SELECT
    COUNT(DISTINCT r.question_id) FILTER (WHERE r.moves_schedule AND NOT {_SEEN_BEFORE}),
    COUNT(DISTINCT r.question_id) FILTER (WHERE r.moves_schedule AND {_SEEN_BEFORE}),
    COUNT(*)
FROM reviews AS r
WHERE r.profile_id = :profile AND r.reviewed_at >= :day_start
"""

# Days whose answers one streak query checks (one index seek each); a year takes 13 queries.
_STREAK_BATCH = 30
# One row: for each day i (b{i+1} ≤ time < b{i}), whether it has an answer.
_DAYS_WITH_ANSWERS = "SELECT " + ", ".join(
    f"EXISTS (SELECT 1 FROM reviews WHERE profile_id = :profile "
    f"AND reviewed_at >= :b{index + 1} AND reviewed_at < :b{index})"
    for index in range(_STREAK_BATCH)
)

_PROFILE = "SELECT id FROM profiles WHERE name = :name"
_SETTINGS = "SELECT key, value FROM settings WHERE profile_id = :profile"


class _Runner:
    """Runs the queries above on one connection and converts times to its parameters."""

    def rows(self, sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        raise NotImplementedError

    def time(self, moment: datetime) -> Any:
        raise NotImplementedError


def _sqlite_time(moment: datetime) -> str:
    """A UTC moment as SQLAlchemy stores datetimes in SQLite (naive UTC, microseconds)."""
    return as_utc(moment).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


class _SessionRunner(_Runner):
    def __init__(self, session: Session):
        from sqlalchemy import text

        self.session = session
        self.text = text
        self.sqlite = session.get_bind().dialect.name == "sqlite"

    def rows(self, sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        return self.session.execute(self.text(sql), params).all()

    def time(self, moment: datetime) -> Any:
        return _sqlite_time(moment) if self.sqlite else as_utc(moment).replace(tzinfo=None)


class _SqliteRunner(_Runner):
    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def rows(self, sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        return self.connection.execute(sql, params).fetchall()

    def time(self, moment: datetime) -> Any:
        return _sqlite_time(moment)


# --- the summary --------------------------------------------------------------------------


def home_summary(source: Any, now: datetime | None = None) -> HomeSummary:
    """The summary for a Store, a StudyScheduler, or a ``(database, profile_id)`` pair."""
    scheduler = _scheduler(source)
    now = as_utc(now if now is not None else scheduler.clock())
    with scheduler.database.read() as session:
        return _summary(
            _SessionRunner(session), scheduler.profile_id, scheduler.settings, scheduler.zone, now
        )


def quick_home_summary(
    database: str, profile: str, now: datetime | None = None, zone: tzinfo | None = None
) -> tuple[HomeSummary, Settings] | None:
    """The summary and settings read from a SQLite file with Python's sqlite3, read-only.

    None when that is not possible — not a file path, no such file or profile, a schema this
    version cannot read, a locked or corrupt file: the store then opens and says why. It
    waits at most 50 ms for a lock, since it runs on the UI thread.
    """
    import sqlite3

    path = Path(database)
    if "://" in database or not path.is_file():
        return None
    now = as_utc(now if now is not None else datetime.now(UTC))
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.05)
    except sqlite3.Error:
        return None
    try:
        runner = _SqliteRunner(connection)
        found = runner.rows(_PROFILE, {"name": profile})
        if not found:
            return None
        profile_id = found[0][0]
        stored = runner.rows(_SETTINGS, {"profile": profile_id})
        # The JSON column has NUMERIC affinity in SQLite: numbers come back as numbers.
        settings = settings_from_stored(
            (key, json.loads(value) if isinstance(value, str) else value) for key, value in stored
        )
        return _summary(runner, profile_id, settings, zone, now), settings
    except (sqlite3.Error, ValueError):
        return None
    finally:
        connection.close()


def _summary(
    runner: _Runner, profile_id: int, settings: Settings, zone: tzinfo | None, now: datetime
) -> HomeSummary:
    day_start = local_day_start(now, zone)
    params = {"profile": profile_id, "now": runner.time(now), "day_start": runner.time(day_start)}
    total = runner.rows(_QUESTIONS, {})[0][0] or 0
    seen, not_new, learning_due, review_due, suspended, leeches = runner.rows(_CARDS, params)[0]
    new_done, reviews_done, reviewed_today = runner.rows(_TODAY, params)[0]
    reviews_due = min(review_due, max(0, settings.reviews_per_day - reviews_done))
    new_today = min(total - not_new, max(0, settings.new_per_day - new_done))
    exam_date = settings.exam_date
    today = now.astimezone(zone).date()
    return HomeSummary(
        due_now=learning_due + reviews_due,
        learning_due=learning_due,
        reviews_due=reviews_due,
        new_today=new_today,
        reviewed_today=reviewed_today,
        streak_days=_streak(runner, profile_id, day_start, zone),
        exam_date=exam_date,
        days_to_exam=(exam_date - today).days if exam_date is not None else None,
        total_questions=total,
        seen_questions=seen,
        suspended=suspended,
        leeches=leeches,
    )


def _streak(runner: _Runner, profile_id: int, day_start: datetime, zone: tzinfo | None) -> int:
    """Consecutive local days with at least one answer, ending today — or yesterday, since
    a streak lives until the day ends. Checks days in batches, newest first."""
    params: dict[str, Any] = {"profile": profile_id}
    bound = next_day_start(day_start, zone)  # the end of today
    streak = 0
    first = True
    while True:
        for index in range(_STREAK_BATCH + 1):
            params[f"b{index}"] = runner.time(bound)
            if index < _STREAK_BATCH:
                bound = previous_day_start(bound, zone) if index or not first else day_start
        answered = list(runner.rows(_DAYS_WITH_ANSWERS, params)[0])
        if first and not answered[0]:
            answered = answered[1:]  # nothing yet today: the streak may end yesterday
        first = False
        for day in answered:
            if not day:
                return streak
            streak += 1


def _scheduler(source: Any) -> StudyScheduler:
    from data.db import Database
    from studyapp.scheduler import StudyScheduler

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
