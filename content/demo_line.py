"""The demo line of a question: ``conv-output-size H=6 W=6 FH=2 FW=2 pad=1 stride=1``.

A demo id (a slug) followed by ``NAME=VALUE`` pairs. VALUE is read as JSON when it parses,
else taken as the string itself — the same rule as ``studyapp demo run --set``, so a line
copied from the bank works on the command line and back. Whitespace inside brackets or
double quotes does not split a pair: ``Q=[[1, 0], [0, 1]]``, ``label="two words"``.
"""

from __future__ import annotations

import json
import re
from typing import Any

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_OPENING = {"[": "]", "{": "}", "(": ")"}


class DemoLineError(ValueError):
    """A demo line that cannot be read; the message is one sentence for the author."""


def parse_value(text: str) -> Any:
    """``"6"`` → 6, ``"[1, 2]"`` → [1, 2], ``"true"`` → True, ``"he"`` → ``"he"``."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep brackets
        return text


def split_words(text: str) -> list[str]:
    """Split at whitespace that is outside brackets and double-quoted strings."""
    if not any(char in text for char in '"[]{}()'):
        return text.split()  # the common case, and ten times faster than the scan below
    words: list[str] = []
    current: list[str] = []
    closers: list[str] = []
    in_string = escaped = False
    for char in text:
        if in_string:
            current.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char.isspace() and not closers:
            if current:
                words.append("".join(current))
                current = []
            continue
        current.append(char)
        if char == '"':
            in_string = True
        elif char in _OPENING:
            closers.append(_OPENING[char])
        elif char in _OPENING.values() and (not closers or closers.pop() != char):
            raise DemoLineError(f"unbalanced {char!r} in {''.join(current)!r}")
    if in_string:
        raise DemoLineError(f"unclosed double quote in {''.join(current)!r}")
    if closers:
        raise DemoLineError(f"unclosed bracket in {''.join(current)!r} (missing {closers[-1]!r})")
    if current:
        words.append("".join(current))
    return words


def parse_demo_line(text: str) -> tuple[str, dict[str, Any]]:
    """``"conv-output-size H=6 pad=1"`` → ``("conv-output-size", {"H": 6, "pad": 1})``."""
    words = split_words(text)
    if not words:
        raise DemoLineError("the demo line is empty; write the demo id, then NAME=VALUE pairs")
    demo_id, *assignments = words
    if not SLUG.fullmatch(demo_id):
        raise DemoLineError(
            f"demo id {demo_id!r} is not a slug (lowercase letters, digits and single hyphens)"
        )
    params: dict[str, Any] = {}
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not PARAM_NAME.fullmatch(name) or not value:
            raise DemoLineError(f"demo parameter {assignment!r} is not NAME=VALUE")
        if name in params:
            raise DemoLineError(f"demo parameter {name!r} is given twice")
        params[name] = parse_value(value)
    return demo_id, params
