"""The report's charts in Unicode for the terminal and Markdown: forecast, activity, mock
exam scores, and the share bars the TUI's tables draw.

Drawn with studyapp.charts where it has the chart; each returns ``rich.text.Text`` lines
(``.plain`` for Markdown).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from studyapp.charts import heatmap, histogram
from studyapp.i18n import _
from studyapp.reports import present
from studyapp.reports.model import DayActivity, Report

_EIGHTHS = "▏▎▍▌▋▊▉"  # a cell filled one to seven eighths from the left
SCORE_BAR_WIDTH = 40


def forecast_chart(report: Report) -> list[Text]:
    """Columns per day, today first: two cells a day, 60 wide for 30 days."""
    lines = histogram([0, len(report.forecast.counts)], list(report.forecast.counts), height=6)
    peak = max(report.forecast.counts)
    caption = _("today … in {days} days; highest day: {peak}").format(
        days=len(report.forecast.counts), peak=present.count(peak)
    )
    return [*lines[:-1], Text(caption, style="dim")]


def activity_chart(report: Report) -> list[Text]:
    """The activity calendar: weeks as columns, Sunday … Saturday as rows, months above."""
    weeks = report.activity.weeks()
    grid = [[_answers(week[row]) for week in weeks] for row in range(7)]
    lines = heatmap(grid, row_labels=present.weekday_labels())
    label_cells = lines[0].cell_len - 2 * len(weeks)
    months = ""
    for index, week in enumerate(weeks):
        sunday = week[0]
        assert sunday is not None  # every week starts on or before today
        if sunday.day.day <= 7:  # the month's first Sunday: months are 4+ weeks, 8+ cells apart
            months += " " * (2 * index - cell_len(months)) + present.month_label(sunday.day.month)
    legend = _("answers a day: {low} … {high}").format(
        low=0, high=present.count(max(day.answers for day in report.activity.days))
    )
    return [Text(" " * label_cells + months, style="dim"), *lines[:-1], Text(legend, style="dim")]


def _answers(day: DayActivity | None) -> float | None:
    return None if day is None else float(day.answers)  # None: a day still to come


def fraction_bar(fraction: float | None, width: int, style: str = "cyan") -> Text:
    """``width`` cells filled from the left to ``fraction`` (0 to 1), in eighths of a cell;
    the rest is a dotted track (all of it for None)."""
    eighths = round(min(1.0, max(0.0, fraction or 0.0)) * width * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full + (_EIGHTHS[part - 1] if part else "")
    return Text.assemble((bar, style), ("·" * (width - len(bar)), "dim"))


def mock_exam_chart(report: Report) -> list[Text]:
    """One bar a mock exam, oldest first, on a 0–100% scale."""
    lines = [
        Text.assemble(
            f"{exam.started_at:%m-%d}  ",
            fraction_bar(exam.score, SCORE_BAR_WIDTH),
            f" {present.percent(exam.score):>4}",
        )
        for exam in report.mock_exams
    ]
    caption = _("score of each mock exam, oldest first; the bar is 0 … 100%")
    return [*lines, Text(caption, style="dim")]
