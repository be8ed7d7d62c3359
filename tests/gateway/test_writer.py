from datetime import UTC, datetime

from gateway.ingest.writer import EventRow, asyncpg_connection, write_events


async def test_write_events_is_idempotent_and_rolls_up(session, factory):
    org = await factory.org()
    conn = await asyncpg_connection(session)
    ts = datetime(2026, 3, 1, 10, 15, tzinfo=UTC)
    rows = [
        EventRow(org.id, "e1", "view", "publication", 1, ts, 7, 1.0, "{}", "{}"),
        EventRow(org.id, "e2", "view", "publication", 1, ts, 8, 1.0, "{}", "{}"),
        EventRow(org.id, "e2", "view", "publication", 1, ts, 8, 1.0, "{}", "{}"),
    ]
    assert await write_events(conn, rows) == 2
    assert await write_events(conn, rows) == 0
    n, total = await conn.fetchrow("SELECT n, total FROM rollup_hourly WHERE org_id = $1", org.id)
    assert (n, total) == (2, 2.0)
    assert (
        await conn.fetchval("SELECT count(*) FROM rollup_daily_actor WHERE org_id = $1", org.id)
        == 2
    )
