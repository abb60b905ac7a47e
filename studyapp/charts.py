"""Charts drawn with Unicode characters, for the terminal: line, bar, histogram, heat map.

Each function returns a list of ``rich.text.Text`` lines: ``.plain`` for plain output, styled
text for the TUI and Rich consoles. They take plain lists, so demos (through a plot's JSON
form) and reports share them without importing NumPy or the engine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text

SERIES_STYLES = ("cyan", "magenta", "yellow", "green", "red", "blue", "bright_white")
# Braille dots (2 wide × 4 tall per cell): bit for (column, row) inside a cell.
_BRAILLE_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
_EIGHTHS = " ▏▎▍▌▋▊▉█"
_VERTICAL = " ▁▂▃▄▅▆▇█"
_SHADES = " ░▒▓█"


def format_number(value: float) -> str:
    """A short, readable number: 3 significant digits, no trailing noise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "nan"
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.3g}"


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def _span(low: float, high: float) -> tuple[float, float]:
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    return low, high


def line_chart(
    x: Sequence[float],
    series: Mapping[str, Sequence[float]],
    *,
    width: int = 60,
    height: int = 12,
    title: str = "",
    x_label: str = "",
    y_label: str = "",
) -> list[Text]:
    """Line chart in braille dots: every series over the shared x values, with a legend."""
    xs = list(x) or list(range(max((len(v) for v in series.values()), default=0)))
    all_y = _finite([v for values in series.values() for v in values])
    if not xs or not all_y:
        return [Text(f"{title}: (no data)")]
    y_low, y_high = _span(min(all_y), max(all_y))
    x_low, x_high = _span(min(_finite(xs)), max(_finite(xs)))
    labels = [format_number(y_high), format_number(y_low)]
    label_width = max(len(label) for label in labels)
    plot_width = max(10, width - label_width - 2)
    dots_w, dots_h = plot_width * 2, height * 4
    bits = [[0] * plot_width for _ in range(height)]
    owner: list[list[int | None]] = [[None] * plot_width for _ in range(height)]

    def to_dot(xv: float, yv: float) -> tuple[int, int]:
        dx = round((xv - x_low) / (x_high - x_low) * (dots_w - 1))
        dy = round((y_high - yv) / (y_high - y_low) * (dots_h - 1))
        return dx, dy

    def plot_dot(dx: int, dy: int, index: int) -> None:
        if 0 <= dx < dots_w and 0 <= dy < dots_h:
            cell_x, cell_y = dx // 2, dy // 4
            bits[cell_y][cell_x] |= _BRAILLE_BITS[dx % 2][dy % 4]
            owner[cell_y][cell_x] = index

    for index, values in enumerate(series.values()):
        previous = None
        for xv, yv in zip(xs, values, strict=False):
            if yv is None or xv is None or not (math.isfinite(yv) and math.isfinite(xv)):
                previous = None
                continue
            point = to_dot(xv, yv)
            if previous is None:
                plot_dot(*point, index)
            else:
                (x0, y0), (x1, y1) = previous, point
                steps = max(abs(x1 - x0), abs(y1 - y0), 1)
                for step in range(steps + 1):
                    plot_dot(
                        round(x0 + (x1 - x0) * step / steps),
                        round(y0 + (y1 - y0) * step / steps),
                        index,
                    )
            previous = point

    lines: list[Text] = []
    if title:
        lines.append(Text(title, style="bold"))
    if y_label:
        lines.append(Text(y_label, style="dim"))
    for row in range(height):
        label = labels[0] if row == 0 else labels[1] if row == height - 1 else ""
        line = Text(f"{label:>{label_width}} ┤" if label else f"{'':>{label_width}} │", style="dim")
        for column in range(plot_width):
            cell = bits[row][column]
            index = owner[row][column]
            style = SERIES_STYLES[index % len(SERIES_STYLES)] if index is not None else ""
            line.append(chr(0x2800 + cell) if cell else " ", style=style)
        lines.append(line)
    lines.append(Text(f"{'':>{label_width}} └" + "─" * plot_width, style="dim"))
    left, right = format_number(x_low), format_number(x_high)
    gap = max(1, plot_width - len(left) - len(right))
    lines.append(Text(f"{'':>{label_width}}  {left}{' ' * gap}{right}", style="dim"))
    if x_label:
        lines.append(Text(f"{'':>{label_width}}  {x_label}".rstrip(), style="dim"))
    if len(series) > 1 or (len(series) == 1 and next(iter(series)) != "y"):
        legend = Text(f"{'':>{label_width}}  ")
        for index, name in enumerate(series):
            legend.append("━━ ", style=SERIES_STYLES[index % len(SERIES_STYLES)])
            legend.append(f"{name}  ")
        lines.append(legend)
    return lines


def bar_chart(
    labels: Sequence[Any],
    series: Mapping[str, Sequence[float]],
    *,
    width: int = 60,
    title: str = "",
    peak: float | None = None,
) -> list[Text]:
    """Horizontal bars, one row per label (and per series when there are several).

    ``peak``: the value of a full-width bar (100 for percentages); the largest by default.
    Labels are aligned by terminal cells, so Japanese labels line up too.
    """
    lines: list[Text] = [Text(title, style="bold")] if title else []
    all_values = _finite([v for values in series.values() for v in values])
    if not all_values:
        return [*lines, Text("(no data)")]
    peak = peak or max(abs(v) for v in all_values) or 1.0
    names = list(series)
    label_width = max(cell_len(str(label)) for label in labels) if labels else 0
    if len(names) > 1:
        label_width = max(label_width, *(cell_len(name) + 2 for name in names))
    value_width = max(len(format_number(v)) for v in all_values)
    bar_width = max(5, width - label_width - value_width - 3)
    for row, label in enumerate(labels):
        for index, name in enumerate(names):
            values = series[name]
            value = values[row] if row < len(values) else float("nan")
            shown = str(label) if index == 0 else ""
            if len(names) > 1:
                shown = f"{label} {name}" if index == 0 else f"  {name}"
            line = Text(shown + " " * (label_width - cell_len(shown) + 1))
            eighths = 0 if not math.isfinite(value) else round(abs(value) / peak * bar_width * 8)
            full, part = divmod(eighths, 8)
            bar = "█" * full + (_EIGHTHS[part] if part else "")
            style = SERIES_STYLES[index % len(SERIES_STYLES)]
            line.append(f"{bar:<{bar_width}}", style="red" if value < 0 else style)
            line.append(f" {format_number(value):>{value_width}}")
            lines.append(line)
    return lines


def histogram(
    edges: Sequence[float],
    counts: Sequence[float],
    *,
    width: int = 60,
    height: int = 8,
    title: str = "",
) -> list[Text]:
    """Vertical columns of eighth blocks, one column group per bin."""
    lines: list[Text] = [Text(title, style="bold")] if title else []
    if not counts:
        return [*lines, Text("(no data)")]
    peak = max(counts) or 1
    column_width = max(1, min(4, width // len(counts)))
    for row in range(height, 0, -1):
        line = Text()
        for count in counts:
            level = count / peak * height - (row - 1)
            char = "█" if level >= 1 else _VERTICAL[max(0, round(level * 8))] if level > 0 else " "
            line.append(char * column_width, style="cyan")
        lines.append(line)
    left, right = format_number(edges[0]), format_number(edges[-1])
    total = column_width * len(counts)
    lines.append(Text(f"{left}{' ' * max(1, total - len(left) - len(right))}{right}", style="dim"))
    return lines


def heatmap(
    z: Sequence[Sequence[float]],
    *,
    row_labels: Sequence[str] = (),
    column_labels: Sequence[str] = (),
    title: str = "",
    cell_width: int = 2,
) -> list[Text]:
    """A grid of shaded cells (░▒▓█) coloured from dark to bright, with the value range."""
    lines: list[Text] = [Text(title, style="bold")] if title else []
    values = _finite([v for row in z for v in row])
    if not values:
        return [*lines, Text("(no data)")]
    low, high = (
        _span(min(values), max(values)) if min(values) != max(values) else (0.0, max(values) or 1.0)
    )
    label_width = max((len(label) for label in row_labels), default=0)
    if column_labels:
        header = Text(" " * (label_width + 1 if label_width else 0))
        for label in column_labels:
            header.append(f"{str(label)[:cell_width]:<{cell_width}}", style="dim")
        lines.append(header)
    for index, row in enumerate(z):
        label = row_labels[index] if index < len(row_labels) else ""
        line = Text(f"{label:>{label_width}} " if label_width else "", style="dim")
        for value in row:
            if value is None or not math.isfinite(value):
                line.append("·" * cell_width, style="dim")
                continue
            level = (value - low) / (high - low)
            shade = _SHADES[min(len(_SHADES) - 1, max(1 if value > low else 0, round(level * 4)))]
            line.append(shade * cell_width, style=_heat_style(level))
        lines.append(line)
    lines.append(
        Text(f"{' ' * label_width} {format_number(low)} … {format_number(high)}", style="dim")
    )
    return lines


def _heat_style(level: float) -> str:
    """Dark blue (low) through green to yellow (high), as a truecolor style."""
    level = min(1.0, max(0.0, level))
    red = round(255 * max(0.0, level * 2 - 1))
    green = round(80 + 175 * min(1.0, level * 1.5))
    blue = round(160 * (1 - level))
    return f"rgb({red},{green},{blue})"


def render_plot(plot: Mapping[str, Any], *, width: int = 60, height: int = 12) -> list[Text]:
    """Draw a demo plot given in its JSON form (``{"kind", "title", "x", "series", …}``)."""
    kind, title = plot.get("kind"), plot.get("title", "")
    if kind == "line":
        return line_chart(
            plot.get("x", []),
            plot.get("series", {}),
            width=width,
            height=height,
            title=title,
            x_label=plot.get("x_label", ""),
            y_label=plot.get("y_label", ""),
        )
    if kind == "bar":
        return bar_chart(
            plot.get("x", []),
            plot.get("series", {}),
            width=width,
            title=title,
            peak=plot.get("peak"),
        )
    if kind == "histogram":
        counts = next(iter(plot.get("series", {}).values()), [])
        return histogram(
            plot.get("x", []), counts, width=width, height=max(4, height // 2), title=title
        )
    if kind == "heatmap":
        return heatmap(
            plot.get("z", []),
            row_labels=plot.get("y_ticks", []),
            column_labels=[str(label) for label in plot.get("x", [])],
            title=title,
        )
    return [Text(f"{title}: unknown plot kind {kind!r}")]
