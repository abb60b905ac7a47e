"""Per-profile settings: defaults, one-sentence validation, and storage by key."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from data.db import open_database
from data.models import Setting
from data.profiles import ensure_profile
from studyapp.errors import UsageError
from studyapp.settings import (
    InvalidSetting,
    Settings,
    format_steps,
    load_settings,
    parse_steps,
    save_settings,
    setting_problem,
)


@pytest.fixture
def profile(tmp_path):
    database = open_database(str(tmp_path / "studyapp.db"))
    with database.write() as session:
        profile_id = ensure_profile(session, "default")
    yield database, profile_id
    database.close()


def stored(database, profile_id) -> dict:
    with database.read() as session:
        return dict(
            session.execute(
                select(Setting.key, Setting.value).where(Setting.profile_id == profile_id)
            ).all()
        )


def test_the_defaults():
    settings = Settings()
    assert settings.desired_retention == 0.9
    assert settings.learning_steps == (timedelta(minutes=1), timedelta(minutes=10))
    assert settings.relearning_steps == (timedelta(minutes=10),)
    assert (settings.new_per_day, settings.reviews_per_day) == (20, 200)
    assert (settings.exam_date, settings.language, settings.leech_threshold) == (None, "ja", 8)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"desired_retention": 1.2},
            "desired_retention: 1.2 is outside 0.70–0.99 (0.9 recalls 9 of 10 reviews).",
        ),
        ({"desired_retention": "high"}, "desired_retention: 'high' is not a number."),
        ({"new_per_day": -1}, "new_per_day: -1 is outside 0–9999."),
        ({"reviews_per_day": 2.5}, "reviews_per_day: 2.5 is not a whole number."),
        ({"language": "fr"}, "language: 'fr' is not one of ja, en."),
        ({"leech_threshold": 0}, "leech_threshold: 0 is outside 1–100."),
        (
            {"learning_steps": (timedelta(days=2),)},
            "learning_steps: every step must last from 1 second to 1 day.",
        ),
        ({"exam_date": "2025-08-30"}, "exam_date: '2025-08-30' is not a date."),
    ],
)
def test_invalid_values_are_refused_in_one_sentence(changes, message):
    with pytest.raises(InvalidSetting) as caught:
        Settings().replace(**changes)
    assert str(caught.value) == message
    assert isinstance(caught.value, UsageError)


def test_json_round_trip_and_validation_of_json_values():
    settings = Settings(exam_date=date(2025, 8, 30), learning_steps=(timedelta(seconds=30),))
    values = settings.to_json()
    assert values["exam_date"] == "2025-08-30"
    assert values["learning_steps"] == [30]
    assert Settings.from_json(values) == settings
    assert setting_problem("exam_date", "30/08/2025") == (
        "exam_date: '30/08/2025' is not a date written YYYY-MM-DD"
    )
    assert setting_problem("learning_steps", [60, "x"]) == (
        "learning_steps: [60, 'x'] is not a list of seconds"
    )
    assert setting_problem("colour", 1).startswith("colour: not a setting (known: ")
    assert setting_problem("new_per_day", 50) is None


def test_steps_are_written_as_anki_writes_them():
    assert parse_steps("1m 10m") == (timedelta(minutes=1), timedelta(minutes=10))
    assert parse_steps("30s, 1h 1d 5") == (
        timedelta(seconds=30),
        timedelta(hours=1),
        timedelta(days=1),
        timedelta(minutes=5),
    )
    assert format_steps(parse_steps("30s 90s 1h 1d")) == "30s 90s 1h 1d"
    with pytest.raises(InvalidSetting, match="'ten' is not a step such as 1m, 10m or 1h"):
        parse_steps("ten")


def test_only_settings_that_differ_from_the_defaults_are_stored(profile):
    database, profile_id = profile
    with database.write() as session:
        save_settings(session, profile_id, Settings(new_per_day=50, exam_date=date(2025, 8, 30)))
    assert stored(database, profile_id) == {"new_per_day": 50, "exam_date": "2025-08-30"}
    with database.write() as session:
        save_settings(session, profile_id, Settings(exam_date=date(2025, 8, 30)))
    assert stored(database, profile_id) == {"exam_date": "2025-08-30"}
    with database.read() as session:
        assert load_settings(session, profile_id) == Settings(exam_date=date(2025, 8, 30))


def test_stored_values_that_no_longer_validate_fall_back_to_defaults(profile):
    database, profile_id = profile
    with database.write() as session:
        session.add(Setting(profile_id=profile_id, key="desired_retention", value=7))
        session.add(Setting(profile_id=profile_id, key="new_per_day", value=35))
        session.add(Setting(profile_id=profile_id, key="from_a_newer_version", value=True))
    with database.read() as session:
        settings = load_settings(session, profile_id)
    assert settings == Settings(new_per_day=35)
    with database.write() as session:
        save_settings(session, profile_id, settings)
    # Unknown keys (a newer version's) survive a save.
    assert stored(database, profile_id) == {"new_per_day": 35, "from_a_newer_version": True}
