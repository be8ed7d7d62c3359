"""Athena workspace access (seed 004: "Only workspace owners can access metrics").

Roles of the caller in a workspace of their org:
  * `owner`  — `workspaces.owner_id` is the caller, or their membership role is `owner`:
               sees the workspace, its lists and its metrics;
  * `member` — any other `workspace_members` row: sees the workspace and its lists
               (workflows, executions, threads), not its metrics (FORBIDDEN);
  * none     — same org, not a member: the workspace is forbidden ("This action is
               unauthorized.", as the legacy API answers with 403); `node(id:)` gives null.
A workspace of another org, or an unknown uuid, is "not found" (legacy 404).
Workflows, executions and threads inherit the role of their workspace.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.auth import Principal
from gateway.context import Context
from gateway.errors import Forbidden, NotFound
from gateway.workspaces import repository
from gateway.workspaces.loaders import (
    MemberRoleByWorkspaceLoader,
    WorkspaceByIdLoader,
    WorkspaceByUuidLoader,
)

OWNER = "owner"
MEMBER = "member"
UNAUTHORIZED = "This action is unauthorized."
METRICS_FORBIDDEN = "This action is unauthorized: only the workspace owner can read its metrics."


def role_of(principal: Principal, owner_id: int, member_role: str | None) -> str | None:
    """`owner`, `member` or None (not visible)."""
    if owner_id == principal.user_id or member_role == OWNER:
        return OWNER
    return MEMBER if member_role is not None else None


async def workspace_roles(ctx: Context, workspace_ids: Sequence[int]) -> dict[int, str]:
    """`{workspace_id: role}` for the workspaces the caller may see (others omitted)."""
    ids = list(dict.fromkeys(workspace_ids))
    # the rows' statement also reads the caller's memberships (it primes the role loader)
    rows = await ctx.loader(WorkspaceByIdLoader).load_many(ids)
    found = [(wid, row) for wid, row in zip(ids, rows, strict=True) if row is not None]
    members = await ctx.loader(MemberRoleByWorkspaceLoader).load_many([w for w, _ in found])
    out: dict[int, str] = {}
    for (wid, row), member_role in zip(found, members, strict=True):
        role = role_of(ctx.principal, row.owner_id, member_role)
        if role is not None:
            out[wid] = role
    return out


async def workspace_for_uuid(ctx: Context, uuid: str):
    """(workspace row, role) for `workspace(uuid:)`: NotFound for an unknown uuid or
    another org's workspace, Forbidden for a workspace of the org the caller is not in."""
    row = await ctx.loader(WorkspaceByUuidLoader).load(uuid.strip().lower())
    if row is None:
        raise NotFound("Workspace not found.", field="uuid")
    member_role = await ctx.loader(MemberRoleByWorkspaceLoader).load(row.id)
    role = role_of(ctx.principal, row.owner_id, member_role)
    if role is None:
        raise Forbidden(UNAUTHORIZED)
    return row, role


def can_read_metrics(role: str | None) -> bool:
    return role == OWNER


async def visible_workspaces(ctx: Context, **query) -> tuple[list[tuple[Any, str]], int]:
    """One page of the workspaces the caller owns or is a member of: ([(row, role)],
    total). `query`: see `repository.visible_workspaces`."""
    p = ctx.principal
    rows, total = await repository.visible_workspaces(ctx.db, p.org_id, p.user_id, **query)
    return [(w, role_of(p, w.owner_id, m) or MEMBER) for w, m in rows], total
