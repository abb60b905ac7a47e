"""``studyapp bank check`` and ``studyapp bank list``: validate and list the question bank.

Both read the bank in use (``--bank`` / ``STUDYAPP_BANK`` / the bundled bank) unless
``bank check`` is given directories. They load no NumPy, SQLAlchemy or Textual.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from content import BUNDLED_BANK_DIR
from content.model import Bank, Problem, Question
from content.parser import load_bank
from content.syllabus import section_code
from studyapp.config import AppConfig
from studyapp.demo_links import demo_link_problems
from studyapp.errors import UsageError

# Checks that need more than the bank format, each taking the parsed bank and returning its
# problems; `bank check` runs every entry.
BANK_CHECKS: tuple[Callable[[Bank], list[Problem]], ...] = (demo_link_problems,)


def load_existing_bank(dirs: Sequence[Path], trust_bank: bool) -> Bank:
    """The bank in ``dirs``; a directory that does not exist is a usage error.

    Code snippets are trusted for the bundled bank, and for any other only with
    ``--trust-bank``.
    """
    for directory in dirs:
        if not directory.exists():
            raise UsageError(f"Bank directory '{directory}' does not exist.")
    bundled = bool(dirs) and all(d.resolve() == BUNDLED_BANK_DIR for d in dirs)
    return load_bank(dirs, trusted=bundled or trust_bank)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def check(args: argparse.Namespace, config: AppConfig) -> int:
    dirs = [Path(directory) for directory in args.dirs] or config.bank_dirs
    bank = load_existing_bank(dirs, config.trust_bank)
    problems = [*bank.problems, *(p for extra in BANK_CHECKS for p in extra(bank))]
    for problem in problems:
        print(problem)
    print(
        f"{_plural(len(bank.questions), 'question')} in {_plural(len(bank.files), 'file')}, "
        f"{_plural(len(problems), 'problem')}",
        file=sys.stderr,
    )
    return 1 if problems else 0


def list_questions(args: argparse.Namespace, config: AppConfig) -> int:
    bank = load_existing_bank(config.bank_dirs, config.trust_bank)
    if bank.problems:
        print(
            f"studyapp: warning: the bank has {_plural(len(bank.problems), 'problem')}; "
            "questions with problems are left out (see 'studyapp bank check').",
            file=sys.stderr,
        )
    if args.json:
        from content.plaintext import question_text

        document = [
            _question_json(question, question_text(question)) for question in bank.questions
        ]
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    rows = [("id", "kind", "syllabus", "course", "title")]
    rows.extend(
        (
            question.id,
            str(question.kind),
            ",".join(section_code(tag) for tag in question.syllabus),
            question.course,
            question.title,
        )
        for question in bank.questions
    )
    widths = [max(_width(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [
            cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=False)
        ]
        print("  ".join([*cells, row[-1]]))
    return 0


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _question_json(question: Question, text: str) -> dict[str, Any]:
    return {
        "id": question.id,
        "kind": str(question.kind),
        "title": question.title,
        "file": question.file,
        "line": question.line,
        "syllabus": list(question.syllabus),
        "course": question.course,
        "source": question.source,
        "demo": {"id": question.demo.demo_id, "params": question.demo.params},
        "claims": [claim.text for claim in question.demo.claims],
        "text": text,
        "hash": question.content_hash,
        "body": question.body,
        "choices": [
            {"key": choice.key, "text": choice.text, "correct": choice.correct}
            for choice in question.choices
        ],
        "answer": question.answer,
        "tolerance": question.tolerance,
        "unit": question.unit,
        "explanation": question.explanation,
    }
