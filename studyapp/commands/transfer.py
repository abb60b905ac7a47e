"""``studyapp export FILE`` and ``studyapp import FILE``: backups as JSON ('-' for stdio).

The format is docs/export-format.md. Export writes through a temporary file renamed into
place, so a failed export never leaves a half-written backup over a good one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from data.transfer import write_document
from studyapp.atomic import os_reason, write_atomically
from studyapp.config import AppConfig
from studyapp.errors import StudyappError
from studyapp.store import open_store


def export(args: argparse.Namespace, config: AppConfig) -> int:
    with open_store(config) as store:
        document = store.export_backup()
    if args.file == "-":
        write_document(document, sys.stdout)
        where = "standard output"
    else:
        write_atomically(Path(args.file), lambda stream: write_document(document, stream))
        where = args.file
    print(
        f"exported {len(document['profiles'])} profiles, {len(document['sessions'])} sessions "
        f"and {len(document['reviews'])} reviews to {where}",
        file=sys.stderr if args.file == "-" else sys.stdout,
    )
    return 0


def import_(args: argparse.Namespace, config: AppConfig) -> int:
    source = "standard input" if args.file == "-" else args.file
    document = _read_json(args.file, source)
    with open_store(config) as store:
        report = store.import_backup(document, source)
    created = f" (created {', '.join(report.profiles_created)})" if report.profiles_created else ""
    print(
        f"imported {source}: {len(report.profile_ids)} profiles{created}, "
        f"{report.sessions_added} new sessions, {report.reviews_added} new reviews "
        f"({report.reviews_skipped} already present), {report.settings_written} settings; "
        "card state rebuilt from the log"
    )
    return 0


def _read_json(file: str, source: str) -> Any:
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise StudyappError(f"{source} is not UTF-8 text; give a studyapp export (JSON).") from None
    except OSError as error:
        raise StudyappError(f"cannot read {source} ({os_reason(error)}).") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise StudyappError(
            f"{source} is not JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        ) from None
