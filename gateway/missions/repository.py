"""SQL for AMP missions, KPIs, budgets and content. Every query is scoped by `org_id`
and batched with `= ANY(...)`; event-derived numbers are NOT read here (they come from
the metric engine)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from gateway.context import RequestSession
from gateway.metrics.batch import MetricBatch
from gateway.models import Budget, Content, Mission, MissionKpi


@dataclass(frozen=True)
class ContentFilter:
    """Which content a list covers (None = no restriction)."""

    mission_id: int | None = None
    platforms: tuple[str, ...] | None = None
    types: tuple[str, ...] | None = None
    pillars: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None


def _content_where(org_id: int, f: ContentFilter) -> list:
    conds = [Content.org_id == org_id]
    if f.mission_id is not None:
        conds.append(Content.mission_id == f.mission_id)
    for col, values in (
        (Content.platform, f.platforms),
        (Content.type, f.types),
        (Content.pillar, f.pillars),
        (Content.status, f.statuses),
    ):
        if values is not None:
            conds.append(col.in_(list(values)))
    return conds


# --- missions ---------------------------------------------------------------------------


async def missions_by_ids(db: RequestSession, org_id: int, ids: Sequence[int]) -> list[Mission]:
    stmt = select(Mission).where(Mission.org_id == org_id, Mission.id.in_(list(ids)))
    return list(await db.scalars(stmt))


@dataclass(frozen=True)
class MissionDetails:
    """A mission with its KPI rows (ordered by metric) and its content's status counts."""

    mission: Mission
    kpis: list[MissionKpi]
    status_counts: dict[str, int]


async def mission_details_by_keys(
    db: RequestSession, org_id: int, keys: Sequence[str]
) -> list[MissionDetails]:
    """The missions of `keys` with their KPIs and content status counts: one statement
    (what a mission's dashboard reads besides metrics; each part is an index scan)."""
    k = MissionKpi
    metrics = (
        select(func.array_agg(aggregate_order_by(k.metric, k.metric)))
        .where(k.org_id == org_id, k.mission_id == Mission.id)
        .scalar_subquery()
    )
    targets = (
        select(func.array_agg(aggregate_order_by(k.target, k.metric)))
        .where(k.org_id == org_id, k.mission_id == Mission.id)
        .scalar_subquery()
    )
    per_status = (
        select(Content.status.label("status"), func.count().label("n"))
        .where(Content.org_id == org_id, Content.mission_id == Mission.id)
        .group_by(Content.status)
        .correlate(Mission)
        .subquery()
        .lateral()
    )
    counts = (
        select(func.jsonb_object_agg(per_status.c.status, per_status.c.n))
        .select_from(per_status)
        .scalar_subquery()
    )
    stmt = select(Mission, metrics, targets, counts).where(
        Mission.org_id == org_id, Mission.key.in_(list(keys))
    )
    out = []
    for m, names, values, by_status in (await db.execute(stmt)).all():
        kpis = [
            MissionKpi(org_id=org_id, mission_id=m.id, metric=name, target=target)
            for name, target in zip(names or [], values or [], strict=True)
        ]
        out.append(MissionDetails(m, kpis, {st: int(n) for st, n in (by_status or {}).items()}))
    return out


MISSION_ORDER = {
    "ID": Mission.id,
    "START_DATE": Mission.start_date,
    "END_DATE": Mission.end_date,
    "NAME": Mission.name,
    "CREATED_AT": Mission.created_at,
}


async def list_missions(
    db: RequestSession,
    org_id: int,
    statuses: Sequence[str] | None,
    order: str,
    descending: bool,
    offset: int,
    limit: int,
) -> tuple[list[Mission], int]:
    """One page of missions (ties broken by id) and the total count."""
    conds = [Mission.org_id == org_id]
    if statuses:
        conds.append(Mission.status.in_(list(statuses)))
    total = await db.scalar(select(func.count()).select_from(Mission).where(*conds))
    col = MISSION_ORDER[order]
    keys = [col.desc(), Mission.id.desc()] if descending else [col.asc(), Mission.id.asc()]
    stmt = select(Mission).where(*conds).order_by(*keys).offset(offset).limit(limit + 1)
    return list(await db.scalars(stmt)), int(total or 0)


async def count_missions(db: RequestSession, org_id: int) -> int:
    """Every mission of the org, any status."""
    stmt = select(func.count()).select_from(Mission).where(Mission.org_id == org_id)
    return int(await db.scalar(stmt) or 0)


async def count_active_missions(db: RequestSession, org_id: int, start: date, end: date) -> int:
    """Missions with status `active` whose date range overlaps [start, end] (inclusive)."""
    stmt = (
        select(func.count())
        .select_from(Mission)
        .where(
            Mission.org_id == org_id,
            Mission.status == "active",
            Mission.start_date <= end,
            Mission.end_date >= start,
        )
    )
    return int(await db.scalar(stmt) or 0)


async def kpis_by_missions(
    db: RequestSession, org_id: int, mission_ids: Sequence[int]
) -> list[MissionKpi]:
    stmt = (
        select(MissionKpi)
        .where(MissionKpi.org_id == org_id, MissionKpi.mission_id.in_(list(mission_ids)))
        .order_by(MissionKpi.mission_id, MissionKpi.metric)
    )
    return list(await db.scalars(stmt))


async def org_budgets(db: RequestSession, org_id: int, first: date, last: date) -> list[Budget]:
    """Org-level (mission_id NULL) monthly budgets for months `first`..`last` (1st days)."""
    stmt = (
        select(Budget)
        .where(
            Budget.org_id == org_id,
            Budget.mission_id.is_(None),
            Budget.month >= first,
            Budget.month <= last,
        )
        .order_by(Budget.month)
    )
    return list(await db.scalars(stmt))


# --- content ----------------------------------------------------------------------------


async def contents_by_ids(db: RequestSession, org_id: int, ids: Sequence[int]) -> list[Content]:
    stmt = select(Content).where(Content.org_id == org_id, Content.id.in_(list(ids)))
    return list(await db.scalars(stmt))


async def contents_by_missions(
    db: RequestSession, org_id: int, mission_ids: Sequence[int]
) -> list[Content]:
    """The content of the missions, read in the request's metric statement
    (`MetricBatch.run_raw`): the mission analytics ask for it together with the
    content's metrics. The rows come back as JSON, returned as (transient) `Content`s."""

    return await MetricBatch.of(db).run_rows(Content, org_id, "mission_id", list(mission_ids))


async def contents_by_keys(db: RequestSession, org_id: int, keys: Sequence[str]) -> list[Content]:
    stmt = select(Content).where(Content.org_id == org_id, Content.key.in_(list(keys)))
    return list(await db.scalars(stmt))


async def status_counts_by_missions(
    db: RequestSession, org_id: int, mission_ids: Sequence[int]
) -> list[tuple[int, str, int]]:
    """(mission_id, content status, count) for the given missions."""
    stmt = (
        select(Content.mission_id, Content.status, func.count())
        .where(Content.org_id == org_id, Content.mission_id.in_(list(mission_ids)))
        .group_by(Content.mission_id, Content.status)
    )
    return [tuple(r) for r in (await db.execute(stmt)).all()]


async def count_contents(db: RequestSession, org_id: int, f: ContentFilter) -> int:
    stmt = select(func.count()).select_from(Content).where(*_content_where(org_id, f))
    return int(await db.scalar(stmt) or 0)


async def list_contents_by_published(
    db: RequestSession, org_id: int, f: ContentFilter, descending: bool, offset: int, limit: int
) -> list[Content]:
    """A page ordered by published_at (unpublished last), ties by id."""
    if descending:
        keys = [Content.published_at.desc().nulls_last(), Content.id.desc()]
    else:
        keys = [Content.published_at.asc().nulls_last(), Content.id.asc()]
    stmt = (
        select(Content)
        .where(*_content_where(org_id, f))
        .order_by(*keys)
        .offset(offset)
        .limit(limit + 1)
    )
    return list(await db.scalars(stmt))


async def content_ids(db: RequestSession, org_id: int, f: ContentFilter) -> list[int]:
    """Every matching content id, ascending (for orderings computed from metrics)."""
    stmt = select(Content.id).where(*_content_where(org_id, f)).order_by(Content.id)
    return list(await db.scalars(stmt))


async def created_counts_by_mission(
    db: RequestSession, org_id: int, start: datetime, end: datetime
) -> dict[int, int]:
    """{mission_id: content items created in [start, end)}."""
    stmt = (
        select(Content.mission_id, func.count())
        .where(Content.org_id == org_id, Content.created_at >= start, Content.created_at < end)
        .group_by(Content.mission_id)
    )
    return {int(m): int(n) for m, n in (await db.execute(stmt)).all()}


async def published_since(
    db: RequestSession, org_id: int, since: datetime, until: datetime, limit: int
) -> list[Content]:
    """Content published in [since, until), newest first (ties by id)."""
    stmt = (
        select(Content)
        .where(
            Content.org_id == org_id,
            Content.published_at >= since,
            Content.published_at < until,
        )
        .order_by(Content.published_at.desc(), Content.id.desc())
        .limit(limit)
    )
    return list(await db.scalars(stmt))


async def next_scheduled(
    db: RequestSession, org_id: int, after: datetime, limit: int
) -> list[Content]:
    """Scheduled content due after `after`, soonest first (ties by id)."""
    stmt = (
        select(Content)
        .where(
            Content.org_id == org_id,
            Content.status == "scheduled",
            Content.scheduled_for >= after,
        )
        .order_by(Content.scheduled_for.asc(), Content.id.asc())
        .limit(limit)
    )
    return list(await db.scalars(stmt))
