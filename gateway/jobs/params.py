"""Validated parameters of the two job kinds, stored as `jobs.params` (JSON).

AMP export (`amp_export`), from `POST /v1/analytics/export` / `createAnalyticsExport`:
  format       "csv" | "json" (default "csv")
  period       "7d" | "30d" | "90d" | "ytd" | "all" | "YYYY-MM-DD/YYYY-MM-DD" (default "30d";
               both days inclusive, UTC)
  include      subset of ["content", "metrics", "costs"] (default: all three, in that order)
  mission_ids  mission keys (`msn_...`); empty = every mission of the org
  email_to     an address to send the download link to, or None

ibl.ai data report (`iblai_report`), from `POST …/reports/platforms/{org}/new` /
`createDataReport`:
  report_name    one of REPORT_NAMES
  mentor         mentor unique id (None = org-wide); `mentor_id` its database id
  usergroup_ids  user group ids narrowing the report to their members
  start_date / end_date  "YYYY-MM-DD" both or neither (neither = all time)
  course_id      a course key; only for `ai-mentor-courses`
  query          free-text search (username / name / email) for the per-user reports

Every error is an `InvalidInput` whose message says what to send instead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from gateway.errors import InvalidInput
from gateway.inputs import check_day

EXPORT_FORMATS = ("csv", "json")
EXPORT_SECTIONS = ("content", "metrics", "costs")
PERIOD_PRESETS = {"7d": "LAST_7D", "30d": "LAST_30D", "90d": "LAST_90D", "ytd": "YTD", "all": "ALL"}
PRESET_DAYS = {"7d": 7, "30d": 30, "90d": 90}

REPORT_NAMES = (
    "ai-mentor-chat-history",
    "ai-mentor-users",
    "ai-mentor-costs",
    "ai-mentor-courses",
)
MAX_QUERY_LEN = 200
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@dataclass(frozen=True)
class ExportPeriod:
    """A parsed AMP period: the GraphQL `PeriodInput` variables and its length in days
    (`math.inf` for "all")."""

    text: str
    variables: dict
    days: float


def parse_period(text: str | None, *, today: date | None = None) -> ExportPeriod:
    text = (text or "30d").strip()
    today = today or datetime.now(UTC).date()
    preset = PERIOD_PRESETS.get(text.lower())
    if preset is not None:
        if text.lower() == "all":
            days: float = math.inf
        elif text.lower() == "ytd":
            days = (today - date(today.year, 1, 1)).days + 1
        else:
            days = PRESET_DAYS[text.lower()]
        return ExportPeriod(text.lower(), {"preset": preset, "timezone": "UTC"}, days)
    start_s, sep, end_s = text.partition("/")
    if not sep:
        raise InvalidInput(
            f"period must be one of 7d, 30d, 90d, ytd, all or a range "
            f"'YYYY-MM-DD/YYYY-MM-DD', got {text!r}.",
            field="period",
        )
    start = parse_day(start_s, "period start")
    end = parse_day(end_s, "period end")
    if start > end:
        raise InvalidInput(
            f"period start {start} is after its end {end}: write 'start/end'.", field="period"
        )
    return ExportPeriod(
        f"{start}/{end}",
        {"start": start.isoformat(), "end": end.isoformat(), "timezone": "UTC"},
        (end - start).days + 1,
    )


def parse_day(value: str | date, what: str) -> date:
    if isinstance(value, date):
        return check_day(value, what)
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{what} must be a date YYYY-MM-DD, got {value!r}.") from None
    return check_day(day, what)


def export_params(
    *,
    format: str | None,
    period: str | None,
    include: list[str] | None,
    mission_ids: list[str] | None,
    email_to: str | None,
) -> dict:
    """Validate an export request; return the params stored on the job."""
    fmt = (format or "csv").lower()
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"format must be 'csv' or 'json', got {format!r}.", field="format")
    parsed = parse_period(period)
    sections = list(EXPORT_SECTIONS) if include is None else [s.lower() for s in include]
    unknown = [s for s in sections if s not in EXPORT_SECTIONS]
    if unknown:
        raise InvalidInput(
            f"include: unknown value(s) {unknown}; choose from {list(EXPORT_SECTIONS)}.",
            field="include",
        )
    if not sections:
        raise InvalidInput(
            f"include must name at least one of {list(EXPORT_SECTIONS)}.", field="include"
        )
    sections = [s for s in EXPORT_SECTIONS if s in sections]  # canonical order, no repeats
    missions = list(dict.fromkeys(mission_ids or []))
    if email_to is not None:
        email_to = email_to.strip()
        if not _EMAIL.match(email_to):
            raise InvalidInput(
                f"email_to must be one email address like user@example.com, got {email_to!r}.",
                field="email_to",
            )
    return {
        "format": fmt,
        "period": parsed.text,
        "include": sections,
        "mission_ids": missions,
        "email_to": email_to,
    }


def report_params(
    *,
    report_name: str,
    mentor: str | None,
    mentor_id: int | None,
    usergroup_ids: list[int] | None,
    start_date: date | str | None,
    end_date: date | str | None,
    course_id: str | None,
    query: str | None,
) -> dict:
    """Validate a data-report request (mentor / groups existence is checked by the caller)."""
    name = (report_name or "").strip()
    if name not in REPORT_NAMES:
        raise InvalidInput(
            f"report_name {report_name!r} is not a report Tally produces; choose from "
            f"{list(REPORT_NAMES)}.",
            field="report_name",
        )
    if (start_date is None) != (end_date is None):
        raise InvalidInput(
            "start_date and end_date go together: give both (yyyy-MM-dd) or neither (all time).",
            field="start_date" if start_date is None else "end_date",
        )
    start = parse_day(start_date, "start_date") if start_date is not None else None
    end = parse_day(end_date, "end_date") if end_date is not None else None
    if start and end and start > end:
        raise InvalidInput(f"start_date {start} is after end_date {end}.", field="start_date")
    if course_id is not None and name != "ai-mentor-courses":
        raise InvalidInput(
            f"course_id applies only to report 'ai-mentor-courses' (chat sessions are not "
            f"linked to courses); drop it for {name!r}.",
            field="course_id",
        )
    if query is not None and len(query) > MAX_QUERY_LEN:
        raise InvalidInput(f"query is longer than {MAX_QUERY_LEN} characters.", field="query")
    return {
        "report_name": name,
        "mentor": mentor,
        "mentor_id": mentor_id,
        "usergroup_ids": sorted(set(usergroup_ids or [])),
        "start_date": start.isoformat() if start else None,
        "end_date": end.isoformat() if end else None,
        "course_id": course_id,
        "query": query or None,
    }


def report_period(params: dict) -> dict:
    """The GraphQL `PeriodInput` of a report: its dates, or all time."""
    if params.get("start_date"):
        return {"start": params["start_date"], "end": params["end_date"], "timezone": "UTC"}
    return {"preset": "ALL", "timezone": "UTC"}
