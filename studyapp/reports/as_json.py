"""The report as one JSON document: every figure of the model, under stable key names.

Keys are the model's field names (studyapp/reports/model.py documents what each means);
dates are ``YYYY-MM-DD``, times ISO 8601 with the learner's UTC offset, and fractions are
numbers from 0 to 1 (null where there is nothing to measure).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from studyapp.reports.model import REPORT_FORMAT, REPORT_VERSION, Report

_DIGITS = 6  # enough for any figure shown; keeps float noise out of diffs


def report_document(report: Report) -> dict[str, Any]:
    return {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "empty": report.is_empty,
        "days_to_exam": report.days_to_exam,
        **_plain(asdict(report)),
    }


def render_json(report: Report) -> str:
    return json.dumps(report_document(report), ensure_ascii=False, indent=2) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, _DIGITS)
    return value
