"""GraphQL types of the agent platform: the `Agent` node and the result types of
`agentPlatform` and `agentUserMetrics`. Units are in the descriptions (percent = 0-100,
ms, MB, USD); the legacy API's string formatting is the REST shim's job."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from gateway.access.agents import visible_agents
from gateway.agents import service
from gateway.agents.loaders import AgentByIdLoader, DeploymentCountsByAgentIdLoader
from gateway.context import Context
from gateway.metrics import Granularity, ResolvedPeriod
from gateway.models import Agent as AgentRow
from gateway.tenancy.loaders import OrgByIdLoader, UserByIdLoader
from resolvers.agents.inputs import AgentKind, AgentStatus
from resolvers.common import MetricTarget, PeriodRange, metric_fields
from resolvers.node import Node, fill_from_row, register_node
from resolvers.tenancy.types import User

AgentMetricFields = metric_fields("Agent", {"agent": MetricTarget()})


@strawberry.type(description="Deployments of an agent (or of the platform) by outcome.")
class DeploymentStats:
    total: int
    successful: int
    failed: int


@strawberry.type(
    description="An agent: an agent-platform agent, an ibl.ai mentor or an Athena agent. "
    "`key` is its public id (slug, mentor unique id or Athena uuid)."
)
class Agent(Node, AgentMetricFields):
    key: str
    kind: AgentKind
    name: str
    status: AgentStatus
    storage_mb: int = strawberry.field(description="Storage used by the agent, in MB.")
    created_at: datetime
    pk: strawberry.Private[int]
    owner_pk: strawberry.Private[int]
    copied_from_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: AgentRow) -> Agent:
        return fill_from_row(cls, row, kind=AgentKind(row.kind), status=AgentStatus(row.status))

    @strawberry.field(description="The user who owns the agent.")
    async def owner(self, info: Info[Context, None]) -> User | None:
        row = await info.context.loader(UserByIdLoader).load(self.owner_pk)
        return User.from_row(row) if row else None

    @strawberry.field(description="The agent this one was copied from, if any.")
    async def copied_from(self, info: Info[Context, None]) -> Agent | None:
        if self.copied_from_pk is None:
            return None
        row = await info.context.loader(AgentByIdLoader).load(self.copied_from_pk)
        return Agent.from_row(row) if row else None

    @strawberry.field(description="Number of deployments of this agent (all time).")
    async def deployment_count(self, info: Info[Context, None]) -> int:
        return (await info.context.loader(DeploymentCountsByAgentIdLoader).load(self.pk)).total

    @strawberry.field(description="Deployments of this agent by outcome (all time).")
    async def deployments(self, info: Info[Context, None]) -> DeploymentStats:
        c = await info.context.loader(DeploymentCountsByAgentIdLoader).load(self.pk)
        return DeploymentStats(total=c.total, successful=c.successful, failed=c.failed)


async def _fetch_agents(ctx: Context, ids):
    rows = await visible_agents(ctx, ids)
    return [Agent.from_row(r) if r else None for r in rows]


register_node("Agent", _fetch_agents)


# --- agentPlatform --------------------------------------------------------------------


class _Memo:
    """Runs each named loader coroutine once per object, shared by sibling fields."""

    def _once(self, name: str, make: Callable[[], Awaitable[Any]]) -> Awaitable[Any]:
        memo = self.__dict__.setdefault("_memo", {})
        if name not in memo:
            memo[name] = asyncio.ensure_future(make())
        return memo[name]


@strawberry.type(description="Agents by status (all time).")
class AgentStatusCounts:
    total: int
    active: int = strawberry.field(description="Currently running agents.")
    inactive: int = strawberry.field(description="Stopped agents.")
    failed: int = strawberry.field(description="Agents in a failed state.")


@strawberry.type(
    description="Messages processed: `today` since local midnight, `thisWeek` since local "
    "Monday 00:00, `thisMonth` since the local 1st 00:00 (in the field's `timezone`)."
)
class MessageCounts:
    today: int
    this_week: int
    this_month: int


@strawberry.type(description="Uptime percentages (0-100) over `period`.")
class UptimeStats:
    platform_uptime: float | None = strawberry.field(
        description="Mean of the org's uptime checks x 100; null without checks."
    )
    average_agent_uptime: float | None = strawberry.field(
        description="Mean over every agent uptime check x 100 (ratio of sums: agents "
        "checked more often weigh more); null without checks."
    )


@strawberry.type(description="Request performance of the agents over `period`.")
class PerformanceStats:
    average_response_time: float | None = strawberry.field(
        description="Mean response time in milliseconds; null without requests."
    )
    success_rate: float | None = strawberry.field(
        description="Percent (0-100): 100 x (1 - errors / requests); null without requests."
    )
    error_rate: float | None = strawberry.field(
        description="Percent (0-100): 100 x errors / requests; null without requests."
    )
    requests: int = strawberry.field(description="Requests answered.")
    errors: int = strawberry.field(description="Errors.")


@strawberry.type(description="Storage in MB.")
class StorageStats:
    used: int = strawberry.field(description="Sum of the agents' storage, MB.")
    total: int = strawberry.field(description="The org's storage quota, MB.")
    percent_used: float | None = strawberry.field(description="100 x used / total.")


@strawberry.type(
    description="The agent platform's metrics (seed 002 `GET /api/metrics`). Counts are "
    "all time; uptime and performance cover `period`."
)
class AgentPlatform(_Memo):
    kind: AgentKind | None = strawberry.field(description="Agent kind counted; null = all.")
    timezone: str = strawberry.field(description="Timezone of the calendar windows.")
    rp: strawberry.Private[ResolvedPeriod]

    @strawberry.field(description="The range uptime and performance cover.")
    def period(self) -> PeriodRange:
        return PeriodRange.of(self.rp)

    @property
    def _kind(self) -> str | None:
        return self.kind.value if self.kind else None

    def _counts(self, ctx: Context):
        return self._once("counts", lambda: service.agent_counts(ctx, self._kind))

    @strawberry.field
    async def agents(self, info: Info[Context, None]) -> AgentStatusCounts:
        c = await self._counts(info.context)
        return AgentStatusCounts(
            total=c.total, active=c.active, inactive=c.inactive, failed=c.failed
        )

    @strawberry.field
    async def messages(self, info: Info[Context, None]) -> MessageCounts:
        m = await service.message_counts(info.context, self._kind, self.timezone)
        return MessageCounts(today=m.today, this_week=m.this_week, this_month=m.this_month)

    @strawberry.field(description="Deployments by outcome (all time).")
    async def deployments(self, info: Info[Context, None]) -> DeploymentStats:
        d = await service.deployment_counts(info.context, self._kind)
        return DeploymentStats(total=d.total, successful=d.successful, failed=d.failed)

    @strawberry.field
    async def uptime(self, info: Info[Context, None]) -> UptimeStats:
        u = await service.uptime(info.context, self._kind, self.rp)
        return UptimeStats(
            platform_uptime=u.platform_uptime, average_agent_uptime=u.average_agent_uptime
        )

    @strawberry.field
    async def performance(self, info: Info[Context, None]) -> PerformanceStats:
        p = await service.performance(info.context, self._kind, self.rp)
        return PerformanceStats(
            average_response_time=p.average_response_time,
            success_rate=p.success_rate,
            error_rate=p.error_rate,
            requests=p.requests,
            errors=p.errors,
        )

    @strawberry.field
    async def storage(self, info: Info[Context, None]) -> StorageStats:
        ctx = info.context
        c, org = await asyncio.gather(
            self._counts(ctx), ctx.loader(OrgByIdLoader).load(ctx.principal.org_id)
        )
        total = org.storage_total_mb
        return StorageStats(
            used=c.storage_used_mb,
            total=total,
            percent_used=service.percent(c.storage_used_mb, total),
        )


# --- agentUserMetrics -----------------------------------------------------------------


@strawberry.type(description="One bucket of a user's agent history.")
class AgentHistoryPoint:
    timestamp: datetime = strawberry.field(description="Bucket start (local time, ISO 8601).")
    cpu: float | None = strawberry.field(
        description="Mean CPU percent (0-100) of the user's agents' samples; null: none."
    )
    memory: float | None = strawberry.field(
        description="Mean memory percent (0-100) of the samples; null: none."
    )
    messages: int = strawberry.field(description="Messages processed in the bucket.")
    errors: int = strawberry.field(description="Errors in the bucket.")


@strawberry.type(description="Averages per point over the range.")
class AgentHistoryAverages:
    cpu: float | None = strawberry.field(description="Mean of the points' cpu (percent).")
    memory: float | None = strawberry.field(description="Mean of the points' memory (percent).")
    messages: float = strawberry.field(description="Messages per point (total / points).")
    errors: float = strawberry.field(description="Errors per point (total / points).")


@strawberry.type(
    description="A user's agent history: 24 hourly points for `24h` (the current partial "
    "hour and the 23 before), daily points for `7d` / `30d` (local days incl. today)."
)
class AgentHistory:
    user_id: str = strawberry.field(description="The `user` argument as given.")
    time_range: str = strawberry.field(description="`24h`, `7d` or `30d`.")
    granularity: Granularity
    period: PeriodRange
    points: list[AgentHistoryPoint]
    averages: AgentHistoryAverages


@strawberry.type(description="A user's agents now.")
class AgentUserPerformance:
    cpu: float | None = strawberry.field(
        description="Current CPU percent: mean of the samples in the last 60 minutes."
    )
    memory: float | None = strawberry.field(
        description="Current memory percent: mean of the samples in the last 60 minutes."
    )
    error_rate: float | None = strawberry.field(
        description="Percent: 100 x errors / requests over the last 24 hours."
    )
    response_time: float | None = strawberry.field(
        description="Mean response time in ms over the last 24 hours."
    )
    requests: int = strawberry.field(description="Requests in the last 24 hours.")
    errors: int = strawberry.field(description="Errors in the last 24 hours.")
    current_period: PeriodRange = strawberry.field(description="The last 60 minutes.")
    period: PeriodRange = strawberry.field(description="The last 24 hours.")


@strawberry.type(description="Artist revenue in USD (from `user.revenue_cents`).")
class ArtistRevenue:
    month: float = strawberry.field(description="This calendar month so far, USD.")
    last_month: float = strawberry.field(description="The previous calendar month, USD.")
    total: float = strawberry.field(description="All time, USD.")
    last_month_same_days: float = strawberry.field(
        description="The same days of the previous month (its 1st up to the time elapsed "
        "this month), USD."
    )
    change: float | None = strawberry.field(
        description="Percent: (month - lastMonthSameDays) / lastMonthSameDays x 100 (like "
        "with like); null if lastMonthSameDays = 0."
    )


@strawberry.type(description="The artist's bookings (all time).")
class ArtistBookings:
    completed: int
    pending: int
    inquiries: int
    cancelled: int
    total: int
    conversion: float | None = strawberry.field(
        description="Percent: 100 x completed / all bookings (cancelled included)."
    )


@strawberry.type(
    description="Disjoint fan segments over the last 30 days: superfans streamed >= 10 "
    "times; new were first seen in the window (and are not superfans); casual streamed, "
    "were first seen before the window, and are not superfans."
)
class FanSegmentation:
    superfans: int
    casual: int
    new: int


@strawberry.type(description="The artist's fans.")
class ArtistFans:
    total: int = strawberry.field(description="Every fan ever seen.")
    active: int = strawberry.field(description="Fans who streamed in the last 30 days.")
    new_this_month: int
    new_last_month: int = strawberry.field(
        description="New fans in the same days of the previous month (its 1st up to the "
        "time elapsed this month)."
    )
    growth: float | None = strawberry.field(
        description="Percent: newThisMonth vs newLastMonth (the same days); null if 0."
    )
    segmentation: FanSegmentation


@strawberry.type(description="Streams over the last 30 days (LAST_30D).")
class ArtistStreams:
    monthly_listeners: int = strawberry.field(description="Distinct listeners, last 30 days.")
    monthly_streams: int = strawberry.field(description="Streams, last 30 days.")
    previous_listeners: int = strawberry.field(description="The 30 days before.")
    previous_streams: int = strawberry.field(description="The 30 days before.")
    growth: float | None = strawberry.field(
        description="Percent: streams vs the previous 30 days; null if there were none."
    )
    listeners_growth: float | None = strawberry.field(
        description="Percent: listeners vs the previous 30 days."
    )
    period: PeriodRange


@strawberry.type(description="The artist's skills.")
class ArtistSkills:
    active: int
    total: int
    created_this_month: int
    created_last_month: int = strawberry.field(
        description="Created in the same days of the previous month (its 1st up to the "
        "time elapsed this month)."
    )
    growth: float | None = strawberry.field(
        description="Percent: createdThisMonth vs createdLastMonth (the same days)."
    )


@strawberry.type(
    description="The music-industry summary of a user (the artist). Months are calendar "
    "months in the `timezone` of `agentUserMetrics`, this month up to now."
)
class MusicSummary:
    user_pk: strawberry.Private[int]
    timezone: strawberry.Private[str]

    @strawberry.field
    async def revenue(self, info: Info[Context, None]) -> ArtistRevenue:
        r = await service.revenue(info.context, self.user_pk, self.timezone)
        return ArtistRevenue(
            month=r.month,
            last_month=r.last_month,
            last_month_same_days=r.last_month_same_days_cents / 100,
            total=r.total,
            change=r.change,
        )

    @strawberry.field
    async def bookings(self, info: Info[Context, None]) -> ArtistBookings:
        b = await service.bookings(info.context, self.user_pk)
        return ArtistBookings(
            completed=b.completed,
            pending=b.pending,
            inquiries=b.inquiries,
            cancelled=b.cancelled,
            total=b.total,
            conversion=b.conversion,
        )

    @strawberry.field
    async def fans(self, info: Info[Context, None]) -> ArtistFans:
        f = await service.fans(info.context, self.user_pk, self.timezone)
        c = f.counts
        return ArtistFans(
            total=f.total,
            active=f.active,
            new_this_month=f.new_this_month,
            new_last_month=f.new_last_month,
            growth=f.growth,
            segmentation=FanSegmentation(superfans=c.superfans, casual=c.casual, new=c.new),
        )

    @strawberry.field
    async def streams(self, info: Info[Context, None]) -> ArtistStreams:
        s = await service.streams(info.context, self.user_pk, self.timezone)
        return ArtistStreams(
            monthly_listeners=s.monthly_listeners,
            monthly_streams=s.monthly_streams,
            previous_listeners=s.previous_listeners,
            previous_streams=s.previous_streams,
            growth=s.growth,
            listeners_growth=s.listeners_growth,
            period=PeriodRange.of(s.period),
        )

    @strawberry.field
    async def skills(self, info: Info[Context, None]) -> ArtistSkills:
        s = await service.skills(info.context, self.user_pk, self.timezone)
        return ArtistSkills(
            active=s.active,
            total=s.total,
            created_this_month=s.created_this_month,
            created_last_month=s.created_last_month,
            growth=s.growth,
        )


@strawberry.type(
    description="Agent metrics of one user (seed 002 `/api/metrics/{historical,performance,"
    "summary}/{userId}`): visible to that user and org admins."
)
class AgentUserMetrics:
    user_id: str = strawberry.field(description="The `user` argument as given.")
    user: User
    kind: AgentKind | None = strawberry.field(description="Agent kind counted; null = all.")
    timezone: str
    user_pk: strawberry.Private[int]

    @property
    def _kind(self) -> str | None:
        return self.kind.value if self.kind else None

    @strawberry.field(
        description="CPU, memory, messages and errors of the user's agents over `range`: "
        "`24h` (hourly points), `7d` or `30d` (daily points)."
    )
    async def historical(self, info: Info[Context, None], range: str = "24h") -> AgentHistory:
        time_range = service.parse_range(range)
        h = await service.history(info.context, self.user_pk, self._kind, time_range, self.timezone)
        a = h.averages
        return AgentHistory(
            user_id=self.user_id,
            time_range=time_range,
            granularity=h.granularity,
            period=PeriodRange.of(h.period),
            points=[
                AgentHistoryPoint(
                    timestamp=p.timestamp,
                    cpu=p.cpu,
                    memory=p.memory,
                    messages=p.messages,
                    errors=p.errors,
                )
                for p in h.points
            ],
            averages=AgentHistoryAverages(
                cpu=a.cpu, memory=a.memory, messages=a.messages, errors=a.errors
            ),
        )

    @strawberry.field(description="Current load and last-24-hours request health.")
    async def performance(self, info: Info[Context, None]) -> AgentUserPerformance:
        p = await service.user_performance(info.context, self.user_pk, self._kind)
        return AgentUserPerformance(
            cpu=p.cpu,
            memory=p.memory,
            error_rate=p.error_rate,
            response_time=p.response_time,
            requests=p.requests,
            errors=p.errors,
            current_period=PeriodRange.of(p.current_period),
            period=PeriodRange.of(p.period),
        )

    @strawberry.field(description="Music-industry summary: the user as an artist.")
    def summary(self) -> MusicSummary:
        return MusicSummary(user_pk=self.user_pk, timezone=self.timezone)
