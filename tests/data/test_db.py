"""Opening databases: SQLite set-up, UTC datetimes, and one clear sentence for every bad input."""

from __future__ import annotations

import importlib.util
import os
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from data.db import open_database
from data.errors import DatabaseLocked, DatabaseUnavailable, NotADatabase
from data.models import Profile
from data.profiles import ensure_profile


def one_sentence(error: Exception) -> str:
    message = str(error)
    assert "\n" not in message
    assert message.endswith(".")
    return message


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    database = open_database(str(tmp_path / "deep" / "dir" / "studyapp.db"), busy_timeout=2.5)
    with database.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 2500
    assert (tmp_path / "deep" / "dir" / "studyapp.db").exists()
    database.close()


def test_a_sqlite_url_and_an_in_memory_database_work(tmp_path):
    for target in (f"sqlite:///{tmp_path / 'url.db'}", "sqlite://"):
        database = open_database(target)
        with database.write() as session:
            ensure_profile(session, "default")
        with database.read() as session:
            assert session.scalars(select(Profile.name)).all() == ["default"]
        database.close()


def test_datetimes_come_back_in_utc_and_naive_ones_are_refused(database):
    tokyo = timezone(timedelta(hours=9))
    with database.write() as session:
        session.add(Profile(name="p", created_at=datetime(2025, 4, 1, 18, 0, tzinfo=tokyo)))
    with database.read() as session:
        created = session.scalar(select(Profile.created_at))
    assert created == datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
    assert created.tzinfo is UTC
    with pytest.raises(Exception, match="naive datetime"), database.write() as session:
        session.add(Profile(name="q", created_at=datetime(2025, 4, 1)))


def test_a_corrupt_file_is_named_and_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    before = path.read_bytes()
    with pytest.raises(NotADatabase) as caught:
        open_database(str(path))
    assert one_sentence(caught.value) == (
        f"{path} is not a studyapp database (file is corrupt or not SQLite); "
        "move it aside or choose another with --db."
    )
    assert path.read_bytes() == before


def test_another_programs_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE contacts (name TEXT)")
    connection.close()
    with pytest.raises(NotADatabase, match="is a database of another program") as caught:
        open_database(str(path))
    one_sentence(caught.value)


def test_a_locked_database_says_so_after_the_busy_timeout(database):
    with database.write() as session:
        ensure_profile(session, "default")
    holder = sqlite3.connect(database.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        locked = open_database(str(database.path), busy_timeout=0.2)
        with pytest.raises(DatabaseLocked) as caught, locked.write() as session:
            ensure_profile(session, "second")
        assert one_sentence(caught.value) == (
            f"{database.path} is locked by another program (waited 0.2 s); "
            "close the other studyapp or wait for it, then try again."
        )
        # Reading still works while another process writes (WAL).
        with locked.read() as session:
            assert session.scalars(select(Profile.name)).all() == ["default"]
        locked.close()
    finally:
        holder.rollback()
        holder.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_directory_is_named(tmp_path):
    locked_dir = tmp_path / "ro"
    locked_dir.mkdir()
    locked_dir.chmod(0o500)
    try:
        with pytest.raises(DatabaseUnavailable) as caught:
            open_database(str(locked_dir / "sub" / "studyapp.db"))
        assert str(locked_dir / "sub") in one_sentence(caught.value)
    finally:
        locked_dir.chmod(0o700)


def test_a_directory_that_cannot_be_created_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(DatabaseUnavailable) as caught:
        open_database(str(blocker / "studyapp.db"))
    assert one_sentence(caught.value).startswith(f"cannot create the directory {blocker}")


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("://nothing", "is not a valid database URL"),
        ("postgresql://learner:secret@host:port/x", "is not a valid database URL"),
        ("nosuchdb://host/x", "the database driver 'nosuchdb' is not available"),
    ],
)
def test_bad_urls_and_unknown_drivers_are_one_sentence_without_the_password(target, fragment):
    with pytest.raises(DatabaseUnavailable) as caught:
        open_database(target)
    message = one_sentence(caught.value)
    assert fragment in message
    assert "secret" not in message


@pytest.mark.skipif(
    importlib.util.find_spec("psycopg") is not None, reason="the PostgreSQL driver is installed"
)
def test_a_postgresql_url_without_its_driver_says_what_to_install():
    with pytest.raises(DatabaseUnavailable) as caught:
        open_database("postgresql+psycopg://learner:secret@localhost/studyapp")
    message = one_sentence(caught.value)
    assert "postgresql+psycopg://learner:***@localhost/studyapp" in message
    assert "driver 'postgresql+psycopg' is not available" in message
