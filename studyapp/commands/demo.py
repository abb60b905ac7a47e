"""``studyapp demo list`` and ``studyapp demo run``: the live demos from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from studyapp.config import AppConfig
from studyapp.errors import UsageError


def parse_assignments(assignments: list[str]) -> dict[str, Any]:
    """``["H=6", "x=[1, 2]", "init=he"]`` → ``{"H": 6, "x": [1, 2], "init": "he"}``.

    VALUE is read as JSON when it parses, else taken as the string itself.
    """
    from content.demo_line import parse_value

    params: dict[str, Any] = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set expects NAME=VALUE, got {assignment!r}")
        params[name.strip()] = parse_value(text)
    return params


def _format_value(value: Any, limit: int = 12) -> str:
    """A value for the terminal: long lists are elided in the middle."""
    if isinstance(value, list) and len(value) > limit:
        head = ", ".join(_format_value(v) for v in value[: limit // 2])
        tail = ", ".join(_format_value(v) for v in value[-2:])
        return f"[{head}, …, {tail}] ({len(value)} items)"
    if isinstance(value, list):
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.10g}"
    return json.dumps(value, ensure_ascii=False)


def _param_summary(description: dict[str, Any]) -> str:
    kind = description["type"]
    default = json.dumps(description["default"], ensure_ascii=False)
    if kind == "choice":
        bounds = "|".join(description["choices"])
    elif description.get("min") is not None or description.get("max") is not None:
        low = "" if description.get("min") is None else f"{description['min']:g}"
        high = "" if description.get("max") is None else f"{description['max']:g}"
        bounds = f"{low}–{high}"
    else:
        bounds = ""
    return f"{description['name']}={default} ({kind}{' ' + bounds if bounds else ''})"


def list_demos(args: argparse.Namespace, config: AppConfig) -> int:
    from engine.demos import all_demos

    demos = all_demos()
    if args.json:
        json.dump([demo.describe() for demo in demos.values()], sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    width = max((len(demo_id) for demo_id in demos), default=0)
    for demo in demos.values():
        print(f"{demo.id:<{width}}  {demo.title}")
        if demo.params:
            summary = "  ".join(_param_summary(param.describe()) for param in demo.params)
            print(f"{'':<{width}}  {summary}")
    print(
        f"{len(demos)} demos. Run one with: studyapp demo run ID [--set NAME=VALUE …]",
        file=sys.stderr,
    )
    return 0


def run_demo(args: argparse.Namespace, config: AppConfig) -> int:
    from engine.demos import ParameterError, UnknownDemoError, get_demo, run

    params = parse_assignments(args.assignments)
    try:
        demo_run = run(get_demo(args.demo_id), params)
    except (ParameterError, UnknownDemoError) as error:
        raise UsageError(str(error).rstrip(".")) from error
    if args.json:
        json.dump(demo_run.to_json(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    _print_run(demo_run.to_json())
    return 0


def _print_run(document: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markdown import Markdown

    from content.mathtext import to_unicode
    from studyapp.charts import render_plot

    console = Console(highlight=False)
    width = min(console.width, 100)
    console.print(f"[bold]{document['title']}[/bold]  ({document['id']})")
    params = "  ".join(f"{k}={_format_value(v)}" for k, v in document["params"].items())
    if params:
        console.print(f"[dim]{params}[/dim]")
    console.print()
    console.print(Markdown(to_unicode(document["narrative"])), width=width)
    console.print()
    name_width = max((len(name) for name in document["values"]), default=0)
    for name, value in document["values"].items():
        console.print(f"  {name:<{name_width}} = {_format_value(value)}", markup=False)
    for plot in document["plots"]:
        console.print()
        for line in render_plot(plot, width=width - 2):
            console.print(line)
    console.print(f"\n[dim]{document['elapsed_ms']:.1f} ms[/dim]")
