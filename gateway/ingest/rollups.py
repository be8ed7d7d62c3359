"""The rollup levels, declared once, and rebuilding them from raw events.

Every level is an aggregate of `events` by a key (`Level.key`: column -> expression over
an event row) into `n = count(*)` and `total = sum(value)`; a level with `hours` also
keeps them per UTC hour of its day (`n00`/`total00` .. `n23`/`total23`, NULL for an hour
without events; read through the hourly views, `gateway.models.events`). The writer
(`gateway.ingest.writer`) adds the rows an insert created to every level in the same
statement; `rebuild_on` recomputes every level wholesale (after a restore, a bulk COPY, or
to verify them). Both are generated from `LEVELS`, so a level can never be maintained in
one place and forgotten in the other.

A rebuild reads `events` only for the levels that need its grain (`Level.source` is
None); a coarser level is summed from a finer one (`Level.source`): org-wide from
per-subject. That is exact for every count and total (a sum of partial sums of the same
rows) and reads fewer rows than scanning `events` once per level.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from sqlalchemy import text

from gateway.db import Database, asyncpg_connection
from gateway.models.events import HOURS, hour_columns
from gateway.response_cache import notify_data_changed

_UTC_DAY = "(ts AT TIME ZONE 'UTC')::date"
_HOUR = "_hour"
_UTC_HOUR_OF = f"CAST(date_part('hour', ts AT TIME ZONE 'UTC') AS int) AS {_HOUR}"
"""An event's UTC hour, as the column `_hour`."""


@dataclass(frozen=True)
class Level:
    table: str
    key: tuple[tuple[str, str], ...]
    """(rollup column, SQL expression over an event row), in primary-key order."""
    where: str = ""
    """Only events matching this condition are rolled up (e.g. those with an actor)."""
    source: str | None = None
    """A finer level this one is rebuilt from (None: from `events`)."""
    hours: bool = False
    """The level also keeps n and total per UTC hour of its day (columns `n00`..)."""

    @property
    def columns(self) -> str:
        return ", ".join(c for c, _ in self.key)

    @property
    def values(self) -> tuple[str, ...]:
        """The value columns after the key: n, total (and the hour pairs)."""
        hours = [c for h in HOURS for c in hour_columns(h)] if self.hours else []
        return ("n", "total", *hours)

    def select_from(self, source: str, extra_where: str = "", *, ordered: bool = True) -> str:
        """`SELECT <key>, count(*), sum(value) FROM source ... GROUP BY <key>` (with
        `hours`, the hour pairs too: `values`), in key order (so concurrent upserts lock
        rows in the same order) unless not `ordered`."""
        conds = [c for c in (self.where, extra_where) if c]
        where = f" WHERE {' AND '.join(conds)}" if conds else ""
        positions = ", ".join(str(i + 1) for i in range(len(self.key)))
        exprs = ", ".join(f"{e} AS {c}" for c, e in self.key)
        order = f" ORDER BY {positions}" if ordered else ""
        if not self.hours:
            return (
                f"SELECT {exprs}, count(*) AS n, sum(value) AS total FROM {source}{where}"
                f" GROUP BY {positions}{order}"
            )
        # Grouped by key and hour first, then pivoted: the 48 filtered sums run over the
        # (fewer) key-hours, not over every event.
        pivot = ", ".join(
            f"sum(n) FILTER (WHERE {_HOUR} = {h})::bigint AS {n},"
            f" sum(total) FILTER (WHERE {_HOUR} = {h}) AS {t}"
            for h in HOURS
            for n, t in [hour_columns(h)]
        )
        return (
            f"SELECT {self.columns}, sum(n)::bigint AS n, sum(total) AS total, {pivot} FROM ("
            f"SELECT {exprs}, {_UTC_HOUR_OF}, count(*) AS n, sum(value) AS total"
            f" FROM {source}{where} GROUP BY {positions}, {len(self.key) + 1}) g"
            f" GROUP BY {positions}{order}"
        )

    def aggregate(
        self, events: str, finer: str | None = None, extra_where: str = "", *, ordered: bool = True
    ) -> str:
        """The level's rows (key, `values`) in key order: grouped from `events` (event
        rows), or, for a level with a `source`, summed from `finer` (rows shaped like
        the source level: a finer rollup table or an aggregate of it)."""
        if self.source is None:
            return self.select_from(events, extra_where, ordered=ordered)
        if finer is None:
            raise ValueError(f"{self.table} is summed from {self.source}: pass its rows")
        positions = ", ".join(str(i + 1) for i in range(len(self.key)))
        where = f" WHERE {extra_where}" if extra_where else ""
        order = f" ORDER BY {positions}" if ordered else ""
        sums = ", ".join(
            f"sum({c})::bigint AS {c}" if c.startswith("n") else f"sum({c}) AS {c}"
            for c in self.values
        )
        return f"SELECT {self.columns}, {sums} FROM {finer}{where} GROUP BY {positions}{order}"


def _k(*pairs: str) -> tuple[tuple[str, str], ...]:
    exprs = {"day": _UTC_DAY}
    return tuple((c, exprs.get(c, c)) for c in pairs)


LEVELS: tuple[Level, ...] = (
    Level(
        "rollup_daily",
        _k("org_id", "subject_type", "type", "subject_id", "day", "dims"),
        hours=True,
    ),
    Level(
        "rollup_daily_org",
        _k("org_id", "subject_type", "type", "day", "dims"),
        source="rollup_daily",
        hours=True,
    ),
    Level(
        "rollup_daily_actor",
        _k("org_id", "type", "subject_type", "subject_id", "day", "actor_id"),
        where="actor_id IS NOT NULL",
    ),
)
TABLES: tuple[str, ...] = tuple(level.table for level in LEVELS)


def rebuild_order() -> list[Level]:
    """LEVELS with every level after the level it is summed from."""
    done: list[Level] = []
    pending = list(LEVELS)
    while pending:
        ready = [lv for lv in pending if lv.source is None or lv.source in {d.table for d in done}]
        if not ready:
            raise ValueError(f"rollup levels with an unknown source: {pending}")
        done += ready
        pending = [lv for lv in pending if lv not in ready]
    return done


async def rebuild_on(
    conn: asyncpg.Connection, org_id: int | None = None, *, ordered: bool = True
) -> int:
    """Recompute every level for `org_id` (or every org) inside one transaction; returns
    the number of events counted. Rows go in in key order (as the writer's upserts do)
    unless not `ordered` — for tables nobody else writes and without indexes (the seed),
    where the sort would be wasted. Run `analyze(...)` afterwards (outside the
    transaction)."""
    org = "($1::bigint IS NULL OR org_id = $1)"
    async with conn.transaction():
        await conn.execute("SET LOCAL jit = off")
        for level in LEVELS:
            await conn.execute(f"DELETE FROM {level.table} WHERE {org}", org_id)
        for level in rebuild_order():
            await conn.execute(
                f"INSERT INTO {level.table} ({level.columns}, {', '.join(level.values)}) "
                + level.aggregate("events", level.source, org, ordered=ordered),
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
        await notify_data_changed(session, org_id)
        await session.commit()
    await analyze_database(db, TABLES)
    return n


async def analyze_database(
    db: Database, tables: tuple[str, ...] = ("events", *TABLES), *, vacuum: bool = True
) -> None:
    """`VACUUM (ANALYZE)` (or only `ANALYZE` when not `vacuum`) on an autocommit
    connection of its own. When every session is pinned to one connection inside a
    transaction (tests), VACUUM is impossible there and a plain ANALYZE runs on that
    connection instead."""
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
                verb = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
                await auto.execute(text(f"{verb} {table}"))
        finally:
            await auto.execute(text("RESET statement_timeout"))
