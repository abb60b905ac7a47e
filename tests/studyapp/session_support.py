"""Small banks, stores and a settable clock for the session and home-screen tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from studyapp.config import AppConfig
from studyapp.days import local_day_start
from studyapp.store import Store, open_store

# 10:00 local time (the machine's zone, as the store's scheduler counts days in it).
T0 = local_day_start(datetime(2025, 4, 1, 12, tzinfo=UTC)) + timedelta(hours=10)


class Clock:
    """A clock the test moves by hand: ``clock()`` is now, ``clock.advance(minutes=2)``."""

    def __init__(self, now: datetime = T0):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def numeric(qid: str, answer: str = "7") -> str:
    return (
        f"## 問題 {qid}\n\n- id: {qid}\n- kind: numeric\n\n"
        f"出力の高さは？（{qid}）\n\n### 答え\n\n{answer}\n\n### 解説\n\n(6 + 2 - 2) / 1 + 1 = 7\n\n"
        "### デモ\n\n- demo: `conv-output-size H=6 W=6 FH=2 FW=2 pad=1 stride=1`\n"
        "- claim: `out_h == 7`\n"
    )


def text(qid: str) -> str:
    return (
        f"## 問題 {qid}\n\n- id: {qid}\n- kind: text\n\n"
        "重みをすべて 0 で初期化すると何が起こるか。\n\n### 答え\n\n対称性が崩れない。\n\n"
        "### 解説\n\n乱数で初期化して対称性を崩す。\n\n"
        "### デモ\n\n- demo: `zero-init-symmetry init=zero hidden=8 steps=100`\n"
        "- claim: `distinct_hidden_units == 1`\n"
    )


def write_topic(
    root: Path,
    name: str,
    ids: list[str],
    *,
    course: str = "Day2 Section4",
    syllabus: str = "3-4 畳み込みニューラルネットワーク",
    kind: str = "numeric",
) -> Path:
    """One bank file of questions (numeric, or text) with its own course and section."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    make = text if kind == "text" else numeric
    front = f"---\ncourse: {course}\nsyllabus: {syllabus}\nsource: test\n---\n\n"
    path.write_text(front + "\n".join(make(qid) for qid in ids), encoding="utf-8")
    return path


def make_store(tmp_path: Path, bank: Path, **settings) -> Store:
    """A store on a fresh database with ``bank`` synced and ``settings`` applied."""
    config = AppConfig(db=str(tmp_path / "study.db"), bank_dirs=[bank])
    store = open_store(config)
    report = store.last_sync
    assert report is not None and not report.problems, report.problems
    if settings:
        scheduler = store.scheduler
        scheduler.update_settings(scheduler.settings.replace(**settings))
    return store


def answer_all(session, response: str = "7", rating=None, clock: Clock | None = None) -> list[str]:
    """Answer every question of ``session``; returns the ids served, in order."""
    served = []
    while session.current is not None:
        served.append(session.current.question.id)
        session.begin_question()
        session.submit(response)
        session.rate(rating)
        if clock is not None:
            clock.advance(seconds=10)
        assert len(served) < 1000, "the session does not end"
    return served
