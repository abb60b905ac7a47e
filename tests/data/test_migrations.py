"""Schema migrations: created at the latest version, upgraded step by step with a backup,
rolled back on failure, and refused when the database is newer than the app."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Connection, inspect, select, text

from data.db import open_database
from data.errors import DatabaseTooNew, MigrationFailed
from data.migrations import SCHEMA_VERSION, Migration, migrate, schema_version
from data.models import Base, Profile, SchemaMigration, utc_now
from data.profiles import ensure_profile


def versions(database) -> list[int]:
    with database.read() as session:
        return list(
            session.scalars(select(SchemaMigration.version).order_by(SchemaMigration.version))
        )


def schema(database) -> dict[str, set[str]]:
    with database.read() as session:
        inspector = inspect(session.connection())
        return {
            table: {column["name"] for column in inspector.get_columns(table)}
            for table in inspector.get_table_names()
        }


def add_profile_column(connection: Connection) -> None:
    connection.execute(text("ALTER TABLE profiles ADD COLUMN colour INTEGER"))


def test_a_new_database_gets_the_model_schema_at_the_latest_version(database):
    assert versions(database) == [SCHEMA_VERSION]
    expected = {
        table.name: {c.name for c in table.columns} for table in Base.metadata.sorted_tables
    }
    assert schema(database) == expected


def test_reopening_an_up_to_date_database_changes_nothing(database, tmp_path):
    with database.write() as session:
        ensure_profile(session, "default")
    reopened = open_database(str(database.path))
    assert versions(reopened) == [SCHEMA_VERSION]
    assert not list(tmp_path.glob("*.bak"))
    reopened.close()


def test_an_older_database_is_backed_up_then_upgraded_and_keeps_its_data(database, tmp_path):
    with database.write() as session:
        ensure_profile(session, "learner")
    step = Migration(SCHEMA_VERSION + 1, "add a profile colour", add_profile_column)

    assert migrate(database, [step]) == SCHEMA_VERSION

    assert versions(database) == [SCHEMA_VERSION, SCHEMA_VERSION + 1]
    assert "colour" in schema(database)["profiles"]
    with database.read() as session:
        assert session.scalars(select(Profile.name)).all() == ["learner"]
    (backup,) = tmp_path.glob(f"studyapp.db.v{SCHEMA_VERSION}-*.bak")
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT name FROM profiles").fetchall() == [("learner",)]
        assert copy.execute("SELECT max(version) FROM schema_migrations").fetchone() == (
            SCHEMA_VERSION,
        )
    copy.close()
    # Applying the same steps again does nothing.
    assert migrate(database, [step]) == SCHEMA_VERSION + 1


def test_a_failing_step_is_rolled_back_whole_and_named(database, tmp_path):
    def half_then_fail(connection: Connection) -> None:
        add_profile_column(connection)
        connection.execute(text("UPDATE no_such_table SET x = 1"))

    step = Migration(SCHEMA_VERSION + 1, "add a profile colour", half_then_fail)
    with pytest.raises(MigrationFailed) as caught:
        migrate(database, [step])
    message = str(caught.value)
    assert message.startswith(
        f"upgrading {database.path} to schema version {SCHEMA_VERSION + 1} (add a profile colour) "
        "failed (no such table: no_such_table); the step was rolled back; the backup "
    )
    assert "\n" not in message
    assert versions(database) == [SCHEMA_VERSION]
    assert "colour" not in schema(database)["profiles"]  # the DDL was rolled back too


def test_a_database_newer_than_the_app_is_refused_untouched(database):
    with database.write() as session:
        session.add(
            SchemaMigration(version=SCHEMA_VERSION + 5, description="future", applied_at=utc_now())
        )
    before = database.path.read_bytes()
    with pytest.raises(DatabaseTooNew) as caught:
        open_database(str(database.path))
    assert str(caught.value) == (
        f"{database.path} was written by a newer studyapp (schema version {SCHEMA_VERSION + 5}; "
        f"this one knows up to {SCHEMA_VERSION}); update studyapp or choose another database "
        "with --db."
    )
    assert database.path.read_bytes() == before


def test_an_empty_file_is_a_new_database(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    database = open_database(str(path))
    with database.read() as session:
        assert schema_version(session.connection(), str(path)) == SCHEMA_VERSION
    database.close()


# Every released schema, as the SQL a new database of that version had. A model change
# without a migration fails the newest one; every older one must upgrade to the models.
SNAPSHOTS = Path(__file__).parent / "schemas"
HOW_TO = (
    "the models and the migrations disagree: when the models change, append a Migration "
    "to data/migrations.py and save the new schema as tests/data/schemas/v<version>.sql"
)


def described(database) -> dict:
    """Tables with their columns, keys, indexes and checks, as the database reports them."""
    with database.read() as session:
        inspector = inspect(session.connection())
        return {
            table: {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
                ],
                "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
                "foreign keys": sorted(
                    (tuple(fk["constrained_columns"]), fk["referred_table"])
                    for fk in inspector.get_foreign_keys(table)
                ),
                "indexes": sorted(
                    (index["name"], tuple(index["column_names"]), bool(index["unique"]))
                    for index in inspector.get_indexes(table)
                ),
                "checks": sorted(
                    check["sqltext"] for check in inspector.get_check_constraints(table)
                ),
            }
            for table in inspector.get_table_names()
        }


def from_snapshot(tmp_path, version: int):
    path = tmp_path / f"v{version}.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.executescript((SNAPSHOTS / f"v{version}.sql").read_text(encoding="utf-8"))
        connection.execute(
            "INSERT INTO schema_migrations VALUES (?, 'snapshot', '2025-01-01 00:00:00.000000')",
            (version,),
        )
        connection.commit()
    return open_database(str(path))


def test_the_current_version_has_a_snapshot():
    assert (SNAPSHOTS / f"v{SCHEMA_VERSION}.sql").exists(), HOW_TO


@pytest.mark.parametrize("version", sorted(int(path.stem[1:]) for path in SNAPSHOTS.glob("v*.sql")))
def test_every_released_schema_opens_as_the_current_one(database, tmp_path, version):
    upgraded = from_snapshot(tmp_path, version)
    assert versions(upgraded)[-1] == SCHEMA_VERSION
    assert described(upgraded) == described(database), HOW_TO
    upgraded.close()
