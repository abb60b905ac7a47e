"""Every format, on the fixed synthetic log and on an empty profile, against golden files.

The golden files are tests/studyapp/reports/golden/*. After an intended change to the
report, regenerate them and review the diff::

    STUDYAPP_UPDATE_GOLDEN=1 pytest tests/studyapp/reports/test_golden.py
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from studyapp.reports import FORMATS, render
from studyapp.reports.build import build_report
from tests.studyapp.reports.synthetic import NOW, scheduler_for, synthetic_store

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("STUDYAPP_UPDATE_GOLDEN") == "1"
SUFFIXES = {"text": "txt", "markdown": "md", "html": "html", "json": "json"}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The report of the synthetic log, and of a profile without answers, at NOW."""
    built = {}
    for name, answers in (("report", True), ("empty", False)):
        with synthetic_store(tmp_path_factory.mktemp(name), answers=answers) as store:
            built[name] = build_report(scheduler_for(store), store.profile, now=NOW)
    return built


def check_golden(name: str, output: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(output, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run with STUDYAPP_UPDATE_GOLDEN=1 to create it"
    assert output == path.read_text(encoding="utf-8"), (
        f"{name} differs from its golden file; if the change is intended, regenerate with "
        "STUDYAPP_UPDATE_GOLDEN=1 and review the diff"
    )


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("which", ["report", "empty"])
def test_every_format_matches_its_golden_file(reports, which, format):
    check_golden(f"{which}.{SUFFIXES[format]}", render(reports[which], format))


def test_the_empty_report_says_how_to_start_in_every_format(reports):
    for format in ("text", "markdown", "html"):
        output = render(reports["empty"], format)
        assert "studyapp" in output and "`r`" in output.replace("<code>", "`").replace(
            "</code>", "`"
        )
        assert "まだ回答がありません" in output
    document = json.loads(render(reports["empty"], "json"))
    assert document["empty"] is True
    assert document["overall"]["questions"] == 7
    assert document["overall"]["seen"] == 0


def test_text_fits_100_columns_and_has_no_escape_codes(reports):
    from rich.cells import cell_len

    output = render(reports["report"], "text")
    assert max(cell_len(line) for line in output.splitlines()) <= 100
    assert "\x1b" not in output


def test_styled_text_for_a_terminal_keeps_the_same_words(reports):
    styled = render(reports["report"], "text", color=True)
    assert "\x1b[" in styled
    words = [line.rstrip() for line in re.sub(r"\x1b\[[0-9;]*m", "", styled).splitlines()]
    assert words == render(reports["report"], "text").splitlines()


def test_html_is_self_contained(reports):
    page = render(reports["report"], "html")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "https://" not in page
    assert page.count("<svg") == 5  # sections, course parts, mock exams, forecast, activity
    assert "@media print" in page


def test_markdown_tables_keep_their_columns_when_a_title_has_a_pipe(reports):
    markdown = render(reports["report"], "markdown")
    assert "リッジ回帰 \\| 正則化の効果を説明せよ" in markdown
    for table in markdown.split("\n\n"):
        rows = [line for line in table.splitlines() if line.startswith("|")]
        if rows:
            widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
            assert len(widths) == 1, table


def test_a_profile_name_is_shown_as_written_in_html_and_markdown(tmp_path):
    with synthetic_store(tmp_path, profile="<b>ken & co</b>") as store:
        report = build_report(scheduler_for(store), store.profile, now=NOW)
    page = render(report, "html")
    assert "&lt;b&gt;ken &amp; co&lt;/b&gt;" in page and "<b>ken" not in page
    assert render(report, "markdown").startswith("# 進捗レポート: \\<b\\>ken & co\\</b\\>\n")
