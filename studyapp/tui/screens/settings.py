"""Settings: retention, daily limits, learning steps, exam date, leeches, language.

ctrl+s saves (in a worker: a change of retention or steps rebuilds every card from the
log); a value that does not validate is reported as one sentence and nothing is saved.
The interface language applies at once, on save.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static, Switch

from studyapp.i18n import _, current_language
from studyapp.settings import InvalidSetting, Settings, format_steps, parse_date, parse_steps
from studyapp.tui.screens.base import StudyScreen

LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}


@dataclass(frozen=True)
class Field:
    key: str  # the Settings attribute
    label: str  # message id
    kind: str  # float, int, steps, date, bool, language
    hint: str = ""  # message id


FIELDS: tuple[Field, ...] = (
    Field("desired_retention", "Desired retention", "float", "0.70–0.99; 0.9 recalls 9 of 10"),
    Field("new_per_day", "New questions per day", "int", "0–9999"),
    Field("reviews_per_day", "Reviews per day", "int", "0–99999"),
    Field("learning_steps", "Learning steps", "steps", "e.g. 1m 10m"),
    Field("relearning_steps", "Relearning steps", "steps", "e.g. 10m"),
    Field("exam_date", "Exam date", "date", "YYYY-MM-DD; reviews then aim at that day"),
    Field("leech_threshold", "Leech after lapses", "int", "1–100"),
    Field("leech_suspend", "Suspend leeches", "bool", "suspend a question when it becomes a leech"),
    Field("language", "Interface language", "language", "applies at once"),
)


class SettingsSaved(Message):
    def __init__(self, settings: Settings):
        super().__init__()
        self.settings = settings


def _editor_value(field: Field, settings: Settings) -> str:
    value = getattr(settings, field.key)
    if field.kind == "steps":
        return format_steps(value)
    if field.kind == "date":
        return value.isoformat() if value else ""
    return str(value)


def parse_field(field: Field, raw: Any) -> Any:
    """The typed value of one editor; raises InvalidSetting with a translated sentence."""
    label = _(field.label)
    if field.kind in ("bool", "language"):
        return raw
    text = str(raw).strip()
    try:
        if field.kind == "float":
            return float(text)
        if field.kind == "int":
            return int(text)
        if field.kind == "steps":
            return parse_steps(text)
        return parse_date(text) if text else None
    except (ValueError, InvalidSetting):
        examples = {
            "float": _("{label}: write a number such as 0.9."),
            "int": _("{label}: write a whole number."),
            "steps": _("{label}: write steps such as 1m 10m 1h."),
            "date": _("{label}: write a date as YYYY-MM-DD, or leave it empty."),
        }
        raise InvalidSetting(examples[field.kind].format(label=label)) from None


class SettingsScreen(StudyScreen):
    SCREEN_NAME = "Settings"
    SCREEN_HELP = (
        "Tune the scheduler and the interface. ctrl+s saves; Esc leaves without saving. "
        "Changing retention or steps recomputes every card from your answers. With an exam "
        "date, review sessions aim at exam day on their own: in its last week every question "
        "you would likely forget by then comes back once, and the home screen shows the "
        "recall predicted for that day; after it, plain FSRS again. Leave it empty for none."
    )
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("ctrl+s", "save", "Save", id="settings.save"),
    ]

    def compose_body(self) -> ComposeResult:
        settings: Settings = self.app.store.scheduler.settings
        with VerticalScroll(id="settings"):
            for field in FIELDS:
                with Horizontal(classes="setting"):
                    yield Label(_(field.label), classes="setting-label")
                    yield self._editor(field, settings)
                    yield Static(_(field.hint), classes="setting-hint muted")
            yield Static(id="settings-error", classes="error-message")
            yield Button(_("Save (ctrl+s)"), id="settings-save", variant="primary")

    def _editor(self, field: Field, settings: Settings):
        editor_id = f"setting-{field.key}"
        if field.kind == "bool":
            return Switch(value=getattr(settings, field.key), id=editor_id)
        if field.kind == "language":
            options = [(name, code) for code, name in LANGUAGE_NAMES.items()]
            return Select(options, value=settings.language, allow_blank=False, id=editor_id)
        return Input(_editor_value(field, settings), id=editor_id)

    def read_settings(self) -> Settings:
        """The settings in the form; raises InvalidSetting (one sentence) if one is wrong."""
        current: Settings = self.app.store.scheduler.settings
        changes = {}
        for field in FIELDS:
            editor = self.query_one(f"#setting-{field.key}")
            changes[field.key] = parse_field(field, editor.value)
        try:
            return current.replace(**changes)
        except InvalidSetting as error:
            key, _sep, problem = str(error).partition(": ")
            label = next((_(f.label) for f in FIELDS if f.key == key), key)
            raise InvalidSetting(
                _("{label}: {problem}").format(label=label, problem=problem or error)
            ) from None

    def action_save(self) -> None:
        error_line = self.query_one("#settings-error", Static)
        try:
            settings = self.read_settings()
        except InvalidSetting as error:
            error_line.update(str(error))
            return
        error_line.update("")
        self.save(settings)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "settings-save":
            self.action_save()

    @work(thread=True, exclusive=True, group="settings", exit_on_error=False)
    def save(self, settings: Settings) -> None:
        self.app.store.scheduler.update_settings(settings)
        self.post_message(SettingsSaved(settings))

    def on_settings_saved(self, message: SettingsSaved) -> None:
        if message.settings.language != current_language():
            # On the app's queue: changing language pops this screen.
            self.app.call_later(self.app.change_language, message.settings.language)
        else:
            self.dismiss()
        self.notify(_("Settings saved."))
