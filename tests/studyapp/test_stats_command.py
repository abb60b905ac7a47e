"""``studyapp stats``: one JSON document with --json, a short summary otherwise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from studyapp.cli import main
from studyapp.config import AppConfig
from studyapp.store import open_store
from tests.data.bank_files import write_bank

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bank(tmp_path):
    return write_bank(tmp_path / "bank", {"a.md": ["q-1", "q-2"], "b.md": ["q-3", "q-2"]})


def test_json_prints_one_document_with_the_contract_keys(bank, tmp_path):
    db = tmp_path / "study.db"
    with open_store(AppConfig(db=str(db), bank_dirs=[bank])) as store:
        store.scheduler.record_answer("q-1", 3)
    result = subprocess.run(
        [sys.executable, "-m", "studyapp", "stats", "--json", "--db", str(db), "--bank", str(bank)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert result.stdout.count("\n") == 1
    assert {"questions", "cards", "reviews", "due_now", "retired"} <= document.keys()
    assert document["profile"] == "default"
    # q-2 is defined twice: both copies are left out and reported.
    assert (document["questions"], document["new"], document["cards"]) == (2, 1, 1)
    assert (document["reviews"], document["due_now"], document["retired"]) == (1, 0, 0)
    assert document["bank_problems"] == 2
    assert document["bank_trusted"] is False
    assert document["today"] == {"new": 1, "reviews": 0}


def test_text_mode_prints_a_short_summary(bank, tmp_path, capsys):
    assert (
        main(["stats", "--db", str(tmp_path / "s.db"), "--bank", str(bank), "--profile", "ken"])
        == 0
    )
    out = capsys.readouterr().out
    assert "profile    ken" in out
    assert "questions  2 in the bank, 0 retired" in out
    assert "bank       2 problems (see 'studyapp bank check')" in out


def test_a_corrupt_database_fails_with_one_sentence_and_exit_code_1(bank, tmp_path, capsys):
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_text("not a database " * 100)
    assert main(["stats", "--json", "--db", str(corrupt), "--bank", str(bank)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"studyapp: error: {corrupt} is not a studyapp database (file is corrupt or not SQLite); "
        "move it aside or choose another with --db.\n"
    )
