"""Failures as the learner sees them: one translated sentence, never a traceback.

Every worker of the app and its screens runs with ``exit_on_error=False``; when one fails,
:class:`ReportsWorkerErrors` turns the exception into a notification (Harlequin's one
handler for worker errors) and writes the traceback to the Textual log only.
"""

from __future__ import annotations

import traceback

from textual.worker import Worker, WorkerState

from data.errors import (
    DatabaseLocked,
    DatabaseTooNew,
    DatabaseUnavailable,
    DataError,
    MigrationFailed,
    NotADatabase,
)
from studyapp.errors import StudyappError
from studyapp.i18n import _


def describe_error(error: BaseException) -> str:
    """One sentence in the interface language saying what failed and what to do."""
    cause = error.__cause__ if isinstance(error.__cause__, DataError) else error
    if isinstance(cause, DatabaseLocked):
        return _("The database is busy: another program is writing to it. Try again in a moment.")
    if isinstance(cause, DatabaseUnavailable | NotADatabase):
        return _("The database cannot be opened: {detail}").format(detail=cause)
    if isinstance(cause, DatabaseTooNew):
        return _("The database was written by a newer studyapp; update studyapp to use it.")
    if isinstance(cause, MigrationFailed):
        return _("Updating the database failed and was rolled back: {detail}").format(detail=cause)
    if isinstance(cause, DataError):
        return _("The database reported a problem: {detail}").format(detail=cause)
    if isinstance(error, StudyappError):
        return str(error)
    if isinstance(error, TimeoutError):
        return _("It took too long and was stopped: {detail}").format(detail=error)
    return _("Something went wrong ({kind}: {detail}); the log has the details.").format(
        kind=type(error).__name__, detail=error
    )


class ReportsWorkerErrors:
    """Mixed into the app and every screen: a failed worker becomes one notification.

    Subclasses that must tidy up after a failure (e.g. leave a busy state) override
    :meth:`worker_failed`.
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if error is not None:
            self.app.log.error("".join(traceback.format_exception(error)))
            self.app.notify(describe_error(error), severity="error", timeout=8)
        self.worker_failed(event.worker)

    def worker_failed(self, worker: Worker) -> None:
        """Called after the notification; the default does nothing."""
