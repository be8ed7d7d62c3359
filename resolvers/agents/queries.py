"""Root fields of the agent platform: `agent`, `agents`, `agentPlatform`,
`agentUserMetrics`."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry.types import Info

from gateway.access.agents import check_user_metrics
from gateway.agents import repository
from gateway.agents.loaders import AgentByKeyLoader
from gateway.context import Context
from gateway.errors import InvalidInput, NotFound
from gateway.metrics import Preset
from gateway.metrics.periods import zone
from gateway.tenancy.loaders import UserByIdLoader, UserByUsernameLoader
from resolvers.agents.inputs import AgentKind, AgentOrder, AgentOrderDirection, AgentStatus
from resolvers.agents.types import Agent, AgentPlatform, AgentUserMetrics
from resolvers.common import PeriodInput, period_of
from resolvers.connections import Connection, page_args, paginate
from resolvers.node import decode_id
from resolvers.permissions import IsAuthenticated
from resolvers.tenancy.types import User


async def _user_row(ctx: Context, user: str):
    """A user of the caller's org by username or global `User` id, else NotFound."""
    row = None
    try:
        type_name, org_id, pk = decode_id(user)
    except InvalidInput:
        type_name = None
    if type_name == "User":
        if org_id == ctx.principal.org_id:
            row = await ctx.loader(UserByIdLoader).load(pk)
    else:
        row = await ctx.loader(UserByUsernameLoader).load(user)
    if row is None:
        raise NotFound(f"No user {user!r} in your org (give a username or a User id).")
    return row


@strawberry.type
class AgentsQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="An agent by its key (slug, mentor unique id or Athena uuid).",
    )
    async def agent(self, info: Info[Context, None], key: str) -> Agent:
        row = await info.context.loader(AgentByKeyLoader).load(key)
        if row is None:
            raise NotFound(f"No agent with key {key!r} in your org.")
        return Agent.from_row(row)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="The org's agents, filtered and sorted (ties broken by id).",
    )
    async def agents(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        kind: AgentKind | None = None,
        status: AgentStatus | None = None,
        owner_username: str | None = None,
        order_by: AgentOrder | None = None,
    ) -> Connection[Agent]:
        ctx = info.context
        page = page_args(first, after)
        order = order_by or AgentOrder()
        fetch = partial(
            repository.list_agents,
            ctx.db,
            ctx.principal.org_id,
            repository.AgentFilter(
                kind=kind.value if kind else None,
                status=status.value if status else None,
                owner_username=owner_username,
            ),
            order_field=order.field.value,
            descending=order.direction is AgentOrderDirection.DESC,
        )
        return await paginate(page, fetch, Agent.from_row)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Platform metrics (seed 002 `GET /api/metrics`): agents, messages, "
        "deployments, uptime, performance, storage. `timezone` sets today / this week / "
        "this month; `period` (default: the last 30 days in `timezone`) covers uptime and "
        "performance. `kind` limits agents to one kind (default PLATFORM; null = all).",
    )
    def agent_platform(
        self,
        info: Info[Context, None],
        kind: AgentKind | None = AgentKind.PLATFORM,
        timezone: str = "UTC",
        period: PeriodInput | None = None,
    ) -> AgentPlatform:
        zone(timezone)
        if period is None:
            period = PeriodInput(preset=Preset.LAST_30D, timezone=timezone)
        return AgentPlatform(kind=kind, timezone=timezone, rp=period_of(info, period))

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Agent history, performance and music summary of one user (seed 002 "
        "`userId`): give a username or a User id. Readable by that user and org admins. "
        "`timezone` sets buckets and calendar months; `kind` limits the user's agents to one "
        "kind (default PLATFORM; null = all).",
    )
    async def agent_user_metrics(
        self,
        info: Info[Context, None],
        user: str,
        kind: AgentKind | None = AgentKind.PLATFORM,
        timezone: str = "UTC",
    ) -> AgentUserMetrics:
        ctx = info.context
        zone(timezone)
        row = await _user_row(ctx, user)
        check_user_metrics(ctx, row.id, row.username)
        return AgentUserMetrics(
            user_id=user,
            user=User.from_row(row),
            kind=kind,
            timezone=timezone,
            user_pk=row.id,
        )
