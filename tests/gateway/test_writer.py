from datetime import UTC, datetime

from gateway.ingest.writer import (
    EventRow,
    asyncpg_connection,
    merge_staged,
    merge_staged_new,
    stage_events,
    write_events,
)
from tests.ingest.levels import assert_levels_exact


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


async def test_merge_staged_new_writes_only_when_every_staged_event_is_new(session, factory):
    """The bulk path's plain insert: all or nothing, the staged rows kept for the
    idempotent merge when one of them is not new."""
    org = await factory.org()
    conn = await asyncpg_connection(session)
    day = datetime(2026, 3, 1, tzinfo=UTC)

    def row(i: int, hour: int, value: float) -> EventRow:
        when = day.replace(hour=hour, minute=15)
        return EventRow(org.id, f"s{i}", "view", "publication", 1, when, 7, value, "{}", "{}")

    async def staged() -> int:
        return await conn.fetchval("SELECT count(*) FROM events_staging")

    async def daily() -> tuple:
        return tuple(
            await conn.fetchrow(
                "SELECT n, total, n10, total10, n11, total11, n12 FROM rollup_daily"
                " WHERE org_id = $1",
                org.id,
            )
        )

    await stage_events(conn, [row(1, 10, 2.0), row(2, 11, 3.0)])
    assert await merge_staged_new(conn) == 2
    assert await staged() == 0
    assert await daily() == (2, 5.0, 1, 2.0, 1, 3.0, None)

    # s2 is stored already: nothing written, both rows still staged for merge_staged
    await stage_events(conn, [row(2, 11, 3.0), row(3, 12, 4.0)])
    assert await merge_staged_new(conn) is None
    assert await staged() == 2
    assert await daily() == (2, 5.0, 1, 2.0, 1, 3.0, None)
    assert await merge_staged(conn) == 1
    assert await daily() == (3, 9.0, 1, 2.0, 1, 3.0, 1)

    # an id twice in the staging table
    await stage_events(conn, [row(4, 10, 1.0), row(4, 10, 1.0)])
    assert await merge_staged_new(conn) is None
    assert await merge_staged(conn) == 1
    assert await daily() == (4, 10.0, 2, 3.0, 1, 3.0, 1)
    assert await conn.fetchval("SELECT count(*) FROM events WHERE org_id = $1", org.id) == 4
    await assert_levels_exact(conn, org.id)
