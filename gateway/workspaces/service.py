"""Athena workspace metrics: what every number means, computed from the metric engine.

Events (see `gateway.vocabulary`; actor = the user who did it): `agent`/`workflow`
`execution` (value = duration ms, dim `status` succeeded|failed), `created`, `copied`
(subject = the copied source), `share`; `thread` `created` and `message`. A workspace
reaches its subjects through the entity tables: agents / workflows / threads with
`workspace_id` = the workspace (`Scope(via=Via(<table>, group_col="workspace_id"))`).

Generic query (`Workspace.metrics`, the document's `GET /api/v1/workspaces/metrics`)
----------------------------------------------------------------------------------
`metric` x `aggregation` for entity E (agent | workflow):

  metric          count                     sum                          avg
  executions      executions (E.executions) total duration ms            average duration ms
  avg_duration*   executions                total duration ms            average duration ms
  created         E created events          = count (1 per event)        1 (null without events)
  copies          times E was copied        = count                      1 (null without events)
  shares          times E was shared        = count                      1 (null without events)

  (* workflows only.) `created`, `copies` and `shares` are counted events whose value
  is "1 per event" in the vocabulary, so their sum equals the count and their average
  is 1. `unit` is "milliseconds" for a duration (executions / avg_duration with sum or
  avg), null for counts. Averages are sum(duration) / count over the whole range or
  group (never an average of averages).

Shapes: no group_by -> `total` only; group_by user -> `total` over everyone plus the
users ranked (`breakdown(by="actor")`, events without an actor are left out of the
rows, not of the total); group_by date -> the zero-filled series in the period's
timezone, labelled per granularity (daily `YYYY-MM-DD`, weekly ISO `YYYY-WW` of the
week starting Monday, monthly `YYYY-MM`). `filters.user_id` keeps only that user's
events. Ordering (ties: ascending user id / date): value; name (user name,
case-insensitive; for dates = date); date (for users = value). `filters.period`:
7d/30d/90d = the last N days including today (UTC unless a custom range gives a
timezone), all = since the workspace was created.

Per-resource metrics (`Workspace.resourceMetrics`, the vendor's
`POST /v1/{agents|workflows|workflow-executions|threads|messages}/metrics`)
--------------------------------------------------------------------------------
Same request style (period, optional group_by date + granularity, user filter); counts:

  agents               agents created (`agent.created`)
  workflows            workflows created (`workflow.created`)
  workflow_executions  executions finished (`workflow.executions`), with `succeeded` and
                       `failed` (dim status) in the total and in every bucket
  threads              threads created (`thread.created`)
  messages             messages in the workspace's threads (`thread.messages`)

Agent leaderboard (`Workspace.agentLeaderboard`)
-------------------------------------------------
Every agent of the workspace with, over the period: executions, average and total
duration ms, shares, copies, unique users (distinct actors of its executions). Ranked
by the chosen column (default executions, descending; null averages last), ties by
ascending agent id; `rank` is the 1-based position. `read_with_leaderboards` reads a
workspace by uuid together with its agents and their values (one statement), for a
`workspace(uuid:)` that selects its leaderboard.

Execution counts (`Workspace.executionCounts`)
-----------------------------------------------
`succeeded` / `failed` = finished executions by status (events), `completed` = all
finished executions, `running` = executions whose row is still `running` and that
started in the period (they have no event yet), `total` = completed + running.
With a granularity, `succeeded` / `failed` / `completed` per bucket.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from gateway.context import Context
from gateway.metrics import (
    Granularity,
    PeriodSpec,
    Preset,
    ResolvedPeriod,
    Scope,
    Via,
    breakdown,
    load_series,
    load_total,
    resolve_period,
)
from gateway.metrics.scope import Lookup
from gateway.tenancy.loaders import UserByIdLoader
from gateway.workspaces import repository
from gateway.workspaces.loaders import (
    AgentsByWorkspaceLoader,
    MemberRoleByWorkspaceLoader,
    RunningExecutionsLoader,
    RunningKey,
    WorkspaceByIdLoader,
    WorkspaceByUuidLoader,
)
from gateway.workspaces.validation import MetricsRequest

Number = int | float
MAX_USERS = 1000  # users ranked per workspace before the name sort and `limit`

PRESETS = {"7d": Preset.LAST_7D, "30d": Preset.LAST_30D, "90d": Preset.LAST_90D, "all": Preset.ALL}
GRANULARITIES = {"daily": Granularity.DAY, "weekly": Granularity.WEEK, "monthly": Granularity.MONTH}
_SUBJECT = {"agents": "agent", "workflows": "workflow"}


def via_scope(table: str, *, user_id: int | None = None) -> Scope:
    """Subjects of `table` grouped by workspace (group = workspace id)."""
    actors = [user_id] if user_id is not None else None
    return Scope(via=Via(table, group_col="workspace_id"), actor_ids=actors)


def filter_scope(table: str, workspace_id: int | Lookup, *, user_id: int | None = None) -> Scope:
    """Subjects of `table` in one workspace (or the workspaces a lookup names), as one
    combined total (for breakdowns)."""
    actors = [user_id] if user_id is not None else None
    ids = workspace_id if isinstance(workspace_id, Lookup) else [workspace_id]
    return Scope(via=Via(table, where={"workspace_id": ids}), actor_ids=actors)


def workspace_period(ctx: Context, spec: PeriodSpec | str, created_at: datetime) -> ResolvedPeriod:
    """A legacy period (`7d`, `30d`, `90d`, `all`) or a custom spec; `all` starts when the
    workspace was created."""
    if isinstance(spec, str):
        spec = PeriodSpec(preset=PRESETS[spec])
    return resolve_period(ctx, spec, earliest=created_at)


# --- the generic query ----------------------------------------------------------------


def _count_as(aggregation: str) -> Callable[[Any], Number | None]:
    if aggregation == "sum":
        return lambda n: float(n or 0)
    if aggregation == "avg":
        return lambda n: 1.0 if n else None
    return lambda n: int(n or 0)


def engine_metric(req: MetricsRequest) -> tuple[str, Callable[[Any], Number | None]]:
    """(catalog metric, value transform) for a request (see the table above)."""
    subject = _SUBJECT[req.entity]
    if req.metric in ("executions", "avg_duration"):
        names = {
            "count": f"{subject}.executions",
            "sum": "agent.total_execution_ms"
            if subject == "agent"
            else "workflow.total_duration_ms",
            "avg": "agent.avg_execution_ms" if subject == "agent" else "workflow.avg_duration_ms",
        }
        ident = (lambda v: int(v or 0)) if req.aggregation == "count" else (lambda v: v)
        return names[req.aggregation], ident
    return f"{subject}.{req.metric}", _count_as(req.aggregation)


def bucket_label(bucket: datetime | date, granularity: str) -> str:
    """daily `YYYY-MM-DD`, weekly ISO `YYYY-WW`, monthly `YYYY-MM`."""
    d = bucket.date() if isinstance(bucket, datetime) else bucket
    if granularity == "weekly":
        iso = d.isocalendar()
        return f"{iso.year:04d}-{iso.week:02d}"
    if granularity == "monthly":
        return f"{d.year:04d}-{d.month:02d}"
    return d.isoformat()


@dataclass(frozen=True)
class MetricsRow:
    value: Number | None
    user_id: int | None = None
    user_name: str | None = None
    user: Any = None  # the users row
    date: str | None = None
    bucket: datetime | None = None


@dataclass(frozen=True)
class MetricsOutcome:
    total: Number | None
    rows: list[MetricsRow]


def _ordered(rows: list[MetricsRow], primary: Callable[[MetricsRow], Any], tie, desc: bool):
    """Sort by `primary` (None last) in `desc` order, ties by `tie` ascending."""
    rows = sorted(rows, key=tie)
    present = [r for r in rows if primary(r) is not None]
    absent = [r for r in rows if primary(r) is None]
    present.sort(key=primary, reverse=desc)
    return present + absent


async def metrics_query(
    ctx: Context, workspace_id: int, req: MetricsRequest, rp: ResolvedPeriod
) -> MetricsOutcome:
    table = req.entity
    name, conv = engine_metric(req)
    scope = via_scope(table, user_id=req.user_id)
    desc = req.effective_order_dir == "desc"
    order = req.effective_order_by
    limit = req.effective_limit
    if req.group_by == "date":
        g = req.granularity or "daily"
        s = await load_series(ctx, [name], workspace_id, rp, GRANULARITIES[g], scope)
        rows = [
            MetricsRow(value=conv(v), date=bucket_label(b, g), bucket=b)
            for b, v in zip(s.buckets, s.values[name], strict=True)
        ]
        if order == "value":
            rows = _ordered(rows, lambda r: r.value, lambda r: r.bucket, desc)
        else:
            rows = sorted(rows, key=lambda r: r.bucket, reverse=desc)
        return MetricsOutcome(conv(s.totals[name]), rows[:limit] if limit else rows)
    if req.group_by != "user":
        return MetricsOutcome(conv(await load_total(ctx, name, workspace_id, rp, scope)), [])

    total_task = load_total(ctx, name, workspace_id, rp, scope)
    fscope = filter_scope(table, workspace_id, user_id=req.user_id)
    by_value_desc = desc if order != "name" else True
    total, ranked = await asyncio.gather(
        total_task,
        breakdown(
            ctx.db,
            ctx.principal.org_id,
            [name],
            fscope,
            rp,
            "actor",
            descending=by_value_desc,
            limit=MAX_USERS,
        ),  # fmt: skip
    )
    ranked = [r for r in ranked if r.key is not None]
    users = await ctx.loader(UserByIdLoader).load_many([int(r.key) for r in ranked])
    rows = [
        MetricsRow(
            value=conv(r.values[name]),
            user_id=int(r.key),
            user_name=u.display_name if u else None,
            user=u,
        )
        for r, u in zip(ranked, users, strict=True)
    ]
    if order == "name":
        rows = _ordered(rows, lambda r: (r.user_name or "").casefold(), lambda r: r.user_id, desc)
    else:
        rows = _ordered(rows, lambda r: r.value, lambda r: r.user_id, desc)
    return MetricsOutcome(conv(total), rows[:limit])


# --- per-resource metrics ---------------------------------------------------------------

RESOURCES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # resource: (entity table, what is counted, catalog metrics: total[, succeeded, failed])
    "agents": ("agents", "created", ("agent.created",)),
    "workflows": ("workflows", "created", ("workflow.created",)),
    "workflow_executions": (
        "workflows",
        "executions",
        ("workflow.executions", "workflow.succeeded_executions", "workflow.failed_executions"),
    ),
    "threads": ("threads", "created", ("thread.created",)),
    "messages": ("threads", "messages", ("thread.messages",)),
}


@dataclass(frozen=True)
class CountPoint:
    bucket: datetime
    date: str
    value: int
    succeeded: int | None = None
    failed: int | None = None


@dataclass(frozen=True)
class ResourceOutcome:
    metric: str
    total: int
    succeeded: int | None
    failed: int | None
    points: list[CountPoint]


async def resource_metrics(
    ctx: Context,
    workspace_id: int,
    resource: str,
    rp: ResolvedPeriod,
    granularity: str | None,
    user_id: int | None = None,
) -> ResourceOutcome:
    table, what, names = RESOURCES[resource]
    scope = via_scope(table, user_id=user_id)
    if granularity is None:
        values = await asyncio.gather(*(load_total(ctx, n, workspace_id, rp, scope) for n in names))
        points: list[CountPoint] = []
    else:
        s = await load_series(ctx, list(names), workspace_id, rp, GRANULARITIES[granularity], scope)
        values = [s.totals[n] for n in names]
        cols = [s.values[n] for n in names]
        points = [
            CountPoint(
                bucket=b,
                date=bucket_label(b, granularity),
                value=int(cols[0][i]),
                succeeded=int(cols[1][i]) if len(cols) > 1 else None,
                failed=int(cols[2][i]) if len(cols) > 1 else None,
            )
            for i, b in enumerate(s.buckets)
        ]
    extra = [int(v) for v in values[1:]] if len(values) > 1 else [None, None]
    return ResourceOutcome(what, int(values[0]), extra[0], extra[1], points)


# --- execution counts -----------------------------------------------------------------


@dataclass(frozen=True)
class ExecutionCounts:
    total: int
    completed: int
    succeeded: int
    failed: int
    running: int
    points: list[CountPoint]


async def execution_counts(
    ctx: Context, workspace_id: int, rp: ResolvedPeriod, granularity: str | None
) -> ExecutionCounts:
    running_task = ctx.loader(RunningExecutionsLoader).load(
        RunningKey(workspace_id, rp.start, rp.end)
    )
    counts, running = await asyncio.gather(
        resource_metrics(ctx, workspace_id, "workflow_executions", rp, granularity),
        running_task,
    )
    return ExecutionCounts(
        total=counts.total + running,
        completed=counts.total,
        succeeded=counts.succeeded or 0,
        failed=counts.failed or 0,
        running=running,
        points=counts.points,
    )


# --- agent leaderboard ------------------------------------------------------------------

LEADERBOARD_METRICS = {
    "executions": "agent.executions",
    "avg_duration_ms": "agent.avg_execution_ms",
    "total_duration_ms": "agent.total_execution_ms",
    "shares": "agent.shares",
    "copies": "agent.copies",
    "unique_users": "agent.execution_users",
}


@dataclass(frozen=True)
class LeaderboardEntry:
    rank: int
    agent: Any  # the agents row
    executions: int
    avg_duration_ms: float | None
    total_duration_ms: float
    shares: int
    copies: int
    unique_users: int


class LeaderboardValues:
    """Leaderboard values read with their workspace (`read_with_leaderboards`):
    (workspace id, period) -> {agent id: values}. Created by `ctx.loader(cls)`."""

    def __init__(self, ctx: Context) -> None:
        self.found: dict[tuple[int, ResolvedPeriod], dict[int, dict]] = {}


async def _leaderboard_values(
    ctx: Context, workspaces: int | Lookup, rp: ResolvedPeriod
) -> dict[int, dict]:
    """{agent id: leaderboard metric values} of the agents of a workspace (or of the
    workspaces a lookup names) over `rp`; agents without events are absent."""
    if not isinstance(workspaces, Lookup):
        found = ctx.loader(LeaderboardValues).found.get((workspaces, rp))
        if found is not None:
            return found
    rows = await breakdown(
        ctx.db,
        ctx.principal.org_id,
        list(LEADERBOARD_METRICS.values()),
        filter_scope("agents", workspaces),
        rp,
        "subject",
        limit=MAX_USERS,
    )
    return {r.key: r.values for r in rows}


async def read_with_leaderboards(
    ctx: Context, uuid: str, periods: Sequence[ResolvedPeriod]
) -> None:
    """Read the workspace `uuid` with the caller's membership (what `WorkspaceByUuidLoader`
    reads) and, where the caller owns it, its agents and their leaderboard values over
    each of `periods`, all in one statement, and prime the loaders with them: the access
    check and `agent_leaderboard` then send nothing. A workspace that is not found or not
    the caller's to read metrics of is primed as it is (the access check decides)."""
    p = ctx.principal
    key = uuid.strip().lower()
    lookup = repository.workspaces_lookup(p.org_id, p.user_id, [key])
    found, agents, *values = await asyncio.gather(
        repository.read_lookup(ctx.db, lookup),
        repository.agents_of_workspaces(ctx.db, p.org_id, lookup),
        *(_leaderboard_values(ctx, lookup, rp) for rp in periods),
    )
    ctx.loader(WorkspaceByUuidLoader).prime(key, found[0][0] if found else None)
    if len(found) != 1:
        return
    ws, member_role = found[0]
    ctx.loader(WorkspaceByIdLoader).prime(ws.id, ws)
    ctx.loader(MemberRoleByWorkspaceLoader).prime(ws.id, member_role)
    if lookup.ids != [ws.id]:  # not the owner: nothing was read for its metrics
        return
    ctx.loader(AgentsByWorkspaceLoader).prime(ws.id, agents)
    cache = ctx.loader(LeaderboardValues).found
    for rp, by_agent in zip(periods, values, strict=True):
        cache[(ws.id, rp)] = by_agent


async def agent_leaderboard(
    ctx: Context,
    workspace_id: int,
    rp: ResolvedPeriod,
    order_by: str = "executions",
    descending: bool = True,
    limit: int = 10,
) -> list[LeaderboardEntry]:
    names = list(LEADERBOARD_METRICS.values())
    agents, by_agent = await asyncio.gather(
        ctx.loader(AgentsByWorkspaceLoader).load(workspace_id),
        _leaderboard_values(ctx, workspace_id, rp),
    )
    empty = {n: (None if n == "agent.avg_execution_ms" else 0) for n in names}

    def entry(a, rank: int = 0) -> LeaderboardEntry:
        v = by_agent.get(a.id, empty)
        return LeaderboardEntry(
            rank=rank,
            agent=a,
            executions=int(v["agent.executions"]),
            avg_duration_ms=v["agent.avg_execution_ms"],
            total_duration_ms=float(v["agent.total_execution_ms"]),
            shares=int(v["agent.shares"]),
            copies=int(v["agent.copies"]),
            unique_users=int(v["agent.execution_users"]),
        )

    entries = [entry(a) for a in agents]
    if order_by == "name":
        primary: Callable[[LeaderboardEntry], Any] = lambda e: e.agent.name.casefold()  # noqa: E731
    else:
        primary = lambda e: getattr(e, order_by)  # noqa: E731
    ranked = _ordered(entries, primary, lambda e: e.agent.id, descending)[:limit]
    return [replace(e, rank=i + 1) for i, e in enumerate(ranked)]
