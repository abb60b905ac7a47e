"""``studyapp report``: the progress report as text, Markdown, HTML or JSON.

Text for a terminal is styled and as wide as the terminal (at most 100 columns); text for a
pipe or a file is plain. ``--output FILE`` writes through a temporary file renamed into
place, so a failed write never leaves half a report, and says where on stderr.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from studyapp.atomic import write_atomically
from studyapp.config import AppConfig
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
    write_atomically(Path(args.output), lambda stream: stream.write(document))
    print(_("Wrote the report to {path}.").format(path=args.output), file=sys.stderr)
    return 0
