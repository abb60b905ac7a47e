"""The report as Markdown: GitHub tables, and the charts as Unicode blocks in code fences."""

from __future__ import annotations

from studyapp.reports import present, unicode_charts
from studyapp.reports.model import Report


def render_markdown(report: Report) -> str:
    headings = present.headings()
    lines = [f"# {_escape(present.title(report))}", "", present.generated(report), ""]
    if report.is_empty:
        return "\n".join([*lines, "  \n".join(present.start_hint(report)), ""])
    lines += [f"## {headings['summary']}", ""]
    lines += [f"- **{label}**: {_escape(value)}" for label, value in present.summary(report)]
    lines.append("")
    lines += _table(present.sections_table(report))
    lines += _table(present.course_table(report))
    lines += _table(present.mock_exams_table(report))
    if report.mock_exams:
        lines += _chart(headings["mock_trend"], unicode_charts.mock_exam_chart(report))
        lines += _table(present.latest_mock_exam_table(report))
    lines += _chart(headings["forecast"], unicode_charts.forecast_chart(report))
    lines += _chart(headings["activity"], unicode_charts.activity_chart(report))
    lines += _table(present.weakest_table(report))
    lines += _table(present.leeches_table(report))
    lines += _table(present.kinds_table(report))
    lines += [f"## {headings['definitions']}", ""]
    lines += [f"- {_escape(line)}" for line in present.definitions(report)]
    return "\n".join(lines) + "\n"


def _table(table: present.Table) -> list[str]:
    lines = [f"## {table.title}", ""]
    if not table.rows:
        return [*lines, present.none_yet(), ""]
    lines.append("| " + " | ".join(_escape(column.title) for column in table.columns) + " |")
    lines.append("|" + "|".join("---:" if c.numeric else "---" for c in table.columns) + "|")
    lines += ["| " + " | ".join(_escape(cell) for cell in cells) + " |" for cells in table.cells()]
    return [*lines, ""]


def _chart(heading: str, chart: list) -> list[str]:
    return [f"## {heading}", "", "```text", *(line.plain.rstrip() for line in chart), "```", ""]


def _escape(text: str) -> str:
    """Text that Markdown shows as written: no table breaks, emphasis or HTML."""
    for character in "\\|*_<>[]":
        text = text.replace(character, f"\\{character}")
    return text
