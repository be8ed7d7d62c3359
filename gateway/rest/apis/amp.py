"""AMP analytics (seed 001) on Tally: `GET /v1/analytics`, `/v1/analytics/missions/{id}`,
`/performance`, `/costs`, `/compare`, `/realtime`, `POST /v1/analytics/export` and
`GET /v1/analytics/export/{export_id}/download`, each answered by a persisted GraphQL
operation (`gateway/rest/operations/amp/`). `Authorization: Bearer <token>` only.

Contract where the document is silent:

* Periods. `period` is `7d | 30d | 90d | ytd | all` or `YYYY-MM-DD/YYYY-MM-DD` (both days
  inclusive, at most 10 years), case-insensitive, default `30d`, in UTC. `Nd` = the last N
  days including today; `ytd` from Jan 1; `all` from the beginning. The overview also
  takes `start_date` + `end_date` (both required together; they win over `period`). Any
  malformed period is a 400 `invalid_period`.
* Numbers. Counts (impressions, engagements, clicks, posts, followers) are integers;
  money is integer USD cents (rounded half to even); engagement rates are percent with 2
  decimals (a ratio of sums: 100 x engagements / impressions, so `avg_engagement_rate`
  is that ratio over the group); `change_percent`, stage `percent` and
  `budget_used_percent` have 1 decimal; `progress_percent` is an integer; `confidence`
  is 0-1. A ratio whose denominator is zero is `null` (a rate without impressions, a
  change against 0, a cost per post without posts, a budget share without a budget).
  Directions are `up | down | flat`. Dates are `YYYY-MM-DD`, instants
  `YYYY-MM-DDTHH:MM:SSZ`.
* Overview. `platforms` is a comma list of platform names (lowercase letters, digits,
  `_ . -`, at most 20); `granularity` `hour | day | week | month` (default `day`, or
  `month` when days would exceed 5000 buckets, i.e. `all`; an explicit granularity with
  more than 5000 buckets is a 400); with `hour` each `time_series` item also has `hour`
  (0-23). `date` is the bucket's first day. `top_content` is the ten items
  with the most impressions in the period.
* Mission. An unknown `msn_...` (or another organization's) is 404 `not_found`. The
  period is the mission's own range unless `period` is given. KPI `current`,
  `target` and `projected_final` are integers for counts and 2-decimal numbers for rates;
  KPIs Tally cannot measure have `null` current / progress / status.
* Best day / time and insights (formulas: `gateway.missions.service`). A best day or time
  is chosen among weekdays / hours with at least 2 content items (`content_items` of
  `by_day_of_week` / `by_time_of_day`: the items behind the rate, `posts` = those
  published in the period), so a single post never decides it; the mission summary
  gives each a `*_confidence` n / (n + 5). The timing insight and the "Shift more
  posting to ..." recommendation name exactly that best day and the part of the day of
  that best time; compare insights never praise efficiency next to a declining rate.
* Performance. `breakdown` is a comma list of `platform, type, pillar, topic, time`
  (default: all); `by_platform`, `by_type`, `by_pillar` (`pillar, posts,
  avg_engagement_rate, total_impressions`) and `by_topic` (same with `topic`) appear only
  when asked for; `by_time_of_day` and `by_day_of_week` are always present (as in the
  document's example). `sort_by` `engagement_rate | impressions | clicks` (default
  `engagement_rate`) orders the groups, descending. `mission_id` restricts to a mission.
* Costs. `by_provider` rows carry `requests` and `tokens_used` for `llm` providers,
  `images_generated` for `image` providers, `requests` otherwise; `by_stage` is keyed by
  stage (`unspecified` for cost without a stage); `time_series` is daily (monthly for
  `all`).
* Compare. `period1` and `period2` are required, each in the `period` syntax above.
* Export. Body `{format: csv|json (default csv), period (default 30d), include: subset
  of [content, metrics, costs] (default all), mission_ids: [msn_...], email_to}`; unknown
  keys and wrong types are 400 `invalid_parameter`, an unknown mission 404. Always 200:
  a small export (at most 31 days and 10 missions, no email to send) answers `completed`
  with `download_url` and `expires_at` (24 h); others `processing` with
  `estimated_completion`, `delivery_method` (`email` | `download`) and `delivery_to`
  (poll by downloading: 409 `not_ready` until done). When `email_to` is given but the
  server has no SMTP configured, a `note` says so and the file is downloadable instead.
  A `failed` export has `error`. File formats: `gateway/jobs/amp_export.py`.
* Download. The file (`text/csv` or `application/json`, as an attachment) for a Bearer
  token of the export's organization; 404 `not_found` for an unknown (or another org's)
  export, 409 `not_ready` while processing or after a failure, 410 `gone` once expired.
* Errors: `{"error": {"code", "message"}}` with codes `invalid_period`,
  `invalid_parameter` (also malformed JSON and wrong body types), `unauthorized` (401),
  `forbidden`, `not_found`, `not_ready` (409), `gone` (410), `method_not_allowed`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import FileResponse

from gateway.context import Context
from gateway.dialects import register_error_dialect
from gateway.errors import NotFound
from gateway.jobs.signing import open_export
from gateway.responses import ORJSONResponse
from gateway.rest.apis.amp_params import (
    EXPORT_BODY,
    PRESETS,
    SORTS,
    bad_param,
    choice,
    export_body,
    mission_key,
    overview_period,
    parse_breakdown,
    parse_period,
    parse_platforms,
    series_granularity,
)
from gateway.rest.apis.amp_schemas import (
    AmpErrorBody,
    ComparisonResponse,
    CostsResponse,
    ExportResponse,
    MissionAnalyticsResponse,
    OverviewResponse,
    PerformanceResponse,
    RealtimeResponse,
)
from gateway.rest.auth import context_for
from gateway.rest.formats import decimal, utc, utc_instant, whole, whole_or_none
from gateway.rest.routes import uses
from gateway.rest.runner import OperationFailed, run_operation

PREFIX = "/v1/analytics"
router = APIRouter(prefix=PREFIX, tags=["AMP analytics"])
Ctx = Annotated[Context, Depends(context_for("amp"))]

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": AmpErrorBody, "description": "invalid_period / invalid_parameter"},
    401: {"model": AmpErrorBody, "description": "unauthorized"},
}
NOT_FOUND = {404: {"model": AmpErrorBody, "description": "not_found"}}

# --- errors -----------------------------------------------------------------------------

_CODES = {
    "unauthenticated": "unauthorized",
    "invalid_request": "invalid_parameter",
    "invalid_input": "invalid_parameter",
    "bad_user_input": "invalid_parameter",
    "graphql_validation_failed": "invalid_parameter",
    "validation_failed": "invalid_parameter",
    "bad_request": "invalid_parameter",
}


def render_amp_error(
    request: Request, status: int, code: str, message: str, details: dict | None
) -> Response:
    """AMP's error body. A FastAPI 422 (request validation) becomes 400."""
    code = _CODES.get(code, code)
    if status == 422:
        status = 400
    response = ORJSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


register_error_dialect(PREFIX, render_amp_error)


async def run_for_mission(ctx: Context, op: str, variables: dict, key: str | None) -> dict:
    """Run `op`; an unknown mission becomes AMP's 404 with the id the caller sent."""
    try:
        return await run_operation(ctx, op, variables)
    except OperationFailed as exc:
        if exc.status == 404 and key is not None:
            raise NotFound(f"Mission {key} not found.", code="not_found") from None
        raise


# --- formatting -------------------------------------------------------------------------


# AMP's formats: counts are integers (null = 0), cents integers or null, rates percent
# with 2 decimals, percentages of a budget 1 decimal, instants UTC `…Z` (gateway.rest.formats)
count = whole
cents = whole_or_none
rate = decimal
instant = utc_instant


def pct1(v: float | None) -> float | None:
    return decimal(v, 1)


def direction(d: str) -> str:
    return d.lower()


def range_text(p: dict) -> str:
    return f"{p['startDate']}/{p['endDate']}"


def reply(payload: dict) -> ORJSONResponse:
    return ORJSONResponse(payload)


# --- overview ---------------------------------------------------------------------------


def _trend(c: dict, value) -> dict:
    return {
        "current": value(c["current"]),
        "previous": value(c["previous"]),
        "change_percent": pct1(c["changePercent"]),
        "direction": direction(c["direction"]),
    }


def overview_json(d: dict, granularity: str) -> dict:
    s, t, ts = d["summary"], d["trends"], d["timeSeries"]
    series = []
    for i, day in enumerate(ts["dates"]):
        point: dict[str, Any] = {"date": day}
        if granularity == "HOUR":
            point["hour"] = utc(ts["buckets"][i]).hour
        point |= {
            "impressions": count(ts["impressions"][i]),
            "engagements": count(ts["engagements"][i]),
            "posts": ts["posts"][i],
        }
        series.append(point)
    return {
        "period": {"start": d["period"]["startDate"], "end": d["period"]["endDate"]},
        "summary": {
            "missions_active": s["missionsActive"],
            "content_published": s["contentPublished"],
            "total_impressions": count(s["totalImpressions"]),
            "total_engagements": count(s["totalEngagements"]),
            "overall_engagement_rate": rate(s["overallEngagementRate"]),
            "total_link_clicks": count(s["totalLinkClicks"]),
            "followers_gained": count(s["followersGained"]),
        },
        "trends": {
            "impressions": _trend(t["impressions"], count),
            "engagement_rate": _trend(t["engagementRate"], rate),
        },
        "by_platform": {
            g["key"]: {
                "posts_published": g["posts"],
                "impressions": count(g["impressions"]),
                "engagements": count(g["engagements"]),
                "engagement_rate": rate(g["engagementRate"]),
            }
            for g in d["byPlatform"]
        },
        "time_series": series,
        "top_content": [
            {
                "content_id": c["contentId"],
                "platform": c["platform"],
                "impressions": count(c["impressions"]),
                "engagement_rate": rate(c["engagementRate"]),
                "preview": c["preview"],
            }
            for c in d["topContent"]
        ],
    }


@router.get(
    "",
    response_model=OverviewResponse,
    responses=ERRORS,
    summary="Overview analytics across all missions",
)
@uses("amp/AnalyticsOverview")
async def overview(
    ctx: Ctx,
    period: Annotated[str | None, Query(description="7d, 30d, 90d, ytd, all (default 30d)")] = None,
    start_date: Annotated[str | None, Query(description="Custom start (YYYY-MM-DD)")] = None,
    end_date: Annotated[str | None, Query(description="Custom end (YYYY-MM-DD)")] = None,
    platforms: Annotated[str | None, Query(description="Comma-separated platforms")] = None,
    granularity: Annotated[str | None, Query(description="hour, day, week, month")] = None,
) -> Response:
    p = overview_period(period, start_date, end_date)
    variables = {
        "period": p,
        "platforms": parse_platforms(platforms),
        "granularity": series_granularity(p, granularity),
    }
    data = await run_operation(ctx, "amp/AnalyticsOverview", variables)
    return reply(overview_json(data["missionAnalytics"], variables["granularity"]))


# --- mission ----------------------------------------------------------------------------

RATE_KPIS = ("engagement_rate", "click_through_rate")


def _kpi(k: dict) -> dict:
    metric = k["metric"]
    is_rate = metric in RATE_KPIS or metric.endswith("_rate")

    def num(v: float | None) -> float | int | None:
        if v is None:
            return None
        return rate(v) if is_rate else count(v)

    target = k["target"]
    return {
        "metric": metric,
        "target": target if is_rate or not float(target).is_integer() else int(target),
        "current": num(k["current"]),
        "progress_percent": None if k["progressPercent"] is None else count(k["progressPercent"]),
        "status": None if k["status"] is None else k["status"].lower(),
        "projected_final": num(k["projectedFinal"]),
    }


def mission_json(a: dict) -> dict:
    s, cp = a["summary"], a["contentPerformance"]
    return {
        "mission_id": a["missionKey"],
        "mission_name": a["missionName"],
        "period": {"start": a["period"]["startDate"], "end": a["period"]["endDate"]},
        "status": a["status"].lower(),
        "progress_percent": count(a["progressPercent"]),
        "summary": {
            "posts_published": s["postsPublished"],
            "posts_scheduled": s["postsScheduled"],
            "total_impressions": count(s["totalImpressions"]),
            "total_engagements": count(s["totalEngagements"]),
            "engagement_rate": rate(s["engagementRate"]),
            "link_clicks": count(s["linkClicks"]),
            "best_performing_day": s["bestPerformingDay"],
            "best_performing_time": s["bestPerformingTime"],
            "best_performing_day_confidence": s["bestPerformingDayConfidence"],
            "best_performing_time_confidence": s["bestPerformingTimeConfidence"],
        },
        "kpi_progress": [_kpi(k) for k in a["kpiProgress"]],
        "content_performance": {
            "by_pillar": [
                {
                    "pillar": g["key"],
                    "posts": g["posts"],
                    "avg_engagement_rate": rate(g["engagementRate"]),
                    "total_impressions": count(g["impressions"]),
                }
                for g in cp["byPillar"]
            ],
            "by_type": [
                {
                    "type": g["key"],
                    "posts": g["posts"],
                    "avg_engagement_rate": rate(g["engagementRate"]),
                }
                for g in cp["byType"]
            ],
        },
        "optimization_insights": [
            {"type": i["type"].lower(), "insight": i["insight"], "confidence": i["confidence"]}
            for i in a["optimizationInsights"]
        ],
    }


@router.get(
    "/missions/{id}",
    response_model=MissionAnalyticsResponse,
    responses=ERRORS | NOT_FOUND,
    summary="Detailed analytics of one mission",
)
@uses("amp/MissionAnalytics")
async def mission_analytics(
    ctx: Ctx,
    id: Annotated[str, Path(description="Mission id, e.g. msn_2xK9mPqR4vN8sT3w")],
    period: Annotated[
        str | None, Query(description="Optional; default: the mission's own date range")
    ] = None,
) -> Response:
    key = mission_key(id, "id")
    variables = {"key": key, "period": parse_period(period) if period is not None else None}
    data = await run_for_mission(ctx, "amp/MissionAnalytics", variables, key)
    return reply(mission_json(data["mission"]["analytics"]))


# --- performance ------------------------------------------------------------------------


def _group(g: dict, key: str) -> dict:
    return {
        key: g["key"],
        "posts": g["posts"],
        "avg_engagement_rate": rate(g["engagementRate"]),
        "total_impressions": count(g["impressions"]),
    }


def performance_json(p: dict, asked: list[str]) -> dict:
    out: dict[str, Any] = {}
    if "platform" in asked:
        out["by_platform"] = [
            {
                "platform": g["key"],
                "posts": g["posts"],
                "impressions": count(g["impressions"]),
                "engagement_rate": rate(g["engagementRate"]),
                "clicks": count(g["clicks"]),
                "best_time": g["bestTime"],
                "best_day": g["bestDay"],
            }
            for g in p["byPlatform"]
        ]
    if "type" in asked:
        out["by_type"] = [
            {
                "type": g["key"],
                "posts": g["posts"],
                "avg_engagement_rate": rate(g["engagementRate"]),
                "avg_impressions": cents(g["avgImpressionsPerPost"]),
            }
            for g in p["byType"]
        ]
    if "pillar" in asked:
        out["by_pillar"] = [_group(g, "pillar") for g in p["byPillar"]]
    if "topic" in asked:
        out["by_topic"] = [_group(g, "topic") for g in p["byTopic"]]
    out["by_time_of_day"] = [
        {
            "hour": h["hour"],
            "avg_engagement_rate": rate(h["engagementRate"]),
            "posts": h["posts"],
            "content_items": h["contentItems"],
        }
        for h in p["byTimeOfDay"]
    ]
    out["by_day_of_week"] = [
        {
            "day": w["day"],
            "avg_engagement_rate": rate(w["engagementRate"]),
            "posts": w["posts"],
            "content_items": w["contentItems"],
        }
        for w in p["byDayOfWeek"]
    ]
    return {
        "period": range_text(p["period"]),
        "breakdowns": out,
        "recommendations": p["recommendations"],
    }


@router.get(
    "/performance",
    response_model=PerformanceResponse,
    responses=ERRORS | NOT_FOUND,
    summary="Performance breakdowns",
)
@uses("amp/Performance")
async def performance(
    ctx: Ctx,
    period: Annotated[str | None, Query(description="Time period (default 30d)")] = None,
    breakdown: Annotated[
        str | None, Query(description="Comma list: platform, type, pillar, topic, time")
    ] = None,
    mission_id: Annotated[str | None, Query(description="Filter to one mission")] = None,
    sort_by: Annotated[
        str | None, Query(description="engagement_rate (default), impressions, clicks")
    ] = None,
) -> Response:
    asked = parse_breakdown(breakdown)
    key = mission_key(mission_id, "mission_id") if mission_id is not None else None
    variables = {
        "period": parse_period(period),
        # Time breakdowns are always returned (the document's example shows them).
        "breakdown": [b.upper() for b in dict.fromkeys([*asked, "time"])],
        "missionKey": key,
        "sortBy": choice(sort_by, "sort_by", SORTS, "engagement_rate"),
    }
    data = await run_for_mission(ctx, "amp/Performance", variables, key)
    return reply(performance_json(data["performance"], asked))


# --- costs ------------------------------------------------------------------------------


def _provider(r: dict) -> dict:
    row: dict[str, Any] = {
        "provider": r["provider"],
        "type": r["type"],
        "cost_cents": cents(r["costCents"]),
    }
    if r["type"] == "image":
        row["images_generated"] = count(r["imagesGenerated"])
    else:
        row["requests"] = r["requests"]
        if r["type"] == "llm":
            row["tokens_used"] = count(r["tokensUsed"])
    return row


def costs_json(c: dict) -> dict:
    s, p, ts = c["summary"], c["projections"], c["timeSeries"]
    return {
        "period": range_text(c["period"]),
        "summary": {
            "total_cost_cents": cents(s["totalCostCents"]),
            "budget_limit_cents": s["budgetLimitCents"],
            "budget_used_percent": pct1(s["budgetUsedPercent"]),
            "cost_per_post_cents": cents(s["costPerPostCents"]),
            "cost_per_1k_impressions_cents": cents(s["costPer1kImpressionsCents"]),
        },
        "by_provider": [_provider(r) for r in c["byProvider"]],
        "by_mission": [
            {
                "mission_id": m["missionKey"],
                "mission_name": m["missionName"],
                "cost_cents": cents(m["costCents"]),
                "posts_generated": m["postsGenerated"],
            }
            for m in c["byMission"]
        ],
        "by_stage": {
            (st["stage"] or "unspecified"): {
                "cost_cents": cents(st["costCents"]),
                "percent": pct1(st["percent"]),
            }
            for st in c["byStage"]
        },
        "time_series": [
            {
                "date": utc(b).date().isoformat(),
                "cost_cents": cents(v or 0),
            }
            for b, v in zip(ts["buckets"], ts["values"], strict=True)
        ],
        "projections": {
            "monthly_projected_cents": cents(p["monthlyProjectedCents"]),
            "budget_exhaustion_date": p["budgetExhaustionDate"],
            "days_until_limit": p["daysUntilLimit"],
        },
    }


@router.get("/costs", response_model=CostsResponse, responses=ERRORS, summary="AI generation costs")
@uses("amp/Costs")
async def cost_analytics(
    ctx: Ctx,
    period: Annotated[str | None, Query(description="Time period (default 30d)")] = None,
) -> Response:
    p = parse_period(period)
    variables = {"period": p, "granularity": series_granularity(p, None)}
    data = await run_operation(ctx, "amp/Costs", variables)
    return reply(costs_json(data["costs"]))


# --- compare ----------------------------------------------------------------------------


def compare_json(c: dict) -> dict:
    def side(p: dict) -> dict:
        return {
            "start": p["start"],
            "end": p["end"],
            "impressions": count(p["impressions"]),
            "engagement_rate": rate(p["engagementRate"]),
            "posts": p["posts"],
        }

    def change(ch: dict, value) -> dict:
        return {
            "change": None if ch["change"] is None else value(ch["change"]),
            "change_percent": pct1(ch["changePercent"]),
            "direction": direction(ch["direction"]),
        }

    cmp = c["comparison"]
    return {
        "period1": side(c["period1"]),
        "period2": side(c["period2"]),
        "comparison": {
            "impressions": change(cmp["impressions"], count),
            "engagement_rate": change(cmp["engagementRate"], rate),
            "posts": change(cmp["posts"], count),
        },
        "insights": c["insights"],
    }


@router.get(
    "/compare",
    response_model=ComparisonResponse,
    responses=ERRORS,
    summary="Compare two periods",
)
@uses("amp/ComparePeriods")
async def compare(
    ctx: Ctx,
    period1: Annotated[str | None, Query(description="YYYY-MM-DD/YYYY-MM-DD (or a preset)")] = None,
    period2: Annotated[str | None, Query(description="The baseline, same syntax")] = None,
) -> Response:
    for name, value in (("period1", period1), ("period2", period2)):
        if value is None:
            raise bad_param(f"{name} is required, e.g. {name}=2024-01-01/2024-01-15.", name)
    variables = {
        "period1": parse_period(period1, "period1"),
        "period2": parse_period(period2, "period2"),
    }
    data = await run_operation(ctx, "amp/ComparePeriods", variables)
    return reply(compare_json(data["comparePeriods"]))


# --- realtime ---------------------------------------------------------------------------


def realtime_json(r: dict) -> dict:
    s = r["last24h"]
    return {
        "as_of": instant(r["asOf"]),
        "last_24h": {
            "posts_published": s["postsPublished"],
            "impressions": count(s["impressions"]),
            "engagements": count(s["engagements"]),
            "engagement_rate": rate(s["engagementRate"]),
        },
        "active_content": [
            {
                "content_id": a["contentId"],
                "published_at": instant(a["publishedAt"]),
                "platform": a["platform"],
                "current_impressions": count(a["currentImpressions"]),
                "current_engagements": count(a["currentEngagements"]),
                "velocity": a["velocity"].lower(),
                "trending": a["trending"],
            }
            for a in r["activeContent"]
        ],
        "next_scheduled": [
            {
                "content_id": n["contentId"],
                "scheduled_for": instant(n["scheduledFor"]),
                "platform": n["platform"],
            }
            for n in r["nextScheduled"]
        ],
    }


@router.get(
    "/realtime",
    response_model=RealtimeResponse,
    responses=ERRORS,
    summary="Real-time metrics of the last 24 hours",
)
@uses("amp/Realtime")
async def realtime(ctx: Ctx) -> Response:
    data = await run_operation(ctx, "amp/Realtime", {})
    return reply(realtime_json(data["realtime"]))


# --- export -----------------------------------------------------------------------------


def _period_text(period: dict) -> str:
    if "preset" in period:
        return next(k for k, v in PRESETS.items() if v == period["preset"])
    return f"{period['start']}/{period['end']}"


def export_json(job: dict) -> dict:
    out: dict[str, Any] = {"export_id": job["key"], "status": job["status"].lower()}
    if out["status"] == "completed":
        out |= {"download_url": job["downloadUrl"], "expires_at": instant(job["expiresAt"])}
    elif out["status"] == "processing":
        out |= {
            "estimated_completion": instant(job["estimatedCompletion"]),
            "delivery_method": job["deliveryMethod"],
            "delivery_to": job["deliveryTo"],
        }
    else:
        out["error"] = job["error"]
    if job["deliveryStatus"] == "NOT_CONFIGURED":
        out["note"] = job["deliveryMessage"]
    return out


@router.post(
    "/export",
    response_model=ExportResponse,
    responses=ERRORS | NOT_FOUND,
    openapi_extra=EXPORT_BODY,
    summary="Export analytics as CSV or JSON",
)
@uses("amp/CreateExport")
async def export(ctx: Ctx, request: Request) -> Response:
    body = await export_body(request)
    period = parse_period(body.period)
    mission_ids = [mission_key(m, "mission_ids") for m in body.mission_ids or []]
    variables = {
        "input": {
            "format": body.format.upper(),
            "period": _period_text(period),
            "include": body.include,
            "missionKeys": mission_ids or None,
            "emailTo": body.email_to,
        }
    }
    data = await run_operation(ctx, "amp/CreateExport", variables)
    return reply(export_json(data["createAnalyticsExport"]))


@router.get(
    "/export/{export_id}/download",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The export file (see gateway/jobs/amp_export.py)",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            },
        },
        401: ERRORS[401],
        404: NOT_FOUND[404],
        409: {"model": AmpErrorBody, "description": "not_ready: still processing, or failed"},
        410: {"model": AmpErrorBody, "description": "gone: the export expired"},
    },
    summary="Download a finished export",
)
@uses("amp/ExportJob")
async def download_export(
    ctx: Ctx, export_id: Annotated[str, Path(description="exp_... from POST /export")]
) -> Response:
    data = await run_operation(ctx, "amp/ExportJob", {"key": export_id})
    if data["exportJob"] is None:
        raise NotFound(f"Export {export_id} not found.")
    f = await open_export(ctx, export_id)
    return FileResponse(f.path, media_type=f.media_type, filename=f.filename)
