"""Report budget: ``studyapp report`` on 100k reviews ≤ 1 s.

Simulates one learner studying the bank in use (the bundled bank unless ``--bank``) for a
year, in the way the app would record it: review sessions most days (new questions up to 20
a day, learning steps, reviews as they fall due with growing intervals, lapses and
relearning), topped up with topic drills whose answers do not move the schedule, until the
log holds ``--reviews`` answers; a 100-question mock exam a month over the last quarter, and
an exam date two months ahead, so that the report computes exam readiness (one FSRS
retrievability more per studied card). The log is written as an export document and loaded with
``studyapp import`` (which rebuilds every card by replay), then measures, each in a fresh
``studyapp`` process as a learner runs it (the median of ``--repeats`` runs):

- ``report_s``: ``studyapp report --format json``, the budgeted figure (wall time);
- ``format_s``: the same for every format (text, markdown, html, json);
- ``report_cpu_s``, ``format_cpu_s``: their CPU time (user + system), which other work on a
  shared machine inflates far less than wall time;
- ``startup_s``, ``startup_cpu_s``: ``studyapp stats --json`` on the same database, for
  comparison: the same start-up (imports, opening the database, syncing the bank) with
  light queries;
- ``build_s``: building the report model alone, in this process (median), for telling the
  queries' share from start-up and formatting.

Prints one JSON line.

    python benchmarks/report.py [--reviews 100000] [--days 365] [--bank DIR] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from content import BUNDLED_BANK_DIR
from content.parser import load_bank

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 1.0
FORMATS = ("text", "markdown", "html", "json")
NEW_PER_DAY = 20
REVIEWS_PER_DAY = 200
MOCK_EXAM_DAYS_AGO = (90, 60, 30)
MOCK_EXAM_QUESTIONS = 100
EXAM_IN_DAYS = 60


@dataclass
class _SimulatedCard:
    interval_days: float
    due: datetime
    ease: float  # how fast this learner's intervals grow for this question


class _LogWriter:
    """Sessions and answers in export-document form, each answer after the previous one."""

    def __init__(self, rng: random.Random, kinds: dict[str, str]):
        self.rng = rng
        self.kinds = kinds
        self.sessions: list[dict[str, Any]] = []
        self.reviews: list[dict[str, Any]] = []
        self.clock = datetime.min.replace(tzinfo=UTC)

    def start_session(self, kind: str, at: datetime) -> None:
        self.clock = max(self.clock, at)
        self.sessions.append(
            {
                "id": len(self.sessions) + 1,
                "profile": "default",
                "kind": kind,
                "started_at": _iso(self.clock),
                "ended_at": None,
                "details": {},
            }
        )

    def end_session(self, details: dict[str, Any] | None = None) -> None:
        self.sessions[-1]["ended_at"] = _iso(self.clock)
        self.sessions[-1]["details"].update(details or {})

    def answer(self, question_id: str, rating: int, *, moves_schedule: bool = True) -> datetime:
        duration_ms = int(self.rng.lognormvariate(9.6, 0.6))  # about 15 s, sometimes a minute
        self.clock += timedelta(milliseconds=duration_ms + self.rng.randint(500, 3000))
        self_graded = self.kinds[question_id] == "text"
        self.reviews.append(
            {
                "profile": "default",
                "question": question_id,
                "session": self.sessions[-1]["id"],
                "rating": rating,
                "correct": None if self_graded else rating > 1,
                "answer": None,
                "duration_ms": duration_ms,
                "reviewed_at": _iso(self.clock),
                "moves_schedule": moves_schedule,
            }
        )
        return self.clock


def simulate_log(
    kinds: dict[str, str], *, reviews: int, days: int, end: datetime, seed: int
) -> dict[str, Any]:
    """An export document: one profile studying ``kinds`` (question id → kind) for ``days``."""
    rng = random.Random(seed)
    log = _LogWriter(rng, kinds)
    question_ids = list(kinds)
    unseen = list(kinds)
    cards: dict[str, _SimulatedCard] = {}
    study_days = [day for day in range(days) if rng.random() < 0.88]  # a day off now and then
    quota = reviews / len(study_days)
    start = end - timedelta(days=days)
    for index, day in enumerate(study_days):
        evening = start + timedelta(days=day, hours=rng.uniform(10, 14))  # 19–23 h in Japan
        log.start_session("review", evening)
        due = sorted((c.due, qid) for qid, c in cards.items() if c.due <= evening)
        for _, question_id in due[:REVIEWS_PER_DAY]:
            _review(log, rng, question_id, cards[question_id])
        for question_id in unseen[:NEW_PER_DAY]:
            cards[question_id] = _learn(log, rng, question_id)
        del unseen[:NEW_PER_DAY]
        log.end_session()
        if days - day in MOCK_EXAM_DAYS_AGO:
            _mock_exam(log, rng, question_ids, log.clock + timedelta(minutes=30))
        drill_answers = round(quota * (index + 1)) - len(log.reviews)
        if drill_answers > 0 and len(log.reviews) < reviews:
            log.start_session("drill", log.clock + timedelta(minutes=rng.uniform(5, 60)))
            for _ in range(min(drill_answers, reviews - len(log.reviews))):
                question_id = rng.choice(question_ids)
                log.answer(question_id, 1 if rng.random() < 0.2 else 3, moves_schedule=False)
            log.end_session()
    del log.reviews[reviews:]
    return {
        "format": "studyapp-export",
        "version": 1,
        "profiles": [
            {
                "name": "default",
                "settings": {"exam_date": (end + timedelta(days=EXAM_IN_DAYS)).date().isoformat()},
                "suspended": [],
            }
        ],
        "sessions": log.sessions,
        "reviews": log.reviews,
    }


def _mock_exam(log: _LogWriter, rng: random.Random, question_ids: list[str], at: datetime) -> None:
    """A finished mock exam that leaves the schedule alone, recorded as studyapp.mock_exam
    records one (the score per section is made up: the report only reads it)."""
    log.start_session("exam", at)
    questions = rng.sample(question_ids, min(MOCK_EXAM_QUESTIONS, len(question_ids)))
    correct = 0
    for question_id in questions:
        right = rng.random() < 0.7
        correct += right
        log.answer(question_id, 3 if right else 1, moves_schedule=False)
    log.end_session(
        {
            "questions": questions,
            "minutes": 1.2 * len(questions),
            "score": correct,
            "total": len(questions),
            "sections": {"3-4 畳み込みニューラルネットワーク": [correct, len(questions)]},
            "counted_as_reviews": False,
        }
    )


def _learn(log: _LogWriter, rng: random.Random, question_id: str) -> _SimulatedCard:
    """A new question through the learning steps (1 min, 10 min) to a one-day interval."""
    if rng.random() < 0.3:
        log.answer(question_id, 1)
    log.clock += timedelta(minutes=1)
    log.answer(question_id, 3)
    log.clock += timedelta(minutes=10)
    at = log.answer(question_id, 3)
    return _SimulatedCard(1.0, at + timedelta(days=1), rng.uniform(1.8, 3.2))


def _review(log: _LogWriter, rng: random.Random, question_id: str, card: _SimulatedCard) -> None:
    """One review: recall falls with lateness; a lapse relearns at once and shrinks the interval."""
    late_days = (log.clock - card.due).total_seconds() / 86400
    recalled = rng.random() < 0.9 ** (1 + late_days / card.interval_days)
    if recalled:
        rating = rng.choices((2, 3, 4), weights=(1, 8, 1))[0]
        log.answer(question_id, rating)
        card.interval_days *= {2: 1.2, 3: card.ease, 4: card.ease * 1.3}[rating]
    else:
        log.answer(question_id, 1)
        log.clock += timedelta(minutes=10)
        log.answer(question_id, 3)
        card.interval_days = max(1.0, card.interval_days * 0.3)
    card.due = log.clock + timedelta(days=card.interval_days)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class Timing(NamedTuple):
    wall_s: float
    cpu_s: float  # user + system time of the process: less sensitive to a busy machine


def _run_studyapp(*arguments: str, env: dict[str, str]) -> Timing:
    """Run one ``studyapp`` command in a fresh process and time it."""
    cpu_before = _children_cpu_s()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "studyapp", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"studyapp {' '.join(arguments)} failed: {result.stderr.strip()}")
    return Timing(elapsed, _children_cpu_s() - cpu_before)


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _median(runs: list[Timing]) -> Timing:
    return Timing(
        round(statistics.median(run.wall_s for run in runs), 3),
        round(statistics.median(run.cpu_s for run in runs), 3),
    )


def _build_seconds(db: Path, banks: list[Path], repeats: int) -> float:
    from studyapp.config import AppConfig
    from studyapp.reports.build import build_report
    from studyapp.store import open_store

    with open_store(AppConfig(db=str(db), bank_dirs=banks), sync=False) as store:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            build_report(store.scheduler, store.profile)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--bank", type=Path, action="append", help="bank directory (repeatable)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    banks = args.bank or [BUNDLED_BANK_DIR]
    questions = load_bank(banks).questions
    if not questions:
        raise SystemExit("the bank has no questions to study")
    kinds = {question.id: str(question.kind) for question in questions}
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    document = simulate_log(kinds, reviews=args.reviews, days=args.days, end=end, seed=args.seed)

    with tempfile.TemporaryDirectory(prefix="studyapp-report-bench-") as directory:
        export = Path(directory) / "log.json"
        export.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        db = Path(directory) / "study.db"
        env = {**os.environ, "STUDYAPP_DB": str(db)}
        env.pop("STUDYAPP_BANK", None)
        bank_options = [option for bank in banks for option in ("--bank", str(bank))]
        import_s = _run_studyapp("import", str(export), *bank_options, env=env).wall_s
        formats = {
            name: _median(
                [
                    _run_studyapp("report", "--format", name, *bank_options, env=env)
                    for _ in range(args.repeats)
                ]
            )
            for name in FORMATS
        }
        startup = _median(
            [_run_studyapp("stats", "--json", *bank_options, env=env) for _ in range(args.repeats)]
        )
        build_s = _build_seconds(db, banks, args.repeats)
    print(
        json.dumps(
            {
                "reviews": len(document["reviews"]),
                "questions": len(kinds),
                "days": args.days,
                "report_s": formats["json"].wall_s,
                "format_s": {name: timing.wall_s for name, timing in formats.items()},
                "report_cpu_s": formats["json"].cpu_s,
                "format_cpu_s": {name: timing.cpu_s for name, timing in formats.items()},
                "startup_s": startup.wall_s,
                "startup_cpu_s": startup.cpu_s,
                "build_s": round(build_s, 3),
                "import_s": round(import_s, 3),
                "budget_s": BUDGET_S,
            }
        )
    )


if __name__ == "__main__":
    main()
