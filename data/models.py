"""The database schema as SQLAlchemy 2.0 typed models.

The review log (:class:`Review`) is the source of truth: one append-only row per answer.
:class:`Card` rows are a cache of the scheduling state that replaying a profile's log through
the scheduler yields, plus the learner's own ``suspended`` flag, which no review implies.

Question ids are slugs written in the bank and outlive it: reviews and cards refer to them
without a foreign key, so history survives a question leaving the bank (or an import of
history for questions this bank never had). Queries that need an active question join
:class:`Question` and filter on ``retired_at``.

Types stay portable (SQLite by default, PostgreSQL in principle): strings, integers, floats,
booleans, JSON, and datetimes stored as naive UTC and returned timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from data.states import CardStatus

SESSION_KINDS = ("review", "drill", "exam")
RATINGS = (1, 2, 3, 4)  # Again, Hard, Good, Easy


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime stored as naive UTC and read back timezone-aware (UTC).

    Naive values are refused: a local time mistaken for UTC would silently shift history.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; pass a timezone-aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
        list[Any]: JSON(),
    }


class SchemaMigration(Base):
    """One row per schema version applied; the highest is the database's version."""

    __tablename__ = "schema_migrations"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    description: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime]


class Profile(Base):
    """A learner. Every card, review, session and setting belongs to one."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime]


class Question(Base):
    """A question as last synced from the bank; never deleted, retired when it leaves.

    ``payload`` holds the whole parsed question, so the app can show it without reparsing
    the bank. ``updated_at`` changes only when the content hash does.
    """

    __tablename__ = "questions"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    file: Mapped[str] = mapped_column(Text)
    line: Mapped[int]
    syllabus: Mapped[list[str]]
    course: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    first_seen: Mapped[datetime]
    updated_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]


class QuestionEdit(Base):
    """A change of a question's content hash seen by a bank sync."""

    __tablename__ = "question_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[str] = mapped_column(ForeignKey("questions.id"), index=True)
    old_hash: Mapped[str] = mapped_column(String(128))
    new_hash: Mapped[str] = mapped_column(String(128))
    edited_at: Mapped[datetime]


class BankFile(Base):
    """What the last sync saw in one bank file, so an unchanged file is never reparsed.

    A file is unchanged when both its content hash and the parser version match; the ids
    it defines and the problems it had are kept, to check duplicates and report problems
    without parsing it.
    """

    __tablename__ = "bank_files"

    display: Mapped[str] = mapped_column(String(500), primary_key=True)
    position: Mapped[int]  # the file's place in bank order
    content_hash: Mapped[str] = mapped_column(String(128))
    parser_version: Mapped[str] = mapped_column(String(128))
    # [[id, line, valid], …]: every id the file defines, where, and whether its question
    # parsed (an id of a question left out for a problem still collides with its duplicates)
    id_places: Mapped[list[Any]]
    problems: Mapped[list[Any]]  # [[line, message], …]


class StudySession(Base):
    """A sitting: a review session, a topic drill or a mock exam."""

    __tablename__ = "study_sessions"
    __table_args__ = (
        CheckConstraint(f"kind IN {SESSION_KINDS!r}", name="kind"),
        Index(None, "profile_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"))
    kind: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Review(Base):
    """One answer: the append-only log that card state is replayed from.

    ``moves_schedule`` is false for drills and mock exams whose answers are kept but do not
    move FSRS state; ``correct`` is null for self-graded (free text) answers.
    """

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 4", name="rating"),
        # The card replay and per-question history: one index range per card, in answer
        # order. It also carries what the report's per-question totals read, so that over a
        # long log they come from the index alone (a third of the time of reading the table).
        Index(
            "ix_reviews_card_history",
            "profile_id",
            "question_id",
            "reviewed_at",
            "id",
            "rating",
            "correct",
            "duration_ms",
        ),
        # Reports and daily counts: a time range of one profile.
        Index(None, "profile_id", "reviewed_at"),
        # Undo: the last answer of a session.
        Index(None, "session_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"))
    question_id: Mapped[str] = mapped_column(String(200))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("study_sessions.id"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    correct: Mapped[bool | None]
    answer: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None]
    reviewed_at: Mapped[datetime]
    moves_schedule: Mapped[bool] = mapped_column(default=True)


class Card(Base):
    """The scheduling state of one question for one profile: a cache of the replayed log.

    A row exists once a question has a schedule-moving review or has been suspended; a
    question without a row (or with ``status`` NEW) is new.
    """

    __tablename__ = "cards"
    __table_args__ = (
        CheckConstraint("status BETWEEN 0 AND 3", name="status"),
        # Due queries and "next due card": an index range of one profile in due order.
        Index(None, "profile_id", "due"),
    )

    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[int] = mapped_column(SmallInteger, default=CardStatus.NEW)
    step: Mapped[int | None]
    stability: Mapped[float | None]
    difficulty: Mapped[float | None]
    due: Mapped[datetime | None]
    last_review: Mapped[datetime | None]
    reps: Mapped[int] = mapped_column(default=0)
    lapses: Mapped[int] = mapped_column(default=0)
    suspended: Mapped[bool] = mapped_column(default=False)
    leech: Mapped[bool] = mapped_column(default=False)


class Setting(Base):
    """One per-profile setting as a JSON value; the application gives keys their meaning."""

    __tablename__ = "settings"

    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
