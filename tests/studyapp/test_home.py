"""The home screen's numbers on a constructed history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from data.models import CardStatus
from studyapp.days import local_day_start
from studyapp.home import HomeSummary, home_summary
from tests.studyapp.session_support import T0, make_store, write_topic

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
DAY = timedelta(days=1)


@pytest.fixture
def store(tmp_path):
    root = tmp_path / "bank"
    write_topic(root, "day2/cnn.md", [f"q-{n}" for n in range(1, 9)])
    with make_store(tmp_path, root) as store:
        yield store


@pytest.fixture
def history(store):
    """Answers on days -5, -3, -2, -1 and today (10:00 local); a learning card and a
    review card due now, one suspended question, two new ones."""
    scheduler = store.scheduler
    scheduler.record_answer("q-1", EASY, at=T0 - 5 * DAY)
    scheduler.record_answer("q-2", EASY, at=T0 - 3 * DAY)
    scheduler.record_answer("q-3", EASY, at=T0 - 2 * DAY)
    scheduler.record_answer("q-1", GOOD, at=T0 - DAY, moves_schedule=False)  # a drill
    scheduler.record_answer("q-2", GOOD, at=T0 - timedelta(hours=1), moves_schedule=False)
    scheduler.record_answer("q-4", AGAIN, at=T0 - timedelta(minutes=5))  # learning, due
    scheduler.record_answer("q-5", EASY, at=T0 - 40 * DAY)  # review, due
    scheduler.set_suspended("q-6")
    for qid in ("q-1", "q-2", "q-3"):
        assert scheduler.card(qid).due > T0  # reviews, not due yet
    assert scheduler.card("q-5").status == CardStatus.REVIEW and scheduler.card("q-5").due <= T0
    return store


def test_the_summary_of_a_history(history):
    assert home_summary(history, T0) == HomeSummary(
        due_now=2,
        learning_due=1,
        reviews_due=1,
        new_today=2,  # q-7 and q-8
        reviewed_today=2,  # the drill answer counts as work done
        streak_days=4,  # days -3, -2, -1 and today; day -4 broke it
        exam_date=None,
        days_to_exam=None,
        total_questions=8,
        seen_questions=5,
        suspended=1,
        leeches=0,
    )


def test_daily_limits_cap_what_is_due(history):
    scheduler = history.scheduler
    scheduler.update_settings(scheduler.settings.replace(new_per_day=1, reviews_per_day=0))
    summary = home_summary(history, T0)
    assert (summary.new_today, summary.reviews_due, summary.due_now) == (0, 0, 1)


def test_a_streak_lives_until_the_day_ends_and_then_breaks(history):
    assert home_summary(history, T0 + DAY).streak_days == 4  # nothing yet today
    assert home_summary(history, T0 + DAY).reviewed_today == 0
    assert home_summary(history, T0 + 2 * DAY).streak_days == 0
    assert home_summary(history, T0 - 3 * DAY + timedelta(hours=1)).streak_days == 1


def test_days_are_counted_from_local_midnight(store):
    midnight = local_day_start(T0)
    store.scheduler.record_answer("q-1", GOOD, at=midnight - timedelta(minutes=1))
    store.scheduler.record_answer("q-2", GOOD, at=midnight + timedelta(minutes=1))
    summary = home_summary(store, midnight + timedelta(minutes=2))
    assert (summary.streak_days, summary.reviewed_today) == (2, 1)
    assert home_summary(store, midnight - timedelta(seconds=30)).streak_days == 1


def test_days_to_exam(store):
    today = T0.astimezone().date()
    scheduler = store.scheduler
    scheduler.update_settings(scheduler.settings.replace(exam_date=today + timedelta(days=30)))
    summary = home_summary(store, T0)
    assert (summary.exam_date, summary.days_to_exam) == (today + timedelta(days=30), 30)
    assert home_summary(store, T0 + 30 * DAY).days_to_exam == 0
    assert home_summary(store, T0 + 31 * DAY).days_to_exam == -1


def test_leeches_and_an_empty_history(tmp_path, store):
    empty = home_summary((store.database, store.profile_id), T0)
    assert (empty.streak_days, empty.seen_questions, empty.new_today, empty.due_now) == (0, 0, 8, 0)
    scheduler = store.scheduler
    scheduler.update_settings(scheduler.settings.replace(leech_threshold=1))
    card = scheduler.record_answer("q-1", EASY, at=T0 - 30 * DAY).card
    assert scheduler.record_answer("q-1", AGAIN, at=card.due).card.leech
    assert home_summary(scheduler, T0).leeches == 1


def test_other_sources_are_refused(store):
    with pytest.raises(TypeError):
        home_summary(store.database, T0)


@pytest.mark.parametrize("days_after", [0, 1, 2])
def test_the_home_screen_and_the_report_count_the_same_streak(history, days_after):
    # Two computations on purpose: the home screen seeks day by day (start-up time), the
    # report derives it from the activity it already loads for the heat map.
    from studyapp.reports import build_report

    now = T0 + days_after * DAY
    report = build_report(history.scheduler, "default", now=now)
    assert home_summary(history, now).streak_days == report.activity.current_streak


@pytest.mark.parametrize("hours_after", [0, 5, 24, 50])
def test_the_quick_sqlite_path_gives_the_same_summary(history, hours_after):
    from studyapp.home import quick_home_summary

    now = T0 + timedelta(hours=hours_after)
    scheduler = history.scheduler
    scheduler.update_settings(scheduler.settings.replace(new_per_day=3, exam_date=date(2025, 5, 1)))
    quick, settings = quick_home_summary(history.config.db, "default", now)
    assert quick == home_summary(history, now)
    assert settings == scheduler.settings


def test_the_quick_path_declines_what_it_cannot_read(tmp_path, history):
    from studyapp.home import quick_home_summary

    assert quick_home_summary(str(tmp_path / "missing.db"), "default") is None
    assert quick_home_summary("postgresql://host/db", "default") is None
    assert quick_home_summary(history.config.db, "nobody") is None
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert quick_home_summary(str(junk), "default") is None


def test_the_quick_path_loads_no_sqlalchemy(history):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from studyapp.home import quick_home_summary\n"
        f"assert quick_home_summary({history.config.db!r}, 'default') is not None\n"
        "assert 'sqlalchemy' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
