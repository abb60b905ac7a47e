"""The interface language: Japanese by default (a gettext catalog), English by setting.

Messages are written in English in the code and translated through ``_``; the Japanese
catalog is studyapp/locale/ja/LC_MESSAGES/studyapp.po, compiled to .mo by
``python -m studyapp.i18n_catalog``.
"""

from __future__ import annotations

import gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "studyapp"
DEFAULT_LANGUAGE = "ja"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(language: str | None) -> None:
    """Switch every later ``_`` call to ``language`` ("ja" or "en"; None means the default)."""
    global _translation, _language
    _language = language or DEFAULT_LANGUAGE
    if _language == "en":
        _translation = gettext.NullTranslations()
    else:
        _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[_language], fallback=True)


def current_language() -> str:
    return _language


def _(message: str) -> str:
    """The message in the current language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translation.ngettext(singular, plural, count)


set_language(DEFAULT_LANGUAGE)
