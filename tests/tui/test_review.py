"""The review screen's key paths, driven by Pilot: answer, rate, undo, suspend, leave."""

from __future__ import annotations

from studyapp.tui.screens.finished import FinishedScreen
from studyapp.tui.screens.home import HomeScreen
from studyapp.tui.screens.review import Phase
from studyapp.tui.widgets.feedback import RatingButton
from studyapp.tui.widgets.question import ChoiceRow

from .conftest import (
    answer_and_move_on,
    app_ready,
    reviews_in,
    skip_to,
    start_review,
    text,
    wait_for,
    wait_for_phase,
)


async def test_home_shows_todays_numbers_in_japanese(make_app):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await app_ready(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert (app.title, home.sub_title) == ("studyapp", "ホーム")
        assert text(home.query_one("#home-new")) == "6"
        assert text(home.query_one("#home-due")) == "0（学習中 0 · 復習 0）"
        assert text(home.query_one("#home-bank")) == "6 問中 0 問（保留 0 · リーチ 0）"


async def test_answer_a_choice_with_a_number_key_then_rate_good(make_app, config):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        review = await start_review(pilot)
        assert review.item.question.id == "tui-sigmoid-reason"
        await pilot.press("2")
        chosen = [row.choice.key for row in review.query(ChoiceRow) if row.has_class("-chosen")]
        assert chosen == ["B"]
        await pilot.press("enter")
        await wait_for_phase(pilot, review, Phase.FEEDBACK)
        assert text(review.query_one(".verdict")) == "✓ 正解"
        buttons = list(review.query(RatingButton))
        assert [str(button.label) for button in buttons] == [
            "1 もう一度\n1分後",
            "2 難しい\n6分後",
            "3 正解\n10分後",
            "4 簡単\n8日後",
        ]
        assert [button.has_class("-suggested") for button in buttons] == [0, 0, 1, 0]
        await pilot.press("3")
        await wait_for(pilot, lambda: review.item.question.id == "tui-sigmoid-max")
        assert review.phase is Phase.ANSWERING
        assert "正解 →" in text(review.query_one("#review-note"))
    assert reviews_in(config) == [("tui-sigmoid-reason", 3, True)]


async def test_space_takes_the_suggested_rating_again_after_a_wrong_answer(make_app, config):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        review = await start_review(pilot)
        await pilot.press("1", "enter")
        await wait_for_phase(pilot, review, Phase.FEEDBACK)
        assert text(review.query_one(".verdict")) == "✗ 不正解"
        assert "正解: B." in text(review.query_one(".answers"))
        await pilot.press("space")
        await wait_for(pilot, lambda: review.item.question.id == "tui-sigmoid-max")
    assert reviews_in(config) == [("tui-sigmoid-reason", 1, False)]


async def test_multi_choice_number_keys_toggle(make_app, config):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        review = await start_review(pilot)
        await skip_to(pilot, review, "tui-softmax-multi")
        await pilot.press("1", "3", "2", "3", "enter")  # 3 twice: chosen, then not
        await wait_for_phase(pilot, review, Phase.FEEDBACK)
        assert text(review.query_one(".verdict")) == "✓ 正解"
        assert "あなたの答え: A, B" in text(review.query_one(".answers"))


async def test_numeric_input_reads_fractions_and_reports_unreadable_answers(make_app, config):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        review = await start_review(pilot)
        await skip_to(pilot, review, "tui-sigmoid-max")
        assert app.focused.id == "answer-input"
        await pilot.press("a", "b", "c", "enter")
        assert review.phase is Phase.ANSWERING
        assert "数値として読めません" in text(review.query_one("#review-error"))
        for _ in range(3):
            await pilot.press("backspace")
        await pilot.press("1", "/", "4", "enter")
        await wait_for_phase(pilot, review, Phase.FEEDBACK)
        assert text(review.query_one(".verdict")) == "✓ 正解"
        await pilot.press("space")
        await wait_for(pilot, lambda: review.item.question.id == "tui-softmax-multi")
    assert reviews_in(config)[-1] == ("tui-sigmoid-max", 3, True)


async def test_text_question_enter_reveals_the_model_answer_then_self_rate(make_app, config):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        review = await start_review(pilot)
        await skip_to(pilot, review, "tui-zero-init")
        await pilot.press("enter")
        await wait_for_phase(pilot, review, Phase.FEEDBACK)
        assert "模範解答" in text(review.query_one(".verdict"))
        assert review.check_action("rate_suggested", ()) is None  # shown, but disabled
        await pilot.press("space")  # no suggestion for a self-graded answer: nothing happens
        assert review.phase is Phase.FEEDBACK
        await pilot.press("4")  # Easy: nothing is left to learn, so the session ends
        await wait_for(pilot, lambda: isinstance(app.screen, FinishedScreen))
        assert "6 問に回答" in text(app.screen.query_one("#finished-headline"))
    assert reviews_in(config)[-1] == ("tui-zero-init", 4, True)


async def test_ctrl_z_takes_the_last_answer_back(make_app, config):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        review = await start_review(pilot)
        await answer_and_move_on(pilot, review)
        assert reviews_in(config) == [("tui-sigmoid-reason", 4, False)]
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: review.item.question.id == "tui-sigmoid-reason")
        assert review.phase is Phase.ANSWERING
        assert reviews_in(config) == []
        assert not review.check_action("undo", ())


async def test_suspend_asks_first_then_moves_on(make_app, config):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        review = await start_review(pilot)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert review.item.question.id == "tui-sigmoid-reason"
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: review.item.question.id == "tui-sigmoid-max")
        assert "保留しました" in text(review.query_one("#review-note"))
        assert app.store.scheduler.card("tui-sigmoid-reason").suspended


async def test_escape_goes_home_and_keeps_the_answers(make_app, config):
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        review = await start_review(pilot)
        await answer_and_move_on(pilot, review)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await wait_for(pilot, lambda: text(app.screen.query_one("#home-reviewed")) == "1")
    assert len(reviews_in(config)) == 1


async def test_review_is_readable_at_80_by_24(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        review = await start_review(pilot)
        await pilot.press("2", "enter")
        await wait_for_phase(pilot, review, Phase.FEEDBACK)
        await pilot.pause()
        buttons = list(review.query(RatingButton))
        for button in buttons:
            region = button.region
            assert region.width >= 15 and 0 < region.y < 23
            assert str(button.label) in str(button.render())  # the label is not cut
        keybar = review.query_one("KeyBar")
        assert keybar.region.y == 23
        await pilot.resize_terminal(110, 32)
        await pilot.pause()
        assert review.query_one("KeyBar").region.y == 31


async def test_a_failing_worker_is_one_notification_not_a_crash(make_app, monkeypatch):
    from studyapp.session import StudySession
    from studyapp.store import StoreError

    def broken(*args, **kwargs):
        raise StoreError("The database file is read-only.")

    monkeypatch.setattr(StudySession, "review", broken)
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await app_ready(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: app._notifications)
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        messages = [notification.message for notification in app._notifications]
        assert messages == ["The database file is read-only."]
        assert app.is_running
