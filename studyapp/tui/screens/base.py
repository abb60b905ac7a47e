"""What every full screen shares: the header with the app name, the key bar, error reports."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header

from studyapp.i18n import _
from studyapp.tui.errors import ReportsWorkerErrors
from studyapp.tui.widgets.keybar import KeyBar


class StudyScreen(ReportsWorkerErrors, Screen):
    """A full screen of the app. Subclasses set the two message ids and ``compose_body``."""

    # Message ids, translated when shown: the header's subtitle and the help screen's intro.
    SCREEN_NAME: ClassVar[str] = ""
    SCREEN_HELP: ClassVar[str] = ""

    BINDINGS: ClassVar[list[Binding]] = [Binding("escape", "back", "Back", id="back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield from self.compose_body()
        yield KeyBar()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        # Runs after a subclass's on_mount (Textual calls handlers down the MRO).
        self.sub_title = self.screen_title()

    def screen_title(self) -> str:
        """The header's subtitle."""
        return _(self.SCREEN_NAME)

    def action_back(self) -> None:
        self.dismiss()
