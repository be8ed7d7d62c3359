"""AMP analytics (seed 001) query and body parameters -> GraphQL variables, with AMP's
error codes: `invalid_period` (the document's message) for any malformed period,
`invalid_parameter` for every other bad value. The grammar is documented in
`gateway.rest.apis.amp`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import orjson
from fastapi import Request
from pydantic import ValidationError

from gateway.errors import InvalidInput
from gateway.metrics.buckets import MAX_BUCKETS
from gateway.rest.apis.amp_schemas import ExportRequest

PERIOD_HELP = "Invalid period format. Use 7d, 30d, 90d, ytd, or YYYY-MM-DD/YYYY-MM-DD"


def bad_param(message: str, name: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_parameter", field=name)


def bad_period(name: str = "period", detail: str = "") -> InvalidInput:
    """The document's message as is; the parameter and a reason only when they add news."""
    extra = [x for x in (name if name != "period" else "", detail) if x]
    message = f"{PERIOD_HELP} ({': '.join(extra)})" if extra else PERIOD_HELP
    return InvalidInput(message, code="invalid_period", field=name)


# --- parameters -------------------------------------------------------------------------

PRESETS = {"7d": "LAST_7D", "30d": "LAST_30D", "90d": "LAST_90D", "ytd": "YTD", "all": "ALL"}
MAX_SPAN = timedelta(days=3653)
DAY = timedelta(days=1)
ALL_START = datetime(2000, 1, 1, tzinfo=UTC)  # where the ALL preset starts
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLATFORM = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,29}$")
MAX_PLATFORMS = 20
GRANULARITIES = {"hour": "HOUR", "day": "DAY", "week": "WEEK", "month": "MONTH"}
BREAKDOWNS = ("platform", "type", "pillar", "topic", "time")
SORTS = {"engagement_rate": "ENGAGEMENT_RATE", "impressions": "IMPRESSIONS", "clicks": "CLICKS"}


def _date(value: str) -> date | None:
    if not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def custom_range(start: date, end: date, name: str) -> dict[str, str]:
    if start > end:
        raise bad_period(name, f"start {start} is after end {end}")
    if end - start > MAX_SPAN:
        raise bad_period(name, "a custom range can span at most 10 years")
    return {"start": start.isoformat(), "end": end.isoformat()}


def parse_period(value: str | None, name: str = "period", default: str = "30d") -> dict:
    """`7d|30d|90d|ytd|all|YYYY-MM-DD/YYYY-MM-DD` -> a `PeriodInput` variable."""
    raw = (default if value is None else value).strip().lower()
    if raw in PRESETS:
        return {"preset": PRESETS[raw]}
    start_s, sep, end_s = raw.partition("/")
    start, end = _date(start_s), _date(end_s)
    if not sep or start is None or end is None:
        raise bad_period(name)
    return custom_range(start, end, name)


def overview_period(period: str | None, start_date: str | None, end_date: str | None) -> dict:
    if start_date is None and end_date is None:
        return parse_period(period)
    if start_date is None or end_date is None:
        given, missing = (
            ("start_date", "end_date") if end_date is None else ("end_date", "start_date")
        )
        raise bad_param(f"{given} needs {missing} too (both YYYY-MM-DD).", missing)
    start, end = _date(start_date.strip()), _date(end_date.strip())
    for name, raw, parsed in (("start_date", start_date, start), ("end_date", end_date, end)):
        if parsed is None:
            raise bad_param(f"{name} must be a date as YYYY-MM-DD, got {raw!r}.", name)
    return custom_range(start, end, "start_date/end_date")  # type: ignore[arg-type]


_BUCKET = {"HOUR": timedelta(hours=1), "DAY": timedelta(days=1), "WEEK": timedelta(days=7)}
_BUCKET["MONTH"] = timedelta(days=28)


def span(period: dict) -> timedelta:
    """About how long a `PeriodInput` variable is (for bucket limits, checked up front)."""
    if "start" in period:
        return date.fromisoformat(period["end"]) - date.fromisoformat(period["start"]) + DAY
    now = datetime.now(UTC)
    days = {"LAST_7D": 7, "LAST_30D": 30, "LAST_90D": 90}.get(period["preset"])
    if days is not None:
        return days * DAY
    if period["preset"] == "YTD":
        return now - datetime(now.year, 1, 1, tzinfo=UTC) + DAY
    return now - ALL_START


def series_granularity(period: dict, asked: str | None, default: str = "day") -> str:
    """The granularity to run: `asked`, else `default`, else (too many buckets) `month`.
    An explicit one that gives more than MAX_BUCKETS buckets is a 400."""
    g = choice(asked, "granularity", GRANULARITIES, default)
    if span(period) / _BUCKET[g] + 2 <= MAX_BUCKETS:
        return g
    if asked is None:
        return "MONTH"
    raise bad_param(
        f"granularity={asked.strip().lower()} gives more than {MAX_BUCKETS} buckets for this "
        "period: use a coarser granularity (day, week or month) or a shorter period.",
        "granularity",
    )


def comma_list(value: str, name: str) -> list[str]:
    items = [v.strip().lower() for v in value.split(",")]
    if not value.strip() or any(not v for v in items):
        raise bad_param(f"{name} must be a comma-separated list without empty items.", name)
    return list(dict.fromkeys(items))


def parse_platforms(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = comma_list(value, "platforms")
    bad = [p for p in items if not _PLATFORM.match(p)]
    if bad:
        raise bad_param(
            f"Invalid platform {bad[0]!r}: platform names are lowercase letters, digits, "
            "'_', '.' or '-' (e.g. twitter,linkedin).",
            "platforms",
        )
    if len(items) > MAX_PLATFORMS:
        raise bad_param(f"At most {MAX_PLATFORMS} platforms per request.", "platforms")
    return items


def choice(value: str | None, name: str, allowed: dict[str, str], default: str) -> str:
    raw = default if value is None else value.strip().lower()
    if raw not in allowed:
        raise bad_param(
            f"Invalid {name} {value!r}: use one of {', '.join(allowed)}.",
            name,
        )
    return allowed[raw]


def parse_breakdown(value: str | None) -> list[str]:
    if value is None:
        return list(BREAKDOWNS)
    items = comma_list(value, "breakdown")
    bad = [b for b in items if b not in BREAKDOWNS]
    if bad:
        raise bad_param(
            f"Invalid breakdown {bad[0]!r}: use a comma list of {', '.join(BREAKDOWNS)}.",
            "breakdown",
        )
    return items


def mission_key(value: str, name: str) -> str:
    key = value.strip()
    if not key or len(key) > 64:
        raise bad_param(f"{name} must be a mission id such as msn_2xK9mPqR4vN8sT3w.", name)
    return key


async def export_body(request: Request) -> ExportRequest:
    """The export body, parsed here (not by FastAPI) so every mistake gets AMP's error."""
    raw = await request.body()
    try:
        body = orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError:
        raise bad_param(
            'Malformed JSON body: send a JSON object such as {"format": "csv", "period": "30d"}.',
            "body",
        ) from None
    if not isinstance(body, dict):
        raise bad_param(
            'The body must be a JSON object such as {"format": "csv", "period": "30d"}.', "body"
        )
    try:
        return ExportRequest.model_validate(body)
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(x) for x in e["loc"]) or "body"
        if e["type"] == "extra_forbidden":
            known = ", ".join(ExportRequest.model_fields)
            raise bad_param(f"Unknown field {where!r}: the body takes {known}.", where) from None
        raise bad_param(f"{where}: {e['msg']}.", where) from None


EXPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": ExportRequest.model_json_schema()}},
    }
}
