"""`studyapp bank check` and `studyapp bank list`: output, exit codes and the bank in use."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from content import BUNDLED_BANK_DIR
from studyapp.cli import main
from studyapp.commands.bank import load_existing_bank
from tests.content.bank_text import CHOICE, SHAPE, line_of


@pytest.fixture
def bank(tmp_path):
    """A two-file bank: one good question, and one file whose only question is broken."""
    (tmp_path / "day2").mkdir()
    (tmp_path / "day2" / "cnn.md").write_text(SHAPE, encoding="utf-8")
    broken = CHOICE.replace("- kind: choice", "- kind: choise")
    (tmp_path / "day2" / "ridge.md").write_text(broken, encoding="utf-8")
    return tmp_path


def test_check_of_the_bundled_bank_finds_no_problem(capsys):
    assert main(["bank", "check"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    summary = captured.err.strip()
    assert summary.endswith("files, 0 problems")
    assert int(summary.split()[0]) >= 10


def test_check_prints_each_problem_and_a_summary_and_fails(bank, capsys):
    assert main(["bank", "check", str(bank)]) == 1
    captured = capsys.readouterr()
    line = line_of(CHOICE, "- kind:")
    assert captured.out == (
        f"{bank.as_posix()}/day2/ridge.md:{line}: unknown kind 'choise' "
        "(did you mean 'choice'? known: choice, multi, numeric, shape, code, text)\n"
    )
    assert captured.err == "1 question in 2 files, 1 problem\n"


def test_check_defaults_to_the_bank_given_with_bank_or_the_environment(bank, capsys, monkeypatch):
    assert main(["bank", "check", "--bank", str(bank)]) == 1
    assert capsys.readouterr().err == "1 question in 2 files, 1 problem\n"
    monkeypatch.setenv("STUDYAPP_BANK", str(bank / "day2" / "cnn.md"))
    assert main(["bank", "check"]) == 0
    assert capsys.readouterr().err == "1 question in 1 file, 0 problems\n"


def test_a_missing_directory_is_a_usage_error(tmp_path, capsys):
    assert main(["bank", "check", str(tmp_path / "nowhere")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err
        == f"studyapp: error: Bank directory '{tmp_path / 'nowhere'}' does not exist.\n"
    )


def test_list_json_is_one_document_with_every_contract_key(capsys):
    assert main(["bank", "list", "--json"]) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert captured.err == ""
    by_id = {entry["id"]: entry for entry in document}
    conv = by_id["conv-output-6x6-pad1-stride1"]
    assert conv["kind"] == "shape"
    assert conv["file"] == "content/bank/day2/cnn.md"
    assert conv["line"] == 10
    assert conv["syllabus"] == ["3-4 畳み込みニューラルネットワーク"]
    assert conv["course"] == "Day2 Section4"
    assert conv["demo"] == {
        "id": "conv-output-size",
        "params": {"H": 6, "W": 6, "FH": 2, "FW": 2, "pad": 1, "stride": 1},
    }
    assert conv["claims"] == ["out_h == 7", "out_w == 7"]
    assert "答え: 7x7" in conv["text"]
    assert "$" not in conv["text"]  # math is shown as Unicode
    assert len(conv["hash"]) == 64
    for entry in document:
        assert {"id", "kind", "file", "line", "syllabus", "course", "demo", "claims", "text",
                "source", "title", "hash", "choices", "answer", "explanation"} <= entry.keys()  # fmt: skip


def test_list_json_gives_choices_with_keys_and_marks(capsys):
    main(["bank", "list", "--json"])
    ridge = {e["id"]: e for e in json.loads(capsys.readouterr().out)}[
        "ridge-large-lambda-shrinks-weights"
    ]
    assert ridge["answer"] == "A"
    assert [choice["key"] for choice in ridge["choices"]] == ["A", "B", "C", "D"]
    assert [choice["correct"] for choice in ridge["choices"]] == [True, False, False, False]


def test_list_prints_a_table_by_default(capsys):
    assert main(["bank", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "kind", "syllabus", "course", "title"]
    row = next(line for line in lines if line.startswith("conv-output-6x6-pad1-stride1 "))
    assert row.split()[1:4] == ["shape", "3-4", "Day2"]
    assert row.endswith("6×6 の入力・2×2 フィルタ・パディング 1 の出力サイズ")


def test_list_of_a_bank_with_problems_lists_the_good_questions_and_warns(bank, capsys):
    assert main(["bank", "list", "--json", "--bank", str(bank)]) == 0
    captured = capsys.readouterr()
    assert [entry["id"] for entry in json.loads(captured.out)] == ["conv-output-6x6"]
    assert captured.err.startswith("studyapp: warning: the bank has 1 problem;")


def test_bank_list_loads_no_numpy_sqlalchemy_or_textual():
    # bank check loads the demo registry (and so NumPy) to validate demo links; list stays light.
    code = (
        "import contextlib, io, sys\n"
        "from studyapp.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    assert main(['bank', 'list', '--json']) == 0\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'sqlalchemy', 'textual'})\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_only_the_bundled_bank_is_trusted_without_trust_bank(bank):
    assert load_existing_bank([BUNDLED_BANK_DIR], trust_bank=False).trusted
    assert not load_existing_bank([bank], trust_bank=False).trusted
    assert load_existing_bank([bank], trust_bank=True).trusted
