"""Paging of content lists ordered by a metric over a period (PUBLISHED_AT and mission
orderings page in SQL, see `repository`).

Metric orderings read every matching content id (one statement) and their metric values
grouped by content id (one engine statement), sort in Python — descending or ascending
by value, items without a value last, ties by id ascending — and return one page of ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.context import Context
from gateway.metrics import ResolvedPeriod, Scope, Via, get_metric, totals
from gateway.metrics.engine import empty_value
from gateway.missions import repository
from gateway.missions.repository import ContentFilter


@dataclass(frozen=True)
class IdPage:
    ids: list[int]  # the page (possibly one extra id beyond `limit`)
    total_count: int


def content_scope(f: ContentFilter, group_col: str | None = None) -> Scope:
    """The engine scope of the content matching `f` (grouped by `group_col` if set)."""
    where: dict[str, list] = {}
    if f.mission_id is not None:
        where["mission_id"] = [f.mission_id]
    for col, values in (
        ("platform", f.platforms),
        ("type", f.types),
        ("pillar", f.pillars),
        ("status", f.statuses),
    ):
        if values is not None:
            where[col] = list(values)
    if not where and group_col is None:
        return Scope()
    return Scope(via=Via("content", group_col=group_col, where=where))


async def content_ids_by_metric(
    ctx: Context,
    f: ContentFilter,
    metric: str,
    period: ResolvedPeriod,
    descending: bool,
    offset: int,
    limit: int,
) -> IdPage:
    org_id = ctx.principal.org_id
    ids = await repository.content_ids(ctx.db, org_id, f)
    if not ids:
        return IdPage([], 0)
    values = await totals(ctx.db, org_id, [metric], content_scope(f, "id"), period)
    empty = empty_value(get_metric(metric))
    sign = -1 if descending else 1

    def key(i: int):
        v = values[i][metric] if i in values else empty
        return (v is None, 0 if v is None else sign * v, i)

    ordered = sorted(ids, key=key)
    return IdPage(ordered[offset : offset + limit + 1], len(ids))
