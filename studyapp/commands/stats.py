"""``studyapp stats``: counts of the bank, the profile's cards and its review log."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from studyapp.config import AppConfig
from studyapp.store import open_store


def stats_document(config: AppConfig) -> dict[str, Any]:
    """The counts ``stats --json`` prints, after syncing the bank."""
    with open_store(config) as store:
        counts = store.scheduler.stats()
        problems = len(store.last_sync.problems) if store.last_sync else 0
    return {
        "profile": config.profile,
        **asdict(counts),
        "bank_problems": problems,
        "bank_trusted": config.bank_trusted,
    }


def stats(args: argparse.Namespace, config: AppConfig) -> int:
    document = stats_document(config)
    if args.json:
        json.dump(document, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    print(_summary(document))
    return 0


def _summary(d: dict[str, Any]) -> str:
    lines = [
        f"profile    {d['profile']}",
        f"questions  {d['questions']:,} in the bank, {d['retired']:,} retired",
        f"studied    {d['cards']:,} questions, {d['reviews']:,} answers in the log",
        f"due now    {d['due_now']:,} (learning {d['learning_due']:,}, review {d['review_due']:,}),"
        f" {d['new']:,} new",
        f"today      {d['today']['new']:,} new, {d['today']['reviews']:,} reviews",
        f"flags      {d['suspended']:,} suspended, {d['leeches']:,} leeches",
    ]
    if d["bank_problems"]:
        lines.append(f"bank       {d['bank_problems']:,} problems (see 'studyapp bank check')")
    return "\n".join(lines)
