"""``studyapp report``: formats on stdout, ``--output``, ``--profile``, ``--lang``, errors."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from studyapp.cli import main
from tests.studyapp.reports.synthetic import synthetic_store

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def options(tmp_path):
    with synthetic_store(tmp_path):
        pass
    return ["--db", str(tmp_path / "study.db"), "--bank", str(tmp_path / "bank")]


def test_json_is_one_document_on_stdout_and_nothing_else(options):
    result = subprocess.run(
        [sys.executable, "-m", "studyapp", "report", "--format", "json", *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["format"] == "studyapp-report" and document["version"] == 1
    assert document["profile"] == "default" and document["empty"] is False
    assert [section["key"] for section in document["sections"]][:3] == ["1-1", "1-2", "1-3"]
    assert len(document["sections"]) == 24 and len(document["course_parts"]) == 6
    assert result.stderr == ""


def test_text_to_a_pipe_is_plain(options, capsys):
    assert main(["report", *options]) == 0
    out = capsys.readouterr().out
    assert out.startswith("進捗レポート: default")
    assert "\x1b" not in out


def test_output_writes_the_file_and_says_where_on_stderr(options, tmp_path, capsys):
    target = tmp_path / "report.html"
    assert main(["report", "--format", "html", "--output", str(target), *options]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"レポートを {target} に書き出しました。\n"
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")] == []


def test_an_unwritable_output_is_one_sentence_and_exit_code_1(options, tmp_path, capsys):
    target = tmp_path / "missing" / "report.md"
    assert main(["report", "--format", "markdown", "--output", str(target), *options]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"studyapp: error: cannot write {target} (")
    assert err.count("\n") == 1


def test_another_profile_without_answers_gets_the_friendly_report(options, capsys):
    assert main(["report", "--profile", "newcomer", "--lang", "en", *options]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Study report: newcomer")
    assert "Run `studyapp` and press `r` to start today's review." in out
