"""`assert_levels_exact`: every rollup level, and every hour through the hourly views,
equals an aggregate of the org's raw events."""

from __future__ import annotations

import asyncpg

from gateway.ingest.rollups import LEVELS

# Written out independently of `Level.select_from`, which generates the hour columns: the
# views must give what a plain GROUP BY of the events by UTC hour gives.
_HOURS_FROM_EVENTS = {
    "rollup_hourly": "type, subject_type, subject_id",
    "rollup_hourly_org": "subject_type, type",
}


async def assert_levels_exact(conn: asyncpg.Connection, org_id: int) -> None:
    for level in LEVELS:
        want = await conn.fetch(level.select_from("events", f"org_id = {int(org_id)}"))
        got = await conn.fetch(
            f"SELECT {level.columns}, {', '.join(level.values)} FROM {level.table}"
            f" WHERE org_id = $1 ORDER BY {level.columns}",
            org_id,
        )
        assert [tuple(r) for r in got] == [tuple(r) for r in want], level.table
    for view, key in _HOURS_FROM_EVENTS.items():
        want = await conn.fetch(
            f"SELECT {key}, date_trunc('hour', ts, 'UTC') AS bucket, dims, count(*) AS n,"
            f" sum(value) AS total FROM events WHERE org_id = $1"
            f" GROUP BY {key}, bucket, dims ORDER BY {key}, bucket, dims::text",
            org_id,
        )
        got = await conn.fetch(
            f"SELECT {key}, bucket, dims, n, total FROM {view} WHERE org_id = $1"
            f" ORDER BY {key}, bucket, dims::text",
            org_id,
        )
        assert [tuple(r) for r in got] == [tuple(r) for r in want], view
        assert all(r["n"] > 0 for r in got), view
