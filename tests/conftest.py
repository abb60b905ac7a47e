"""Every test runs against its own database and the bundled bank, never the user's files."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("STUDYAPP_DB", str(home / "studyapp.db"))
    monkeypatch.delenv("STUDYAPP_BANK", raising=False)
    monkeypatch.delenv("STUDYAPP_LANG", raising=False)
    yield home
