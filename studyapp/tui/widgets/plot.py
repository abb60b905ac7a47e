"""A demo plot drawn with Unicode characters (studyapp.charts), redrawn to fit its width."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.events import Resize
from textual.widgets import Static

from studyapp.charts import render_plot

PLOT_HEIGHT = 10
MIN_WIDTH = 20


class PlotView(Static):
    def __init__(self, plot: dict[str, Any]):
        super().__init__(classes="plot")
        self.plot = plot

    def on_mount(self) -> None:
        self._draw(self.parent.size.width if self.parent else 0)

    def on_resize(self, event: Resize) -> None:
        self._draw(event.size.width)

    def _draw(self, width: int) -> None:
        lines = render_plot(self.plot, width=max(MIN_WIDTH, width), height=PLOT_HEIGHT)
        self.update(Text("\n").join(lines))
