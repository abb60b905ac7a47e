"""A killed process keeps every answer given: rate() commits before it returns."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import select

from data.models import Card, Review
from studyapp.config import AppConfig
from studyapp.store import open_store
from tests.studyapp.session_support import write_topic

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from studyapp.config import AppConfig
    from studyapp.session import StudySession
    from studyapp.store import open_store

    store = open_store(AppConfig(db=sys.argv[1], bank_dirs=[Path(sys.argv[2])]))
    session = StudySession.review(store)
    for number in range(3):
        session.begin_question()
        session.submit("7" if number != 1 else "0")
        session.rate()
        print("answered", number + 1, flush=True)
    session.begin_question()
    session.submit("7")  # graded, never rated: not an answer yet
    print("waiting", flush=True)
    time.sleep(60)
    """
)


def test_answers_survive_a_killed_process(tmp_path):
    bank = tmp_path / "bank"
    write_topic(bank, "day2/cnn.md", ["q-1", "q-2", "q-3", "q-4"])
    db = str(tmp_path / "study.db")
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, db, str(bank)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        lines = [process.stdout.readline().strip() for _ in range(4)]
        assert lines == ["answered 1", "answered 2", "answered 3", "waiting"], (
            lines,
            process.stderr.read() if process.poll() is not None else "",
        )
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    with open_store(AppConfig(db=db, bank_dirs=[bank]), sync=False) as store:
        with store.database.read() as session:
            reviews = session.execute(
                select(Review.question_id, Review.rating, Review.correct).order_by(Review.id)
            ).all()
            cards = set(session.scalars(select(Card.question_id)))
        assert [tuple(row) for row in reviews] == [
            ("q-1", 3, True),
            ("q-2", 1, False),
            ("q-3", 3, True),
        ]
        assert cards == {"q-1", "q-2", "q-3"}
        assert store.scheduler.card("q-2").reps == 1
