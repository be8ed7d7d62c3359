"""The principal cache and lazy sessions, in-process: a request that reads no data sends
no statement and creates no session; a cached principal is dropped on revoke (this
process at once) and on expiry; Redis announces revocations to other processes."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gateway.auth import AuthError, Principal, revoke_token
from gateway.config import Settings
from gateway.models import ApiToken
from gateway.principals import REVOCATIONS_KEY, PrincipalCache, announce_revocation

REDIS_URL = "redis://127.0.0.1:6379"
TYPENAME = {"query": "{ __typename }"}
ORG = {"query": "{ viewer { roles org { key name } } }"}
USER = {"query": "{ viewer { user { username } } }"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with the principal cache on."""
    return settings.model_copy(update={"principal_cache_ttl_s": 1.0})


@pytest.fixture
def sessions_opened(app):
    """How many database sessions the app's requests created."""
    db = app.state.db
    opened = []
    original = db.sessionmaker

    def counting():
        opened.append(1)
        return original()

    db.sessionmaker = counting
    yield opened
    db.sessionmaker = original


@pytest.fixture
async def alice(factory):
    org = await factory.org(key="acme", name="Acme Learning")
    user = await factory.user(org, "alice", roles=("admin",))
    return user, await factory.token(user)


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_typename_anonymous_sends_nothing(client, sql_counter, sessions_opened):
    sql_counter.reset()
    r = await client.post("/graphql", json=TYPENAME)
    assert r.status_code == 200
    assert r.json()["data"] == {"__typename": "Query"}
    assert sql_counter.count == 0
    assert sessions_opened == []


async def test_a_cached_principal_costs_no_statement(client, alice, sql_counter, sessions_opened):
    _, token = alice
    sql_counter.reset()
    first = await client.post("/graphql", json=TYPENAME, headers=auth(token))
    assert first.status_code == 200
    assert sql_counter.count == 1  # the token, its user, org and roles: one statement
    assert len(sessions_opened) == 1

    sql_counter.reset()
    for query in (TYPENAME, ORG):
        r = await client.post("/graphql", json=query, headers=auth(token))
        assert r.status_code == 200, r.text
    assert r.json()["data"] == {
        "viewer": {"roles": ["admin"], "org": {"key": "acme", "name": "Acme Learning"}}
    }
    assert sql_counter.count == 0
    assert len(sessions_opened) == 1  # no session for either request

    r = await client.post("/graphql", json=USER, headers=auth(token))
    assert r.json()["data"] == {"viewer": {"user": {"username": "alice"}}}
    assert sql_counter.count == 1  # the user row, read because it was asked for
    assert len(sessions_opened) == 2


async def test_revoking_in_this_process_drops_the_cached_principal(client, session, alice):
    user, token = alice
    assert (await client.post("/graphql", json=TYPENAME, headers=auth(token))).status_code == 200
    token_id = (await session.scalars(select(ApiToken.id).where(ApiToken.user_id == user.id))).one()
    assert await revoke_token(session, token_id) is True
    r = await client.post("/graphql", json=ORG, headers=auth(token))
    assert r.status_code == 401
    assert r.json()["errors"][0]["message"] == "Token has been revoked."


async def test_rest_routes_use_the_cache_too(client, alice, sql_counter):
    _, token = alice
    assert (await client.post("/graphql", json=TYPENAME, headers=auth(token))).status_code == 200
    sql_counter.reset()
    r = await client.get("/api/metrics", headers=auth(token))
    assert r.status_code == 200, r.text
    assert not any("api_tokens" in s for s in sql_counter.statements)


async def test_bad_tokens_are_not_cached(client, alice, sql_counter):
    for _ in range(2):
        sql_counter.reset()
        r = await client.post("/graphql", json=TYPENAME, headers=auth("tly_unknown"))
        assert r.status_code == 401
        assert sql_counter.count == 1


# --- the cache on its own ------------------------------------------------------------------


def _principal(token_id: int = 7) -> Principal:
    return Principal(org_id=1, org_key="acme", user_id=2, username="u", token_id=token_id)


class Loads:
    def __init__(self, expires_at: datetime | None = None) -> None:
        self.count = 0
        self.expires_at = expires_at

    async def __call__(self):
        self.count += 1
        return _principal(), self.expires_at


async def test_entries_live_for_the_ttl_only():
    cache = PrincipalCache(ttl_s=0.2)
    load = Loads()
    await cache.principal(b"h", load)
    await cache.principal(b"h", load)
    assert load.count == 1
    await asyncio.sleep(0.4)
    await cache.principal(b"h", load)
    assert load.count == 2


async def test_a_token_that_expires_while_cached_is_refused():
    cache = PrincipalCache(ttl_s=1.0)
    load = Loads(expires_at=datetime.now(UTC) + timedelta(milliseconds=100))
    await cache.principal(b"h", load)
    await asyncio.sleep(0.2)
    with pytest.raises(AuthError, match="expired"):
        await cache.principal(b"h", load)


async def test_ttl_zero_is_no_cache():
    cache = PrincipalCache(ttl_s=0)
    load = Loads()
    await cache.principal(b"h", load)
    await cache.principal(b"h", load)
    assert load.count == 2


async def test_a_revocation_announced_through_redis_empties_every_cache():
    import redis.asyncio as redis_asyncio

    client = redis_asyncio.Redis.from_url(REDIS_URL)
    # a TTL far beyond the test: only the announcement can make the cache read again
    cache = PrincipalCache(ttl_s=60, poll_s=0.1, redis_client=client)
    other = PrincipalCache(ttl_s=60, poll_s=0.1, redis_url=REDIS_URL)
    try:
        loads = Loads()
        for c in (cache, other):
            await c.principal(b"h-" + uuid.uuid4().bytes, loads)
        key = b"h-shared"
        await cache.principal(key, loads)
        await cache.principal(key, loads)
        before = loads.count
        assert await announce_revocation(REDIS_URL) is True
        await asyncio.sleep(0.5)  # poll interval (0.1 s) + margin
        await cache.principal(key, loads)
        assert loads.count == before + 1
        assert await client.get(REVOCATIONS_KEY) is not None
    finally:
        await cache.close()
        await other.close()


async def test_redis_down_leaves_the_ttl_in_charge():
    cache = PrincipalCache(ttl_s=0.2, poll_s=0.05, redis_url="redis://127.0.0.1:1")
    load = Loads()
    await cache.principal(b"h", load)
    await cache.principal(b"h", load)
    assert load.count == 1
    await asyncio.sleep(0.4)
    await cache.principal(b"h", load)
    assert load.count == 2
    assert await announce_revocation("redis://127.0.0.1:1") is False
    await cache.close()
