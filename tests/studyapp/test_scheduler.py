"""The scheduler core: answers and undo keep the card cache equal to a replay of the log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, update

from data.db import open_database
from data.models import Card, CardStatus, Question, Review
from data.profiles import ensure_profile
from studyapp.days import local_day_start
from studyapp.scheduler import CardState, FsrsReplay, StudyScheduler
from studyapp.settings import Settings

T0 = datetime(2025, 4, 1, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
TOKYO = timezone(timedelta(hours=9))
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4


def add_questions(database, *ids: str) -> None:
    with database.write() as session:
        for line, qid in enumerate(ids, start=1):
            session.add(
                Question(
                    id=qid,
                    content_hash=f"hash-{qid}",
                    kind="numeric",
                    title=qid,
                    file="bank/a.md",
                    line=line,
                    syllabus=["3-4 畳み込みニューラルネットワーク"],
                    course="Day2 Section4",
                    payload={},
                    first_seen=T0,
                    updated_at=T0,
                )
            )


@pytest.fixture
def database(tmp_path):
    database = open_database(str(tmp_path / "studyapp.db"))
    add_questions(database, "q-1", "q-2", "q-3")
    yield database
    database.close()


@pytest.fixture
def scheduler(database):
    with database.write() as session:
        profile = ensure_profile(session, "default")
    return StudyScheduler(database, profile, clock=lambda: T0, zone=TOKYO)


def cached(scheduler: StudyScheduler, qid: str) -> CardState:
    return scheduler.card(qid)


def replayed(scheduler: StudyScheduler, qid: str) -> CardState:
    suspended = cached(scheduler, qid).suspended
    reviews = [(r.rating, r.reviewed_at) for r in scheduler.history(qid) if r.moves_schedule]
    return scheduler.fsrs.replay(qid, reviews, suspended=suspended)


def test_a_first_good_answer_starts_learning_and_is_logged(scheduler):
    session = scheduler.start_session("review")
    recorded = scheduler.record_answer(
        "q-1", GOOD, correct=True, answer="7", duration_ms=4200, session_id=session
    )
    card = recorded.card
    assert card.status == CardStatus.LEARNING
    assert (card.step, card.reps, card.lapses) == (1, 1, 0)
    assert card.due == T0 + timedelta(minutes=10)
    assert card.last_review == T0
    assert cached(scheduler, "q-1") == card
    review = recorded.review
    assert (review.question_id, review.rating, review.correct, review.answer) == (
        "q-1",
        3,
        True,
        "7",
    )
    assert (review.duration_ms, review.reviewed_at, review.session_id) == (4200, T0, session)
    assert scheduler.history("q-1") == [review]


def test_graduating_moves_the_card_to_review_days_later(scheduler):
    scheduler.record_answer("q-1", GOOD, at=T0)
    card = scheduler.record_answer("q-1", GOOD, at=T0 + timedelta(minutes=10)).card
    assert card.status == CardStatus.REVIEW
    assert card.step is None
    assert card.due - card.last_review >= timedelta(days=1)


def test_lapses_count_again_on_review_cards_and_flag_leeches(database, scheduler):
    scheduler.update_settings(scheduler.settings.replace(leech_threshold=2))
    at = T0
    card = scheduler.record_answer("q-1", EASY, at=at).card
    for _ in range(2):
        at = card.due
        card = scheduler.record_answer("q-1", AGAIN, at=at).card  # a lapse: review → relearning
        assert card.status == CardStatus.RELEARNING
        at = card.due
        card = scheduler.record_answer("q-1", GOOD, at=at).card
    assert card.lapses == 2
    assert card.leech
    assert scheduler.stats(at).leeches == 1


def test_answers_that_do_not_move_the_schedule_are_logged_only(scheduler):
    before = scheduler.record_answer("q-1", GOOD).card
    drill = scheduler.start_session("drill")
    after = scheduler.record_answer("q-1", AGAIN, session_id=drill, moves_schedule=False).card
    assert after == before == cached(scheduler, "q-1")
    assert [r.moves_schedule for r in scheduler.history("q-1")] == [True, False]


def test_an_answer_older_than_the_last_one_replays_the_card(scheduler):
    scheduler.record_answer("q-1", GOOD, at=T0 + timedelta(days=3))
    card = scheduler.record_answer("q-1", AGAIN, at=T0).card
    assert card == replayed(scheduler, "q-1")
    assert card.last_review == T0 + timedelta(days=3)


def test_ratings_and_times_are_checked(scheduler):
    with pytest.raises(ValueError, match="5 is not a rating"):
        scheduler.record_answer("q-1", 5)
    with pytest.raises(ValueError, match="naive datetime"):
        scheduler.record_answer("q-1", GOOD, at=datetime(2025, 1, 1))


def test_undo_restores_the_exact_previous_card_and_removes_the_review(database, scheduler):
    session = scheduler.start_session("review")
    first = scheduler.record_answer("q-1", GOOD, session_id=session, at=T0).card
    scheduler.record_answer("q-2", GOOD, session_id=session, at=T0 + timedelta(minutes=1))
    scheduler.record_answer("q-1", AGAIN, session_id=session, at=T0 + timedelta(minutes=2))

    undone = scheduler.undo_last_answer(session)
    assert undone.review.question_id == "q-1"
    assert undone.review.rating == AGAIN
    assert undone.card == first == cached(scheduler, "q-1")
    assert len(scheduler.history("q-1")) == 1

    assert scheduler.undo_last_answer(session).review.question_id == "q-2"
    assert cached(scheduler, "q-2") == CardState("q-2")  # new again
    with database.read() as session_:
        assert session_.get(Card, (scheduler.profile_id, "q-2")) is None
    scheduler.undo_last_answer(session)
    assert scheduler.undo_last_answer(session) is None
    assert scheduler.counts().new == 3


def test_undo_keeps_a_suspension(scheduler):
    session = scheduler.start_session("review")
    scheduler.record_answer("q-1", GOOD, session_id=session)
    scheduler.set_suspended("q-1")
    assert scheduler.undo_last_answer(session).card == CardState("q-1", suspended=True)


_ANSWERS = st.lists(
    st.tuples(
        st.sampled_from([AGAIN, HARD, GOOD, EASY]),
        st.integers(min_value=0, max_value=60 * 24 * 40),  # minutes after the previous answer
        st.booleans(),  # moves the schedule
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answers=_ANSWERS, undo=st.integers(min_value=0, max_value=3))
def test_the_cache_always_equals_a_replay_of_the_log(scheduler, answers, undo):
    qid = "q-1"
    with scheduler.database.write() as session:  # hypothesis reuses the fixture: start clean
        session.query(Review).delete()
        session.query(Card).delete()
    sitting = scheduler.start_session("review")
    states = [CardState(qid)]
    at = T0
    for rating, minutes, moves in answers:
        at += timedelta(minutes=minutes)
        card = scheduler.record_answer(
            qid, rating, at=at, session_id=sitting, moves_schedule=moves
        ).card
        states.append(card)
        assert card == cached(scheduler, qid) == replayed(scheduler, qid)
    for _ in range(min(undo, len(answers))):
        states.pop()
        assert scheduler.undo_last_answer(sitting).card == states[-1] == cached(scheduler, qid)
    assert scheduler.rebuild_cards() == (0 if cached(scheduler, qid).is_new else 1)
    assert cached(scheduler, qid) == states[-1]


def test_due_queries_leave_out_suspended_and_retired_questions(database, scheduler):
    for qid in ("q-1", "q-2", "q-3"):
        scheduler.record_answer(qid, GOOD, at=T0)  # learning, due in 10 minutes
    later = T0 + timedelta(minutes=15)
    assert [c.question_id for c in scheduler.due_learning(later)] == ["q-1", "q-2", "q-3"]
    scheduler.set_suspended("q-2")
    with database.write() as session:
        session.execute(update(Question).where(Question.id == "q-3").values(retired_at=T0))
    assert [c.question_id for c in scheduler.due_learning(later)] == ["q-1"]
    assert scheduler.due_learning(T0) == []
    assert scheduler.next_due(later).question_id == "q-1"
    assert scheduler.counts(later).due_now == 1
    scheduler.set_suspended("q-2", False)
    assert scheduler.counts(later).learning == 2


def test_new_questions_come_in_bank_order_without_suspended_ones(scheduler):
    assert scheduler.new_question_ids() == ["q-1", "q-2", "q-3"]
    scheduler.set_suspended("q-1")
    scheduler.record_answer("q-2", GOOD)
    assert scheduler.new_question_ids() == ["q-3"]
    assert scheduler.new_question_ids(limit=0) == []
    assert scheduler.counts().new == 1


def test_review_cards_are_due_when_their_interval_has_passed(scheduler):
    card = scheduler.record_answer("q-1", EASY, at=T0).card
    assert card.status == CardStatus.REVIEW
    assert scheduler.due_reviews(card.due - timedelta(seconds=1)) == []
    assert scheduler.due_reviews(card.due) == [card]
    assert scheduler.counts(card.due).review == 1


def test_today_counts_new_and_review_work_since_local_midnight(scheduler):
    yesterday = T0 - timedelta(days=1)
    scheduler.record_answer("q-1", EASY, at=yesterday)
    scheduler.record_answer("q-1", GOOD, at=T0)  # a review today
    scheduler.record_answer("q-2", GOOD, at=T0)  # new today
    scheduler.record_answer("q-2", GOOD, at=T0 + timedelta(minutes=10))
    scheduler.record_answer("q-3", GOOD, at=T0, moves_schedule=False)  # a drill: not counted
    today = scheduler.today(T0 + timedelta(hours=1))
    assert (today.new, today.reviews) == (1, 1)
    budget = scheduler.daily_budget(T0 + timedelta(hours=1))
    assert (budget.new, budget.reviews) == (19, 199)
    # Tokyo's day starts at 15:00 UTC: after it, today's counts start again.
    assert scheduler.today(T0 + timedelta(hours=15)).new == 0


def test_local_day_start_follows_the_zone():
    assert local_day_start(T0 + timedelta(hours=14), TOKYO) == T0 - timedelta(hours=9)
    assert local_day_start(T0 + timedelta(hours=15), TOKYO) == T0 + timedelta(hours=15)


def test_retrievability_falls_with_time_and_is_zero_for_new_cards(scheduler):
    card = scheduler.record_answer("q-1", EASY, at=T0).card
    assert scheduler.retrievability(CardState("q-2")) == 0.0
    now = scheduler.retrievability(card, T0)
    exam_day = scheduler.retrievability(card, T0 + timedelta(days=60))
    assert now == pytest.approx(1.0)
    assert 0 < exam_day < scheduler.retrievability(card, T0 + timedelta(days=10)) < now
    assert scheduler.retrievabilities(T0 + timedelta(days=60)) == {"q-1": exam_day}


def test_the_forecast_counts_cards_per_local_day_with_overdue_ones_today(scheduler):
    overdue = scheduler.record_answer("q-1", EASY, at=T0 - timedelta(days=30)).card
    assert overdue.due < T0
    in_two_days = scheduler.record_answer("q-2", GOOD, at=T0).card  # learning: due today
    scheduler.record_answer("q-2", GOOD, at=in_two_days.due)
    card = scheduler.card("q-2")
    days_ahead = (card.due.astimezone(TOKYO).date() - T0.astimezone(TOKYO).date()).days
    forecast = scheduler.due_forecast(days=10, now=T0)
    assert len(forecast) == 10
    assert forecast[0] == 1
    assert forecast[days_ahead] == 1
    assert sum(forecast) == 2


def test_changing_scheduling_settings_rebuilds_every_card(database, scheduler):
    scheduler.record_answer("q-1", EASY, at=T0)
    before = cached(scheduler, "q-1")
    scheduler.update_settings(scheduler.settings.replace(desired_retention=0.8))
    after = cached(scheduler, "q-1")
    assert after.due > before.due  # lower retention, longer interval
    assert after == replayed(scheduler, "q-1")
    reloaded = StudyScheduler(database, scheduler.profile_id)
    assert reloaded.settings.desired_retention == 0.8


def test_changing_other_settings_leaves_cards_alone(scheduler, database):
    scheduler.record_answer("q-1", EASY, at=T0)
    scheduler.update_settings(scheduler.settings.replace(exam_date=date(2025, 8, 30)))
    assert scheduler.settings.exam_date == date(2025, 8, 30)
    assert cached(scheduler, "q-1") == replayed(scheduler, "q-1")


def test_stats_count_the_bank_the_cards_and_the_log(database, scheduler):
    scheduler.record_answer("q-1", GOOD, at=T0)
    scheduler.record_answer("q-2", EASY, at=T0 - timedelta(days=40))
    scheduler.record_answer("q-3", GOOD, at=T0, moves_schedule=False)
    scheduler.set_suspended("q-3")
    add_questions(database, "q-4")
    with database.write() as session:
        session.execute(update(Question).where(Question.id == "q-4").values(retired_at=T0))
    stats = scheduler.stats(T0 + timedelta(minutes=20))
    assert (stats.questions, stats.retired, stats.cards, stats.new) == (3, 1, 2, 0)
    assert (stats.reviews, stats.due_now, stats.learning_due, stats.review_due) == (3, 2, 1, 1)
    assert (stats.learning, stats.suspended, stats.leeches) == (1, 1, 0)


def test_sessions_open_and_close_with_details(database, scheduler):
    session = scheduler.start_session("exam", details={"questions": 100})
    scheduler.end_session(session, details={"score": 72}, at=T0 + timedelta(hours=2))
    from data.models import StudySession

    with database.read() as db_session:
        row = db_session.get(StudySession, session)
    assert (row.kind, row.started_at, row.ended_at) == ("exam", T0, T0 + timedelta(hours=2))
    assert row.details == {"questions": 100, "score": 72}
    with pytest.raises(ValueError, match="not a session kind"):
        scheduler.start_session("party")


def test_the_answer_path_uses_indexes_not_table_scans(database, scheduler):
    session = scheduler.start_session("review")
    scheduler.record_answer("q-1", GOOD, session_id=session)
    queries = []

    def capture(connection, cursor, statement, parameters, *rest):
        if statement.lstrip().upper().startswith("SELECT"):
            queries.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        scheduler.record_answer("q-1", GOOD, session_id=session, at=T0 + timedelta(minutes=10))
        scheduler.next_due(T0 + timedelta(days=1))
        scheduler.due_learning(T0 + timedelta(days=1))
        scheduler.undo_last_answer(session)
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    assert len(queries) >= 5
    with database.read() as db_session:
        connection = db_session.connection()
        for statement, parameters in queries:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            details = " / ".join(row[-1] for row in plan)
            assert "SCAN" not in details, (statement, details)


def test_replay_is_deterministic_without_fuzz():
    replay = FsrsReplay(Settings())
    reviews = [(GOOD, T0), (GOOD, T0 + timedelta(minutes=10)), (GOOD, T0 + timedelta(days=40))]
    assert replay.replay("q", reviews) == replay.replay("q", reviews)
    assert not replay.scheduler.enable_fuzzing


def test_elapsed_time_is_counted_in_calendar_days_not_24_hour_blocks():
    """A review a little earlier on the next day must count as one day later (as in Anki).

    fsrs alone counts whole 24-hour blocks, so 23 h 55 min would count as a same-day review
    and the memory would barely strengthen.
    """
    replay = FsrsReplay(Settings(learning_steps=(), relearning_steps=()), zone=UTC)
    first = replay.advance(CardState("q"), 3, datetime(2026, 3, 1, 10, 10, tzinfo=UTC))
    a_bit_earlier = replay.advance(first, 3, datetime(2026, 3, 2, 10, 5, tzinfo=UTC))
    a_day_later = replay.advance(first, 3, datetime(2026, 3, 2, 10, 10, tzinfo=UTC))
    same_day = replay.advance(first, 3, datetime(2026, 3, 1, 22, 0, tzinfo=UTC))
    assert a_bit_earlier.stability == pytest.approx(a_day_later.stability, rel=1e-12)
    assert a_bit_earlier.stability > 2 * same_day.stability
    assert (
        replay.calendar_days(
            datetime(2026, 3, 1, 23, 50, tzinfo=UTC), datetime(2026, 3, 2, 0, 10, tzinfo=UTC)
        )
        == 1
    )
    assert replay.retrievability(first, datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) < 1.0
