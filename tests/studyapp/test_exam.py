"""Exam mode: the exam-aware review selection, readiness, and the exam commands."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from studyapp.cli import main
from studyapp.exam import (
    DEFAULT_STRATEGY,
    CardOutlook,
    ExamAwarePolicy,
    policy_for,
    readiness,
    select_exam_reviews,
)
from studyapp.queue import DEFAULT_POLICY
from studyapp.session import StudySession
from studyapp.settings import Settings
from tests.studyapp.session_support import T0, Clock, make_store, write_topic


def outlook(key, now, exam, today=False):
    return CardOutlook(key, recall_now=now, recall_on_exam=exam, reviewed_today=today)


def test_before_the_stretch_cards_are_reviewed_at_the_lower_early_retention():
    cards = [outlook("a", 0.80, 0.5), outlook("b", 0.86, 0.6), outlook("c", 0.84, 0.4)]
    assert select_exam_reviews(cards, days_to_exam=30, limit=10) == ["a", "c"]
    assert select_exam_reviews(cards, days_to_exam=30, limit=1) == ["a"]


def test_in_the_stretch_cards_below_target_on_exam_day_are_spread_over_the_days_left():
    cards = [outlook(str(i), 0.99, 0.90 + i / 100) for i in range(10)]  # exam recall 0.90–0.99
    below = [str(i) for i in range(7)]  # 0.90 … 0.96 are below the 0.97 target
    first_day = select_exam_reviews(cards, days_to_exam=7, limit=100)
    assert first_day == ["0"]  # 7 cards over 7 days: one a day, weakest first
    assert select_exam_reviews(cards, days_to_exam=1, limit=100) == below
    assert select_exam_reviews(cards, days_to_exam=1, limit=3) == below[:3]


def test_cards_reviewed_today_are_not_served_again_in_the_stretch():
    cards = [outlook("a", 1.0, 0.5, today=True), outlook("b", 0.95, 0.6)]
    assert select_exam_reviews(cards, days_to_exam=2, limit=10) == ["b"]


def test_the_exam_aware_policy_applies_only_while_an_exam_date_is_set():
    assert policy_for(Settings()) is DEFAULT_POLICY
    assert isinstance(policy_for(Settings(exam_date=date(2030, 1, 1))), ExamAwarePolicy)


def studied_store(tmp_path, exam_in_days: int, count: int = 12):
    bank = tmp_path / "bank"
    write_topic(bank, "cnn.md", [f"c{i}" for i in range(count)])
    clock = Clock()
    store = make_store(
        tmp_path, bank, exam_date=(T0 + timedelta(days=exam_in_days)).date(), new_per_day=count
    )
    session = StudySession.review(store, clock=clock)
    while session.current:
        session.submit("7")
        session.rate()
        clock.advance(minutes=11)
    return store, clock


def test_readiness_counts_unseen_questions_as_not_known(tmp_path):
    bank = tmp_path / "bank"
    write_topic(bank, "cnn.md", ["a", "b"])
    write_topic(
        bank,
        "rnn.md",
        ["r"],
        syllabus="3-5 リカレントニューラルネットワーク",
        course="Day3 Section1",
    )
    store = make_store(tmp_path, bank, exam_date=date(2025, 6, 1))
    result = readiness(store.scheduler, store.bank().questions, T0)
    assert result.predicted_recall == 0.0
    assert (result.questions, result.seen) == (3, 0)
    assert result.days_to_exam == (date(2025, 6, 1) - T0.astimezone().date()).days
    assert [s.section for s in result.sections] == [
        "3-4 畳み込みニューラルネットワーク",
        "3-5 リカレントニューラルネットワーク",
    ]
    assert result.new_per_day_needed >= 1 and not result.on_track


def test_readiness_after_study_predicts_recall_from_fsrs(tmp_path):
    store, clock = studied_store(tmp_path, exam_in_days=30)
    result = readiness(store.scheduler, store.bank().questions, clock())
    assert result.seen == 12
    assert 0.0 < result.predicted_recall < 1.0
    exam_noon = clock() + timedelta(days=30)
    expected = [
        store.scheduler.fsrs.retrievability(card, exam_noon)
        for card in store.scheduler.cards().values()
    ]
    assert result.predicted_recall == pytest.approx(sum(expected) / 12, abs=0.02)
    assert result.below_target == 12  # a day after learning, nothing will last 30 days at 0.97


def test_review_sessions_aim_at_the_exam_in_the_last_stretch(tmp_path):
    store, clock = studied_store(tmp_path, exam_in_days=5)
    clock.advance(days=1)
    # Plain FSRS would show nothing yet: every card is due days from now.
    assert store.scheduler.due_reviews(clock()) == []
    session = StudySession.review(store, clock=clock)
    served = session.progress.remaining
    assert served == -(-12 // 4)  # 12 cards below target over the 4 days left, ceil
    plain = StudySession.review(store, clock=clock, policy=DEFAULT_POLICY)
    assert plain.progress.remaining == 0
    assert DEFAULT_STRATEGY.stretch_days >= 4


def test_exam_commands_set_the_date_and_report_readiness(capsys):
    assert main(["exam", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"exam_date": None}
    assert main(["exam", "set-date", "2031-02-20"]) == 0
    assert "2031-02-20" in capsys.readouterr().err
    assert main(["exam", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["exam_date"] == "2031-02-20"
    assert status["predicted_recall"] == 0.0 and status["seen"] == 0
    assert {"sections", "final_week_reviews_per_day", "new_per_day_needed", "on_track"} <= set(
        status
    )
    assert main(["exam", "set-date", "none"]) == 0
    capsys.readouterr()
    assert main(["exam", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"exam_date": None}


def test_a_bad_exam_date_is_a_usage_error(capsys):
    assert main(["exam", "set-date", "next friday"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
