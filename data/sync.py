"""Bank sync: bring the ``questions`` table in line with the Markdown bank, cheaply.

- Questions are upserted by id; a changed content hash is recorded in ``question_edits``.
- A question no longer in the bank is retired (``retired_at`` set), never deleted, and its
  history stays; a retired question that comes back is restored.
- Each file's content hash and the parser's version are kept in ``bank_files`` with the ids
  and problems the file had, so an unchanged file is not parsed again. When nothing changed
  the sync only reads (a few milliseconds, zero writes).
- Duplicate ids follow the parser's rule (:func:`content.parser.load_bank`): every copy is
  left out and reported. Duplicates are found over all files, changed or not, from the
  stored id lists; an unchanged file whose question becomes active again (its duplicate
  went away) is parsed so its row can be restored.

The whole parsed question is stored as JSON (``questions.payload``), so the app can show
questions without parsing the bank (:func:`bank_from_cache`).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

import content

# The bank's files and the bank-wide duplicate rule, as load_bank uses them, so sync finds
# exactly what `bank check` finds.
from content.files import bank_files, duplicate_id_problems
from content.model import Bank, Choice, Claim, DemoLink, Kind, Problem
from content.model import Question as BankQuestion
from data.db import Database
from data.errors import DataError
from data.models import BankFile, Question, QuestionEdit, utc_now

_CHUNK = 500  # ids per IN (…) clause, well under every database's parameter limit


class BankNotFound(DataError):
    """A bank directory that does not exist: nothing is synced, so nothing is retired."""


@dataclass(frozen=True)
class SyncReport:
    """What a sync did: ids added, updated (content changed), retired and restored."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()
    restored: tuple[str, ...] = ()
    unchanged: int = 0
    problems: tuple[Problem, ...] = ()
    files: int = 0
    files_parsed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired or self.restored)


@dataclass
class _File:
    """One bank file as this sync sees it: parsed, or known from its stored record."""

    path: Path
    display: str
    position: int
    content_hash: str
    parser_version: str
    stored: BankFile | None
    parsed: list[BankQuestion] | None = None
    parse_problems: list[Problem] = field(default_factory=list)
    parse_places: list[tuple[str, int, bool]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Unchanged since the last sync, with the same parser: its stored record holds."""
        return (
            self.stored is not None
            and self.stored.content_hash == self.content_hash
            and self.stored.parser_version == self.parser_version
        )

    def parse(self) -> None:
        # The Markdown parser is imported only when a file changed: an unchanged bank
        # syncs without it (start-up time of every command).
        from content.parser import read_file

        result = read_file(self.path, self.display)
        valid = {question.id for question in result.questions}
        self.parsed = result.questions
        self.parse_problems = result.problems
        self.parse_places = [(qid, line, qid in valid) for qid, _, line in result.id_places]

    def places(self) -> list[tuple[str, int, bool]]:
        """(id, line, valid) of every id the file defines, in order."""
        if self.parsed is not None:
            return self.parse_places
        assert self.stored is not None
        return [(qid, line, valid) for qid, line, valid in self.stored.id_places]

    def problems(self) -> list[Problem]:
        """The file's own problems (duplicates across the bank are found separately)."""
        if self.parsed is not None:
            return self.parse_problems
        assert self.stored is not None
        return [Problem(self.display, line, message) for line, message in self.stored.problems]

    def record(self) -> dict[str, Any]:
        return {
            "display": self.display,
            "position": self.position,
            "content_hash": self.content_hash,
            "parser_version": self.parser_version,
            "id_places": [list(place) for place in self.places()],
            "problems": [[problem.line, problem.message] for problem in self.problems()],
        }


@dataclass
class _Bank:
    """The files of the bank, which file each active id comes from, and every problem."""

    files: list[_File]
    owners: dict[str, _File]
    problems: tuple[Problem, ...]

    @classmethod
    def of(cls, files: list[_File]) -> _Bank:
        places = [(qid, file, line, valid) for file in files for qid, line, valid in file.places()]
        duplicates, duplicated = duplicate_id_problems(
            [(qid, file.display, line) for qid, file, line, _ in places]
        )
        owners = {qid: file for qid, file, _, valid in places if valid and qid not in duplicated}
        order = {file.display: file.position for file in files}
        problems = sorted(
            [*(problem for file in files for problem in file.problems()), *duplicates],
            key=lambda problem: (order.get(problem.file, len(order)), problem.line),
        )
        return cls(files, owners, tuple(problems))


def parser_version() -> str:
    """A fingerprint of the bank parser's code: a new parser reparses every file once."""
    digest = hashlib.sha256()
    for source in sorted(Path(content.__file__).parent.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:32]


def file_hash(path: Path) -> str:
    """The content hash of a bank file; unreadable files get a hash that never matches."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        return f"unreadable: {error}"


def sync_bank(
    database: Database, bank_dirs: Sequence[Path], *, now: datetime | None = None
) -> SyncReport:
    """Sync the questions of the bank in ``bank_dirs`` into the database."""
    try:
        located = [(path, display, file_hash(path)) for path, display in bank_files(bank_dirs)]
    except FileNotFoundError as error:
        raise BankNotFound(f"{error}; check --bank or STUDYAPP_BANK.") from None
    version = parser_version()
    with database.read() as session:
        files, gone = _files(session, located, version)
        if not gone and all(file.clean and _same_position(file) for file in files):
            bank = _Bank.of(files)
            return SyncReport(unchanged=len(bank.owners), problems=bank.problems, files=len(files))
    with database.write() as session:
        # Read again inside the write lock: another process may have synced meanwhile.
        files, gone = _files(session, located, version)
        return _sync(session, files, gone, now or utc_now())


def bank_from_cache(session: Session, bank_dirs: Sequence[Path], trusted: bool) -> Bank:
    """The bank as the last sync stored it: active questions and the problems found."""
    files = [
        _File(Path(row.display), row.display, row.position, row.content_hash, "", row)
        for row in session.scalars(select(BankFile).order_by(BankFile.position))
    ]
    payloads = session.scalars(
        select(Question.payload)
        .where(Question.retired_at.is_(None))
        .order_by(Question.file, Question.line)
    )
    questions = [question_from_payload(payload) for payload in payloads]
    order = {file.display: file.position for file in files}
    questions.sort(key=lambda question: (order.get(question.file, len(order)), question.line))
    return Bank(
        questions=questions,
        problems=list(_Bank.of(files).problems),
        roots=[Path(directory) for directory in bank_dirs],
        trusted=trusted,
        files=[file.display for file in files],
    )


def cache_is_current(session: Session) -> bool:
    """Whether a sync stored questions with this parser (else sync before reading them)."""
    versions = set(session.scalars(select(BankFile.parser_version).distinct()))
    return versions == {parser_version()}


def question_payload(question: BankQuestion) -> dict[str, Any]:
    """The parsed question as JSON values: dataclasses become objects, tuples lists."""
    return _json_value(question)


_JSON_LEAVES = frozenset({str, int, float, bool, type(None)})


def _json_value(value: Any) -> Any:
    # dataclasses.asdict deep-copies every leaf, which would cost more than the rest of a
    # sync; exact leaf types go first (a StrEnum is not one: it becomes its value).
    kind = type(value)
    if kind in _JSON_LEAVES:
        return value
    if kind is list or kind is tuple:
        return [_json_value(item) for item in value]
    if kind is dict:
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value):
        return {name: _json_value(getattr(value, name)) for name in _field_names(kind)}
    return value


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(item.name for item in dataclasses.fields(cls))


def question_from_payload(payload: dict[str, Any]) -> BankQuestion:
    """The inverse of :func:`question_payload`."""
    demo = payload["demo"]
    return _build(
        BankQuestion,
        payload,
        kind=Kind(payload["kind"]),
        syllabus=tuple(payload["syllabus"]),
        choices=tuple(_build(Choice, choice) for choice in payload["choices"]),
        demo=_build(
            DemoLink,
            demo,
            claims=tuple(
                _build(Claim, claim, index=tuple(claim["index"])) for claim in demo["claims"]
            ),
        ),
    )


def _build(cls: type, values: dict[str, Any], **converted: Any) -> Any:
    names = _field_names(cls)
    return cls(**{key: value for key, value in values.items() if key in names} | converted)


def _files(
    session: Session, located: list[tuple[Path, str, str]], version: str
) -> tuple[list[_File], list[str]]:
    """The bank's files with what was stored about them, and stored files now gone."""
    stored = {row.display: row for row in session.scalars(select(BankFile))}
    files = [
        _File(path, display, position, digest, version, stored.pop(display, None))
        for position, (path, display, digest) in enumerate(located)
    ]
    return files, sorted(stored)


def _same_position(file: _File) -> bool:
    return file.stored is not None and file.stored.position == file.position


def _sync(session: Session, files: list[_File], gone: list[str], now: datetime) -> SyncReport:
    for file in files:
        if not file.clean:
            file.parse()
    bank = _Bank.of(files)
    existing = {
        row.id: row
        for row in session.execute(select(Question.id, Question.file, Question.retired_at))
    }
    # An unchanged file whose question is not stored as its own, active row (a duplicate
    # went away, or the row was retired meanwhile) is parsed to bring the row up to date.
    for qid, owner in bank.owners.items():
        row = existing.get(qid)
        if owner.parsed is None and (row is None or row.file != owner.display or row.retired_at):
            owner.parse()
    parsed = {
        question.id: question
        for file in files
        if file.parsed is not None
        for question in file.parsed
        if bank.owners.get(question.id) is file
    }
    added, updated, restored = _upsert(session, parsed, existing.keys(), now)
    retired = sorted(
        qid for qid, row in existing.items() if row.retired_at is None and qid not in bank.owners
    )
    for chunk in _chunks(retired):
        session.execute(update(Question).where(Question.id.in_(chunk)).values(retired_at=now))
    _store_file_records(session, files, gone)
    return SyncReport(
        added=tuple(sorted(added)),
        updated=tuple(sorted(updated)),
        retired=tuple(retired),
        restored=tuple(sorted(restored)),
        unchanged=len(bank.owners.keys() - {*added, *updated, *restored}),
        problems=bank.problems,
        files=len(files),
        files_parsed=sum(file.parsed is not None for file in files),
    )


def _upsert(
    session: Session,
    parsed: dict[str, BankQuestion],
    existing: Iterable[str],
    now: datetime,
) -> tuple[list[str], list[str], list[str]]:
    """Insert new questions, update changed ones; returns ids added, updated, restored."""
    rows = {
        row.id: row
        for chunk in _chunks(sorted(parsed.keys() & set(existing)))
        for row in session.scalars(select(Question).where(Question.id.in_(chunk)))
    }
    added: list[str] = []
    updated: list[str] = []
    restored: list[str] = []
    new_rows = []
    for qid, question in parsed.items():
        values = _mirrored_values(question)
        row = rows.get(qid)
        if row is None:
            new_rows.append({"id": qid, "first_seen": now, "updated_at": now, **values})
            added.append(qid)
            continue
        if row.retired_at is not None:
            row.retired_at = None
            restored.append(qid)
        if row.content_hash != question.content_hash:
            session.add(
                QuestionEdit(
                    question_id=qid,
                    old_hash=row.content_hash,
                    new_hash=question.content_hash,
                    edited_at=now,
                )
            )
            row.updated_at = now
            updated.append(qid)
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    if new_rows:
        session.execute(insert(Question), new_rows)
    return added, updated, restored


def _mirrored_values(question: BankQuestion) -> dict[str, Any]:
    """The columns of a ``questions`` row that mirror the parsed question."""
    return {
        "content_hash": question.content_hash,
        "kind": str(question.kind),
        "title": question.title,
        "file": question.file,
        "line": question.line,
        "syllabus": list(question.syllabus),
        "course": question.course,
        "payload": question_payload(question),
    }


def _store_file_records(session: Session, files: list[_File], gone: list[str]) -> None:
    for chunk in _chunks(gone):
        session.execute(delete(BankFile).where(BankFile.display.in_(chunk)))
    for file in files:
        if file.stored is None:
            session.add(BankFile(**file.record()))
            continue
        for name, value in file.record().items():
            if getattr(file.stored, name) != value:
                setattr(file.stored, name, value)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
