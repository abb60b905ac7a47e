"""``studyapp report``: the progress report as text, Markdown, HTML or JSON.

Text for a terminal is styled and as wide as the terminal (at most 100 columns); text for a
pipe or a file is plain. ``--output FILE`` writes through a temporary file renamed into
place, so a failed write never leaves half a report, and says where on stderr.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from studyapp.config import AppConfig
from studyapp.errors import StudyappError
from studyapp.i18n import _, set_language
from studyapp.reports import TEXT_WIDTH, build_report, render
from studyapp.store import open_store


def report(args: argparse.Namespace, config: AppConfig) -> int:
    with open_store(config) as store:
        set_language(config.lang or store.scheduler.settings.language)
        model = build_report(store.scheduler, store.profile)
    to_terminal = args.output is None and args.format == "text" and sys.stdout.isatty()
    width = shutil.get_terminal_size().columns if to_terminal else TEXT_WIDTH
    document = render(model, args.format, color=to_terminal, width=width)
    if args.output is None:
        sys.stdout.write(document)
        return 0
    write_atomically(Path(args.output), document)
    print(_("Wrote the report to {path}.").format(path=args.output), file=sys.stderr)
    return 0


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory."""
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as error:
        raise StudyappError(_cannot_write(path, error)) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _new_file_mode())  # mkstemp's file is private (0600)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise StudyappError(_cannot_write(path, error)) from None


def _new_file_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give a new file, under the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _cannot_write(path: Path, error: OSError) -> str:
    reason = (error.strerror or type(error).__name__).lower()
    return _("Cannot write {path} ({reason}).").format(path=path, reason=reason)
