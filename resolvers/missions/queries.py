"""AMP root fields. Every field requires an authenticated org member
(`gateway.access.missions`); another org's mission or content key is NOT_FOUND.

Fields that validate arguments are nullable, so a bad argument nulls only that field:
graphql-core cancels the sibling fields of a non-null error, and cancelling a statement in
flight breaks the request's database connection (reported to the lead).

Legacy path -> field:
  GET /analytics                -> missionAnalytics(period, platforms, granularity)
  GET /analytics/missions/:id   -> mission(key) { analytics(period) { ... } }
  GET /analytics/performance    -> performance(period, breakdown, missionKey, sortBy)
  GET /analytics/costs          -> costs(period)
  GET /analytics/compare        -> comparePeriods(period1, period2)
  GET /analytics/realtime       -> realtime
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.access.missions import content_by_key, mission_by_key
from gateway.context import Context
from gateway.metrics import Granularity, Scope
from gateway.missions import repository
from gateway.missions.listing import content_scope
from gateway.missions.repository import ContentFilter
from resolvers.common import PeriodInput, period_of
from resolvers.connections import Connection, page_args, paginate
from resolvers.missions.inputs import (
    ContentFilterInput,
    ContentOrderField,
    MissionOrderField,
    MissionStatus,
    PerformanceBreakdown,
    PerformanceSort,
)
from resolvers.missions.reports import (
    ALL_BREAKDOWNS,
    AmpOverview,
    CostAnalytics,
    Performance,
    PeriodComparison,
    Realtime,
    compare_periods,
    realtime_of,
)
from resolvers.missions.types import Content, Mission, content_connection, content_filter
from resolvers.permissions import IsAuthenticated

AUTH = [IsAuthenticated]


def _platforms(platforms: list[str] | None) -> tuple[str, ...] | None:
    return tuple(sorted(set(platforms))) if platforms is not None else None


@strawberry.type
class MissionQuery:
    @strawberry.field(
        permission_classes=AUTH,
        description="A mission by its public id (`msn_...`); NOT_FOUND when it is not in "
        "your organization.",
    )
    async def mission(self, info: Info[Context, None], key: str) -> Mission | None:
        return Mission.from_row(await mission_by_key(info.context, key))

    @strawberry.field(
        permission_classes=AUTH,
        description="Missions of your organization, optionally by status; `first` <= 100.",
    )
    async def missions(
        self,
        info: Info[Context, None],
        status: list[MissionStatus] | None = None,
        order_by: MissionOrderField = MissionOrderField.ID,
        descending: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Mission] | None:
        ctx = info.context
        page = page_args(first, after)
        statuses = [s.value for s in status] if status else None

        def fetch(*, offset: int, limit: int):
            return repository.list_missions(
                ctx.db, ctx.principal.org_id, statuses, order_by.value, descending, offset, limit
            )

        return await paginate(page, fetch, Mission.from_row)

    @strawberry.field(
        permission_classes=AUTH,
        description="A content item by its public id (`cnt_...`); NOT_FOUND when it is not "
        "in your organization.",
    )
    async def content(self, info: Info[Context, None], key: str) -> Content | None:
        return Content.from_row(await content_by_key(info.context, key))

    @strawberry.field(
        permission_classes=AUTH,
        description="Content of your organization (filter by mission, platform, type, pillar, "
        "status); metric orderings are measured over `period` (default last 30 days).",
    )
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
        mission_id = None
        if filter is not None and filter.mission_key is not None:
            mission_id = (await mission_by_key(info.context, filter.mission_key)).id
        f = content_filter(filter, mission_id)
        return await content_connection(info, f, order_by, descending, period, first, after)

    @strawberry.field(
        permission_classes=AUTH,
        description="Aggregated analytics across all missions (GET /analytics). `platforms` "
        "filters content metrics and follower gains.",
    )
    def mission_analytics(
        self,
        info: Info[Context, None],
        period: PeriodInput | None = None,
        platforms: list[str] | None = None,
        granularity: Granularity = Granularity.DAY,
    ) -> AmpOverview | None:
        return AmpOverview(
            rp=period_of(info, period),
            platforms=_platforms(platforms),
            granularity_value=granularity,
        )

    @strawberry.field(
        permission_classes=AUTH,
        description="Performance breakdowns (GET /analytics/performance); `breakdown` "
        "defaults to all; `missionKey` restricts to one mission.",
    )
    async def performance(
        self,
        info: Info[Context, None],
        period: PeriodInput | None = None,
        breakdown: list[PerformanceBreakdown] | None = None,
        mission_key: str | None = None,
        sort_by: PerformanceSort = PerformanceSort.ENGAGEMENT_RATE,
    ) -> Performance | None:
        rp = period_of(info, period)
        mission_id = None
        if mission_key is not None:
            mission_id = (await mission_by_key(info.context, mission_key)).id
        which = frozenset(b.value for b in breakdown) if breakdown else ALL_BREAKDOWNS
        return Performance(rp=rp, mission_id=mission_id, breakdowns=which, sort_by=sort_by.value)

    @strawberry.field(
        permission_classes=AUTH, description="AI generation cost analytics (GET /analytics/costs)."
    )
    def costs(
        self, info: Info[Context, None], period: PeriodInput | None = None
    ) -> CostAnalytics | None:
        return CostAnalytics(rp=period_of(info, period))

    @strawberry.field(
        permission_classes=AUTH,
        description="period1 against period2 (GET /analytics/compare), optionally for one "
        "mission and/or platforms.",
    )
    async def compare_periods(
        self,
        info: Info[Context, None],
        period1: PeriodInput,
        period2: PeriodInput,
        mission_key: str | None = None,
        platforms: list[str] | None = None,
    ) -> PeriodComparison | None:
        rp1, rp2 = period_of(info, period1), period_of(info, period2)
        mission_id = None
        if mission_key is not None:
            mission_id = (await mission_by_key(info.context, mission_key)).id
        scope: Scope = content_scope(
            ContentFilter(mission_id=mission_id, platforms=_platforms(platforms))
        )
        return await compare_periods(info.context, rp1, rp2, scope)

    @strawberry.field(
        permission_classes=AUTH,
        description="Real-time metrics of the last 24 hours (GET /analytics/realtime).",
    )
    def realtime(self, info: Info[Context, None]) -> Realtime | None:
        return realtime_of(info.context)
