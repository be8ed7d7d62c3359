"""Request-scoped loaders for missions and content (always within the caller's org).

`ContentStatsLoader` is the analytics workhorse: for (mission or whole org, period) it
returns every content item with activity in the period together with its summed
posts / impressions / engagements / clicks. One batch = one metric-engine query per
period (grouped by content id) and, for missions, their content rows, all in the
request's metric statement, whatever the number of missions asked for (org-wide, the
content rows that had events are read after the metrics, in a statement of their own).
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from dataclasses import dataclass
from typing import NamedTuple

from gateway.loaders import RequestLoader, in_key_order
from gateway.metrics import ResolvedPeriod, Scope, Via, totals
from gateway.missions import repository
from gateway.models import Content

CONTENT_METRICS = ("content.posts", "content.impressions", "content.engagements", "content.clicks")


class MissionByIdLoader(RequestLoader):
    async def batch_load_fn(self, keys):
        rows = await repository.missions_by_ids(self.ctx.db, self.ctx.principal.org_id, keys)
        return in_key_order(keys, rows, lambda m: m.id)


class MissionByKeyLoader(RequestLoader):
    """A mission by key, read with its KPIs and content status counts (one statement):
    they prime `KpisByMissionLoader` and `ContentStatusCountsByMissionLoader`, which a
    mission's dashboard asks next."""

    async def batch_load_fn(self, keys):
        found = await repository.mission_details_by_keys(
            self.ctx.db, self.ctx.principal.org_id, keys
        )
        kpis = self.ctx.loader(KpisByMissionLoader)
        counts = self.ctx.loader(ContentStatusCountsByMissionLoader)
        for d in found:
            kpis.prime(d.mission.id, d.kpis)
            counts.prime(d.mission.id, d.status_counts)
        return in_key_order(keys, [d.mission for d in found], lambda m: m.key)


class ContentByIdLoader(RequestLoader):
    async def batch_load_fn(self, keys):
        rows = await repository.contents_by_ids(self.ctx.db, self.ctx.principal.org_id, keys)
        return in_key_order(keys, rows, lambda c: c.id)


class ContentByKeyLoader(RequestLoader):
    async def batch_load_fn(self, keys):
        rows = await repository.contents_by_keys(self.ctx.db, self.ctx.principal.org_id, keys)
        return in_key_order(keys, rows, lambda c: c.key)


class KpisByMissionLoader(RequestLoader):
    """mission id -> its KPI rows (ordered by metric)."""

    async def batch_load_fn(self, keys):
        rows = await repository.kpis_by_missions(self.ctx.db, self.ctx.principal.org_id, keys)
        out: dict[int, list] = {k: [] for k in keys}
        for r in rows:
            out[r.mission_id].append(r)
        return [out[k] for k in keys]


class ContentStatusCountsByMissionLoader(RequestLoader):
    """mission id -> {content status: count} (current state, not period-bound)."""

    async def batch_load_fn(self, keys):
        rows = await repository.status_counts_by_missions(
            self.ctx.db, self.ctx.principal.org_id, keys
        )
        out: dict[int, dict[str, int]] = {k: {} for k in keys}
        for mission_id, status, n in rows:
            out[mission_id][status] = n
        return [out[k] for k in keys]


@dataclass(frozen=True)
class ContentStat:
    """One content item's sums over a period (events in the period)."""

    content: Content
    posts: int
    impressions: float
    engagements: float
    clicks: float


class ContentStatsKey(NamedTuple):
    mission_id: int | None  # None = every content item of the org
    period: ResolvedPeriod


class ContentStatsLoader(RequestLoader):
    """`ContentStatsKey` -> list[ContentStat] (content with any event in the period,
    ordered by content id)."""

    async def batch_load_fn(self, keys):
        org_id = self.ctx.principal.org_id
        by_period: dict[ResolvedPeriod, list[ContentStatsKey]] = {}
        for k in keys:
            by_period.setdefault(k.period, []).append(k)
        found: dict[ContentStatsKey, list[ContentStat]] = {}
        for period, part in by_period.items():
            missions = {k.mission_id for k in part}
            where = {} if None in missions else {"mission_id": sorted(missions)}
            scope = Scope(via=Via("content", group_col="id", where=where))
            if None in missions:  # org-wide: fetch only the content that had events
                values = await totals(self.ctx.db, org_id, list(CONTENT_METRICS), scope, period)
                ids = sorted(int(i) for i in values)
                rows = await repository.contents_by_ids(self.ctx.db, org_id, ids) if ids else []
            else:  # a few missions' content, read alongside their metrics
                values, rows = await asyncio.gather(
                    totals(self.ctx.db, org_id, list(CONTENT_METRICS), scope, period),
                    repository.contents_by_missions(self.ctx.db, org_id, sorted(missions)),
                )
                rows = [c for c in rows if c.id in values]
            stats = [_stat(c, values[c.id]) for c in sorted(rows, key=lambda c: c.id)]
            for k in part:
                found[k] = [s for s in stats if k.mission_id in (None, s.content.mission_id)]
        return [found[k] for k in keys]


def _stat(content: Content, v: dict[Hashable, float | int | None]) -> ContentStat:
    return ContentStat(
        content=content,
        posts=int(v["content.posts"] or 0),
        impressions=float(v["content.impressions"] or 0.0),
        engagements=float(v["content.engagements"] or 0.0),
        clicks=float(v["content.clicks"] or 0.0),
    )
