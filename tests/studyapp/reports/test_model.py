"""The report model's definitions (studyapp/reports/model.py), each on a small log."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from studyapp.reports.build import build_report
from tests.studyapp.reports.synthetic import (
    NOW,
    local_moment,
    scheduler_for,
    synthetic_store,
)


@pytest.fixture
def store(tmp_path):
    with synthetic_store(tmp_path, answers=False) as store:
        yield store


def answer(scheduler, question, rating, days_ago, minute=0, *, moves_schedule=True, ms=10_000):
    scheduler.record_answer(
        question,
        rating,
        correct=rating > 1,
        duration_ms=ms,
        at=local_moment(days_ago, minute),
        moves_schedule=moves_schedule,
    )


def report_of(store):
    return build_report(scheduler_for(store), store.profile, now=NOW)


def test_true_retention_counts_answers_on_a_later_day_than_the_previous_one(store):
    scheduler = scheduler_for(store)
    answer(scheduler, "sigmoid-max", 1, 40)  # first answer: not a review
    answer(scheduler, "sigmoid-max", 3, 40, 1)  # learning step, same day: not a review
    answer(scheduler, "sigmoid-max", 1, 20)  # review, forgotten (outside 7 days)
    answer(scheduler, "sigmoid-max", 3, 20, 10)  # relearning step, same day: not a review
    answer(scheduler, "sigmoid-max", 3, 5)  # review, recalled
    answer(scheduler, "sigmoid-max", 1, 4, moves_schedule=False)  # a drill: never a review
    answer(scheduler, "sigmoid-max", 2, 0)  # review rated Hard: recalled
    overall = report_of(store).overall
    assert (overall.retention_7d.answers, overall.retention_7d.recalled) == (2, 2)
    assert (overall.retention_30d.answers, overall.retention_30d.recalled) == (3, 2)
    assert overall.retention_30d.rate == pytest.approx(2 / 3)


def test_a_question_first_answered_before_the_window_counts_from_its_first_answer_in_it(store):
    scheduler = scheduler_for(store)
    answer(scheduler, "sigmoid-max", 3, 60)
    answer(scheduler, "sigmoid-max", 1, 29)  # the window's first day, previous answer long ago
    assert report_of(store).overall.retention_30d.answers == 1


def test_recall_is_averaged_over_seen_questions_and_unseen_are_counted_apart(store):
    scheduler = scheduler_for(store)
    answer(scheduler, "sigmoid-max", 3, 2)
    answer(scheduler, "im2col-numeric", 3, 2, moves_schedule=False)  # drilled, still unseen
    report = report_of(store)
    card = scheduler.card("sigmoid-max")
    assert report.overall.recall_now == pytest.approx(scheduler.retrievability(card, NOW))
    assert (report.overall.seen, report.overall.unseen, report.overall.questions) == (1, 6, 7)
    sections = {group.key: group for group in report.sections}
    assert sections["3-2"].seen == 0 and sections["3-2"].recall_now is None
    assert sections["3-2"].answers == 1  # im2col-numeric counts in 3-2 and 3-4
    assert sections["3-4"].answers == 1


def test_activity_streaks_and_calendar(store):
    scheduler = scheduler_for(store)
    for days_ago in (9, 8, 7, 3, 2, 1):  # a three-day run, a gap, and one up to yesterday
        answer(scheduler, "sigmoid-max", 3, days_ago, ms=60_000)
    activity = report_of(store).activity
    assert (activity.current_streak, activity.longest_streak, activity.study_days) == (3, 3, 6)
    assert activity.answers == 6 and activity.time_spent_s == 360
    today = NOW.date()
    assert activity.today == today and activity.days[-1].day == today
    assert activity.first_day.weekday() == 6  # a Sunday
    assert len(activity.weeks()) == 26
    assert all(len(week) == 7 for week in activity.weeks())
    by_day = {day.day: day.answers for day in activity.days}
    assert by_day[today - timedelta(days=1)] == 1 and by_day[today] == 0


def test_answers_after_the_report_moment_are_left_out(store):
    scheduler = scheduler_for(store)
    answer(scheduler, "sigmoid-max", 3, 1)
    answer(scheduler, "softmax-choice", 3, -1)  # tomorrow
    assert report_of(store).activity.answers == 1


def test_days_are_counted_in_the_learners_time_zone(store):
    scheduler = scheduler_for(store)
    # 20:00 in Tokyo is 11:00 UTC: the same date either way; 08:00 the next morning in
    # Tokyo is still the previous date in UTC.
    answer(scheduler, "sigmoid-max", 3, 1, minute=12 * 60)
    by_day = {day.day: day.answers for day in report_of(store).activity.days}
    assert by_day[date(2025, 6, 15)] == 1


def test_weak_questions_lapsed_or_below_target_ranked_by_weakness_and_leeches(store):
    scheduler = scheduler_for(store)
    scheduler.update_settings(scheduler.settings.replace(leech_threshold=2))
    scheduler = scheduler_for(store)
    answer(scheduler, "conv-shape", 4, 30)  # Easy: straight to review
    for days_ago in (25, 20):  # forgotten in review (a lapse), relearned ten minutes later
        answer(scheduler, "conv-shape", 1, days_ago)
        answer(scheduler, "conv-shape", 3, days_ago, 10)
    answer(scheduler, "sigmoid-max", 4, 90)  # never forgotten, but long unseen: recall < 0.9
    answer(scheduler, "softmax-choice", 3, 1)  # fresh: recall near 1 and no lapse, not weak
    report = report_of(store)
    assert {q.id for q in report.weakest} == {"conv-shape", "sigmoid-max"}
    assert [q.weakness for q in report.weakest] == sorted(
        (q.weakness for q in report.weakest), reverse=True
    )
    weak = {q.id: q for q in report.weakest}
    assert weak["conv-shape"].lapses == 2
    assert weak["sigmoid-max"].lapses == 0 and weak["sigmoid-max"].recall_now < 0.9
    for question in report.weakest:
        expected = (1 - question.recall_now) * (1 + question.lapses)
        assert question.weakness == pytest.approx(expected)
    assert [q.id for q in report.leeches] == ["conv-shape"] and report.leeches[0].leech


def test_accuracy_by_kind_counts_self_graded_answers_not_rated_again_as_right(store):
    scheduler = scheduler_for(store)
    for rating in (1, 3, 4):
        scheduler.record_answer("ridge-text", rating, at=local_moment(3, rating))
    answer(scheduler, "sigmoid-max", 1, 2)
    kinds = {kind.kind: kind for kind in report_of(store).accuracy_by_kind}
    assert (kinds["text"].answers, kinds["text"].correct) == (3, 2)
    assert (kinds["numeric"].answers, kinds["numeric"].correct, kinds["numeric"].questions) == (
        1,
        0,
        3,
    )
    assert kinds["choice"].accuracy is None  # no answers yet
    assert list(kinds) == ["choice", "numeric", "shape", "text"]  # the bank format's order


def test_exam_date_and_the_forecast(store):
    scheduler = scheduler_for(store)
    scheduler.update_settings(scheduler.settings.replace(exam_date=date(2025, 7, 1)))
    answer(scheduler_for(store), "sigmoid-max", 3, 0)
    report = report_of(store)
    assert report.days_to_exam == 16
    assert len(report.forecast.counts) == 30 and sum(report.forecast.counts) == 1
    assert report.forecast.days()[0][0] == NOW.date()


def test_the_report_modules_load_neither_numpy_nor_textual():
    code = (
        "import sys\n"
        "import studyapp.reports, studyapp.reports.as_text, studyapp.reports.as_markdown\n"
        "import studyapp.reports.as_html, studyapp.reports.as_json, studyapp.commands.report\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'textual'))\n"
        "assert not loaded, loaded\n"
    )
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_exam_day_figures_are_studyapp_exams_readiness(tmp_path):
    from studyapp.exam import readiness

    with synthetic_store(tmp_path) as store:
        scheduler = scheduler_for(store)
        report = build_report(scheduler, store.profile, now=NOW)
        expected = readiness(scheduler, store.bank().questions, NOW)
    assert expected is not None and report.readiness is not None
    assert report.readiness.predicted_recall == pytest.approx(expected.predicted_recall)
    assert report.overall.recall_on_exam == pytest.approx(expected.predicted_recall)
    assert (report.readiness.days_to_exam, report.readiness.on_track) == (41, expected.on_track)
    assert report.readiness.below_target == expected.below_target
    assert report.readiness.new_per_day_needed == expected.new_per_day_needed
    assert report.readiness.final_week_reviews_per_day == expected.final_week_reviews_per_day
    by_section = {group.key: group.recall_on_exam for group in report.sections}
    for section in expected.sections:
        assert by_section[section.section.split()[0]] == pytest.approx(section.predicted_recall)
    assert by_section["4-1"] is None  # no question in the section: nothing to predict
    assert all(group.recall_on_exam is None for group in report.course_parts)


def test_without_an_exam_date_there_are_no_exam_figures_and_no_exam_column(store):
    from studyapp.reports import present

    answer(scheduler_for(store), "sigmoid-max", 3, 2)
    report = report_of(store)
    assert report.exam_date is None and report.readiness is None
    assert report.overall.recall_on_exam is None
    assert all(group.recall_on_exam is None for group in report.sections)
    with_exam = [column.title for column in present.sections_table(report).columns]
    assert "試験日 想起率" not in with_exam and "現在の 想起率" in with_exam


def test_an_empty_profile_with_an_exam_ahead_learns_the_pace_to_cover_the_bank(store):
    from studyapp.reports import present

    scheduler = scheduler_for(store)
    scheduler.update_settings(scheduler.settings.replace(exam_date=date(2025, 7, 26)))
    report = report_of(store)
    assert report.is_empty and report.readiness is not None
    # 7 unseen questions over the 34 days before the last stretch of 7: one a day.
    assert "試験まであと 41 日。1 日に新しい問題を 1 問ずつ" in " ".join(present.start_hint(report))


def test_a_mock_exam_taken_with_studyapp_mock_exam_is_in_the_report(store):
    from datetime import UTC, datetime

    from studyapp.mock_exam import MockExam

    moments = (
        datetime(2025, 6, 14, 11, 0, tzinfo=UTC) + timedelta(seconds=10 * n) for n in range(99)
    )
    exam = MockExam.start(store, count=4, seed=3, clock=lambda: next(moments))
    for _item in exam.items[:2]:  # two answered, right; two left open
        question = exam.current.question
        exam.answer(
            {"choice": "".join(question.correct_keys), "shape": "7x7"}.get(question.kind, "7")
        )
        exam.next()
    result = exam.finish()
    MockExam.start(store, count=2, seed=4, clock=lambda: NOW)  # unfinished: not in the report
    (shown,) = report_of(store).mock_exams
    assert (shown.correct, shown.total) == (result.correct, result.total) == (2, 4)
    assert shown.score == pytest.approx(result.score)
    assert shown.counted_as_reviews is False
    assert shown.time_used_s == pytest.approx(result.seconds)
    assert shown.time_allowed_s == pytest.approx(4 * 1.2 * 60)
    assert shown.started_at.isoformat() == "2025-06-14T20:00:00+09:00"
    assert [(s.key, s.correct, s.total) for s in shown.sections] == [
        (s.section.split()[0], s.correct, s.total) for s in result.sections
    ]


def test_mock_exams_are_listed_oldest_first_with_the_latest_by_section(tmp_path):
    from studyapp.reports import present

    with synthetic_store(tmp_path) as store:
        report = report_of(store)
    assert [(e.correct, e.total, e.counted_as_reviews) for e in report.mock_exams] == [
        (2, 5, False),
        (2, 3, True),
    ]
    latest = present.latest_mock_exam_table(report)
    assert latest.cells() == [
        ["3-1 順伝播型ネットワーク", "2/2", "100%"],
        ["3-3 深層モデルのための正則化", "0/1", "0%"],
    ]
    assert [row.correct for row in present.mock_exams_table(report).rows] == [2, 2]


def test_the_per_question_totals_are_read_from_the_card_history_index_alone(tmp_path):
    """Over a long log, reading the table instead costs a third of the report's queries."""
    from sqlalchemy import event

    statements = []

    def capture(connection, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    with synthetic_store(tmp_path) as store:
        event.listen(store.database.engine, "before_cursor_execute", capture)
        report_of(store)
        event.remove(store.database.engine, "before_cursor_execute", capture)
        (totals,) = [
            (statement, parameters)
            for statement, parameters in statements
            if "sum(reviews.duration_ms)" in statement
        ]
        with store.database.engine.connect() as connection:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {totals[0]}", totals[1]).all()
    details = " ".join(row[-1] for row in plan)
    assert "COVERING INDEX ix_reviews_card_history" in details, details
