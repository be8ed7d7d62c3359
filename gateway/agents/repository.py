"""SQL for agents, deployments, skills, bookings and fans. Every query is scoped by
`org_id`; batched reads take lists of keys (`IN` / `= ANY`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Select, func, select, text

from gateway.context import RequestSession
from gateway.models import Agent, Booking, Deployment, Skill, User

ORDER_COLUMNS = {
    "CREATED_AT": Agent.created_at,
    "NAME": Agent.name,
    "KEY": Agent.key,
    "STORAGE": Agent.storage_mb,
}


async def agents_by_ids(db: RequestSession, org_id: int, ids: Sequence[int]) -> list[Agent]:
    stmt = select(Agent).where(Agent.org_id == org_id, Agent.id.in_(list(ids)))
    return list(await db.scalars(stmt))


async def agents_by_keys(db: RequestSession, org_id: int, keys: Sequence[str]) -> list[Agent]:
    stmt = select(Agent).where(Agent.org_id == org_id, Agent.key.in_(list(keys)))
    return list(await db.scalars(stmt))


@dataclass(frozen=True)
class AgentFilter:
    kind: str | None = None
    status: str | None = None
    owner_username: str | None = None


def _filtered(stmt: Select, org_id: int, f: AgentFilter) -> Select:
    stmt = stmt.where(Agent.org_id == org_id)
    if f.kind is not None:
        stmt = stmt.where(Agent.kind == f.kind)
    if f.status is not None:
        stmt = stmt.where(Agent.status == f.status)
    if f.owner_username is not None:
        owner = select(User.id).where(User.org_id == org_id, User.username == f.owner_username)
        stmt = stmt.where(Agent.owner_id.in_(owner.scalar_subquery()))
    return stmt


async def list_agents(
    db: RequestSession,
    org_id: int,
    f: AgentFilter,
    *,
    order_field: str,
    descending: bool,
    offset: int,
    limit: int,
) -> tuple[list[Agent], int]:
    """One page of agents (ties broken by id in the same direction) and the total count,
    in one statement (`count(*) OVER ()`)."""
    col = ORDER_COLUMNS[order_field]
    order = [col.desc(), Agent.id.desc()] if descending else [col.asc(), Agent.id.asc()]
    stmt = (
        _filtered(select(Agent, func.count().over().label("total")), org_id, f)
        .order_by(*order)
        .offset(offset)
        .limit(limit + 1)
    )
    rows = (await db.execute(stmt)).all()
    if rows:
        return [r[0] for r in rows], rows[0][1]
    if offset == 0:
        return [], 0
    # past the end: the window count is not available, ask for it
    total = await db.scalar(_filtered(select(func.count()).select_from(Agent), org_id, f))
    return [], int(total or 0)


@dataclass(frozen=True)
class DeploymentCounts:
    total: int = 0
    successful: int = 0
    failed: int = 0


def _deployment_columns():
    return (
        func.count(),
        func.count().filter(Deployment.status == "successful"),
        func.count().filter(Deployment.status == "failed"),
    )


async def deployment_counts(
    db: RequestSession, org_id: int, agent_ids: Sequence[int]
) -> dict[int, DeploymentCounts]:
    stmt = (
        select(Deployment.agent_id, *_deployment_columns())
        .where(Deployment.org_id == org_id, Deployment.agent_id.in_(list(agent_ids)))
        .group_by(Deployment.agent_id)
    )
    return {r[0]: DeploymentCounts(r[1], r[2], r[3]) for r in await db.execute(stmt)}


@dataclass(frozen=True)
class AgentCounts:
    total: int
    active: int
    inactive: int
    failed: int
    storage_used_mb: int


async def agent_counts(db: RequestSession, org_id: int, kind: str | None) -> AgentCounts:
    """Agents by status and their summed storage (MB), for one kind or all kinds."""
    stmt = _filtered(
        select(
            func.count(),
            func.count().filter(Agent.status == "active"),
            func.count().filter(Agent.status == "inactive"),
            func.count().filter(Agent.status == "failed"),
            func.coalesce(func.sum(Agent.storage_mb), 0),
        ),
        org_id,
        AgentFilter(kind=kind),
    )
    r = (await db.execute(stmt)).one()
    return AgentCounts(r[0], r[1], r[2], r[3], int(r[4]))


async def org_deployment_counts(
    db: RequestSession, org_id: int, kind: str | None
) -> DeploymentCounts:
    stmt = select(*_deployment_columns()).where(Deployment.org_id == org_id)
    if kind is not None:
        kinds = select(Agent.id).where(Agent.org_id == org_id, Agent.kind == kind)
        stmt = stmt.where(Deployment.agent_id.in_(kinds.scalar_subquery()))
    r = (await db.execute(stmt)).one()
    return DeploymentCounts(r[0], r[1], r[2])


# --- music industry (the artist is a user) --------------------------------------------


@dataclass(frozen=True)
class BookingCounts:
    inquiry: int
    pending: int
    completed: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.inquiry + self.pending + self.completed + self.cancelled


async def booking_counts(db: RequestSession, org_id: int, artist_id: int) -> BookingCounts:
    stmt = select(*(func.count().filter(Booking.status == s) for s in BOOKING_STATUSES)).where(
        Booking.org_id == org_id, Booking.artist_id == artist_id
    )
    r = (await db.execute(stmt)).one()
    return BookingCounts(*r)


BOOKING_STATUSES = ("inquiry", "pending", "completed", "cancelled")


@dataclass(frozen=True)
class SkillCounts:
    total: int
    active: int
    created_this_month: int
    created_last_month: int


async def skill_counts(
    db: RequestSession,
    org_id: int,
    owner_id: int,
    month_start: datetime,
    prev_month_start: datetime,
    now: datetime,
    prev_month_end: datetime,
) -> SkillCounts:
    """Skills created in [month_start, now) and in [prev_month_start, prev_month_end)."""
    stmt = select(
        func.count(),
        func.count().filter(Skill.active.is_(True)),
        func.count().filter(Skill.created_at >= month_start, Skill.created_at < now),
        func.count().filter(
            Skill.created_at >= prev_month_start, Skill.created_at < prev_month_end
        ),
    ).where(Skill.org_id == org_id, Skill.owner_id == owner_id)
    r = (await db.execute(stmt)).one()
    return SkillCounts(*r)


@dataclass(frozen=True)
class FanCounts:
    total: int
    new_this_month: int
    new_last_month: int
    active: int
    superfans: int
    new: int
    casual: int


_DAY = timedelta(days=1)


def _day_floor(t: datetime) -> datetime:
    t = t.astimezone(UTC)
    return datetime.combine(t.date(), time(), tzinfo=UTC)


def _day_ceil(t: datetime) -> datetime:
    f = _day_floor(t)
    return f if f == t else f + _DAY


# Streams per fan in the window: whole UTC days from rollup_daily_actor, the partial days
# at the edges from raw events (the same split the metric engine uses).
_FAN_COUNTS = text(
    """
WITH s AS (
    SELECT fan_id, sum(n) AS streams FROM (
        SELECT actor_id AS fan_id, n FROM rollup_daily_actor
        WHERE org_id = :org AND subject_type = 'user' AND type = 'stream'
          AND subject_id = :artist AND day >= :d0 AND day < :d1
        UNION ALL
        SELECT actor_id, 1 FROM events
        WHERE org_id = :org AND subject_type = 'user' AND type = 'stream'
          AND subject_id = :artist AND actor_id IS NOT NULL
          AND ((ts >= :w0 AND ts < :r0) OR (ts >= :r1 AND ts < :w1))
    ) x GROUP BY fan_id
), f AS (
    SELECT fan_id, first_seen_at FROM fans WHERE org_id = :org AND artist_id = :artist
)
SELECT
    (SELECT count(*) FROM f),
    (SELECT count(*) FROM f WHERE first_seen_at >= :m0 AND first_seen_at < :w1),
    (SELECT count(*) FROM f WHERE first_seen_at >= :pm0 AND first_seen_at < :pm1),
    (SELECT count(*) FROM s),
    (SELECT count(*) FROM s WHERE streams >= :superfan),
    (SELECT count(*) FROM f LEFT JOIN s USING (fan_id)
      WHERE f.first_seen_at >= :w0 AND f.first_seen_at < :w1
        AND coalesce(s.streams, 0) < :superfan),
    (SELECT count(*) FROM s LEFT JOIN f USING (fan_id)
      WHERE s.streams < :superfan AND (f.first_seen_at IS NULL OR f.first_seen_at < :w0))
"""
)


async def fan_counts(
    db: RequestSession,
    org_id: int,
    artist_id: int,
    *,
    window: tuple[datetime, datetime],
    month_start: datetime,
    prev_month_start: datetime,
    prev_month_end: datetime,
    superfan_min_streams: int,
) -> FanCounts:
    """Fan totals, new fans this month (from `month_start` to the window's end) and in
    [prev_month_start, prev_month_end), and the segmentation of `window` (see
    `gateway.agents.service` for the definitions)."""
    w0, w1 = window
    r0, r1 = _day_ceil(w0), _day_floor(w1)
    if r0 >= r1:  # no whole UTC day inside: everything from raw events
        r0 = r1 = w1
    params = {
        "org": org_id,
        "artist": artist_id,
        "d0": r0.date(),
        "d1": r1.date(),
        "w0": w0,
        "w1": w1,
        "r0": r0,
        "r1": r1,
        "m0": month_start,
        "pm0": prev_month_start,
        "pm1": prev_month_end,
        "superfan": superfan_min_streams,
    }
    r = (await db.execute(_FAN_COUNTS, params)).one()
    return FanCounts(*(int(v) for v in r))


async def latest_sample_mean(
    db: RequestSession,
    org_id: int,
    owner_id: int,
    kind: str | None,
    type_: str,
    before: datetime,
) -> float | None:
    """The mean of the `type_` samples (cpu / memory) of the owner's agents in the latest
    UTC hour before `before` that has any, or None when they never reported one. Per
    agent, an index probe for its two latest days up to `before`'s (the latest hour is
    in one of them: only `before`'s own day can lack an earlier hour), then their hours."""
    kind_sql = " AND kind = :kind" if kind is not None else ""
    agent = "org_id = :org AND type = :type AND subject_type = 'agent' AND subject_id = a.id"
    sql = f"""
        WITH a AS (SELECT id FROM agents WHERE org_id = :org AND owner_id = :owner{kind_sql}),
        last AS (
            SELECT max(h.bucket) AS b FROM a CROSS JOIN LATERAL (
                SELECT DISTINCT day FROM rollup_daily
                WHERE {agent} AND day <= :before_day ORDER BY day DESC LIMIT 2
            ) d
            JOIN rollup_hourly h ON h.{agent.replace(" AND ", " AND h.")}
                AND h.day = d.day AND h.bucket < :before
        )
        SELECT sum(r.total) / nullif(sum(r.n), 0)
        FROM last CROSS JOIN a
        JOIN rollup_hourly r ON r.{agent.replace(" AND ", " AND r.")}
            AND r.day = CAST(last.b AT TIME ZONE 'UTC' AS date) AND r.bucket = last.b
    """
    params: dict = {"org": org_id, "owner": owner_id, "type": type_, "before": before}
    params["before_day"] = (before - timedelta(microseconds=1)).astimezone(UTC).date()
    if kind is not None:
        params["kind"] = kind
    value = await db.scalar(text(sql), params)
    return None if value is None else float(value)
