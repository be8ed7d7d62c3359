"""Request-scoped loaders for Athena entities (always within the caller's org)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from gateway.loaders import RequestLoader, in_key_order
from gateway.workspaces import repository
from gateway.workspaces.repository import ListSpec


def _org(loader: RequestLoader) -> int:
    return loader.ctx.principal.org_id


def _with_roles(loader: RequestLoader, found: list[tuple]) -> list:
    """The workspace rows; the caller's membership roles (read in the same statement)
    prime `MemberRoleByWorkspaceLoader`, so the access check sends no statement."""
    roles = loader.ctx.loader(MemberRoleByWorkspaceLoader)
    for w, role in found:
        roles.prime(w.id, role)
    return [w for w, _ in found]


class WorkspaceByIdLoader(RequestLoader):
    async def batch_load_fn(self, keys):
        p = self.ctx.principal
        found = await repository.workspaces_by_ids(self.ctx.db, p.org_id, p.user_id, keys)
        return in_key_order(keys, _with_roles(self, found), lambda w: w.id)


class WorkspaceByUuidLoader(RequestLoader):
    async def batch_load_fn(self, keys):
        p = self.ctx.principal
        found = await repository.workspaces_by_uuids(self.ctx.db, p.org_id, p.user_id, keys)
        return in_key_order(keys, _with_roles(self, found), lambda w: w.uuid)


class MemberRoleByWorkspaceLoader(RequestLoader):
    """Workspace id -> the caller's membership role there, or None."""

    async def batch_load_fn(self, keys):
        p = self.ctx.principal
        roles = await repository.member_roles(self.ctx.db, p.org_id, p.user_id, keys)
        return [roles.get(k) for k in keys]


class WorkflowByIdLoader(RequestLoader):
    async def batch_load_fn(self, keys):
        rows = await repository.workflows_by_ids(self.ctx.db, _org(self), keys)
        return in_key_order(keys, rows, lambda w: w.id)


class WorkflowByKeyLoader(RequestLoader):
    async def batch_load_fn(self, keys):
        rows = await repository.workflows_by_keys(self.ctx.db, _org(self), keys)
        return in_key_order(keys, rows, lambda w: w.key)


class ExecutionByIdLoader(RequestLoader):
    """Execution id -> (execution row, workspace id) or None."""

    async def batch_load_fn(self, keys):
        rows = await repository.executions_by_ids(self.ctx.db, _org(self), keys)
        return in_key_order(keys, rows, lambda r: r[0].id)


class ThreadByIdLoader(RequestLoader):
    async def batch_load_fn(self, keys):
        rows = await repository.threads_by_ids(self.ctx.db, _org(self), keys)
        return in_key_order(keys, rows, lambda t: t.id)


class AgentsByWorkspaceLoader(RequestLoader):
    """Workspace id -> its agents (ordered by id)."""

    async def batch_load_fn(self, keys):
        rows = await repository.agents_of_workspaces(self.ctx.db, _org(self), keys)
        out: dict[int, list] = {k: [] for k in keys}
        for a in rows:
            out[a.workspace_id].append(a)
        return [out[k] for k in keys]


class ListKey(NamedTuple):
    parent_id: int
    spec: ListSpec


class ListPageLoader(RequestLoader):
    """`ListKey` -> (page rows, total): one statement per distinct spec, all parents."""

    async def batch_load_fn(self, keys):
        by_spec: dict[ListSpec, list[int]] = {}
        for k in keys:
            by_spec.setdefault(k.spec, []).append(k.parent_id)
        found = {}
        for spec, parents in by_spec.items():
            pages = await repository.list_pages(
                self.ctx.db, _org(self), spec, list(dict.fromkeys(parents))
            )
            for pid, page in pages.items():
                found[ListKey(pid, spec)] = page
        return [found[k] for k in keys]


class RunningKey(NamedTuple):
    workspace_id: int
    start: datetime
    end: datetime


class RunningExecutionsLoader(RequestLoader):
    """`RunningKey` -> running executions started in the range (one statement per range)."""

    async def batch_load_fn(self, keys):
        by_range: dict[tuple, list[int]] = {}
        for k in keys:
            by_range.setdefault((k.start, k.end), []).append(k.workspace_id)
        found = {}
        for (start, end), ids in by_range.items():
            counts = await repository.running_executions(self.ctx.db, _org(self), ids, start, end)
            for wid in ids:
                found[RunningKey(wid, start, end)] = counts.get(wid, 0)
        return [found[k] for k in keys]
