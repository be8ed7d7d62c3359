"""Access rules of the agent platform (seed 002).

* Agents, the platform metrics and per-agent metrics: any authenticated member of the
  agent's org (an agent of another org is not found).
* A user's agent history, performance and music summary: that user or an org admin;
  another member gets FORBIDDEN, a user of another org is not found.
"""

from __future__ import annotations

from collections.abc import Sequence

from gateway.agents.loaders import AgentByIdLoader
from gateway.context import Context
from gateway.errors import Forbidden


async def visible_agents(ctx: Context, ids: Sequence[int]) -> list:
    """Agent rows for `ids` in key order; None for what the caller may not see. Loaders
    are already scoped to the caller's org, and every org member may see its agents."""
    if ctx.principal is None:
        return [None] * len(ids)
    return await ctx.loader(AgentByIdLoader).load_many(list(ids))


def may_view_user_metrics(ctx: Context, user_id: int) -> bool:
    p = ctx.principal
    return p is not None and (p.user_id == user_id or p.is_admin)


def check_user_metrics(ctx: Context, user_id: int, username: str) -> None:
    """Raise Forbidden unless the caller is the user or an org admin (the user row must
    already have been found in the caller's org)."""
    if not may_view_user_metrics(ctx, user_id):
        raise Forbidden(
            f"Only {username} or an org admin may read {username}'s agent metrics.",
        )
