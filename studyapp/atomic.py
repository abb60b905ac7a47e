"""Writing a file so that it is either wholly new or untouched: backups and reports.

A failed or interrupted write must never destroy the previous file (an earlier backup, an
earlier report), so text goes to a temporary file in the same directory, is flushed to
disk, and then replaces the target in one rename.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from studyapp.errors import StudyappError


def os_reason(error: OSError) -> str:
    """The operating system's short reason, e.g. "permission denied"."""
    return (error.strerror or type(error).__name__).lower()


def _new_file_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give a new file, under the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: Path, write: Callable[[TextIO], None]) -> None:
    """Create or replace ``path`` with what ``write`` writes to the stream it is given.

    Raises StudyappError with one sentence when the file cannot be written.
    """
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as error:
        raise StudyappError(f"cannot write {path} ({os_reason(error)}).") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _new_file_mode())  # mkstemp's file is private (0600)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise StudyappError(f"cannot write {path} ({os_reason(error)}).") from None
