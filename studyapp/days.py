"""Moments and local days: UTC everywhere, days counted in the learner's time zone.

Light on purpose (no database, no FSRS): the home screen's start-up path uses it too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; naive datetimes are refused, since their zone is a guess."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()} given; pass a timezone-aware one")
    return moment.astimezone(UTC)


def local_day_start(moment: datetime, zone: tzinfo | None = None) -> datetime:
    """The start (midnight) of the local calendar day containing ``moment``, in UTC."""
    local = as_utc(moment).astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def previous_day_start(day_start: datetime, zone: tzinfo | None = None) -> datetime:
    # From noon of the day before, so a 23- or 25-hour day (DST) lands on the right date.
    return local_day_start(day_start - timedelta(hours=12), zone)


def next_day_start(day_start: datetime, zone: tzinfo | None = None) -> datetime:
    return local_day_start(day_start + timedelta(hours=36), zone)
