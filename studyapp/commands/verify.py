"""``studyapp verify``: run every question's demo and check its claims; exit 1 on any failure."""

from __future__ import annotations

import argparse
import json
import sys

from studyapp.commands.bank import load_existing_bank
from studyapp.config import AppConfig
from studyapp.errors import UsageError
from studyapp.verify import verify_bank


def verify(args: argparse.Namespace, config: AppConfig) -> int:
    bank = load_existing_bank(config.bank_dirs, config.trust_bank)
    if args.question_ids:
        unknown = sorted(set(args.question_ids) - {q.id for q in bank.questions})
        if unknown:
            raise UsageError(f"The bank has no question {', '.join(unknown)}")

    def progress(index: int, question) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r{index + 1} {question.id:<60}", end="", file=sys.stderr, flush=True)

    report = verify_bank(bank, question_ids=args.question_ids, progress=progress)
    if not args.json and sys.stderr.isatty():
        print("\r" + " " * 70 + "\r", end="", file=sys.stderr)
    if args.json:
        json.dump(report.to_json(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0 if report.ok else 1
    for problem in report.problems:
        print(problem)
    for failure in report.failed:
        print(failure)
    for skipped in report.skipped:
        print(
            f"{skipped['file']}: {skipped['question']}: skipped: {skipped['reason']}",
            file=sys.stderr,
        )
    print(
        f"{report.questions} questions, {report.claims} claims: {report.passed} passed, "
        f"{len(report.failed)} failed, {len(report.problems)} bank problems, "
        f"{len(report.skipped)} snippets skipped ({report.seconds:.1f} s)",
        file=sys.stderr,
    )
    return 0 if report.ok else 1
