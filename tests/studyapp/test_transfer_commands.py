"""``studyapp export FILE`` and ``studyapp import FILE``, with '-' for standard output and input."""

from __future__ import annotations

import io
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
def setup(tmp_path):
    bank = write_bank(tmp_path / "bank", {"a.md": ["q-1", "q-2"]})
    db = tmp_path / "study.db"
    with open_store(AppConfig(db=str(db), bank_dirs=[bank])) as store:
        store.scheduler.record_answer("q-1", 3, answer="7")
        store.scheduler.record_answer("q-2", 1, answer="6")
    return ["--db", str(db), "--bank", str(bank)], tmp_path


def test_export_to_a_file_then_import_into_another_database(setup, capsys):
    options, tmp_path = setup
    backup = tmp_path / "backup.json"
    assert main(["export", str(backup), *options]) == 0
    assert "exported 1 profiles, 0 sessions and 2 reviews to" in capsys.readouterr().out
    document = json.loads(backup.read_text(encoding="utf-8"))
    assert [review["question"] for review in document["reviews"]] == ["q-1", "q-2"]

    other = ["--db", str(tmp_path / "other.db"), *options[2:]]
    assert main(["import", str(backup), *other]) == 0
    assert capsys.readouterr().out == (
        f"imported {backup}: 1 profiles, 0 new sessions, 2 new reviews (0 already present), "
        "0 settings; card state rebuilt from the log\n"
    )
    assert main(["import", str(backup), *other]) == 0
    assert "0 new reviews (2 already present)" in capsys.readouterr().out
    assert main(["stats", "--json", *other]) == 0
    assert json.loads(capsys.readouterr().out)["cards"] == 2


def test_dash_means_standard_output_and_standard_input(setup):
    options, tmp_path = setup
    exported = subprocess.run(
        [sys.executable, "-m", "studyapp", "export", "-", *options],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["format"] == "studyapp-export"
    assert "to standard output" in exported.stderr
    imported = subprocess.run(
        [sys.executable, "-m", "studyapp", "import", "-", "--db", str(tmp_path / "o.db"), *options[2:]],
        input=exported.stdout, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("imported standard input: 1 profiles")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "{not json",
            "is not JSON (line 1, column 2: Expecting property name enclosed in double quotes).",
        ),
        (
            '{"format": "studyapp-export", "version": 1, "profiles": [{"name": "a"}], '
            '"reviews": [{"profile": "a", "question": "q", "rating": 5, "reviewed_at": "2025-01-01T00:00:00Z"}]}',
            "is not a valid studyapp export: reviews[0].rating: 5 is not a rating (1–4).",
        ),
    ],
)
def test_a_bad_file_fails_with_one_sentence_and_exit_code_1(setup, capsys, content, message):
    options, tmp_path = setup
    backup = tmp_path / "bad.json"
    backup.write_text(content, encoding="utf-8")
    assert main(["import", str(backup), *options]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"studyapp: error: {backup} {message}\n"


def test_a_missing_file_and_an_unwritable_target_are_one_sentence(setup, capsys):
    options, tmp_path = setup
    assert main(["import", str(tmp_path / "nope.json"), *options]) == 1
    assert capsys.readouterr().err == (
        f"studyapp: error: cannot read {tmp_path / 'nope.json'} (no such file or directory).\n"
    )
    target = tmp_path / "no-dir" / "backup.json"
    assert main(["export", str(target), *options]) == 1
    assert capsys.readouterr().err == (
        f"studyapp: error: cannot write {target} (no such file or directory).\n"
    )


def test_a_failed_export_keeps_the_previous_backup(setup, monkeypatch, capsys):
    options, tmp_path = setup
    backup = tmp_path / "backup.json"
    backup.write_text("the previous backup", encoding="utf-8")

    def fail(document, stream):
        stream.write("{ half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("studyapp.commands.transfer.write_document", fail)
    assert main(["export", str(backup), *options]) == 1
    assert "cannot write" in capsys.readouterr().err
    assert backup.read_text(encoding="utf-8") == "the previous backup"
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".backup")] == []


def test_stdin_that_is_not_utf8_is_named(setup, monkeypatch, capsys):
    options, _ = setup
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe{"), encoding="utf-8"))
    assert main(["import", "-", *options]) == 1
    assert capsys.readouterr().err == (
        "studyapp: error: standard input is not UTF-8 text; give a studyapp export (JSON).\n"
    )


def test_the_documented_example_imports(tmp_path, capsys):
    doc = (ROOT / "docs" / "export-format.md").read_text(encoding="utf-8")
    example = doc.split("```json\n", 1)[1].split("```", 1)[0]
    backup = tmp_path / "example.json"
    backup.write_text(example, encoding="utf-8")
    bank = write_bank(tmp_path / "bank", {"a.md": ["conv-output-6x6-pad1"]})
    options = ["--db", str(tmp_path / "e.db"), "--bank", str(bank)]
    assert main(["import", str(backup), *options]) == 0
    assert "1 new sessions, 2 new reviews" in capsys.readouterr().out
    assert main(["stats", "--json", *options]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["reviews"], stats["cards"]) == (2, 1)  # the other question is not in this bank
