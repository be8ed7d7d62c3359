"""GraphQL types of AMP: the `Mission` and `Content` nodes, per-mission analytics, and the
building blocks shared with the org-level reports (`ContentGroup`, `ContentSeries`).

Units: impressions / engagements / clicks are counts (floats as reported), every
`*Rate` and `*Percent` field is a percentage (0-100), money is USD cents. Formulas are
defined in `gateway.missions.service`.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import strawberry
from strawberry.types import Info

from gateway.access.missions import visible_contents, visible_missions
from gateway.context import Context
from gateway.errors import InvalidInput
from gateway.metrics import (
    CATALOG,
    Granularity,
    PeriodSpec,
    ResolvedPeriod,
    Scope,
    Via,
    load_series,
    load_total,
    resolve_period,
)
from gateway.metrics.loader import RequestClock
from gateway.missions import repository, service
from gateway.missions.listing import content_ids_by_metric
from gateway.missions.loaders import (
    ContentByIdLoader,
    ContentStatsKey,
    ContentStatsLoader,
    ContentStatusCountsByMissionLoader,
    KpisByMissionLoader,
    MissionByIdLoader,
)
from gateway.missions.repository import ContentFilter
from gateway.models import Content as ContentRow
from gateway.models import Mission as MissionRow
from resolvers.common import (
    MetricTarget,
    PeriodInput,
    PeriodRange,
    metric_field,
    metric_fields,
    period_of,
)
from resolvers.connections import Connection, page_args, paginate
from resolvers.missions.inputs import (
    CONTENT_ORDER_METRIC,
    ContentFilterInput,
    ContentOrderField,
    ContentStatus,
    InsightType,
    KpiStatus,
    MissionStatus,
)
from resolvers.node import Node, fill_from_row, register_node
from resolvers.permissions import IsAuthenticated

BY_MISSION = Scope(via=Via("content", group_col="mission_id"))
"""Content metrics of a mission: its content's events, grouped by mission id."""

SERIES_METRICS = ("content.impressions", "content.engagements", "content.posts", "content.clicks")


def now_of(ctx: Context) -> datetime:
    return ctx.loader(RequestClock).now


def mission_range(ctx: Context, m: MissionRow) -> ResolvedPeriod:
    """The mission's own range: start_date 00:00 UTC .. end_date (inclusive)."""
    return resolve_period(ctx, PeriodSpec(start=m.start_date, end=m.end_date))


# --- shared building blocks ---------------------------------------------------------------


@strawberry.type(
    description="Sums of a group of content over a period (events in the period, attributed "
    "to the group of their content). `engagementRate` is a ratio of sums: 100 × "
    "engagements / impressions of the group (the document's `avg_engagement_rate`)."
)
class ContentGroup:
    key: str | None = strawberry.field(description="The group value (null: not set).")
    posts: int = strawberry.field(description="Publish events in the period.")
    content_items: int = strawberry.field(description="Content items with any event.")
    impressions: float
    engagements: float
    clicks: float = strawberry.field(description="Link clicks.")
    engagement_rate: float | None = strawberry.field(description="Percent, ratio of sums.")
    avg_impressions_per_post: float | None = strawberry.field(
        description="impressions / posts; null without posts."
    )
    group: strawberry.Private[service.Group]
    tz: strawberry.Private[object]

    @classmethod
    def of(cls, g: service.Group, tz) -> ContentGroup:
        return cls(
            key=None if g.key is None else str(g.key),
            posts=g.posts,
            content_items=g.items,
            impressions=g.impressions,
            engagements=g.engagements,
            clicks=g.clicks,
            engagement_rate=g.engagement_rate,
            avg_impressions_per_post=g.avg_impressions,
            group=g,
            tz=tz,
        )

    @strawberry.field(description="Publish hour ('HH:00', period timezone) with the best rate.")
    def best_time(self) -> str | None:
        return service.best_time(self.group.stats, self.tz)

    @strawberry.field(description="Publish weekday (e.g. 'Tuesday') with the best rate.")
    def best_day(self) -> str | None:
        return service.best_day(self.group.stats, self.tz)


def groups_of(stats, key, tz, sort_by: str = "IMPRESSIONS") -> list[ContentGroup]:
    groups = service.group_by(stats, key)
    return [ContentGroup.of(g, tz) for g in service.sorted_groups(groups.values(), sort_by)]


@strawberry.type(
    description="Content metrics bucketed by `granularity` in the period's timezone, "
    "zero-filled, as parallel lists (compact form): `dates[i]` is the local date of "
    "`buckets[i]`."
)
class ContentSeries:
    period: PeriodRange
    granularity: Granularity
    buckets: list[datetime]
    dates: list[date]
    impressions: list[float]
    engagements: list[float]
    posts: list[int]
    clicks: list[float]
    engagement_rate: list[float | None] = strawberry.field(
        description="Percent per bucket (ratio of the bucket's sums)."
    )


async def load_content_series(
    ctx: Context, group, rp: ResolvedPeriod, granularity: Granularity, scope: Scope
) -> ContentSeries:
    s = await load_series(ctx, list(SERIES_METRICS), group, rp, granularity, scope)
    imp, eng = s.values["content.impressions"], s.values["content.engagements"]
    return ContentSeries(
        period=PeriodRange.of(rp),
        granularity=granularity,
        buckets=s.buckets,
        dates=[b.astimezone(rp.tz).date() for b in s.buckets],
        impressions=imp,
        engagements=eng,
        posts=s.values["content.posts"],
        clicks=s.values["content.clicks"],
        engagement_rate=[service.rate(e, i) for e, i in zip(eng, imp, strict=True)],
    )


@strawberry.type(description="A data-derived optimization hint (method: gateway.missions.service).")
class OptimizationInsight:
    type: InsightType
    insight: str
    confidence: float = strawberry.field(description="0-1, from sample size: n / (n + 5).")


def insights_of(items: list[service.Insight]) -> list[OptimizationInsight]:
    return [
        OptimizationInsight(type=InsightType(i.type), insight=i.insight, confidence=i.confidence)
        for i in items
    ]


# --- nodes ------------------------------------------------------------------------------

MissionMetrics = metric_fields(
    "Mission",
    {"content": MetricTarget(BY_MISSION, "pk"), "mission": MetricTarget(Scope(), "pk")},
    permission_classes=[IsAuthenticated],
)
ContentMetrics = metric_fields(
    "Content", {"content": MetricTarget(Scope(), "pk")}, permission_classes=[IsAuthenticated]
)


@strawberry.type(description="A KPI target of a mission.")
class MissionKpiTarget:
    metric: str
    target: float


@strawberry.type(description="An AMP mission. `key` is the public id (`msn_...`).")
class Mission(Node, MissionMetrics):
    key: str
    name: str
    status: MissionStatus
    start_date: date
    end_date: date = strawberry.field(description="Last day of the mission (inclusive).")
    created_at: datetime
    pk: strawberry.Private[int]
    row: strawberry.Private[MissionRow]

    @classmethod
    def from_row(cls, row: MissionRow) -> Mission:
        return fill_from_row(cls, row, status=MissionStatus(row.status), row=row)

    @strawberry.field(description="KPI targets, ordered by metric.")
    async def kpis(self, info: Info[Context, None]) -> list[MissionKpiTarget]:
        rows = await info.context.loader(KpisByMissionLoader).load(self.pk)
        return [MissionKpiTarget(metric=r.metric, target=r.target) for r in rows]

    @strawberry.field(
        description="Analytics of this mission over `period` (default: the mission's own "
        "range, start_date .. end_date in UTC)."
    )
    def analytics(
        self, info: Info[Context, None], period: PeriodInput | None = None
    ) -> MissionAnalytics | None:
        ctx = info.context
        rp = period_of(info, period) if period is not None else mission_range(ctx, self.row)
        return MissionAnalytics(mission=self.row, rp=rp)

    @strawberry.field(description="This mission's content (one statement set per mission).")
    async def contents(
        self,
        info: Info[Context, None],
        filter: ContentFilterInput | None = None,
        order_by: ContentOrderField = ContentOrderField.PUBLISHED_AT,
        descending: bool = True,
        period: PeriodInput | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Content] | None:
        f = content_filter(filter, self.pk)
        return await content_connection(info, f, order_by, descending, period, first, after)


@strawberry.type(description="A content item of a mission. `key` is the public id (`cnt_...`).")
class Content(Node, ContentMetrics):
    key: str
    platform: str
    type: str
    pillar: str | None
    topic: str | None
    preview: str
    status: ContentStatus
    published_at: datetime | None
    scheduled_for: datetime | None
    created_at: datetime
    pk: strawberry.Private[int]
    mission_pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: ContentRow) -> Content:
        return fill_from_row(cls, row, status=ContentStatus(row.status))

    @strawberry.field
    async def mission(self, info: Info[Context, None]) -> Mission | None:
        row = await info.context.loader(MissionByIdLoader).load(self.mission_pk)
        return Mission.from_row(row) if row else None


def content_filter(f: ContentFilterInput | None, mission_id: int | None) -> ContentFilter:
    if f is None:
        return ContentFilter(mission_id=mission_id)

    def tup(values):
        return None if values is None else tuple(values)

    return ContentFilter(
        mission_id=mission_id,
        platforms=tup(f.platforms),
        types=tup(f.types),
        pillars=tup(f.pillars),
        statuses=tup(s.value for s in f.statuses) if f.statuses is not None else None,
    )


async def content_connection(
    info: Info[Context, None],
    f: ContentFilter,
    order_by: ContentOrderField,
    descending: bool,
    period: PeriodInput | None,
    first: int | None,
    after: str | None,
) -> Connection[Content]:
    ctx = info.context
    page = page_args(first, after)
    org_id = ctx.principal.org_id

    async def fetch(*, offset: int, limit: int):
        if order_by is ContentOrderField.PUBLISHED_AT:
            rows = await repository.list_contents_by_published(
                ctx.db, org_id, f, descending, offset, limit
            )
            return rows, await repository.count_contents(ctx.db, org_id, f)
        rp = period_of(info, period)
        metric = CONTENT_ORDER_METRIC[order_by]
        ids = await content_ids_by_metric(ctx, f, metric, rp, descending, offset, limit)
        return await ctx.loader(ContentByIdLoader).load_many(ids.ids), ids.total_count

    return await paginate(page, fetch, Content.from_row)


async def _fetch_missions(ctx: Context, ids):
    return [Mission.from_row(r) if r else None for r in await visible_missions(ctx, ids)]


async def _fetch_contents(ctx: Context, ids):
    return [Content.from_row(r) if r else None for r in await visible_contents(ctx, ids)]


register_node("Mission", _fetch_missions)
register_node("Content", _fetch_contents)


# --- per-mission analytics -----------------------------------------------------------------


@strawberry.type(description="A mission's headline numbers over the analytics period.")
class MissionSummary:
    mission_id: strawberry.Private[int]
    rp: strawberry.Private[ResolvedPeriod]

    async def _total(self, info: Info[Context, None], metric: str):
        return await load_total(info.context, metric, self.mission_id, self.rp, BY_MISSION)

    async def _stats(self, info: Info[Context, None]):
        key = ContentStatsKey(self.mission_id, self.rp)
        return await info.context.loader(ContentStatsLoader).load(key)

    posts_published = metric_field("_total", "content.posts", int, "Publish events in the period.")

    @strawberry.field(description="Content currently scheduled (status, not period-bound).")
    async def posts_scheduled(self, info: Info[Context, None]) -> int:
        counts = await info.context.loader(ContentStatusCountsByMissionLoader).load(self.mission_id)
        return counts.get("scheduled", 0)

    total_impressions = metric_field("_total", "content.impressions", float)
    total_engagements = metric_field("_total", "content.engagements", float)
    engagement_rate = metric_field(
        "_total",
        "content.engagement_rate",
        float | None,
        "Percent: 100 × engagements / impressions (ratio of sums).",
    )
    link_clicks = metric_field("_total", "content.clicks", float)

    @strawberry.field(
        description="Publish weekday with the highest engagement rate among weekdays with "
        "at least 2 content items; null when none has."
    )
    async def best_performing_day(self, info: Info[Context, None]) -> str | None:
        return service.best_day(await self._stats(info), self.rp.tz)

    @strawberry.field(
        description="Publish hour ('HH:00') with the highest engagement rate among hours "
        "with at least 2 content items; null when none has."
    )
    async def best_performing_time(self, info: Info[Context, None]) -> str | None:
        return service.best_time(await self._stats(info), self.rp.tz)

    @strawberry.field(description="0-1: n / (n + 5), n = content items of the best day.")
    async def best_performing_day_confidence(self, info: Info[Context, None]) -> float | None:
        return service.best_day_confidence(await self._stats(info), self.rp.tz)

    @strawberry.field(description="0-1: n / (n + 5), n = content items of the best hour.")
    async def best_performing_time_confidence(self, info: Info[Context, None]) -> float | None:
        return service.best_time_confidence(await self._stats(info), self.rp.tz)


@strawberry.type(
    description="Progress of one KPI over the mission's own range. Status: `exceeded` when "
    "current > target; else with p = projectedFinal (or current): `on_track` p >= target, "
    "`at_risk` p >= 80% of target, `behind` otherwise."
)
class KpiProgress:
    metric: str
    target: float
    current: float | None
    progress_percent: float | None = strawberry.field(description="100 × current / target.")
    status: KpiStatus | None
    projected_final: float | None = strawberry.field(
        description="Summable: current / elapsed share. Rates: current × s + recent rate × "
        "(1 - s), recent = the latest half of the elapsed time."
    )


@strawberry.type(description="Content performance by pillar and by type (ratio-of-sums rates).")
class ContentPerformance:
    by_pillar: list[ContentGroup]
    by_type: list[ContentGroup]


@strawberry.type(description="Analytics of one mission (GET /analytics/missions/:id).")
class MissionAnalytics:
    mission: strawberry.Private[MissionRow]
    rp: strawberry.Private[ResolvedPeriod]

    @strawberry.field
    def mission_key(self) -> str:
        return self.mission.key

    @strawberry.field
    def mission_name(self) -> str:
        return self.mission.name

    @strawberry.field
    def period(self) -> PeriodRange:
        return PeriodRange.of(self.rp)

    @strawberry.field
    def status(self) -> MissionStatus:
        return MissionStatus(self.mission.status)

    @strawberry.field(
        description="Percent of the mission's date range elapsed now: 100 × (now - start_date "
        "00:00 UTC) / (end_date + 1 day - start_date), clamped to 0..100."
    )
    def progress_percent(self, info: Info[Context, None]) -> float:
        mr = mission_range(info.context, self.mission)
        return 100.0 * service.elapsed_share(mr.start, mr.end, now_of(info.context))

    @strawberry.field
    def summary(self) -> MissionSummary:
        return MissionSummary(mission_id=self.mission.id, rp=self.rp)

    @strawberry.field(description="Daily (or `granularity`) content metrics in the period.")
    async def time_series(
        self, info: Info[Context, None], granularity: Granularity = Granularity.DAY
    ) -> ContentSeries:
        return await load_content_series(
            info.context, self.mission.id, self.rp, granularity, BY_MISSION
        )

    @strawberry.field(description="KPI progress, measured over the mission's own range.")
    async def kpi_progress(self, info: Info[Context, None]) -> list[KpiProgress]:
        return await kpi_progress(info.context, self.mission)

    @strawberry.field
    async def content_performance(self, info: Info[Context, None]) -> ContentPerformance:
        stats = await info.context.loader(ContentStatsLoader).load(
            ContentStatsKey(self.mission.id, self.rp)
        )
        tz = self.rp.tz
        return ContentPerformance(
            by_pillar=groups_of(stats, lambda s: s.content.pillar, tz),
            by_type=groups_of(stats, lambda s: s.content.type, tz, "POSTS"),
        )

    @strawberry.field(description="Insights derived from the period's content (see service).")
    async def optimization_insights(self, info: Info[Context, None]) -> list[OptimizationInsight]:
        stats = await info.context.loader(ContentStatsLoader).load(
            ContentStatsKey(self.mission.id, self.rp)
        )
        return insights_of(service.optimization_insights(stats, self.rp.tz))


async def kpi_progress(ctx: Context, m: MissionRow) -> list[KpiProgress]:
    kpis = await ctx.loader(KpisByMissionLoader).load(m.id)
    mr = mission_range(ctx, m)
    now = now_of(ctx)
    share = service.elapsed_share(mr.start, mr.end, now)
    recent = None
    if 0 < share < 1:
        recent = ResolvedPeriod(mr.start + (now - mr.start) / 2, now, "UTC")

    async def one(k) -> KpiProgress:
        name = service.KPI_METRICS.get(k.metric)
        if name is None:
            return KpiProgress(
                metric=k.metric,
                target=k.target,
                current=None,
                progress_percent=None,
                status=None,
                projected_final=None,
            )
        metric = CATALOG[name]
        scope = BY_MISSION if metric.subject_type == "content" else Scope()
        if metric.summable or recent is None:
            current, recent_value = await load_total(ctx, name, m.id, mr, scope), None
        else:  # both windows at once: they share the request's metric statement
            current, recent_value = await asyncio.gather(
                load_total(ctx, name, m.id, mr, scope), load_total(ctx, name, m.id, recent, scope)
            )
        if metric.summable:
            projected = service.project_summable(current, share)
        else:
            projected = service.project_rate(current, recent_value, share)
        status = service.kpi_status(current, k.target, projected)
        return KpiProgress(
            metric=k.metric,
            target=k.target,
            current=None if current is None else float(current),
            progress_percent=service.progress_percent(current, k.target),
            status=KpiStatus(status) if status else None,
            projected_final=projected,
        )

    return list(await asyncio.gather(*(one(k) for k in kpis)))


def check_limit(limit: int, name: str = "limit", maximum: int = 100) -> int:
    if not 1 <= limit <= maximum:
        raise InvalidInput(f"`{name}` must be between 1 and {maximum}, got {limit}.", field=name)
    return limit
