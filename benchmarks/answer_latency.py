"""Answer budget: grade an answer, persist it, show the next question ≤ 20 ms median (50k reviews).

Builds a SQLite database in a temporary directory with the bundled bank plus generated
questions (about 300 in all, over every course part) and a year of history: a simulated
learner whose schedule-moving reviews follow FSRS (answered when due, ratings drawn
Again 10 % / Hard 5 % / Good 75 % / Easy 10 %), plus drill answers that do not move the
schedule, up to 50,000 review rows, bulk-inserted; card state is then rebuilt by replay, as an
import does. The learner comes back after a six-week break, so most cards are due.

Then it studies through :class:`studyapp.session.StudySession` (``Study`` here) (review sessions, the clock
moving 8 s per answer, about 85 % answered right) and times, per answer, what the UI waits
for between the key press and the next question: ``submit`` (grade) + ``rate`` (one committed
transaction) + reading ``current`` and ``progress``. Prints one JSON line:

    {"reviews_in_db": 50000, "median_ms": …, "p95_ms": …, "max_ms": …, "budget_ms": 20, …}

    python benchmarks/answer_latency.py [--reviews 50000] [--answers 300] [--seed 1]
                                        [--workdir DIR]  # keep the database, e.g. to profile
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
# Run as a script, this folder comes first on sys.path, and its engine.py or sync.py would
# shadow the project's modules.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from content import BUNDLED_BANK_DIR  # noqa: E402
from content.model import Kind, Question  # noqa: E402
from data.models import Review, StudySession  # noqa: E402
from studyapp.config import AppConfig  # noqa: E402
from studyapp.home import home_summary  # noqa: E402
from studyapp.scheduler import CardState  # noqa: E402
from studyapp.session import StudySession as Study  # noqa: E402
from studyapp.store import open_store  # noqa: E402

BUDGET_MS = 20
START = datetime(2024, 4, 1, 0, 0, tzinfo=UTC)
YEAR = timedelta(days=365)
BREAK = timedelta(days=42)

# (folder, course, syllabus section) for the generated questions: every course part.
TOPICS = [
    ("応用数学", "応用数学 第1章", "1-1 線形代数"),
    ("応用数学", "応用数学 第2章", "1-2 確率・統計"),
    ("応用数学", "応用数学 第3章", "1-3 情報理論"),
    ("機械学習", "機械学習 第1章", "2-1 機械学習の基礎"),
    ("day1", "Day1 Section1", "3-1 順伝播型ネットワーク"),
    ("day2", "Day2 Section1", "3-2 深層モデルのための最適化"),
    ("day2", "Day2 Section3", "3-3 深層モデルのための正則化"),
    ("day2", "Day2 Section4", "3-4 畳み込みニューラルネットワーク"),
    ("day3", "Day3 Section1", "3-5 リカレントニューラルネットワーク"),
    ("day4", "Day4 Section5", "3-6 Transformer"),
    ("day4", "Day4 Section1", "4-1 画像認識"),
    ("day4", "Day4 Section3", "4-4 自然言語処理"),
]


def write_generated_bank(root: Path, total: int) -> None:
    """``total`` numeric questions spread over TOPICS, one file per topic."""
    per_topic = -(-total // len(TOPICS))
    for index, (folder, course, syllabus) in enumerate(TOPICS):
        questions = []
        for number in range(per_topic):
            qid = f"bench-{index:02d}-{number:03d}"
            questions.append(
                f"## 確認テスト {qid}\n\n- id: {qid}\n- kind: numeric\n\n"
                "6×6 の入力に 2×2 のフィルタ、パディング 1、ストライド 1 で出力の高さは？\n\n"
                "### 答え\n\n7\n\n### 解説\n\n(6 + 2 - 2) / 1 + 1 = 7\n\n### デモ\n\n"
                "- demo: `conv-output-size H=6 W=6 FH=2 FW=2 pad=1 stride=1`\n"
                "- claim: `out_h == 7`\n"
            )
        path = root / folder / f"bench-{index:02d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        front = f"---\ncourse: {course}\nsyllabus: {syllabus}\nsource: benchmark\n---\n\n"
        path.write_text(front + "\n".join(questions), encoding="utf-8")


def simulated_history(store, question_ids: list[str], reviews: int, rng: random.Random):
    """Review rows: FSRS-scheduled answers for most questions, then drills up to ``reviews``."""
    replay = store.scheduler.fsrs
    end = START + YEAR
    introduced = question_ids[: int(len(question_ids) * 0.85)]  # the rest stays new
    rows = []
    for position, qid in enumerate(introduced):
        at = START + timedelta(days=300 * position / len(introduced), hours=rng.uniform(8, 22))
        card = CardState(qid)
        while at < end:
            rating = rng.choices((1, 2, 3, 4), weights=(10, 5, 75, 10))[0]
            rows.append(_row(store, qid, rating, at, True))
            card = replay.advance(card, rating, at)
            at = max(card.due, at + timedelta(minutes=1)) + timedelta(hours=rng.uniform(0, 20))
    first_seen = {}
    for row in rows:
        first_seen.setdefault(row["question_id"], row["reviewed_at"])
    while len(rows) < reviews:
        qid = rng.choice(introduced)
        span = (end - first_seen[qid]).total_seconds()
        at = first_seen[qid] + timedelta(seconds=rng.uniform(0, span))
        rows.append(_row(store, qid, rng.choice((1, 3, 3, 3)), at, False))
    rows.sort(key=lambda row: row["reviewed_at"])
    return rows[:reviews] if len(rows) > reviews else rows


def _row(store, qid: str, rating: int, at: datetime, moves: bool) -> dict:
    return {
        "profile_id": store.profile_id,
        "question_id": qid,
        "session_id": None,
        "rating": rating,
        "correct": rating > 1,
        "answer": "7" if rating > 1 else "5",
        "duration_ms": 8000,
        "reviewed_at": at,
        "moves_schedule": moves,
    }


def response_for(question: Question, right: bool) -> str:
    if right or question.kind is Kind.TEXT:
        return question.answer
    if question.kind is Kind.NUMERIC:
        return "-12345"
    if question.kind is Kind.SHAPE:
        return "1x1x1"
    wrong = [choice.key for choice in question.choices if not choice.correct]
    return wrong[0] if wrong else question.answer


def build_database(
    workdir: Path, questions: int, reviews: int, rng: random.Random
) -> tuple[AppConfig, float]:
    """The bank and the database with its history in ``workdir``; returns (config, seconds)."""
    config = AppConfig(db=str(workdir / "study.db"), bank_dirs=[BUNDLED_BANK_DIR])
    with open_store(config) as store:
        bundled = len(store.bank().questions)
    generated = workdir / "bank"
    write_generated_bank(generated, max(0, questions - bundled))
    config.bank_dirs = [BUNDLED_BANK_DIR, generated]
    started = time.perf_counter()
    with open_store(config) as store:
        ids = [question.id for question in store.bank().questions]
        rng.shuffle(ids)
        rows = simulated_history(store, ids, reviews, rng)
        with store.database.write() as session:
            session.execute(insert(Review), rows)
        store.scheduler.rebuild_cards()
        scheduler = store.scheduler
        scheduler.update_settings(scheduler.settings.replace(reviews_per_day=9999))
    return config, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=50_000)
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--questions", type=int, default=300, help="bank size, bundled included")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", help="build the bank and database here and keep them")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(args.workdir or scratch)
        config, setup_s = build_database(workdir, args.questions, args.reviews, rng)
        with open_store(config) as store:
            with store.database.read() as session:
                in_db = session.scalar(select(func.count()).select_from(Review))
            ids = [question.id for question in store.bank().questions]
            now = [START + YEAR + BREAK]

            def clock() -> datetime:
                return now[0]

            home_times = []
            for _ in range(7):
                started = time.perf_counter()
                home_summary(store, now[0])
                home_times.append((time.perf_counter() - started) * 1000)

            times: list[float] = []
            sessions = 0
            due_at_start = home_summary(store, now[0]).due_now
            while len(times) < args.answers:
                session = Study.review(store, clock=clock)
                sessions += 1
                if session.current is None:
                    now[0] += timedelta(days=1)
                    continue
                while session.current is not None and len(times) < args.answers:
                    item = session.current
                    session.begin_question()
                    now[0] += timedelta(seconds=8)
                    right = rng.random() < 0.85
                    response = response_for(item.question, right)
                    rating = None if item.question.kind is not Kind.TEXT else (3 if right else 1)
                    started = time.perf_counter()
                    session.submit(response)
                    session.rate(rating)
                    _ = session.current, session.progress
                    times.append((time.perf_counter() - started) * 1000)
                session.finish()
            with store.database.read() as session:
                answered_sessions = session.scalar(select(func.count()).select_from(StudySession))

    times.sort()
    print(
        json.dumps(
            {
                "reviews_in_db": in_db,
                "median_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
                "max_ms": round(times[-1], 2),
                "budget_ms": BUDGET_MS,
                "answers": len(times),
                "questions": len(ids),
                "due_at_start": due_at_start,
                "sessions": answered_sessions,
                "home_summary_ms": round(statistics.median(home_times), 2),
                "setup_s": round(setup_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
