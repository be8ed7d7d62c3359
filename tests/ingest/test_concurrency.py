"""Concurrent ingestion against a real `tally serve` and a real PostgreSQL (committed
data in a database of its own): batches that share rollup keys and event ids never get a
500 or a dropped connection, every acknowledged event is stored exactly once, and every
rollup level equals the raw events. Plus the writer's retry of a real deadlock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from gateway import migrate
from gateway.auth import create_token
from gateway.db import Database, make_engine
from gateway.ingest import writer
from gateway.ingest.writer import EventRow, WriteContention, write_events
from gateway.models import Org, Publication, User, UserRole
from tests.ingest.levels import assert_levels_exact
from tests.server import TallyServer

T0 = datetime(2026, 11, 2, 22, 0, tzinfo=UTC)


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@dataclass
class Live:
    url: str
    org_id: int
    token: str
    base: str


async def _fixture_data(url: str) -> tuple[int, str]:
    db = Database(make_engine(url, pool_size=1))
    await migrate.upgrade(db.engine)
    async with db.session() as s:
        org = Org(key="acme", name="Acme")
        s.add(org)
        await s.flush()
        admin = User(org_id=org.id, username="ada", display_name="Ada", email="ada@x.test")
        s.add(admin)
        await s.flush()
        s.add(UserRole(org_id=org.id, user_id=admin.id, role="admin"))
        for i in range(3):
            s.add(User(org_id=org.id, username=f"fan{i}", display_name="F", email=f"f{i}@x.t"))
        for key in ("pub-a", "pub-b"):
            s.add(Publication(org_id=org.id, owner_id=admin.id, custom_url=key, name=key))
        _, token = await create_token(s, org_id=org.id, user_id=admin.id, name="t")
        await s.commit()
        org_id = org.id
    await db.dispose()
    return org_id, token


@pytest.fixture
async def live(scratch_database: str, tmp_path: Path) -> AsyncIterator[Live]:
    org_id, token = await _fixture_data(scratch_database)
    env = {"DATABASE_URL": _plain(scratch_database), "TALLY_INPROCESS_WORKER": "false"}
    server = TallyServer(env=env, root=tmp_path, clean=True)
    try:
        server.start(timeout=60)
        yield Live(scratch_database, org_id, token, server.base_url)
    finally:
        server.stop()


def _event(i: int) -> dict:
    # two publications x 3 hours x 2 dims values: every batch hits the same rollup rows
    return {
        "event_id": f"ev-{i}",
        "type": "view",
        "subject": {"type": "publication", "key": ("pub-a", "pub-b")[i % 2]},
        "ts": (T0 + timedelta(minutes=17 * (i % 11))).isoformat(),
        "actor": f"fan{i % 3}",
        "value": 1 + i % 4,
        "dims": {"experience_type": ("PODCAST", "VIDEO")[i % 3 % 2]},
    }


async def test_concurrent_batches_sharing_keys(live: Live):
    # 10 batches of 300: batch b covers ids [200b, 200b + 300), so neighbours overlap by
    # 100 ids, and every batch is in reverse order of the one before
    batches = []
    for b in range(10):
        ids = range(200 * b, 200 * b + 300)
        batches.append([_event(i) for i in (reversed(ids) if b % 2 else ids)])
    headers = {"Authorization": f"Bearer {live.token}"}
    acknowledged: set[str] = set()
    new_total = 0

    async def send(client: httpx.AsyncClient, batch: list[dict]) -> httpx.Response:
        return await client.post(f"{live.base}/v1/ingest/events", json=batch, headers=headers)

    limits = httpx.Limits(max_connections=20)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        pending = batches
        for _round in range(5):  # a 503 is retried, as its Retry-After says
            responses = await asyncio.gather(*(send(client, b) for b in pending))
            retry = []
            for batch, r in zip(pending, responses, strict=True):
                assert r.status_code in (200, 503), r.text
                if r.status_code == 503:
                    assert r.headers.get("retry-after"), r.headers
                    retry.append(batch)
                    continue
                body = r.json()
                assert body["received"] == len(batch)
                new_total += body["new"]
                acknowledged |= {e["event_id"] for e in batch}
            if not retry:
                break
            pending = retry
        assert not retry, "batches still refused after 5 rounds"

    conn = await asyncpg.connect(_plain(live.url))
    try:
        stored = await conn.fetch(
            "SELECT event_id, count(*) AS c FROM events WHERE org_id = $1 GROUP BY 1",
            live.org_id,
        )
        assert {r["event_id"] for r in stored} == acknowledged
        assert all(r["c"] == 1 for r in stored)
        # ids 0 .. 2099, each reported "new" by exactly one response
        assert len(acknowledged) == 2100 == new_total
        await assert_levels_exact(conn, live.org_id)
        n, total = await conn.fetchrow(
            "SELECT sum(n), sum(total) FROM rollup_daily_org WHERE org_id = $1", live.org_id
        )
        assert (n, total) == (2100, sum(1 + i % 4 for i in range(2100)))
    finally:
        await conn.close()


# --- a real deadlock inside the writer -------------------------------------------------


@pytest.fixture
async def committed(scratch_database: str) -> AsyncIterator[tuple[str, int]]:
    org_id, _ = await _fixture_data(scratch_database)
    yield _plain(scratch_database), org_id


def _row(org_id: int, eid: str) -> EventRow:
    return EventRow(org_id, eid, "view", "publication", 1, T0, None, 1.0, "{}", "{}")


async def _deadlock(url: str, org_id: int) -> tuple:
    """Start a write of [d1, d2] while another transaction holds d2 and then asks for
    d1: PostgreSQL must break the cycle, and the writer (waiting first) is its victim.
    Returns the write (a task), the other connection, its transaction and its insert."""
    other = await asyncpg.connect(url)
    # the writer's deadlock check (after the default 1 s) always runs first
    await other.execute("SET deadlock_timeout = '60s'")
    tx = other.transaction()
    await tx.start()
    insert = (
        "INSERT INTO events (org_id, event_id, type, subject_type, subject_id, ts)"
        " VALUES ($1, $2, 'view', 'publication', 1, $3)"
    )
    await other.execute(insert, org_id, "d2", T0)
    conn = await asyncpg.connect(url)
    write = asyncio.create_task(write_events(conn, [_row(org_id, "d1"), _row(org_id, "d2")]))
    for _ in range(600):  # until the writer holds d1 and waits for d2
        waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid = $1"
        if await other.fetchval(waiting, conn.get_server_pid()):
            break
        await asyncio.sleep(0.05)
    ask = asyncio.create_task(other.execute(insert, org_id, "d1", T0))
    write.add_done_callback(lambda _t: asyncio.ensure_future(conn.close()))
    return write, other, tx, ask


async def test_deadlock_is_retried_inside_the_writer(committed, caplog):
    url, org_id = committed
    caplog.set_level(logging.INFO, logger="gateway.ingest.writer")
    write, other, tx, ask = await _deadlock(url, org_id)
    await ask  # the writer was the victim: its savepoint rolled back, releasing d1
    await tx.rollback()
    assert await write == 2  # the retry wrote both
    assert "deadlock" in caplog.text.lower()
    try:
        rows = await other.fetch("SELECT event_id FROM events WHERE org_id = $1", org_id)
        assert sorted(r[0] for r in rows) == ["d1", "d2"]
        await assert_levels_exact(other, org_id)
    finally:
        await other.close()


async def test_a_batch_that_keeps_failing_is_a_503(committed, monkeypatch):
    url, org_id = committed
    monkeypatch.setattr(writer, "ATTEMPTS", 1)
    write, other, tx, ask = await _deadlock(url, org_id)
    with pytest.raises(WriteContention) as err:
        await write
    assert err.value.status == 503 and "nothing was stored" in str(err.value)
    await ask
    await tx.rollback()
    try:
        assert await other.fetchval("SELECT count(*) FROM events WHERE org_id = $1", org_id) == 0
    finally:
        await other.close()
