"""Schema versions, applied automatically and safely every time a database is opened.

Why not Alembic: the app owns its database and upgrades it unattended on start, on the user's
machine, with no command to run and no migration scripts directory to ship. What that needs
is small and is all here: a version table, an ordered list of steps, one transaction per
step, a backup of a SQLite file before the first step, and a clear refusal when the database
is newer than the app. Steps are plain functions on a SQLAlchemy connection, so they can use
SQLAlchemy's portable DDL (or Alembic's ``Operations`` later, should steps grow complex).

How versions work:

- A new (empty) database is created directly at :data:`SCHEMA_VERSION` from the models,
  and that version is recorded.
- An existing database at version *v* gets every step with a higher version, oldest first;
  each step and its version row commit together, so an interrupted upgrade resumes at the
  first step not yet applied. Two processes upgrading at once serialise on the write lock,
  and the second skips what the first applied.
- When the models change, append a :class:`Migration` that turns the previous schema into
  the new one and save the new schema's SQL as ``tests/data/schemas/v<version>.sql``. The
  tests open every saved schema and check it ends exactly as a new database (so a model
  change without a migration fails them).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, insert, inspect, select, text

from data.errors import DatabaseTooNew, MigrationFailed, NotADatabase
from data.models import Base, SchemaMigration, utc_now

if TYPE_CHECKING:
    from data.db import Database


@dataclass(frozen=True)
class Migration:
    """One step from schema ``version - 1`` to ``version``."""

    version: int
    description: str
    upgrade: Callable[[Connection], None]


# The schema a new database gets; version 1 is the first released schema.
BASELINE_VERSION = 1


def _cover_report_totals(connection: Connection) -> None:
    # Plain DDL rather than the model's Index: a step must keep building the schema of its
    # version whatever the models become later.
    connection.execute(text("DROP INDEX ix_reviews_profile_id_question_id_reviewed_at"))
    connection.execute(
        text(
            "CREATE INDEX ix_reviews_card_history ON reviews (profile_id, question_id, "
            "reviewed_at, id, rating, correct, duration_ms)"
        )
    )


# Upgrade steps after the baseline, oldest first.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        2, "the card-history index covers the report's per-question totals", _cover_report_totals
    ),
)


def latest_version(steps: Sequence[Migration] = MIGRATIONS) -> int:
    return steps[-1].version if steps else BASELINE_VERSION


SCHEMA_VERSION = latest_version()


def schema_version(connection: Connection, where: str) -> int:
    """The schema version of the database (named ``where`` in messages): 0 when empty.

    Raises :class:`NotADatabase` when it holds tables but none of studyapp's.
    """
    tables = set(inspect(connection).get_table_names())
    if SchemaMigration.__tablename__ in tables:
        return connection.scalar(select(func.max(SchemaMigration.version))) or 0
    if tables:
        raise NotADatabase(
            f"{where} is a database of another program (it has tables but no studyapp "
            "schema); choose another with --db."
        )
    return 0


def migrate(database: Database, steps: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database to the latest schema; return the version it had before."""
    latest = latest_version(steps)
    with database.read() as session:
        current = schema_version(session.connection(), database.description)
    if current == latest:
        return current
    if current > latest:
        raise DatabaseTooNew(
            f"{database.description} was written by a newer studyapp (schema version "
            f"{current}; this one knows up to {latest}); update studyapp or choose another "
            "database with --db."
        )
    if current == 0:
        _create(database, latest)
        return 0
    backup = backup_sqlite(database, current) if database.path is not None else None
    for step in steps:
        if step.version > current:
            _apply(database, step, backup)
    return current


def backup_sqlite(database: Database, version: int) -> Path:
    """Copy a SQLite database (WAL included, consistently) next to it before migrating."""
    assert database.path is not None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = database.path.with_name(f"{database.path.name}.v{version}-{stamp}.bak")
    try:
        with (
            closing(sqlite3.connect(database.path)) as source,
            closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
    except (sqlite3.Error, OSError) as error:
        raise MigrationFailed(
            f"cannot back up {database.description} to {target} before upgrading it ({error}); "
            "nothing was changed; free some disk space or make the directory writable."
        ) from None
    return target


def _create(database: Database, version: int) -> None:
    with database.write() as session:
        connection = session.connection()
        if schema_version(connection, database.description) != 0:
            return  # another process created it while we waited for the lock
        Base.metadata.create_all(connection)
        _record(connection, version, "created")


def _apply(database: Database, step: Migration, backup: Path | None) -> None:
    with database.write() as session:
        connection = session.connection()
        if schema_version(connection, database.description) >= step.version:
            return  # another process applied it while we waited for the lock
        try:
            step.upgrade(connection)
        except Exception as error:
            kept = f"; the backup {backup} is kept" if backup else ""
            raise MigrationFailed(
                f"upgrading {database.description} to schema version {step.version} "
                f"({step.description}) failed ({_first_line(error)}); the step was rolled "
                f"back{kept}; please report this."
            ) from error
        _record(connection, step.version, step.description)


def _record(connection: Connection, version: int, description: str) -> None:
    connection.execute(
        insert(SchemaMigration).values(
            version=version, description=description, applied_at=utc_now()
        )
    )


def _first_line(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
