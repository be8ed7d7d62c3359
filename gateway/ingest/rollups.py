"""Rebuilding rollups from raw events (after a restore, or to verify them).

Normal ingestion keeps rollups exact incrementally (see `gateway.ingest.writer`); this
recomputes them wholesale for one org or all.
"""

from __future__ import annotations

import asyncpg

from gateway.db import Database
from gateway.ingest.writer import asyncpg_connection

_REBUILD = [
    "DELETE FROM rollup_hourly WHERE ($1::bigint IS NULL OR org_id = $1)",
    "DELETE FROM rollup_daily_actor WHERE ($1::bigint IS NULL OR org_id = $1)",
    """
    INSERT INTO rollup_hourly (org_id, type, subject_type, subject_id, bucket, dims, n, total)
    SELECT org_id, type, subject_type, subject_id, date_trunc('hour', ts, 'UTC'), dims,
           count(*), sum(value)
    FROM events WHERE ($1::bigint IS NULL OR org_id = $1)
    GROUP BY 1, 2, 3, 4, 5, 6
    """,
    """
    INSERT INTO rollup_daily_actor (org_id, type, subject_type, subject_id, day, actor_id,
                                    n, total)
    SELECT org_id, type, subject_type, subject_id, (ts AT TIME ZONE 'UTC')::date, actor_id,
           count(*), sum(value)
    FROM events WHERE actor_id IS NOT NULL AND ($1::bigint IS NULL OR org_id = $1)
    GROUP BY 1, 2, 3, 4, 5, 6
    """,
]


async def rebuild_on(conn: asyncpg.Connection, org_id: int | None = None) -> int:
    async with conn.transaction():
        for sql in _REBUILD:
            await conn.execute(sql, org_id)
        return await conn.fetchval(
            "SELECT count(*) FROM events WHERE ($1::bigint IS NULL OR org_id = $1)", org_id
        )


async def rebuild_rollups(db: Database, org_key: str | None = None) -> int:
    """Recompute both rollups for `org_key` (or every org); returns the events counted."""
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
        return n
