"""The interface speaks Japanese by default, English by setting, from a gettext catalog."""

from __future__ import annotations

from studyapp import i18n
from studyapp.i18n_catalog import extract_messages, po_path, read_po, write_mo


def test_japanese_is_the_default_and_english_is_available():
    message = "Pick an option first."
    try:
        i18n.set_language(None)
        assert i18n.current_language() == "ja"
        assert i18n._(message) == "先に選択肢を選んでください。"
        i18n.set_language("en")
        assert i18n._(message) == message
    finally:
        i18n.set_language(None)


def test_every_message_in_the_code_has_a_japanese_translation():
    catalog = read_po(po_path().read_text(encoding="utf-8"))
    missing = {m: places for m, places in extract_messages().items() if not catalog.get(m)}
    assert missing == {}


def test_translations_keep_every_placeholder():
    import re

    catalog = read_po(po_path().read_text(encoding="utf-8"))
    for message, translation in catalog.items():
        if message:
            assert set(re.findall(r"{\w*}", message)) == set(re.findall(r"{\w*}", translation)), (
                message
            )


def test_the_compiled_catalog_is_up_to_date_with_the_po_file():
    po = po_path()
    assert po.with_suffix(".mo").read_bytes() == write_mo(read_po(po.read_text(encoding="utf-8")))
