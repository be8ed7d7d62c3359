"""Rate limits: token buckets per API token and per client address, in-process or shared
through Redis (two app instances on one Redis draw on one budget), 429 + Retry-After in
every caller's dialect, health checks exempt, a Redis outage limiting in-process
instead of failing, and made-up (unknown, expired, revoked) tokens spending the client
address' budget instead of each getting a fresh one.

Policies use a refill so slow (one token per 1,000 s) that no token comes back during a
test: the counts below are exactly the burst sizes.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from gateway.app import create_app
from gateway.auth import create_token, revoke_token
from gateway.config import Settings
from gateway.db import Database
from tests.factories import Factory

REDIS_URL = "redis://127.0.0.1:6379/2"
DEAD_REDIS_URL = "redis://127.0.0.1:8118/2"  # nothing listens there
SLOW = 0.001  # tokens per second


def _app(db: Database, tmp_path, **settings):
    values = {
        "data_dir": tmp_path,
        "database_url": "postgresql://unused/unused",
        "rate_limit_enabled": True,
        "rate_limit_token_rps": SLOW,
        "rate_limit_token_burst": 3,
        "rate_limit_anonymous_rps": SLOW,
        "rate_limit_anonymous_burst": 2,
        **settings,
    }
    return create_app(Settings(**values), database=db)


def _client(app, address: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://tally.test")


@pytest.fixture
async def token(factory: Factory) -> str:
    org = await factory.org()
    user = await factory.user(org, roles=("admin",))
    return await factory.token(user)


VIEWER = {"query": "{ viewer { user { username } } }"}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_memory_buckets_per_token_and_per_address(db: Database, tmp_path, token: str):
    app = _app(db, tmp_path)
    async with _client(app) as client, _client(app, "10.1.2.3") as elsewhere:
        statuses = [
            (await client.post("/graphql", json=VIEWER, headers=_bearer(token))).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        r = await client.post("/graphql", json=VIEWER, headers=_bearer(token))
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) > 0
        assert r.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert "3 requests" not in r.json()["errors"][0]["message"]
        assert "bursts of 3" in r.json()["errors"][0]["message"]

        # anonymous requests: the client address' own bucket (burst 2), per address
        anonymous = [(await client.get("/openapi.json")).status_code for _ in range(3)]
        assert anonymous == [200, 200, 429]
        assert (await elsewhere.get("/openapi.json")).status_code == 200

        # health checks take no token
        for _ in range(5):
            assert (await client.get("/livez")).status_code == 200
            assert (await client.get("/readyz")).status_code == 200


async def test_another_token_has_its_own_budget(db: Database, tmp_path, factory: Factory):
    org = await factory.org()
    first = await factory.token(await factory.user(org))
    second = await factory.token(await factory.user(org))
    app = _app(db, tmp_path, rate_limit_token_burst=1)
    async with _client(app) as client:
        assert (
            await client.post("/graphql", json=VIEWER, headers=_bearer(first))
        ).status_code == 200
        assert (
            await client.post("/graphql", json=VIEWER, headers=_bearer(first))
        ).status_code == 429
        assert (
            await client.post("/graphql", json=VIEWER, headers=_bearer(second))
        ).status_code == 200


# (method, path, json body) of one route per dialect, and how its 429 body looks
DIALECTS = [
    ("POST", "/graphql", VIEWER, lambda b: b["errors"][0]["extensions"]["code"] == "RATE_LIMITED"),
    ("POST", "/api/v1/aistudios/metrics/", {"url": "x"}, lambda b: set(b) == {"detail"}),
    ("GET", "/v1/analytics", None, lambda b: b["error"]["code"] == "rate_limited"),
    (
        "GET",
        "/api/metrics",
        None,
        lambda b: b["error"] == "Failed to fetch metrics" and "Rate limit" in b["message"],
    ),
    ("GET", "/dm/api/analytics/topics/?platform_key=acme", None, lambda b: set(b) == {"detail"}),
    ("GET", "/api/v1/workspaces/metrics", None, lambda b: set(b) == {"message"}),
    ("POST", "/v1/ingest/events", [], lambda b: b["error"]["code"] == "rate_limited"),
]


@pytest.mark.parametrize(("method", "path", "body", "looks_right"), DIALECTS)
async def test_429_in_each_dialect(db: Database, tmp_path, method, path, body, looks_right):
    app = _app(db, tmp_path, rate_limit_token_burst=1)
    token = f"tly_{uuid.uuid4().hex}"  # the bucket is taken before authentication
    headers = {"Authorization": f"Bearer {token}"}
    async with _client(app) as client:
        first = await client.request(method, path, json=body, headers=headers)
        assert first.status_code != 429
        r = await client.request(method, path, json=body, headers=headers)
        assert r.status_code == 429, r.text
        assert int(r.headers["Retry-After"]) > 0
        assert looks_right(r.json()), r.json()
        message = str(r.json())
        assert "Rate limit reached for this token" in message, message


@pytest.fixture
async def redis_keys() -> AsyncIterator[list[str]]:
    """Tokens (and `address:<a>` keys) the test used in Redis, deleted afterwards."""
    import redis.asyncio as redis_asyncio

    used: list[str] = []
    yield used
    client = redis_asyncio.Redis.from_url(REDIS_URL)
    try:
        for token in used:
            if token.startswith("address:"):
                await client.delete(f"tally:ratelimit:{token}")
                continue
            digest = hashlib.sha256(token.encode()).hexdigest()[:32]
            await client.delete(f"tally:ratelimit:token:{digest}")
    finally:
        await client.aclose()


async def test_two_instances_share_one_budget_through_redis(
    db: Database, tmp_path, token: str, redis_keys: list[str]
):
    redis_keys.append(token)
    one = _app(db, tmp_path, redis_url=REDIS_URL, rate_limit_token_burst=4)
    two = _app(db, tmp_path, redis_url=REDIS_URL, rate_limit_token_burst=4)
    async with _client(one) as a, _client(two) as b:
        statuses = [
            (await c.post("/graphql", json=VIEWER, headers=_bearer(token))).status_code
            for c in (a, b, a, b, a, b)
        ]
    assert statuses == [200, 200, 200, 200, 429, 429]


async def test_two_instances_without_redis_each_have_a_budget(db: Database, tmp_path, token: str):
    one = _app(db, tmp_path, rate_limit_token_burst=2)
    two = _app(db, tmp_path, rate_limit_token_burst=2)
    async with _client(one) as a, _client(two) as b:
        statuses = [
            (await c.post("/graphql", json=VIEWER, headers=_bearer(token))).status_code
            for c in (a, b, a, b, a, b)
        ]
    assert statuses == [200, 200, 200, 200, 429, 429]


async def test_a_redis_outage_limits_in_process(db: Database, tmp_path, token: str):
    app = _app(db, tmp_path, redis_url=DEAD_REDIS_URL, rate_limit_token_burst=2)
    async with _client(app) as client:
        statuses = [
            (await client.post("/graphql", json=VIEWER, headers=_bearer(token))).status_code
            for _ in range(3)
        ]
    assert statuses == [200, 200, 429]


async def test_rate_limits_can_be_switched_off(db: Database, tmp_path, token: str):
    app = _app(db, tmp_path, rate_limit_enabled=False, rate_limit_token_burst=1)
    async with _client(app) as client:
        for _ in range(5):
            r = await client.post("/graphql", json=VIEWER, headers=_bearer(token))
            assert r.status_code == 200


# --- made-up tokens ---------------------------------------------------------------------------


def _made_up() -> dict[str, str]:
    return _bearer(f"tly_{uuid.uuid4().hex}")


def _refused_for_the_address(r: httpx.Response) -> bool:
    error = r.json()["errors"][0]
    return (
        r.status_code == 429
        and int(r.headers["Retry-After"]) > 0
        and error["extensions"]["code"] == "RATE_LIMITED"
        and "Rate limit reached for your address" in error["message"]
        and "bursts of 2" in error["message"]
    )


async def test_rotating_made_up_tokens_spends_the_address_budget(
    db: Database, tmp_path, factory: Factory
):
    org = await factory.org()
    user = await factory.user(org)
    valid = await factory.token(user)
    expired = await factory.token(user, expires_at=datetime.now(UTC) - timedelta(days=1))
    row, revoked = await create_token(factory.session, org_id=org.id, user_id=user.id, name="r")
    await revoke_token(factory.session, row.id)
    # anonymous / unproven burst 2, per token 3
    app = _app(db, tmp_path)
    async with _client(app, "10.0.0.7") as client, _client(app, "10.0.0.8") as elsewhere:
        # a valid token's first request is charged to the address, then given back
        assert (
            await client.post("/graphql", json=VIEWER, headers=_bearer(valid))
        ).status_code == 200
        # two failed authentications (an expired and a revoked token) spend the address'
        # budget of 2; from then on every new token is refused before authentication
        statuses = [
            (await client.post("/graphql", json=VIEWER, headers=_bearer(t))).status_code
            for t in (expired, revoked)
        ]
        assert statuses == [401, 401]
        for _ in range(5):
            r = await client.post("/graphql", json=VIEWER, headers=_made_up())
            assert _refused_for_the_address(r), r.text
        # the same budget as anonymous requests from that address
        anonymous = await client.get("/openapi.json")
        assert anonymous.status_code == 429
        assert "anonymous requests from your address" in anonymous.json()["error"]["message"]
        # the proven token keeps its own budget (3: one used above)
        for _ in range(2):
            r = await client.post("/graphql", json=VIEWER, headers=_bearer(valid))
            assert r.status_code == 200
        # another address is not affected
        assert (
            await elsewhere.post("/graphql", json=VIEWER, headers=_made_up())
        ).status_code == 401
        assert (await elsewhere.get("/openapi.json")).status_code == 200


async def test_made_up_tokens_are_refused_in_every_dialect(db: Database, tmp_path):
    app = _app(db, tmp_path)
    async with _client(app, "10.0.0.9") as client:
        for _ in range(2):  # two failed authentications spend the address' budget
            r = await client.post("/graphql", json=VIEWER, headers=_made_up())
            assert r.status_code == 401
        for method, path, body, looks_right in DIALECTS:
            r = await client.request(method, path, json=body, headers=_made_up())
            assert r.status_code == 429, (path, r.text)
            assert int(r.headers["Retry-After"]) > 0
            assert looks_right(r.json()), r.json()
            assert "Rate limit reached for your address" in str(r.json())


async def test_made_up_tokens_share_the_address_budget_through_redis(
    db: Database, tmp_path, token: str, redis_keys: list[str]
):
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.1"
    redis_keys.append(f"address:{address}")
    one = _app(db, tmp_path, redis_url=REDIS_URL, rate_limit_anonymous_burst=3)
    two = _app(db, tmp_path, redis_url=REDIS_URL, rate_limit_anonymous_burst=3)
    async with _client(one, address) as a, _client(two, address) as b:
        # a valid token's charge is given back: the address keeps its 3
        assert (await a.post("/graphql", json=VIEWER, headers=_bearer(token))).status_code == 200
        statuses = []
        for c in (a, b, a, b, a, b):
            made_up = _made_up()
            redis_keys.append(made_up["Authorization"].split()[1])
            statuses.append((await c.post("/graphql", json=VIEWER, headers=made_up)).status_code)
    redis_keys.append(token)
    assert statuses == [401, 401, 401, 429, 429, 429]
