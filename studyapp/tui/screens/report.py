"""The progress report on screen: the model ``studyapp report`` prints, drawn in the terminal.

The report is built in a thread worker (its queries take a moment on a long log) behind a
progress bar; Esc goes back at any time. The tables and labels are the ones every format
shares (studyapp.reports.present), with a bar per section and course part, and the charts are
the text report's. Tab, or an arrow key past a table's first or last row, moves between the
tables; Enter on a syllabus section or course part starts a drill on it, Enter on a weak
question or leech opens it; ``e`` writes the report as one HTML file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.table import Table as RichTable
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Region, Spacing
from textual.message import Message
from textual.widgets import DataTable, ProgressBar, Static

from content.model import Question
from studyapp.i18n import _
from studyapp.reports import present, unicode_charts
from studyapp.reports.model import GroupProgress, QuestionProgress, Report
from studyapp.tui.screens.base import StudyScreen

BAR_WIDTH = 6  # cells of a bar beside a share (recall now, on exam day) in a table
TABLE_IDS = ("sections", "course", "weakest", "leeches")  # the tables Enter acts on


class ReportBuilt(Message):
    """The report model, and the bank's questions by id (to open a weak question)."""

    def __init__(self, report: Report, questions: dict[str, Question]):
        super().__init__()
        self.report = report
        self.questions = questions


class ReportExported(Message):
    def __init__(self, path: Path):
        super().__init__()
        self.path = path


class ReportTable(DataTable):
    """A table of the report; the arrow keys go on to the next or previous table at its ends,
    so the whole report can be walked with the arrows alone."""

    def action_cursor_down(self) -> None:
        if self.cursor_row < self.row_count - 1:
            super().action_cursor_down()
        else:
            self._move_to_table(+1)

    def action_cursor_up(self) -> None:
        if self.cursor_row > 0:
            super().action_cursor_up()
        else:
            self._move_to_table(-1)

    def _move_to_table(self, step: int) -> None:
        tables = [table for table in self.screen.query(ReportTable) if table.can_focus]
        index = tables.index(self) + step
        if 0 <= index < len(tables):
            target = tables[index]
            target.move_cursor(row=0 if step > 0 else target.row_count - 1)
            target.focus()
        elif step > 0:  # past the last table: on to the definitions at the end
            self.screen.query_one("#report", VerticalScroll).scroll_end(animate=False)
        else:  # before the first table: back to the summary at the top
            self.screen.query_one("#report", VerticalScroll).scroll_home(animate=False)


def export_path(report: Report) -> Path:
    """Where ``e`` writes the HTML report: the directory studyapp was started in."""
    return Path.cwd() / f"studyapp-report-{report.today.isoformat()}.html"


class ReportScreen(StudyScreen):
    SCREEN_NAME = "Report"
    SCREEN_HELP = (
        "Where you stand, what is weak and how ready you are for the exam. Tab or the arrow "
        "keys move between the tables; Enter on a syllabus section or course part starts a "
        "drill on it, Enter on a weak question opens it. e saves the report as an HTML file."
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("e", "export", "Export HTML", id="report.export"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None
        self.questions: dict[str, Question] = {}

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="report"):
            yield ProgressBar(total=None, show_eta=False, id="report-progress")
            yield Static(_("Building the report… Esc goes back."), id="report-status")

    def on_mount(self) -> None:
        self.build()

    # -- building -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def build(self) -> None:
        from studyapp.reports import build_report

        store = self.app.store
        report = build_report(store.scheduler, store.profile, now=self.app.clock())
        self.post_message(ReportBuilt(report, store.bank().by_id()))

    async def on_report_built(self, message: ReportBuilt) -> None:
        self.report, self.questions = message.report, message.questions
        container = self.query_one("#report", VerticalScroll)
        await container.remove_children()
        await container.mount_all(self._body(message.report))
        self.refresh_bindings()
        tables = [table for table in self.query(ReportTable) if table.can_focus]
        # The first table takes the keys; the report stays at its top, on the summary.
        (tables[0] if tables else container).focus(scroll_visible=False)

    def _body(self, report: Report) -> list[Any]:
        header = Text.assemble((present.title(report), "bold"), "  ", present.generated(report))
        if report.is_empty:
            hint = "\n".join(present.start_hint(report, in_app=True))
            return [Static(header, id="report-header"), _plain(hint, id="report-empty")]
        headings = present.headings()
        body: list[Any] = [
            Static(header, id="report-header"),
            Static(_summary(report), id="report-summary"),
            *self._table("sections", present.sections_table(report)),
            *self._table("course", present.course_table(report)),
            *self._table("mock", present.mock_exams_table(report)),
        ]
        if report.mock_exams:
            body += [
                *_chart(headings["mock_trend"], unicode_charts.mock_exam_chart(report)),
                *self._table("mock-sections", present.latest_mock_exam_table(report)),
            ]
        body += [
            *_chart(headings["forecast"], unicode_charts.forecast_chart(report)),
            *_chart(headings["activity"], unicode_charts.activity_chart(report)),
            *self._table("weakest", present.weakest_table(report)),
            *self._table("leeches", present.leeches_table(report)),
            *self._table("kinds", present.kinds_table(report)),
            _plain(headings["definitions"], classes="section-title"),
            _plain("\n".join(f"· {line}" for line in present.definitions(report)), classes="muted"),
        ]
        return body

    def _table(self, name: str, spec: present.Table) -> list[Any]:
        """A titled table from a shared table spec; shares get a bar beside their figure."""
        title = _plain(spec.title, classes="section-title")
        if not spec.rows:
            return [title, _plain(f"  {present.none_yet()}", classes="muted")]
        acts = name in TABLE_IDS
        table = ReportTable(
            id=f"report-{name}",
            cursor_type="row" if acts else "none",
            zebra_stripes=True,
            # Figures' titles wrap at their first space, as the text report's do.
            header_height=2 if any(c.numeric and " " in c.title for c in spec.columns) else 1,
            classes="report-table",
        )
        table.can_focus = acts  # Tab and the arrows pass by the tables Enter does nothing on
        for column in spec.columns:
            if column.numeric:
                table.add_column(Text(column.title.replace(" ", "\n", 1), justify="right"))
            else:
                table.add_column(column.title)
        for row in spec.rows:
            table.add_row(*(_cell(column, row) for column in spec.columns))
        return [title, table]

    # -- keys -----------------------------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Keep the highlighted row in view: the tables are as tall as their rows, so the
        report scrolls, not the table."""
        table = event.data_table
        if not table.has_focus:
            return
        top = table.virtual_region.y + table.header_height + event.cursor_row
        self.query_one("#report", VerticalScroll).scroll_to_region(
            Region(0, top, 1, 1), spacing=Spacing(2, 0, 2, 0), animate=False
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        report = self.report
        if report is None:
            return
        name = (event.data_table.id or "").removeprefix("report-")
        row = event.cursor_row
        if name == "sections":
            self._drill(report.sections[row], section=report.sections[row].key)
        elif name == "course":
            self._drill(report.course_parts[row], course_part=report.course_parts[row].key)
        elif name in ("weakest", "leeches"):
            listed = report.weakest if name == "weakest" else report.leeches
            self._open(listed[row])

    def _drill(self, group: GroupProgress, **where: str) -> None:
        label = present.section_label(group) if group.scope == "section" else group.name
        if not group.questions:
            self.notify(_("{group} has no questions to drill.").format(group=label))
            return
        self.app.start_drill(title=_("Drill: {group}").format(group=label), **where)

    def _open(self, progress: QuestionProgress) -> None:
        from studyapp.tui.screens.preview import PreviewScreen

        question = self.questions.get(progress.id)
        if question is None:  # left the bank since the report was built
            self.notify(_("{id} is no longer in the bank.").format(id=progress.id))
            return
        self.app.push_screen(PreviewScreen(question))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "export":
            return self.report is not None or None  # shown, greyed out while building
        return True

    def action_export(self) -> None:
        if self.report is not None:
            self.export(self.report)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def export(self, report: Report) -> None:
        from studyapp.atomic import write_atomically
        from studyapp.reports import render

        document = render(report, "html")
        path = export_path(report)
        write_atomically(path, lambda stream: stream.write(document))
        self.post_message(ReportExported(path))

    def on_report_exported(self, message: ReportExported) -> None:
        self.notify(_("Saved the report as {path}").format(path=message.path), timeout=10)

    def action_back(self) -> None:
        self.workers.cancel_node(self)  # a build still running is dropped
        self.dismiss()


def _cell(column: present.Column, row: Any) -> Text | str:
    if column.fraction is not None:
        bar = unicode_charts.fraction_bar(column.fraction(row), BAR_WIDTH)
        return Text.assemble(bar, f" {column.cell(row):>4}", justify="right")
    return Text(column.cell(row), justify="right") if column.numeric else column.cell(row)


def _summary(report: Report) -> RichTable:
    grid = RichTable.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for label, value in present.summary(report):
        grid.add_row(label, value)
    return grid


def _chart(heading: str, lines: list[Text]) -> list[Static]:
    return [
        _plain(heading, classes="section-title"),
        Static(Text("\n").join(lines), classes="report-chart"),
    ]


def _plain(text: str, **options: str) -> Static:
    """Words of the report, shown as written: a "[" in them is not Textual markup."""
    return Static(text, markup=False, **options)
