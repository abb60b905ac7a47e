"""The command-line frame: help, version, one-sentence usage errors with exit code 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from studyapp import __version__
from studyapp.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "studyapp", *args], capture_output=True, text=True, timeout=60
    )


def test_version_prints_the_package_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"studyapp {__version__}"


def test_help_lists_every_contract_command():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("bank", "stats", "demo", "verify", "report", "export", "import", "exam"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["frobnicate"], "Unknown command 'frobnicate'"),
        (["bank", "frob"], "Unknown studyapp bank action 'frob'"),
        (["demo", "run"], "required: ID"),
        (["report", "--format", "pdf"], "invalid choice: 'pdf'"),
        (["stats", "--bogus"], "Unrecognized arguments: --bogus"),
    ],
)
def test_usage_errors_are_one_sentence_with_exit_code_2(capsys, args, fragment):
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("studyapp: error: ")
    assert fragment in lines[0]


def test_shared_options_work_before_and_after_the_command():
    from studyapp.cli import build_parser

    parser = build_parser()
    before = parser.parse_args(["--db", "a.db", "stats"])
    after = parser.parse_args(["stats", "--db", "b.db"])
    assert before.db == "a.db"
    assert after.db == "b.db"
