"""The command palette (ctrl+p): every action of the current screen, plus app-wide ones.

The screen's part is read from its active bindings, so whatever a key does on a screen can
also be found by name here, in the interface language, with the key shown as a hint.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from studyapp.i18n import _
from studyapp.tui.widgets.keybar import documented_bindings

# App-wide commands that are not bound to a key on every screen: (description, action).
APP_COMMANDS: tuple[tuple[str, str], ...] = (
    ("Start today's review", "app.start_review"),
    ("Go to the home screen", "app.go_home"),
    ("Browse questions", "app.browse"),
    ("Take a mock exam", "app.mock_exam"),
    ("Progress report", "app.report"),
    ("Settings", "app.settings"),
    ("Change the colour theme", "app.change_theme"),
    ("Show the keys of this screen", "app.help"),
    ("Quit", "app.quit"),
)


class StudyCommands(Provider):
    """Commands of the screen the palette was opened on, then the app-wide ones."""

    def commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        found: list[tuple[str, str, Callable[[], object]]] = []
        actions: set[str] = set()
        # One command per action ("r,enter" are two bindings of one action).
        unique = {
            (id(node), binding.action): (node, binding)
            for _key, node, binding, enabled in reversed(documented_bindings(self.screen))
            if enabled and binding.action != "command_palette"
        }
        bindings = list(reversed(unique.values()))
        descriptions = [binding.description for _node, binding in bindings]
        for node, binding in bindings:
            name = _(binding.description)
            display = self.app.get_key_display(binding)
            if descriptions.count(binding.description) > 1:  # "Choose an option (3)"
                name = f"{name} ({display})"
            actions.add(binding.action if node is not self.app else f"app.{binding.action}")
            found.append((name, display, partial(self.app.run_action, binding.action, node)))
        for description, action in APP_COMMANDS:
            if action not in actions and self.app.check_action(action.removeprefix("app."), ()):
                found.append((_(description), "", partial(self.app.run_action, action)))
        return found

    async def discover(self) -> Hits:
        for name, key, callback in self.commands():
            yield DiscoveryHit(name, callback, help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, key, callback in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=key)
