"""Bank sync: upsert by id, edits recorded, retire and restore, and an unchanged bank costs no write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from content.parser import load_bank
from data import sync as sync_module
from data.models import BankFile, Question, QuestionEdit, Review, utc_now
from data.profiles import ensure_profile
from data.sync import BankNotFound, bank_from_cache, cache_is_current, sync_bank
from tests.data.bank_files import question_md, write_bank, write_file

T0 = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)


def active_ids(database) -> set[str]:
    with database.read() as session:
        return set(session.scalars(select(Question.id).where(Question.retired_at.is_(None))))


def row(database, qid: str) -> Question:
    with database.read() as session:
        return session.get(Question, qid)


def test_full_sync_adds_every_question_with_its_tags(database, tmp_path):
    bank = write_bank(tmp_path / "bank", {"a.md": ["q-1", "q-2"], "day3/b.md": ["q-3"]})
    report = sync_bank(database, [bank], now=T0)
    assert report.added == ("q-1", "q-2", "q-3")
    assert (report.updated, report.retired, report.unchanged, report.problems) == ((), (), 0, ())
    stored = row(database, "q-3")
    assert stored.file == f"{bank.as_posix()}/day3/b.md"
    assert stored.kind == "numeric"
    assert stored.syllabus == ["3-4 畳み込みニューラルネットワーク"]
    assert stored.course == "Day2 Section4"
    assert stored.first_seen == stored.updated_at == T0
    assert stored.retired_at is None


def test_second_sync_of_an_unchanged_bank_writes_nothing_and_parses_nothing(
    database, writes, tmp_path, monkeypatch
):
    bank = write_bank(tmp_path / "bank", {"a.md": ["q-1", "q-2"], "b.md": ["q-3"]})
    sync_bank(database, [bank])
    writes.reset()
    monkeypatch.setattr("content.parser.read_file", pytest.fail)
    report = sync_bank(database, [bank])
    assert writes.statements == []
    assert not report.changed
    assert (report.unchanged, report.files, report.files_parsed) == (3, 2, 0)


def test_an_unchanged_bank_still_reports_its_problems_as_the_parser_does(database, tmp_path):
    bank = write_bank(tmp_path / "bank", {"a.md": ["q-1", "dup"], "b.md": ["dup"]})
    (bank / "c.md").write_text("## no fields\n\ntext\n", encoding="utf-8")
    first = sync_bank(database, [bank])
    second = sync_bank(database, [bank])
    assert list(first.problems) == list(second.problems) == load_bank([bank]).problems
    assert first.problems  # the duplicate and the broken file
    assert active_ids(database) == {"q-1"}


def test_an_edit_is_recorded_and_only_the_changed_file_is_parsed(database, tmp_path):
    bank = write_bank(tmp_path / "bank", {"a.md": ["q-1", "q-2"], "b.md": ["q-3"]})
    sync_bank(database, [bank], now=T0)
    old_hash = row(database, "q-2").content_hash
    write_file(bank, "a.md", question_md("q-1"), question_md("q-2", answer="8"))
    later = T0 + timedelta(days=1)
    report = sync_bank(database, [bank], now=later)
    assert report.updated == ("q-2",)
    assert (report.added, report.retired, report.unchanged) == ((), (), 2)
    assert report.files_parsed == 1
    edited = row(database, "q-2")
    assert edited.content_hash != old_hash
    assert edited.updated_at == later
    assert edited.first_seen == T0
    assert edited.payload["answer"] == "8"
    with database.read() as session:
        edits = session.scalars(select(QuestionEdit)).all()
    assert [(e.question_id, e.old_hash, e.new_hash, e.edited_at) for e in edits] == [
        ("q-2", old_hash, edited.content_hash, later)
    ]


def test_moving_a_question_updates_its_place_without_counting_an_edit(database, tmp_path):
    bank = write_bank(tmp_path / "bank", {"a.md": ["q-1", "q-2"]})
    sync_bank(database, [bank], now=T0)
    write_file(bank, "a.md", question_md("q-2"), question_md("q-1"))
    report = sync_bank(database, [bank], now=T0 + timedelta(days=1))
    assert not report.changed
    assert row(database, "q-2").line < row(database, "q-1").line
    assert row(database, "q-2").updated_at == T0
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(QuestionEdit)) == 0


def test_removed_questions_are_retired_with_history_kept_and_restored_when_back(database, tmp_path):
    bank = write_bank(tmp_path / "bank", {"a.md": ["q-1", "q-2"]})
    sync_bank(database, [bank], now=T0)
    with database.write() as session:
        profile = ensure_profile(session, "default")
        session.add(Review(profile_id=profile, question_id="q-2", rating=3, reviewed_at=utc_now()))
    write_file(bank, "a.md", question_md("q-1"))
    report = sync_bank(database, [bank], now=T0 + timedelta(days=1))
    assert report.retired == ("q-2",)
    assert row(database, "q-2").retired_at == T0 + timedelta(days=1)
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Review)) == 1

    write_file(bank, "a.md", question_md("q-1"), question_md("q-2"))
    report = sync_bank(database, [bank], now=T0 + timedelta(days=2))
    assert report.restored == ("q-2",)
    assert (report.added, report.updated) == ((), ())
    assert row(database, "q-2").retired_at is None


def test_a_duplicate_in_a_changed_file_drops_the_copy_in_an_unchanged_one(database, tmp_path):
    bank = write_bank(tmp_path / "bank", {"a.md": ["q-1", "shared"], "b.md": ["q-2"]})
    sync_bank(database, [bank])
    write_file(bank, "b.md", question_md("q-2"), question_md("shared"))
    report = sync_bank(database, [bank])
    assert report.files_parsed == 1
    assert report.retired == ("shared",)
    assert sorted(problem.file for problem in report.problems) == [
        f"{bank.as_posix()}/a.md",
        f"{bank.as_posix()}/b.md",
    ]
    assert list(report.problems) == load_bank([bank]).problems

    # Removing the duplicate restores the unchanged file's copy, which is parsed again.
    write_file(bank, "b.md", question_md("q-2"))
    report = sync_bank(database, [bank])
    assert report.restored == ("shared",)
    assert report.problems == ()
    assert row(database, "shared").file == f"{bank.as_posix()}/a.md"


def test_switching_banks_retires_the_other_bank_and_switching_back_restores_it(database, tmp_path):
    first = write_bank(tmp_path / "first", {"a.md": ["q-1", "q-2"]})
    second = write_bank(tmp_path / "second", {"a.md": ["q-3"]})
    sync_bank(database, [first])
    assert sync_bank(database, [second]).retired == ("q-1", "q-2")
    assert active_ids(database) == {"q-3"}
    report = sync_bank(database, [first])
    assert (report.restored, report.retired) == (("q-1", "q-2"), ("q-3",))
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Question)) == 3


def test_a_missing_bank_directory_is_an_error_and_retires_nothing(database, tmp_path):
    bank = write_bank(tmp_path / "bank", {"a.md": ["q-1"]})
    sync_bank(database, [bank])
    with pytest.raises(BankNotFound, match=r"does not exist; check --bank or STUDYAPP_BANK"):
        sync_bank(database, [tmp_path / "typo"])
    assert active_ids(database) == {"q-1"}


def test_a_new_parser_version_reparses_every_file_once(database, tmp_path, monkeypatch):
    bank = write_bank(tmp_path / "bank", {"a.md": ["q-1"], "b.md": ["q-2"]})
    sync_bank(database, [bank])
    monkeypatch.setattr(sync_module, "parser_version", lambda: "a newer parser")
    with database.read() as session:
        assert not cache_is_current(session)
    assert sync_bank(database, [bank]).files_parsed == 2
    assert sync_bank(database, [bank]).files_parsed == 0
    with database.read() as session:
        assert set(session.scalars(select(BankFile.parser_version))) == {"a newer parser"}


def test_the_cached_bank_equals_the_parsed_bank(database, tmp_path):
    bank = write_bank(tmp_path / "bank", {"a.md": ["q-1", "q-2"], "z/b.md": ["q-3", "q-2"]})
    sync_bank(database, [bank])
    with database.read() as session:
        cached = bank_from_cache(session, [bank], trusted=False)
    parsed = load_bank([bank])
    assert cached.questions == parsed.questions
    assert cached.problems == parsed.problems
    assert cached.files == parsed.files


# Random edit sequences: after every sync, the active questions and problems in the
# database are exactly what parsing the whole bank gives.
_IDS = st.sampled_from(["q-a", "q-b", "q-c", "q-d", "q-e"])
_FILE = st.lists(st.tuples(_IDS, st.sampled_from(["7", "8"])), max_size=3)
_BANKS = st.lists(
    st.fixed_dictionaries({"a.md": _FILE, "b.md": _FILE, "c.md": _FILE}), min_size=1, max_size=4
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(states=_BANKS)
def test_incremental_sync_agrees_with_parsing_everything(tmp_path_factory, states):
    from data.db import open_database

    root = tmp_path_factory.mktemp("random")
    bank = root / "bank"
    database = open_database(str(root / "studyapp.db"))
    try:
        for state in states:
            bank.mkdir(exist_ok=True)
            for name, questions in state.items():
                if questions:
                    write_file(bank, name, *(question_md(q, answer=a) for q, a in questions))
                else:
                    (bank / name).unlink(missing_ok=True)
            report = sync_bank(database, [bank])
            parsed = load_bank([bank])
            with database.read() as session:
                cached = bank_from_cache(session, [bank], trusted=False)
            assert cached.questions == parsed.questions
            assert list(report.problems) == parsed.problems
    finally:
        database.close()
