"""CORS (TALLY_CORS_ORIGINS), gzip for large responses, and Automatic Persisted Queries
(Apollo's protocol) with an in-process and a Redis-shared store."""

from __future__ import annotations

import hashlib
import os
import uuid

import httpx
import pytest

from gateway.apq import PersistedQueryStore
from gateway.config import Settings
from tests.factories import Factory

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url="postgresql://unused/unused",
        cors_origins="https://dash.example.com, https://other.example.com",
    )


async def test_a_browser_preflight_is_answered(client):
    r = await client.options(
        "/graphql",
        headers={
            "Origin": "https://dash.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "https://dash.example.com"
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "authorization" in r.headers["access-control-allow-headers"].lower()
    assert r.headers["access-control-max-age"] == "600"

    other = await client.options(
        "/graphql",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert other.status_code == 400  # a clear refusal, not 405
    assert "access-control-allow-origin" not in other.headers


async def test_a_cross_origin_request_gets_cors_headers(client):
    r = await client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Origin": "https://other.example.com"},
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "https://other.example.com"
    assert "x-request-id" in r.headers["access-control-expose-headers"].lower()


def test_cors_origins_are_validated(monkeypatch):
    from gateway.config import SettingsError

    monkeypatch.setenv("TALLY_CORS_ORIGINS", "dash.example.com")
    with pytest.raises(SettingsError, match="TALLY_CORS_ORIGINS: expected comma-separated"):
        Settings.from_env()
    monkeypatch.setenv("TALLY_CORS_ORIGINS", "https://a.example/,*")
    assert Settings.from_env().cors_origins == ["https://a.example", "*"]


async def test_large_responses_are_gzipped(client):
    # the SDL-sized introspection answer is large; `__typename` is tiny
    query = "{ __schema { types { name description } } }"
    big = await client.post("/graphql", json={"query": query}, headers={"Accept-Encoding": "gzip"})
    assert big.status_code == 200
    assert big.headers["content-encoding"] == "gzip"
    assert big.json()["data"]["__schema"]["types"]  # httpx decompressed it
    assert len(big.content) > 2 * int(big.headers["content-length"])  # compressed on the wire
    raw = await client.post(
        "/graphql", json={"query": query}, headers={"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in raw.headers
    assert raw.json() == big.json()

    small = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Accept-Encoding": "gzip"}
    )
    assert "content-encoding" not in small.headers


def _apq(query: str | None, digest: str, **extra) -> dict:
    body: dict = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    if query is not None:
        body["query"] = query
    body.update(extra)
    return body


async def test_persisted_query_round_trip(client, factory: Factory):
    org = await factory.org(key="apq-org")
    user = await factory.user(org, "pat")
    token = await factory.token(user)
    auth = {"Authorization": f"Bearer {token}"}
    query = f"query Who{uuid.uuid4().hex[:6]} {{ viewer {{ user {{ username }} }} }}"
    digest = hashlib.sha256(query.encode()).hexdigest()

    first = await client.post("/graphql", json=_apq(None, digest), headers=auth)
    assert first.status_code == 200
    assert first.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert first.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    register = await client.post("/graphql", json=_apq(query, digest), headers=auth)
    assert register.json()["data"] == {"viewer": {"user": {"username": "pat"}}}

    again = await client.post("/graphql", json=_apq(None, digest), headers=auth)
    assert again.json()["data"] == {"viewer": {"user": {"username": "pat"}}}

    wrong = await client.post("/graphql", json=_apq("{ __typename }", digest), headers=auth)
    assert wrong.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert "data" not in wrong.json() or wrong.json()["data"] is None

    bad_version = {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": digest}}}
    r = await client.post("/graphql", json=bad_version, headers=auth)
    assert r.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"


async def test_an_invalid_document_is_not_persisted(client):
    query = "{ noSuchField }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    r = await client.post("/graphql", json=_apq(query, digest))
    assert "noSuchField" in r.json()["errors"][0]["message"]
    r = await client.post("/graphql", json=_apq(None, digest))
    assert r.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_the_store_is_a_bounded_lru():
    store = PersistedQueryStore(max_entries=2)
    await store.put("a" * 64, "{ a }")
    await store.put("b" * 64, "{ b }")
    assert await store.get("a" * 64) == "{ a }"  # a is now the most recent
    await store.put("c" * 64, "{ c }")
    assert await store.get("b" * 64) is None
    assert await store.get("a" * 64) == "{ a }"
    assert await store.get("c" * 64) == "{ c }"


async def test_replicas_share_persisted_queries_through_redis():
    import redis.asyncio as redis_asyncio

    probe = redis_asyncio.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        await probe.ping()
    except Exception as exc:
        pytest.skip(f"Redis is unreachable at {REDIS_URL} ({exc}); set REDIS_URL to run this")
    finally:
        await probe.aclose()
    one, two = PersistedQueryStore(REDIS_URL), PersistedQueryStore(REDIS_URL)
    digest = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    try:
        assert await two.get(digest) is None
        await one.put(digest, "{ __typename }")
        assert await two.get(digest) == "{ __typename }"
    finally:
        await one.close()
        await two.close()


async def test_a_redis_outage_is_only_a_miss():
    store = PersistedQueryStore("redis://127.0.0.1:1/0")
    await store.put("d" * 64, "{ d }")  # kept locally
    assert await store.get("d" * 64) == "{ d }"
    assert await store.get("e" * 64) is None
    await store.close()


async def test_unconfigured_cors_refuses_preflights_cleanly(tmp_path, db):
    from gateway.app import create_app

    app = create_app(Settings(data_dir=tmp_path, database_url="postgresql://x/y"), database=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        r = await c.options(
            "/graphql",
            headers={"Origin": "https://a.example", "Access-Control-Request-Method": "POST"},
        )
    assert r.status_code == 400
