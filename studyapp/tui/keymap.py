"""Remappable keys: every Binding has an id, and a TOML file can give it other keys.

The file is ``keymap.toml`` in the user configuration directory (``studyapp`` under
platformdirs' ``user_config_dir``, e.g. ``~/.config/studyapp/keymap.toml``)::

    [keymap]
    "review.rate_good" = "g"          # quoted: the id as the help screen shows it
    review.rate_easy = "e,4"           # or as dotted keys; several keys separated by commas

The ids are listed in the help screen (``?``). A file that cannot be read gets one
notification and the default keys.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from studyapp.i18n import _

KEYMAP_FILE_NAME = "keymap.toml"


class KeymapError(ValueError):
    """The keymap file is not valid; the message is one sentence naming the file."""


def default_keymap_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("studyapp", appauthor=False)) / KEYMAP_FILE_NAME


def load_keymap(path: Path) -> dict[str, str]:
    """Binding id → keys from ``path``; {} when the file does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise KeymapError(
            _("{path} cannot be read ({reason}); the default keys are used.").format(
                path=path, reason=error.strerror or error
            )
        ) from error
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise KeymapError(
            _("{path} is not valid TOML ({reason}); the default keys are used.").format(
                path=path, reason=error
            )
        ) from error
    table = document.get("keymap")
    if not isinstance(table, Mapping):
        raise KeymapError(
            _("{path} has no [keymap] table; the default keys are used.").format(path=path)
        )
    keymap = dict(_flatten(table))
    for binding_id, keys in keymap.items():
        if not isinstance(keys, str) or not keys.strip():
            raise KeymapError(
                _(
                    '{path}: the keys of {binding} must be a string such as "g" or "ctrl+g"; '
                    "the default keys are used."
                ).format(path=path, binding=binding_id)
            )
    return {binding_id: keys.replace(" ", "") for binding_id, keys in keymap.items()}


def _flatten(table: Mapping[str, Any], prefix: str = ""):
    """Dotted TOML keys (``review.rate_good = "g"``) arrive as nested tables: join them."""
    for key, value in table.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value
