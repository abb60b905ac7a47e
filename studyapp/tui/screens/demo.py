"""A question's live demo: parameters as a form, the result recomputed as they change.

It starts with the question's parameters and shows each claim of the question with the
value that proves it. For code questions it also runs every option's code
(only for a trusted bank) and shows what each prints.

NumPy and the demo registry are imported here, in a worker, the first time a demo opens:
never at start-up. Runs are thread workers (exclusive: a new run replaces a running one);
Esc cancels a run that is still going (its result is dropped when it arrives).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import (
    DataTable,
    Input,
    LoadingIndicator,
    Markdown,
    ProgressBar,
    Select,
    Static,
    Switch,
)
from textual.worker import Worker, get_current_worker

from content.claims import evaluate_claim
from content.model import Kind, Question
from studyapp.i18n import _
from studyapp.tui.screens.base import StudyScreen
from studyapp.tui.widgets.plot import PlotView
from studyapp.tui.widgets.question import inline_content, question_markdown

RERUN_DELAY_S = 0.4  # debounce: typing "256" runs once, not three times
LIST_PREVIEW = 8


def format_value(value: Any, digits: int = 10) -> str:
    """A demo value for the table: numbers to ``digits`` significant digits, long lists cut."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    if isinstance(value, list):
        shown = ", ".join(format_value(item, 6) for item in value[:LIST_PREVIEW])
        more = _(" … ({count} items)").format(count=len(value)) if len(value) > LIST_PREVIEW else ""
        return f"[{shown}{more}]"
    return str(value)


def field_text(value: Any) -> str:
    """A parameter value for its input: JSON, with whole floats as integers ([[1, 0]])."""

    def tidy(item: Any) -> Any:
        if isinstance(item, list):
            return [tidy(element) for element in item]
        if isinstance(item, float) and item.is_integer() and abs(item) < 1e15:
            return int(item)
        return item

    return json.dumps(tidy(value), ensure_ascii=False)


def parse_field(text: str) -> Any:
    """A form field as the CLI's ``--set`` reads it: JSON when it parses, else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text.strip()


class DemoLoaded(Message):
    def __init__(self, demo: Any):
        super().__init__()
        self.demo = demo


class DemoFinished(Message):
    def __init__(self, result: dict[str, Any]):
        super().__init__()
        self.result = result


class OptionsRan(Message):
    """What each option of a code question printed (``runs``) or why it did not run."""

    def __init__(self, runs: list[Any] | None, reason: str = ""):
        super().__init__()
        self.runs = runs
        self.reason = reason


class ParamField(Vertical):
    """One demo parameter: its name and help, and an editor that fits its type."""

    def __init__(self, spec: dict[str, Any], value: Any):
        super().__init__(classes="param")
        self.spec = spec
        self.initial = value

    def compose(self) -> ComposeResult:
        spec = self.spec
        yield Static(Content.assemble((spec["name"], "bold"), "  ", (self._hint(), "dim")))
        editor_id = f"param-{spec['name']}"
        if spec["type"] == "choice":
            yield Select(
                [(choice, choice) for choice in spec["choices"]],
                value=self.initial,
                allow_blank=False,
                id=editor_id,
            )
        elif spec["type"] == "bool":
            yield Switch(value=bool(self.initial), id=editor_id)
        else:
            yield Input(field_text(self.initial), id=editor_id)

    def _hint(self) -> str:
        spec = self.spec
        hint = spec.get("help", "")
        low, high = spec.get("min"), spec.get("max")
        if spec["type"] in ("int", "float") and (low is not None or high is not None):
            hint += f" ({format_value(low, 6)}–{format_value(high, 6)})"
        return hint.strip()

    @property
    def value(self) -> Any:
        editor = self.query_one(f"#param-{self.spec['name']}")
        if isinstance(editor, Input):
            return parse_field(editor.value)
        return editor.value

    def mark_invalid(self, invalid: bool) -> None:
        self.set_class(invalid, "-invalid")


class DemoScreen(StudyScreen):
    SCREEN_NAME = "Demo"
    SCREEN_HELP = (
        "Change a parameter and the demo runs again on the engine. Opened from a question, "
        "it starts with that question's parameters and checks each claim the answer rests on. "
        "Esc cancels a run, or goes back."
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("ctrl+r", "run", "Run again", id="demo.run"),
        Binding("ctrl+o", "reset", "Question's parameters", id="demo.reset"),
        Binding("escape", "back", "Back / cancel", id="back"),
    ]

    def __init__(self, question: Question):
        super().__init__()
        self.question = question
        self.demo_id = question.demo.demo_id
        self.demo: Any = None
        self._rerun: Timer | None = None

    # -- layout ---------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="demo"):
            with VerticalScroll(id="demo-form") as form:
                form.border_title = _("Parameters")
                yield LoadingIndicator()
            with VerticalScroll(id="demo-results"):
                yield ProgressBar(total=None, show_eta=False, id="demo-progress")
                yield Static(id="demo-error", classes="error-message")
                yield Vertical(id="demo-claims")
                yield Static(_("Values"), classes="section-title")
                yield DataTable(id="demo-values", cursor_type="row", zebra_stripes=True)
                yield Markdown(id="demo-narrative")
                yield Vertical(id="demo-plots")
                if self.question.kind is Kind.CODE:
                    yield Static(_("The options' code, run"), classes="section-title")
                    yield Vertical(id="demo-options")

    def screen_title(self) -> str:
        return _("Demo: {title}").format(title=self.demo.title if self.demo else self.demo_id)

    def on_mount(self) -> None:
        self.query_one("#demo-values", DataTable).add_columns(_("Value"), _("Result"))
        self.load_demo()
        if self.question.kind is Kind.CODE:
            self.run_options()

    # -- workers --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="demo", exit_on_error=False)
    def load_demo(self) -> None:
        from engine.demos import get_demo  # NumPy and the engine load here, not at start-up

        self.post_message(DemoLoaded(get_demo(self.demo_id)))

    @work(thread=True, exclusive=True, group="demo", exit_on_error=False)
    def run_demo(self, params: dict[str, Any]) -> None:
        from engine.demos import run

        result = run(self.demo, params).to_json()
        if not get_current_worker().is_cancelled:
            self.post_message(DemoFinished(result))

    @work(thread=True, exclusive=True, group="snippets", exit_on_error=False)
    def run_options(self) -> None:
        from studyapp.snippets import run_options

        store = self.app.store
        trusted = store is not None and store.bank_trusted
        if not trusted:
            reason = _("not run (untrusted bank; use --trust-bank)")
            self.post_message(OptionsRan(None, reason))
            return
        self.post_message(OptionsRan(run_options(self.question, trusted=True)))

    def worker_failed(self, worker: Worker) -> None:
        self._set_running(False)

    # -- form -----------------------------------------------------------------------------

    async def on_demo_loaded(self, message: DemoLoaded) -> None:
        self.demo = message.demo
        self.sub_title = self.screen_title()
        initial = self._initial_params()
        form = self.query_one("#demo-form", VerticalScroll)
        await form.remove_children()
        description = self.demo.describe()
        fields = [ParamField(spec, initial[spec["name"]]) for spec in description["params"]]
        if description["description"]:
            fields.insert(
                0, Static(description["description"], classes="demo-description", markup=False)
            )
        await form.mount_all(fields)
        self.action_run()

    def _initial_params(self) -> dict[str, Any]:
        return self.demo.resolve(self.question.demo.params)

    def _form_params(self) -> dict[str, Any] | None:
        """The form's values, validated by the demo; None (and the reason shown) if invalid."""
        params, problem = {}, ""
        for field in self.query(ParamField):
            name = field.spec["name"]
            try:
                params[name] = self.demo.param(name).coerce(field.value, self.demo.id)
                field.mark_invalid(False)
            except ValueError as error:  # ParameterError: one sentence naming the parameter
                field.mark_invalid(True)
                problem = problem or str(error)
        self.query_one("#demo-error", Static).update(
            _("Not run: {reason}").format(reason=problem) if problem else ""
        )
        return None if problem else params

    def on_input_changed(self, event: Input.Changed) -> None:
        self._schedule_run()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._schedule_run()

    def on_switch_changed(self, event: Switch.Changed) -> None:
        self._schedule_run()

    def _schedule_run(self) -> None:
        if self.demo is None:
            return
        if self._rerun is not None:
            self._rerun.stop()
        self._rerun = self.set_timer(RERUN_DELAY_S, self.action_run)

    # -- running --------------------------------------------------------------------------

    def action_run(self) -> None:
        if self.demo is None:
            return
        params = self._form_params()
        if params is not None:
            self._set_running(True)
            self.run_demo(params)

    async def action_reset(self) -> None:
        if self.demo is None:
            return
        for field in self.query(ParamField):
            field.initial = self._initial_params()[field.spec["name"]]
            await field.recompose()
        self.action_run()

    def _set_running(self, running: bool) -> None:
        self.query_one("#demo-progress", ProgressBar).display = running
        self.set_class(running, "-running")

    def action_back(self) -> None:
        running = [w for w in self.workers if w.group == "demo" and w.is_running]
        if running and self.demo is not None:
            self.workers.cancel_group(self, "demo")
            self._set_running(False)
            self.notify(_("Demo run cancelled."))
            return
        self.workers.cancel_node(self)
        self.dismiss()

    async def on_demo_finished(self, message: DemoFinished) -> None:
        self._set_running(False)
        result = message.result
        values = result["values"]
        claimed = await self._show_claims(result)
        table = self.query_one("#demo-values", DataTable)
        table.clear()
        for name, value in values.items():
            # Rich Text, not Content: the table measures Rich renderables to size columns.
            style = "bold green" if name in claimed else ""
            marker = "★ " if name in claimed else "  "
            table.add_row(Text(marker + name, style), Text(format_value(value), style), key=name)
        await self.query_one("#demo-narrative", Markdown).update(
            question_markdown(result["narrative"])
        )
        plots = self.query_one("#demo-plots", Vertical)
        await plots.remove_children()
        await plots.mount_all([PlotView(plot) for plot in result["plots"]])

    async def _show_claims(self, result: dict[str, Any]) -> set[str]:
        """The question's claims checked against this run; returns the value names claimed."""
        box = self.query_one("#demo-claims", Vertical)
        await box.remove_children()
        if not self.question.demo.claims:
            box.display = False
            return set()
        box.display = True
        rows: list[Widget] = [Static(_("What the answer claims"), classes="section-title")]
        same = result["params"] == self.demo.resolve(self.question.demo.params)
        if not same:
            rows.append(
                Static(
                    _("The parameters differ from the question's (ctrl+o restores them)."),
                    classes="muted",
                )
            )
        for claim in self.question.demo.claims:
            outcome = evaluate_claim(claim, result["values"])
            mark, style = ("✓", "$text-success") if outcome.passed else ("✗", "$text-error")
            rows.append(
                Static(
                    Content.assemble(
                        (f"{mark} ", f"bold {style}"),
                        (claim.text, "bold"),
                        "   ",
                        (_("value: {value}").format(value=format_value(outcome.actual)), style),
                    ),
                    classes="claim",
                )
            )
        await box.mount_all(rows)
        return {claim.target for claim in self.question.demo.claims}

    async def on_options_ran(self, message: OptionsRan) -> None:
        correct = set(self.question.correct_keys)
        runs = message.runs or [None] * len(self.question.choices)
        rows: list[Widget] = []
        for choice, run in zip(self.question.choices, runs, strict=True):
            title = Content.assemble(
                ("✓ " if choice.key in correct else "  ", "bold $text-success"),
                (f"{choice.key}. ", "bold"),
                inline_content(f"`{choice.text}`"),
            )
            rows.append(Static(title, classes="option-code"))
            if run is not None:
                output = (run.stdout.strip() or _("(prints nothing)")) if run.ok else run.error
                classes = "option-output" if run.ok else "option-output -error"
                rows.append(Static(output, classes=classes, markup=False))
        if message.runs is None:
            rows.append(Static(message.reason, classes="muted", markup=False))
        await self.query_one("#demo-options", Vertical).mount_all(rows)
