"""A fresh SQLite database per test, and a counter of the statements that write."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from data.db import open_database


@pytest.fixture
def database(tmp_path):
    database = open_database(str(tmp_path / "studyapp.db"))
    yield database
    database.close()


class WriteCounter:
    """Counts INSERT, UPDATE and DELETE statements run through an engine."""

    def __init__(self, engine):
        self.statements: list[str] = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, connection, cursor, statement, *rest):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.statements.append(statement)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def writes(database):
    return WriteCounter(database.engine)
