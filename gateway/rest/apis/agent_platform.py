"""Agent platform metrics (seed 002) at the paths Tally defines for it (seeds README):
`GET /api/metrics`, `GET /api/metrics/historical/{userId}?range=24h|7d|30d`,
`GET /api/metrics/performance/{userId}` and `GET /api/metrics/summary/{userId}`, answered
by the persisted operations `agent_platform/PlatformMetrics`, `HistoricalMetrics`,
`PerformanceMetrics` and `MetricsSummary`.

Contract where the document is silent:

* Auth: `Authorization: Bearer <t>` or `Authorization: Api-Token <t>`. The per-user routes
  are for that user and org admins (403 otherwise).
* `userId`: the user's integer id (`7`) or username (`nova.artist`); all digits means an
  id. Echoed back as given, as a string.
* Windows are UTC: messages today / this week (from Monday) / this month; uptime and
  performance over the last 30 days; historical `24h` = 24 hourly points (the current
  partial hour and the 23 before), `7d` / `30d` = daily points including today.
* Numbers are rounded to 2 decimals (percentages 0-100, milliseconds, averages). A number
  or string with nothing to measure (no requests, no samples, no previous month) is null.
* Month over month (`revenue.change`, `fans.growth`, `skills.growth`) compares this month
  so far with the same days of the previous month (its 1st up to the time elapsed this
  month, UTC), never a partial month with a whole one.
* String formats: money `"$1,234.56"` (`"-$12.00"` when negative); rates 1 decimal,
  `"97.3%"` (successRate, errorRate, bookings.conversion); changes and growth signed, 1 decimal:
  `"+12.5%"`, `"-3.0%"`, `"0.0%"` (revenue.change, fans/streams/skills.growth).
* A missing sample is answered with the latest known value (`gateway.agents.service`):
  historical `metrics[].cpu` / `memory` of a bucket without samples and performance `cpu`
  / `memory` without a sample in the last 60 minutes hold the latest value the user's
  agents reported before; they are null only when those agents never reported one.
* Errors: `{"error": "<the document's message for the route>", "message": "<why>"}`,
  e.g. `{"error": "Failed to fetch historical metrics", "message": "Unknown range '1y':
  use one of 24h, 7d or 30d."}`; status 400 (bad `range`; a `userId` over 150 characters
  or with control characters), 401 (missing or bad token),
  403 (not that user nor an org admin), 404 (unknown user or path), 405, and 500 / 503
  only for server faults.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from gateway.context import Context
from gateway.dialects import register_error_dialect
from gateway.errors import InvalidInput
from gateway.responses import ORJSONResponse
from gateway.rest.auth import context_for
from gateway.rest.formats import decimal
from gateway.rest.routes import uses
from gateway.rest.runner import OperationFailed, run_operation
from resolvers.node import encode_id

PREFIX = "/api/metrics"
RANGES = ("24h", "7d", "30d")

router = APIRouter(prefix=PREFIX, tags=["Agent Platform Metrics"])
CtxDep = Annotated[Context, Depends(context_for("agent_platform"))]
UserIdPath = Annotated[
    str,
    Path(
        alias="userId",
        description="The user's integer id or username",
        examples=["7", "nova.artist"],
        max_length=150,
    ),
]


# --- models (OpenAPI) -----------------------------------------------------------------


class AgentCounts(BaseModel):
    total: int
    active: int
    inactive: int
    failed: int


class MessageCounts(BaseModel):
    today: int
    thisWeek: int
    thisMonth: int


class Deployments(BaseModel):
    total: int
    successful: int
    failed: int


class Uptime(BaseModel):
    platformUptime: float | None = Field(description="Percent")
    averageAgentUptime: float | None = Field(description="Percent")


class Performance(BaseModel):
    averageResponseTime: float | None = Field(description="Milliseconds")
    successRate: str | None = Field(examples=["97.3%"])
    errorRate: str | None = Field(examples=["2.7%"])


class Storage(BaseModel):
    used: int = Field(description="MB")
    total: int = Field(description="MB")
    percentUsed: float | None


class PlatformMetrics(BaseModel):
    agents: AgentCounts
    messages: MessageCounts
    deployments: Deployments
    uptime: Uptime
    performance: Performance
    storage: Storage


class PlatformMetricsResponse(BaseModel):
    metrics: PlatformMetrics
    timestamp: str = Field(description="ISO 8601")
    status: str = Field(examples=["ok"])


class HistoryPoint(BaseModel):
    timestamp: str = Field(description="ISO 8601 bucket start")
    cpu: float | None = Field(description="Percent 0-100; the latest known value without samples")
    memory: float | None = Field(
        description="Percent 0-100; the latest known value without samples"
    )
    messages: int
    errors: int


class HistoryAverages(BaseModel):
    cpu: float | None
    memory: float | None
    messages: float = Field(description="Per point")
    errors: float = Field(description="Per point")


class HistoricalResponse(BaseModel):
    userId: str
    timeRange: str = Field(examples=list(RANGES))
    metrics: list[HistoryPoint]
    averages: HistoryAverages


class PerformanceResponse(BaseModel):
    cpu: float | None = Field(description="Percent, last 60 minutes (else the latest known)")
    memory: float | None = Field(description="Percent, last 60 minutes (else the latest known)")
    errorRate: float | None = Field(description="Percent, last 24 hours")
    responseTime: float | None = Field(description="Milliseconds, last 24 hours")


class Revenue(BaseModel):
    month: str = Field(examples=["$1,234.56"])
    total: str = Field(examples=["$12,345.00"])
    change: str | None = Field(examples=["+12.5%"])


class Bookings(BaseModel):
    completed: int
    pending: int
    conversion: str | None = Field(examples=["40.0%"])


class FanSegmentation(BaseModel):
    superfans: int
    casual: int
    new: int


class Fans(BaseModel):
    total: int
    active: int
    growth: str | None = Field(examples=["+8.0%"])
    segmentation: FanSegmentation


class Streams(BaseModel):
    monthlyListeners: int
    monthlyStreams: int
    growth: str | None = Field(examples=["-3.0%"])


class Skills(BaseModel):
    active: int
    total: int
    growth: str | None = Field(examples=["0.0%"])


class SummaryResponse(BaseModel):
    revenue: Revenue
    bookings: Bookings
    fans: Fans
    streams: Streams
    skills: Skills


class ErrorBody(BaseModel):
    error: str = Field(examples=["Failed to fetch historical metrics"])
    message: str


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    # "4XX" also keeps FastAPI from documenting a 422 these routes never send
    codes: tuple[int | str, ...] = (*statuses, "4XX", 500)
    return {s: {"model": ErrorBody} for s in codes}


# --- errors ---------------------------------------------------------------------------

_TITLES = (
    ("/historical/", "Failed to fetch historical metrics"),
    ("/performance/", "Failed to fetch performance data"),
    ("/summary/", "Failed to fetch metrics summary"),
)


def error_title(path: str) -> str:
    """The document's error message for the route `path` belongs to."""
    rest = path[len(PREFIX) :]
    if rest in ("", "/"):
        return "Failed to fetch metrics"
    for marker, title in _TITLES:
        if rest.startswith(marker):
            return title
    return "Not found"


def render_error(
    request: Request, status: int, code: str, message: str, details: dict | None
) -> Response:
    if status == 422:  # FastAPI's own validation: the caller's input, a 400 here
        status = 400
    body = {"error": error_title(request.url.path), "message": message}
    return ORJSONResponse(body, status_code=status)


register_error_dialect(PREFIX, render_error)


# --- formatting -----------------------------------------------------------------------


def money(usd: float) -> str:
    """`"$1,234.56"`, `"-$12.00"`."""
    sign = "-" if usd < 0 else ""
    return f"{sign}${abs(usd):,.2f}"


def rate(percent: float | None) -> str | None:
    """`"97.3%"`."""
    return None if percent is None else f"{percent:.1f}%"


def change(percent: float | None) -> str | None:
    """`"+12.5%"`, `"-3.0%"`, `"0.0%"`."""
    if percent is None:
        return None
    text = f"{percent:.1f}"
    if text in ("0.0", "-0.0"):
        return "0.0%"
    return f"{'+' if percent > 0 else ''}{text}%"


# --- the user argument ----------------------------------------------------------------


MAX_ID = 2**63 - 1  # user ids are bigint


def _user_variable(ctx: Context, user_id: str) -> str | None:
    """`agentUserMetrics(user:)` takes a username or a global User id: an integer id is
    turned into the caller's org's global id (a user of another org is not found). None
    for an id no user can have."""
    if user_id.isascii() and user_id.isdigit():
        pk = int(user_id)
        return encode_id("User", ctx.principal.org_id, pk) if pk <= MAX_ID else None
    return user_id


def _no_such_user(user_id: str) -> OperationFailed:
    return OperationFailed(
        404, "NOT_FOUND", f"No user {user_id!r} in your org (give a user id or a username)."
    )


async def _user_metrics(ctx: Context, op: str, user_id: str, **variables: Any) -> dict:
    if not user_id.isprintable():
        raise InvalidInput("userId: must not contain control characters.", field="userId")
    user = _user_variable(ctx, user_id)
    if user is None:
        raise _no_such_user(user_id)
    try:
        data = await run_operation(ctx, op, {"user": user, **variables})
    except OperationFailed as exc:
        if exc.status == 404:  # the operation names the encoded id; say what was asked
            raise _no_such_user(user_id) from None
        raise
    return data["agentUserMetrics"]


# --- routes ---------------------------------------------------------------------------


@router.get(
    "",
    response_model=PlatformMetricsResponse,
    responses=_errors(401),
    summary="Platform metrics",
)
@uses("agent_platform/PlatformMetrics")
async def platform_metrics(ctx: CtxDep) -> dict[str, Any]:
    m = (await run_operation(ctx, "agent_platform/PlatformMetrics"))["agentPlatform"]
    u, p, s = m["uptime"], m["performance"], m["storage"]
    return {
        "metrics": {
            "agents": m["agents"],
            "messages": m["messages"],
            "deployments": m["deployments"],
            "uptime": {
                "platformUptime": decimal(u["platformUptime"]),
                "averageAgentUptime": decimal(u["averageAgentUptime"]),
            },
            "performance": {
                "averageResponseTime": decimal(p["averageResponseTime"]),
                "successRate": rate(p["successRate"]),
                "errorRate": rate(p["errorRate"]),
            },
            "storage": {
                "used": s["used"],
                "total": s["total"],
                "percentUsed": decimal(s["percentUsed"]),
            },
        },
        "timestamp": datetime.now(UTC).isoformat(),
        "status": "ok",
    }


@router.get(
    "/historical/{userId}",
    response_model=HistoricalResponse,
    responses=_errors(400, 401, 403, 404),
    summary="Historical agent metrics of a user",
)
@uses("agent_platform/HistoricalMetrics")
async def historical_metrics(
    ctx: CtxDep,
    user_id: UserIdPath,
    time_range: Annotated[
        str,
        Query(
            alias="range",
            description="Time range: 24h (hourly points), 7d or 30d (daily points)",
            json_schema_extra={"enum": list(RANGES)},
        ),
    ] = "24h",
) -> dict[str, Any]:
    if time_range not in RANGES:
        raise InvalidInput(
            f"Unknown range {time_range!r}: use one of 24h, 7d or 30d.", field="range"
        )
    data = await _user_metrics(ctx, "agent_platform/HistoricalMetrics", user_id, range=time_range)
    h = data["historical"]
    a = h["averages"]
    return {
        "userId": user_id,
        "timeRange": h["timeRange"],
        "metrics": [
            {
                "timestamp": pt["timestamp"],
                "cpu": decimal(pt["cpu"]),
                "memory": decimal(pt["memory"]),
                "messages": pt["messages"],
                "errors": pt["errors"],
            }
            for pt in h["points"]
        ],
        "averages": {k: decimal(a[k]) for k in ("cpu", "memory", "messages", "errors")},
    }


@router.get(
    "/performance/{userId}",
    response_model=PerformanceResponse,
    responses=_errors(400, 401, 403, 404),
    summary="Current agent performance of a user",
)
@uses("agent_platform/PerformanceMetrics")
async def performance_metrics(ctx: CtxDep, user_id: UserIdPath) -> dict[str, Any]:
    p = (await _user_metrics(ctx, "agent_platform/PerformanceMetrics", user_id))["performance"]
    return {k: decimal(p[k]) for k in ("cpu", "memory", "errorRate", "responseTime")}


@router.get(
    "/summary/{userId}",
    response_model=SummaryResponse,
    responses=_errors(400, 401, 403, 404),
    summary="Music-industry summary of a user",
)
@uses("agent_platform/MetricsSummary")
async def metrics_summary(ctx: CtxDep, user_id: UserIdPath) -> dict[str, Any]:
    s = (await _user_metrics(ctx, "agent_platform/MetricsSummary", user_id))["summary"]
    r, b, f, st, sk = s["revenue"], s["bookings"], s["fans"], s["streams"], s["skills"]
    return {
        "revenue": {
            "month": money(r["month"]),
            "total": money(r["total"]),
            "change": change(r["change"]),
        },
        "bookings": {
            "completed": b["completed"],
            "pending": b["pending"],
            "conversion": rate(b["conversion"]),
        },
        "fans": {
            "total": f["total"],
            "active": f["active"],
            "growth": change(f["growth"]),
            "segmentation": f["segmentation"],
        },
        "streams": {
            "monthlyListeners": st["monthlyListeners"],
            "monthlyStreams": st["monthlyStreams"],
            "growth": change(st["growth"]),
        },
        "skills": {"active": sk["active"], "total": sk["total"], "growth": change(sk["growth"])},
    }
