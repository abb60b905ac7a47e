"""Per-profile study settings: a typed, validated dataclass stored as JSON values by key.

Stored values that no longer validate (written by hand, or by another version) fall back to
their defaults on load, so a bad value never locks a learner out of the app; saving writes
only the keys whose value differs from what is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from studyapp.config import LANGUAGES
from studyapp.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_MAX_STEPS = 10
_MAX_STEP = timedelta(days=1)


class InvalidSetting(UsageError):
    """A setting value out of range or of the wrong type (one sentence naming the key)."""


@dataclass(frozen=True)
class Settings:
    """What a learner can tune. Learning steps are kept as timedeltas, stored as seconds."""

    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    new_per_day: int = 20
    reviews_per_day: int = 200
    exam_date: date | None = None
    language: str = "ja"
    leech_threshold: int = 8
    # Suspend a question automatically when it becomes a leech (Anki's "suspend card").
    leech_suspend: bool = False

    def __post_init__(self) -> None:
        for field in fields(self):
            problem = _VALIDATORS[field.name](getattr(self, field.name))
            if problem:
                raise InvalidSetting(f"{field.name}: {problem}.")

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied (validated)."""
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """Every setting as a JSON value: steps in seconds, the exam date as YYYY-MM-DD."""
        values = asdict(self)
        for key in _STEP_KEYS:
            values[key] = [int(step.total_seconds()) for step in values[key]]
        values["exam_date"] = self.exam_date.isoformat() if self.exam_date else None
        return values

    @classmethod
    def from_json(cls, values: Mapping[str, Any]) -> Settings:
        """Settings from JSON values (absent keys keep defaults); raises InvalidSetting."""
        unknown = sorted(set(values) - set(SETTING_KEYS))
        if unknown:
            raise InvalidSetting(f"{unknown[0]}: not a setting (known: {', '.join(SETTING_KEYS)}).")
        return cls(**{key: setting_from_json(key, value) for key, value in values.items()})

    @property
    def scheduling(self) -> tuple[Any, ...]:
        """The fields that change card state on replay; when they change, cards are rebuilt."""
        return (
            self.desired_retention,
            self.learning_steps,
            self.relearning_steps,
            self.leech_threshold,
        )


SETTING_KEYS: tuple[str, ...] = tuple(field.name for field in fields(Settings))
_STEP_KEYS = ("learning_steps", "relearning_steps")


def setting_from_json(key: str, value: Any) -> Any:
    """The typed value of one setting from its JSON form; raises InvalidSetting."""
    if key not in SETTING_KEYS:
        raise InvalidSetting(f"{key}: not a setting (known: {', '.join(SETTING_KEYS)}).")
    if key in _STEP_KEYS:
        if not isinstance(value, list) or not all(_is_int(item) for item in value):
            raise InvalidSetting(f"{key}: {value!r} is not a list of seconds.")
        return tuple(timedelta(seconds=item) for item in value)
    if key == "exam_date" and value is not None:
        if not isinstance(value, str):
            raise InvalidSetting(f"exam_date: {value!r} is not a date written YYYY-MM-DD.")
        return parse_date(value)
    problem = _VALIDATORS[key](value)
    if problem:
        raise InvalidSetting(f"{key}: {problem}.")
    return value


def setting_problem(key: str, value: Any) -> str | None:
    """None when ``value`` is a valid JSON value for setting ``key``, else the sentence why not."""
    try:
        Settings(**{key: setting_from_json(key, value)})
    except InvalidSetting as error:
        return str(error).rstrip(".")
    return None


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidSetting(f"exam_date: {text!r} is not a date written YYYY-MM-DD.") from None


_STEP_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_steps(text: str) -> tuple[timedelta, ...]:
    """Steps written as Anki writes them: ``"1m 10m"``, ``"30s 5m 1h"`` (a bare number is minutes)."""
    steps = []
    for token in text.replace(",", " ").split():
        match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd]?)", token.strip().lower())
        if not match:
            raise InvalidSetting(f"steps: {token!r} is not a step such as 1m, 10m or 1h.")
        seconds = float(match[1]) * _STEP_UNITS[match[2] or "m"]
        steps.append(timedelta(seconds=round(seconds)))
    return tuple(steps)


def format_steps(steps: tuple[timedelta, ...]) -> str:
    """The inverse of :func:`parse_steps`: ``(1 min, 10 min)`` → ``"1m 10m"``."""
    words = []
    for step in steps:
        seconds = int(step.total_seconds())
        for unit in ("d", "h", "m", "s"):
            if seconds % _STEP_UNITS[unit] == 0:
                words.append(f"{seconds // _STEP_UNITS[unit]}{unit}")
                break
    return " ".join(words)


def settings_from_stored(stored: Iterable[tuple[str, Any]]) -> Settings:
    """Settings from stored (key, JSON value) pairs; missing or invalid ones keep defaults."""
    values: dict[str, Any] = {}
    for key, value in stored:
        if key in SETTING_KEYS and setting_problem(key, value) is None:
            values[key] = setting_from_json(key, value)
    return Settings(**values)


# SQLAlchemy is imported inside the two functions below: this module stays light for the
# home screen's start-up path, which reads settings without the ORM.


def load_settings(session: Session, profile_id: int) -> Settings:
    """The profile's settings; missing or invalid stored values take their defaults."""
    from sqlalchemy import select

    from data.models import Setting

    stored = session.execute(
        select(Setting.key, Setting.value).where(Setting.profile_id == profile_id)
    ).all()
    return settings_from_stored(stored)


def save_settings(session: Session, profile_id: int, settings: Settings) -> None:
    """Store the settings that differ from the defaults; writes only what changed.

    A setting equal to its default is not stored, so a better default in a later version
    reaches every learner who never changed it.
    """
    from sqlalchemy import delete, select, update

    from data.models import Setting

    stored = dict(
        session.execute(
            select(Setting.key, Setting.value).where(Setting.profile_id == profile_id)
        ).all()
    )
    defaults = Settings().to_json()
    wanted = {key: value for key, value in settings.to_json().items() if value != defaults[key]}
    for key in (stored.keys() & set(SETTING_KEYS)) - wanted.keys():
        session.execute(delete(Setting).where(Setting.profile_id == profile_id, Setting.key == key))
    for key, value in wanted.items():
        if key not in stored:
            session.add(Setting(profile_id=profile_id, key=key, value=value))
        elif stored[key] != value:
            session.execute(
                update(Setting)
                .where(Setting.profile_id == profile_id, Setting.key == key)
                .values(value=value)
            )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_retention(value: Any) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return f"{value!r} is not a number"
    if not 0.7 <= value <= 0.99:
        return f"{value} is outside 0.70–0.99 (0.9 recalls 9 of 10 reviews)"
    return None


def _check_steps(value: Any) -> str | None:
    if not isinstance(value, tuple) or not all(isinstance(step, timedelta) for step in value):
        return f"{value!r} is not a sequence of durations"
    if len(value) > _MAX_STEPS:
        return f"{len(value)} steps are more than {_MAX_STEPS}"
    if any(not timedelta(seconds=1) <= step <= _MAX_STEP for step in value):
        return "every step must last from 1 second to 1 day"
    return None


def _check_count(maximum: int):
    def check(value: Any) -> str | None:
        if not _is_int(value):
            return f"{value!r} is not a whole number"
        if not 0 <= value <= maximum:
            return f"{value} is outside 0–{maximum}"
        return None

    return check


def _check_exam_date(value: Any) -> str | None:
    return None if value is None or isinstance(value, date) else f"{value!r} is not a date"


def _check_language(value: Any) -> str | None:
    return None if value in LANGUAGES else f"{value!r} is not one of {', '.join(LANGUAGES)}"


def _check_leech_threshold(value: Any) -> str | None:
    if not _is_int(value):
        return f"{value!r} is not a whole number"
    return None if 1 <= value <= 100 else f"{value} is outside 1–100"


def _check_flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"{value!r} is not true or false"


_VALIDATORS = {
    "desired_retention": _check_retention,
    "learning_steps": _check_steps,
    "relearning_steps": _check_steps,
    "new_per_day": _check_count(9999),
    "reviews_per_day": _check_count(99999),
    "exam_date": _check_exam_date,
    "language": _check_language,
    "leech_threshold": _check_leech_threshold,
    "leech_suspend": _check_flag,
}
