"""``studyapp exam set-date`` and ``studyapp exam status``: the exam date and readiness."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from studyapp.config import AppConfig
from studyapp.errors import UsageError
from studyapp.exam import readiness
from studyapp.settings import InvalidSetting, parse_date
from studyapp.store import open_store


def set_date(args: argparse.Namespace, config: AppConfig) -> int:
    text = args.date.strip()
    try:
        exam_date = None if text.lower() == "none" else parse_date(text)
    except InvalidSetting as error:
        raise UsageError(str(error).rstrip(".")) from error
    with open_store(config, sync=False) as store:
        scheduler = store.scheduler
        scheduler.update_settings(scheduler.settings.replace(exam_date=exam_date))
        today = datetime.now(UTC).astimezone(scheduler.zone).date()
    if exam_date is None:
        print("Exam date cleared: reviews follow plain FSRS again.", file=sys.stderr)
    elif exam_date <= today:
        print(
            f"Exam date set to {exam_date.isoformat()}, which is not in the future: "
            "reviews follow plain FSRS until you set a later date.",
            file=sys.stderr,
        )
    else:
        days = (exam_date - today).days
        print(
            f"Exam date set to {exam_date.isoformat()} ({days} days from today): "
            "reviews now aim at exam day.",
            file=sys.stderr,
        )
    return 0


def status(args: argparse.Namespace, config: AppConfig) -> int:
    with open_store(config) as store:
        now = datetime.now(UTC)
        report = readiness(store.scheduler, store.bank().questions, now)
    if args.json:
        document = report.to_json() if report else {"exam_date": None}
        json.dump(document, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if report is None:
        print("No exam date is set. Set one with: studyapp exam set-date YYYY-MM-DD")
        return 0
    print(f"exam date        {report.exam_date.isoformat()} ({report.days_to_exam} days left)")
    print(
        f"predicted recall {report.predicted_recall:.1%} on exam day "
        f"(target {report.target_recall:.0%}; {'on track' if report.on_track else 'below target'})"
    )
    print(f"studied          {report.seen} of {report.questions} questions")
    print(
        f"needed           {report.new_per_day_needed} new questions a day, then "
        f"{report.final_week_reviews_per_day} reviews a day in the last week"
    )
    print()
    width = max(len(s.section) for s in report.sections) if report.sections else 0
    for section in report.sections:
        bar = "█" * round(section.predicted_recall * 20)
        print(
            f"  {section.section:<{width}}  {section.predicted_recall:6.1%}  {bar:<20}  "
            f"{section.seen}/{section.questions}"
        )
    return 0
