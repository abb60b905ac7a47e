"""Profiles: one per learner, created on first use by name."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from data.errors import DataError
from data.models import Profile, utc_now

PROFILE_NAME_MAX = 100


class InvalidProfileName(DataError):
    """A profile name that is empty, too long or holds control characters."""


def check_profile_name(name: str) -> str | None:
    """None when ``name`` can name a profile, else the sentence why not."""
    if not name.strip():
        return "a profile name cannot be empty"
    if len(name) > PROFILE_NAME_MAX:
        return f"a profile name has at most {PROFILE_NAME_MAX} characters"
    if any(not character.isprintable() for character in name):
        return f"the profile name {name!r} holds control characters"
    return None


def find_profile(session: Session, name: str) -> int | None:
    return session.scalar(select(Profile.id).where(Profile.name == name))


def ensure_profile(session: Session, name: str) -> int:
    """The id of the profile called ``name``, created if it does not exist yet."""
    existing = find_profile(session, name)
    if existing is not None:
        return existing
    problem = check_profile_name(name)
    if problem:
        raise InvalidProfileName(f"{problem}; choose another with --profile.")
    return session.execute(
        insert(Profile).values(name=name, created_at=utc_now()).returning(Profile.id)
    ).scalar_one()
