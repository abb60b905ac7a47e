"""The store for one configuration: the database, the bank synced into it, and the profile.

Every command and the TUI start here::

    with open_store(config) as store:          # opens, migrates, syncs the bank
        store.scheduler.record_answer(...)

The TUI opens without syncing (``open_store(config, sync=False)``: a few milliseconds, no
parsing) to show counts at once, then calls :meth:`Store.sync` in a worker thread.
Persistence errors (:class:`data.errors.DataError`) reach callers as :class:`StoreError`,
one sentence with exit code 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from content.model import Bank
from data.db import Database, open_database
from data.errors import DataError
from data.profiles import ensure_profile, find_profile
from studyapp import __version__
from studyapp.config import AppConfig
from studyapp.errors import StudyappError
from studyapp.scheduler import FsrsReplay, StudyScheduler, rebuild_cards
from studyapp.settings import load_settings, setting_problem

if TYPE_CHECKING:
    # Imported when used: bank sync loads the Markdown parser, which opening must not.
    from data.sync import SyncReport
    from data.transfer import ImportReport


class StoreError(StudyappError):
    """A database, bank-sync or import failure, as one sentence (exit code 1)."""


@contextmanager
def store_errors() -> Iterator[None]:
    """Turn persistence errors raised inside the block into :class:`StoreError`."""
    try:
        yield
    except DataError as error:
        raise StoreError(str(error)) from error


class Store:
    """An open database for one profile and one bank. Close it, or use ``with``: inside
    the block, persistence errors from any call (the scheduler's too) become StoreError."""

    def __init__(self, config: AppConfig, database: Database, profile_id: int):
        self.config = config
        self.database = database
        self.profile_id = profile_id
        self.last_sync: SyncReport | None = None
        self._scheduler: StudyScheduler | None = None

    @property
    def profile(self) -> str:
        return self.config.profile

    @property
    def bank_trusted(self) -> bool:
        """Whether code snippets of the bank in use may run (bundled, or ``--trust-bank``)."""
        return self.config.bank_trusted

    @property
    def scheduler(self) -> StudyScheduler:
        """Scheduling for the profile, created on first use with its stored settings."""
        if self._scheduler is None:
            with store_errors():
                self._scheduler = StudyScheduler(self.database, self.profile_id)
        return self._scheduler

    def sync(self) -> SyncReport:
        """Sync the bank into the database (cheap when unchanged); returns the SyncReport."""
        from data.sync import sync_bank

        with store_errors():
            self.last_sync = sync_bank(self.database, self.config.bank_dirs)
        return self.last_sync

    def bank(self) -> Bank:
        """The bank's active questions as last synced, without parsing unchanged files.

        Syncs first when nothing was synced yet or the parser changed since.
        """
        from data.sync import bank_from_cache, cache_is_current

        with store_errors():
            with self.database.read() as session:
                current = cache_is_current(session)
            if not current:
                self.sync()
            with self.database.read() as session:
                return bank_from_cache(session, self.config.bank_dirs, self.bank_trusted)

    def export_backup(self) -> dict[str, Any]:
        """Every profile, its settings, sessions and review log, as an export document."""
        from data.transfer import export_document

        with store_errors(), self.database.read() as session:
            return export_document(session, generator=f"studyapp {__version__}")

    def import_backup(self, document: Any, source: str) -> ImportReport:
        """Validate an export document, merge it in one transaction, rebuild card state.

        Returns the ImportReport. Nothing is written when validation fails.
        """
        from data.transfer import import_data, parse_document

        with store_errors():
            data = parse_document(document, source, check_setting=setting_problem)
            with self.database.write() as session:
                report = import_data(session, data)
                for profile_id in report.profile_ids:
                    replay = FsrsReplay(load_settings(session, profile_id))
                    rebuild_cards(session, profile_id, replay)
        self._scheduler = None  # settings may have changed
        return report

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: object, error: BaseException | None, traceback: object) -> None:
        self.close()
        if isinstance(error, DataError):  # from the scheduler or the database, mid-block
            raise StoreError(str(error)) from error


def open_store(config: AppConfig, *, sync: bool = True) -> Store:
    """Open the configured database, create the profile on first use, sync the bank."""
    with store_errors():
        database = open_database(config.db)
        try:
            with database.read() as session:
                profile_id = find_profile(session, config.profile)
            if profile_id is None:
                with database.write() as session:
                    profile_id = ensure_profile(session, config.profile)
            store = Store(config, database, profile_id)
            if sync:
                store.sync()
        except BaseException:
            database.close()
            raise
    return store
