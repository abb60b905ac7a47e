"""The report as one self-contained HTML file: inline CSS, charts as inline SVG, no scripts.

It opens in any browser without a network connection and prints on A4 (``@media print``:
black on white, no section split across pages, table headers repeated).
"""

from __future__ import annotations

from html import escape

from studyapp.i18n import current_language
from studyapp.reports import present, svg
from studyapp.reports.model import Report

_STYLE = """
:root { --ink: #1f2933; --muted: #6b7685; --line: #d9dee5; --accent: #2f6fb5; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 32px 48px; color: var(--ink);
  background: #fff; font: 15px/1.55 "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic",
  "Meiryo", system-ui, sans-serif; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 20px; }
h1 { font-size: 26px; margin: 0 0 2px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 8px; }
.generated, .muted, .note { color: var(--muted); }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 10px;
  margin: 0; }
.summary div { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.summary dt { color: var(--muted); font-size: 13px; }
.summary dd { margin: 0; font-size: 17px; font-weight: 600; }
.start { font-size: 18px; padding: 16px 20px; border-left: 4px solid var(--accent);
  background: #f3f7fc; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; }
th { font-weight: 600; background: #f6f8fa; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 8px 0 0; overflow-x: auto; }
svg { max-width: 100%; height: auto; font-size: 13px; fill: var(--ink); }
svg .figure, svg .legend { fill: var(--muted); font-size: 12px; }
svg .muted { fill: var(--muted); }
ul.definitions { color: var(--muted); font-size: 13px; padding-left: 20px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2, h3 { break-after: avoid; }
  section, figure, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .summary div, .start { background: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def render_html(report: Report) -> str:
    """The report as a complete HTML document."""
    headings = present.headings()
    parts = [
        "<header>",
        f"<h1>{escape(present.title(report))}</h1>",
        f'<p class="generated">{escape(present.generated(report))}</p>',
        "</header>",
    ]
    if report.is_empty:
        lines = "<br>".join(_inline_code(line) for line in present.start_hint(report))
        parts.append(f'<p class="start">{lines}</p>')
    else:
        parts += [
            _section(headings["summary"], _summary(report)),
            _section(
                headings["sections"],
                _figure(svg.section_bars(report.sections, headings["sections"]))
                + _table(present.sections_table(report)),
            ),
            _section(
                headings["course"],
                _figure(svg.section_bars(report.course_parts, headings["course"]))
                + _table(present.course_table(report)),
            ),
            _section(headings["mock_exams"], _mock_exams(report)),
            _section(
                headings["forecast"],
                _figure(svg.forecast_bars(report.forecast, headings["forecast"])),
            ),
            _section(
                headings["activity"],
                _figure(svg.activity_calendar(report.activity, headings["activity"])),
            ),
            _section(headings["weakest"], _table(present.weakest_table(report))),
            _section(headings["leeches"], _table(present.leeches_table(report))),
            _section(headings["kinds"], _table(present.kinds_table(report))),
            _section(
                headings["definitions"],
                '<ul class="definitions">'
                + "".join(f"<li>{escape(line)}</li>" for line in present.definitions(report))
                + "</ul>",
            ),
        ]
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{current_language()}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(present.title(report))}</title>\n<style>{_STYLE}</style>\n"
        "</head>\n<body>\n" + "\n".join(parts) + "\n</body>\n</html>\n"
    )


def _mock_exams(report: Report) -> str:
    """The finished mock exams, their score trend and the latest one's sections."""
    body = _table(present.mock_exams_table(report))
    if report.mock_exams:
        latest = present.latest_mock_exam_table(report)
        body += (
            _figure(svg.score_trend(report.mock_exams, present.headings()["mock_trend"]))
            + f"<h3>{escape(latest.title)}</h3>\n"
            + _table(latest)
        )
    return body


def _section(heading: str, body: str) -> str:
    return f"<section>\n<h2>{escape(heading)}</h2>\n{body}\n</section>"


def _figure(chart: str) -> str:
    return f"<figure>{chart}</figure>\n"


def _summary(report: Report) -> str:
    items = "".join(
        f"<div><dt>{escape(label)}</dt><dd>{escape(value)}</dd></div>"
        for label, value in present.summary(report)
    )
    return f'<dl class="summary">{items}</dl>'


def _table(table: present.Table) -> str:
    if not table.rows:
        return f'<p class="note">{escape(present.none_yet())}</p>'
    kinds = [' class="number"' if column.numeric else "" for column in table.columns]
    header = "".join(
        f"<th{kind}>{escape(column.title)}</th>"
        for kind, column in zip(kinds, table.columns, strict=True)
    )
    rows = "".join(
        "<tr>"
        + "".join(f"<td{kind}>{escape(cell)}</td>" for kind, cell in zip(kinds, cells, strict=True))
        + "</tr>\n"
        for cells in table.cells()
    )
    return f"<table>\n<thead><tr>{header}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table>"


def _inline_code(text: str) -> str:
    """Escape ``text``, showing `backquoted` words as code."""
    pieces = escape(text).split("`")
    return "".join(
        f"<code>{piece}</code>" if index % 2 else piece for index, piece in enumerate(pieces)
    )
