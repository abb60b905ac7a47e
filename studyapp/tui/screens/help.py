"""Help (``?`` / F1): the keys of the screen it was opened on, focused widget first.

Like Posting's help, it is focus-aware: it lists the bindings active where the learner is,
so an Input's keys differ from a list's. Each row shows the binding id to use in
``keymap.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from studyapp.i18n import _
from studyapp.tui.widgets.keybar import documented_bindings


@dataclass(frozen=True)
class KeyRow:
    keys: str
    description: str
    ids: str


def key_rows(screen: Screen) -> list[KeyRow]:
    """The screen's documented bindings, one row per action; keys of one action joined."""
    rows: dict[tuple[int, str], list[tuple[str, Binding]]] = {}
    for key, node, binding, _enabled in documented_bindings(screen):
        display = screen.app.get_key_display(binding) if binding.key == key else key
        rows.setdefault((id(node), binding.description), []).append((display, binding))
    result = []
    for (_node, description), entries in rows.items():
        keys = ", ".join(dict.fromkeys(display for display, _binding in entries))
        ids = [binding.id for _display, binding in entries if binding.id]
        shown_ids = " … ".join(dict.fromkeys([ids[0], ids[-1]])) if ids else ""
        result.append(KeyRow(keys, _(description), shown_ids))
    return result


class HelpScreen(ModalScreen[None]):
    """A modal list of keys; Esc, ? or F1 closes it."""

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape,question_mark,f1", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, title: str, introduction: str, rows: list[KeyRow], keymap_path: Path):
        super().__init__()
        self.help_title = title
        self.introduction = introduction
        self.rows = rows
        self.keymap_path = keymap_path

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-panel") as panel:
            panel.border_title = _("Keys: {screen}").format(screen=self.help_title)
            if self.introduction:
                yield Static(self.introduction, id="help-introduction")
            table: DataTable = DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            table.add_columns(_("Key"), _("Action"), _("Binding id"))
            for row in self.rows:
                table.add_row(row.keys, row.description, row.ids)
            yield table
            yield Static(
                _("Remap keys in {path} (see the README). Esc closes this help.").format(
                    path=_home_relative(self.keymap_path)
                ),
                id="help-footer",
            )


def _home_relative(path: Path) -> str:
    """``~/.config/…`` rather than the full home directory."""
    try:
        return f"~/{path.relative_to(Path.home())}"
    except ValueError:
        return str(path)
