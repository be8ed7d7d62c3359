"""`LearnerAnalytics`: everything ibl.ai's analytics pages read, for one mentor or the
whole org, narrowed by user groups, over one period. Each field is one legacy read:

overview KPIs (`messages`, `topics`, `conversations`, users), `sessionsOverTime`,
`topicDetails`, `accessHeatmap`, `users`, `headline`, `ratings`, `transcripts` /
`transcript`, costs (`weeklyCosts`, `monthlyCosts`, `totalCostCents`, `costCents`,
`costPerDay`, `costByProvider`, `costByUser`, `costByModel`), the catalog (`courses`,
`programs`), `learner` (self or admin) and `auditLog`.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from functools import partial
from typing import Any

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.errors import InvalidInput, NotFound
from gateway.inputs import check_day
from gateway.learners import service
from gateway.learners.loaders import (
    ChatSessionByKeyLoader,
    CourseByKeyLoader,
    MentorByKeyLoader,
    ProgramByKeyLoader,
)
from gateway.learners.scope import AnalyticsScope
from gateway.metrics import Granularity, ResolvedPeriod, load_change, load_series, load_total
from gateway.models import Course as CourseRow
from gateway.models import Program as ProgramRow
from gateway.tenancy.loaders import UserByUsernameLoader
from resolvers.common import MetricChange, PeriodRange, TimeSeries, build_series
from resolvers.connections import Connection, page_args, paginate
from resolvers.learners.inputs import (
    AuditAction,
    CatalogOrder,
    LearnerMetric,
    LearnerUserOrder,
    TopicOrder,
)
from resolvers.learners.learner import LearnerReport
from resolvers.learners.permissions import CanReadLearner
from resolvers.learners.types import (
    ADMIN,
    AccessHeatmap,
    AuditEntry,
    ChatSession,
    ConversationHeadline,
    CostGroup,
    Course,
    HeatmapCell,
    LearnerUserStat,
    MentorRef,
    Program,
    RatingCount,
    RatingSummary,
    TopicStat,
)
from resolvers.node import encode_id, fill_from_row
from resolvers.tenancy.types import User

COST = "agent.cost_cents"
COST_GROUP_METRICS = ["agent.cost_cents", "agent.llm_calls", "agent.tokens"]


def _field(description: str, **kw: Any):
    return strawberry.field(permission_classes=ADMIN, description=description, **kw)


def _catalog_field(cls: type[Course] | type[Program], rows: type, description: str):
    """A page of catalog courses or programs (org-wide), with their analytics."""

    async def catalog(
        self: LearnerAnalytics,
        info: Info[Context, None],
        search: str | None = None,
        order_by: CatalogOrder = CatalogOrder.KEY,
        first: int | None = None,
        after: str | None = None,
        offset: int | None = None,
    ) -> Connection:
        page = page_args(first, after, offset=offset)
        fetch = partial(service.catalog, info.context, rows, search=search, order=order_by.value)
        return await paginate(page, fetch, partial(self._catalog_node, cls))

    catalog.__annotations__["return"] = Connection[cls]
    return _field(description, resolver=catalog)


@strawberry.type(
    description="ibl.ai analytics for one mentor (`mentor`) or the whole org, narrowed to "
    "user groups (`userGroupIds`), over one period. Every field but `learner` needs the "
    "org admin role."
)
class LearnerAnalytics:
    scope: strawberry.Private[AnalyticsScope]
    rp: strawberry.Private[ResolvedPeriod]
    memo: strawberry.Private[dict]
    period: PeriodRange
    mentor: MentorRef | None = strawberry.field(description="Null: org-wide.")
    user_group_ids: list[strawberry.ID]

    # -- helpers -------------------------------------------------------------------------
    def _total(self, info: Info, metric: str, rp: ResolvedPeriod | None = None):
        s = self.scope
        return load_total(info.context, metric, s.agent_group, rp or self.rp, s.agent_scope)

    async def _change(self, info: Info, metric: str) -> MetricChange:
        s = self.scope
        c = await load_change(info.context, metric, s.agent_group, self.rp, s.agent_scope)
        return MetricChange.of(c, self.rp)

    async def _series(
        self, info: Info, metric: str, rp: ResolvedPeriod, g: Granularity, first, after
    ) -> TimeSeries:
        s = self.scope
        r = await load_series(info.context, [metric], s.agent_group, rp, g, s.agent_scope)
        return build_series(
            metric, r.buckets, r.values[metric], r.totals[metric], rp, g, first, after
        )

    async def _all_time(self, info: Info) -> ResolvedPeriod:
        task = self.memo.get("all_time")
        if task is None:
            task = self.memo["all_time"] = asyncio.ensure_future(
                service.all_time_period(info.context, self.rp)
            )
        return await task

    def _user_stat(self, r: Any) -> LearnerUserStat:
        return LearnerUserStat(
            user=fill_from_row(User, r, id=encode_id("User", self.scope.org_id, r.id)),
            username=r.username,
            name=r.display_name,
            email=r.email,
            messages=int(r.messages),
            sessions=int(r.sessions),
            cost_cents=float(r.cost),
            last_active=r.last_active,
        )

    def _catalog_node(self, cls: type[Course] | type[Program], row: Any) -> Any:
        """A catalog row as a node narrowed like this request (user groups, period)."""
        return cls.from_row(row, self.scope.actor_ids, self.rp)

    async def _catalog_item(self, info: Info, cls, loader, key: str, what: str) -> Any:
        row = await info.context.loader(loader).load(key)
        if row is None:
            raise NotFound(f"No {what} '{key}' in this org.")
        return self._catalog_node(cls, row)

    async def _cost_groups(self, info: Info, by: str, limit: int) -> list[CostGroup]:
        rows = await service.breakdown(
            info.context, self.scope, self.rp, COST_GROUP_METRICS, by, COST, limit
        )
        return [
            CostGroup(
                key=r.key,
                cost_cents=r.values["agent.cost_cents"],
                llm_calls=r.values["agent.llm_calls"],
                tokens=r.values["agent.tokens"],
            )
            for r in rows
        ]

    # -- overview KPIs ---------------------------------------------------------------------
    @_field("Messages in the period vs the previous period.")
    async def messages(self, info: Info[Context, None]) -> MetricChange:
        return await self._change(info, "agent.messages")

    @_field("Distinct topics of the period's messages vs the previous period.")
    async def topics(self, info: Info[Context, None]) -> MetricChange:
        c = await service.topics_change(info.context, self.scope, self.rp)
        return MetricChange.of(c, self.rp)

    @_field("Conversations (chat sessions started) vs the previous period.")
    async def conversations(self, info: Info[Context, None]) -> MetricChange:
        return await self._change(info, "agent.sessions")

    @_field(
        "Registered users at the period end vs at its start. Org-wide: users of the org "
        "created before then; one mentor: users whose first session with it started "
        "before then."
    )
    async def registered_users(self, info: Info[Context, None]) -> MetricChange:
        c = await service.registered_users_change(info.context, self.scope, self.rp)
        return MetricChange.of(c, self.rp)

    @_field("Distinct users who sent messages in the period vs the previous period.")
    async def active_users(self, info: Info[Context, None]) -> MetricChange:
        return await self._change(info, "agent.active_users")

    @_field("Distinct users who sent messages in the last 30 days (period's timezone).")
    async def active_users_last_30d(self, info: Info[Context, None]) -> int:
        return await self._total(
            info, "agent.active_users", service.last_30_days(info.context, self.rp)
        )

    @_field("Distinct users who sent a message in the last 15 minutes.")
    async def currently_active(self, info: Info[Context, None]) -> int:
        rp = service.currently_active_period(info.context, self.rp)
        return await self._total(info, "agent.active_users", rp)

    # -- generic ---------------------------------------------------------------------------
    @_field("One metric's value over the period.")
    async def metric(self, info: Info[Context, None], name: LearnerMetric) -> float | None:
        return await self._total(info, name.value)

    @_field("One metric against the previous period.")
    async def change(self, info: Info[Context, None], name: LearnerMetric) -> MetricChange:
        return await self._change(info, name.value)

    @_field("One metric bucketed by `granularity` (zero-filled, period's timezone).")
    async def series(
        self,
        info: Info[Context, None],
        metric: LearnerMetric,
        granularity: Granularity = Granularity.DAY,
        first: int | None = None,
        after: str | None = None,
    ) -> TimeSeries:
        return await self._series(info, metric.value, self.rp, granularity, first, after)

    @_field("Chat sessions started, bucketed by `granularity` (the Sessions chart).")
    async def sessions_over_time(
        self,
        info: Info[Context, None],
        granularity: Granularity = Granularity.DAY,
        first: int | None = None,
        after: str | None = None,
    ) -> TimeSeries:
        return await self._series(info, "agent.sessions", self.rp, granularity, first, after)

    # -- topics, users, heatmap, ratings -----------------------------------------------------
    @_field("Messages and sessions per topic in the period (ties by topic), at most `limit`.")
    async def topic_details(
        self,
        info: Info[Context, None],
        order_by: TopicOrder = TopicOrder.MESSAGES,
        limit: int = 10,
    ) -> list[TopicStat]:
        metrics = ["agent.messages", "agent.sessions"]
        rows = await service.breakdown(
            info.context, self.scope, self.rp, metrics, "dim:topic", order_by.value, limit
        )
        return [
            TopicStat(topic=r.key, messages=r.values[metrics[0]], sessions=r.values[metrics[1]])
            for r in rows
        ]

    @_field("Messages by weekday x hour in the period's timezone (7 x 24, zero-filled).")
    async def access_heatmap(self, info: Info[Context, None]) -> AccessHeatmap:
        matrix = await service.heatmap(info.context, self.scope, self.rp)
        cells = [
            HeatmapCell(day_of_week=d + 1, hour=h, messages=matrix[d][h])
            for d in range(7)
            for h in range(24)
        ]
        return AccessHeatmap(
            period=PeriodRange.of(self.rp),
            timezone=self.rp.timezone,
            matrix=matrix,
            cells=cells,
            total=sum(map(sum, matrix)),
        )

    @_field(
        "Users with chat activity in the period: messages, sessions, cost, last activity. "
        "`search` matches username, name or email."
    )
    async def users(
        self,
        info: Info[Context, None],
        search: str | None = None,
        order_by: LearnerUserOrder = LearnerUserOrder.MESSAGES,
        first: int | None = None,
        after: str | None = None,
        offset: int | None = None,
    ) -> Connection[LearnerUserStat]:
        page = page_args(first, after, offset=offset)
        fetch = partial(
            service.user_table, info.context, self.scope, self.rp, search=search,
            order=order_by.value, only_cost=False,
        )  # fmt: skip
        return await paginate(page, fetch, self._user_stat)

    @_field("The transcripts page's headline figures.")
    async def headline(self, info: Info[Context, None]) -> ConversationHeadline:
        names = ["agent.sessions", "agent.messages", "agent.active_users", "agent.avg_rating"]
        sessions, messages, users, rating = await asyncio.gather(
            *(self._total(info, n) for n in names)
        )
        return ConversationHeadline(
            conversations=sessions,
            messages=messages,
            users=users,
            average_messages_per_conversation=service.ratio(messages, sessions),
            average_rating=rating,
        )

    @_field("Ratings in the period: average, count and distribution 1-5.")
    async def ratings(self, info: Info[Context, None]) -> RatingSummary:
        average, count, dist = await asyncio.gather(
            self._total(info, "agent.avg_rating"),
            self._total(info, "agent.ratings"),
            service.ratings(info.context, self.scope, self.rp),
        )
        return RatingSummary(
            average=average,
            count=count,
            distribution=[RatingCount(rating=r, count=n) for r, n in dist],
        )

    # -- transcripts -------------------------------------------------------------------------
    @_field(
        "Chat sessions with a stored transcript started in the period, newest first. "
        "`search` matches the user's username / name / email; `topic` the exact topic."
    )
    async def transcripts(
        self,
        info: Info[Context, None],
        search: str | None = None,
        topic: str | None = None,
        first: int | None = None,
        after: str | None = None,
        offset: int | None = None,
    ) -> Connection[ChatSession]:
        page = page_args(first, after, offset=offset)
        fetch = partial(
            service.transcripts, info.context, self.scope, self.rp, search=search, topic=topic
        )
        return await paginate(page, fetch, ChatSession.from_row)

    @_field("One chat session by its public session id (any time, within the scope).")
    async def transcript(self, info: Info[Context, None], session_id: str) -> ChatSession:
        row = await info.context.loader(ChatSessionByKeyLoader).load(session_id)
        s = self.scope
        if (
            row is None
            or (s.mentor_id is not None and row.agent_id != s.mentor_id)
            or (s.actor_ids is not None and row.user_id not in s.actor_ids)
        ):
            raise NotFound(f"No chat session '{session_id}' in this scope.")
        return ChatSession.from_row(row)

    # -- costs (USD cents) -----------------------------------------------------------------
    @_field("LLM cost in the period vs the previous period (USD cents).")
    async def cost_cents(self, info: Info[Context, None]) -> MetricChange:
        return await self._change(info, COST)

    @_field(
        "All time for costs: from the org's first LLM cost to now (the range of `weeklyCosts`, "
        "`monthlyCosts` and `totalCostCents`)."
    )
    async def all_time_period(self, info: Info[Context, None]) -> PeriodRange:
        return PeriodRange.of(await self._all_time(info))

    @_field("LLM cost of all time (USD cents).")
    async def total_cost_cents(self, info: Info[Context, None]) -> float:
        return await self._total(info, COST, await self._all_time(info))

    @_field("LLM cost per day in the period (USD cents).")
    async def cost_per_day(self, info: Info[Context, None]) -> TimeSeries:
        return await self._series(info, COST, self.rp, Granularity.DAY, None, None)

    @_field("LLM cost per week (Monday) of all time (USD cents).")
    async def weekly_costs(self, info: Info[Context, None]) -> TimeSeries:
        rp = await self._all_time(info)
        return await self._series(info, COST, rp, Granularity.WEEK, None, None)

    @_field("LLM cost per month of all time (USD cents).")
    async def monthly_costs(self, info: Info[Context, None]) -> TimeSeries:
        rp = await self._all_time(info)
        return await self._series(info, COST, rp, Granularity.MONTH, None, None)

    @_field("LLM cost by provider in the period, highest first (ties by name).")
    async def cost_by_provider(self, info: Info[Context, None], limit: int = 20) -> list[CostGroup]:
        return await self._cost_groups(info, "dim:provider", limit)

    @_field("LLM cost by model in the period, highest first (ties by name).")
    async def cost_by_model(self, info: Info[Context, None], limit: int = 20) -> list[CostGroup]:
        return await self._cost_groups(info, "dim:model", limit)

    @_field("LLM cost and sessions per user in the period, highest cost first.")
    async def cost_by_user(
        self,
        info: Info[Context, None],
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
        offset: int | None = None,
    ) -> Connection[LearnerUserStat]:
        page = page_args(first, after, offset=offset)
        fetch = partial(
            service.user_table, info.context, self.scope, self.rp, search=search,
            order="cost", only_cost=True,
        )  # fmt: skip
        return await paginate(page, fetch, self._user_stat)

    # -- catalog ---------------------------------------------------------------------------
    courses = _catalog_field(
        Course,
        CourseRow,
        "Catalog courses (org-wide; `mentor` does not apply), with their analytics.",
    )

    @_field("One course by key.")
    async def course(self, info: Info[Context, None], key: str) -> Course:
        return await self._catalog_item(info, Course, CourseByKeyLoader, key, "course")

    programs = _catalog_field(
        Program, ProgramRow, "Programs (org-wide), each aggregating its courses."
    )

    @_field("One program by key.")
    async def program(self, info: Info[Context, None], key: str) -> Program:
        return await self._catalog_item(info, Program, ProgramByKeyLoader, key, "program")

    # -- a learner's own data ----------------------------------------------------------------
    @strawberry.field(
        permission_classes=[CanReadLearner],
        description="One learner's data: the org admin, or the learner themself.",
    )
    async def learner(self, info: Info[Context, None], username: str) -> LearnerReport:
        row = await info.context.loader(UserByUsernameLoader).load(username)
        if row is None:
            raise NotFound(f"No user '{username}' in this org.")
        return LearnerReport(
            user_pk=row.id,
            scope=self.scope,
            rp=self.rp,
            user=User.from_row(row),
            email=row.email,
            period=PeriodRange.of(self.rp),
        )

    # -- audit log -----------------------------------------------------------------------------
    @_field(
        "The mentors' audit log, newest first (ties by id). `user`: the actor's username; "
        "`mentor`: a mentor unique id (default: this scope's mentor); `fromDate`/`toDate`: "
        "inclusive days in the period's timezone. `first` (or legacy `limit`) at most 100; "
        "`offset` (legacy) or `after` to page."
    )
    async def audit_log(
        self,
        info: Info[Context, None],
        user: str | None = None,
        mentor: str | None = None,
        action: AuditAction | None = None,
        actor_email: str | None = None,
        from_date: date | None = None,
        to_date: date | None = None,
        first: int | None = None,
        limit: int | None = None,
        offset: int | None = None,
        after: str | None = None,
    ) -> Connection[AuditEntry]:
        ctx = info.context
        page = page_args(first if first is not None else limit, after, offset=offset)
        for day, what in ((from_date, "fromDate"), (to_date, "toDate")):
            if day is not None:
                check_day(day, what)
        if from_date and to_date and from_date > to_date:
            raise InvalidInput(f"`fromDate` ({from_date}) is after `toDate` ({to_date}).")
        mentor_id = self.scope.mentor_id
        if mentor is not None:
            row = await ctx.loader(MentorByKeyLoader).load(mentor)
            if row is None:
                raise NotFound(f"No mentor with unique id '{mentor}' in this org.")
            mentor_id = row.id
        actor_id = None
        if user is not None:
            urow = await ctx.loader(UserByUsernameLoader).load(user)
            if urow is None:
                raise NotFound(f"No user '{user}' in this org.")
            actor_id = urow.id
        tz = self.rp.tz
        fetch = partial(
            service.audit_log,
            ctx,
            mentor_id=mentor_id,
            actor_id=actor_id,
            action=action.value if action is not None else None,
            actor_email=actor_email,
            since=datetime.combine(from_date, time(), tz) if from_date else None,
            until=_next_midnight(to_date, tz) if to_date else None,
        )
        return await paginate(page, fetch, AuditEntry.from_row)


def _next_midnight(day: date, tz) -> datetime:
    from datetime import timedelta

    return datetime.combine(day + timedelta(days=1), time(), tz)
