"""Every rollup level equals an aggregate of the raw events it was built from: after
incremental writes with duplicates and late events, and after a rebuild."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from gateway.ingest.rollups import LEVELS, rebuild_on
from gateway.ingest.writer import EventRow, asyncpg_connection, write_events
from tests.ingest.levels import assert_levels_exact


def _rows(records) -> list[tuple]:
    return sorted((tuple(r) for r in records), key=repr)


@pytest.fixture
async def org_conn(session, factory):
    org = await factory.org()
    return org.id, await asyncpg_connection(session)


async def test_levels_exact_under_duplicates_and_late_events(org_conn):
    org_id, conn = org_conn
    t = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # straddles a UTC day boundary

    def ev(i: int, when: datetime, subject: int, actor: int | None, value: float = 1.0):
        dims = '{"platform": "x"}' if i % 2 else "{}"
        return EventRow(
            org_id, f"e{i}", "view", "publication", subject, when, actor, value, dims, "{}"
        )

    first = [ev(i, t + timedelta(minutes=20 * i), 1 + i % 3, 10 + i % 2, i) for i in range(9)]
    assert await write_events(conn, first) == 9
    # a replayed batch (duplicates) plus a late event three days back and new ones
    late = ev(100, t - timedelta(days=3), 2, None, 5.0)
    again = [*first[:5], late, ev(101, t + timedelta(hours=5), 1, 11)]
    assert await write_events(conn, again) == 2
    await assert_levels_exact(conn, org_id)

    day = await conn.fetchrow(
        "SELECT sum(n) AS n, sum(total) AS total FROM rollup_daily_org WHERE org_id = $1"
        " AND day = '2026-03-29'",
        org_id,
    )
    # i = 0, 1 fall on 03-28 (23:30, 23:50); i = 2..8 on 03-29 (00:10 .. 02:10, values
    # 2..8 = 35), plus e101 at 04:30 (value 1.0); the duplicates add nothing
    assert (day["n"], day["total"]) == (8, 36.0)


async def test_rebuild_reproduces_every_level(org_conn):
    org_id, conn = org_conn
    t = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    rows = [
        EventRow(
            org_id, f"r{i}", "play", "publication", 7, t + timedelta(hours=i), 3, 2.0, "{}", "{}"
        )
        for i in range(30)
    ]
    await write_events(conn, rows)
    before = {
        lv.table: _rows(await conn.fetch(f"SELECT * FROM {lv.table} WHERE org_id = $1", org_id))
        for lv in LEVELS
    }
    assert await rebuild_on(conn, org_id) == 30
    after = {
        lv.table: _rows(await conn.fetch(f"SELECT * FROM {lv.table} WHERE org_id = $1", org_id))
        for lv in LEVELS
    }
    assert after == before
    await assert_levels_exact(conn, org_id)
    # 30 hours from 00:30 on 10-25: 24 events that day, 6 the next
    days = await conn.fetch(
        "SELECT day, n FROM rollup_daily WHERE org_id = $1 ORDER BY day", org_id
    )
    assert [(str(r["day"]), r["n"]) for r in days] == [("2026-10-25", 24), ("2026-10-26", 6)]
    # one event of value 2.0 per UTC hour: hours 00..05 of 10-26 have one, 06..23 none
    last = await conn.fetchrow(
        "SELECT n05, total05, n06, total06 FROM rollup_daily WHERE org_id = $1 AND day = $2",
        org_id,
        date(2026, 10, 26),
    )
    assert tuple(last) == (1, 2.0, None, None)
    hours = await conn.fetch(
        "SELECT bucket, n, total FROM rollup_hourly WHERE org_id = $1 ORDER BY bucket", org_id
    )
    first_hour = datetime(2026, 10, 25, tzinfo=UTC)
    assert [tuple(r) for r in hours] == [
        (first_hour + timedelta(hours=i), 1, 2.0) for i in range(30)
    ]


async def test_levels_are_upserted_in_upsert_order(org_conn):
    """The writer declares its rollup upserts in reverse `UPSERT_ORDER` because
    PostgreSQL runs data-modifying CTEs the main query does not read last-declared
    first. Checked on the same statement shape: if a PostgreSQL release changed that,
    org-wide rows would be locked early again (slower under concurrency, still exact)."""
    from gateway.ingest.writer import UPSERT_ORDER

    _, conn = org_conn
    await conn.execute("CREATE TEMP TABLE upsert_log (seq serial, tag text)")
    ctes = [
        f"c{i} AS (INSERT INTO upsert_log (tag) SELECT '{lv.table}' FROM new)"
        for i, lv in enumerate(reversed(UPSERT_ORDER))
    ]
    await conn.execute(
        "WITH new AS (INSERT INTO upsert_log (tag) VALUES ('events') RETURNING 1), "
        + ", ".join(ctes)
        + " SELECT count(*) FROM new"
    )
    order = [r["tag"] for r in await conn.fetch("SELECT tag FROM upsert_log ORDER BY seq")]
    assert order == ["events", *(lv.table for lv in UPSERT_ORDER)]
