"""Export and import: every profile, its settings, study sessions and review log as JSON.

The format is documented in docs/export-format.md. Import is a merge, safe to repeat:

- profiles are matched by name and created when missing;
- settings in the file overwrite the profile's stored values for the same keys;
- suspended questions in the file are suspended (nothing is unsuspended);
- sessions are matched by (profile, kind, start time), reviews by (profile, question, time);
  those already present are skipped, so importing the same file twice changes nothing.

:func:`parse_document` validates everything before anything is written and reports every
problem with its JSON path (``reviews[12].rating: 5 is not a rating (1–4)``); the caller
then runs :func:`import_data` in one transaction and rebuilds card state by replay.
Reviews of questions that are not in the current bank are kept: history is never dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from data.errors import InvalidExport
from data.models import (
    RATINGS,
    SESSION_KINDS,
    Card,
    CardStatus,
    Profile,
    Review,
    Setting,
    StudySession,
    utc_now,
)
from data.profiles import check_profile_name, find_profile

FORMAT = "studyapp-export"
VERSION = 1
QUESTION_ID_MAX = 200

# check_setting(key, value) -> None when valid, else why not: the application knows settings.
SettingCheck = Callable[[str, Any], "str | None"]


@dataclass(frozen=True)
class ProfileEntry:
    name: str
    created_at: datetime
    settings: dict[str, Any]
    suspended: tuple[str, ...]


@dataclass(frozen=True)
class SessionEntry:
    key: int  # the session's id inside the file; reviews refer to it
    profile: str
    kind: str
    started_at: datetime
    ended_at: datetime | None
    details: dict[str, Any]


@dataclass(frozen=True)
class ReviewEntry:
    profile: str
    question: str
    session: int | None
    rating: int
    correct: bool | None
    answer: str | None
    duration_ms: int | None
    reviewed_at: datetime
    moves_schedule: bool


@dataclass(frozen=True)
class ExportData:
    """A validated export document."""

    profiles: tuple[ProfileEntry, ...]
    sessions: tuple[SessionEntry, ...]
    reviews: tuple[ReviewEntry, ...]


@dataclass(frozen=True)
class ImportReport:
    """What an import changed; ``profile_ids`` are the profiles whose cards need a rebuild."""

    profiles_created: tuple[str, ...]
    profile_ids: tuple[int, ...]
    settings_written: int
    sessions_added: int
    reviews_added: int
    reviews_skipped: int


# -- export -------------------------------------------------------------------------------------


def export_document(
    session: Session, *, generator: str = "", now: datetime | None = None
) -> dict[str, Any]:
    """The whole database's learner data (not the bank) as an export document."""
    names = dict(session.execute(select(Profile.id, Profile.name).order_by(Profile.id)).all())
    settings: dict[int, dict[str, Any]] = {pid: {} for pid in names}
    for pid, key, value in session.execute(
        select(Setting.profile_id, Setting.key, Setting.value).order_by(Setting.key)
    ):
        settings[pid][key] = value
    suspended: dict[int, list[str]] = {pid: [] for pid in names}
    for pid, question_id in session.execute(
        select(Card.profile_id, Card.question_id)
        .where(Card.suspended.is_(True))
        .order_by(Card.question_id)
    ):
        suspended[pid].append(question_id)
    profiles = [
        {
            "name": profile.name,
            "created_at": _iso(profile.created_at),
            "settings": settings[profile.id],
            "suspended": suspended[profile.id],
        }
        for profile in session.scalars(select(Profile).order_by(Profile.id))
    ]
    sessions = [
        {
            "id": row.id,
            "profile": names[row.profile_id],
            "kind": row.kind,
            "started_at": _iso(row.started_at),
            "ended_at": _iso(row.ended_at) if row.ended_at else None,
            "details": row.details,
        }
        for row in session.scalars(select(StudySession).order_by(StudySession.id))
    ]
    reviews = [
        {
            "profile": names[row.profile_id],
            "question": row.question_id,
            "session": row.session_id,
            "rating": row.rating,
            "correct": row.correct,
            "answer": row.answer,
            "duration_ms": row.duration_ms,
            "reviewed_at": _iso(row.reviewed_at),
            "moves_schedule": row.moves_schedule,
        }
        for row in session.execute(select(*_REVIEW_COLUMNS).order_by(Review.id))
    ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _iso(now or utc_now()),
        "generator": generator,
        "profiles": profiles,
        "sessions": sessions,
        "reviews": reviews,
    }


_REVIEW_COLUMNS = (
    Review.profile_id,
    Review.question_id,
    Review.session_id,
    Review.rating,
    Review.correct,
    Review.answer,
    Review.duration_ms,
    Review.reviewed_at,
    Review.moves_schedule,
)


def write_document(document: dict[str, Any], stream: TextIO) -> None:
    """Write an export document as JSON with one record per line (diffable, greppable)."""
    items = list(document.items())
    stream.write("{\n")
    for index, (key, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        if isinstance(value, list) and value:
            stream.write(f"  {json.dumps(key)}: [\n")
            stream.write(",\n".join(f"    {_compact(item)}" for item in value))
            stream.write(f"\n  ]{comma}\n")
        else:
            stream.write(f"  {json.dumps(key)}: {_compact(value)}{comma}\n")
    stream.write("}\n")


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- validation ---------------------------------------------------------------------------------


class _Problems:
    """Collects ``path: message`` problems; reading helpers return None after a problem."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.messages.append(f"{path}: {message}")

    def fields(self, value: Any, path: str, required: set[str], optional: set[str]) -> bool:
        """Whether ``value`` is an object with the required fields and no unknown ones."""
        if not isinstance(value, dict):
            self.add(path, f"expected an object, not {_describe(value)}")
            return False
        missing = sorted(required - value.keys())
        for name in missing:
            self.add(f"{path}.{name}", "missing")
        for name in sorted(value.keys() - required - optional):
            self.add(path, f"unknown field {name!r}")
        return not missing

    def text(self, value: Any, path: str, *, nullable: bool = False) -> str | None:
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            self.add(path, f"expected a string, not {_describe(value)}")
        return value if isinstance(value, str) else None

    def integer(self, value: Any, path: str, *, nullable: bool = False) -> int | None:
        if value is None and nullable:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(path, f"expected a whole number, not {_describe(value)}")
            return None
        return value

    def boolean(self, value: Any, path: str, *, nullable: bool = False) -> bool | None:
        if value is None and nullable:
            return None
        if not isinstance(value, bool):
            self.add(path, f"expected true or false, not {_describe(value)}")
            return None
        return value

    def moment(self, value: Any, path: str, *, nullable: bool = False) -> datetime | None:
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            self.add(
                path,
                f"expected a date and time such as '2025-01-31T09:00:00Z', not {_describe(value)}",
            )
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.add(
                path, f"{value!r} is not an ISO 8601 date and time such as '2025-01-31T09:00:00Z'"
            )
            return None
        if parsed.tzinfo is None:
            self.add(path, f"{value!r} has no time zone; write it in UTC, e.g. '{value}Z'")
            return None
        return parsed.astimezone(UTC)


def _describe(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"the number {value!r}"
    return names.get(type(value), type(value).__name__)


def parse_document(
    document: Any, source: str, *, check_setting: SettingCheck | None = None
) -> ExportData:
    """Validate a decoded export document; raise InvalidExport listing every problem."""
    problems = _Problems()
    if not problems.fields(
        document,
        "document",
        required={"format", "version"},
        optional={"exported_at", "generator", "profiles", "sessions", "reviews"},
    ):
        raise InvalidExport(source, problems.messages)
    if document["format"] != FORMAT:
        problems.add("format", f"{document['format']!r} is not {FORMAT!r}")
    version = problems.integer(document["version"], "version")
    if version is not None and not 1 <= version <= VERSION:
        newer = " (written by a newer studyapp; update this one)" if version > VERSION else ""
        problems.add(
            "version", f"{version} is not a version this studyapp reads (1–{VERSION}){newer}"
        )
    if problems.messages:  # another format or version: its fields would only add noise
        raise InvalidExport(source, problems.messages)
    if "exported_at" in document:
        problems.moment(document["exported_at"], "exported_at")
    # Names and session ids that are well-formed count as defined even when another field
    # of their record is wrong, so one mistake is reported once, not at every reference.
    profiles, names = _parse_profiles(document.get("profiles", []), problems, check_setting)
    sessions, session_ids = _parse_sessions(document.get("sessions", []), problems, names)
    reviews = _parse_reviews(document.get("reviews", []), problems, names, sessions, session_ids)
    if problems.messages:
        raise InvalidExport(source, problems.messages)
    return ExportData(tuple(profiles), tuple(sessions.values()), tuple(reviews))


def _entries(value: Any, path: str, problems: _Problems) -> list[tuple[str, Any]]:
    if not isinstance(value, list):
        problems.add(path, f"expected a list, not {_describe(value)}")
        return []
    return [(f"{path}[{index}]", item) for index, item in enumerate(value)]


def _parse_profiles(
    value: Any, problems: _Problems, check_setting: SettingCheck | None
) -> tuple[list[ProfileEntry], set[str]]:
    profiles: list[ProfileEntry] = []
    seen: dict[str, str] = {}
    for path, item in _entries(value, "profiles", problems):
        if not problems.fields(item, path, {"name"}, {"created_at", "settings", "suspended"}):
            continue
        count = len(problems.messages)
        name = problems.text(item["name"], f"{path}.name")
        if name is not None:
            problem = check_profile_name(name)
            if problem:
                problems.add(f"{path}.name", problem)
            elif name in seen:
                problems.add(f"{path}.name", f"{name!r} is already defined at {seen[name]}")
            else:
                seen[name] = path
        created_at = problems.moment(item.get("created_at"), f"{path}.created_at", nullable=True)
        settings = item.get("settings", {})
        if not isinstance(settings, dict):
            problems.add(f"{path}.settings", f"expected an object, not {_describe(settings)}")
        elif check_setting is not None:
            for key, setting in settings.items():
                problem = check_setting(key, setting)
                if problem:
                    problems.add(f"{path}.settings.{key}", problem.removeprefix(f"{key}: "))
        suspended = item.get("suspended", [])
        for entry_path, question in _entries(suspended, f"{path}.suspended", problems):
            _check_question_id(question, entry_path, problems)
        if len(problems.messages) == count:
            profiles.append(
                ProfileEntry(
                    name=name,
                    created_at=created_at or utc_now(),
                    settings=dict(settings),
                    suspended=tuple(suspended),
                )
            )
    return profiles, set(seen)


def _parse_sessions(
    value: Any, problems: _Problems, profiles: set[str]
) -> tuple[dict[int, SessionEntry], set[int]]:
    sessions: dict[int, SessionEntry] = {}
    id_paths: dict[int, str] = {}
    start_paths: dict[tuple[Any, ...], str] = {}
    for path, item in _entries(value, "sessions", problems):
        if not problems.fields(
            item, path, {"id", "profile", "kind", "started_at"}, {"ended_at", "details"}
        ):
            continue
        count = len(problems.messages)
        key = problems.integer(item["id"], f"{path}.id")
        if key is not None and key in id_paths:
            problems.add(f"{path}.id", f"{key} is already used at {id_paths[key]}")
        profile = _check_profile(item["profile"], f"{path}.profile", problems, profiles)
        kind = problems.text(item["kind"], f"{path}.kind")
        if kind is not None and kind not in SESSION_KINDS:
            problems.add(
                f"{path}.kind", f"{kind!r} is not a session kind ({', '.join(SESSION_KINDS)})"
            )
        started_at = problems.moment(item["started_at"], f"{path}.started_at")
        ended_at = problems.moment(item.get("ended_at"), f"{path}.ended_at", nullable=True)
        if started_at and ended_at and ended_at < started_at:
            problems.add(f"{path}.ended_at", "is before started_at")
        details = item.get("details", {})
        if not isinstance(details, dict):
            problems.add(f"{path}.details", f"expected an object, not {_describe(details)}")
        natural = (profile, kind, started_at)
        if len(problems.messages) == count and natural in start_paths:
            problems.add(path, f"same profile, kind and start time as {start_paths[natural]}")
        if key is not None:
            id_paths.setdefault(key, path)
        if len(problems.messages) == count:
            start_paths[natural] = path
            sessions[key] = SessionEntry(key, profile, kind, started_at, ended_at, details)
    return sessions, set(id_paths)


def _parse_reviews(
    value: Any,
    problems: _Problems,
    profiles: set[str],
    sessions: dict[int, SessionEntry],
    session_ids: set[int],
) -> list[ReviewEntry]:
    reviews: list[ReviewEntry] = []
    seen: dict[tuple[str, str, datetime], str] = {}
    required = {"profile", "question", "rating", "reviewed_at"}
    optional = {"session", "correct", "answer", "duration_ms", "moves_schedule"}
    for path, item in _entries(value, "reviews", problems):
        if not problems.fields(item, path, required, optional):
            continue
        count = len(problems.messages)
        profile = _check_profile(item["profile"], f"{path}.profile", problems, profiles)
        question = _check_question_id(item["question"], f"{path}.question", problems)
        session = problems.integer(item.get("session"), f"{path}.session", nullable=True)
        if session is not None:
            if session not in session_ids:
                problems.add(f"{path}.session", f"{session} is not the id of a session in sessions")
            elif profile and session in sessions and sessions[session].profile != profile:
                problems.add(
                    f"{path}.session",
                    f"session {session} belongs to profile {sessions[session].profile!r}, not {profile!r}",
                )
        rating = item["rating"]
        if isinstance(rating, bool) or rating not in RATINGS:
            problems.add(f"{path}.rating", f"{json.dumps(rating)} is not a rating (1–4)")
        correct = problems.boolean(item.get("correct"), f"{path}.correct", nullable=True)
        answer = problems.text(item.get("answer"), f"{path}.answer", nullable=True)
        duration = problems.integer(item.get("duration_ms"), f"{path}.duration_ms", nullable=True)
        if duration is not None and duration < 0:
            problems.add(f"{path}.duration_ms", f"{duration} is negative")
        reviewed_at = problems.moment(item["reviewed_at"], f"{path}.reviewed_at")
        moves = problems.boolean(item.get("moves_schedule", True), f"{path}.moves_schedule")
        natural = (profile, question, reviewed_at)
        if len(problems.messages) == count and natural in seen:
            problems.add(path, f"same profile, question and time as {seen[natural]}")
        if len(problems.messages) == count:
            seen[natural] = path
            reviews.append(
                ReviewEntry(
                    profile,
                    question,
                    session,
                    rating,
                    correct,
                    answer,
                    duration,
                    reviewed_at,
                    moves,
                )
            )
    return reviews


def _check_profile(value: Any, path: str, problems: _Problems, profiles: set[str]) -> str | None:
    name = problems.text(value, path)
    if name is not None and name not in profiles:
        problems.add(path, f"{name!r} is not a profile defined in profiles")
        return None
    return name


def _check_question_id(value: Any, path: str, problems: _Problems) -> str | None:
    question = problems.text(value, path)
    if question is not None and not 0 < len(question) <= QUESTION_ID_MAX:
        problems.add(path, f"a question id has 1 to {QUESTION_ID_MAX} characters")
        return None
    return question


# -- import -------------------------------------------------------------------------------------


@dataclass
class _Counts:
    created: list[str] = field(default_factory=list)
    settings: int = 0
    sessions: int = 0
    reviews: int = 0
    skipped: int = 0


def import_data(session: Session, data: ExportData) -> ImportReport:
    """Merge validated data into the database inside the caller's transaction."""
    counts = _Counts()
    profile_ids: dict[str, int] = {}
    for profile in data.profiles:
        pid = find_profile(session, profile.name)
        if pid is None:
            pid = session.execute(
                insert(Profile)
                .values(name=profile.name, created_at=profile.created_at)
                .returning(Profile.id)
            ).scalar_one()
            counts.created.append(profile.name)
        profile_ids[profile.name] = pid
        counts.settings += _import_settings(session, pid, profile.settings)
        _import_suspensions(session, pid, profile.suspended)
    session_ids = _import_sessions(session, data.sessions, profile_ids, counts)
    _import_reviews(session, data.reviews, profile_ids, session_ids, counts)
    return ImportReport(
        profiles_created=tuple(counts.created),
        profile_ids=tuple(profile_ids.values()),
        settings_written=counts.settings,
        sessions_added=counts.sessions,
        reviews_added=counts.reviews,
        reviews_skipped=counts.skipped,
    )


def _import_settings(session: Session, profile_id: int, settings: dict[str, Any]) -> int:
    stored = {
        row.key: row
        for row in session.scalars(select(Setting).where(Setting.profile_id == profile_id))
    }
    written = 0
    for key, value in settings.items():
        row = stored.get(key)
        if row is None:
            session.add(Setting(profile_id=profile_id, key=key, value=value))
        elif row.value != value:
            row.value = value
        else:
            continue
        written += 1
    return written


def _import_suspensions(session: Session, profile_id: int, question_ids: tuple[str, ...]) -> None:
    for question_id in question_ids:
        card = session.get(Card, (profile_id, question_id))
        if card is None:
            session.add(
                Card(
                    profile_id=profile_id,
                    question_id=question_id,
                    status=CardStatus.NEW,
                    suspended=True,
                )
            )
        elif not card.suspended:
            card.suspended = True


def _import_sessions(
    session: Session,
    sessions: tuple[SessionEntry, ...],
    profile_ids: dict[str, int],
    counts: _Counts,
) -> dict[int, int]:
    """Insert the sessions not present yet; map every file id to its database id."""
    mapping: dict[int, int] = {}
    for entry in sessions:
        pid = profile_ids[entry.profile]
        existing = session.scalar(
            select(StudySession.id).where(
                StudySession.profile_id == pid,
                StudySession.kind == entry.kind,
                StudySession.started_at == entry.started_at,
            )
        )
        if existing is None:
            row = StudySession(
                profile_id=pid,
                kind=entry.kind,
                started_at=entry.started_at,
                ended_at=entry.ended_at,
                details=entry.details,
            )
            session.add(row)
            session.flush()
            existing = row.id
            counts.sessions += 1
        mapping[entry.key] = existing
    return mapping


def _import_reviews(
    session: Session,
    reviews: tuple[ReviewEntry, ...],
    profile_ids: dict[str, int],
    session_ids: dict[int, int],
    counts: _Counts,
) -> None:
    present = {
        (pid, question_id, reviewed_at)
        for pid, question_id, reviewed_at in session.execute(
            select(Review.profile_id, Review.question_id, Review.reviewed_at).where(
                Review.profile_id.in_(set(profile_ids.values()))
            )
        )
    }
    rows = []
    for entry in reviews:
        pid = profile_ids[entry.profile]
        if (pid, entry.question, entry.reviewed_at) in present:
            counts.skipped += 1
            continue
        rows.append(
            {
                "profile_id": pid,
                "question_id": entry.question,
                "session_id": session_ids[entry.session] if entry.session is not None else None,
                "rating": entry.rating,
                "correct": entry.correct,
                "answer": entry.answer,
                "duration_ms": entry.duration_ms,
                "reviewed_at": entry.reviewed_at,
                "moves_schedule": entry.moves_schedule,
            }
        )
    if rows:
        session.execute(insert(Review), rows)
    counts.reviews = len(rows)
