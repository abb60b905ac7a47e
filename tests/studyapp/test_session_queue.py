"""Queue ordering: course order, topic interleaving, and the policy seam for exam mode."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from content.model import DemoLink, Kind, Question
from studyapp.queue import (
    QueueCandidates,
    QueuePlan,
    QueuePolicy,
    interleave_topics,
    order_review_queue,
)
from studyapp.scheduler import DailyBudget
from studyapp.session import StudySession
from tests.studyapp.session_support import T0, Clock, make_store, write_topic

_TEMPLATE = Question(
    id="",
    kind=Kind.NUMERIC,
    title="",
    body="",
    explanation="",
    syllabus=(),
    course="",
    source="",
    demo=DemoLink("conv-output-size", {}, ()),
    file="",
    line=1,
    content_hash="",
)


def question(qid: str, course: str, section: str, file: str, line: int) -> Question:
    return replace(_TEMPLATE, id=qid, course=course, syllabus=(section,), file=file, line=line)


def bank_of(files: dict[tuple[str, str, str], int]) -> list[Question]:
    """``{(file, course, section): n}`` → n questions per file, ids ``<file stem>-<n>``."""
    questions = []
    for (file, course, section), count in files.items():
        stem = file.rsplit("/", 1)[-1].removesuffix(".md")
        questions += [
            question(f"{stem}-{n}", course, section, file, n) for n in range(1, count + 1)
        ]
    return questions


def longest_run(questions: list[Question], key) -> int:
    longest = run = 0
    previous = None
    for item in questions:
        run = run + 1 if key(item) == previous else 1
        previous = key(item)
        longest = max(longest, run)
    return longest


def test_course_parts_come_in_teaching_order():
    questions = bank_of(
        {
            ("day4/a.md", "Day4 Section1", "4-1 画像認識"): 2,
            ("day1/b.md", "Day1 Section1", "3-1 順伝播型ネットワーク"): 2,
            ("機械学習/c.md", "機械学習 第1章", "2-1 機械学習の基礎"): 2,
            ("応用数学/d.md", "応用数学 第1章", "1-2 確率・統計"): 2,
            ("day2/e.md", "Day2 Section10", "3-4 畳み込みニューラルネットワーク"): 2,
            ("day2/f.md", "Day2 Section4", "3-4 畳み込みニューラルネットワーク"): 2,
        }
    )
    parts = [q.course_part for q in interleave_topics(questions)]
    assert parts == ["応用数学"] * 2 + ["機械学習"] * 2 + ["Day1"] * 2 + ["Day2"] * 4 + ["Day4"] * 2
    day2 = [q.id for q in interleave_topics(questions) if q.course_part == "Day2"]
    assert day2 == ["f-1", "e-1", "f-2", "e-2"]  # Section4 before Section10, files alternate


def test_twenty_new_questions_never_run_through_one_section_or_file():
    questions = bank_of(
        {
            ("day2/a.md", "Day2 Section1", "3-2 深層モデルのための最適化"): 25,
            ("day2/b.md", "Day2 Section3", "3-3 深層モデルのための正則化"): 4,
            ("day2/c.md", "Day2 Section4", "3-4 畳み込みニューラルネットワーク"): 12,
            ("day2/d.md", "Day2 Section4", "3-4 畳み込みニューラルネットワーク"): 12,
        }
    )
    ordered = interleave_topics(questions)
    assert sorted(q.id for q in ordered) == sorted(q.id for q in questions)
    batch = ordered[:20]
    assert longest_run(batch, lambda q: q.syllabus[0]) == 1
    assert longest_run(batch, lambda q: q.file) == 1
    assert {q.file for q in batch} == {"day2/a.md", "day2/b.md", "day2/c.md", "day2/d.md"}
    a = [q.id for q in ordered if q.file == "day2/a.md"]
    assert a == [f"a-{n}" for n in range(1, 26)]  # each topic keeps its own order


def test_the_default_plan_cuts_to_the_budget(tmp_path):
    questions = {
        q.id: q for q in bank_of({("day1/a.md", "Day1 Section1", "3-1 順伝播型ネットワーク"): 5})
    }
    candidates = QueueCandidates(
        now=T0,
        settings=None,
        budget=DailyBudget(new=2, reviews=0),
        questions=questions,
        due_reviews=[],
        new_ids=list(questions),
        scheduler=None,
    )
    assert order_review_queue(candidates) == QueuePlan(reviews=[], new=["a-1", "a-2"])


class NewestFirst(QueuePolicy):
    """A stand-in for the exam-aware policy: plans through the same seam."""

    def __init__(self):
        self.seen: list[QueueCandidates] = []

    def plan_review(self, candidates: QueueCandidates) -> QueuePlan:
        self.seen.append(candidates)
        new = list(reversed(candidates.new_ids))
        return QueuePlan(reviews=[], new=new + new)  # duplicates and too many: the session cuts


def test_a_policy_replaces_the_order_but_not_the_daily_limits(tmp_path):
    root = tmp_path / "bank"
    write_topic(root, "day2/cnn.md", ["q-1", "q-2", "q-3", "q-4"])
    with make_store(tmp_path, root, new_per_day=3) as store:
        policy = NewestFirst()
        session = StudySession.review(store, clock=Clock(), policy=policy)
        queued = [session.current, *session._state.pending]
        assert [item.question.id for item in queued] == ["q-4", "q-3", "q-2"]
        candidates = policy.seen[0]
        assert candidates.budget == DailyBudget(new=3, reviews=200)
        assert candidates.settings.new_per_day == 3 and candidates.now == T0
        assert candidates.scheduler is store.scheduler
        assert set(candidates.questions) == {"q-1", "q-2", "q-3", "q-4"}


def test_a_policy_may_bring_reviews_forward(tmp_path):
    root = tmp_path / "bank"
    write_topic(root, "day2/cnn.md", ["q-1", "q-2"])
    with make_store(tmp_path, root, new_per_day=0) as store:
        store.scheduler.record_answer("q-1", 4, at=T0 - timedelta(days=1))  # due in days

        class Ahead(QueuePolicy):
            def plan_review(self, candidates):
                return QueuePlan(reviews=[candidates.scheduler.card("q-1")], new=[])

        session = StudySession.review(store, clock=Clock(), policy=Ahead())
        assert (session.current.question.id, session.current.reason) == ("q-1", "review")
