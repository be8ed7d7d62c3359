"""SQL for Athena entities. Every query is filtered by `org_id` and batched over keys.

Lists under a parent (workflows / executions / threads of a workspace, executions of a
workflow, messages of a thread) are read for MANY parents in one statement with
`row_number() OVER (PARTITION BY parent ...)`, so a connection under 50 workspaces costs
the same as under one. Every ordering ends with the primary key (stable cursors).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import aliased

from gateway.context import RequestSession
from gateway.metrics.batch import MetricBatch
from gateway.metrics.compile import Params
from gateway.metrics.scope import Lookup
from gateway.models import (
    Agent,
    Message,
    Thread,
    Workflow,
    WorkflowExecution,
    Workspace,
    WorkspaceMember,
)
from gateway.models.base import from_json


def _member_role(org_id: int, user_id: int):
    return (
        select(WorkspaceMember.role)
        .where(
            WorkspaceMember.org_id == org_id,
            WorkspaceMember.workspace_id == Workspace.id,
            WorkspaceMember.user_id == user_id,
        )
        .scalar_subquery()
    )


async def workspaces_by_ids(
    db: RequestSession, org_id: int, user_id: int, ids: Sequence[int]
) -> list[tuple[Workspace, str | None]]:
    """(workspace, `user_id`'s membership role there or None) for the ids of the org."""
    stmt = select(Workspace, _member_role(org_id, user_id)).where(
        Workspace.org_id == org_id, Workspace.id.in_(list(ids))
    )
    return [(w, role) for w, role in (await db.execute(stmt)).all()]


async def workspaces_by_uuids(
    db: RequestSession, org_id: int, user_id: int, uuids: Sequence[str]
) -> list[tuple[Workspace, str | None]]:
    """(workspace, `user_id`'s membership role there or None) for the uuids of the org."""
    stmt = select(Workspace, _member_role(org_id, user_id)).where(
        Workspace.org_id == org_id, Workspace.uuid.in_(list(uuids))
    )
    return [(w, role) for w, role in (await db.execute(stmt)).all()]


def workspaces_lookup(org_id: int, user_id: int, uuids: Sequence[str]) -> Lookup:
    """The workspaces of `uuids` in the org with `user_id`'s membership role, as a lookup
    of the request's metric statement (`read_lookup` returns its rows) whose `id` is the
    workspace id where `user_id` owns the workspace (`workspaces.owner_id`, or the
    membership role `owner`: who may read its metrics, see `gateway.access.workspaces`),
    NULL elsewhere — so metrics scoped by it are read for owners only."""

    def build(p: Params) -> str:
        user = p(user_id)
        role = (
            "(SELECT m.role FROM workspace_members m WHERE m.org_id = w.org_id"
            f" AND m.workspace_id = w.id AND m.user_id = {user})"
        )
        return (
            f"SELECT row_to_json(w) AS workspace, {role} AS role,"
            f" CASE WHEN w.owner_id = {user} OR {role} = 'owner' THEN w.id END AS id, 0 AS o"
            f" FROM workspaces w WHERE w.org_id = {p(org_id)}"
            f" AND w.uuid = ANY({p(list(uuids))})"
        )

    return Lookup(build)


async def read_lookup(db: RequestSession, lookup: Lookup) -> list[tuple[Workspace, str | None]]:
    """(workspace, the user's membership role or None) of a `workspaces_lookup`, read in
    the request's metric statement."""
    rows = [json.loads(g, parse_float=Decimal) for g in await MetricBatch.of(db).run_lookup(lookup)]
    return [(from_json(Workspace, r["workspace"]), r["role"]) for r in rows]


async def member_roles(
    db: RequestSession, org_id: int, user_id: int, workspace_ids: Sequence[int]
) -> dict[int, str]:
    """`{workspace_id: role}` of `user_id`'s memberships among `workspace_ids`."""
    stmt = select(WorkspaceMember.workspace_id, WorkspaceMember.role).where(
        WorkspaceMember.org_id == org_id,
        WorkspaceMember.user_id == user_id,
        WorkspaceMember.workspace_id.in_(list(workspace_ids)),
    )
    return {wid: role for wid, role in (await db.execute(stmt)).all()}


async def visible_workspaces(
    db: RequestSession,
    org_id: int,
    user_id: int,
    *,
    owned_only: bool | None,
    search: str | None,
    order: str,
    descending: bool,
    offset: int,
    limit: int,
) -> tuple[list[tuple[Workspace, str | None]], int]:
    """Workspaces `user_id` owns or is a member of: ([(row, member_role)], total).
    `owned_only`: True = owned, False = member but not owner, None = both."""
    m = aliased(WorkspaceMember)
    joined = and_(
        m.org_id == Workspace.org_id, m.workspace_id == Workspace.id, m.user_id == user_id
    )
    owner = or_(Workspace.owner_id == user_id, m.role == "owner")
    conds = [Workspace.org_id == org_id, or_(Workspace.owner_id == user_id, m.user_id.is_not(None))]
    if owned_only is True:
        conds.append(owner)
    elif owned_only is False:
        conds.append(~owner)
    if search:
        conds.append(Workspace.name.ilike(f"%{_like(search)}%"))
    col = Workspace.name if order == "name" else Workspace.created_at
    stmt = (
        select(Workspace, m.role, func.count().over().label("total"))
        .outerjoin(m, joined)
        .where(*conds)
        .order_by(col.desc() if descending else col.asc(), Workspace.id.asc())
        .offset(offset)
        .limit(limit + 1)
    )
    rows = (await db.execute(stmt)).all()
    if rows:
        return [(r[0], r[1]) for r in rows], rows[0][2]
    count = select(func.count()).select_from(Workspace).outerjoin(m, joined).where(*conds)
    return [], int(await db.scalar(count) or 0)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def workflows_by_ids(db: RequestSession, org_id: int, ids: Sequence[int]) -> list[Workflow]:
    stmt = select(Workflow).where(Workflow.org_id == org_id, Workflow.id.in_(list(ids)))
    return list(await db.scalars(stmt))


async def workflows_by_keys(db: RequestSession, org_id: int, keys: Sequence[str]) -> list[Workflow]:
    stmt = select(Workflow).where(Workflow.org_id == org_id, Workflow.key.in_(list(keys)))
    return list(await db.scalars(stmt))


async def executions_by_ids(
    db: RequestSession, org_id: int, ids: Sequence[int]
) -> list[tuple[WorkflowExecution, int]]:
    """[(execution, workspace_id)]."""
    stmt = (
        select(WorkflowExecution, Workflow.workspace_id)
        .join(Workflow, _exec_join())
        .where(WorkflowExecution.org_id == org_id, WorkflowExecution.id.in_(list(ids)))
    )
    return [(r[0], r[1]) for r in (await db.execute(stmt)).all()]


async def threads_by_ids(db: RequestSession, org_id: int, ids: Sequence[int]) -> list[Thread]:
    stmt = select(Thread).where(Thread.org_id == org_id, Thread.id.in_(list(ids)))
    return list(await db.scalars(stmt))


async def agents_of_workspaces(
    db: RequestSession, org_id: int, workspace_ids: Sequence[int] | Lookup
) -> list[Agent]:
    """The agents of the workspaces (ordered by id; the ids may be a lookup's), read in
    the request's metric statement (`MetricBatch.run_raw`): the agent leaderboard asks
    for them together with their metrics. The rows come back as JSON and are returned as
    (transient) `Agent`s."""

    rows = await MetricBatch.of(db).run_rows(Agent, org_id, "workspace_id", workspace_ids)
    return sorted(rows, key=lambda a: a.id)


async def running_executions(
    db: RequestSession,
    org_id: int,
    workspace_ids: Sequence[int],
    start: datetime,
    end: datetime,
) -> dict[int, int]:
    """`{workspace_id: executions with status running that started in [start, end)}`."""
    stmt = (
        select(Workflow.workspace_id, func.count())
        .select_from(WorkflowExecution)
        .join(Workflow, _exec_join())
        .where(
            WorkflowExecution.org_id == org_id,
            Workflow.workspace_id.in_(list(workspace_ids)),
            WorkflowExecution.status == "running",
            WorkflowExecution.started_at >= start,
            WorkflowExecution.started_at < end,
        )
        .group_by(Workflow.workspace_id)
    )
    return {wid: int(n) for wid, n in (await db.execute(stmt)).all()}


def _exec_join():
    return and_(
        Workflow.org_id == WorkflowExecution.org_id, Workflow.id == WorkflowExecution.workflow_id
    )


# --- lists under a parent ------------------------------------------------------------


@dataclass(frozen=True)
class ListSpec:
    """One page of a list under a parent. `kind` names the list (see `_LISTS`), `filters`
    are (name, value) pairs of that list's filters, `order` one of its orderings."""

    kind: str
    filters: tuple[tuple[str, Any], ...] = ()
    order: str = "created_at"
    descending: bool = True
    offset: int = 0
    limit: int = 20


def _filter_conds(kind: str, filters: tuple[tuple[str, Any], ...]) -> list[Any]:
    conds: list[Any] = []
    for name, value in filters:
        if value is None:
            continue
        if kind == "workflows":
            if name == "search":
                conds.append(Workflow.name.ilike(f"%{_like(value)}%"))
            elif name == "created_by":
                conds.append(Workflow.created_by == value)
        elif kind in ("executions", "workspace_executions"):
            col = {
                "status": WorkflowExecution.status,
                "user_id": WorkflowExecution.user_id,
                "workflow_id": WorkflowExecution.workflow_id,
            }.get(name)
            if col is not None:
                conds.append(col == value)
            elif name == "started_from":
                conds.append(WorkflowExecution.started_at >= value)
            elif name == "started_before":
                conds.append(WorkflowExecution.started_at < value)
        elif kind == "threads":
            col = {"user_id": Thread.user_id, "agent_id": Thread.agent_id}.get(name)
            if col is not None:
                conds.append(col == value)
        elif kind == "messages" and name == "role":
            conds.append(Message.role == value)
    return conds


def _list_source(kind: str) -> tuple[type, Any, dict[str, Any], Any]:
    """(model, parent expression, orderable columns, extra join or None)."""
    if kind == "workflows":
        return (
            Workflow,
            Workflow.workspace_id,
            {"name": Workflow.name, "created_at": Workflow.created_at},
            None,
        )
    if kind in ("executions", "workspace_executions"):
        cols = {
            "started_at": WorkflowExecution.started_at,
            "duration": WorkflowExecution.duration_ms,
        }
        if kind == "executions":
            return WorkflowExecution, WorkflowExecution.workflow_id, cols, None
        return WorkflowExecution, Workflow.workspace_id, cols, Workflow
    if kind == "threads":
        return (
            Thread,
            Thread.workspace_id,
            {"created_at": Thread.created_at, "title": Thread.title},
            None,
        )
    if kind == "messages":
        return Message, Message.thread_id, {"created_at": Message.created_at}, None
    raise ValueError(kind)


async def list_pages(
    db: RequestSession, org_id: int, spec: ListSpec, parent_ids: Sequence[int]
) -> dict[int, tuple[list[Any], int]]:
    """`{parent_id: (rows of the page + at most one extra, total count)}` in one statement.
    The first row of each parent is always read so its total is known past the end."""
    model, parent, orderable, join = _list_source(spec.kind)
    col = orderable[spec.order]
    ordering = (col.desc() if spec.descending else col.asc()).nulls_last()
    window = {"partition_by": parent}
    inner = select(
        model,
        parent.label("parent"),
        func.row_number().over(order_by=[ordering, model.id.asc()], **window).label("rn"),
        func.count().over(**window).label("total"),
    )
    if join is not None:
        inner = inner.join(Workflow, _exec_join())
    inner = inner.where(
        model.org_id == org_id,
        parent.in_(list(parent_ids)),
        *_filter_conds(spec.kind, spec.filters),
    ).subquery()
    row = aliased(model, inner)
    stmt = (
        select(row, inner.c.parent, inner.c.rn, inner.c.total)
        .where(
            or_(
                and_(inner.c.rn > spec.offset, inner.c.rn <= spec.offset + spec.limit + 1),
                inner.c.rn == literal(1),
            )
        )
        .order_by(inner.c.parent, inner.c.rn)
    )
    out: dict[int, tuple[list[Any], int]] = {pid: ([], 0) for pid in parent_ids}
    for obj, pid, rn, total in (await db.execute(stmt)).all():
        rows, _ = out[pid]
        if rn > spec.offset:
            rows.append(obj)
        out[pid] = (rows, int(total))
    return out
