"""The shim's response cache (`gateway.rest.cache`) on the Athena routes: identical
requests within 300 s get the same `cached_at` and data (even after new events), other
callers never share entries, entries expire, Redis replicas share entries, and a Redis
outage only disables caching."""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass

import pytest

from gateway.rest.cache import MemoryBackend, RedisBackend, ResponseCache

from .conftest import DOC_UUID, METRICS, body_of, utc

REQ = {"workspace_uuid": DOC_UUID, "entity": "agents", "metric": "executions",
       "aggregation": "count", "group_by": "user"}  # fmt: skip
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


async def add_execution(build, world, day: int) -> None:
    """One more execution of A1 by olivia (inside every period)."""
    build.ev(world.org.id, "execution", "agent", world.agents["A1"].id,
             utc(2026, 3, day, 8), world.owner.id, 10, {"status": "succeeded"})  # fmt: skip
    await build.flush_events()


async def test_identical_requests_share_the_cached_answer(api, world, build, clock):
    first = body_of(await api("GET", METRICS, REQ))
    assert first["data"]["total"] == 6
    await add_execution(build, world, 17)
    clock.advance(299)
    # same request (POST, reordered keys, defaults spelled out): same cached answer
    same = {**dict(reversed(list(REQ.items()))), "filters": {"period": "30d"}}
    again = body_of(await api("POST", METRICS, same))
    assert again == first
    assert again["meta"]["cached_at"] == "2026-03-18T10:30:00.123Z"


async def test_entries_expire_after_the_ttl(api, world, build, clock):
    first = body_of(await api("GET", METRICS, REQ))
    await add_execution(build, world, 17)
    clock.advance(300)
    fresh = body_of(await api("GET", METRICS, REQ))
    assert fresh["data"]["total"] == 7  # 6 + the new one
    assert fresh["data"]["results"][0] == {
        "user_id": str(world.owner.id), "user_name": "Olivia", "value": 4,
    }  # fmt: skip
    assert fresh["meta"]["cached_at"] == "2026-03-18T10:35:00.123Z"
    assert first["meta"]["cached_at"] != fresh["meta"]["cached_at"]


async def test_different_requests_do_not_share(api, world, clock):
    await api("GET", METRICS, REQ)
    clock.advance(5)
    other = body_of(await api("GET", METRICS, {**REQ, "limit": 1}))
    assert other["meta"]["cached_at"] == "2026-03-18T10:30:05.123Z"
    assert len(other["data"]["results"]) == 1


async def test_other_callers_never_get_a_cached_answer(api, world, factory, clock):
    assert body_of(await api("GET", METRICS, REQ))["data"]["total"] == 6
    # a member, a non-member and another org's user ask the same thing: not the cache
    assert body_of(await api("GET", METRICS, REQ, who="mark"), 403)
    assert body_of(await api("GET", METRICS, REQ, who="xavier"), 403)
    assert body_of(await api("GET", METRICS, REQ, who="zed"), 404)
    # a second owner gets their own entry (own cached_at), same numbers
    pat = await factory.user(world.org, "pat")
    await factory.member(world.ws, pat, role="owner")
    world.tokens["pat"] = await factory.token(pat)
    clock.advance(7)
    theirs = body_of(await api("GET", METRICS, REQ, who="pat"))
    assert theirs["meta"]["cached_at"] == "2026-03-18T10:30:07.123Z"
    assert theirs["data"]["total"] == 6


@dataclass(frozen=True)
class P:
    org_id: int
    user_id: int
    roles: frozenset = frozenset()


def test_keys_separate_route_request_org_user_and_roles():
    cache = ResponseCache(MemoryBackend())
    base = cache.key("athena/x", {"a": 1, "b": 2}, P(1, 1))
    assert base == cache.key("athena/x", {"b": 2, "a": 1}, P(1, 1))  # canonical JSON
    assert len({
        base,
        cache.key("athena/y", {"a": 1, "b": 2}, P(1, 1)),
        cache.key("athena/x", {"a": 1, "b": 3}, P(1, 1)),
        cache.key("athena/x", {"a": 1, "b": 2}, P(2, 1)),
        cache.key("athena/x", {"a": 1, "b": 2}, P(1, 2)),
        cache.key("athena/x", {"a": 1, "b": 2}, P(1, 1, frozenset({"admin"}))),
    }) == 6  # fmt: skip


async def test_memory_backend_is_a_bounded_lru():
    backend = MemoryBackend(max_entries=2)
    await backend.set("a", b"1", 300)
    await backend.set("b", b"2", 300)
    assert await backend.get("a") == b"1"  # a is now the most recent
    await backend.set("c", b"3", 300)
    assert (await backend.get("b"), await backend.get("a"), len(backend)) == (None, b"1", 2)


async def test_errors_are_not_cached(api, world, cache):
    body_of(await api("GET", METRICS, REQ, who="mark"), 403)
    body_of(await api("GET", METRICS, {**REQ, "entity": None}), 422)
    body_of(await api("GET", METRICS, {**REQ, "workspace_uuid": "nope"}), 404)
    assert len(cache.backend) == 0
    body_of(await api("GET", METRICS, REQ))
    assert len(cache.backend) == 1


# --- Redis ------------------------------------------------------------------------------


@pytest.fixture
async def redis_backend():
    import redis.asyncio as redis_asyncio

    probe = redis_asyncio.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        await probe.ping()
    except Exception as exc:
        await probe.aclose()
        pytest.skip(f"Redis is unreachable at {REDIS_URL} ({exc}); set REDIS_URL to run this")
    namespace = f"tally-test:{uuid.uuid4().hex}:"
    backends: list[RedisBackend] = []

    def make() -> RedisBackend:
        backends.append(RedisBackend(REDIS_URL))
        return backends[-1]

    yield make, namespace, probe
    keys = [k async for k in probe.scan_iter(match=f"{namespace}*")]
    if keys:
        await probe.delete(*keys)
    await probe.aclose()
    for b in backends:
        await b.close()


async def test_redis_replicas_share_entries(app, api, world, build, clock, redis_backend):
    make, namespace, probe = redis_backend
    app.state.response_cache = ResponseCache(make(), clock=clock, namespace=namespace)
    first = body_of(await api("GET", METRICS, REQ))
    await add_execution(build, world, 17)
    # another replica (its own client, same Redis) answers from the shared entry
    app.state.response_cache = ResponseCache(make(), clock=clock, namespace=namespace)
    clock.advance(60)
    assert body_of(await api("GET", METRICS, REQ)) == first
    keys = [k async for k in probe.scan_iter(match=f"{namespace}*")]
    assert len(keys) == 1 and 0 < await probe.ttl(keys[0]) <= 300
    clock.advance(240)  # the entry's own expiry (Redis keeps it a little longer)
    assert body_of(await api("GET", METRICS, REQ))["data"]["total"] == 7


async def test_redis_outage_degrades_to_no_caching(app, api, world, build, clock, caplog):
    # nothing listens on port 1: every Redis call fails fast
    backend = RedisBackend("redis://127.0.0.1:1/0", retry_after=0)
    app.state.response_cache = ResponseCache(backend, clock=clock)
    with caplog.at_level(logging.WARNING, logger="tally.rest.cache"):
        first = body_of(await api("GET", METRICS, REQ))
        await add_execution(build, world, 17)
        second = body_of(await api("GET", METRICS, REQ))
    assert (first["data"]["total"], second["data"]["total"]) == (6, 7)  # computed each time
    assert any("Redis" in r.getMessage() for r in caplog.records)
    await backend.close()
