"""Report tests render in a known language and restore the default afterwards."""

from __future__ import annotations

import pytest

from studyapp import i18n


@pytest.fixture(autouse=True)
def japanese():
    i18n.set_language("ja")
    yield
    i18n.set_language(None)
