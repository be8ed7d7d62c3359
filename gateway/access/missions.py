"""AMP access rules: missions, content and AI-cost analytics are visible to any
authenticated member of the mission's org (AMP API keys are org-level). A mission or
content item of another org does not exist for the caller ("not found").

Used by the missions root fields, connections and `node` fetchers; every lookup goes
through the org-filtered loaders, so the org rule holds by construction and these
functions add the principal check and the not-found errors.
"""

from __future__ import annotations

from collections.abc import Sequence

from gateway.auth import Principal
from gateway.context import Context
from gateway.errors import NotFound, Unauthenticated
from gateway.missions.loaders import (
    ContentByIdLoader,
    ContentByKeyLoader,
    MissionByIdLoader,
    MissionByKeyLoader,
)
from gateway.models import Content, Mission


def can_read_missions(principal: Principal | None) -> bool:
    """Any authenticated org member may read AMP analytics."""
    return principal is not None


def _require(ctx: Context) -> None:
    if not can_read_missions(ctx.principal):
        raise Unauthenticated("Authentication required: send 'Authorization: Bearer <token>'.")


async def visible_missions(ctx: Context, ids: Sequence[int]) -> list[Mission | None]:
    """Missions by id in the caller's org (None where not visible), in id order."""
    if not can_read_missions(ctx.principal):
        return [None] * len(ids)
    return await ctx.loader(MissionByIdLoader).load_many(list(ids))


async def visible_contents(ctx: Context, ids: Sequence[int]) -> list[Content | None]:
    if not can_read_missions(ctx.principal):
        return [None] * len(ids)
    return await ctx.loader(ContentByIdLoader).load_many(list(ids))


async def mission_by_key(ctx: Context, key: str) -> Mission:
    """The caller's mission `key`, or NotFound (also for another org's key)."""
    _require(ctx)
    row = await ctx.loader(MissionByKeyLoader).load(key)
    if row is None:
        raise NotFound(f"No mission with id {key!r} in your organization.", field="key")
    return row


async def content_by_key(ctx: Context, key: str) -> Content:
    _require(ctx)
    row = await ctx.loader(ContentByKeyLoader).load(key)
    if row is None:
        raise NotFound(f"No content with id {key!r} in your organization.", field="key")
    return row
