"""A small bank and a fixed review log with a fixed clock, for the report tests.

The log covers every case the report distinguishes: learning steps and reviews on later
days, lapses and relearning, a leech that was suspended, self-graded free-text answers,
drill answers that do not move the schedule (on a question never studied otherwise), a
question never answered, answers to a question that left the bank, half a year of
scattered drills for the activity calendar, and two mock exams: one that left the schedule
alone and one counted as reviews.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from studyapp.config import AppConfig
from studyapp.scheduler import StudyScheduler
from studyapp.store import Store, open_store

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)  # Sunday 21:00 in Tokyo
TOKYO = ZoneInfo("Asia/Tokyo")
EXAM_DATE = date(2025, 7, 26)
LEECH_THRESHOLD = 3

_DEMO = (
    "### デモ\n\n- demo: `conv-output-size H=6 W=6 FH=2 FW=2 pad=1 stride=1`\n"
    "- claim: `out_h == 7`\n"
)


def _question(qid: str, kind: str, title: str, syllabus: str = "") -> str:
    fields = f"- id: {qid}\n- kind: {kind}\n" + (f"- syllabus: {syllabus}\n" if syllabus else "")
    if kind == "choice":
        body = "正しいものを選べ。\n\n- [x] 7×7\n- [ ] 6×6\n\n"
    else:
        answer = {"numeric": "7", "shape": "7x7", "text": "出力は 7×7 になる。"}[kind]
        body = f"出力の高さを答えよ。\n\n### 答え\n\n{answer}\n\n"
    return f"## {title}\n\n{fields}\n{body}### 解説\n\n(6 + 2 - 2) / 1 + 1 = 7\n\n{_DEMO}\n"


_BANK = {
    "day1/forward.md": (
        "course: Day1 Section3\nsyllabus: 3-1 順伝播型ネットワーク",
        [
            ("sigmoid-max", "numeric", "シグモイドの導関数の最大値", ""),
            ("softmax-choice", "choice", "ソフトマックスの性質", ""),
        ],
    ),
    "day2/cnn.md": (
        "course: Day2 Section4\nsyllabus: 3-4 畳み込みニューラルネットワーク",
        [
            ("conv-shape", "shape", "畳み込みの出力サイズ", ""),
            (
                "im2col-numeric",
                "numeric",
                "im2col の行数",
                "3-4 畳み込みニューラルネットワーク; 3-2 深層モデルのための最適化",
            ),
            (
                "dropout-choice",
                "choice",
                "ドロップアウトの推論時の扱い",
                "3-3 深層モデルのための正則化",
            ),
        ],
    ),
    "機械学習/ridge.md": (
        "course: 機械学習 非線形回帰モデル\nsyllabus: 3-3 深層モデルのための正則化; 2-1 機械学習の基礎",
        [("ridge-text", "text", "リッジ回帰 | 正則化の効果を説明せよ", "")],
    ),
    "応用数学/entropy.md": (
        "course: 応用数学 第3章\nsyllabus: 1-3 情報理論",
        [("entropy-numeric", "numeric", "エントロピーの値", "")],
    ),
}


def write_bank(root: Path) -> Path:
    for name, (front, questions) in _BANK.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = f"---\n{front}\nsource: test\n---\n\n" + "".join(
            _question(*question) for question in questions
        )
        path.write_text(text, encoding="utf-8")
    return root


@dataclass(frozen=True)
class Answer:
    days_ago: int  # local days before NOW's day
    question: str
    rating: int
    moves_schedule: bool = True
    self_graded: bool = False


# Schedule-moving answers, in order; answers on one day are a minute or ten apart.
_STUDY = [
    # sigmoid-max: learned, reviewed, one lapse relearned the same day
    *(Answer(45, "sigmoid-max", r) for r in (1, 3, 3)),
    *(Answer(d, "sigmoid-max", 3) for d in (44, 40, 30)),
    Answer(12, "sigmoid-max", 1),
    Answer(12, "sigmoid-max", 3),
    *(Answer(d, "sigmoid-max", 3) for d in (10, 3)),
    # conv-shape: forgotten again and again: a leech (threshold 3), suspended afterwards
    *(Answer(45, "conv-shape", r) for r in (3, 3)),
    *(Answer(d, "conv-shape", r) for d in (43, 41, 38) for r in (1, 3)),
    Answer(20, "conv-shape", 3),
    Answer(6, "conv-shape", 1),
    Answer(6, "conv-shape", 3),
    Answer(1, "conv-shape", 3),
    # softmax-choice: well known
    *(Answer(20, "softmax-choice", r) for r in (3, 3)),
    Answer(19, "softmax-choice", 3),
    Answer(15, "softmax-choice", 4),
    Answer(2, "softmax-choice", 2),
    # ridge-text: self-graded free text
    *(Answer(25, "ridge-text", r, self_graded=True) for r in (1, 3, 3)),
    Answer(24, "ridge-text", 3, self_graded=True),
    Answer(18, "ridge-text", 1, self_graded=True),
    Answer(18, "ridge-text", 3, self_graded=True),
    Answer(5, "ridge-text", 3, self_graded=True),
    # dropout-choice: learned three days ago, answered again today
    *(Answer(3, "dropout-choice", r) for r in (3, 3)),
    Answer(0, "dropout-choice", 3),
    # a question that has since left the bank
    *(Answer(30, "retired-question", r) for r in (3, 3)),
    # im2col-numeric: drilled, never studied
    Answer(8, "im2col-numeric", 1, moves_schedule=False),
    Answer(8, "im2col-numeric", 3, moves_schedule=False),
]


@dataclass(frozen=True)
class MockExamRecord:
    days_ago: int
    minute: int  # start, minutes after 20:00
    minutes_used: int
    counted_as_reviews: bool
    answers: tuple[tuple[str, str, bool], ...]  # (question, its first section, right)


# Mock exams as studyapp.mock_exam records them (1.2 minutes allowed a question). The one
# counted as reviews comes after every other schedule-moving answer to its questions.
MOCK_EXAMS = (
    MockExamRecord(
        9,
        60,
        5,
        False,
        (
            ("sigmoid-max", "3-1 順伝播型ネットワーク", True),
            ("conv-shape", "3-4 畳み込みニューラルネットワーク", False),
            ("softmax-choice", "3-1 順伝播型ネットワーク", True),
            ("im2col-numeric", "3-4 畳み込みニューラルネットワーク", False),
            ("dropout-choice", "3-3 深層モデルのための正則化", False),
        ),
    ),
    MockExamRecord(
        0,
        30,
        4,
        True,
        (
            ("softmax-choice", "3-1 順伝播型ネットワーク", True),
            ("dropout-choice", "3-3 深層モデルのための正則化", False),
            ("sigmoid-max", "3-1 順伝播型ネットワーク", True),
        ),
    ),
)


def record_mock_exams(scheduler: StudyScheduler) -> None:
    for exam in MOCK_EXAMS:
        started = local_moment(exam.days_ago, exam.minute)
        finished = started + timedelta(minutes=exam.minutes_used)
        questions = [question for question, _section, _right in exam.answers]
        session = scheduler.start_session(
            "exam",
            details={"questions": questions, "minutes": 1.2 * len(questions), "responses": {}},
            at=started,
        )
        sections: dict[str, list[int]] = {}
        for question, section, right in exam.answers:
            scheduler.record_answer(
                question,
                3 if right else 1,
                correct=right,
                duration_ms=exam.minutes_used * 60_000 // len(questions),
                at=finished,
                session_id=session,
                moves_schedule=exam.counted_as_reviews,
            )
            score = sections.setdefault(section, [0, 0])
            score[0] += right
            score[1] += 1
        scheduler.end_session(
            session,
            details={
                "score": sum(right for _question, _section, right in exam.answers),
                "total": len(questions),
                "sections": sections,
                "counted_as_reviews": exam.counted_as_reviews,
            },
            at=finished,
        )


def local_moment(days_ago: int, minutes: int) -> datetime:
    """``minutes`` after 20:00 (Tokyo) ``days_ago`` days before NOW's day."""
    day = NOW.astimezone(TOKYO).date() - timedelta(days=days_ago)
    local = datetime(day.year, day.month, day.day, 20, tzinfo=TOKYO) + timedelta(minutes=minutes)
    return local.astimezone(UTC)


def record_log(scheduler: StudyScheduler) -> None:
    """The fixed log: the study answers above, half a year of scattered drills, the mock
    exams."""
    minutes_used: dict[int, int] = {}
    for index, answer in enumerate(_STUDY):
        minute = minutes_used.get(answer.days_ago, 0)
        minutes_used[answer.days_ago] = minute + 10
        scheduler.record_answer(
            answer.question,
            answer.rating,
            correct=None if answer.self_graded else answer.rating > 1,
            duration_ms=8_000 + 1_500 * (index % 7),
            at=local_moment(answer.days_ago, minute),
            moves_schedule=answer.moves_schedule,
        )
    scheduler.set_suspended("conv-shape")
    rng = random.Random(6)
    drilled = ("sigmoid-max", "softmax-choice", "conv-shape", "retired-question")
    for days_ago in range(180, 0, -1):
        if rng.random() < 0.45:
            for count in range(1 + int(rng.random() * 12)):
                right = rng.random() < 0.75
                scheduler.record_answer(
                    drilled[int(rng.random() * len(drilled))],
                    3 if right else 1,
                    correct=right,
                    duration_ms=int(5_000 + rng.random() * 40_000),
                    at=local_moment(days_ago, 120 + count),  # 22:00 on, after any study
                    moves_schedule=False,
                )
    record_mock_exams(scheduler)


def synthetic_store(tmp_path: Path, *, profile: str = "default", answers: bool = True) -> Store:
    """An open store on the test bank; with ``answers``, the fixed log recorded."""
    bank = write_bank(tmp_path / "bank")
    store = open_store(AppConfig(db=str(tmp_path / "study.db"), bank_dirs=[bank], profile=profile))
    if answers:
        scheduler = scheduler_for(store)
        settings = scheduler.settings.replace(leech_threshold=LEECH_THRESHOLD, exam_date=EXAM_DATE)
        scheduler.update_settings(settings)
        record_log(scheduler_for(store))
    return store


def scheduler_for(store: Store) -> StudyScheduler:
    """The store's profile with days counted in Tokyo, as the golden files are."""
    return StudyScheduler(store.database, store.profile_id, zone=TOKYO, clock=lambda: NOW)
