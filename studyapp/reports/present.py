"""What the human-readable report formats share: labels, number formats and tables.

The text, Markdown and HTML renderers (and the TUI's report screen) lay out the same
headings, summary and tables; they are defined once here and translated when rendered, so a
column added here (say, recall on exam day) appears in every format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from studyapp.i18n import _
from studyapp.reports.model import (
    FORECAST_DAYS,
    HEATMAP_WEEKS,
    GroupProgress,
    KindAccuracy,
    MockExamResult,
    QuestionProgress,
    Report,
    SectionScore,
)

Row = TypeVar("Row")
NOT_AVAILABLE = "—"


@dataclass(frozen=True)
class Column(Generic[Row]):
    title: str
    cell: Callable[[Row], str]
    numeric: bool = True  # right-aligned
    # The cell's figure as a share from 0 to 1, for formats that draw it as a bar too.
    fraction: Callable[[Row], float | None] | None = None


@dataclass(frozen=True)
class Table(Generic[Row]):
    """A titled table: columns and the rows they format."""

    title: str
    columns: list[Column[Row]]
    rows: list[Row]

    def cells(self) -> list[list[str]]:
        return [[column.cell(row) for column in self.columns] for row in self.rows]


# -- numbers and calendar labels ---------------------------------------------------------------


def percent(value: float | None) -> str:
    return NOT_AVAILABLE if value is None else f"{value:.0%}"


def count(value: int) -> str:
    return f"{value:,}"


def duration(seconds: float) -> str:
    """Time spent, to the minute: "3時間12分", "12分", "45秒"."""
    minutes = round(seconds / 60)
    if minutes >= 60:
        return _("{hours}h {minutes}m").format(hours=minutes // 60, minutes=minutes % 60)
    if minutes >= 1:
        return _("{minutes}m").format(minutes=minutes)
    return _("{seconds}s").format(seconds=round(seconds))


def days(value: int) -> str:
    return _("{days} days").format(days=count(value))


def kind_label(kind: str) -> str:
    labels = {
        "choice": _("single choice"),
        "multi": _("multiple choice"),
        "numeric": _("numeric"),
        "shape": _("shape"),
        "code": _("code"),
        "text": _("free text"),
    }
    return labels.get(kind, kind)


def weekday_labels() -> list[str]:
    """Row labels of the activity calendar, Sunday first."""
    return [_("Sun"), _("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat")]


def month_label(month: int) -> str:
    labels = (
        _("Jan"), _("Feb"), _("Mar"), _("Apr"), _("May"), _("Jun"),
        _("Jul"), _("Aug"), _("Sep"), _("Oct"), _("Nov"), _("Dec"),
    )  # fmt: skip
    return labels[month - 1]


# -- words --------------------------------------------------------------------------------------


def title(report: Report) -> str:
    return _("Study report: {profile}").format(profile=report.profile)


def generated(report: Report) -> str:
    return _("as of {moment}").format(moment=report.generated_at.strftime("%Y-%m-%d %H:%M"))


def start_hint(report: Report, *, in_app: bool = False) -> list[str]:
    """What an empty report says instead of figures, a sentence a line; ``in_app`` for the
    TUI's report screen, where studyapp is already running."""
    sections = sum(1 for group in report.sections if group.questions)
    return [
        _("No answers yet."),
        _("Press Esc, then `r` on the home screen to start today's review.")
        if in_app
        else _("Run `studyapp` and press `r` to start today's review."),
        _("The bank has {questions} questions in {sections} syllabus sections.").format(
            questions=count(report.overall.questions), sections=sections
        ),
        *exam_hint(report),
        _("This report fills in as you study."),
    ]


def exam_hint(report: Report) -> list[str]:
    """For an empty report with an exam date ahead: the pace that covers the bank in time."""
    readiness = report.readiness
    if readiness is None or readiness.days_to_exam <= 0:
        return []
    return [
        _("Your exam is in {days}: {new} new questions a day cover the bank in time.").format(
            days=days(readiness.days_to_exam), new=count(readiness.new_per_day_needed)
        )
    ]


def none_yet() -> str:
    return _("None so far.")


def headings() -> dict[str, str]:
    return {
        "summary": _("Summary"),
        "sections": _("Syllabus sections"),
        "course": _("Course parts"),
        "forecast": _("Reviews due in the next {days} days").format(days=FORECAST_DAYS),
        "activity": _("Daily activity ({weeks} weeks)").format(weeks=HEATMAP_WEEKS),
        "weakest": _("Weakest questions"),
        "leeches": _("Leeches"),
        "kinds": _("Accuracy by question kind"),
        "mock_exams": _("Mock exams"),
        "mock_trend": _("Mock exam scores"),
        "definitions": _("How the figures are counted"),
    }


def definitions(report: Report) -> list[str]:
    lines = [
        _(
            "Retention: share of review answers (a later day than the previous answer) not rated Again."
        ),
        _("Recall now: the FSRS chance of recalling a question now, averaged over seen questions."),
    ]
    if report.readiness is not None:
        lines += [
            _("On exam day: the FSRS chance of recalling a question at noon on exam day."),
            _(
                "It is averaged over all questions, unseen ones counting as 0; a question counts "
                "in every section it is tagged with."
            ),
        ]
    return [
        *lines,
        _("Weakness: (1 - recall now) × (1 + lapses)."),
        _("* An option of the syllabus: taught in certified courses, not examined."),
    ]


def summary(report: Report) -> list[tuple[str, str]]:
    """The headline figures as (label, value) pairs."""
    overall, activity = report.overall, report.activity
    return [
        (
            seen_heading(),
            _("{seen} of {questions} questions ({unseen} unseen)").format(
                seen=count(overall.seen),
                questions=count(overall.questions),
                unseen=count(overall.unseen),
            ),
        ),
        (
            _("Retention"),
            _("{week} over 7 days ({week_answers} reviews), {month} over 30 days").format(
                week=percent(overall.retention_7d.rate),
                week_answers=count(overall.retention_7d.answers),
                month=percent(overall.retention_30d.rate),
            ),
        ),
        (recall_heading(), percent(overall.recall_now)),
        (
            _("Activity"),
            _("{answers} answers in {time} on {study_days}").format(
                answers=count(activity.answers),
                time=duration(activity.time_spent_s),
                study_days=days(activity.study_days),
            ),
        ),
        (
            _("Streak"),
            _("{current} (longest {longest})").format(
                current=days(activity.current_streak), longest=days(activity.longest_streak)
            ),
        ),
        (_("Due today"), count(report.forecast.counts[0])),
        *exam_summary(report),
    ]


def exam_summary(report: Report) -> list[tuple[str, str]]:
    """The exam date and, before it, how ready the learner is: (label, value) pairs."""
    readiness = report.readiness
    if readiness is None:
        return []
    when = readiness.exam_date.isoformat()
    if readiness.days_to_exam < 0:
        return [
            (
                _("Exam date"),
                _("{date} ({days} ago)").format(date=when, days=days(-readiness.days_to_exam)),
            )
        ]
    pairs = [
        (
            _("Exam date"),
            _("{date} (in {days})").format(date=when, days=days(readiness.days_to_exam))
            if readiness.days_to_exam
            else _("{date} (today)").format(date=when),
        ),
        (
            _("On exam day"),
            _("{predicted} predicted, target {target}: {verdict}").format(
                predicted=percent(readiness.predicted_recall),
                target=percent(readiness.target_recall),
                verdict=on_track_label(report),
            ),
        ),
    ]
    if readiness.days_to_exam:
        pairs.append(
            (
                _("Needed a day"),
                _("{new} new questions a day; {answers} reviews a day in the last week").format(
                    new=count(readiness.new_per_day_needed),
                    answers=count(readiness.final_week_reviews_per_day),
                ),
            )
        )
    return pairs


def on_track_label(report: Report) -> str:
    readiness = report.readiness
    assert readiness is not None
    if readiness.on_track:
        return _("on track")
    return _("below target ({questions} studied questions below it)").format(
        questions=count(readiness.below_target)
    )


# -- tables -------------------------------------------------------------------------------------


def seen_heading() -> str:
    return _("Seen")


def recall_heading() -> str:
    return _("Recall now")


def seen_cell(group: GroupProgress) -> str:
    return f"{group.seen}/{group.questions}"


def _group_figures(*, on_exam: bool = False) -> list[Column[GroupProgress]]:
    """The figures of a group; ``on_exam`` adds predicted recall on exam day.

    The recall columns' titles are shorter than the summary's labels and wrap in two lines,
    so that the section table keeps its names within 100 columns.
    """
    exam = (
        [
            Column(
                _("Recall (exam day)"),
                lambda g: percent(g.recall_on_exam),
                fraction=lambda g: g.recall_on_exam,
            )
        ]
        if on_exam
        else []
    )
    return [
        Column(seen_heading(), seen_cell),
        Column(_("Retention 7d"), lambda g: percent(g.retention_7d.rate)),
        Column(_("Retention 30d"), lambda g: percent(g.retention_30d.rate)),
        Column(_("Recall (now)"), lambda g: percent(g.recall_now), fraction=lambda g: g.recall_now),
        *exam,
        Column(_("Lapses"), lambda g: count(g.lapses)),
        Column(_("Time"), lambda g: duration(g.time_spent_s)),
    ]


def section_label(group: GroupProgress) -> str:
    """ "3-4 畳み込みニューラルネットワーク", starred when an option."""
    return f"{group.key} {section_name(group)}"


def section_name(group: GroupProgress) -> str:
    """The section's name, starred when it is an option (explained in the definitions)."""
    return f"{group.name} *" if group.optional else group.name


def sections_table(report: Report) -> Table[GroupProgress]:
    # One column for number and name: with the exam-day figures, a separate number column
    # would leave the longest names too little room in 100 columns.
    columns = [
        Column(_("Section"), section_label, numeric=False),
        *_group_figures(on_exam=report.readiness is not None),
    ]
    return Table(headings()["sections"], columns, list(report.sections))


def course_table(report: Report) -> Table[GroupProgress]:
    columns = [Column(_("Course part"), lambda g: g.name, numeric=False), *_group_figures()]
    return Table(headings()["course"], columns, list(report.course_parts))


def _question_columns() -> list[Column[QuestionProgress]]:
    return [
        Column(_("Question"), lambda q: q.title, numeric=False),
        Column(_("Section"), lambda q: ", ".join(q.sections), numeric=False),
        Column(_("Lapses"), lambda q: count(q.lapses)),
        Column(_("Recall (now)"), lambda q: percent(q.recall_now)),
        Column(_("Accuracy"), lambda q: percent(q.accuracy)),
        Column(_("Due"), lambda q: q.due.date().isoformat() if q.due else NOT_AVAILABLE),
    ]


def weakest_table(report: Report) -> Table[QuestionProgress]:
    return Table(headings()["weakest"], _question_columns(), list(report.weakest))


def leeches_table(report: Report) -> Table[QuestionProgress]:
    columns = [
        *_question_columns(),
        Column(_("Suspended"), lambda q: _("yes") if q.suspended else "", numeric=False),
    ]
    return Table(headings()["leeches"], columns, list(report.leeches))


def kinds_table(report: Report) -> Table[KindAccuracy]:
    columns = [
        Column(_("Kind"), lambda k: kind_label(k.kind), numeric=False),
        Column(_("Questions"), lambda k: count(k.questions)),
        Column(_("Answers"), lambda k: count(k.answers)),
        Column(_("Accuracy"), lambda k: percent(k.accuracy)),
    ]
    return Table(headings()["kinds"], columns, list(report.accuracy_by_kind))


def exam_day(exam: MockExamResult) -> str:
    return exam.started_at.strftime("%Y-%m-%d %H:%M")


def mock_exams_table(report: Report) -> Table[MockExamResult]:
    """Every finished mock exam, the latest first."""
    columns = [
        Column(_("Date"), exam_day, numeric=False),
        Column(_("Score"), lambda e: f"{e.correct}/{e.total}"),
        Column("%", lambda e: percent(e.score)),
        Column(
            _("Time used"),
            lambda e: _("{used} of {allowed}").format(
                used=duration(e.time_used_s), allowed=duration(e.time_allowed_s)
            ),
        ),
        Column(
            _("Counted as reviews"),
            lambda e: _("yes") if e.counted_as_reviews else _("no"),
            numeric=False,
        ),
    ]
    return Table(headings()["mock_exams"], columns, list(reversed(report.mock_exams)))


def latest_mock_exam_table(report: Report) -> Table[SectionScore]:
    """The latest mock exam's score per syllabus section (no rows without a mock exam)."""
    latest = report.mock_exams[-1] if report.mock_exams else None
    title = (
        _("Latest mock exam by section ({date})").format(date=exam_day(latest)) if latest else ""
    )
    columns = [
        Column(_("Section"), lambda s: f"{s.key} {s.name}", numeric=False),
        Column(_("Right"), lambda s: f"{s.correct}/{s.total}"),
        Column("%", lambda s: percent(s.rate)),
    ]
    return Table(title, columns, list(latest.sections) if latest else [])
