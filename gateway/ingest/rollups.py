"""The rollup levels, declared once, and rebuilding them from raw events.

Every level is an aggregate of `events` by a key (`Level.key`: column -> expression over
an event row) into `n = count(*)` and `total = sum(value)`. The writer
(`gateway.ingest.writer`) adds the rows an insert created to every level in the same
statement; `rebuild_on` recomputes every level wholesale (after a restore, or to verify
them). Both are generated from `LEVELS`, so a level can never be maintained in one place
and forgotten in the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from sqlalchemy import text

from gateway.db import Database, asyncpg_connection

_UTC_DAY = "(ts AT TIME ZONE 'UTC')::date"
_UTC_HOUR = "date_trunc('hour', ts, 'UTC')"


@dataclass(frozen=True)
class Level:
    table: str
    key: tuple[tuple[str, str], ...]
    """(rollup column, SQL expression over an event row), in primary-key order."""
    where: str = ""
    """Only events matching this condition are rolled up (e.g. those with an actor)."""

    @property
    def columns(self) -> str:
        return ", ".join(c for c, _ in self.key)

    def select_from(self, source: str, extra_where: str = "") -> str:
        """`SELECT <key>, count(*), sum(value) FROM source ... GROUP BY <key>`, in key order
        (so concurrent upserts lock rows in the same order)."""
        conds = [c for c in (self.where, extra_where) if c]
        where = f" WHERE {' AND '.join(conds)}" if conds else ""
        positions = ", ".join(str(i + 1) for i in range(len(self.key)))
        exprs = ", ".join(e for _, e in self.key)
        return (
            f"SELECT {exprs}, count(*), sum(value) FROM {source}{where}"
            f" GROUP BY {positions} ORDER BY {positions}"
        )


def _k(*pairs: str) -> tuple[tuple[str, str], ...]:
    exprs = {"day": _UTC_DAY, "bucket": _UTC_HOUR}
    return tuple((c, exprs.get(c, c)) for c in pairs)


LEVELS: tuple[Level, ...] = (
    Level("rollup_daily", _k("org_id", "subject_type", "type", "subject_id", "day", "dims")),
    Level("rollup_daily_org", _k("org_id", "subject_type", "type", "day", "dims")),
    Level("rollup_hourly", _k("org_id", "type", "subject_type", "subject_id", "bucket", "dims")),
    Level("rollup_hourly_org", _k("org_id", "subject_type", "type", "bucket", "dims")),
    Level(
        "rollup_daily_actor",
        _k("org_id", "type", "subject_type", "subject_id", "day", "actor_id"),
        where="actor_id IS NOT NULL",
    ),
)
TABLES: tuple[str, ...] = tuple(level.table for level in LEVELS)


async def rebuild_on(conn: asyncpg.Connection, org_id: int | None = None) -> int:
    """Recompute every level for `org_id` (or every org) inside one transaction; returns
    the number of events counted. Run `analyze(...)` afterwards (outside the transaction)."""
    org = "($1::bigint IS NULL OR org_id = $1)"
    async with conn.transaction():
        for level in LEVELS:
            await conn.execute(f"DELETE FROM {level.table} WHERE {org}", org_id)
            await conn.execute(
                f"INSERT INTO {level.table} ({level.columns}, n, total) "
                + level.select_from("events", org),
                org_id,
            )
        return await conn.fetchval(f"SELECT count(*) FROM events WHERE {org}", org_id)


async def analyze(conn: asyncpg.Connection, tables: tuple[str, ...] = ("events", *TABLES)) -> None:
    """VACUUM ANALYZE `tables` after a bulk load: fresh statistics keep plans from
    collapsing (autovacuum may be off or late), and a set visibility map lets rollup reads
    be index-only. Must run outside a transaction block."""
    for table in tables:
        await conn.execute(f"VACUUM (ANALYZE) {table}")


async def rebuild_rollups(db: Database, org_key: str | None = None) -> int:
    """Recompute every rollup level for `org_key` (or every org), then analyze them;
    returns the events counted."""
    async with db.session() as session:
        org_id = None
        if org_key is not None:
            from sqlalchemy import select

            from gateway.models import Org

            org_id = await session.scalar(select(Org.id).where(Org.key == org_key))
            if org_id is None:
                from gateway.errors import NotFound

                raise NotFound(f"no org '{org_key}'")
        n = await rebuild_on(await asyncpg_connection(session), org_id)
        await session.commit()
    await analyze_database(db, TABLES)
    return n


async def analyze_database(db: Database, tables: tuple[str, ...] = ("events", *TABLES)) -> None:
    """`VACUUM (ANALYZE)` on an autocommit connection of its own. When every session is
    pinned to one connection inside a transaction (tests), VACUUM is impossible there and
    a plain ANALYZE runs on that connection instead."""
    if db.bind is not None:
        async with db.session() as session:
            for table in tables:
                await session.execute(text(f"ANALYZE {table}"))
        return
    async with db.engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await auto.execute(text("SET statement_timeout = 0"))
        try:
            for table in tables:
                await auto.execute(text(f"VACUUM (ANALYZE) {table}"))
        finally:
            await auto.execute(text("RESET statement_timeout"))
