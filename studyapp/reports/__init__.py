"""Progress reports: where the learner stands, what is weak, how they study.

:func:`build_report` reads one profile's figures into a :class:`Report` (plain dataclasses,
see ``model``); :func:`render` formats it as terminal text, Markdown, HTML or JSON. The
TUI's report screen draws the same model with the tables of ``present``.
"""

from __future__ import annotations

from studyapp.reports.build import build_report
from studyapp.reports.model import Report

FORMATS = ("text", "markdown", "html", "json")
TEXT_WIDTH = 100

__all__ = ["FORMATS", "TEXT_WIDTH", "Report", "build_report", "render"]


def render(report: Report, format: str, *, color: bool = False, width: int = TEXT_WIDTH) -> str:
    """The report in ``format``; ``color`` and ``width`` apply to text for a terminal.

    Each renderer is imported when used: JSON and HTML need no Rich.
    """
    if format == "text":
        from studyapp.reports.as_text import render_text

        return render_text(report, width=width, color=color)
    if format == "markdown":
        from studyapp.reports.as_markdown import render_markdown

        return render_markdown(report)
    if format == "html":
        from studyapp.reports.as_html import render_html

        return render_html(report)
    if format == "json":
        from studyapp.reports.as_json import render_json

        return render_json(report)
    raise ValueError(f"{format!r} is not a report format ({', '.join(FORMATS)})")
