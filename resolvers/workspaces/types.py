"""GraphQL types of the Athena domain: `Workspace`, `Workflow`, `WorkflowExecution`,
`Thread` (nodes), `ThreadMessage`, and the metric result types. Metrics are for the
workspace owner only (`IsWorkspaceOwner`); members see nodes and lists."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from gateway.access import workspaces as access
from gateway.context import Context
from gateway.errors import InvalidInput
from gateway.metrics import Preset, ResolvedPeriod, Scope, Via
from gateway.models import Thread as ThreadRow
from gateway.models import Workflow as WorkflowRow
from gateway.models import WorkflowExecution as ExecutionRow
from gateway.models import Workspace as WorkspaceRow
from gateway.tenancy.loaders import UserByIdLoader
from gateway.workspaces import service
from gateway.workspaces.loaders import (
    ExecutionByIdLoader,
    ListKey,
    ListPageLoader,
    ThreadByIdLoader,
    WorkflowByIdLoader,
    WorkspaceByIdLoader,
)
from gateway.workspaces.repository import ListSpec
from gateway.workspaces.validation import ValidationFailed, parse_metrics_request
from resolvers.common import MetricTarget, PeriodInput, PeriodRange, metric_fields
from resolvers.connections import Connection, page_args, paginate
from resolvers.lookahead import selected_arguments
from resolvers.node import Node, encode_id, fill_from_row, register_node
from resolvers.tenancy.types import User
from resolvers.workspaces.inputs import (
    AgentLeaderboardOrder,
    ResourceMetricsInput,
    ThreadMessageRole,
    ThreadMessageSort,
    ThreadSort,
    WorkflowExecutionFilter,
    WorkflowExecutionSort,
    WorkflowExecutionStatus,
    WorkflowSort,
    WorkspaceAggregation,
    WorkspaceEntity,
    WorkspaceGranularity,
    WorkspaceGroupBy,
    WorkspaceMetricName,
    WorkspaceMetricsFilters,
    WorkspaceMetricsInput,
    WorkspaceOrderDirection,
    WorkspacePeriod,
    WorkspaceResource,
    WorkspaceResourceGroupBy,
    WorkspaceRole,
    pk_or_none,
    user_pk,
)

MAX_LEADERBOARD = 100


class IsWorkspaceOwner(BasePermission):
    message = access.METRICS_FORBIDDEN
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return access.can_read_metrics(getattr(source, "role", None))


OWNER_ONLY = [IsWorkspaceOwner]


async def _user(ctx: Context, pk: int | None) -> User | None:
    if pk is None:
        return None
    row = await ctx.loader(UserByIdLoader).load(pk)
    return User.from_row(row) if row else None


def _period_spec(filters: WorkspaceMetricsFilters | None, **kw):
    """The period of a workspace metric field: a legacy preset or a dateRange's spec."""
    preset = kw.get("period", filters.period if filters else None)
    custom = kw.get("date_range", filters.date_range if filters else None)
    if preset is not None and custom is not None:
        raise ValidationFailed(
            {"filters.period": ["Give either a period or a dateRange, not both."]}
        )
    return custom.to_spec() if custom is not None else (preset or WorkspacePeriod.D30).value


def _period(ctx: Context, ws: Workspace, filters: WorkspaceMetricsFilters | None, **kw):
    """The resolved period of a workspace metric field (legacy preset or dateRange)."""
    return service.workspace_period(ctx, _period_spec(filters, **kw), ws.created_at)


def leaderboard_periods(info: Info[Context, None]) -> list[ResolvedPeriod]:
    """The periods of the `agentLeaderboard` fields selected below a `workspace` field,
    those that do not depend on the workspace (all time starts at its creation)."""
    out: list[ResolvedPeriod] = []
    for args in selected_arguments(info, "agentLeaderboard"):
        try:
            spec = _period_spec(None, period=args.get("period"), date_range=args.get("date_range"))
            if spec == WorkspacePeriod.ALL.value or getattr(spec, "preset", None) is Preset.ALL:
                continue
            rp = service.workspace_period(info.context, spec, None)
        except Exception:  # noqa: BLE001 - the field itself reports its invalid input
            continue
        if rp not in out:
            out.append(rp)
    return out


# --- metric results ---------------------------------------------------------------------


@strawberry.type(description="One result row: a user (groupBy USER) or a date (groupBy DATE).")
class WorkspaceMetricsRow:
    user_id: int | None = strawberry.field(description="Numeric user id (groupBy USER).")
    user_name: str | None
    user: User | None
    date: str | None = strawberry.field(description="Bucket label (groupBy DATE).")
    bucket: datetime | None = strawberry.field(description="Bucket start (groupBy DATE).")
    value: float | None


@strawberry.type(description="The Workspace Metrics API response (seed 004).")
class WorkspaceMetricsResult:
    entity: WorkspaceEntity
    metric: WorkspaceMetricName
    aggregation: WorkspaceAggregation
    group_by: WorkspaceGroupBy | None
    granularity: WorkspaceGranularity | None
    total: float | None = strawberry.field(
        description="Over the whole period and every user (a whole number for COUNT); "
        "null for an average without events."
    )
    results: list[WorkspaceMetricsRow]
    period: PeriodRange = strawberry.field(description="meta.period: startDate..endDate.")
    unit: str | None = strawberry.field(description="`milliseconds` for durations, else null.")


@strawberry.type(description="A bucket of a per-resource series.")
class ResourceMetricsPoint:
    date: str
    bucket: datetime
    value: int
    succeeded: int | None = strawberry.field(description="WORKFLOW_EXECUTIONS only.")
    failed: int | None = strawberry.field(description="WORKFLOW_EXECUTIONS only.")


@strawberry.type(description="A per-resource metric: a total, or a series with groupBy DATE.")
class ResourceMetricsResult:
    resource: WorkspaceResource
    metric: str = strawberry.field(description="What is counted: created, executions, messages.")
    group_by: WorkspaceResourceGroupBy | None
    granularity: WorkspaceGranularity | None
    total: int
    succeeded: int | None = strawberry.field(description="WORKFLOW_EXECUTIONS only.")
    failed: int | None = strawberry.field(description="WORKFLOW_EXECUTIONS only.")
    results: list[ResourceMetricsPoint]
    period: PeriodRange
    unit: str


@strawberry.type(description="An agent's row in the leaderboard.")
class AgentLeaderboardEntry:
    rank: int
    agent_id: strawberry.ID = strawberry.field(description="The Agent global id.")
    agent_key: str = strawberry.field(description="The agent's public id (uuid).")
    name: str
    status: str
    executions: int
    avg_duration_ms: float | None
    total_duration_ms: float
    shares: int
    copies: int
    unique_users: int = strawberry.field(description="Distinct users who ran the agent.")


@strawberry.type
class AgentLeaderboard:
    period: PeriodRange
    order_by: AgentLeaderboardOrder
    entries: list[AgentLeaderboardEntry]


@strawberry.type
class ExecutionCountsPoint:
    date: str
    bucket: datetime
    completed: int
    succeeded: int
    failed: int


@strawberry.type(
    description="Workflow executions by status: total = completed + running; completed = "
    "succeeded + failed (finished executions, by their events); running = still running, "
    "started in the period. `series` (with a granularity) counts finished executions."
)
class WorkflowExecutionCounts:
    period: PeriodRange
    granularity: WorkspaceGranularity | None
    total: int
    completed: int
    succeeded: int
    failed: int
    running: int
    series: list[ExecutionCountsPoint]


# --- nodes ------------------------------------------------------------------------------

_WS_TARGETS = {
    "agent": MetricTarget(Scope(via=Via("agents", group_col="workspace_id"))),
    "workflow": MetricTarget(Scope(via=Via("workflows", group_col="workspace_id"))),
    "thread": MetricTarget(Scope(via=Via("threads", group_col="workspace_id"))),
}
WorkspaceMetricFields = metric_fields("Workspace", _WS_TARGETS, permission_classes=OWNER_ONLY)
WorkflowMetricFields = metric_fields(
    "Workflow", {"workflow": MetricTarget()}, permission_classes=OWNER_ONLY
)
ThreadMetricFields = metric_fields(
    "Thread", {"thread": MetricTarget()}, permission_classes=OWNER_ONLY
)


async def _list(ctx: Context, parent: int, kind: str, filters, order_by, first, after, node):
    """One page of the `kind` list of `parent` (a workspace, workflow or thread), filtered
    by `filters` ((column, value) pairs, None = any), ordered by the sort enum `order_by`
    (its value is (column, descending))."""
    order, descending = order_by.value

    def fetch(*, offset: int, limit: int):
        spec = ListSpec(
            kind=kind, filters=filters, order=order, descending=descending,
            offset=offset, limit=limit,
        )  # fmt: skip
        return ctx.loader(ListPageLoader).load(ListKey(parent, spec))

    return await paginate(page_args(first, after), fetch, node)


def _executions_field(kind: str, description: str | None = None):
    """The executions of a workspace (`workspace_executions`) or of a workflow."""

    async def executions(
        self: Any,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: WorkflowExecutionFilter | None = None,
        order_by: WorkflowExecutionSort = WorkflowExecutionSort.STARTED_AT_DESC,
    ) -> Connection[WorkflowExecution]:
        filters = filter.pairs() if filter else ()
        return await _list(
            info.context, self.pk, kind, filters, order_by, first, after,
            lambda r: WorkflowExecution.from_row(r, self.role),
        )  # fmt: skip

    return strawberry.field(resolver=executions, description=description)


@strawberry.type(description="An Athena workspace. Metric fields are for its owner only.")
class Workspace(Node, WorkspaceMetricFields):
    uuid: str
    name: str
    created_at: datetime
    pk: strawberry.Private[int]
    role: strawberry.Private[str]
    owner_pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: WorkspaceRow, role: str) -> Workspace:
        return fill_from_row(cls, row, role=role)

    @strawberry.field(description="Your role here: OWNER (metrics allowed) or MEMBER.")
    def viewer_role(self) -> WorkspaceRole:
        return WorkspaceRole(self.role)

    @strawberry.field
    async def owner(self, info: Info[Context, None]) -> User | None:
        return await _user(info.context, self.owner_pk)

    @strawberry.field(description="Workflows of the workspace.")
    async def workflows(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        created_by: strawberry.ID | None = None,
        order_by: WorkflowSort = WorkflowSort.CREATED_AT_DESC,
    ) -> Connection[Workflow]:
        filters = (("search", search), ("created_by", pk_or_none(created_by, "User", "createdBy")))
        return await _list(
            info.context, self.pk, "workflows", filters, order_by, first, after,
            lambda r: Workflow.from_row(r, self.role),
        )  # fmt: skip

    workflow_executions = _executions_field(
        "workspace_executions", "Executions of the workspace's workflows."
    )

    @strawberry.field(description="Threads of the workspace.")
    async def threads(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        user_id: strawberry.ID | None = None,
        agent_id: strawberry.ID | None = None,
        order_by: ThreadSort = ThreadSort.CREATED_AT_DESC,
    ) -> Connection[Thread]:
        filters = (
            ("user_id", pk_or_none(user_id, "User", "userId")),
            ("agent_id", pk_or_none(agent_id, "Agent", "agentId")),
        )
        return await _list(
            info.context, self.pk, "threads", filters, order_by, first, after,
            lambda r: Thread.from_row(r, self.role),
        )  # fmt: skip

    @strawberry.field(
        permission_classes=OWNER_ONLY,
        description="The Workspace Metrics API (seed 004): one entity x metric x aggregation, "
        "as a total, a user leaderboard (groupBy USER) or a series (groupBy DATE). Invalid "
        "requests fail with extensions.code VALIDATION_FAILED and extensions.errors "
        "{field: [messages]}.",
    )
    async def workspace_metrics(
        self, info: Info[Context, None], query: WorkspaceMetricsInput
    ) -> WorkspaceMetricsResult | None:
        ctx = info.context
        req = parse_metrics_request(query.to_body())
        rp = _period(ctx, self, query.filters)
        out = await service.metrics_query(ctx, self.pk, req, rp)
        return WorkspaceMetricsResult(
            entity=query.entity,
            metric=query.metric,
            aggregation=query.aggregation,
            group_by=query.group_by,
            granularity=query.granularity,
            total=out.total,
            results=[
                WorkspaceMetricsRow(
                    user_id=r.user_id,
                    user_name=r.user_name,
                    user=User.from_row(r.user) if r.user is not None else None,
                    date=r.date,
                    bucket=r.bucket,
                    value=r.value,
                )
                for r in out.rows
            ],
            period=PeriodRange.of(rp),
            unit=req.unit,
        )

    @strawberry.field(
        permission_classes=OWNER_ONLY,
        description="Per-resource metrics (agents / workflows created, workflow executions "
        "with succeeded/failed, threads created, messages), as a total or a series.",
    )
    async def resource_metrics(
        self, info: Info[Context, None], query: ResourceMetricsInput
    ) -> ResourceMetricsResult | None:
        ctx = info.context
        if query.group_by is not None and query.granularity is None:
            raise ValidationFailed(
                {"granularity": ["The granularity field is required when group_by is date."]}
            )
        f = query.filters
        user = user_pk(f.user_id, "filters.userId") if f and f.user_id is not None else None
        rp = _period(ctx, self, f)
        granularity = query.granularity.value if query.group_by is not None else None
        out = await service.resource_metrics(
            ctx, self.pk, query.resource.value, rp, granularity, user
        )
        return ResourceMetricsResult(
            resource=query.resource,
            metric=out.metric,
            group_by=query.group_by,
            granularity=query.granularity if granularity else None,
            total=out.total,
            succeeded=out.succeeded,
            failed=out.failed,
            results=[
                ResourceMetricsPoint(
                    date=p.date,
                    bucket=p.bucket,
                    value=p.value,
                    succeeded=p.succeeded,
                    failed=p.failed,
                )
                for p in out.points
            ],
            period=PeriodRange.of(rp),
            unit="count",
        )

    @strawberry.field(
        permission_classes=OWNER_ONLY,
        description=f"Agents of the workspace ranked over the period (limit 1-{MAX_LEADERBOARD}, "
        "ties by agent id).",
    )
    async def agent_leaderboard(
        self,
        info: Info[Context, None],
        period: WorkspacePeriod | None = None,
        date_range: PeriodInput | None = None,
        order_by: AgentLeaderboardOrder = AgentLeaderboardOrder.EXECUTIONS,
        order_dir: WorkspaceOrderDirection = WorkspaceOrderDirection.DESC,
        limit: int = 10,
    ) -> AgentLeaderboard | None:
        ctx = info.context
        if not 1 <= limit <= MAX_LEADERBOARD:
            raise InvalidInput(f"limit must be between 1 and {MAX_LEADERBOARD}, got {limit}.")
        rp = _period(ctx, self, None, period=period, date_range=date_range)
        entries = await service.agent_leaderboard(
            ctx, self.pk, rp, order_by.value, order_dir is WorkspaceOrderDirection.DESC, limit
        )
        return AgentLeaderboard(
            period=PeriodRange.of(rp),
            order_by=order_by,
            entries=[
                AgentLeaderboardEntry(
                    rank=e.rank,
                    agent_id=encode_id("Agent", e.agent.org_id, e.agent.id),
                    agent_key=e.agent.key,
                    name=e.agent.name,
                    status=e.agent.status,
                    executions=e.executions,
                    avg_duration_ms=e.avg_duration_ms,
                    total_duration_ms=e.total_duration_ms,
                    shares=e.shares,
                    copies=e.copies,
                    unique_users=e.unique_users,
                )
                for e in entries
            ],
        )

    @strawberry.field(
        permission_classes=OWNER_ONLY,
        description="Workflow execution counts by status over the period, optionally per bucket.",
    )
    async def execution_counts(
        self,
        info: Info[Context, None],
        period: WorkspacePeriod | None = None,
        date_range: PeriodInput | None = None,
        granularity: WorkspaceGranularity | None = None,
    ) -> WorkflowExecutionCounts | None:
        ctx = info.context
        rp = _period(ctx, self, None, period=period, date_range=date_range)
        g = granularity.value if granularity else None
        c = await service.execution_counts(ctx, self.pk, rp, g)
        return WorkflowExecutionCounts(
            period=PeriodRange.of(rp),
            granularity=granularity,
            total=c.total,
            completed=c.completed,
            succeeded=c.succeeded,
            failed=c.failed,
            running=c.running,
            series=[
                ExecutionCountsPoint(
                    date=p.date,
                    bucket=p.bucket,
                    completed=p.value,
                    succeeded=p.succeeded or 0,
                    failed=p.failed or 0,
                )
                for p in c.points
            ],
        )


@strawberry.type(description="An Athena workflow. Metric fields are for the workspace owner.")
class Workflow(Node, WorkflowMetricFields):
    key: str
    name: str
    created_at: datetime
    pk: strawberry.Private[int]
    role: strawberry.Private[str]
    workspace_pk: strawberry.Private[int]
    created_by_pk: strawberry.Private[int]
    copied_from_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: WorkflowRow, role: str) -> Workflow:
        return fill_from_row(cls, row, role=role, created_by_pk=row.created_by)

    @strawberry.field
    async def workspace(self, info: Info[Context, None]) -> Workspace:
        row = await info.context.loader(WorkspaceByIdLoader).load(self.workspace_pk)
        return Workspace.from_row(row, self.role)

    @strawberry.field
    async def created_by(self, info: Info[Context, None]) -> User | None:
        return await _user(info.context, self.created_by_pk)

    @strawberry.field(description="The workflow this one was copied from, if you may see it.")
    async def copied_from(self, info: Info[Context, None]) -> Workflow | None:
        if self.copied_from_pk is None:
            return None
        return (await fetch_workflows(info.context, [self.copied_from_pk]))[0]

    executions = _executions_field("executions")


@strawberry.type(description="One run of a workflow.")
class WorkflowExecution(Node):
    status: WorkflowExecutionStatus
    started_at: datetime
    duration_ms: int | None = strawberry.field(description="Null while running.")
    pk: strawberry.Private[int]
    role: strawberry.Private[str]
    workflow_pk: strawberry.Private[int]
    user_pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: ExecutionRow, role: str) -> WorkflowExecution:
        return fill_from_row(cls, row, role=role, status=WorkflowExecutionStatus(row.status))

    @strawberry.field
    async def workflow(self, info: Info[Context, None]) -> Workflow:
        row = await info.context.loader(WorkflowByIdLoader).load(self.workflow_pk)
        return Workflow.from_row(row, self.role)

    @strawberry.field
    async def user(self, info: Info[Context, None]) -> User | None:
        return await _user(info.context, self.user_pk)


@strawberry.type(description="A message in a thread.")
class ThreadMessage:
    role: ThreadMessageRole
    content: str
    created_at: datetime
    user_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Any) -> ThreadMessage:
        return fill_from_row(cls, row, role=ThreadMessageRole(row.role))

    @strawberry.field
    async def user(self, info: Info[Context, None]) -> User | None:
        return await _user(info.context, self.user_pk)


@strawberry.type(description="An Athena thread (a conversation with an agent).")
class Thread(Node, ThreadMetricFields):
    title: str
    created_at: datetime
    pk: strawberry.Private[int]
    role: strawberry.Private[str]
    workspace_pk: strawberry.Private[int]
    user_pk: strawberry.Private[int]
    agent_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: ThreadRow, role: str) -> Thread:
        return fill_from_row(cls, row, role=role)

    @strawberry.field(description="The Agent global id of the thread's agent.")
    def agent_id(self, info: Info[Context, None]) -> strawberry.ID | None:
        if self.agent_pk is None:
            return None
        return encode_id("Agent", info.context.principal.org_id, self.agent_pk)

    @strawberry.field
    async def workspace(self, info: Info[Context, None]) -> Workspace:
        row = await info.context.loader(WorkspaceByIdLoader).load(self.workspace_pk)
        return Workspace.from_row(row, self.role)

    @strawberry.field
    async def user(self, info: Info[Context, None]) -> User | None:
        return await _user(info.context, self.user_pk)

    @strawberry.field
    async def messages(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        role: ThreadMessageRole | None = None,
        order_by: ThreadMessageSort = ThreadMessageSort.CREATED_AT_ASC,
    ) -> Connection[ThreadMessage]:
        filters = (("role", role.value if role else None),)
        return await _list(
            info.context, self.pk, "messages", filters, order_by, first, after,
            ThreadMessage.from_row,
        )  # fmt: skip


# --- node fetchers (same rules as the root fields; None when not visible) ---------------


async def fetch_workspaces(ctx: Context, ids) -> list[Workspace | None]:
    roles, rows = await asyncio.gather(
        access.workspace_roles(ctx, ids), ctx.loader(WorkspaceByIdLoader).load_many(list(ids))
    )
    return [
        Workspace.from_row(r, roles[r.id]) if r is not None and r.id in roles else None
        for r in rows
    ]


async def fetch_workflows(ctx: Context, ids) -> list[Workflow | None]:
    rows = await ctx.loader(WorkflowByIdLoader).load_many(list(ids))
    roles = await access.workspace_roles(ctx, [r.workspace_id for r in rows if r])
    return [
        Workflow.from_row(r, roles[r.workspace_id]) if r and r.workspace_id in roles else None
        for r in rows
    ]


async def fetch_executions(ctx: Context, ids) -> list[WorkflowExecution | None]:
    rows = await ctx.loader(ExecutionByIdLoader).load_many(list(ids))
    roles = await access.workspace_roles(ctx, [r[1] for r in rows if r])
    return [
        WorkflowExecution.from_row(r[0], roles[r[1]]) if r and r[1] in roles else None for r in rows
    ]


async def fetch_threads(ctx: Context, ids) -> list[Thread | None]:
    rows = await ctx.loader(ThreadByIdLoader).load_many(list(ids))
    roles = await access.workspace_roles(ctx, [r.workspace_id for r in rows if r])
    return [
        Thread.from_row(r, roles[r.workspace_id]) if r and r.workspace_id in roles else None
        for r in rows
    ]


register_node("Workspace", fetch_workspaces)
register_node("Workflow", fetch_workflows)
register_node("WorkflowExecution", fetch_executions)
register_node("Thread", fetch_threads)
