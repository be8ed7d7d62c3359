"""GraphQL types of the org-level AMP reports: the analytics overview, performance
breakdowns, AI-cost analytics, period comparison and realtime metrics. Each type holds
its resolved period and filters; fields load lazily through the request's loaders, so
one query fetches everything one legacy response contains.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.metrics import (
    Granularity,
    PeriodSpec,
    Preset,
    ResolvedPeriod,
    Scope,
    load_change,
    load_series,
    load_total,
    resolve_period,
)
from gateway.metrics.engine import change
from gateway.missions import costs, repository, service
from gateway.missions.listing import content_scope
from gateway.missions.loaders import ContentStatsKey, ContentStatsLoader, MissionByIdLoader
from gateway.missions.repository import ContentFilter
from resolvers.common import (
    Direction,
    MetricChange,
    PeriodRange,
    TimeSeries,
    build_series,
    metric_field,
)
from resolvers.missions.inputs import PerformanceBreakdown, PerformanceSort, Velocity
from resolvers.missions.types import (
    Content,
    ContentGroup,
    ContentSeries,
    Mission,
    check_limit,
    groups_of,
    load_content_series,
    now_of,
)


async def _stats(ctx: Context, mission_id: int | None, rp: ResolvedPeriod, platforms=None):
    stats = await ctx.loader(ContentStatsLoader).load(ContentStatsKey(mission_id, rp))
    if platforms is not None:
        stats = [s for s in stats if s.content.platform in platforms]
    return stats


# --- overview (GET /analytics) ------------------------------------------------------------


def _total_field(metric: str, kind: Any, description: str | None = None):
    return metric_field("_total", metric, kind, description)


def _change_field(metric: str, description: str | None = None):
    return metric_field("_change", metric, MetricChange, description)


@strawberry.type(description="Headline numbers of the overview.")
class OverviewSummary:
    rp: strawberry.Private[ResolvedPeriod]
    scope: strawberry.Private[Scope]
    follower_scope: strawberry.Private[Scope]

    async def _total(self, info, metric: str):
        return await load_total(info.context, metric, None, self.rp, self.scope)

    @strawberry.field(
        description="Missions with status active whose date range overlaps the period."
    )
    async def missions_active(self, info: Info[Context, None]) -> int:
        ctx = info.context
        return await repository.count_active_missions(
            ctx.db, ctx.principal.org_id, self.rp.local_start_date, self.rp.local_end_date
        )

    content_published = _total_field("content.posts", int, "Publish events in the period.")
    total_impressions = _total_field("content.impressions", float)
    total_engagements = _total_field("content.engagements", float)
    overall_engagement_rate = _total_field(
        "content.engagement_rate", float | None, "Percent: 100 × engagements / impressions."
    )
    total_link_clicks = _total_field("content.clicks", float)

    @strawberry.field(description="Follower gains (filtered by the platforms, if any).")
    async def followers_gained(self, info: Info[Context, None]) -> float:
        return await load_total(
            info.context, "mission.followers_gained", None, self.rp, self.follower_scope
        )


@strawberry.type(description="Period-over-period trends (previous period of equal length).")
class OverviewTrends:
    rp: strawberry.Private[ResolvedPeriod]
    scope: strawberry.Private[Scope]

    async def _change(self, info, metric: str) -> MetricChange:
        c = await load_change(info.context, metric, None, self.rp, self.scope)
        return MetricChange.of(c, self.rp)

    impressions = _change_field("content.impressions")
    engagement_rate = _change_field(
        "content.engagement_rate", "Engagement rate (percent); changePercent is relative."
    )
    engagements = _change_field("content.engagements")
    posts = _change_field("content.posts")


@strawberry.type(description="A content item ranked in a period.")
class TopContent:
    content_id: str = strawberry.field(description="The content key (`cnt_...`).")
    content: Content
    platform: str
    preview: str
    published_at: datetime | None
    impressions: float
    engagements: float
    clicks: float
    engagement_rate: float | None = strawberry.field(description="Percent.")


@strawberry.type(description="Aggregated analytics across all missions (GET /analytics).")
class AmpOverview:
    rp: strawberry.Private[ResolvedPeriod]
    platforms: strawberry.Private[tuple[str, ...] | None]
    granularity_value: strawberry.Private[Granularity]

    @property
    def scope(self) -> Scope:
        return content_scope(ContentFilter(platforms=self.platforms))

    @strawberry.field
    def period(self) -> PeriodRange:
        return PeriodRange.of(self.rp)

    @strawberry.field
    def platforms_filter(self) -> list[str] | None:
        return list(self.platforms) if self.platforms is not None else None

    @strawberry.field
    def summary(self) -> OverviewSummary:
        dims = {"platform": list(self.platforms)} if self.platforms is not None else {}
        return OverviewSummary(rp=self.rp, scope=self.scope, follower_scope=Scope(dims=dims))

    @strawberry.field
    def trends(self) -> OverviewTrends:
        return OverviewTrends(rp=self.rp, scope=self.scope)

    @strawberry.field(description="Per platform, by impressions descending (ties by name).")
    async def by_platform(self, info: Info[Context, None]) -> list[ContentGroup]:
        stats = await _stats(info.context, None, self.rp, self.platforms)
        return groups_of(stats, lambda s: s.content.platform, self.rp.tz)

    @strawberry.field(description="Content metrics per bucket of the request's granularity.")
    async def time_series(self, info: Info[Context, None]) -> ContentSeries:
        return await load_content_series(
            info.context, None, self.rp, self.granularity_value, self.scope
        )

    @strawberry.field(
        description="The best content of the period by `orderBy` (IMPRESSIONS or "
        "ENGAGEMENT_RATE; descending, ties by content id); `limit` 1..100."
    )
    async def top_content(
        self,
        info: Info[Context, None],
        limit: int = 10,
        order_by: PerformanceSort = PerformanceSort.IMPRESSIONS,
    ) -> list[TopContent] | None:
        check_limit(limit)
        stats = await _stats(info.context, None, self.rp, self.platforms)
        return top_content(stats, order_by.value, limit)


def top_content(stats, order_by: str, limit: int) -> list[TopContent]:
    def value(s):
        if order_by == "ENGAGEMENT_RATE":
            return service.rate(s.engagements, s.impressions)
        return {"IMPRESSIONS": s.impressions, "CLICKS": s.clicks, "POSTS": s.posts}[order_by]

    ranked = sorted(stats, key=lambda s: (value(s) is None, -(value(s) or 0), s.content.id))
    return [
        TopContent(
            content_id=s.content.key,
            content=Content.from_row(s.content),
            platform=s.content.platform,
            preview=s.content.preview,
            published_at=s.content.published_at,
            impressions=s.impressions,
            engagements=s.engagements,
            clicks=s.clicks,
            engagement_rate=service.rate(s.engagements, s.impressions),
        )
        for s in ranked[:limit]
    ]


# --- performance (GET /analytics/performance) ----------------------------------------------


@strawberry.type(description="Content published in one local hour of the day.")
class HourPerformance:
    hour: int
    posts: int
    content_items: int
    impressions: float
    engagements: float
    engagement_rate: float | None = strawberry.field(
        description="Percent, ratio of sums (the document's avg_engagement_rate)."
    )


@strawberry.type(description="Content published on one local weekday.")
class WeekdayPerformance:
    day: str
    iso_weekday: int = strawberry.field(description="1 = Monday .. 7 = Sunday.")
    posts: int
    content_items: int
    impressions: float
    engagements: float
    engagement_rate: float | None = strawberry.field(description="Percent, ratio of sums.")


@strawberry.type(
    description="Performance breakdowns (GET /analytics/performance). A breakdown not asked "
    "for in `breakdown` is null. Groups are sorted by `sortBy` (descending, ties by key); "
    "hours and weekdays are those of publishing, in the period's timezone."
)
class Performance:
    rp: strawberry.Private[ResolvedPeriod]
    mission_id: strawberry.Private[int | None]
    breakdowns: strawberry.Private[frozenset]
    sort_by: strawberry.Private[str]

    @strawberry.field
    def period(self) -> PeriodRange:
        return PeriodRange.of(self.rp)

    async def _groups(self, info, which, key) -> list[ContentGroup] | None:
        if which not in self.breakdowns:
            return None
        stats = await _stats(info.context, self.mission_id, self.rp)
        return groups_of(stats, key, self.rp.tz, self.sort_by)

    @strawberry.field(description="Per platform, with bestTime / bestDay.")
    async def by_platform(self, info: Info[Context, None]) -> list[ContentGroup] | None:
        return await self._groups(info, "platform", lambda s: s.content.platform)

    @strawberry.field(description="Per content type (avgImpressionsPerPost, engagementRate).")
    async def by_type(self, info: Info[Context, None]) -> list[ContentGroup] | None:
        return await self._groups(info, "type", lambda s: s.content.type)

    @strawberry.field
    async def by_pillar(self, info: Info[Context, None]) -> list[ContentGroup] | None:
        return await self._groups(info, "pillar", lambda s: s.content.pillar)

    @strawberry.field
    async def by_topic(self, info: Info[Context, None]) -> list[ContentGroup] | None:
        return await self._groups(info, "topic", lambda s: s.content.topic)

    @strawberry.field(description="Hours with content, ascending (breakdown TIME).")
    async def by_time_of_day(self, info: Info[Context, None]) -> list[HourPerformance] | None:
        if "time" not in self.breakdowns:
            return None
        stats = await _stats(info.context, self.mission_id, self.rp)
        groups = service.by_hour(stats, self.rp.tz)
        return [
            HourPerformance(
                hour=h,
                posts=g.posts,
                content_items=g.items,
                impressions=g.impressions,
                engagements=g.engagements,
                engagement_rate=g.engagement_rate,
            )
            for h, g in sorted(groups.items())
        ]

    @strawberry.field(description="Weekdays with content, Monday first (breakdown TIME).")
    async def by_day_of_week(self, info: Info[Context, None]) -> list[WeekdayPerformance] | None:
        if "time" not in self.breakdowns:
            return None
        stats = await _stats(info.context, self.mission_id, self.rp)
        groups = service.by_weekday(stats, self.rp.tz)
        return [
            WeekdayPerformance(
                day=service.WEEKDAYS[d],
                iso_weekday=d + 1,
                posts=g.posts,
                content_items=g.items,
                impressions=g.impressions,
                engagements=g.engagements,
                engagement_rate=g.engagement_rate,
            )
            for d, g in sorted(groups.items())
        ]

    @strawberry.field(description="Recommendations derived from the data (see service).")
    async def recommendations(self, info: Info[Context, None]) -> list[str]:
        stats = await _stats(info.context, self.mission_id, self.rp)
        return service.recommendations(stats, self.rp.tz)


ALL_BREAKDOWNS = frozenset(b.value for b in PerformanceBreakdown)


# --- costs (GET /analytics/costs) ---------------------------------------------------------


@strawberry.type(description="Cost headline numbers (USD cents).")
class CostSummary:
    total_cost_cents: float
    budget_limit_cents: int | None = strawberry.field(
        description="Sum of the org-level monthly budgets of every month the period touches."
    )
    budget_used_percent: float | None = strawberry.field(
        description="100 × totalCostCents / budgetLimitCents."
    )
    posts_published: int
    impressions: float
    cost_per_post_cents: float | None = strawberry.field(
        description="totalCostCents / posts published in the period."
    )
    cost_per_1k_impressions_cents: float | None = strawberry.field(
        name="costPer1kImpressionsCents",
        description="1000 × totalCostCents / impressions in the period.",
    )


@strawberry.type(description="Cost of one provider and provider type.")
class ProviderCostType:
    provider: str | None
    type: str | None = strawberry.field(description="Provider type, e.g. llm or image.")
    cost_cents: float
    requests: int = strawberry.field(description="Cost records (generation requests).")
    tokens_used: float
    images_generated: float


@strawberry.type(description="Cost of one mission.")
class MissionCost:
    mission_key: str | None
    mission_name: str | None
    mission: Mission | None
    cost_cents: float
    requests: int
    posts_generated: int = strawberry.field(
        description="Content items of the mission created in the period."
    )


@strawberry.type(description="Cost of one pipeline stage (strategy, content, optimize).")
class StageCost:
    stage: str | None
    cost_cents: float
    percent: float | None = strawberry.field(description="Share of the period's stage costs.")


@strawberry.type(
    description="Projection for the calendar month containing now (period timezone): "
    "daily rate = month-to-date cost / elapsed days; projected = rate × days in month; "
    "exhaustion = month start + budget / rate (null when after the month end)."
)
class CostProjection:
    month_start: date
    month_to_date_cents: float
    month_budget_cents: int | None
    monthly_projected_cents: float | None
    budget_exhaustion_date: date | None
    days_until_limit: int | None


@strawberry.type(description="AI generation cost analytics (GET /analytics/costs).")
class CostAnalytics:
    rp: strawberry.Private[ResolvedPeriod]

    @strawberry.field
    def period(self) -> PeriodRange:
        return PeriodRange.of(self.rp)

    @strawberry.field
    async def summary(self, info: Info[Context, None]) -> CostSummary:
        ctx, rp = info.context, self.rp
        total, posts, imps = await asyncio.gather(
            load_total(ctx, "mission.cost_cents", None, rp),
            load_total(ctx, "content.posts", None, rp),
            load_total(ctx, "content.impressions", None, rp),
        )
        first, last = service.months_overlapping(rp.local_start_date, rp.local_end_date)
        budgets = await repository.org_budgets(ctx.db, ctx.principal.org_id, first, last)
        limit = sum(b.limit_cents for b in budgets) if budgets else None
        return CostSummary(
            total_cost_cents=total,
            budget_limit_cents=limit,
            budget_used_percent=100.0 * total / limit if limit else None,
            posts_published=posts,
            impressions=imps,
            cost_per_post_cents=total / posts if posts else None,
            cost_per_1k_impressions_cents=1000.0 * total / imps if imps else None,
        )

    @strawberry.field(description="By provider and type, cost descending.")
    async def by_provider(self, info: Info[Context, None]) -> list[ProviderCostType]:
        ctx = info.context
        rows = await costs.by_provider(ctx.db, ctx.principal.org_id, self.rp)
        return [ProviderCostType(**vars(r)) for r in rows]

    @strawberry.field(description="By mission, cost descending (ties by mission id).")
    async def by_mission(self, info: Info[Context, None]) -> list[MissionCost]:
        ctx, org_id = info.context, info.context.principal.org_id
        rows = await costs.by_dim(ctx.db, org_id, self.rp, "subject")
        missions = await ctx.loader(MissionByIdLoader).load_many([int(r.key) for r in rows])
        created = await repository.created_counts_by_mission(
            ctx.db, org_id, self.rp.start, self.rp.end
        )
        return [
            MissionCost(
                mission_key=m.key if m else None,
                mission_name=m.name if m else None,
                mission=Mission.from_row(m) if m else None,
                cost_cents=r.cost_cents,
                requests=r.requests,
                posts_generated=created.get(int(r.key), 0),
            )
            for r, m in zip(rows, missions, strict=True)
        ]

    @strawberry.field(description="By stage, cost descending.")
    async def by_stage(self, info: Info[Context, None]) -> list[StageCost]:
        ctx = info.context
        rows = await costs.by_dim(ctx.db, ctx.principal.org_id, self.rp, "dim:stage")
        total = sum(r.cost_cents for r in rows)
        return [
            StageCost(
                stage=r.key,
                cost_cents=r.cost_cents,
                percent=100.0 * r.cost_cents / total if total else None,
            )
            for r in rows
        ]

    @strawberry.field(description="Cost per bucket (USD cents), zero-filled.")
    async def time_series(
        self, info: Info[Context, None], granularity: Granularity = Granularity.DAY
    ) -> TimeSeries:
        metric = "mission.cost_cents"
        s = await load_series(info.context, [metric], None, self.rp, granularity)
        return build_series(
            metric, s.buckets, s.values[metric], s.totals[metric], self.rp, granularity, None, None
        )

    @strawberry.field
    async def projections(self, info: Info[Context, None]) -> CostProjection:
        ctx = info.context
        now_local = now_of(ctx).astimezone(self.rp.tz)
        start, _, _ = service.month_bounds(now_local)
        mtd_period = ResolvedPeriod(start, now_local, self.rp.timezone)
        mtd = await load_total(ctx, "mission.cost_cents", None, mtd_period)
        budgets = await repository.org_budgets(
            ctx.db, ctx.principal.org_id, start.date(), start.date()
        )
        limit = budgets[0].limit_cents if budgets else None
        p = service.month_projection(mtd, now_local, limit)
        return CostProjection(
            month_start=start.date(),
            month_to_date_cents=mtd,
            month_budget_cents=limit,
            monthly_projected_cents=p.monthly_projected_cents,
            budget_exhaustion_date=p.budget_exhaustion_date,
            days_until_limit=p.days_until_limit,
        )


# --- compare (GET /analytics/compare) -----------------------------------------------------


@strawberry.type(description="Totals of one compared period.")
class ComparedPeriod:
    period: PeriodRange
    start: date = strawberry.field(description="First local day.")
    end: date = strawberry.field(description="Last local day (inclusive).")
    impressions: float
    engagements: float
    clicks: float
    posts: int
    engagement_rate: float | None = strawberry.field(description="Percent.")


@strawberry.type(
    description="period1 against period2 (the baseline): change = period1 - period2, "
    "changePercent = 100 × change / |period2| (null when period2 is 0 or undefined)."
)
class ValueChange:
    current: float | None
    previous: float | None
    change: float | None
    change_percent: float | None
    direction: Direction


@strawberry.type
class PeriodChanges:
    impressions: ValueChange
    engagements: ValueChange
    engagement_rate: ValueChange
    posts: ValueChange


@strawberry.type(description="Two periods compared (GET /analytics/compare).")
class PeriodComparison:
    period1: ComparedPeriod
    period2: ComparedPeriod
    comparison: PeriodChanges
    insights: list[str]


COMPARE_METRICS = (
    "content.impressions",
    "content.engagements",
    "content.clicks",
    "content.posts",
    "content.engagement_rate",
)


async def compare_periods(
    ctx: Context, rp1: ResolvedPeriod, rp2: ResolvedPeriod, scope: Scope
) -> PeriodComparison:
    loads = [load_total(ctx, m, None, rp, scope) for rp in (rp1, rp2) for m in COMPARE_METRICS]
    values = await asyncio.gather(*loads)
    n = len(COMPARE_METRICS)
    v1 = dict(zip(COMPARE_METRICS, values[:n], strict=True))
    v2 = dict(zip(COMPARE_METRICS, values[n:], strict=True))

    def side(rp, v) -> ComparedPeriod:
        return ComparedPeriod(
            period=PeriodRange.of(rp),
            start=rp.local_start_date,
            end=rp.local_end_date,
            impressions=v["content.impressions"],
            engagements=v["content.engagements"],
            clicks=v["content.clicks"],
            posts=v["content.posts"],
            engagement_rate=v["content.engagement_rate"],
        )

    def ch(metric) -> ValueChange:
        c = change(v1[metric], v2[metric])
        return ValueChange(
            current=c.current,
            previous=c.previous,
            change=c.change,
            change_percent=c.change_percent,
            direction=Direction(c.direction),
        )

    er = ch("content.engagement_rate")
    return PeriodComparison(
        period1=side(rp1, v1),
        period2=side(rp2, v2),
        comparison=PeriodChanges(
            impressions=ch("content.impressions"),
            engagements=ch("content.engagements"),
            engagement_rate=er,
            posts=ch("content.posts"),
        ),
        insights=service.compare_insights(
            er.change_percent,
            v1["content.posts"],
            v2["content.posts"],
            v1["content.impressions"],
            v2["content.impressions"],
        ),
    )


# --- realtime (GET /analytics/realtime) ---------------------------------------------------

ACTIVE_WINDOW = timedelta(hours=24)
MAX_ACTIVE = 500  # content considered for the median velocity


@strawberry.type(description="Totals of the last 24 hours.")
class RealtimeSummary:
    posts_published: int
    impressions: float
    engagements: float
    clicks: float
    engagement_rate: float | None = strawberry.field(description="Percent.")


@strawberry.type(description="Content published in the last 24 hours.")
class ActiveContent:
    content_id: str
    content: Content
    published_at: datetime
    platform: str
    current_impressions: float = strawberry.field(description="Impressions since publishing.")
    current_engagements: float
    impressions_per_hour: float = strawberry.field(
        description="currentImpressions / max(hours since publishing, 1)."
    )
    velocity: Velocity = strawberry.field(
        description="high >= 1.5 × median impressionsPerHour of the org's content published in "
        "the last 24 h, low <= 0.5 × median, else medium."
    )
    trending: bool = strawberry.field(
        description="velocity high and engagement rate >= the org's last-24h engagement rate."
    )


@strawberry.type(description="Upcoming scheduled content.")
class ScheduledContent:
    content_id: str
    content: Content
    scheduled_for: datetime
    platform: str


@strawberry.type(description="Real-time metrics (GET /analytics/realtime).")
class Realtime:
    as_of: datetime
    rp: strawberry.Private[ResolvedPeriod]

    async def _summary_values(self, ctx):
        names = ("content.posts", "content.impressions", "content.engagements", "content.clicks")
        names += ("content.engagement_rate",)
        return dict(
            zip(
                names,
                await asyncio.gather(*(load_total(ctx, n, None, self.rp) for n in names)),
                strict=True,
            )
        )

    @strawberry.field(name="last24h")
    async def last_24h(self, info: Info[Context, None]) -> RealtimeSummary:
        v = await self._summary_values(info.context)
        return RealtimeSummary(
            posts_published=v["content.posts"],
            impressions=v["content.impressions"],
            engagements=v["content.engagements"],
            clicks=v["content.clicks"],
            engagement_rate=v["content.engagement_rate"],
        )

    @strawberry.field(description="Newest first (ties by id); `limit` 1..100.")
    async def active_content(
        self, info: Info[Context, None], limit: int = 20
    ) -> list[ActiveContent] | None:
        check_limit(limit)
        ctx = info.context
        rows = await repository.published_since(
            ctx.db, ctx.principal.org_id, self.rp.start, self.as_of, MAX_ACTIVE
        )
        summary = self._summary_values(ctx)
        loads = [
            asyncio.gather(
                load_total(ctx, "content.impressions", r.id, self.rp),
                load_total(ctx, "content.engagements", r.id, self.rp),
            )
            for r in rows
        ]
        per, v = await asyncio.gather(asyncio.gather(*loads), summary)
        velocities = [
            service.velocity(imp, r.published_at, self.as_of)
            for r, (imp, _) in zip(rows, per, strict=True)
        ]
        med = service.median(velocities)
        org_rate = v["content.engagement_rate"]
        out = []
        for r, (imp, eng), vel in list(zip(rows, per, velocities, strict=True))[:limit]:
            cls = service.velocity_class(vel, med)
            er = service.rate(eng, imp)
            out.append(
                ActiveContent(
                    content_id=r.key,
                    content=Content.from_row(r),
                    published_at=r.published_at,
                    platform=r.platform,
                    current_impressions=imp,
                    current_engagements=eng,
                    impressions_per_hour=vel,
                    velocity=Velocity(cls),
                    trending=cls == "high" and er is not None and er >= (org_rate or 0.0),
                )
            )
        return out

    @strawberry.field(
        description="Scheduled content due from now on, soonest first; `limit` 1..100."
    )
    async def next_scheduled(
        self, info: Info[Context, None], limit: int = 10
    ) -> list[ScheduledContent] | None:
        check_limit(limit)
        ctx = info.context
        rows = await repository.next_scheduled(ctx.db, ctx.principal.org_id, self.as_of, limit)
        return [
            ScheduledContent(
                content_id=r.key,
                content=Content.from_row(r),
                scheduled_for=r.scheduled_for,
                platform=r.platform,
            )
            for r in rows
        ]


def realtime_of(ctx: Context) -> Realtime:
    rp = resolve_period(ctx, PeriodSpec(preset=Preset.LAST_24H))
    return Realtime(as_of=rp.end, rp=rp)
