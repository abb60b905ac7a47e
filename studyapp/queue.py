"""What a study session serves, and in which order (no Textual, no writes).

A review session asks its :class:`QueuePolicy` for a :class:`QueuePlan` once when it starts
(and again when it runs dry, e.g. past midnight): which due reviews and which new questions
to serve, in order. The session then enforces what no policy may change:

- learning and relearning cards are served as they fall due, before anything else, and
  within the learn-ahead window (:data:`LEARN_AHEAD`) when nothing else is left;
- the daily limits: the plan is cut to today's :class:`~studyapp.scheduler.DailyBudget`;
- retired and suspended questions never appear.

The default policy (:func:`order_review_queue`) is plain FSRS as Anki does it: due reviews
most overdue first, then new questions in course order (応用数学 → 機械学習 → Day1 → … →
Day4) with topics interleaved inside each course part (:func:`interleave_topics`).

**The exam seam (issue 8).** An exam-aware policy subclasses :class:`QueuePolicy` and
overrides :meth:`QueuePolicy.plan_review` (and, if it likes, :meth:`QueuePolicy.order_drill`).
:class:`QueueCandidates` gives it everything it needs: the time, the settings (exam date,
limits), today's budget, the active bank, the due reviews, the new questions, and the
scheduler itself for retrievability and for cards that are not due yet — a plan may include
review cards before their due date (they count against the daily review limit). Pass the
policy to ``StudySession.review(store, policy=...)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from content.model import Question
from content.syllabus import course_rank, section_code
from studyapp.scheduler import CardState, DailyBudget

if TYPE_CHECKING:
    from studyapp.scheduler import StudyScheduler
    from studyapp.settings import Settings

# Anki's "learn ahead limit": when nothing else is left, learning cards due within this
# window are served at once rather than ending the session.
LEARN_AHEAD = timedelta(minutes=20)


@dataclass(frozen=True)
class QueueCandidates:
    """Everything a policy may plan a review session from (read-only)."""

    now: datetime
    settings: Settings
    budget: DailyBudget  # what today's limits still allow
    questions: Mapping[str, Question]  # the active bank, by id
    due_reviews: Sequence[CardState]  # review cards due now, most overdue first (all of them)
    new_ids: Sequence[str]  # never-studied, unsuspended active questions, in bank order
    scheduler: StudyScheduler  # for retrievability and for cards not yet due
    exclude: frozenset[str] = frozenset()  # already queued in this session (learning cards)


@dataclass(frozen=True)
class QueuePlan:
    """Reviews and new questions in the order they are to be served (learning aside)."""

    reviews: list[CardState] = field(default_factory=list)
    new: list[str] = field(default_factory=list)


def course_key(question: Question) -> tuple[object, ...]:
    """Sort key of a question in course order: course part and section, then file and line."""
    return (course_rank(question.course), question.file, question.line)


def topic_key(question: Question) -> str:
    """The topic a question belongs to for interleaving: its first syllabus section."""
    return section_code(question.syllabus[0]) if question.syllabus else question.file


def round_robin(groups: Iterable[Sequence[Question]]) -> list[Question]:
    """One from each group in turn, keeping each group's order: AAB, CC → A C B A C … ."""
    groups = [list(group) for group in groups if group]
    result: list[Question] = []
    position = 0
    while groups:
        result += [group[position] for group in groups]
        position += 1
        groups = [group for group in groups if len(group) > position]
    return result


def interleave_topics(questions: Iterable[Question]) -> list[Question]:
    """Course order by part (応用数学 → 機械学習 → Day1 → … → Day4); inside each part, the
    topics (syllabus sections, and inside a section its files) take turns, so a day's new
    questions never run through one file or section in a row when the part has others."""
    by_part: dict[int, dict[str, dict[str, list[Question]]]] = {}
    for question in sorted(questions, key=course_key):
        part = course_rank(question.course)[0]
        topic = by_part.setdefault(part, {}).setdefault(topic_key(question), {})
        topic.setdefault(question.file, []).append(question)
    ordered: list[Question] = []
    for part in sorted(by_part):
        ordered += round_robin(round_robin(files.values()) for files in by_part[part].values())
    return ordered


def order_review_queue(candidates: QueueCandidates) -> QueuePlan:
    """The default plan: due reviews most overdue first (up to today's review limit), then
    new questions in course order with topics interleaved (up to today's new limit)."""
    reviews = [
        card for card in candidates.due_reviews if card.question_id not in candidates.exclude
    ]
    new_questions = [
        candidates.questions[qid] for qid in candidates.new_ids if qid in candidates.questions
    ]
    new = [question.id for question in interleave_topics(new_questions)]
    return QueuePlan(reviews=reviews[: candidates.budget.reviews], new=new[: candidates.budget.new])


def order_drill_queue(
    questions: Sequence[Question],
    cards: Mapping[str, CardState],
    scheduler: StudyScheduler,
    now: datetime,
) -> list[Question]:
    """A drill's order: the weakest first (lowest predicted recall now; never-studied
    questions count as 0), ties in course order with topics interleaved."""
    position = {question.id: index for index, question in enumerate(interleave_topics(questions))}

    def recall(question: Question) -> float:
        card = cards.get(question.id)
        return scheduler.retrievability(card, now) if card is not None else 0.0

    return sorted(questions, key=lambda question: (recall(question), position[question.id]))


class QueuePolicy:
    """How sessions order their questions. Subclass and override to change the order (the
    exam-aware policy of issue 8 overrides :meth:`plan_review`)."""

    def plan_review(self, candidates: QueueCandidates) -> QueuePlan:
        return order_review_queue(candidates)

    def order_drill(
        self,
        questions: Sequence[Question],
        cards: Mapping[str, CardState],
        scheduler: StudyScheduler,
        now: datetime,
    ) -> list[Question]:
        return order_drill_queue(questions, cards, scheduler, now)


DEFAULT_POLICY = QueuePolicy()
