"""Mock exams: drawn by syllabus weight, timed, graded at the end, resumable."""

from __future__ import annotations

from collections import Counter

import pytest

from content.syllabus import section_code
from studyapp.grading import ResponseError
from studyapp.mock_exam import MockExam, allocate, draw_questions
from tests.studyapp.session_support import Clock, make_store, write_topic


def test_allocation_follows_chapter_weights_and_availability():
    available = {"1-2": 50, "2-1": 50, "3-1": 50, "3-4": 50, "4-2": 50, "5-1": 50}
    allocation = allocate(100, available)
    assert sum(allocation.values()) == 100
    assert allocation["3-1"] + allocation["3-4"] == 50  # chapter 3 weighs half
    assert allocation["3-1"] == allocation["3-4"] == 25  # evenly inside a chapter
    assert allocation["1-2"] == 10 and allocation["2-1"] == 10 and allocation["5-1"] == 5


def test_a_section_short_of_questions_gives_its_share_to_others():
    allocation = allocate(20, {"3-1": 2, "3-4": 40, "4-2": 40})
    assert allocation["3-1"] == 2
    assert sum(allocation.values()) == 20
    assert allocate(50, {"3-1": 3, "4-2": 4}) == {"3-1": 3, "4-2": 4}


def bank_with_sections(tmp_path):
    bank = tmp_path / "bank"
    write_topic(bank, "cnn.md", [f"c{i}" for i in range(30)])
    write_topic(
        bank,
        "rnn.md",
        [f"r{i}" for i in range(30)],
        syllabus="3-5 リカレントニューラルネットワーク",
        course="Day3 Section1",
    )
    write_topic(
        bank,
        "det.md",
        [f"d{i}" for i in range(30)],
        syllabus="4-2 物体検出",
        course="Day4 物体検知",
    )
    write_topic(
        bank,
        "la.md",
        [f"l{i}" for i in range(10)],
        syllabus="1-1 線形代数",
        course="応用数学 第1章 線形代数",
    )
    write_topic(bank, "txt.md", [f"t{i}" for i in range(10)], kind="text")
    return bank


def test_optional_sections_and_free_text_are_not_drawn(tmp_path):
    store = make_store(tmp_path, bank_with_sections(tmp_path))
    drawn = draw_questions(store.bank().questions, 40, seed=1)
    assert len(drawn) == 40
    sections = Counter(section_code(q.syllabus[0]) for q in drawn)
    assert "1-1" not in sections  # 線形代数 is "(option)" in the 2024 syllabus
    assert not any(q.id.startswith("t") for q in drawn)
    assert sections["3-4"] + sections["3-5"] > sections["4-2"]
    assert draw_questions(store.bank().questions, 40, seed=1) == drawn  # a seed repeats the draw


def test_an_exam_is_graded_only_at_the_end_and_scores_per_section(tmp_path):
    store = make_store(tmp_path, bank_with_sections(tmp_path))
    clock = Clock()
    exam = MockExam.start(store, count=10, seed=3, clock=clock)
    assert exam.minutes == 12  # 1.2 minutes a question, like 100 in 120
    for index in range(10):
        exam.go(index)
        clock.advance(seconds=30)
        exam.answer("7" if index % 2 == 0 else "6")
    exam.go(3)
    assert exam.toggle_flag() is True
    assert (exam.answered, exam.flagged) == (10, 1)
    assert store.scheduler.session_answers(exam.session_id) == []  # nothing graded yet
    result = exam.finish()
    assert (result.correct, result.total) == (5, 10)
    assert sum(s.total for s in result.sections) == 10
    assert sum(s.correct for s in result.sections) == 5
    answers = store.scheduler.session_answers(exam.session_id)
    assert len(answers) == 10
    assert not any(answer.moves_schedule for answer in answers)
    assert store.scheduler.cards() == {}  # the schedule did not move


def test_counting_an_exam_as_reviews_moves_the_schedule(tmp_path):
    store = make_store(tmp_path, bank_with_sections(tmp_path))
    exam = MockExam.start(store, count=4, seed=2, clock=Clock())
    exam.answer("7")
    result = exam.finish(count_as_reviews=True)
    assert result.counted_as_reviews
    assert (result.correct, result.total) == (1, 4)  # unanswered ones score 0 …
    assert list(store.scheduler.cards()) == [exam.items[0].question.id]  # … and are not logged


def test_a_new_exam_closes_older_unfinished_ones(tmp_path):
    store = make_store(tmp_path, bank_with_sections(tmp_path))
    first = MockExam.start(store, count=3, seed=1, clock=Clock())
    second = MockExam.start(store, count=3, seed=2, clock=Clock())
    assert [sid for sid, _, _ in store.scheduler.unfinished_sessions("exam")] == [second.session_id]
    assert first.session_id != second.session_id


def test_unreadable_answers_and_answers_after_the_deadline_are_refused(tmp_path):
    store = make_store(tmp_path, bank_with_sections(tmp_path))
    clock = Clock()
    exam = MockExam.start(store, count=2, seed=0, clock=clock)
    with pytest.raises(ResponseError):
        exam.answer("seven")
    clock.advance(minutes=3)
    assert exam.expired
    with pytest.raises(ResponseError):
        exam.answer("7")


def test_an_interrupted_exam_resumes_with_its_answers_and_flags(tmp_path):
    store = make_store(tmp_path, bank_with_sections(tmp_path))
    clock = Clock()
    exam = MockExam.start(store, count=5, seed=4, clock=clock)
    exam.answer("7")
    exam.next()
    exam.toggle_flag()
    resumed = MockExam.resume(store, exam.session_id, clock=clock)
    assert [item.question.id for item in resumed.items] == [item.question.id for item in exam.items]
    assert resumed.items[0].response == "7"
    assert resumed.items[1].flagged
    assert resumed.index == 1  # resumes at the first open (here: flagged) question
    assert resumed.next_open() is resumed.items[2]
