"""Pydantic models of the AMP analytics REST bodies (seed 001), for `/openapi.json` and for
the tests that check every response against them. Units: counts are integers, money is
integer USD cents, `*engagement_rate` is a percent with 2 decimals, `change_percent` /
`percent` have 1 decimal; `null` marks a ratio whose denominator is zero (see the
contract in `gateway.rest.apis.amp`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Direction = Literal["up", "down", "flat"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AmpError(Strict):
    code: str = Field(examples=["invalid_period"])
    message: str


class AmpErrorBody(Strict):
    error: AmpError


class DateRange(Strict):
    start: str = Field(description="YYYY-MM-DD", examples=["2023-12-16"])
    end: str = Field(description="YYYY-MM-DD (inclusive)", examples=["2024-01-15"])


# --- overview ---------------------------------------------------------------------------


class OverviewSummary(Strict):
    missions_active: int
    content_published: int
    total_impressions: int
    total_engagements: int
    overall_engagement_rate: float | None
    total_link_clicks: int
    followers_gained: int


class Trend(Strict):
    current: float | None
    previous: float | None
    change_percent: float | None
    direction: Direction


class Trends(Strict):
    impressions: Trend
    engagement_rate: Trend


class PlatformStats(Strict):
    posts_published: int
    impressions: int
    engagements: int
    engagement_rate: float | None


class OverviewPoint(Strict):
    date: str = Field(description="YYYY-MM-DD (bucket start)")
    hour: int | None = Field(None, description="Only with granularity=hour")
    impressions: int
    engagements: int
    posts: int


class TopContentItem(Strict):
    content_id: str
    platform: str
    impressions: int
    engagement_rate: float | None
    preview: str


class OverviewResponse(Strict):
    period: DateRange
    summary: OverviewSummary
    trends: Trends
    by_platform: dict[str, PlatformStats]
    time_series: list[OverviewPoint]
    top_content: list[TopContentItem]


# --- mission ----------------------------------------------------------------------------


class MissionSummary(Strict):
    posts_published: int
    posts_scheduled: int
    total_impressions: int
    total_engagements: int
    engagement_rate: float | None
    link_clicks: int
    best_performing_day: str | None = Field(description="Among weekdays with >= 2 items")
    best_performing_time: str | None = Field(description="HH:00, among hours with >= 2 items")
    best_performing_day_confidence: float | None = Field(ge=0, le=1)
    best_performing_time_confidence: float | None = Field(ge=0, le=1)


class KpiProgress(Strict):
    metric: str
    target: float
    current: float | None
    progress_percent: int | None
    status: Literal["on_track", "at_risk", "behind", "exceeded"] | None
    projected_final: float | None


class PillarPerformance(Strict):
    pillar: str | None
    posts: int
    avg_engagement_rate: float | None
    total_impressions: int


class TypePerformance(Strict):
    type: str | None
    posts: int
    avg_engagement_rate: float | None


class ContentPerformance(Strict):
    by_pillar: list[PillarPerformance]
    by_type: list[TypePerformance]


class Insight(Strict):
    type: Literal["timing", "content", "platform"]
    insight: str
    confidence: float = Field(ge=0, le=1)


class MissionAnalyticsResponse(Strict):
    mission_id: str
    mission_name: str
    period: DateRange
    status: Literal["draft", "active", "paused", "completed"]
    progress_percent: int
    summary: MissionSummary
    kpi_progress: list[KpiProgress]
    content_performance: ContentPerformance
    optimization_insights: list[Insight]


# --- performance ------------------------------------------------------------------------


class PlatformPerformance(Strict):
    platform: str
    posts: int
    impressions: int
    engagement_rate: float | None
    clicks: int
    best_time: str | None
    best_day: str | None


class TypeBreakdown(Strict):
    type: str | None
    posts: int
    avg_engagement_rate: float | None
    avg_impressions: int | None


class TopicPerformance(Strict):
    topic: str | None
    posts: int
    avg_engagement_rate: float | None
    total_impressions: int


class HourBreakdown(Strict):
    hour: int
    avg_engagement_rate: float | None
    posts: int
    content_items: int = Field(description="Content items behind the rate")


class DayBreakdown(Strict):
    day: str
    avg_engagement_rate: float | None
    posts: int
    content_items: int = Field(description="Content items behind the rate")


class Breakdowns(Strict):
    by_platform: list[PlatformPerformance] | None = None
    by_type: list[TypeBreakdown] | None = None
    by_pillar: list[PillarPerformance] | None = None
    by_topic: list[TopicPerformance] | None = None
    by_time_of_day: list[HourBreakdown]
    by_day_of_week: list[DayBreakdown]


class PerformanceResponse(Strict):
    period: str = Field(examples=["2023-12-16/2024-01-15"])
    breakdowns: Breakdowns
    recommendations: list[str]


# --- costs ------------------------------------------------------------------------------


class CostSummary(Strict):
    total_cost_cents: int
    budget_limit_cents: int | None
    budget_used_percent: float | None
    cost_per_post_cents: int | None
    cost_per_1k_impressions_cents: int | None


class ProviderCost(Strict):
    provider: str | None
    type: str | None
    cost_cents: int
    requests: int | None = Field(None, description="Not on image rows")
    tokens_used: int | None = Field(None, description="llm rows only")
    images_generated: int | None = Field(None, description="image rows only")


class MissionCost(Strict):
    mission_id: str | None
    mission_name: str | None
    cost_cents: int
    posts_generated: int


class StageCost(Strict):
    cost_cents: int
    percent: float | None


class CostPoint(Strict):
    date: str
    cost_cents: int


class Projections(Strict):
    monthly_projected_cents: int | None
    budget_exhaustion_date: str | None
    days_until_limit: int | None


class CostsResponse(Strict):
    period: str
    summary: CostSummary
    by_provider: list[ProviderCost]
    by_mission: list[MissionCost]
    by_stage: dict[str, StageCost]
    time_series: list[CostPoint]
    projections: Projections


# --- compare ----------------------------------------------------------------------------


class ComparedPeriod(Strict):
    start: str
    end: str
    impressions: int
    engagement_rate: float | None
    posts: int


class Change(Strict):
    change: float | None
    change_percent: float | None
    direction: Direction


class Comparison(Strict):
    impressions: Change
    engagement_rate: Change
    posts: Change


class ComparisonResponse(Strict):
    period1: ComparedPeriod
    period2: ComparedPeriod
    comparison: Comparison
    insights: list[str]


# --- realtime ---------------------------------------------------------------------------


class Last24h(Strict):
    posts_published: int
    impressions: int
    engagements: int
    engagement_rate: float | None


class ActiveContent(Strict):
    content_id: str
    published_at: str
    platform: str
    current_impressions: int
    current_engagements: int
    velocity: Literal["high", "medium", "low"]
    trending: bool


class ScheduledContent(Strict):
    content_id: str
    scheduled_for: str
    platform: str


class RealtimeResponse(Strict):
    as_of: str
    last_24h: Last24h
    active_content: list[ActiveContent]
    next_scheduled: list[ScheduledContent]


# --- export -----------------------------------------------------------------------------


class ExportRequest(Strict):
    format: Literal["csv", "json"] = Field("csv", description="csv (default) or json")
    period: str = Field("30d", description="7d, 30d, 90d, ytd, all or YYYY-MM-DD/YYYY-MM-DD")
    include: list[str] | None = Field(
        None, description="Data types: content, metrics, costs (default: all)"
    )
    mission_ids: list[str] | None = Field(None, description="Filter to these missions")
    email_to: str | None = Field(None, description="Email address for delivery")


class ExportResponse(BaseModel):
    export_id: str
    status: Literal["processing", "completed", "failed"]
    estimated_completion: str | None = None
    delivery_method: str | None = None
    delivery_to: str | None = None
    download_url: str | None = None
    expires_at: str | None = None
    error: str | None = Field(None, description="Why a failed export failed")
    note: str | None = Field(None, description="E.g. that email delivery is not configured")
