"""Proving the bank: run every question's demo and check its claims.

A wrong answer key can never land: ``studyapp verify`` runs in the test suite. Each
question's demo runs once per distinct parameter set; each claim is evaluated on the values
the demo computed just now. Code questions of a trusted bank also run their options: the
correct option must run cleanly and print something (the review screen shows each option's
output, so a silent snippet would show the learner nothing).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from content.claims import evaluate_claim
from content.model import Bank, Kind, Question


@dataclass(frozen=True)
class Failure:
    """One claim (or demo, or snippet) that did not hold, with where it is written."""

    file: str
    line: int
    question: str
    claim: str
    actual: Any
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.question}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "question": self.question,
            "claim": self.claim,
            "actual": self.actual,
            "message": self.message,
        }


@dataclass
class VerifyReport:
    questions: int = 0
    claims: int = 0
    passed: int = 0
    failed: list[Failure] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "questions": self.questions,
            "claims": self.claims,
            "passed": self.passed,
            "failed": [failure.to_json() for failure in self.failed],
            "skipped": self.skipped,
            "problems": self.problems,
            "seconds": round(self.seconds, 3),
        }


def _run_key(question: Question) -> str:
    return json.dumps([question.demo.demo_id, question.demo.params], sort_keys=True)


def verify_questions(
    questions: Iterable[Question],
    *,
    trusted: bool,
    progress: Callable[[int, Question], None] | None = None,
) -> VerifyReport:
    """Run the demos of ``questions`` and check every claim; never raises for a bad question."""
    from engine.demos import ParameterError, UnknownDemoError, get_demo, run

    report = VerifyReport()
    started = time.perf_counter()
    runs: dict[str, dict[str, Any] | Failure] = {}
    for index, question in enumerate(questions):
        if progress:
            progress(index, question)
        report.questions += 1
        report.claims += len(question.demo.claims)
        link = question.demo
        key = _run_key(question)
        if key not in runs:
            try:
                runs[key] = run(get_demo(link.demo_id), link.params).values
            except (UnknownDemoError, ParameterError) as error:
                runs[key] = Failure(question.file, link.line, question.id, "", None, str(error))
            except Exception as error:  # a broken demo must not hide the other questions
                message = f"demo {link.demo_id} raised {type(error).__name__}: {error}"
                runs[key] = Failure(question.file, link.line, question.id, "", None, message)
        outcome = runs[key]
        if isinstance(outcome, Failure):
            report.failed.append(
                Failure(question.file, link.line, question.id, "", None, outcome.message)
            )
            continue
        for claim in link.claims:
            result = evaluate_claim(claim, outcome)
            if result.passed:
                report.passed += 1
            else:
                report.failed.append(
                    Failure(
                        question.file,
                        claim.line or link.line,
                        question.id,
                        claim.text,
                        result.actual,
                        result.message,
                    )
                )
        if question.kind is Kind.CODE:
            _verify_snippet(question, trusted, report)
    report.seconds = time.perf_counter() - started
    return report


def _verify_snippet(question: Question, trusted: bool, report: VerifyReport) -> None:
    from studyapp.snippets import SnippetsNotTrusted, run_options

    try:
        runs = run_options(question, trusted=trusted)
    except SnippetsNotTrusted as reason:
        report.skipped.append(
            {"question": question.id, "file": question.file, "reason": str(reason)}
        )
        return
    except (TimeoutError, RuntimeError) as error:
        report.failed.append(
            Failure(question.file, question.line, question.id, "", None, str(error))
        )
        return
    for option in runs:
        if option.key not in question.correct_keys:
            continue
        if not option.ok:
            claim, actual = f"option {option.key} runs", option.error
            message = f"the correct option {option.key} does not run: {option.error}"
        elif not option.stdout.strip():
            claim, actual = f"option {option.key} prints", ""
            message = (
                f"the correct option {option.key} prints nothing; make the snippet print "
                "what it computes, as the review screen shows each option's output"
            )
        else:
            continue
        report.failed.append(
            Failure(question.file, question.line, question.id, claim, actual, message)
        )


def verify_bank(
    bank: Bank,
    *,
    question_ids: Iterable[str] | None = None,
    progress: Callable[[int, Question], None] | None = None,
) -> VerifyReport:
    """Verify the whole bank (or the questions named), counting parse problems as failures."""
    questions = bank.questions
    if question_ids is not None:
        wanted = set(question_ids)
        questions = [q for q in questions if q.id in wanted]
    report = verify_questions(questions, trusted=bank.trusted, progress=progress)
    report.problems = [str(problem) for problem in bank.problems]
    return report
