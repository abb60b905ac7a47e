"""The report for the terminal: Rich tables and Unicode charts, at most 100 columns wide.

With ``color`` off (output to a file or a pipe) the same layout comes out as plain text,
without escape codes.
"""

from __future__ import annotations

import io

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table as RichTable
from rich.text import Text

from studyapp.reports import TEXT_WIDTH, present, unicode_charts
from studyapp.reports.model import Report

_SHRUNK_TEXT_WIDTH = 12  # the narrowest a text column gets when a table is too wide


def render_text(report: Report, *, width: int = TEXT_WIDTH, color: bool = False) -> str:
    """The report as terminal text; ``color`` adds ANSI styles (for a TTY)."""
    console = Console(
        file=io.StringIO(),
        width=min(width, TEXT_WIDTH),
        force_terminal=color,
        color_system="truecolor" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
        legacy_windows=False,
        _environ={},  # COLUMNS, NO_COLOR or TERM of the caller must not change the layout
    )
    console.print(_report(report, console.width))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in output.splitlines()) + "\n"


def _report(report: Report, width: int) -> RenderableType:
    headings = present.headings()
    header = Text.assemble(
        (present.title(report), "bold"), "  ", (present.generated(report), "dim")
    )
    if report.is_empty:
        return Group(header, "", *(Text(line) for line in present.start_hint(report)))
    return Group(
        header,
        "",
        _summary(report),
        *_titled_table(present.sections_table(report), width),
        *_titled_table(present.course_table(report), width),
        *_mock_exams(report, width),
        _heading(headings["forecast"]),
        Padding(Group(*unicode_charts.forecast_chart(report)), (0, 0, 0, 2)),
        _heading(headings["activity"]),
        Padding(Group(*unicode_charts.activity_chart(report)), (0, 0, 0, 2)),
        *_titled_table(present.weakest_table(report), width),
        *_titled_table(present.leeches_table(report), width),
        *_titled_table(present.kinds_table(report), width),
        _heading(headings["definitions"]),
        _bullets(present.definitions(report)),
    )


def _mock_exams(report: Report, width: int) -> list[RenderableType]:
    """The finished mock exams, their score trend and the latest one's sections."""
    parts = _titled_table(present.mock_exams_table(report), width)
    if report.mock_exams:
        parts += [
            _heading(present.headings()["mock_trend"]),
            Padding(Group(*unicode_charts.mock_exam_chart(report)), (0, 0, 0, 2)),
            *_titled_table(present.latest_mock_exam_table(report), width),
        ]
    return parts


def _heading(text: str) -> Text:
    return Text.assemble("\n", (text, "bold underline"))


def _bullets(lines: list[str]) -> RichTable:
    grid = RichTable.grid(padding=(0, 1), pad_edge=True)
    grid.add_column(style="dim")
    grid.add_column(style="dim")
    for line in lines:
        grid.add_row("·", line)
    return grid


def _summary(report: Report) -> RichTable:
    grid = RichTable.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for label, value in present.summary(report):
        grid.add_row(label, value)
    return grid


def _titled_table(table: present.Table, width: int) -> list[RenderableType]:
    if not table.rows:
        return [_heading(table.title), Text(f"  {present.none_yet()}", style="dim")]
    rows = table.cells()
    return [_heading(table.title), Group(*_table_lines(table, rows, width))]


# The layout of a simple table (a rule under the header, no edge padding), drawn line by line:
# Rich's general table layout measured every cell again and was most of the report's
# rendering time, while every column width here is already known.
_GAP = "   "


def _table_lines(table: present.Table, rows: list[list[str]], width: int) -> list[Text]:
    widths = _column_widths(table, rows, width)
    # A figure's header is split into words, bottom-aligned; a text header is one line.
    headers = [
        column.title.split() if column.numeric else [column.title] for column in table.columns
    ]
    height = max(len(words) for words in headers)
    lines = [Text("")]  # the box's top edge, blank in this style
    for line in range(height):
        cells = []
        for column, words, column_width in zip(table.columns, headers, widths, strict=True):
            index = line - (height - len(words))
            cells.append(_cell(words[index] if index >= 0 else "", column_width, column.numeric))
        lines.append(_row(cells, style="bold"))
    lines.append(Text(" " + "─" * (sum(widths) + len(_GAP) * (len(widths) - 1))))
    for cells in rows:
        lines.append(
            _row(
                [
                    _cell(cell, column_width, column.numeric)
                    for cell, column, column_width in zip(cells, table.columns, widths, strict=True)
                ]
            )
        )
    lines.append(Text(""))  # and its bottom edge
    return lines


def _cell(text: str, width: int, numeric: bool) -> Text:
    cell = Text(text)
    cell.truncate(width, overflow="ellipsis")
    cell.align("right" if numeric else "left", width)
    return cell


def _row(cells: list[Text], style: str = "") -> Text:
    line = Text(" ", style=style)
    for index, cell in enumerate(cells):
        if index:
            line.append(_GAP)
        line.append_text(cell)
    line.rstrip()
    return line


def _column_widths(table: present.Table, rows: list[list[str]], width: int) -> list[int]:
    """Every figure at full width; text columns, widest first, shrunk until the table fits."""
    widths = []
    for index, column in enumerate(table.columns):
        widest = max(cell_len(cells[index]) for cells in rows)
        header = column.title.split() if column.numeric else [column.title]
        widths.append(max(widest, *(cell_len(word) for word in header)))
    # SIMPLE_HEAD without edge padding: 1 cell per edge and divider, 1 of padding a side.
    excess = sum(widths) + 3 * len(widths) - 1 - width
    text_columns = sorted(
        (index for index, column in enumerate(table.columns) if not column.numeric),
        key=lambda index: -widths[index],
    )
    for index in text_columns:
        cut = min(excess, widths[index] - _SHRUNK_TEXT_WIDTH)
        if cut > 0:
            widths[index] -= cut
            excess -= cut
    return widths
