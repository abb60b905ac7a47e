"""Where things are: the database, the question bank, and the options every command shares.

Resolution order for each setting: command-line flag, then environment variable, then default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from content import BUNDLED_BANK_DIR

ENV_DB = "STUDYAPP_DB"
ENV_BANK = "STUDYAPP_BANK"
ENV_LANG = "STUDYAPP_LANG"

DEFAULT_PROFILE = "default"
LANGUAGES = ("ja", "en")


def default_data_dir() -> Path:
    """The per-user data directory (platformdirs), e.g. ~/.local/share/studyapp."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("studyapp", appauthor=False))


def default_db_url() -> str:
    return str(default_data_dir() / "studyapp.db")


@dataclass
class AppConfig:
    """The options every command shares, resolved from flags and the environment."""

    db: str = field(default_factory=default_db_url)
    bank_dirs: list[Path] = field(default_factory=lambda: [BUNDLED_BANK_DIR])
    trust_bank: bool = False
    profile: str = DEFAULT_PROFILE
    lang: str | None = None
    debug: bool = False

    @property
    def bank_is_bundled(self) -> bool:
        return all(d.resolve() == BUNDLED_BANK_DIR for d in self.bank_dirs)

    @property
    def bank_trusted(self) -> bool:
        """Code snippets run only for the bundled bank, or for another after ``--trust-bank``."""
        return self.bank_is_bundled or self.trust_bank

    @classmethod
    def resolve(
        cls,
        *,
        db: str | None = None,
        banks: list[str] | None = None,
        trust_bank: bool = False,
        profile: str | None = None,
        lang: str | None = None,
        debug: bool = False,
        environ: dict[str, str] | None = None,
    ) -> AppConfig:
        env = os.environ if environ is None else environ
        config = cls(trust_bank=trust_bank, debug=debug)
        config.db = db or env.get(ENV_DB) or default_db_url()
        if banks:
            config.bank_dirs = [Path(b) for b in banks]
        elif env.get(ENV_BANK):
            config.bank_dirs = [Path(b) for b in env[ENV_BANK].split(os.pathsep) if b]
        config.profile = profile or DEFAULT_PROFILE
        config.lang = lang or env.get(ENV_LANG) or None
        return config
