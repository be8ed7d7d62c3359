"""The response cache (gateway.response_cache) over POST /graphql on real PostgreSQL: what
is served from it, what is not, and every way an entry is voided (a write in this
process, a NOTIFY from another connection, the TTL, the loss of the LISTEN connection)."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from gateway.db import connect_raw
from gateway.models import Org, User
from gateway.response_cache import (
    CHANNEL,
    HEADER,
    ResponseCache,
    SharedResponseCache,
    listener_dsn,
)
from tests.factories import Factory

VIEWS = """query Views($url: String!, $start: Date!, $end: Date!) {
  publication(customUrl: $url) { metric(name: VIEWS, period: {start: $start, end: $end}) }
}"""
MARCH = {"url": "studio", "start": "2026-03-01", "end": "2026-03-31"}
INGEST = "/v1/ingest/events"


def view(i: int, ts: str = "2026-03-02T10:15:00Z") -> dict:
    return {
        "event_id": f"v{i}",
        "type": "view",
        "subject": {"type": "publication", "key": "studio"},
        "ts": ts,
    }


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def cache(app, db, clock):
    """The app's cache, listening on the test database, with an injected clock."""
    cache = ResponseCache(ttl_s=5.0, clock=clock)
    app.state.graphql_cache = cache
    await cache.start(listener_dsn(db), heartbeat_s=0.2, retry_s=0.05)
    assert cache.active
    yield cache
    await cache.close()


class World:
    org: Org
    admin: User
    headers: dict[str, str]
    other_admin_headers: dict[str, str]
    same_user_other_token: dict[str, str]


@pytest.fixture
async def world(factory: Factory) -> World:
    w = World()
    w.org = await factory.org()
    w.admin = await factory.user(w.org, "ada", roles=("admin",))
    other = await factory.user(w.org, "grace", roles=("admin",))
    await factory.publication(w.admin, "studio")
    w.headers = {"Authorization": f"Bearer {await factory.token(w.admin)}"}
    w.same_user_other_token = {"Authorization": f"Bearer {await factory.token(w.admin)}"}
    w.other_admin_headers = {"Authorization": f"Bearer {await factory.token(other)}"}
    return w


def data_statements(sql_counter) -> list[str]:
    """Statements beyond authentication (the token and role lookups)."""
    return [s for s in sql_counter.statements if "api_tokens" not in s and "user_roles" not in s]


async def ask(client, headers, variables=None, query=VIEWS, **extra_headers):
    r = await client.post(
        "/graphql",
        json={"query": query, "variables": variables if variables is not None else MARCH},
        headers={**headers, **extra_headers},
    )
    assert r.status_code == 200, r.text
    return r


def views_of(r) -> float:
    body = r.json()
    assert "errors" not in body, body
    return body["data"]["publication"]["metric"]


async def ingest(client, world, events) -> None:
    r = await client.post(INGEST, json=events, headers=world.headers)
    assert r.status_code == 200, r.text


async def until(predicate, what: str, bound_s: float = 10.0) -> None:
    """Wait for something another connection makes happen (a generous bound)."""
    for _ in range(int(bound_s / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def test_repeat_is_a_hit_without_sql(app, client, cache, world, sql_counter):
    from gateway.principals import PrincipalCache

    # the principal cache on, with a TTL no test outlasts (the suite turns it off)
    app.state.principals = PrincipalCache(600)
    await ingest(client, world, [view(1), view(2), view(3)])
    first = await ask(client, world.headers)
    assert first.headers[HEADER] == "miss"
    assert views_of(first) == 3

    sql_counter.reset()
    second = await ask(client, world.headers)
    assert second.headers[HEADER] == "hit"
    assert second.content == first.content  # extensions.cost included
    assert "cost" in second.json()["extensions"]
    assert sql_counter.statements == []  # the principal is cached too: no session at all


async def test_scope_variables_and_document_are_in_the_key(client, cache, world):
    await ingest(client, world, [view(1), view(2, ts="2026-04-02T10:00:00Z")])
    assert views_of(await ask(client, world.headers)) == 1
    # another token of the same user: the same principal
    assert (await ask(client, world.same_user_other_token)).headers[HEADER] == "hit"
    # another user of the org, not an owner: refused, never handed the cached answer
    for _ in range(2):
        r = await ask(client, world.other_admin_headers)
        assert r.headers[HEADER] == "miss"
        assert r.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # other variables
    april = {**MARCH, "start": "2026-04-01", "end": "2026-04-30"}
    r = await ask(client, world.headers, april)
    assert (r.headers[HEADER], views_of(r)) == ("miss", 1)
    # the same variables in another order: the same question
    reordered = {"end": MARCH["end"], "start": MARCH["start"], "url": "studio"}
    assert (await ask(client, world.headers, reordered)).headers[HEADER] == "hit"
    # another document
    r = await ask(client, world.headers, query=VIEWS.replace("query Views", "query V2"))
    assert r.headers[HEADER] == "miss"


async def test_ingest_voids_the_org_entries(client, cache, world):
    await ingest(client, world, [view(1), view(2)])
    assert views_of(await ask(client, world.headers)) == 2
    assert (await ask(client, world.headers)).headers[HEADER] == "hit"

    await ingest(client, world, [view(3), view(4), view(5, ts="2026-03-31T23:59:00Z")])
    r = await ask(client, world.headers)
    assert (r.headers[HEADER], views_of(r)) == ("miss", 5)
    assert (await ask(client, world.headers)).headers[HEADER] == "hit"

    # a batch of duplicates changes nothing, but is still a write: a miss with the same value
    await ingest(client, world, [view(1)])
    r = await ask(client, world.headers)
    assert (r.headers[HEADER], views_of(r)) == ("miss", 5)


async def test_notify_from_another_connection_voids_only_that_org(client, cache, world, db):
    await ingest(client, world, [view(1)])
    await ask(client, world.headers)
    other = await connect_raw(listener_dsn(db))
    try:
        before = cache.stamp(world.org.id)
        await other.execute("SELECT pg_notify($1, $2)", CHANNEL, str(world.org.id + 10_000))
        await other.execute("SELECT pg_notify($1, $2)", CHANNEL, str(world.org.id))
        await until(lambda: cache.stamp(world.org.id) != before, "the notification")
    finally:
        await other.close()
    r = await ask(client, world.headers)
    assert (r.headers[HEADER], views_of(r)) == ("miss", 1)


async def test_notify_is_delivered_on_commit_only(client, cache, world, db):
    await ask(client, world.headers)
    other = await connect_raw(listener_dsn(db))
    try:
        before = cache.stamp(world.org.id)
        tx = other.transaction()
        await tx.start()
        await other.execute("SELECT pg_notify($1, $2)", CHANNEL, str(world.org.id))
        await tx.rollback()
        await other.execute("SELECT pg_notify($1, $2)", CHANNEL, "*")  # then a committed one
        await until(lambda: cache.stamp(world.org.id) != before, "the notification")
        assert cache.stamp(world.org.id)[1] == 0  # "*" bumped the generation; no org bump
    finally:
        await other.close()


async def test_ttl_expiry(client, cache, world, clock):
    await ask(client, world.headers)
    clock.now += 4.9
    assert (await ask(client, world.headers)).headers[HEADER] == "hit"
    clock.now += 0.2
    assert (await ask(client, world.headers)).headers[HEADER] == "miss"


async def test_ttl_zero_turns_the_cache_off(app, client, world, db):
    off = ResponseCache(ttl_s=0)
    app.state.graphql_cache = off
    await off.start(listener_dsn(db))
    assert off.listener is None and not off.active
    r = await ask(client, world.headers)
    assert HEADER not in r.headers
    assert len(off) == 0


async def test_errors_are_not_cached(client, cache, world, sql_counter):
    missing = {**MARCH, "url": "no-such-studio"}
    first = await ask(client, world.headers, missing)
    assert first.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    sql_counter.reset()
    second = await ask(client, world.headers, missing)
    assert second.headers[HEADER] == "miss"
    assert data_statements(sql_counter) != []
    assert len(cache) == 0


async def test_mutations_are_not_cached_and_void_the_org(client, cache, world):
    assert (await ask(client, world.headers)).headers[HEADER] == "miss"
    assert (await ask(client, world.headers)).headers[HEADER] == "hit"
    mutation = 'mutation { createAnalyticsExport(input: {period: "7d"}) { key status } }'
    keys = []
    for _ in range(2):
        r = await client.post("/graphql", json={"query": mutation}, headers=world.headers)
        body = r.json()
        assert "errors" not in body, body
        assert r.headers[HEADER] == "miss"
        keys.append(body["data"]["createAnalyticsExport"]["key"])
    assert keys[0] != keys[1]
    assert (await ask(client, world.headers)).headers[HEADER] == "miss"


async def test_job_status_is_not_stored(client, cache, world):
    mutation = 'mutation { createAnalyticsExport(input: {period: "7d"}) { key } }'
    r = await client.post("/graphql", json={"query": mutation}, headers=world.headers)
    key = r.json()["data"]["createAnalyticsExport"]["key"]
    poll = "query($k: String!) { exportJob(key: $k) { status } }"
    for _ in range(2):
        r = await ask(client, world.headers, {"k": key}, query=poll)
        assert "errors" not in r.json(), r.json()
        assert r.headers[HEADER] == "miss"


async def test_no_cache_bypasses_but_stores(client, cache, world, sql_counter):
    await ingest(client, world, [view(1)])
    assert (await ask(client, world.headers)).headers[HEADER] == "miss"
    sql_counter.reset()
    r = await ask(client, world.headers, **{"Cache-Control": "no-cache"})
    assert (r.headers[HEADER], views_of(r)) == ("bypass", 1)
    assert data_statements(sql_counter) != []

    await ingest(client, world, [view(2)])
    r = await ask(client, world.headers, **{"Cache-Control": "no-cache"})  # stores the new answer
    assert (r.headers[HEADER], views_of(r)) == ("bypass", 2)
    sql_counter.reset()
    r = await ask(client, world.headers)
    assert (r.headers[HEADER], views_of(r)) == ("hit", 2)
    assert data_statements(sql_counter) == []

    # no-store: neither read nor stored
    await ingest(client, world, [view(3)])
    r = await ask(client, world.headers, **{"Cache-Control": "no-store"})
    assert (r.headers[HEADER], views_of(r)) == ("bypass", 3)
    assert (await ask(client, world.headers)).headers[HEADER] == "miss"


async def test_listener_loss_turns_the_cache_off_until_it_is_back(client, cache, world, db):
    await ask(client, world.headers)
    assert (await ask(client, world.headers)).headers[HEADER] == "hit"
    pid = cache.listener.conn.get_server_pid()
    cache.listener.retry_s = 3600  # stay down until told
    other = await connect_raw(listener_dsn(db))
    try:
        await other.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await other.close()
    await until(lambda: not cache.listening, "the cache to notice the lost listener")
    for _ in range(2):  # served, but not from the cache, and nothing stored
        r = await ask(client, world.headers)
        assert r.headers.get(HEADER) is None
        assert views_of(r) == 0
    assert len(cache) == 0
    cache.listener.retry_now()
    await until(lambda: cache.listening, "the listener to reconnect")
    # entries from before the loss are void (a notification may have been missed)
    assert (await ask(client, world.headers)).headers[HEADER] == "miss"
    assert (await ask(client, world.headers)).headers[HEADER] == "hit"


async def test_get_requests_share_the_cache(client, cache, world):
    import orjson

    params = {"query": VIEWS, "variables": orjson.dumps(MARCH).decode()}
    r = await client.get("/graphql", params=params, headers=world.headers)
    assert (r.status_code, r.headers[HEADER]) == (200, "miss")
    r = await client.get("/graphql", params=params, headers=world.headers)
    assert r.headers[HEADER] == "hit"
    assert (await ask(client, world.headers)).headers[HEADER] == "hit"


async def test_anonymous_requests_are_not_cached(client, cache):
    r = await client.post("/graphql", json={"query": "{ __typename }"})
    assert r.status_code == 200
    assert HEADER not in r.headers
    assert len(cache) == 0


async def test_entry_size_bound():
    from gateway.response_cache import Lookup

    small = ResponseCache(max_bytes=10_000, max_entry_bytes=1_000)
    small.listening = True
    lookup = Lookup("miss", b"k", small.stamp(1), 1)
    assert not await small.store(lookup, b"x" * 1_001)
    assert await small.store(lookup, b"x" * 1_000)
    for i in range(20):  # the byte bound evicts the least recently used
        await small.store(Lookup("miss", bytes([i]), small.stamp(1), 1), b"y" * 900)
    assert len(small) <= 10_000 // 900


async def test_rest_shim_reads_share_the_cache(client, cache, world, sql_counter):
    url = "/api/v1/aistudios/metrics/"
    first = await client.post(url, json={"url": "studio"}, headers=world.headers)
    assert first.status_code == 200, first.text
    sql_counter.reset()
    second = await client.post(url, json={"url": "studio"}, headers=world.headers)
    assert second.json() == first.json()
    assert data_statements(sql_counter) == []
    # a write voids it: the next read is computed again
    await ingest(client, world, [view(1)])
    sql_counter.reset()
    third = await client.post(url, json={"url": "studio"}, headers=world.headers)
    assert third.status_code == 200
    assert data_statements(sql_counter) != []


async def test_cli_writes_void_every_org(client, cache, world, db, tmp_path):
    import orjson

    from gateway.ingest.bulk import ingest_file
    from gateway.ingest.rollups import rebuild_rollups

    await ask(client, world.headers)
    assert (await ask(client, world.headers)).headers[HEADER] == "hit"
    path = tmp_path / "events.ndjson"
    path.write_bytes(b"\n".join(orjson.dumps(view(i)) for i in (7, 8)))
    report = await ingest_file(db, path, world.org.key)
    assert report.new == 2
    r = await ask(client, world.headers)
    assert (r.headers[HEADER], views_of(r)) == ("miss", 2)
    assert (await ask(client, world.headers)).headers[HEADER] == "hit"

    assert await rebuild_rollups(db, world.org.key) == 2
    r = await ask(client, world.headers)
    assert (r.headers[HEADER], views_of(r)) == ("miss", 2)


# --- shared in Redis (REDIS_URL) -------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_up() -> bool:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(REDIS_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


redis_only = pytest.mark.skipif(not _redis_up(), reason=f"no Redis at {REDIS_URL}")


@pytest.fixture
async def shared_pair(app, db):
    """Two shared caches on one Redis prefix — two processes, or two replicas — each
    with its own listener; the app uses the first."""
    prefix = f"tally:rc:test:{uuid.uuid4().hex[:8]}:"
    caches = [SharedResponseCache(REDIS_URL, prefix=prefix, ttl_s=30) for _ in range(2)]
    for c in caches:
        await c.start(listener_dsn(db), heartbeat_s=0.2, retry_s=0.05)
        assert c.active
    app.state.graphql_cache = caches[0]
    yield caches
    import redis.asyncio as redis_asyncio

    client = redis_asyncio.Redis.from_url(REDIS_URL)
    keys = [k async for k in client.scan_iter(match=prefix + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    for c in caches:
        await c.close()


@redis_only
async def test_shared_entries_serve_every_process(app, client, shared_pair, world, db):
    first, second = shared_pair
    await ingest(client, world, [view(1), view(2)])
    assert (await ask(client, world.headers)).headers[HEADER] == "miss"
    app.state.graphql_cache = second  # another process
    r = await ask(client, world.headers)
    assert (r.headers[HEADER], views_of(r)) == ("hit", 2)

    # a write in this process voids it for every process
    await ingest(client, world, [view(3)])
    app.state.graphql_cache = first
    r = await ask(client, world.headers)
    assert (r.headers[HEADER], views_of(r)) == ("miss", 3)
    app.state.graphql_cache = second
    assert (await ask(client, world.headers)).headers[HEADER] == "hit"

    # so does a notification from another connection, heard by the listeners
    other = await connect_raw(listener_dsn(db))
    try:
        await other.execute("SELECT pg_notify($1, $2)", CHANNEL, str(world.org.id))
    finally:
        await other.close()
    for _ in range(1000):
        r = await ask(client, world.headers)
        if r.headers[HEADER] == "miss":
            break
        await asyncio.sleep(0.01)
    assert (r.headers[HEADER], views_of(r)) == ("miss", 3)


@redis_only
async def test_shared_cache_without_its_listener_serves_nothing(
    app, client, shared_pair, world, db
):
    first, second = shared_pair
    await ask(client, world.headers)
    app.state.graphql_cache = second
    second.listener.retry_s = 3600
    pid = second.listener.conn.get_server_pid()
    other = await connect_raw(listener_dsn(db))
    try:
        await other.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await other.close()
    await until(lambda: not second.listening, "the lost listener")
    assert HEADER not in (await ask(client, world.headers)).headers
    second.listener.retry_now()
    await until(lambda: second.active, "the listener to reconnect")
    # coming back bumps the shared epoch: nothing from before is served, anywhere
    assert (await ask(client, world.headers)).headers[HEADER] == "miss"


async def test_redis_outage_is_a_miss(app, client, world, db):
    import socket

    with socket.socket() as closed:  # bound, never listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        down = SharedResponseCache(f"redis://127.0.0.1:{port}/0", timeout_s=0.2)
        app.state.graphql_cache = down
        await down.start(listener_dsn(db))
        try:
            for _ in range(2):
                r = await ask(client, world.headers)
                assert (r.headers[HEADER], views_of(r)) == ("miss", 0)
        finally:
            await down.close()


class _Principal:
    org_id, user_id, roles = 1, 2, frozenset({"admin"})


async def test_identical_concurrent_misses_are_computed_once():
    cache = ResponseCache()
    cache.listening = True
    asks = [cache.lookup(_Principal(), "{ q }") for _ in range(5)]
    leader = await asks[0]
    assert (leader.status, leader.flight is not None) == ("miss", True)
    waiting = [asyncio.ensure_future(a) for a in asks[1:]]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiting)  # they wait for the leader's answer
    assert await cache.store(leader, b'{"data":1}')
    followers = await asyncio.gather(*waiting)
    assert [(f.status, f.body) for f in followers] == [("hit", b'{"data":1}')] * 4

    # an answer that is not stored (an error) releases the others to compute their own
    other = await cache.lookup(_Principal(), "{ r }")
    waiting = asyncio.ensure_future(cache.lookup(_Principal(), "{ r }"))
    await asyncio.sleep(0)
    other.release()
    follower = await waiting
    assert (follower.status, follower.flight, follower.body) == ("miss", None, None)
    assert cache._inflight == {}


async def test_a_revoked_token_is_refused_before_the_lookup(client, cache, world, session):
    from sqlalchemy import select

    from gateway.auth import hash_token, revoke_token
    from gateway.models import ApiToken

    await ask(client, world.headers)
    assert (await ask(client, world.headers)).headers[HEADER] == "hit"
    token = world.headers["Authorization"].split()[1]
    token_id = await session.scalar(
        select(ApiToken.id).where(ApiToken.token_hash == hash_token(token))
    )
    assert await revoke_token(session, token_id)
    r = await client.post(
        "/graphql", json={"query": VIEWS, "variables": MARCH}, headers=world.headers
    )
    assert r.status_code == 401
    assert HEADER not in r.headers
    # the same user's other token still gets the answer
    assert (await ask(client, world.same_user_other_token)).headers[HEADER] == "hit"
