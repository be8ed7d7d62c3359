"""`indexes_dropped`: a load runs without the tables' indexes, and they come back exactly
as they were (names, definitions, primary keys), enforcing uniqueness again."""

from __future__ import annotations

import asyncpg
import pytest

from gateway.ingest.indexes import indexes_dropped
from gateway.ingest.writer import asyncpg_connection

TABLES = ("events", "rollup_daily_actor")


async def _definitions(conn) -> list[tuple[str, str]]:
    rows = await conn.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY($1::text[])"
        " ORDER BY indexname",
        list(TABLES),
    )
    return [tuple(r) for r in rows]


async def test_indexes_come_back_as_they_were(session, factory):
    org = await factory.org()
    conn = await asyncpg_connection(session)
    before = await _definitions(conn)
    names = {n for n, _ in before}
    assert {"pk_events", "ix_events_ts_brin", "pk_rollup_daily_actor"} <= names
    insert = (
        "INSERT INTO events (org_id, event_id, type, subject_type, subject_id, ts)"
        " VALUES ($1, $2, 'view', 'publication', 1, now())"
    )
    async with conn.transaction():
        async with indexes_dropped(conn, TABLES):
            assert await _definitions(conn) == []
            await conn.execute(insert, org.id, "a")
        assert await _definitions(conn) == before
        pk = await conn.fetchval(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'pk_events'"
        )
        assert pk == "PRIMARY KEY (org_id, event_id)"
        with pytest.raises(asyncpg.UniqueViolationError):
            async with conn.transaction():
                await conn.execute(insert, org.id, "a")
