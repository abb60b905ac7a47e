"""Errors of the persistence layer, each one sentence a user can act on.

The application maps every :class:`DataError` to its own error type (exit code 1) without
knowing the subclasses; the subclasses exist so callers and tests can tell causes apart.
"""

from __future__ import annotations


class DataError(Exception):
    """A database or import problem, described in one sentence that names what to do."""


class DatabaseUnavailable(DataError):
    """The database cannot be opened: bad URL, missing driver, unwritable place, no server."""


class NotADatabase(DataError):
    """The file is corrupt, not SQLite, or a SQLite database of another program."""


class DatabaseLocked(DataError):
    """Another program holds the write lock longer than the busy timeout."""


class DatabaseTooNew(DataError):
    """The database was written by a newer studyapp whose schema this version does not know."""


class MigrationFailed(DataError):
    """A schema migration failed; its transaction was rolled back and the backup kept."""


class InvalidExport(DataError):
    """An export document failed validation; ``problems`` lists every ``path: message``."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        shown = "; ".join(problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"{source} is not a valid studyapp export: {shown}{more}.")
