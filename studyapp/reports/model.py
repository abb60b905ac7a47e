"""The progress report as plain data: where the learner stands, what is weak, how they study.

:func:`studyapp.reports.build.build_report` fills these dataclasses from the database; the
renderers (text, Markdown, HTML, JSON) and the TUI's report screen only format them. Nothing
here prints, queries or imports Textual.

Definitions every renderer and test relies on:

- **seen**: a question with FSRS state, i.e. at least one answer that moved its schedule.
  Answers kept without moving the schedule (drills, mock exams) do not make a question seen.
- **true retention** over the last N days (today and the N-1 days before): the share of
  *review answers* not rated Again. A review answer is an answer that moved the schedule and
  was given on a later local day than the question's previous schedule-moving answer; so the
  first answer to a question and the learning and relearning steps taken the same day (which
  test short-term memory) are left out, as Anki's "true retention" leaves out learning
  answers. ``rate`` is None when there was no review answer in the window.
- **recall now**: FSRS retrievability (predicted probability of recall) at the report's time,
  from each card's cached state; a group's figure is the mean over its seen questions, None
  when it has none (unseen questions are counted in ``unseen``, not as zeros).
- **lapses**: times a question in review was forgotten (rated Again), from the card state.
- **time spent** and **answers**: every answer in the log, schedule-moving or not.
- **accuracy**: the share of answers that were right; self-graded (free-text) answers count
  as right unless rated Again.
- **weak questions**: studied, unsuspended questions that lapsed at least once or whose
  recall now is below the desired retention, ranked by **weakness**
  ``(1 - recall now) × (1 + lapses)``: how likely a question is forgotten now, weighted by
  how often it was forgotten before.
- **days** are local calendar days in the learner's time zone at the report's UTC offset.
- **exam day** figures (with an exam date set) are studyapp.exam's readiness, copied, never
  recomputed: FSRS retrievability at noon of the exam day over *every* question of a group,
  unseen ones counting as 0 (so "exam day" is not comparable with "recall now", which leaves
  unseen questions out); a question counts in every section it is tagged with.
- **mock exams** are finished study sessions of kind ``exam`` (studyapp.mock_exam); their
  answers count in the activity and time spent like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

GroupScope = Literal["overall", "section", "course"]

REPORT_FORMAT = "studyapp-report"
REPORT_VERSION = 1
RETENTION_WINDOWS = (7, 30)
FORECAST_DAYS = 30
HEATMAP_WEEKS = 26
WEAKEST_LIMIT = 10
MOCK_EXAMS_LIMIT = 20  # the most recent ones; a learner takes a handful before the exam


@dataclass(frozen=True)
class Retention:
    """True retention over the last ``days`` local days (see the module docstring)."""

    days: int
    answers: int  # review answers in the window
    recalled: int  # of those, not rated Again
    rate: float | None  # recalled / answers; None without answers

    @classmethod
    def of(cls, days: int, answers: int, recalled: int) -> Retention:
        return cls(days, answers, recalled, recalled / answers if answers else None)


@dataclass(frozen=True)
class GroupProgress:
    """Progress on a group of questions: the whole bank, a syllabus section or a course part.

    ``scope`` and ``key`` identify the group for a drill (``section`` "3-4", ``course``
    "Day2"). ``recall_on_exam`` is set for the whole bank and the syllabus sections when an
    exam date is set (readiness has no figure per course part).
    """

    scope: GroupScope
    key: str  # "all", a section code such as "3-4", or a course part such as "Day2"
    name: str  # "畳み込みニューラルネットワーク", "Day2", …
    optional: bool  # a syllabus section marked "(option)": taught, not examined
    questions: int  # active questions in the bank
    seen: int
    unseen: int
    retention_7d: Retention
    retention_30d: Retention
    recall_now: float | None  # mean retrievability over the seen questions
    lapses: int
    answers: int
    time_spent_s: float
    recall_on_exam: float | None  # mean predicted recall on exam day, unseen as 0


@dataclass(frozen=True)
class QuestionProgress:
    """One studied question, for the weakest-questions and leech lists."""

    id: str
    title: str
    kind: str
    sections: tuple[str, ...]  # section codes, e.g. ("3-4",)
    course: str
    reps: int  # schedule-moving answers
    lapses: int
    recall_now: float
    weakness: float
    due: datetime | None  # in the learner's time zone
    suspended: bool
    leech: bool
    answers: int  # every answer, schedule-moving or not
    accuracy: float | None


@dataclass(frozen=True)
class KindAccuracy:
    """How often answers to one kind of question were right."""

    kind: str  # a content.model.Kind value
    questions: int  # active questions of this kind
    answers: int
    correct: int
    accuracy: float | None  # correct / answers; None without answers


@dataclass(frozen=True)
class DayActivity:
    day: date
    answers: int


@dataclass(frozen=True)
class Activity:
    """The daily-activity calendar and study habits.

    ``days`` runs from ``first_day`` (a Sunday, so that the calendar's first column is a full
    week) to today, with a zero entry for every day without answers.
    """

    first_day: date
    today: date
    days: tuple[DayActivity, ...]
    current_streak: int  # consecutive days with answers, ending today (or yesterday)
    longest_streak: int
    study_days: int  # days with answers, ever
    answers: int  # every answer in the log, ever
    time_spent_s: float

    def weeks(self) -> list[list[DayActivity | None]]:
        """The calendar as columns of weeks, each Sunday … Saturday; None after today."""
        columns: list[list[DayActivity | None]] = []
        for start in range(0, len(self.days), 7):
            week: list[DayActivity | None] = list(self.days[start : start + 7])
            columns.append(week + [None] * (7 - len(week)))
        return columns


@dataclass(frozen=True)
class DueForecast:
    """Cards falling due on each of the next days; the first day (today) includes overdue."""

    first_day: date
    counts: tuple[int, ...]

    def days(self) -> list[tuple[date, int]]:
        return [
            (self.first_day + timedelta(days=offset), count)
            for offset, count in enumerate(self.counts)
        ]


@dataclass(frozen=True)
class ExamReadiness:
    """How ready the learner is for the exam date: studyapp.exam.Readiness, copied."""

    exam_date: date
    days_to_exam: int  # 0 on exam day, negative after it
    target_recall: float
    predicted_recall: float  # over the whole bank on exam day, unseen questions as 0
    on_track: bool  # predicted_recall >= target_recall
    below_target: int  # studied questions predicted below target on exam day
    new_per_day_needed: int  # to introduce every unseen question before the last stretch
    final_week_reviews_per_day: int  # reviews a day in the last stretch before the exam


@dataclass(frozen=True)
class SectionScore:
    """Right answers in one syllabus section of a mock exam."""

    key: str  # "3-4"
    name: str
    correct: int
    total: int
    rate: float | None  # correct / total; None without questions


@dataclass(frozen=True)
class MockExamResult:
    """One finished mock exam."""

    started_at: datetime  # in the learner's time zone
    correct: int
    total: int
    score: float | None  # correct / total; None without questions
    time_used_s: float  # from start to finish
    time_allowed_s: float
    counted_as_reviews: bool  # whether its answers moved the FSRS schedule
    sections: tuple[SectionScore, ...]  # in syllabus order


@dataclass(frozen=True)
class Report:
    """Everything ``studyapp report`` shows, for one profile at one moment."""

    profile: str
    generated_at: datetime  # in the learner's time zone
    today: date  # the local day of ``generated_at``
    exam_date: date | None
    desired_retention: float
    overall: GroupProgress
    sections: tuple[GroupProgress, ...]  # the 24 syllabus sections, in syllabus order
    course_parts: tuple[GroupProgress, ...]  # 応用数学, 機械学習, Day1 … Day4
    forecast: DueForecast
    activity: Activity
    weakest: tuple[QuestionProgress, ...]  # highest weakness first
    leeches: tuple[QuestionProgress, ...]  # most lapses first
    accuracy_by_kind: tuple[KindAccuracy, ...]
    readiness: ExamReadiness | None  # None without an exam date
    mock_exams: tuple[MockExamResult, ...]  # oldest first, at most MOCK_EXAMS_LIMIT

    @property
    def is_empty(self) -> bool:
        """No answer in the log yet: the report says how to start instead."""
        return self.activity.answers == 0

    @property
    def days_to_exam(self) -> int | None:
        return (self.exam_date - self.today).days if self.exam_date else None
