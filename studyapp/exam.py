"""Exam mode: readiness for exam day, and scheduling that aims at it (no Textual).

Plain FSRS keeps every card near a desired retention (0.9) forever; an exam asks for the
highest recall on one day. The exam-aware policy changes only WHICH cards a review session
serves (never a card's FSRS state, which stays a replay of the log):

1. Before the last stretch (:attr:`ExamStrategy.stretch_days` days), a card is reviewed
   when its predicted recall has fallen to :attr:`ExamStrategy.early_retention` (0.85)
   instead of 0.9: fewer reviews, each strengthening memory more (FSRS's stability grows
   more when recall is lower at review time).
2. In the stretch, every card whose predicted recall on exam day would be below
   :attr:`ExamStrategy.target_recall` gets one more review, spread evenly over the days left
   and weakest first, so each card's last review falls as close to the exam as the daily
   limits allow.
3. New questions are introduced at the daily limit until the bank is done (front-loading
   gives every question the most time to be consolidated); readiness reports the new
   questions and reviews per day needed when the limits are too low.

After the exam date it falls back to plain FSRS. ``benchmarks/exam_sim.py`` compares both
on simulated learners whose true memory differs from the scheduler's model; the figures and
the reasons for these constants are in its docstring.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol

from content.syllabus import section_code, section_label
from studyapp.queue import (
    DEFAULT_POLICY,
    QueueCandidates,
    QueuePlan,
    QueuePolicy,
    order_review_queue,
)
from studyapp.scheduler import CardState, CardStatus, StudyScheduler
from studyapp.settings import Settings


@dataclass(frozen=True)
class ExamStrategy:
    """The constants of exam-aware scheduling (chosen by simulation, see the module doc)."""

    stretch_days: int = 7
    target_recall: float = 0.97
    early_retention: float = 0.85


DEFAULT_STRATEGY = ExamStrategy()


@dataclass(frozen=True)
class CardOutlook:
    """What exam-aware scheduling needs to know of one studied card."""

    key: str
    recall_now: float
    recall_on_exam: float
    reviewed_today: bool


def select_exam_reviews(
    outlooks: Iterable[CardOutlook],
    *,
    days_to_exam: int,
    limit: int,
    strategy: ExamStrategy = DEFAULT_STRATEGY,
) -> list[str]:
    """The keys of the cards to review today, in the order to serve them.

    ``days_to_exam`` counts calendar days from today (the exam day itself is not included);
    ``limit`` is what today's review limit still allows.
    """
    outlooks = list(outlooks)
    if days_to_exam > strategy.stretch_days:
        due = sorted(
            (o for o in outlooks if o.recall_now <= strategy.early_retention),
            key=lambda o: o.recall_now,
        )
        return [o.key for o in due[:limit]]
    needy = sorted(
        (o for o in outlooks if o.recall_on_exam < strategy.target_recall and not o.reviewed_today),
        key=lambda o: o.recall_on_exam,
    )
    quota = math.ceil(len(needy) / max(1, days_to_exam))
    return [o.key for o in needy[: min(limit, quota)]]


def exam_moment(exam_date: date, scheduler: StudyScheduler) -> datetime:
    """Noon of the exam day in the learner's time zone: recall is predicted for that day."""
    noon = datetime.combine(exam_date, time(12))
    return noon.replace(tzinfo=scheduler.zone) if scheduler.zone is not None else noon.astimezone()


def days_until(exam_date: date, now: datetime, scheduler: StudyScheduler) -> int:
    """Calendar days from today (local) to the exam day: 0 on the day itself."""
    return (exam_date - now.astimezone(scheduler.zone).date()).days


def card_outlooks(
    cards: Iterable[CardState], scheduler: StudyScheduler, now: datetime, exam_date: date
) -> list[CardOutlook]:
    replay = scheduler.fsrs
    on_exam = exam_moment(exam_date, scheduler)
    return [
        CardOutlook(
            key=card.question_id,
            recall_now=replay.retrievability(card, now),
            recall_on_exam=replay.retrievability(card, on_exam),
            reviewed_today=replay.calendar_days(card.last_review, now) == 0,
        )
        for card in cards
        if card.status == CardStatus.REVIEW and card.last_review is not None
    ]


class ExamAwarePolicy(QueuePolicy):
    """Review sessions aimed at the exam date in the settings (plain FSRS after it)."""

    def __init__(self, strategy: ExamStrategy = DEFAULT_STRATEGY):
        self.strategy = strategy

    def plan_review(self, candidates: QueueCandidates) -> QueuePlan:
        exam_date = candidates.settings.exam_date
        scheduler = candidates.scheduler
        plain = order_review_queue(candidates)
        if exam_date is None or days_until(exam_date, candidates.now, scheduler) <= 0:
            return plain
        cards = {
            question_id: card
            for question_id, card in scheduler.cards(candidates.questions.keys()).items()
            if not card.suspended and question_id not in candidates.exclude
        }
        keys = select_exam_reviews(
            card_outlooks(cards.values(), scheduler, candidates.now, exam_date),
            days_to_exam=days_until(exam_date, candidates.now, scheduler),
            limit=candidates.budget.reviews,
            strategy=self.strategy,
        )
        return QueuePlan(reviews=[cards[key] for key in keys], new=plain.new)


def policy_for(settings: Settings) -> QueuePolicy:
    """The exam-aware policy while an exam date is set, plain FSRS otherwise."""
    return ExamAwarePolicy() if settings.exam_date is not None else DEFAULT_POLICY


# --- readiness ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionReadiness:
    """Predicted recall on exam day for one syllabus section (unseen questions count as 0)."""

    section: str  # "3-4 畳み込みニューラルネットワーク"
    questions: int
    seen: int
    predicted_recall: float


@dataclass(frozen=True)
class Readiness:
    """How ready the learner is for the exam date, and what it takes to reach the target."""

    exam_date: date
    days_to_exam: int
    target_recall: float
    predicted_recall: float  # over the whole bank, unseen questions counting as 0
    questions: int
    seen: int
    below_target: int  # studied questions predicted below target on exam day
    new_per_day_needed: int
    final_week_reviews_per_day: int
    sections: list[SectionReadiness]

    @property
    def on_track(self) -> bool:
        return self.predicted_recall >= self.target_recall

    def to_json(self) -> dict:
        return {
            "exam_date": self.exam_date.isoformat(),
            "days_to_exam": self.days_to_exam,
            "target_recall": self.target_recall,
            "predicted_recall": self.predicted_recall,
            "on_track": self.on_track,
            "questions": self.questions,
            "seen": self.seen,
            "below_target": self.below_target,
            "new_per_day_needed": self.new_per_day_needed,
            "final_week_reviews_per_day": self.final_week_reviews_per_day,
            "sections": [
                {
                    "section": s.section,
                    "questions": s.questions,
                    "seen": s.seen,
                    "predicted_recall": s.predicted_recall,
                }
                for s in self.sections
            ],
        }


class Tagged(Protocol):
    """What readiness reads of a question: its id and its syllabus tags."""

    id: str
    syllabus: Sequence[str]


def readiness(
    scheduler: StudyScheduler,
    questions: Sequence[Tagged],
    now: datetime,
    strategy: ExamStrategy = DEFAULT_STRATEGY,
    *,
    cards: Mapping[str, CardState] | None = None,
) -> Readiness | None:
    """Readiness for the exam date in the settings, or None when no exam date is set.

    New questions should all be seen before the last stretch; in it, every question below
    target on exam day — and every one still unseen — needs one more review, so the final
    week's pace is those reviews over the days of the stretch (or the days left, if fewer).
    ``cards`` are the questions' cards when the caller has read them already (the report).
    """
    exam_date = scheduler.settings.exam_date
    if exam_date is None:
        return None
    days_left = days_until(exam_date, now, scheduler)
    on_exam = exam_moment(exam_date, scheduler)
    if cards is None:
        cards = scheduler.cards(q.id for q in questions)
    # Studied questions only: a question suspended before it was ever studied is not known.
    studied = {qid: card for qid, card in cards.items() if card.status != CardStatus.NEW}
    recall = {qid: scheduler.fsrs.retrievability(card, on_exam) for qid, card in studied.items()}
    # A question counts in every section it is tagged with, as in the progress report.
    by_section: dict[str, list[str]] = {}
    for question in questions:
        for tag in question.syllabus:
            by_section.setdefault(section_code(tag), []).append(question.id)
    sections = [
        SectionReadiness(
            section=section_label(code),
            questions=len(ids),
            seen=sum(qid in studied for qid in ids),
            predicted_recall=sum(recall.get(qid, 0.0) for qid in ids) / len(ids),
        )
        for code, ids in sorted(by_section.items(), key=lambda item: _section_order(item[0]))
    ]
    unseen = len(questions) - len(studied)
    below = sum(1 for qid in studied if recall[qid] < strategy.target_recall)
    final_days = max(1, min(days_left, strategy.stretch_days))
    before_stretch = max(1, days_left - strategy.stretch_days)
    return Readiness(
        exam_date=exam_date,
        days_to_exam=days_left,
        target_recall=strategy.target_recall,
        predicted_recall=sum(recall.values()) / len(questions) if questions else 0.0,
        questions=len(questions),
        seen=len(studied),
        below_target=below,
        new_per_day_needed=math.ceil(unseen / before_stretch),
        final_week_reviews_per_day=math.ceil((below + unseen) / final_days),
        sections=sections,
    )


def _section_order(code: str) -> tuple[int, int]:
    major, minor = code.split("-")
    return int(major), int(minor)
