"""Opening the database: a file path or any SQLAlchemy URL, set up, migrated, and error-proofed.

SQLite (the default) runs with WAL (readers never block the writer), foreign keys on, and a
busy timeout, all set by a connect listener. SQLAlchemy emits every BEGIN itself, so DDL is
transactional (migrations roll back as a whole) and a read sees one snapshot; write
transactions start with ``BEGIN IMMEDIATE`` so they wait for the lock up front instead of
failing half-way when another process wrote in between.

Every driver error is turned into a :class:`data.errors.DataError` whose one sentence names
the database and what to do; nothing is written on the way to such an error.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from data.errors import (
    DatabaseLocked,
    DatabaseUnavailable,
    DataError,
    NotADatabase,
)
from data.migrations import migrate

DEFAULT_BUSY_TIMEOUT_S = 5.0
_CHOOSE_ANOTHER = "choose another with --db"


class Database:
    """An open database: an engine plus read and write transactions as ORM sessions."""

    def __init__(self, engine: Engine, *, path: Path | None, busy_timeout: float):
        self.engine = engine
        # The SQLite file, or None for a server database or an in-memory one.
        self.path = path
        self.busy_timeout = busy_timeout
        self._write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def description(self) -> str:
        """How messages name this database: its file, or its URL without the password."""
        if self.path is not None:
            return str(self.path)
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; whatever it does is rolled back at the end."""
        with self.translated_errors(), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction, committed when the block ends without error."""
        with (
            self.translated_errors(),
            Session(self._write_engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def translated_errors(self) -> Iterator[None]:
        """Turn driver errors raised inside the block into one-sentence DataErrors."""
        try:
            yield
        except DBAPIError as error:
            raise describe_error(error, self) from error

    def close(self) -> None:
        self.engine.dispose()


def describe_error(error: DBAPIError, database: Database) -> DataError:
    """The DataError (and its sentence) for a driver error on ``database``."""
    where = database.description
    detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    lowered = detail.lower()
    if database.is_sqlite:
        if "not a database" in lowered or "malformed" in lowered or "encrypted" in lowered:
            return NotADatabase(
                f"{where} is not a studyapp database (file is corrupt or not SQLite); "
                f"move it aside or {_CHOOSE_ANOTHER}."
            )
        if "locked" in lowered or "busy" in lowered:
            return DatabaseLocked(
                f"{where} is locked by another program (waited {database.busy_timeout:g} s); "
                "close the other studyapp or wait for it, then try again."
            )
        if "readonly" in lowered or "read-only" in lowered:
            return DatabaseUnavailable(
                f"{where} is read-only; make it and its directory writable or {_CHOOSE_ANOTHER}."
            )
        if "unable to open" in lowered:
            return DatabaseUnavailable(
                f"cannot open {where} (is its directory writable?); {_CHOOSE_ANOTHER}."
            )
        if "disk" in lowered:
            return DatabaseUnavailable(f"cannot write {where} ({detail}); free some disk space.")
    return DatabaseUnavailable(
        f"the database {where} failed ({detail}); check it or {_CHOOSE_ANOTHER}."
    )


def database_url(target: str) -> URL:
    """A SQLAlchemy URL for ``target``: a URL as given, or a SQLite file path."""
    if "://" in target:
        try:
            return make_url(target)
        except (ArgumentError, ValueError):
            shown = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", target)  # hide a password
            raise DatabaseUnavailable(
                f"{shown!r} is not a valid database URL (expected a file path or a URL "
                f"such as sqlite:///study.db or postgresql+psycopg://user@host/studyapp); "
                f"{_CHOOSE_ANOTHER}."
            ) from None
    return URL.create("sqlite+pysqlite", database=str(Path(target).expanduser()))


def open_database(
    target: str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT_S, migrate_schema: bool = True
) -> Database:
    """Open (creating if needed) and migrate the database at a path or SQLAlchemy URL."""
    url = database_url(target)
    path = _sqlite_file(url)
    if path is not None:
        _create_parent(path)
    try:
        engine = _create_engine(url, busy_timeout)
    except (NoSuchModuleError, ImportError) as error:
        raise DatabaseUnavailable(
            f"cannot use {url.render_as_string(hide_password=True)}: the database driver "
            f"{url.drivername!r} is not available ({error}); install it or {_CHOOSE_ANOTHER}."
        ) from None
    database = Database(engine, path=path, busy_timeout=busy_timeout)
    if migrate_schema:
        try:
            migrate(database)
        except BaseException:
            database.close()
            raise
    return database


def _sqlite_file(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).resolve()


def _create_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise DatabaseUnavailable(
            f"cannot create the directory {path.parent} for the database ({reason.lower()}); "
            f"{_CHOOSE_ANOTHER}."
        ) from None


def _create_engine(url: URL, busy_timeout: float) -> Engine:
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    in_memory = _sqlite_file(url) is None
    # One shared connection for an in-memory database, or every connection would see its own.
    engine = create_engine(
        url, poolclass=StaticPool if in_memory else None, connect_args={"check_same_thread": False}
    )
    timeout_ms = int(busy_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record) -> None:
        # Hand BEGIN to SQLAlchemy (see _begin): sqlite3's own would skip DDL and SELECTs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL still survives a killed process (committed pages are in the
            # WAL, handed to the OS); only a power cut could lose the last commits. It saves
            # an fsync on every answer.
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
