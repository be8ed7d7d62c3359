"""Shared pieces of the ibl.ai shim: the `{"detail": ...}` error dialect, the chart
parameters (`date_filter` / `start_date` / `end_date` / `all_time`, `platform_key`,
`mentor_unique_id`, `usergroup_ids`) turned into GraphQL variables, DRF-style pagination
links, and the unit conversions (USD cents -> USD, floats -> integer counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field

from gateway.context import Context
from gateway.errors import InvalidInput, NotFound
from gateway.inputs import PG_INT_MAX
from gateway.responses import ORJSONResponse
from gateway.rest.auth import context_for
from gateway.rest.formats import decimal, whole
from gateway.rest.runner import run_operation

API = "iblai"
PREFIX = "/dm/api"
TAG = "ibl.ai analytics"
MAX_LIMIT = 100
USD_DIGITS = 6

CtxDep = Annotated[Context, Depends(context_for(API))]

NO_CREDENTIALS = "Authentication credentials were not provided."
FORBIDDEN = "You do not have permission to perform this action."

DATE_FILTERS = {
    "today": "TODAY",
    "7d": "LAST_7D",
    "30d": "LAST_30D",
    "90d": "LAST_90D",
    "all_time": "ALL",
}


# --- the error dialect -------------------------------------------------------------------


def render_error(
    request: Request, status: int, code: str, message: str, details: dict | None
) -> Response:
    """Every error under /dm/api/ as DRF renders it: `{"detail": "..."}`. Request
    validation (FastAPI's 422) is a 400 as in DRF; 401/403 use DRF's own wording."""
    headers = {}
    if status == 422:
        status = 400
    if status == 401:
        headers["WWW-Authenticate"] = "Api-Token"
        if message.startswith(NO_CREDENTIALS):
            message = NO_CREDENTIALS
    elif status == 403 and code.lower() == "forbidden":
        message = FORBIDDEN  # (a bad download signature keeps its own message)
    elif status == 404 and message == "Not Found":
        message = "Not found."
    return ORJSONResponse({"detail": message}, status_code=status, headers=headers)


class ErrorBody(BaseModel):
    detail: str = Field(description="What went wrong, for a person to act on.")


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Bad parameter (the detail names it)."},
    401: {"model": ErrorBody, "description": "Missing or invalid `Api-Token`."},
    403: {"model": ErrorBody, "description": "Not an org (platform) admin / not yourself."},
    404: {"model": ErrorBody, "description": "Unknown platform, mentor, user or session."},
}


# --- parameters ----------------------------------------------------------------------------


def blank(value: str | None) -> str | None:
    """Legacy clients send empty parameters (`start_date=&end_date=`): treat as absent."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def parse_date(name: str, value: str | None) -> date | None:
    value = blank(value)
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else _bad_date(name, value)
    except ValueError:
        _bad_date(name, value)


def _bad_date(name: str, value: str):
    raise InvalidInput(f"`{name}` must be a date as yyyy-MM-dd (e.g. 2026-03-01), got {value!r}.")


def parse_bool(name: str, value: str | None) -> bool:
    value = blank(value)
    if value is None:
        return False
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise InvalidInput(f"`{name}` must be true or false, got {value!r}.")


def check_choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    value = blank(value)
    if value is not None and value not in allowed:
        raise InvalidInput(f"`{name}` must be one of {', '.join(allowed)}; got {value!r}.")
    return value


def parse_csv(name: str, value: str | None, allowed: tuple[str, ...]) -> list[str]:
    """`a,b` -> ["a", "b"] (each one of `allowed`); absent -> all of `allowed`."""
    value = blank(value)
    if value is None:
        return list(allowed)
    items = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in items if v not in allowed]
    if unknown or not items:
        raise InvalidInput(
            f"`{name}` is a comma list of {', '.join(allowed)}; unknown: {', '.join(unknown)}."
        )
    return list(dict.fromkeys(items))


def parse_group_ids(value: str | None) -> list[str] | None:
    value = blank(value)
    if value is None:
        return None
    ids = [v.strip() for v in value.split(",") if v.strip()]
    if not ids or not all(i.isdigit() for i in ids):
        raise InvalidInput(
            f"`usergroup_ids` must be a comma list of numeric user group ids (e.g. 3,7), "
            f"got {value!r}."
        )
    return ids


def period_variable(
    date_filter: str | None,
    start_date: str | None,
    end_date: str | None,
    all_time: str | None = None,
    *,
    default: str = "30d",
) -> tuple[str, dict[str, str]]:
    """(the effective `date_filter`, the GraphQL `PeriodInput`). Absent filter: `default`,
    or `custom` when both dates are given. Dates are ignored (but must be valid) unless
    the filter is `custom`."""
    start, end = parse_date("start_date", start_date), parse_date("end_date", end_date)
    name = blank(date_filter)
    if parse_bool("all_time", all_time):
        if name not in (None, "all_time"):
            raise InvalidInput(f"Give either all_time=true or date_filter={name}, not both.")
        name = "all_time"
    if name is None:
        name = "custom" if start and end else default
    if name == "custom":
        if start is None or end is None:
            raise InvalidInput(
                "date_filter=custom needs both start_date and end_date (yyyy-MM-dd)."
            )
        if start > end:
            raise InvalidInput(f"start_date ({start}) is after end_date ({end}).")
        return name, {"start": start.isoformat(), "end": end.isoformat()}
    preset = DATE_FILTERS.get(name)
    if preset is None:
        raise InvalidInput(
            f"Unknown date_filter {name!r}: use one of today, 7d, 30d, 90d, custom "
            "(with start_date and end_date) or all_time."
        )
    return name, {"preset": preset}


@dataclass(frozen=True)
class Chart:
    """The parsed chart parameters and their GraphQL variables."""

    date_filter: str
    variables: dict[str, Any]


def check_platform(ctx: Context, platform_key: str | None, *, required: bool = True) -> None:
    """`platform_key` is the caller's org key; any other key is "not found" (we never
    reveal whether another org exists)."""
    key = blank(platform_key)
    if key is None:
        if required:
            raise InvalidInput("`platform_key` is required: pass your platform (org) key.")
        return
    if key != ctx.principal.org_key:
        raise NotFound(f"No platform '{key}'.")


def chart_params(
    ctx: CtxDep,
    date_filter: Annotated[
        str | None,
        Query(description="today | 7d | 30d | 90d | custom (default 30d)."),
    ] = None,
    start_date: Annotated[str | None, Query(description="yyyy-MM-dd (custom).")] = None,
    end_date: Annotated[str | None, Query(description="yyyy-MM-dd, inclusive (custom).")] = None,
    platform_key: Annotated[str | None, Query(description="Your org (platform) key.")] = None,
    mentor_unique_id: Annotated[
        str | None, Query(description="Scope to one mentor (agent); omit for org-wide.")
    ] = None,
    usergroup_ids: Annotated[
        str | None, Query(description="Comma list of user group ids narrowing the chart.")
    ] = None,
    all_time: Annotated[str | None, Query(description="true: the whole history.")] = None,
) -> Chart:
    check_platform(ctx, platform_key)
    name, period = period_variable(date_filter, start_date, end_date, all_time)
    return Chart(
        date_filter=name,
        variables={
            "period": period,
            "mentor": blank(mentor_unique_id),
            "groups": parse_group_ids(usergroup_ids),
        },
    )


ChartDep = Annotated[Chart, Depends(chart_params)]


async def run(ctx: Context, op: str, variables: dict[str, Any]) -> dict:
    """Run `iblai/<op>` and return its `learnerAnalytics` object."""
    data = await run_operation(ctx, f"{API}/{op}", variables)
    return data["learnerAnalytics"]


# --- pagination ------------------------------------------------------------------------------


def page_offset(page: int, limit: int) -> int:
    """A page whose offset no list can reach is DRF's 404 "Invalid page." (not an
    integer overflow further down)."""
    offset = (page - 1) * limit
    if offset > PG_INT_MAX:
        raise NotFound("Invalid page.")
    return offset


def paginated(
    request: Request, page: int, limit: int, count: int, results: list[Any]
) -> dict[str, Any]:
    """DRF page-number pagination: absolute `next` / `previous` links (None at the ends).
    A page past the last one is DRF's 404 "Invalid page."."""
    if page > 1 and page_offset(page, limit) >= count:
        raise NotFound("Invalid page.")
    url = request.url
    nxt = str(url.include_query_params(page=page + 1)) if page * limit < count else None
    prev = None
    if page > 1:
        prev = str(
            url.remove_query_params("page")
            if page == 2
            else url.include_query_params(page=page - 1)
        )
    return {"count": count, "next": nxt, "previous": prev, "results": results}


def limit_offset(
    request: Request, limit: int, offset: int, count: int, results: list[Any]
) -> dict[str, Any]:
    """DRF limit-offset pagination links."""
    url = request.url
    nxt = None
    if offset + limit < count:
        nxt = str(url.include_query_params(limit=limit, offset=offset + limit))
    prev = None
    if offset > 0:
        back = offset - limit
        prev = str(
            url.remove_query_params("offset")
            if back <= 0
            else url.include_query_params(limit=limit, offset=back)
        )
    return {"count": count, "next": nxt, "previous": prev, "results": results}


PageQ = Annotated[int, Query(ge=1, description="1-based page number.")]


LimitQ = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1-{MAX_LIMIT}.")]


# --- units -----------------------------------------------------------------------------------


def usd(cents: float | None) -> float:
    """USD cents (the engine's unit) -> USD as a decimal number."""
    return round(float(cents or 0) / 100, USD_DIGITS)


count = whole  # counts are integers, null = 0
percent = decimal  # percentages and averages: 2 decimals, null stays null


def day(iso: str | None) -> str | None:
    """An ISO datetime (local bucket start / timestamp) -> its yyyy-MM-dd."""
    return iso[:10] if iso else None


def iso(value: str | datetime | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


# --- shared response models ----------------------------------------------------------------

PERIOD_FIELDS = "period { startDate endDate timezone }"


class PeriodOut(BaseModel):
    date_filter: str = Field(description="The effective date_filter (default 30d).")
    start_date: str = Field(description="First day, yyyy-MM-dd.")
    end_date: str = Field(description="Last day (inclusive), yyyy-MM-dd.")
    timezone: str = Field(description="Days are counted in this timezone (UTC).")


def period_out(chart: Chart, period: dict) -> dict[str, str]:
    return {
        "date_filter": chart.date_filter,
        "start_date": period["startDate"],
        "end_date": period["endDate"],
        "timezone": period["timezone"],
    }


class Kpi(BaseModel):
    value: int = Field(description="In the requested period.")
    previous_value: int = Field(description="In the previous period of equal length.")
    change: int = Field(description="value - previous_value.")
    change_percentage: float | None = Field(
        description="100 x change / previous_value, 2 decimals; null when previous is 0."
    )
    direction: str = Field(description="up | down | flat.")


def kpi(change: dict) -> dict[str, Any]:
    pct = change["changePercent"]
    return {
        "value": count(change["current"]),
        "previous_value": count(change["previous"]),
        "change": count(change["change"]),
        "change_percentage": percent(pct),
        "direction": change["direction"].lower(),
    }


class Point(BaseModel):
    date: str = Field(description="Bucket start: yyyy-MM-dd (ISO datetime for hours).")
    value: int | float = Field(
        description="In the response's `unit`: an integer for counts, a decimal for USD."
    )


def points(series: dict, *, money: bool = False) -> list[dict[str, Any]]:
    hourly = series.get("granularity") == "HOUR"
    out = []
    for bucket, value in zip(series["buckets"], series["values"], strict=True):
        label = bucket if hourly else day(bucket)
        out.append({"date": label, "value": usd(value) if money else count(value)})
    return out
