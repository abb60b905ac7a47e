"""Study sessions: queue order, daily limits, learning steps, drills, undo, suspend, leeches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from data.models import Card, CardStatus, Review
from data.models import StudySession as SessionRow
from studyapp.grading import Rating, ResponseError
from studyapp.i18n import set_language
from studyapp.session import (
    InvalidDrill,
    RatingRequired,
    SessionError,
    SessionKind,
    StudySession,
    format_interval,
)
from tests.studyapp.session_support import T0, Clock, answer_all, make_store, write_topic

AGAIN, HARD, GOOD, EASY = Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY


@pytest.fixture(autouse=True)
def japanese():
    set_language("ja")
    yield
    set_language(None)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def bank(tmp_path):
    root = tmp_path / "bank"
    write_topic(root, "day2/cnn.md", ["q-1", "q-2", "q-3", "q-4", "q-5"])
    return root


@pytest.fixture
def store(tmp_path, bank):
    store = make_store(tmp_path, bank)
    yield store
    store.close()


def review_count(store) -> int:
    with store.database.read() as session:
        return session.scalar(select(func.count()).select_from(Review))


def card_row(store, qid):
    with store.database.read() as session:
        row = session.get(Card, (store.profile_id, qid))
        return None if row is None else (row.status, row.step, row.stability, row.due, row.reps)


def make_review_card(store, qid, due_by):
    """A review card due by ``due_by``: Easy on a new card, long enough before."""
    recorded = store.scheduler.record_answer(qid, EASY, at=due_by - timedelta(days=30))
    assert recorded.card.status == CardStatus.REVIEW and recorded.card.due <= due_by
    return recorded.card


# -- queue order ----------------------------------------------------------------------------


def test_learning_first_then_reviews_then_new(store, clock):
    make_review_card(store, "q-4", T0)
    store.scheduler.record_answer("q-5", AGAIN, at=T0 - timedelta(minutes=5))  # learning, due
    session = StudySession.review(store, clock=clock)
    reasons = []
    while session.current is not None and len(reasons) < 5:
        item = session.current
        reasons.append((item.reason, item.question.id))
        session.submit("7")
        session.rate(EASY)
    assert reasons == [
        ("learning", "q-5"),
        ("review", "q-4"),
        ("new", "q-1"),
        ("new", "q-2"),
        ("new", "q-3"),
    ]
    assert session.current is None


def test_a_relearning_card_comes_before_due_reviews(store, clock):
    make_review_card(store, "q-1", T0 - timedelta(days=2))
    make_review_card(store, "q-2", T0)
    store.scheduler.record_answer("q-2", AGAIN, at=T0 - timedelta(minutes=30))  # a lapse
    session = StudySession.review(store, clock=clock)
    assert (session.current.reason, session.current.question.id) == ("relearning", "q-2")
    assert session.progress.learning == 1 and session.progress.review == 1


def test_new_questions_follow_the_course_with_topics_interleaved(tmp_path, clock):
    root = tmp_path / "bank"
    write_topic(root, "day1/a.md", ["a1", "a2", "a3"], course="Day1 Section1",
                syllabus="3-1 順伝播型ネットワーク")  # fmt: skip
    write_topic(root, "day1/c.md", ["c1", "c2", "c3"], course="Day1 Section2",
                syllabus="3-2 深層モデルのための最適化")  # fmt: skip
    write_topic(root, "day2/d.md", ["d1"], course="Day2 Section1",
                syllabus="3-2 深層モデルのための最適化")  # fmt: skip
    write_topic(root, "応用数学/m.md", ["m1", "m2"], course="応用数学 第1章",
                syllabus="1-2 確率・統計")  # fmt: skip
    with make_store(tmp_path, root, new_per_day=100) as store:
        session = StudySession.review(store, clock=clock)
        first_round = []
        while session.current is not None and session.current.reason == "new":
            first_round.append(session.current.question.id)
            session.submit("7")
            session.rate(EASY)
    assert first_round == ["m1", "m2", "a1", "c1", "a2", "c2", "a3", "c3", "d1"]


def test_retired_and_suspended_questions_never_appear(tmp_path, clock):
    root = tmp_path / "bank"
    write_topic(root, "day2/cnn.md", ["q-1", "q-2", "q-3"])
    with make_store(tmp_path, root) as store:
        store.scheduler.record_answer("q-1", AGAIN, at=T0 - timedelta(minutes=5))  # due
        store.scheduler.set_suspended("q-2")
        write_topic(root, "day2/cnn.md", ["q-2", "q-3"])  # q-1 leaves the bank
        report = store.sync()
        assert report.retired == ("q-1",)
        assert answer_all(StudySession.review(store, clock=clock), rating=EASY) == ["q-3"]
        assert answer_all(StudySession.drill(store, clock=clock), rating=GOOD) == ["q-3"]


# -- daily limits ---------------------------------------------------------------------------


def test_the_new_limit_holds_across_sessions_and_resets_the_next_day(tmp_path, clock):
    root = tmp_path / "bank"
    write_topic(root, "day2/cnn.md", [f"q-{n}" for n in range(1, 9)])
    with make_store(tmp_path, root, new_per_day=3) as store:
        first = StudySession.review(store, clock=clock)
        assert first.progress.new == 3
        for _ in range(2):
            assert first.current.reason == "new"
            first.submit("7")
            first.rate(EASY)
        first.finish()

        clock.advance(hours=1)
        second = StudySession.review(store, clock=clock)
        assert second.progress.new == 1
        assert answer_all(second, rating=EASY) == ["q-3"]

        clock.advance(hours=2)
        assert StudySession.review(store, clock=clock).current is None  # still the same day

        clock.now = T0 + timedelta(days=1)
        third = StudySession.review(store, clock=clock)
        assert third.progress.new == 3
        assert [item.question.id for item in [third.current, *third._state.pending]] == [
            "q-4",
            "q-5",
            "q-6",
        ]


def test_the_review_limit_holds_across_sessions(tmp_path, clock):
    root = tmp_path / "bank"
    write_topic(root, "day2/cnn.md", [f"q-{n}" for n in range(1, 6)])
    with make_store(tmp_path, root, reviews_per_day=3, new_per_day=0) as store:
        for qid in ("q-1", "q-2", "q-3", "q-4", "q-5"):
            make_review_card(store, qid, T0)
        first = StudySession.review(store, clock=clock)
        assert first.progress.review == 3
        first.submit("7")
        first.rate(GOOD)
        first.submit("7")
        first.rate(GOOD)
        second = StudySession.review(store, clock=clock)
        assert second.progress.review == 1
        assert len(answer_all(second, rating=GOOD)) == 1
        clock.now = T0 + timedelta(days=1)
        assert StudySession.review(store, clock=clock).progress.review == 2  # the other two


# -- learning steps -------------------------------------------------------------------------


def test_a_card_answered_again_comes_back_after_its_learning_step(store, clock):
    session = StudySession.review(store, clock=clock)
    assert session.current.question.id == "q-1"
    session.submit("0")  # wrong
    outcome = session.rate()
    assert outcome.rating == AGAIN and outcome.correct is False
    assert outcome.interval_text == "1分後"
    assert session.current.question.id == "q-2"  # not yet due: other work first
    clock.advance(minutes=2)
    session.submit("7")
    session.rate()
    assert (session.current.reason, session.current.question.id) == ("learning", "q-1")


def test_with_nothing_else_left_learning_cards_due_within_20_minutes_are_served(tmp_path, clock):
    root = tmp_path / "bank"
    write_topic(root, "day2/cnn.md", ["q-1"])
    with make_store(tmp_path, root) as store:
        session = StudySession.review(store, clock=clock)
        session.submit("7")
        assert session.rate(GOOD).interval_text == "10分後"
        assert (session.current.reason, session.current.question.id) == ("learning", "q-1")
        assert session.progress.learning == 1
        session.submit("7")
        assert session.rate(GOOD).next_due > T0 + timedelta(days=1)  # graduated
        assert session.current is None


def test_learning_cards_due_later_than_20_minutes_end_the_session(tmp_path, clock):
    root = tmp_path / "bank"
    write_topic(root, "day2/cnn.md", ["q-1"])
    steps = (timedelta(minutes=30), timedelta(hours=1))
    with make_store(tmp_path, root, learning_steps=steps) as store:
        session = StudySession.review(store, clock=clock)
        session.submit("7")
        assert session.rate(AGAIN).interval_text == "30分後"
        assert session.current is None
        assert session.progress.remaining == 0
        clock.advance(minutes=31)
        again = StudySession.review(store, clock=clock)
        assert (again.current.reason, again.current.question.id) == ("learning", "q-1")


# -- answering ------------------------------------------------------------------------------


def test_answer_time_and_response_are_recorded(store, clock):
    session = StudySession.review(store, clock=clock)
    clock.advance(seconds=30)  # the question is shown later than the session started
    session.begin_question()
    clock.advance(seconds=4.2)
    grade = session.submit("７")  # full-width: graded as 7
    assert grade.correct is True and grade.suggested == GOOD
    clock.advance(seconds=3)  # reading the feedback is not answer time
    outcome = session.rate()
    review = store.scheduler.session_answers(session.session_id)[0]
    assert (review.question_id, review.rating, review.correct) == ("q-1", GOOD, True)
    assert (review.answer, review.duration_ms, review.moves_schedule) == ("7", 4200, True)
    assert review.reviewed_at == T0 + timedelta(seconds=37.2)
    assert outcome.review.id == review.id


def test_an_unreadable_response_raises_and_writes_nothing(store, clock):
    session = StudySession.review(store, clock=clock)
    with pytest.raises(ResponseError):
        session.submit("seven")
    with pytest.raises(SessionError):
        session.rate()
    assert review_count(store) == 0
    assert session.current.question.id == "q-1"


def test_text_questions_need_a_rating_which_decides_correct(tmp_path, clock):
    root = tmp_path / "bank"
    write_topic(root, "day2/init.md", ["t-1", "t-2"], kind="text")
    with make_store(tmp_path, root) as store:
        session = StudySession.review(store, clock=clock)
        grade = session.reveal()
        assert grade.self_graded and grade.expected == "対称性が崩れない。"
        with pytest.raises(RatingRequired):
            session.rate()
        assert review_count(store) == 0
        assert session.rate(AGAIN).correct is False
        session.submit("対称性が崩れない")
        assert session.rate(HARD).correct is True
        answers = store.scheduler.session_answers(session.session_id)
        assert [(a.rating, a.correct, a.answer) for a in answers] == [
            (1, False, ""),
            (2, True, "対称性が崩れない"),
        ]


def test_revealing_an_objective_answer_counts_as_wrong(store, clock):
    session = StudySession.review(store, clock=clock)
    grade = session.reveal()
    assert (grade.correct, grade.suggested, grade.expected) == (False, AGAIN, "7")
    assert session.rate().correct is False


def test_preview_shows_what_each_rating_would_schedule(store, clock):
    session = StudySession.review(store, clock=clock)
    session.submit("7")
    preview = session.preview_intervals()
    assert preview[AGAIN] == "1分後" and preview[GOOD] == "10分後"
    assert preview[EASY].endswith("日後")
    assert session.rate(EASY).interval_text == preview[EASY]


def test_format_interval():
    assert format_interval(timedelta(seconds=30)) == "30秒後"
    assert format_interval(timedelta(minutes=10)) == "10分後"
    assert format_interval(timedelta(hours=5)) == "5時間後"
    assert format_interval(timedelta(days=3)) == "3日後"
    assert format_interval(timedelta(days=75)) == "2.5か月後"
    assert format_interval(timedelta(days=730)) == "2年後"
    set_language("en")
    assert format_interval(timedelta(days=3)) == "in 3 d"


# -- undo, suspend, leeches -----------------------------------------------------------------


def test_undo_restores_the_exact_card_and_review_count(store, clock):
    session = StudySession.review(store, clock=clock)
    session.submit("7")
    session.rate(GOOD)  # q-1 into its second learning step
    clock.advance(minutes=1)
    while session.current.question.id != "q-1":  # the others, then q-1 again (learn-ahead)
        session.submit("7")
        session.rate(EASY)
    before, reviews, answered = card_row(store, "q-1"), review_count(store), session.answered
    progress = session.progress
    session.submit("0")
    session.rate()  # Again: a second review of q-1
    assert card_row(store, "q-1") != before

    item = session.undo()
    assert item.question.id == "q-1" and session.current.question.id == "q-1"
    assert card_row(store, "q-1") == before
    assert item.card == store.scheduler.card("q-1")
    assert review_count(store) == reviews
    assert session.progress == progress and session.answered == answered
    assert session.grade is None
    session.submit("7")
    session.rate()
    assert review_count(store) == reviews + 1


def test_undo_of_a_first_answer_leaves_the_question_new(store, clock):
    session = StudySession.review(store, clock=clock)
    session.submit("7")
    session.rate()
    item = session.undo()
    assert (item.question.id, item.reason, item.card) == ("q-1", "new", None)
    assert card_row(store, "q-1") is None and review_count(store) == 0
    assert session.undo() is None


def test_suspend_takes_the_question_out_and_undo_brings_it_back(store, clock):
    session = StudySession.review(store, clock=clock)
    session.suspend_current()
    assert session.current.question.id == "q-2"
    assert store.scheduler.card("q-1").suspended
    assert "q-1" not in [item.question.id for item in session._state.pending]
    assert StudySession.review(store, clock=clock).current.question.id == "q-2"
    assert session.undo().question.id == "q-1"
    assert not store.scheduler.card("q-1").suspended


def lapse_seven_times(store, qid):
    scheduler = store.scheduler
    at = T0 - timedelta(days=400)
    card = scheduler.record_answer(qid, EASY, at=at).card
    for _ in range(7):
        at = card.due
        assert scheduler.record_answer(qid, AGAIN, at=at).card.status == CardStatus.RELEARNING
        card = scheduler.record_answer(qid, GOOD, at=at + timedelta(minutes=10)).card
        assert card.status == CardStatus.REVIEW
    assert (card.lapses, card.leech) == (7, False) and card.due <= T0
    return card


def test_the_eighth_lapse_makes_a_leech(store, clock):
    lapse_seven_times(store, "q-3")
    session = StudySession.review(store, clock=clock)
    assert (session.current.question.id, session.current.reason) == ("q-3", "review")
    assert session.current.leech is False
    session.submit("0")
    outcome = session.rate()
    assert outcome.became_leech and not outcome.suspended
    assert outcome.card.lapses == 8 and store.scheduler.card("q-3").leech
    assert not store.scheduler.card("q-3").suspended
    while session.current.question.id != "q-3":
        session.submit("7")
        session.rate(EASY)
    assert session.current.leech is True and session.current.reason == "relearning"
    session.submit("0")
    assert session.rate().became_leech is False  # already one


def test_leeches_can_be_suspended_automatically_and_undo_lifts_it(tmp_path, bank, clock):
    with make_store(tmp_path, bank, leech_suspend=True) as store:
        lapse_seven_times(store, "q-3")
        session = StudySession.review(store, clock=clock)
        session.submit("0")
        outcome = session.rate()
        assert outcome.became_leech and outcome.suspended
        assert store.scheduler.card("q-3").suspended
        assert "q-3" not in session._state.learning
        session.undo()
        card = store.scheduler.card("q-3")
        assert not card.suspended and (card.lapses, card.leech) == (7, False)


# -- drills ---------------------------------------------------------------------------------


@pytest.fixture
def two_topics(tmp_path):
    root = tmp_path / "bank"
    write_topic(root, "day2/cnn.md", ["c-1", "c-2", "c-3"])
    write_topic(root, "day3/rnn.md", ["r-1", "r-2"], course="Day3 Section1",
                syllabus="3-5 リカレントニューラルネットワーク")  # fmt: skip
    return root


def test_a_drill_records_answers_but_moves_no_card(tmp_path, two_topics, clock):
    with make_store(tmp_path, two_topics) as store:
        store.scheduler.record_answer("c-2", GOOD, at=T0 - timedelta(days=1))
        cards_before = store.scheduler.cards()
        session = StudySession.drill(store, section="3-4", clock=clock)
        assert session.kind is SessionKind.DRILL and session.moves_schedule is False
        assert session.current.reason == "drill"
        assert session.progress.remaining == 3
        assert session.preview_intervals()[GOOD] == "変更なし"
        served = answer_all(session, rating=GOOD)
        assert sorted(served) == ["c-1", "c-2", "c-3"]
        assert store.scheduler.cards() == cards_before
        answers = store.scheduler.session_answers(session.session_id)
        assert len(answers) == 3 and not any(a.moves_schedule for a in answers)
        summary = session.finish()
        with store.database.read() as db:
            row = db.get(SessionRow, session.session_id)
            assert row.kind == "drill" and row.ended_at is not None
            assert row.details["section"] == "3-4" and row.details["moves_schedule"] is False
        assert (summary.answered, summary.correct, summary.accuracy) == (3, 3, 1.0)
        assert [(s.section, s.answered) for s in summary.sections] == [("3-4", 3)]
        assert StudySession.review(store, clock=clock).progress.new == 4  # drill ≠ study


def test_a_drill_can_move_the_schedule_when_asked(tmp_path, two_topics, clock):
    with make_store(tmp_path, two_topics) as store:
        session = StudySession.drill(store, course_part="Day3", moves_schedule=True, clock=clock)
        assert answer_all(session, rating=GOOD) == ["r-1", "r-2"]
        assert store.scheduler.card("r-1").status == CardStatus.LEARNING
        assert all(a.moves_schedule for a in store.scheduler.session_answers(session.session_id))


def test_a_drill_serves_the_weakest_first_and_repeats_wrong_answers(tmp_path, two_topics, clock):
    with make_store(tmp_path, two_topics) as store:
        store.scheduler.record_answer("c-1", EASY, at=T0 - timedelta(days=1))  # well known
        session = StudySession.drill(store, course_part="day2", limit=3, clock=clock)
        served = [session.current.question.id]
        session.submit("0")  # wrong: comes back after the others
        session.rate()
        served += answer_all(session, rating=GOOD)
        assert served == ["c-2", "c-3", "c-1", "c-2"]


def test_drills_reject_unknown_sections_and_course_parts(store):
    with pytest.raises(InvalidDrill):
        StudySession.drill(store, section="9-9")
    with pytest.raises(InvalidDrill):
        StudySession.drill(store, course_part="Day9")


def test_finish_sums_up_and_a_finished_session_has_no_question(store, clock):
    session = StudySession.review(store, clock=clock)
    session.submit("7")
    session.rate()
    clock.advance(seconds=5)
    session.submit("1")
    session.rate()
    summary = session.finish()
    assert (summary.answered, summary.correct, summary.accuracy) == (2, 1, 0.5)
    assert summary.ratings[GOOD] == 1 and summary.ratings[AGAIN] == 1
    assert summary.time_ms == 5000 and summary.elapsed == timedelta(seconds=5)
    assert [(s.section, s.name, s.answered, s.correct) for s in summary.sections] == [
        ("3-4", "畳み込みニューラルネットワーク", 2, 1)
    ]
    assert session.finish() is summary
    empty = StudySession.drill(store, section="3-5", clock=clock)
    assert empty.current is None and empty.progress.remaining == 0
    with pytest.raises(SessionError):
        empty.submit("7")


def test_the_leech_suspend_setting_is_validated_and_round_trips():
    from studyapp.settings import InvalidSetting, Settings

    assert Settings().leech_suspend is False
    assert Settings.from_json({"leech_suspend": True}).leech_suspend is True
    assert Settings(leech_suspend=True).to_json()["leech_suspend"] is True
    with pytest.raises(InvalidSetting):
        Settings.from_json({"leech_suspend": "yes"})
