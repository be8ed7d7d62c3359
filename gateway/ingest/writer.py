"""The one way events enter Tally: COPY into a session-local staging table, then a single
statement that inserts the new events (idempotent on `(org_id, event_id)`) and adds
exactly those rows to both rollups.

Because the rollups are updated from the rows the insert *returned*, a duplicate adds
nothing and a late event lands in its own (old) bucket: rollups always equal an
aggregate of the raw events, with no separate "live tail" to reconcile.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession


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

_MERGE = """
WITH new AS (
    INSERT INTO events (org_id, event_id, type, subject_type, subject_id, ts, actor_id,
                        value, dims, attrs)
    SELECT DISTINCT ON (org_id, event_id)
           org_id, event_id, type, subject_type, subject_id, ts, actor_id, value, dims, attrs
    FROM events_staging
    ORDER BY org_id, event_id
    ON CONFLICT (org_id, event_id) DO NOTHING
    RETURNING org_id, type, subject_type, subject_id, ts, actor_id, value, dims
), hourly AS (
    INSERT INTO rollup_hourly AS r (org_id, type, subject_type, subject_id, bucket, dims, n, total)
    SELECT org_id, type, subject_type, subject_id, date_trunc('hour', ts, 'UTC'), dims,
           count(*), sum(value)
    FROM new
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (org_id, type, subject_type, subject_id, bucket, dims)
    DO UPDATE SET n = r.n + EXCLUDED.n, total = r.total + EXCLUDED.total
), daily AS (
    INSERT INTO rollup_daily_actor AS r (org_id, type, subject_type, subject_id, day,
                                         actor_id, n, total)
    SELECT org_id, type, subject_type, subject_id, (ts AT TIME ZONE 'UTC')::date, actor_id,
           count(*), sum(value)
    FROM new
    WHERE actor_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (org_id, type, subject_type, subject_id, day, actor_id)
    DO UPDATE SET n = r.n + EXCLUDED.n, total = r.total + EXCLUDED.total
)
SELECT count(*) FROM new
"""


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
        new = await conn.fetchval(_MERGE)
        await conn.execute("TRUNCATE events_staging")
    return int(new)


async def asyncpg_connection(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under a SQLAlchemy session, in the session's transaction."""
    sa_conn = await session.connection()
    raw = await sa_conn.get_raw_connection()
    return raw.driver_connection
