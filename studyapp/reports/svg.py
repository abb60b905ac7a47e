"""Inline SVG charts for the HTML report: section bars, the due forecast, the activity calendar,
mock exam scores.

Plain SVG elements with a ``viewBox`` (they scale with the page and print sharply), colours
from the page's palette, and a ``<title>`` on every bar and cell for the exact figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from studyapp.reports import present
from studyapp.reports.model import Activity, DueForecast, GroupProgress, MockExamResult

SEEN_COLOUR = "#8fb3de"
RECALL_COLOUR = "#2f6fb5"
TRACK_COLOUR = "#eef1f5"
AXIS_COLOUR = "#8a94a3"
# GitHub's contribution greens: no answers, then four levels up to the busiest day.
HEAT_COLOURS = ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39")


def _svg(width: float, height: float, body: Sequence[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" role="img" aria-label="{escape(label)}">'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", css: str = "") -> str:
    kind = f' class="{css}"' if css else ""
    return f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}"{kind}>{escape(text)}</text>'


def _rect(x: float, y: float, width: float, height: float, fill: str, tip: str = "") -> str:
    title = f"<title>{escape(tip)}</title>" if tip else ""
    return (
        f'<rect x="{x:g}" y="{y:g}" width="{max(width, 0):.1f}" height="{height:g}" '
        f'fill="{fill}" rx="2">{title}</rect>'
    )


def section_bars(groups: Sequence[GroupProgress], label: str) -> str:
    """Two bars per group: the share of its questions seen, and its mean recall now."""
    label_width, bar_width, figure_width, row_height = 250, 300, 56, 30
    width = label_width + 2 * (bar_width + figure_width)
    rows: list[str] = [
        _text(label_width, 12, present.seen_heading(), css="legend"),
        _text(label_width + bar_width + figure_width, 12, present.recall_heading(), css="legend"),
    ]
    for index, group in enumerate(groups):
        y = 20 + index * row_height
        name = present.section_label(group) if group.scope == "section" else group.name
        seen = group.seen / group.questions if group.questions else 0.0
        recall = group.recall_now or 0.0
        rows += [
            _text(0, y + 15, name, css="muted" if not group.questions else ""),
            _rect(label_width, y + 4, bar_width, 14, TRACK_COLOUR),
            _rect(label_width, y + 4, bar_width * seen, 14, SEEN_COLOUR, present.seen_cell(group)),
            _text(label_width + bar_width + 6, y + 15, present.seen_cell(group), css="figure"),
            _rect(label_width + bar_width + figure_width, y + 4, bar_width, 14, TRACK_COLOUR),
            _rect(
                label_width + bar_width + figure_width,
                y + 4,
                bar_width * recall,
                14,
                RECALL_COLOUR,
                present.percent(group.recall_now),
            ),
            _text(
                width - figure_width + 6, y + 15, present.percent(group.recall_now), css="figure"
            ),
        ]
    return _svg(width, 20 + len(groups) * row_height, rows, label)


def forecast_bars(forecast: DueForecast, label: str) -> str:
    """One column per day, today first (today's includes the overdue cards)."""
    left, bar_step, plot_height, top = 40, 26, 160, 10
    peak = max(forecast.counts) or 1
    width = left + bar_step * len(forecast.counts)
    body = [
        f'<line x1="{left}" y1="{top + plot_height}" x2="{width}" y2="{top + plot_height}" '
        f'stroke="{AXIS_COLOUR}"/>',
        _text(left - 6, top + 10, present.count(peak), anchor="end", css="figure"),
        _text(left - 6, top + plot_height, "0", anchor="end", css="figure"),
    ]
    for index, (day, due) in enumerate(forecast.days()):
        height = plot_height * due / peak
        x = left + index * bar_step + 3
        tip = f"{day.isoformat()}: {present.count(due)}"
        body.append(_rect(x, top + plot_height - height, bar_step - 6, height, RECALL_COLOUR, tip))
        if index % 7 == 0:  # a date a week
            centre = x + (bar_step - 6) / 2
            date_label = f"{day.month}/{day.day}"
            body.append(
                _text(centre, top + plot_height + 16, date_label, anchor="middle", css="figure")
            )
    return _svg(width, top + plot_height + 24, body, label)


def activity_calendar(activity: Activity, label: str) -> str:
    """GitHub's calendar: weeks as columns, Sunday … Saturday as rows, months above."""
    left, top, cell, gap = 34, 20, 14, 3
    weeks = activity.weeks()
    peak = max(day.answers for day in activity.days) or 1
    width = left + len(weeks) * (cell + gap)
    body = [
        _text(0, top + row * (cell + gap) + cell - 3, name, css="figure")
        for row, name in enumerate(present.weekday_labels())
        if row % 2 == 1  # Mon, Wed, Fri, as GitHub labels them
    ]
    for column, week in enumerate(weeks):
        x = left + column * (cell + gap)
        sunday = week[0]
        if sunday is not None and sunday.day.day <= 7:
            body.append(_text(x, top - 6, present.month_label(sunday.day.month), css="figure"))
        for row, day in enumerate(week):
            if day is None:
                continue
            level = 0 if day.answers == 0 else min(4, math.ceil(4 * day.answers / peak))
            tip = f"{day.day.isoformat()}: {present.count(day.answers)}"
            body.append(_rect(x, top + row * (cell + gap), cell, cell, HEAT_COLOURS[level], tip))
    legend_y = top + 7 * (cell + gap) + 6
    body.append(_text(left, legend_y + cell - 3, "0", css="figure"))
    for level, colour in enumerate(HEAT_COLOURS):
        body.append(_rect(left + 14 + level * (cell + gap), legend_y, cell, cell, colour))
    body.append(
        _text(left + 18 + 5 * (cell + gap), legend_y + cell - 3, present.count(peak), css="figure")
    )
    return _svg(width, legend_y + cell + 2, body, label)


def score_trend(exams: Sequence[MockExamResult], label: str) -> str:
    """One column a mock exam, oldest first, on a 0–100% scale with its score above it."""
    left, step, bar_width, plot_height, top = 40, 56, 30, 120, 20
    width = left + step * len(exams)
    body = []
    for level in (0.0, 0.5, 1.0):
        y = top + plot_height * (1 - level)
        body += [
            f'<line x1="{left}" y1="{y:g}" x2="{width}" y2="{y:g}" stroke="{TRACK_COLOUR if level else AXIS_COLOUR}"/>',
            _text(left - 6, y + 4, present.percent(level), anchor="end", css="figure"),
        ]
    for index, exam in enumerate(exams):
        height = plot_height * (exam.score or 0.0)
        x = left + index * step + (step - bar_width) / 2
        centre = x + bar_width / 2
        tip = f"{present.exam_day(exam)}: {exam.correct}/{exam.total}"
        body += [
            _rect(x, top + plot_height - height, bar_width, height, RECALL_COLOUR, tip),
            _text(
                centre,
                top + plot_height - height - 5,
                present.percent(exam.score),
                anchor="middle",
                css="figure",
            ),
            _text(
                centre,
                top + plot_height + 16,
                f"{exam.started_at.month}/{exam.started_at.day}",
                anchor="middle",
                css="figure",
            ),
        ]
    return _svg(width, top + plot_height + 24, body, label)
