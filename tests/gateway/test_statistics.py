"""Tables loaded behind Tally's back (no ANALYZE, no autovacuum) get statistics."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from gateway import migrate
from gateway.db import Database, make_engine
from gateway.statistics import analyze_stale, stale_tables


async def _flushed_stale(db: Database) -> list[str]:
    async with db.engine.connect() as conn:
        return await stale_tables(conn)


async def test_unanalyzed_tables_are_analyzed_once(scratch_database):
    engine = make_engine(scratch_database, pool_size=2)
    db = Database(engine)
    try:
        await migrate.upgrade(engine)
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO orgs (key, name) VALUES ('o', 'O')"))
            await conn.execute(
                text(
                    "INSERT INTO events (org_id, event_id, type, subject_type, subject_id, ts)"
                    " SELECT 1, 'e' || i, 'view', 'publication', i % 7, :ts"
                    " FROM generate_series(1, 3000) i"
                ),
                {"ts": datetime(2026, 3, 1, tzinfo=UTC)},
            )
            await conn.execute(text("SELECT pg_stat_force_next_flush()"))
        assert "events" in await _flushed_stale(db)

        analyzed = await analyze_stale(db)
        assert "events" in analyzed and "orgs" in analyzed
        async with engine.connect() as conn:
            last = await conn.scalar(
                text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'events'")
            )
        assert last is not None
        assert await analyze_stale(db) == []  # nothing changed since
    finally:
        await engine.dispose()
