"""Export and import: a documented JSON format, validated whole before one merging transaction."""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from data.db import open_database
from data.errors import InvalidExport
from data.models import Card, Review, Setting, StudySession
from data.profiles import ensure_profile
from data.transfer import (
    FORMAT,
    VERSION,
    export_document,
    import_data,
    parse_document,
    write_document,
)

T0 = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)


def fill(database) -> None:
    """Two profiles with settings, a suspension, sessions and reviews (one of a question
    that no bank holds)."""
    with database.write() as session:
        alice = ensure_profile(session, "alice")
        bob = ensure_profile(session, "bob")
        session.add(Setting(profile_id=alice, key="new_per_day", value=30))
        session.add(Card(profile_id=alice, question_id="q-3", suspended=True))
        sitting = StudySession(profile_id=alice, kind="review", started_at=T0, details={"n": 2})
        drill = StudySession(
            profile_id=bob, kind="drill", started_at=T0, ended_at=T0 + timedelta(minutes=5)
        )
        session.add_all([sitting, drill])
        session.flush()
        session.add_all(
            [
                Review(
                    profile_id=alice,
                    question_id="q-1",
                    session_id=sitting.id,
                    rating=3,
                    correct=True,
                    answer="7×7",
                    duration_ms=5300,
                    reviewed_at=T0 + timedelta(seconds=1, microseconds=250),
                ),
                Review(
                    profile_id=alice,
                    question_id="gone-from-the-bank",
                    session_id=sitting.id,
                    rating=1,
                    correct=None,
                    reviewed_at=T0 + timedelta(seconds=9),
                ),
                Review(
                    profile_id=bob,
                    question_id="q-1",
                    session_id=drill.id,
                    rating=1,
                    correct=False,
                    answer="6x6",
                    reviewed_at=T0 + timedelta(minutes=1),
                    moves_schedule=False,
                ),
            ]
        )


def exported(database) -> dict:
    with database.read() as session:
        return export_document(session, generator="studyapp test", now=T0)


def imported(database, document: dict):
    data = parse_document(document, "backup.json")
    with database.write() as session:
        return import_data(session, data)


def count(database, model) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def other(tmp_path):
    database = open_database(str(tmp_path / "other.db"))
    yield database
    database.close()


def test_the_export_document_holds_profiles_settings_sessions_and_the_log(database):
    fill(database)
    document = exported(database)
    assert (document["format"], document["version"]) == (FORMAT, VERSION)
    assert document["exported_at"] == "2025-04-01T09:00:00Z"
    assert document["profiles"][0] == {
        "name": "alice",
        "created_at": document["profiles"][0]["created_at"],
        "settings": {"new_per_day": 30},
        "suspended": ["q-3"],
    }
    assert document["sessions"][1] == {
        "id": 2,
        "profile": "bob",
        "kind": "drill",
        "started_at": "2025-04-01T09:00:00Z",
        "ended_at": "2025-04-01T09:05:00Z",
        "details": {},
    }
    assert document["reviews"][0] == {
        "profile": "alice",
        "question": "q-1",
        "session": 1,
        "rating": 3,
        "correct": True,
        "answer": "7×7",
        "duration_ms": 5300,
        "reviewed_at": "2025-04-01T09:00:01.000250Z",
        "moves_schedule": True,
    }


def test_the_written_file_is_json_with_one_record_per_line(database):
    fill(database)
    document = exported(database)
    stream = io.StringIO()
    write_document(document, stream)
    text = stream.getvalue()
    assert json.loads(text) == document
    assert '    {"profile": "alice", "question": "q-1", "session": 1,' in text
    assert "7×7" in text  # readable, not \\u escapes


def test_export_then_import_into_an_empty_database_round_trips(database, other):
    fill(database)
    document = exported(database)
    report = imported(other, document)
    assert report.profiles_created == ("alice", "bob")
    assert (report.sessions_added, report.reviews_added, report.reviews_skipped) == (2, 3, 0)
    again = exported(other)
    for profile in again["profiles"] + document["profiles"]:
        profile.pop("created_at")
    assert again == document


def test_importing_the_same_file_twice_changes_nothing(database, other):
    fill(database)
    document = exported(database)
    imported(other, document)
    before = exported(other)
    report = imported(other, document)
    assert report.profiles_created == ()
    assert (report.sessions_added, report.reviews_added, report.reviews_skipped) == (0, 0, 3)
    assert report.settings_written == 0
    assert exported(other) == before


def test_import_merges_into_existing_profiles(database, other):
    fill(database)
    document = exported(database)
    with other.write() as session:
        alice = ensure_profile(session, "alice")
        session.add(Setting(profile_id=alice, key="new_per_day", value=5))
        session.add(Review(profile_id=alice, question_id="q-9", rating=4, reviewed_at=T0))
    report = imported(other, document)
    assert report.profiles_created == ("bob",)
    assert report.settings_written == 1
    assert count(other, Review) == 4
    merged = exported(other)
    assert merged["profiles"][0]["settings"] == {"new_per_day": 30}
    assert {review["question"] for review in merged["reviews"]} == {
        "q-1",
        "q-9",
        "gone-from-the-bank",
    }


def test_nothing_is_written_when_any_part_is_invalid(database, other):
    fill(database)
    document = exported(database)
    document["reviews"][2]["rating"] = 5
    with pytest.raises(InvalidExport):
        imported(other, document)
    assert count(other, Review) == count(other, StudySession) == 0


def problems_of(document) -> list[str]:
    with pytest.raises(InvalidExport) as caught:
        parse_document(document, "backup.json")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("backup.json is not a valid studyapp export: ")
    return caught.value.problems


def test_every_problem_is_reported_with_its_json_path(database):
    fill(database)
    document = exported(database)
    broken = copy.deepcopy(document)
    broken["reviews"][2]["rating"] = 5
    broken["reviews"][0]["reviewed_at"] = "2025-04-01T09:00:00"
    broken["reviews"][1]["profile"] = "carol"
    broken["reviews"][1]["session"] = 7
    broken["reviews"][0]["ratng"] = 3
    broken["sessions"][0]["kind"] = "party"
    broken["profiles"][1]["settings"] = {"new_per_day": -3}
    assert problems_of(broken) == [
        "sessions[0].kind: 'party' is not a session kind (review, drill, exam)",
        "reviews[0]: unknown field 'ratng'",
        "reviews[0].reviewed_at: '2025-04-01T09:00:00' has no time zone; write it in UTC, "
        "e.g. '2025-04-01T09:00:00Z'",
        "reviews[1].profile: 'carol' is not a profile defined in profiles",
        "reviews[1].session: 7 is not the id of a session in sessions",
        "reviews[2].rating: 5 is not a rating (1–4)",
    ]


def test_settings_are_checked_by_the_application_when_it_gives_a_check(database):
    fill(database)
    document = exported(database)
    document["profiles"][0]["settings"] = {"new_per_day": -3, "colour": "red"}

    def check(key, value):
        if key == "new_per_day" and value < 0:
            return f"{key}: {value} is outside 0–9999"
        return None if key == "new_per_day" else f"{key}: not a setting"

    with pytest.raises(InvalidExport) as caught:
        parse_document(document, "backup.json", check_setting=check)
    assert caught.value.problems == [
        "profiles[0].settings.new_per_day: -3 is outside 0–9999",
        "profiles[0].settings.colour: not a setting",
    ]


@pytest.mark.parametrize(
    ("document", "problems"),
    [
        ([], ["document: expected an object, not a list"]),
        ({"format": "anki", "version": 1}, ["format: 'anki' is not 'studyapp-export'"]),
        (
            {"format": FORMAT, "version": 2},
            [
                "version: 2 is not a version this studyapp reads (1–1) "
                "(written by a newer studyapp; update this one)"
            ],
        ),
        ({"version": 1}, ["document.format: missing"]),
        (
            {
                "format": FORMAT,
                "version": 1,
                "profiles": [{"name": ""}, {"name": "a"}, {"name": "a"}],
            },
            [
                "profiles[0].name: a profile name cannot be empty",
                "profiles[2].name: 'a' is already defined at profiles[1]",
            ],
        ),
        (
            {
                "format": FORMAT,
                "version": 1,
                "profiles": [{"name": "a"}],
                "reviews": [
                    {
                        "profile": "a",
                        "question": "q",
                        "rating": True,
                        "reviewed_at": "2025-04-01T09:00:00Z",
                    },
                    {
                        "profile": "a",
                        "question": "q",
                        "rating": 2,
                        "reviewed_at": "2025-04-01T09:00:00+00:00",
                    },
                    {
                        "profile": "a",
                        "question": "q",
                        "rating": 2,
                        "reviewed_at": "2025-04-01T18:00:00+09:00",
                    },
                    {
                        "profile": "a",
                        "question": "",
                        "rating": 2,
                        "reviewed_at": "yesterday",
                        "duration_ms": -1,
                    },
                ],
            },
            [
                "reviews[0].rating: true is not a rating (1–4)",
                "reviews[2]: same profile, question and time as reviews[1]",
                "reviews[3].question: a question id has 1 to 200 characters",
                "reviews[3].duration_ms: -1 is negative",
                "reviews[3].reviewed_at: 'yesterday' is not an ISO 8601 date and time such as "
                "'2025-01-31T09:00:00Z'",
            ],
        ),
    ],
)
def test_validation_messages(document, problems):
    assert problems_of(document) == problems


def test_a_minimal_hand_written_document_imports(database):
    document = {
        "format": FORMAT,
        "version": 1,
        "profiles": [{"name": "seed"}],
        "reviews": [
            {
                "profile": "seed",
                "question": "q-1",
                "rating": 3,
                "reviewed_at": "2025-04-01T09:00:00Z",
            }
        ],
    }
    report = imported(database, document)
    assert (report.profiles_created, report.reviews_added) == (("seed",), 1)
    with database.read() as session:
        review = session.scalars(select(Review)).one()
    assert (review.moves_schedule, review.correct, review.session_id) == (True, None, None)
