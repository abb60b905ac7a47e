"""The store for a configuration: open, profile, sync, bank cache, backups, errors, durability."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from data.errors import DatabaseLocked
from studyapp.config import AppConfig
from studyapp.errors import StudyappError
from studyapp.store import StoreError, open_store
from tests.data.bank_files import write_bank

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def config(tmp_path):
    bank = write_bank(tmp_path / "bank", {"a.md": ["q-1", "q-2"], "b.md": ["q-3"]})
    return AppConfig(db=str(tmp_path / "data" / "studyapp.db"), bank_dirs=[bank])


def test_opening_creates_the_profile_and_syncs_the_bank(config):
    with open_store(config) as store:
        assert store.last_sync.added == ("q-1", "q-2", "q-3")
        assert store.scheduler.counts().new == 3
        assert store.profile == "default"
    config.profile = "花子"
    with open_store(config) as store:
        assert not store.last_sync.changed
        assert store.profile_id != 1


def test_a_non_bundled_bank_is_trusted_only_when_asked(config):
    with open_store(config, sync=False) as store:
        assert not store.bank_trusted
        assert not store.bank().trusted
    config.trust_bank = True
    with open_store(config, sync=False) as store:
        assert store.bank_trusted
        assert store.bank().trusted


def test_opening_without_sync_loads_neither_the_parser_nor_numpy(config):
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from studyapp.config import AppConfig
        from studyapp.store import open_store
        config = AppConfig(db={config.db!r}, bank_dirs=[Path({str(config.bank_dirs[0])!r})])
        with open_store(config, sync=False) as store:
            print(store.scheduler.counts().new)
        heavy = sorted({{m.split(".")[0] for m in sys.modules}} & {{"markdown_it", "numpy", "textual"}})
        print(heavy)
        """
    )
    with open_store(config):
        pass  # synced once: counts come from the database
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3", "[]"]


def test_the_bank_comes_from_the_cache_and_is_synced_first_when_never_synced(config):
    with open_store(config, sync=False) as store:
        bank = store.bank()
        assert [question.id for question in bank.questions] == ["q-1", "q-2", "q-3"]
        assert store.last_sync is not None  # it had to sync


def test_persistence_errors_become_one_sentence_with_exit_code_1(config, tmp_path):
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"\x00garbage" * 512)
    config.db = str(corrupt)
    with pytest.raises(StoreError) as caught:
        open_store(config)
    assert isinstance(caught.value, StudyappError)
    assert caught.value.exit_code == 1
    assert str(caught.value).startswith(f"{corrupt} is not a studyapp database")


def test_a_missing_bank_directory_is_a_store_error(config, tmp_path):
    config.bank_dirs = [tmp_path / "no-such-bank"]
    with pytest.raises(StoreError, match="does not exist; check --bank or STUDYAPP_BANK"):
        open_store(config)


def test_a_backup_restores_the_log_and_rebuilds_identical_cards(config, tmp_path):
    with open_store(config) as store:
        scheduler = store.scheduler
        scheduler.update_settings(scheduler.settings.replace(desired_retention=0.85))
        sitting = scheduler.start_session("review", at=T0)
        for offset, (qid, rating) in enumerate([("q-1", 3), ("q-2", 1), ("q-1", 4), ("q-3", 2)]):
            scheduler.record_answer(
                qid, rating, session_id=sitting, at=T0 + timedelta(minutes=11 * offset)
            )
        scheduler.set_suspended("q-3")
        cards = {qid: scheduler.card(qid) for qid in ("q-1", "q-2", "q-3")}
        document = store.export_backup()

    config.db = str(tmp_path / "restored.db")
    with open_store(config) as store:
        report = store.import_backup(document, "backup.json")
        assert report.reviews_added == 4
        restored = {qid: store.scheduler.card(qid) for qid in ("q-1", "q-2", "q-3")}
        assert store.scheduler.settings.desired_retention == 0.85
        again = store.import_backup(document, "backup.json")
        assert (again.reviews_added, again.reviews_skipped) == (0, 4)
        assert {qid: store.scheduler.card(qid) for qid in restored} == restored
    assert restored == cards


def test_an_invalid_backup_writes_nothing(config):
    with open_store(config) as store:
        document = store.export_backup()
        document["profiles"][0]["settings"] = {"desired_retention": 2}
        with pytest.raises(StoreError) as caught:
            store.import_backup(document, "backup.json")
        assert str(caught.value) == (
            "backup.json is not a valid studyapp export: profiles[0].settings.desired_retention: "
            "2 is outside 0.70–0.99 (0.9 recalls 9 of 10 reviews)."
        )


ANSWER_LOOP = """
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from studyapp.config import AppConfig
from studyapp.store import open_store

config = AppConfig(db=sys.argv[1], bank_dirs=[Path(sys.argv[2])])
store = open_store(config)
sitting = store.scheduler.start_session("review")
start = datetime(2025, 4, 1, tzinfo=UTC)
for number in range(100000):
    answer = store.scheduler.record_answer(
        "q-1", 3, session_id=sitting, answer=str(number), at=start + timedelta(seconds=number)
    )
    print(answer.review.id, flush=True)
"""


def test_answers_survive_a_killed_process(config):
    with open_store(config):
        pass
    process = subprocess.Popen(
        [sys.executable, "-c", ANSWER_LOOP, config.db, str(config.bank_dirs[0])],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    confirmed = []
    try:
        while len(confirmed) < 40:
            line = process.stdout.readline()
            assert line, process.stderr.read()
            confirmed.append(int(line))
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    with open_store(config) as store:
        history = store.scheduler.history("q-1")
        recorded = {review.id for review in history}
        assert set(confirmed) <= recorded
        card = store.scheduler.card("q-1")
        assert card.reps == len(history)  # the cache committed with every answer


def test_errors_raised_inside_the_with_block_become_store_errors(config):
    sentence = "the database is locked by another program."
    with pytest.raises(StoreError) as caught, open_store(config):
        raise DatabaseLocked(sentence)
    assert str(caught.value) == sentence
