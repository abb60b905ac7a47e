"""The TUI's parts without an app: keymap files, Japanese line wrapping, translations."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import textual.content
from rich._wrap import divide_line as rich_divide_line
from textual.dom import DOMNode

import studyapp.tui
from studyapp.i18n_catalog import po_path, read_po
from studyapp.tui import wrapping
from studyapp.tui.commands import APP_COMMANDS
from studyapp.tui.keymap import KeymapError, load_keymap
from studyapp.tui.screens.demo import field_text, format_value
from studyapp.tui.screens.settings import FIELDS


def _lines(text: str, width: int) -> list[str]:
    cuts = wrapping.divide_line(text, width)
    return [text[start:end] for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True)]


# -- keymap -----------------------------------------------------------------------------


def test_keymap_reads_quoted_and_dotted_ids(tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text(
        '[keymap]\n"review.rate_good" = "g"\nreview.rate_easy = "e, 4"\n', encoding="utf-8"
    )
    assert load_keymap(path) == {"review.rate_good": "g", "review.rate_easy": "e,4"}


def test_a_missing_keymap_file_means_the_defaults(tmp_path):
    assert load_keymap(tmp_path / "keymap.toml") == {}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[keymap\n", "正しい TOML ではありません"),
        ('review.rate_good = "g"\n', "[keymap] テーブルがありません"),
        ("[keymap]\nhome.start_review = 3\n", "home.start_review のキーは"),
    ],
)
def test_a_bad_keymap_file_is_one_sentence(tmp_path, content, problem):
    path = tmp_path / "keymap.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KeymapError) as raised:
        load_keymap(path)
    message = str(raised.value)
    assert problem in message and str(path) in message and "\n" not in message


# -- wrapping ---------------------------------------------------------------------------


def test_japanese_wraps_between_characters_not_after_a_lone_word():
    text = "D 逆である。罰則を強くするほど、訓練誤差は大きくなる"
    assert _lines(text, 20) == ["D 逆である。罰則を強", "くするほど、訓練誤差", "は大きくなる"]


def test_closing_punctuation_never_starts_a_line_and_brackets_never_end_one():
    assert _lines("あいうえおかきくけ。こさし", 18) == ["あいうえおかきく", "け。こさし"]
    assert _lines("あいうえおかきく（けこ）", 18) == ["あいうえおかきく", "（けこ）"]


@pytest.mark.parametrize("width", [1, 3, 7, 12, 40])
def test_latin_text_wraps_exactly_as_rich_does(width):
    text = "Remap keys in the keymap file; several keys are separated by commas."
    assert wrapping.divide_line(text, width) == rich_divide_line(text, width)


def test_the_wrapping_seam_in_textual_still_exists():
    original = textual.content.divide_line
    try:
        wrapping.install()
        assert textual.content.divide_line is wrapping.divide_line
    finally:
        textual.content.divide_line = original


# -- formatting -------------------------------------------------------------------------


def test_demo_values_and_parameters_read_well():
    assert format_value(0.999954600070331) == "0.9999546001"
    assert format_value(True) == "true"
    assert format_value(list(range(10))) == "[0, 1, 2, 3, 4, 5, 6, 7 …（全 10 個）]"
    assert field_text([[1.0, 0.5], [3.0, 4.0]]) == "[[1, 0.5], [3, 4]]"


# -- translations -----------------------------------------------------------------------


def _tui_classes() -> list[type[DOMNode]]:
    """Every screen, widget and the app defined in studyapp.tui."""
    found = []
    for module in pkgutil.walk_packages(studyapp.tui.__path__, "studyapp.tui."):
        for value in vars(importlib.import_module(module.name)).values():
            ours = isinstance(value, type) and value.__module__ == module.name
            if ours and issubclass(value, DOMNode):
                found.append(value)
    return found


def _tui_message_ids() -> set[str]:
    """Message ids the TUI translates when it shows them (not as literal ``_()`` calls)."""
    found = {description for description, _action in APP_COMMANDS}
    found |= {field.label for field in FIELDS} | {field.hint for field in FIELDS}
    for cls in _tui_classes():
        found |= {binding.description for binding in cls.__dict__.get("BINDINGS", [])}
        found |= {cls.__dict__.get("SCREEN_NAME", ""), cls.__dict__.get("SCREEN_HELP", "")}
    return found - {""}


def test_every_binding_has_an_id_so_it_can_be_remapped():
    bindings = [b for cls in _tui_classes() for b in cls.__dict__.get("BINDINGS", [])]
    assert len(bindings) > 30
    assert [binding for binding in bindings if not binding.id] == []


def test_every_key_description_screen_name_and_command_is_translated():
    catalog = read_po(po_path().read_text(encoding="utf-8"))
    assert sorted(m for m in _tui_message_ids() if not catalog.get(m)) == []
