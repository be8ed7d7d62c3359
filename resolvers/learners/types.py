"""GraphQL types of learner analytics: the `ChatSession`, `Course` and `Program` nodes and
the value types of `learnerAnalytics` (users, topics, heatmap, ratings, costs, a
learner's own data, the audit log). No SQL here: fields read loaders and the engine."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gateway.access.learners import visible_catalog, visible_sessions
from gateway.context import Context
from gateway.learners.loaders import (
    AgentByIdLoader,
    ChatSessionByIdLoader,
    CourseByIdLoader,
    CourseEnrollmentStatsLoader,
    CoursesByProgramLoader,
    MessageCountBySessionLoader,
    MessagesBySessionLoader,
    ProgramByIdLoader,
    ProgramEnrollmentStatsLoader,
)
from gateway.learners.service import EnrollmentStats
from gateway.metrics import ResolvedPeriod, Scope, Via, load_total
from gateway.models import AuditLogEntry as AuditRow
from gateway.models import ChatSession as ChatSessionRow
from gateway.models import Course as CourseRow
from gateway.models import Program as ProgramRow
from gateway.tenancy.loaders import UserByIdLoader
from resolvers.common import MetricTarget, PeriodRange, metric_field, metric_fields, period_of
from resolvers.connections import Connection, page_args, paginate
from resolvers.learners.inputs import AuditAction
from resolvers.learners.permissions import CanReadLearnerAnalytics
from resolvers.node import Node, fill_from_row, register_node
from resolvers.tenancy.types import User

ADMIN = [CanReadLearnerAnalytics]
PROGRAM_COURSES = Via("program_courses", group_col="program_id", id_col="course_id")


@strawberry.type(description="A mentor (an agent of kind `mentor`), by unique id and name.")
class MentorRef:
    key: str = strawberry.field(description="The mentor unique id (`mentor_unique_id`).")
    name: str


async def _mentor(info: Info[Context, None], agent_id: int | None) -> MentorRef | None:
    if agent_id is None:
        return None
    row = await info.context.loader(AgentByIdLoader).load(agent_id)
    return MentorRef(key=row.key, name=row.name) if row else None


async def _user(info: Info[Context, None], user_id: int | None) -> User | None:
    if user_id is None:
        return None
    row = await info.context.loader(UserByIdLoader).load(user_id)
    return User.from_row(row) if row else None


# --- chat sessions ----------------------------------------------------------------------


@strawberry.type(description="One message of a chat transcript.")
class TranscriptMessage:
    role: str = strawberry.field(description="`user` or `assistant`.")
    content: str
    created_at: datetime


@strawberry.type(description="An ibl.ai chat session (a conversation with a mentor).")
class ChatSession(Node):
    pk: strawberry.Private[int]
    user_pk: strawberry.Private[int]
    agent_pk: strawberry.Private[int]
    session_id: str = strawberry.field(description="The public session id.")
    topic: str | None
    started_at: datetime
    ended_at: datetime | None

    @classmethod
    def from_row(cls, row: ChatSessionRow) -> ChatSession:
        return fill_from_row(cls, row, session_id=row.key)

    @strawberry.field(description="The learner who chatted.")
    async def user(self, info: Info[Context, None]) -> User | None:
        return await _user(info, self.user_pk)

    @strawberry.field
    async def mentor(self, info: Info[Context, None]) -> MentorRef | None:
        return await _mentor(info, self.agent_pk)

    @strawberry.field(description="Stored transcript messages.")
    async def message_count(self, info: Info[Context, None]) -> int:
        return await info.context.loader(MessageCountBySessionLoader).load(self.pk)

    @strawberry.field(description="The transcript, oldest first (ties by message id).")
    async def messages(
        self, info: Info[Context, None], first: int | None = 100, after: str | None = None
    ) -> Connection[TranscriptMessage]:
        page = page_args(first, after)
        ctx = info.context

        def fetch(*, offset: int, limit: int):
            return asyncio.gather(
                ctx.loader(MessagesBySessionLoader, offset, limit).load(self.pk),
                ctx.loader(MessageCountBySessionLoader).load(self.pk),
            )

        return await paginate(page, fetch, lambda m: fill_from_row(TranscriptMessage, m))


async def _fetch_sessions(ctx: Context, ids):
    rows = await ctx.loader(ChatSessionByIdLoader).load_many(list(ids))
    return [ChatSession.from_row(r) if r else None for r in visible_sessions(ctx.principal, rows)]


# --- courses and programs ---------------------------------------------------------------

CourseMetrics = metric_fields("Course", {"course": MetricTarget()}, permission_classes=ADMIN)
ProgramMetrics = metric_fields(
    "Program", {"course": MetricTarget(scope=Scope(via=PROGRAM_COURSES))}, permission_classes=ADMIN
)

_ENROLLMENT_DOC = {
    "enrollments": "Enrollments (all time, as of now).",
    "completions": "Completed enrollments (all time).",
    "learners": "Distinct enrolled learners (all time).",
    "new_enrollments": "Enrollments made in the period.",
    "completions_in_period": "Enrollments completed in the period.",
    "average_grade": "sum(grade) / graded enrollments, 0.0-1.0 (null: none graded).",
    "average_progress": "sum(progress) / enrollments, 0.0-1.0.",
    "completion_rate": "100 × completions / enrollments (percent).",
}


class _Catalog:
    """Shared fields of Course and Program: enrollment aggregates (one statement per
    request for all nodes) and activity metrics in the period (batched engine loads)."""

    # set by the node types: pk, scope_actor_ids, scope_period, stats_loader, metric_scope

    def _period(self, info: Info[Context, None]) -> ResolvedPeriod:
        return self.scope_period or period_of(info, None)

    async def _stats(self, info: Info[Context, None]) -> EnrollmentStats:
        loader = info.context.loader(self.stats_loader, self.scope_actor_ids, self._period(info))
        return EnrollmentStats.of(await loader.load(self.pk))

    async def _metric(self, info: Info[Context, None], name: str):
        scope = replace(self.metric_scope, actor_ids=self.scope_actor_ids)
        return await load_total(info.context, name, self.pk, self._period(info), scope)


def _stat_field(name: str, kind: type):
    async def resolve(self, info: Info[Context, None]):
        return getattr(await self._stats(info), name)

    resolve.__annotations__ = {"info": Info[Context, None], "return": kind}
    return strawberry.field(
        resolver=resolve, permission_classes=ADMIN, description=_ENROLLMENT_DOC[name]
    )


def _metric_field(metric: str, kind: Any, description: str):
    return metric_field("_metric", metric, kind, description, permission_classes=ADMIN)


@strawberry.type(name="CatalogFields")
class _CatalogFields:
    enrollments = _stat_field("enrollments", int)
    completions = _stat_field("completions", int)
    learners = _stat_field("learners", int)
    new_enrollments = _stat_field("new_enrollments", int)
    completions_in_period = _stat_field("completions_in_period", int)
    average_grade = _stat_field("average_grade", float | None)
    average_progress = _stat_field("average_progress", float | None)
    completion_rate = _stat_field("completion_rate", float | None)
    time_spent_seconds = _metric_field(
        "course.time_spent_seconds", float, "Time spent learning in the period (seconds)."
    )
    activities = _metric_field("course.activities", int, "Learning activities in the period.")
    active_learners = _metric_field(
        "course.active_learners",
        int,
        "Distinct learners who spent time or did an activity in the period.",
    )


@strawberry.type(
    description="A catalog course. Metrics are narrowed like the request that "
    "listed it (period, user groups)."
)
class Course(Node, CourseMetrics, _CatalogFields, _Catalog):
    pk: strawberry.Private[int]
    scope_actor_ids: strawberry.Private[tuple[int, ...] | None]
    scope_period: strawberry.Private[ResolvedPeriod | None]
    key: str = strawberry.field(description="e.g. `course-v1:org+CS101+2026`.")
    name: str
    created_at: datetime
    stats_loader = CourseEnrollmentStatsLoader
    metric_scope = Scope()

    @classmethod
    def from_row(cls, row: CourseRow, actor_ids=None, period=None) -> Course:
        return fill_from_row(cls, row, scope_actor_ids=actor_ids, scope_period=period)


@strawberry.type(description="A program: a set of courses, aggregated.")
class Program(Node, ProgramMetrics, _CatalogFields, _Catalog):
    pk: strawberry.Private[int]
    scope_actor_ids: strawberry.Private[tuple[int, ...] | None]
    scope_period: strawberry.Private[ResolvedPeriod | None]
    key: str
    name: str
    created_at: datetime
    stats_loader = ProgramEnrollmentStatsLoader
    metric_scope = Scope(via=PROGRAM_COURSES)

    @classmethod
    def from_row(cls, row: ProgramRow, actor_ids=None, period=None) -> Program:
        return fill_from_row(cls, row, scope_actor_ids=actor_ids, scope_period=period)

    @strawberry.field(description="The program's courses, by key.")
    async def courses(self, info: Info[Context, None]) -> list[Course]:
        rows = await info.context.loader(CoursesByProgramLoader).load(self.pk)
        return [Course.from_row(r, self.scope_actor_ids, self.scope_period) for r in rows]

    @strawberry.field
    async def course_count(self, info: Info[Context, None]) -> int:
        return len(await info.context.loader(CoursesByProgramLoader).load(self.pk))


async def _fetch_courses(ctx: Context, ids):
    rows = await ctx.loader(CourseByIdLoader).load_many(list(ids))
    return [Course.from_row(r) if r else None for r in visible_catalog(ctx.principal, rows)]


async def _fetch_programs(ctx: Context, ids):
    rows = await ctx.loader(ProgramByIdLoader).load_many(list(ids))
    return [Program.from_row(r) if r else None for r in visible_catalog(ctx.principal, rows)]


# --- value types of learnerAnalytics ------------------------------------------------------


@strawberry.type(description="A user's chat activity in the period (the users / cost tables).")
class LearnerUserStat:
    user: User
    username: str
    name: str
    email: str | None
    messages: int = strawberry.field(description="Messages in the period and scope.")
    sessions: int = strawberry.field(description="Chat sessions started in the period.")
    cost_cents: float = strawberry.field(description="LLM cost in the period (USD cents).")
    last_active: datetime | None = strawberry.field(
        description="End (or start) of the user's latest chat session in scope, any time."
    )


@strawberry.type(description="A topic's messages and sessions in the period.")
class TopicStat:
    topic: str | None
    messages: int
    sessions: int


@strawberry.type(description="Messages in one (weekday, hour) cell.")
class HeatmapCell:
    day_of_week: int = strawberry.field(description="ISO weekday: 1 = Monday .. 7 = Sunday.")
    hour: int = strawberry.field(description="Local hour 0..23.")
    messages: int


@strawberry.type(
    description="When learners chat: messages by weekday x hour in the period's timezone."
)
class AccessHeatmap:
    period: PeriodRange
    timezone: str
    matrix: list[list[int]] = strawberry.field(
        description="7 rows (Monday .. Sunday) x 24 hours, zero-filled."
    )
    cells: list[HeatmapCell]
    total: int


@strawberry.type
class RatingCount:
    rating: int
    count: int


@strawberry.type(description="Ratings (1-5) given in the period.")
class RatingSummary:
    average: float | None = strawberry.field(description="sum(ratings) / count; null if none.")
    count: int
    distribution: list[RatingCount] = strawberry.field(description="Ratings 1..5, zero-filled.")


@strawberry.type(description="LLM cost of one provider / model in the period.")
class CostGroup:
    key: str | None = strawberry.field(description="The provider or model name.")
    cost_cents: float = strawberry.field(description="USD cents.")
    llm_calls: int
    tokens: float


@strawberry.type(description="The transcripts page's headline figures in the period.")
class ConversationHeadline:
    conversations: int
    messages: int
    users: int = strawberry.field(description="Distinct users who sent messages.")
    average_messages_per_conversation: float | None = strawberry.field(
        description="messages / conversations."
    )
    average_rating: float | None


@strawberry.type(description="One entry of the mentors' audit log.")
class AuditEntry:
    pk: strawberry.Private[int]
    actor_pk: strawberry.Private[int | None]
    agent_pk: strawberry.Private[int | None]
    ts: datetime
    action: AuditAction
    action_code: int = strawberry.field(description="0 create, 1 update, 2 delete.")
    actor_email: str | None
    target_type: str
    target_id: str | None
    changes: JSON

    @classmethod
    def from_row(cls, row: AuditRow) -> AuditEntry:
        return fill_from_row(cls, row, action=AuditAction(row.action), action_code=row.action)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.pk))

    @strawberry.field
    async def actor(self, info: Info[Context, None]) -> User | None:
        return await _user(info, self.actor_pk)

    @strawberry.field
    async def mentor(self, info: Info[Context, None]) -> MentorRef | None:
        return await _mentor(info, self.agent_pk)


register_node("ChatSession", _fetch_sessions)
register_node("Course", _fetch_courses)
register_node("Program", _fetch_programs)
