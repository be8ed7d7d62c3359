"""Group commit (`gateway.ingest.group`) against a real PostgreSQL with committed data:
concurrent batches that share rollup keys and event ids are written in one transaction,
each batch is credited with exactly its own new events, rollups equal the raw events,
and a batch that fails fails alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from gateway.db import Database, make_engine
from gateway.ingest.group import GroupWriter
from gateway.ingest.writer import EventRow
from tests.ingest.levels import assert_levels_exact
from tests.ingest.test_concurrency import T0, _fixture_data, _plain


@pytest.fixture
async def setup(
    scratch_database: str,
) -> AsyncIterator[tuple[Database, asyncpg.Connection, int, int]]:
    org_id, _ = await _fixture_data(scratch_database)
    db = Database(make_engine(scratch_database, pool_size=2))
    conn = await asyncpg.connect(_plain(scratch_database))
    pub = await conn.fetchval("SELECT id FROM publications WHERE custom_url = 'pub-a'")
    try:
        yield db, conn, org_id, pub
    finally:
        await conn.close()
        await db.dispose()


def _row(org_id: int, pub: int, i: int) -> EventRow:
    # 4 hours x 2 dims values x 3 actors on one publication: every batch shares keys
    return EventRow(
        org_id,
        f"g-{i}",
        "view",
        "publication",
        pub,
        T0.replace(hour=i % 4),
        None if i % 5 == 0 else 100 + i % 3,
        float(1 + i % 7),
        '{"experience_type": "' + ("PODCAST", "VIDEO")[i % 2] + '"}',
        "{}",
    )


async def test_concurrent_batches_share_one_transaction(setup):
    db, conn, org_id, pub = setup
    writer = GroupWriter(db)
    # 10 batches of 300: batch b covers ids [200b, 200b + 300), overlapping its
    # predecessor by 100 ids, every other batch in reverse order
    batches = []
    for b in range(10):
        ids = range(200 * b, 200 * b + 300)
        batches.append([_row(org_id, pub, i) for i in (reversed(ids) if b % 2 else ids)])
    counts = await asyncio.gather(*(writer.write(b) for b in batches))
    # an id sent twice is new for the batch queued first only
    assert counts == [300] + [200] * 9
    assert writer.groups == 1  # all ten were queued before the first transaction began
    stored = await conn.fetch(
        "SELECT event_id, count(*) FROM events WHERE org_id = $1 GROUP BY 1", org_id
    )
    assert len(stored) == 2100 and all(c == 1 for _, c in stored)
    await assert_levels_exact(conn, org_id)
    n, total = await conn.fetchrow(
        "SELECT sum(n), sum(total) FROM rollup_daily_org WHERE org_id = $1", org_id
    )
    assert (n, total) == (2100, sum(1 + i % 7 for i in range(2100)))

    # re-sending everything (as one group again) adds nothing
    assert await asyncio.gather(*(writer.write(b) for b in batches)) == [0] * 10
    await assert_levels_exact(conn, org_id)


async def test_a_failing_batch_fails_alone(setup):
    db, conn, org_id, pub = setup
    writer = GroupWriter(db)
    good1 = [_row(org_id, pub, i) for i in range(50)]
    # subject_type longer than the column allows: PostgreSQL refuses the whole statement
    bad = [_row(org_id, pub, 1000)._replace(subject_type="x" * 30)]
    good2 = [_row(org_id, pub, i) for i in range(40, 90)]
    results = await asyncio.gather(
        writer.write(good1), writer.write(bad), writer.write(good2), return_exceptions=True
    )
    assert results[0] == 50 and results[2] == 40
    assert isinstance(results[1], asyncpg.StringDataRightTruncationError)
    assert writer.groups == 2  # the failed group, written again batch by batch (2 commits)
    assert await conn.fetchval("SELECT count(*) FROM events WHERE org_id = $1", org_id) == 90
    await assert_levels_exact(conn, org_id)


async def test_groups_respect_the_event_cap(setup):
    db, conn, org_id, pub = setup
    writer = GroupWriter(db, max_events=500)
    batches = [[_row(org_id, pub, 300 * b + i) for i in range(300)] for b in range(4)]
    assert await asyncio.gather(*(writer.write(b) for b in batches)) == [300] * 4
    assert writer.groups == 4  # 300 + 300 > 500: one batch per transaction
    await assert_levels_exact(conn, org_id)
