"""ibl.ai Overview / Users / Topics charts: KPIs, users metrics, the sessions line chart,
topics bar chart, access-time heatmap, users table, conversations, headline, ratings.
Response contracts: see the package docstring (`gateway.rest.apis.iblai`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from gateway.errors import InvalidInput
from gateway.rest.apis.iblai.common import (
    ERRORS,
    PREFIX,
    TAG,
    ChartDep,
    CtxDep,
    Kpi,
    LimitQ,
    PageQ,
    PeriodOut,
    Point,
    blank,
    count,
    iso,
    kpi,
    page_offset,
    paginated,
    percent,
    period_out,
    points,
    run,
    usd,
)
from gateway.rest.routes import uses

router = APIRouter(prefix=PREFIX, tags=[TAG], responses=ERRORS)

USER_METRICS = ("registered_users", "active_users", "active_users_last_30d", "currently_active")
GranularityQ = Annotated[
    Literal["hour", "day", "week", "month"],
    Query(description="Bucket size of the chart (Tally extension; weeks start Monday)."),
]


class OverviewOut(BaseModel):
    period: PeriodOut
    mentor_unique_id: str | None = Field(description="Null: org-wide.")
    messages: Kpi = Field(description="Messages sent to mentors.")
    topics: Kpi = Field(description="Distinct conversation topics.")
    conversations: Kpi = Field(description="Chat sessions started.")


@router.get("/analytics/topics/", response_model=OverviewOut)
@uses("iblai/OverviewKpis")
async def overview(ctx: CtxDep, chart: ChartDep) -> dict:
    """Messages / Topics / Conversations KPIs (current vs previous period)."""
    a = await run(ctx, "OverviewKpis", chart.variables)
    return {
        "period": period_out(chart, a["period"]),
        "mentor_unique_id": chart.variables["mentor"],
        "messages": kpi(a["messages"]),
        "topics": kpi(a["topics"]),
        "conversations": kpi(a["conversations"]),
    }


class UsersMetricOut(BaseModel):
    metric: str = Field(description="The requested metric.")
    period: PeriodOut
    value: int = Field(description="Users (see the metric's definition).")
    previous_value: int | None = Field(description="Previous period (period metrics only).")
    change: int | None
    change_percentage: float | None
    direction: str | None = Field(description="up | down | flat (period metrics only).")


@router.get("/analytics/users/", response_model=UsersMetricOut)
@uses("iblai/UsersMetric")
async def users_metric(
    ctx: CtxDep,
    chart: ChartDep,
    metric: Annotated[str | None, Query(description=" | ".join(USER_METRICS))] = None,
) -> dict:
    """registered_users / active_users (vs the previous period), active_users_last_30d
    (last 30 days, whatever the date_filter), currently_active (last 15 minutes)."""
    metric = blank(metric)
    if metric not in USER_METRICS:
        raise InvalidInput(f"`metric` must be one of {', '.join(USER_METRICS)}; got {metric!r}.")
    flags = dict(zip(("registered", "active", "last30d", "now"), USER_METRICS, strict=True))
    variables = {**chart.variables, **{k: v == metric for k, v in flags.items()}}
    a = await run(ctx, "UsersMetric", variables)
    out = {"metric": metric, "period": period_out(chart, a["period"])}
    if metric == "registered_users":
        return {**out, **kpi(a["registeredUsers"])}
    if metric == "active_users":
        return {**out, **kpi(a["activeUsers"])}
    value = a["activeUsersLast30d"] if metric == "active_users_last_30d" else a["currentlyActive"]
    none = dict.fromkeys(("previous_value", "change", "change_percentage", "direction"))
    return {**out, "value": count(value), **none}


class SeriesOut(BaseModel):
    metric: str
    unit: str = Field(description="What `value` counts (or USD for costs).")
    granularity: str = Field(description="hour | day | week | month.")
    period: PeriodOut
    total: int = Field(description="Sum over the period, in `unit` (a count).")
    results: list[Point] = Field(description="Zero-filled buckets, oldest first.")


def _series_out(chart, a: dict, series: dict, metric: str, unit: str) -> dict:
    return {
        "metric": metric,
        "unit": unit,
        "granularity": series["granularity"].lower(),
        "period": period_out(chart, a["period"]),
        "total": count(series["total"]),
        "results": points(series),
    }


@router.get("/analytics/sessions/", response_model=SeriesOut)
@uses("iblai/SessionsOverTime")
async def sessions(ctx: CtxDep, chart: ChartDep, granularity: GranularityQ = "day") -> dict:
    """Chat sessions started per bucket (the Sessions line chart)."""
    variables = {**chart.variables, "granularity": granularity.upper()}
    a = await run(ctx, "SessionsOverTime", variables)
    return _series_out(chart, a, a["sessionsOverTime"], "sessions", "sessions")


class TopicRow(BaseModel):
    topic: str | None = Field(description="Null: messages without a topic.")
    messages: int
    sessions: int


class TopicsOut(BaseModel):
    period: PeriodOut
    count: int
    results: list[TopicRow] = Field(description="Most messages first (ties by topic).")


@router.get("/analytics/topics/details/", response_model=TopicsOut)
@uses("iblai/TopicDetails")
async def topic_details(ctx: CtxDep, chart: ChartDep, limit: LimitQ = 10) -> dict:
    """Messages and sessions per topic (the Topics bar chart), top `limit`."""
    a = await run(ctx, "TopicDetails", {**chart.variables, "limit": limit})
    rows = [
        {"topic": t["topic"], "messages": count(t["messages"]), "sessions": count(t["sessions"])}
        for t in a["topicDetails"]
    ]
    return {"period": period_out(chart, a["period"]), "count": len(rows), "results": rows}


DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class HeatCell(BaseModel):
    day_of_week: int = Field(description="ISO weekday, 1 = Monday .. 7 = Sunday.")
    day: str = Field(description="monday .. sunday.")
    hour: int = Field(description="0..23 in `timezone`.")
    messages: int


class HeatmapOut(BaseModel):
    period: PeriodOut
    timezone: str
    total: int = Field(description="Messages in the period.")
    days: list[str] = Field(description="Row labels of `matrix`.")
    matrix: list[list[int]] = Field(description="7 rows (Monday..Sunday) x 24 hours.")
    results: list[HeatCell] = Field(description="The non-zero cells.")


@router.get("/analytics/time/", response_model=HeatmapOut)
@uses("iblai/AccessHeatmap")
async def access_time(ctx: CtxDep, chart: ChartDep) -> dict:
    """When learners chat: messages by weekday x hour."""
    a = await run(ctx, "AccessHeatmap", chart.variables)
    h = a["accessHeatmap"]
    matrix = [[count(v) for v in row] for row in h["matrix"]]
    cells = [
        {"day_of_week": d + 1, "day": DAYS[d], "hour": hr, "messages": v}
        for d, row in enumerate(matrix)
        for hr, v in enumerate(row)
        if v
    ]
    return {
        "period": period_out(chart, a["period"]),
        "timezone": h["timezone"],
        "total": count(h["total"]),
        "days": list(DAYS),
        "matrix": matrix,
        "results": cells,
    }


class UserRow(BaseModel):
    username: str
    name: str
    email: str | None
    messages: int = Field(description="Messages in the period.")
    sessions: int = Field(description="Chat sessions started in the period.")
    total_costs: float = Field(description="LLM cost in the period, USD.")
    last_active: str | None = Field(description="ISO 8601 timestamp of the latest session.")


class UsersPage(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[UserRow] = Field(description="Most messages first (ties by user).")


@router.get("/analytics/users/details/", response_model=UsersPage)
@uses("iblai/UsersTable")
async def users_details(
    request: Request,
    ctx: CtxDep,
    chart: ChartDep,
    page: PageQ = 1,
    limit: LimitQ = 20,
    search: Annotated[str | None, Query(description="Username, name or email.")] = None,
) -> dict:
    """The users table: users with chat activity in the period."""
    variables = {
        **chart.variables,
        "search": blank(search),
        "first": limit,
        "offset": page_offset(page, limit),
    }
    a = await run(ctx, "UsersTable", variables)
    conn = a["users"]
    rows = [
        {
            "username": u["username"],
            "name": u["name"],
            "email": u["email"],
            "messages": count(u["messages"]),
            "sessions": count(u["sessions"]),
            "total_costs": usd(u["costCents"]),
            "last_active": iso(u["lastActive"]),
        }
        for u in conn["nodes"]
    ]
    return paginated(request, page, limit, conn["totalCount"], rows)


class ConversationsOut(BaseModel):
    metric: Literal["conversations"]
    period: PeriodOut
    value: int = Field(description="Conversations (chat sessions) started in the period.")
    previous_value: int
    change: int
    change_percentage: float | None
    direction: str
    granularity: str
    results: list[Point] = Field(description="Conversations per bucket, zero-filled.")


class HeadlineOut(BaseModel):
    metric: Literal["headline"]
    period: PeriodOut
    conversations: int
    messages: int
    users: int = Field(description="Distinct users who sent messages.")
    average_messages_per_conversation: float | None = Field(description="messages/conversations")
    average_rating: float | None = Field(description="1-5; null without ratings.")


CONVERSATION_METRICS = ("conversations", "headline")


async def _conversations(
    ctx: CtxDep,
    chart: ChartDep,
    metric: Annotated[str | None, Query(description="conversations | headline")] = None,
    granularity: GranularityQ = "day",
) -> dict:
    metric = blank(metric) or "conversations"
    if metric not in CONVERSATION_METRICS:
        raise InvalidInput(f"`metric` must be conversations or headline; got {metric!r}.")
    if metric == "headline":
        a = await run(ctx, "Headline", chart.variables)
        h = a["headline"]
        return {
            "metric": metric,
            "period": period_out(chart, a["period"]),
            "conversations": count(h["conversations"]),
            "messages": count(h["messages"]),
            "users": count(h["users"]),
            "average_messages_per_conversation": percent(h["averageMessagesPerConversation"]),
            "average_rating": percent(h["averageRating"]),
        }
    variables = {**chart.variables, "granularity": granularity.upper()}
    a = await run(ctx, "Conversations", variables)
    s = a["sessionsOverTime"]
    return {
        "metric": metric,
        "period": period_out(chart, a["period"]),
        **kpi(a["conversations"]),
        "granularity": s["granularity"].lower(),
        "results": points(s),
    }


conversations = uses("iblai/Conversations", "iblai/Headline")(_conversations)
_CONV_RESPONSES = {200: {"model": ConversationsOut | HeadlineOut}}
router.get("/analytics/conversations", responses=_CONV_RESPONSES)(conversations)
router.get(
    "/analytics/conversations/", responses=_CONV_RESPONSES, summary="Conversations (with slash)"
)(conversations)


class RatingRow(BaseModel):
    rating: int = Field(description="1..5.")
    count: int


class RatingsOut(BaseModel):
    period: PeriodOut
    average_rating: float | None = Field(description="Mean rating, 2 decimals; null if none.")
    count: int = Field(description="Ratings given in the period.")
    distribution: list[RatingRow] = Field(description="Ratings 1..5, zero-filled.")


@router.get("/analytics/ratings/", response_model=RatingsOut)
@uses("iblai/Ratings")
async def ratings(ctx: CtxDep, chart: ChartDep) -> dict:
    """Ratings given to mentors' answers in the period."""
    a = await run(ctx, "Ratings", chart.variables)
    r = a["ratings"]
    return {
        "period": period_out(chart, a["period"]),
        "average_rating": percent(r["average"]),
        "count": count(r["count"]),
        "distribution": [
            {"rating": d["rating"], "count": count(d["count"])} for d in r["distribution"]
        ],
    }
