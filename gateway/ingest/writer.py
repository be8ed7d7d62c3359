"""The one way events enter Tally: COPY into a session-local staging table, then a single
statement that inserts the new events (idempotent on `(org_id, event_id)`) and adds
exactly those rows to every rollup level.

Because the rollups are updated from the rows the insert *returned*, a duplicate adds
nothing and a late event lands in its own (old) bucket: rollups always equal an
aggregate of the raw events, with no separate "live tail" to reconcile.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

import asyncpg

from gateway.db import asyncpg_connection
from gateway.ingest.rollups import LEVELS


class EventRow(NamedTuple):
    org_id: int
    event_id: str
    type: str
    subject_type: str
    subject_id: int
    ts: datetime
    actor_id: int | None
    value: float
    dims: str  # JSON text of the rolled-up dimensions ('{}' when none)
    attrs: str  # JSON text of free metadata ('{}' when none)


COLUMNS = EventRow._fields

_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS events_staging (
    org_id bigint, event_id text, type text, subject_type text, subject_id bigint,
    ts timestamptz, actor_id bigint, value double precision, dims jsonb, attrs jsonb
)
"""


@functools.cache
def _merge_sql() -> str:
    """Insert the staged events that are new, then add exactly those rows to every rollup
    level (`gateway.ingest.rollups.LEVELS`), all in one statement."""
    ctes = [
        """new AS (
    INSERT INTO events (org_id, event_id, type, subject_type, subject_id, ts, actor_id,
                        value, dims, attrs)
    SELECT DISTINCT ON (org_id, event_id)
           org_id, event_id, type, subject_type, subject_id, ts, actor_id, value, dims, attrs
    FROM events_staging
    ORDER BY org_id, event_id
    ON CONFLICT (org_id, event_id) DO NOTHING
    RETURNING org_id, type, subject_type, subject_id, ts, actor_id, value, dims
)"""
    ]
    for i, level in enumerate(LEVELS):
        ctes.append(
            f"l{i} AS (INSERT INTO {level.table} AS r ({level.columns}, n, total) "
            f"{level.select_from('new')} ON CONFLICT ({level.columns}) "
            "DO UPDATE SET n = r.n + EXCLUDED.n, total = r.total + EXCLUDED.total)"
        )
    return "WITH " + ",\n".join(ctes) + "\nSELECT count(*) FROM new"


async def write_events(conn: asyncpg.Connection, rows: Iterable[Sequence]) -> int:
    """Write `rows` (EventRow-shaped tuples) and return how many were new. Runs inside the
    caller's transaction when there is one; otherwise in its own."""
    rows = list(rows)
    if not rows:
        return 0
    async with conn.transaction():
        await conn.execute(_STAGING)
        await conn.execute("TRUNCATE events_staging")
        await conn.copy_records_to_table("events_staging", records=rows, columns=COLUMNS)
        new = await conn.fetchval(_merge_sql())
        await conn.execute("TRUNCATE events_staging")
    return int(new)


__all__ = ["COLUMNS", "EventRow", "asyncpg_connection", "write_events"]
