"""Building the report model from the database: a few aggregate queries, then per question.

The review log is aggregated in SQL (GROUP BY question, GROUP BY local day, one window
function for true retention), so the work in Python grows with the number of questions and
days, not with the number of reviews. Recall comes from the cached card state (the ``cards``
table) through the scheduler's FSRS, never by replaying the log. Exam readiness is
studyapp.exam's, so the report and ``studyapp exam status`` never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import ColumnElement, Integer, and_, cast, exists, extract, func, or_, select
from sqlalchemy.orm import Session, aliased

from content.model import Kind
from content.syllabus import COURSE_PARTS, OPTIONAL_SECTIONS, SECTIONS, section_code
from data.models import Card, CardStatus, Question, Review, StudySession
from studyapp.days import as_utc
from studyapp.exam import Readiness, readiness
from studyapp.reports.model import (
    FORECAST_DAYS,
    HEATMAP_WEEKS,
    MOCK_EXAMS_LIMIT,
    RETENTION_WINDOWS,
    WEAKEST_LIMIT,
    Activity,
    DayActivity,
    DueForecast,
    ExamReadiness,
    GroupProgress,
    GroupScope,
    KindAccuracy,
    MockExamResult,
    QuestionProgress,
    Report,
    Retention,
    SectionScore,
)
from studyapp.scheduler import CardState, StudyScheduler

_EPOCH_DAY = date(1970, 1, 1)
_SECONDS_PER_DAY = 86400
_JULIAN_DAY_OF_EPOCH = 2440587.5  # julianday('1970-01-01')


@dataclass
class _QuestionFacts:
    """Everything the report knows about one active question, merged from the queries."""

    id: str
    title: str
    kind: str
    syllabus: list[str]  # the tags, as studyapp.exam.readiness reads them
    sections: tuple[str, ...]  # their section codes
    course: str
    course_part: str  # "Day2" of "Day2 Section4"
    card: CardState | None  # None until the question moved a schedule
    recall_now: float | None
    answers: int = 0
    correct: int = 0
    time_spent_ms: int = 0
    # window (days) → [review answers, recalled]
    retention: dict[int, list[int]] = field(
        default_factory=lambda: {days: [0, 0] for days in RETENTION_WINDOWS}
    )

    @property
    def weakness(self) -> float:
        assert self.card is not None and self.recall_now is not None
        return (1.0 - self.recall_now) * (1 + self.card.lapses)


def build_report(scheduler: StudyScheduler, profile: str, *, now: datetime | None = None) -> Report:
    """The report for the scheduler's profile at ``now`` (default: the scheduler's clock).

    Answers given after ``now`` are left out, so a report for a past moment is what the
    learner would have seen then (card state is the current cache either way).
    """
    now = as_utc(now if now is not None else scheduler.clock())
    local_now = now.astimezone(scheduler.zone)
    today = local_now.date()
    offset_s = int(local_now.utcoffset().total_seconds())  # type: ignore[union-attr]
    with scheduler.database.read() as session:
        days = _LocalDays(offset_s, today, session.get_bind().dialect.name)
        facts = _question_facts(session, scheduler, now)
        log_totals = _add_answer_totals(session, scheduler.profile_id, now, facts)
        _add_retention(session, scheduler.profile_id, now, days, facts)
        daily = _answers_per_day(session, scheduler.profile_id, now, days)
        mock_exams = _mock_exams(session, scheduler.profile_id, now, scheduler.zone)
    questions = list(facts.values())
    settings = scheduler.settings
    # readiness reads a question's id and syllabus tags, which the facts carry, and the
    # cards the facts were read with.
    studied = {q.id: q.card for q in questions if q.card is not None}
    exam = readiness(scheduler, questions, now, cards=studied)  # type: ignore[arg-type]
    on_exam = _recall_on_exam(exam)
    overall_on_exam = exam.predicted_recall if exam is not None else None
    return Report(
        profile=profile,
        generated_at=local_now,
        today=today,
        exam_date=settings.exam_date,
        desired_retention=settings.desired_retention,
        overall=_group("overall", "all", "", questions, overall_on_exam),
        sections=tuple(
            _group(
                "section",
                code,
                name,
                [q for q in questions if code in q.sections],
                on_exam.get(code),
                optional=code in OPTIONAL_SECTIONS,
            )
            for code, name in SECTIONS.items()
        ),
        course_parts=tuple(
            _group("course", part, part, [q for q in questions if q.course_part == part], None)
            for part in COURSE_PARTS
        ),
        forecast=DueForecast(today, tuple(scheduler.due_forecast(FORECAST_DAYS, now))),
        activity=_activity(daily, log_totals, today),
        weakest=_weakest(questions, settings.desired_retention, scheduler.zone),
        leeches=tuple(
            _question_progress(q, scheduler.zone)
            for q in sorted(
                (q for q in questions if q.card is not None and q.card.leech),
                key=lambda q: (-q.card.lapses, q.id),  # type: ignore[union-attr]
            )
        ),
        accuracy_by_kind=_accuracy_by_kind(questions),
        readiness=_exam_readiness(exam),
        mock_exams=mock_exams,
    )


class _LocalDays:
    """Local calendar days as day numbers (days since 1970-01-01), in SQL and in Python.

    SQL counts days at one UTC offset, the report's: exact in zones without daylight saving
    time (Japan), and off by at most the hour around a change elsewhere.
    """

    def __init__(self, offset_s: int, today: date, dialect: str):
        self.offset_s = offset_s
        self.today = (today - _EPOCH_DAY).days
        self.dialect = dialect

    def of(self, moment: ColumnElement[datetime]) -> ColumnElement[int]:
        if self.dialect == "sqlite":
            # julianday() is twice as fast as extract's strftime('%s') over a whole log.
            offset_days = self.offset_s / _SECONDS_PER_DAY - _JULIAN_DAY_OF_EPOCH
            return cast(func.julianday(moment) + offset_days, Integer)
        return (cast(extract("epoch", moment), Integer) + self.offset_s) // _SECONDS_PER_DAY

    def start(self, number: int) -> datetime:
        """The moment (UTC) local day ``number`` begins."""
        return datetime.fromtimestamp(number * _SECONDS_PER_DAY - self.offset_s, UTC)

    @staticmethod
    def to_date(number: int) -> date:
        return _EPOCH_DAY + timedelta(days=number)


def _question_facts(
    session: Session, scheduler: StudyScheduler, now: datetime
) -> dict[str, _QuestionFacts]:
    """Every active question in bank order, with its card state and recall now."""
    # Card columns rather than Card objects: the ORM's per-object bookkeeping would cost more
    # than the FSRS arithmetic. CardState.from_row reads them by name.
    rows = session.execute(
        select(
            Question.id.label("id_"),
            Question.title,
            Question.kind,
            Question.syllabus,
            Question.course,
            *Card.__table__.columns,
        )
        .outerjoin(
            Card, and_(Card.question_id == Question.id, Card.profile_id == scheduler.profile_id)
        )
        .where(Question.retired_at.is_(None))
        .order_by(Question.file, Question.line)
    )
    facts = {}
    for row in rows:
        # No card row, or one for a question suspended before it was ever studied: unseen.
        studied = row.status is not None and row.status != CardStatus.NEW
        card = CardState.from_row(row) if studied else None
        facts[row.id_] = _QuestionFacts(
            id=row.id_,
            title=row.title,
            kind=row.kind,
            syllabus=row.syllabus,
            sections=tuple(section_code(tag) for tag in row.syllabus),
            course=row.course,
            course_part=row.course.strip().partition(" ")[0],
            card=card,
            recall_now=scheduler.retrievability(card, now) if card is not None else None,
        )
    return facts


def _add_answer_totals(
    session: Session, profile_id: int, now: datetime, facts: dict[str, _QuestionFacts]
) -> tuple[int, int]:
    """Answers, right answers and time spent per question, over the whole log.

    Returns the log's answers and milliseconds spent, questions that left the bank included.
    """
    right = or_(Review.correct.is_(True), and_(Review.correct.is_(None), Review.rating > 1))
    rows = session.execute(
        select(
            Review.question_id,
            func.count(),
            func.count().filter(right),
            func.coalesce(func.sum(Review.duration_ms), 0),
        )
        .where(Review.profile_id == profile_id, Review.reviewed_at <= now)
        .group_by(Review.question_id)
    )
    log_answers = log_time_ms = 0
    for question_id, answers, correct, time_spent_ms in rows:
        log_answers += answers
        log_time_ms += time_spent_ms
        question = facts.get(question_id)
        if question is not None:  # answers to retired questions count in the activity only
            question.answers, question.correct = answers, correct
            question.time_spent_ms = time_spent_ms
    return log_answers, log_time_ms


def _add_retention(
    session: Session,
    profile_id: int,
    now: datetime,
    days: _LocalDays,
    facts: dict[str, _QuestionFacts],
) -> None:
    """Review answers and recalled ones per question in each retention window.

    A schedule-moving answer is a review answer when the question's previous such answer
    was on an earlier day. Inside the longest window the previous answer is found with
    LAG(); for a question's first answer in the window it lies before the window, so it
    suffices that one exists. Only the window's answers are read, not the whole log.
    """
    first_day = days.today - max(RETENTION_WINDOWS) + 1
    window_start = days.start(first_day)
    day = days.of(Review.reviewed_at)
    recent = (
        select(
            Review.question_id,
            Review.rating,
            day.label("day"),
            func.lag(day)
            .over(partition_by=Review.question_id, order_by=(Review.reviewed_at, Review.id))
            .label("previous_day"),
        )
        .where(
            Review.profile_id == profile_id,
            Review.moves_schedule.is_(True),
            Review.reviewed_at >= window_start,
            Review.reviewed_at <= now,
        )
        .subquery()
    )
    earlier = aliased(Review)
    answered_before = exists().where(
        earlier.profile_id == profile_id,
        earlier.question_id == recent.c.question_id,
        earlier.moves_schedule.is_(True),
        earlier.reviewed_at < window_start,
    )
    counts = []
    for window in RETENTION_WINDOWS:
        in_window = recent.c.day > days.today - window
        counts += [
            func.count().filter(in_window),
            func.count().filter(in_window, recent.c.rating > 1),
        ]
    rows = session.execute(
        select(recent.c.question_id, *counts)
        .where(
            or_(
                recent.c.previous_day < recent.c.day,
                and_(recent.c.previous_day.is_(None), answered_before),
            )
        )
        .group_by(recent.c.question_id)
    )
    for question_id, *values in rows:
        question = facts.get(question_id)
        if question is not None:
            for index, window in enumerate(RETENTION_WINDOWS):
                question.retention[window] = values[2 * index : 2 * index + 2]


def _answers_per_day(
    session: Session, profile_id: int, now: datetime, days: _LocalDays
) -> dict[date, int]:
    """Answers on every local day with answers, over the whole log.

    Counting alone reads only the (profile, time) index, not the table.
    """
    day = days.of(Review.reviewed_at).label("day")
    rows = session.execute(
        select(day, func.count())
        .where(Review.profile_id == profile_id, Review.reviewed_at <= now)
        .group_by(day)
    )
    return {days.to_date(number): answers for number, answers in rows}


def _group(
    scope: GroupScope,
    key: str,
    name: str,
    questions: Sequence[_QuestionFacts],
    recall_on_exam: float | None,
    *,
    optional: bool = False,
) -> GroupProgress:
    seen = [q for q in questions if q.card is not None]
    recalls = [q.recall_now for q in seen if q.recall_now is not None]
    return GroupProgress(
        scope=scope,
        key=key,
        name=name,
        optional=optional,
        questions=len(questions),
        seen=len(seen),
        unseen=len(questions) - len(seen),
        retention_7d=_retention(7, questions),
        retention_30d=_retention(30, questions),
        recall_now=sum(recalls) / len(recalls) if recalls else None,
        lapses=sum(q.card.lapses for q in seen),  # type: ignore[union-attr]
        answers=sum(q.answers for q in questions),
        time_spent_s=sum(q.time_spent_ms for q in questions) / 1000,
        recall_on_exam=recall_on_exam,
    )


def _exam_readiness(exam: Readiness | None) -> ExamReadiness | None:
    if exam is None:
        return None
    return ExamReadiness(
        exam_date=exam.exam_date,
        days_to_exam=exam.days_to_exam,
        target_recall=exam.target_recall,
        predicted_recall=exam.predicted_recall,
        on_track=exam.on_track,
        below_target=exam.below_target,
        new_per_day_needed=exam.new_per_day_needed,
        final_week_reviews_per_day=exam.final_week_reviews_per_day,
    )


def _recall_on_exam(exam: Readiness | None) -> dict[str, float]:
    """Section code → predicted recall on exam day; sections without questions are absent."""
    if exam is None:
        return {}
    return {section_code(s.section): s.predicted_recall for s in exam.sections}


def _mock_exams(
    session: Session, profile_id: int, now: datetime, zone: tzinfo | None
) -> tuple[MockExamResult, ...]:
    """The latest finished mock exams, oldest first; an exam closed without a score (never
    graded) is left out."""
    rows = session.execute(
        select(StudySession.started_at, StudySession.ended_at, StudySession.details)
        .where(
            StudySession.profile_id == profile_id,
            StudySession.kind == "exam",
            StudySession.ended_at.is_not(None),
            StudySession.ended_at <= now,
        )
        .order_by(StudySession.started_at.desc(), StudySession.id.desc())
    )
    graded = [row for row in rows if "score" in row.details]
    return tuple(_mock_exam(*row, zone) for row in reversed(graded[:MOCK_EXAMS_LIMIT]))


def _mock_exam(
    started_at: datetime, ended_at: datetime, details: dict, zone: tzinfo | None
) -> MockExamResult:
    """One graded exam from its session details (written by studyapp.mock_exam)."""
    sections = []
    for label, (correct, total) in details.get("sections", {}).items():
        code = section_code(label)
        name = SECTIONS.get(code, label.partition(" ")[2])
        sections.append(
            SectionScore(code, name, correct, total, correct / total if total else None)
        )
    order = list(SECTIONS)
    sections.sort(key=lambda s: order.index(s.key) if s.key in order else len(order))
    correct, total = details["score"], details.get("total", 0)
    return MockExamResult(
        started_at=as_utc(started_at).astimezone(zone),
        correct=correct,
        total=total,
        score=correct / total if total else None,
        time_used_s=(as_utc(ended_at) - as_utc(started_at)).total_seconds(),
        time_allowed_s=details.get("minutes", 0) * 60,
        counted_as_reviews=bool(details.get("counted_as_reviews", False)),
        sections=tuple(sections),
    )


def _retention(window: int, questions: Iterable[_QuestionFacts]) -> Retention:
    answers = recalled = 0
    for question in questions:
        counted, kept = question.retention[window]
        answers += counted
        recalled += kept
    return Retention.of(window, answers, recalled)


def _question_progress(question: _QuestionFacts, zone: tzinfo | None) -> QuestionProgress:
    card = question.card
    assert card is not None and question.recall_now is not None
    return QuestionProgress(
        id=question.id,
        title=question.title,
        kind=question.kind,
        sections=question.sections,
        course=question.course,
        reps=card.reps,
        lapses=card.lapses,
        recall_now=question.recall_now,
        weakness=question.weakness,
        due=card.due.astimezone(zone) if card.due else None,
        suspended=card.suspended,
        leech=card.leech,
        answers=question.answers,
        accuracy=question.correct / question.answers if question.answers else None,
    )


def _weakest(
    questions: Iterable[_QuestionFacts], desired_retention: float, zone: tzinfo | None
) -> tuple[QuestionProgress, ...]:
    """The weak questions (see the model), weakest first; suspended ones are set aside."""
    weak = [
        q
        for q in questions
        if q.card is not None
        and not q.card.suspended
        and (q.card.lapses > 0 or q.recall_now < desired_retention)  # type: ignore[operator]
    ]
    weak.sort(key=lambda q: (-q.weakness, q.id))
    return tuple(_question_progress(q, zone) for q in weak[:WEAKEST_LIMIT])


def _accuracy_by_kind(questions: Iterable[_QuestionFacts]) -> tuple[KindAccuracy, ...]:
    by_kind: dict[str, list[_QuestionFacts]] = defaultdict(list)
    for question in questions:
        by_kind[question.kind].append(question)
    accuracies = []
    for kind in Kind:  # the bank format's order of kinds
        if kind.value in by_kind:
            answers = sum(q.answers for q in by_kind[kind.value])
            correct = sum(q.correct for q in by_kind[kind.value])
            accuracies.append(
                KindAccuracy(
                    kind=kind.value,
                    questions=len(by_kind[kind.value]),
                    answers=answers,
                    correct=correct,
                    accuracy=correct / answers if answers else None,
                )
            )
    return tuple(accuracies)


def _activity(daily: dict[date, int], log_totals: tuple[int, int], today: date) -> Activity:
    this_sunday = today - timedelta(days=(today.weekday() + 1) % 7)
    first_day = this_sunday - timedelta(weeks=HEATMAP_WEEKS - 1)
    calendar_days = (first_day + timedelta(days=n) for n in range((today - first_day).days + 1))
    calendar = tuple(DayActivity(day, daily.get(day, 0)) for day in calendar_days)
    active = sorted(daily)
    return Activity(
        first_day=first_day,
        today=today,
        days=calendar,
        current_streak=_current_streak(set(active), today),
        longest_streak=_longest_streak(active),
        study_days=len(active),
        answers=log_totals[0],
        time_spent_s=log_totals[1] / 1000,
    )


def _current_streak(active: set[date], today: date) -> int:
    """Days in a row with answers up to today; a streak alive yesterday still counts today."""
    day = today if today in active else today - timedelta(days=1)
    streak = 0
    while day in active:
        streak += 1
        day -= timedelta(days=1)
    return streak


def _longest_streak(active: Sequence[date]) -> int:
    longest = run = 0
    previous: date | None = None
    for day in active:
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        longest = max(longest, run)
        previous = day
    return longest
