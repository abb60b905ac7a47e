"""The key bar at the bottom of every screen: the keys that work now, in the UI language.

Textual's Footer shows a binding's description exactly as written in ``BINDINGS``. Ours are
English message ids translated when shown, so switching the language takes effect at once.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.events import Click
from textual.screen import Screen
from textual.widgets import Label

from studyapp.i18n import _


class KeyHint(Label):
    """One key and what it does; clicking it does the same as pressing the key."""

    def __init__(self, key: str, description: str, node: DOMNode, action: str, *, enabled: bool):
        super().__init__(Content.assemble((key, "bold"), " ", description), disabled=not enabled)
        self.node = node
        self.action = action

    async def on_click(self, event: Click) -> None:
        event.stop()
        await self.app.run_action(self.action, self.node)


def documented_bindings(screen: Screen) -> list[tuple[str, DOMNode, Binding, bool]]:
    """(key, node, binding, enabled) for the screen's active bindings worth documenting:
    studyapp's own (they have ids) and those a widget shows. The scrolling keys every
    container has would bury the ones that matter in the help and the command palette."""
    return [
        (key, node, binding, enabled)
        for key, (node, binding, enabled, _tooltip) in screen.active_bindings.items()
        if binding.description and (binding.id or binding.show)
    ]


def shown_bindings(screen: Screen) -> list[tuple[DOMNode, Binding, bool]]:
    """The screen's active bindings worth showing, one per action, focused widget first."""
    shown, actions = [], set()
    for node, binding, enabled, _tooltip in screen.active_bindings.values():
        if binding.show and (id(node), binding.action) not in actions:
            actions.add((id(node), binding.action))
            shown.append((node, binding, enabled))
    return shown


class KeyBar(HorizontalScroll, can_focus=False):
    """Docked at the bottom; recomposed whenever the screen's bindings change."""

    def compose(self) -> ComposeResult:
        for node, binding, enabled in shown_bindings(self.screen):
            yield KeyHint(
                self.app.get_key_display(binding),
                _(binding.description),
                node,
                binding.action,
                enabled=enabled,
            )

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self.recompose)
