"""Root fields of the Athena domain: `workspace(uuid:)`, `workspaces`, `workflow(key:)`."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry.types import Info

from gateway.access import workspaces as access
from gateway.context import Context
from gateway.errors import Forbidden, NotFound
from gateway.workspaces import service
from gateway.workspaces.loaders import WorkflowByKeyLoader
from resolvers.connections import Connection, page_args, paginate
from resolvers.permissions import IsAuthenticated
from resolvers.workspaces.inputs import WorkspaceRole, WorkspaceSort
from resolvers.workspaces.types import Workflow, Workspace, leaderboard_periods


@strawberry.type
class WorkspacesQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="A workspace by uuid. NOT_FOUND for an unknown uuid (or another org's); "
        "FORBIDDEN when you are neither its owner nor a member.",
    )
    async def workspace(self, info: Info[Context, None], uuid: str) -> Workspace | None:
        periods = leaderboard_periods(info)
        if periods:  # the lookup reads the leaderboard's agents and values with it
            await service.read_with_leaderboards(info.context, uuid, periods)
        row, role = await access.workspace_for_uuid(info.context, uuid)
        return Workspace.from_row(row, role)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Workspaces you own or are a member of (`role` narrows to one of the two).",
    )
    async def workspaces(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        role: WorkspaceRole | None = None,
        search: str | None = None,
        order_by: WorkspaceSort = WorkspaceSort.CREATED_AT_DESC,
    ) -> Connection[Workspace]:
        page = page_args(first, after)
        order, desc = order_by.value
        fetch = partial(
            access.visible_workspaces,
            info.context,
            owned_only=None if role is None else role is WorkspaceRole.OWNER,
            search=search,
            order=order,
            descending=desc,
        )
        return await paginate(page, fetch, lambda row: Workspace.from_row(*row))

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="A workflow by key. NOT_FOUND when unknown; FORBIDDEN when you are not "
        "in its workspace.",
    )
    async def workflow(self, info: Info[Context, None], key: str) -> Workflow | None:
        ctx = info.context
        row = await ctx.loader(WorkflowByKeyLoader).load(key)
        if row is None:
            raise NotFound("Workflow not found.", field="key")
        roles = await access.workspace_roles(ctx, [row.workspace_id])
        if row.workspace_id not in roles:
            raise Forbidden(access.UNAUTHORIZED)
        return Workflow.from_row(row, roles[row.workspace_id])
