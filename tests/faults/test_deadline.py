"""The request deadline, statement timeouts and retried serialization failures, on a
database of the test's own (committed data, real connections: a lock held by the test
makes a request slow on purpose).

* Past `request_timeout_s` a request gets 504 + Retry-After in its caller's dialect, its
  statement is cancelled (no backend of the app is left waiting on the lock) and its
  connection goes back, so requests beyond the pool's size still get their 504.
* A statement stopped by `statement_timeout` is a 503 + Retry-After, in the
  authentication dependency, in a GraphQL resolver and in a REST route alike, and every
  connection goes back to the pool (a statement sent after its request has ended is
  refused, `RequestSession.finish`).
* A serialization failure in a read-only operation is retried and succeeds.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from gateway.app import create_app
from gateway.config import Settings
from gateway.db import Database, make_engine
from tests.factories import Factory

STALL_BOUND_S = 10.0  # a deadline of 0.5 s vs a statement that would wait 60 s
POOL = 2  # pool_size; max_overflow is the same, so 4 connections at most

PUBLICATIONS = {"query": "{ publications(first: 5) { totalCount } }"}


@pytest.fixture
async def database(scratch_database: str) -> AsyncIterator[str]:
    from gateway import migrate

    engine = make_engine(scratch_database, pool_size=1)
    await migrate.upgrade(engine)
    await engine.dispose()
    yield scratch_database


@pytest.fixture
async def token(database: str) -> str:
    engine = make_engine(database, pool_size=1)
    try:
        async with AsyncSession(engine) as session:
            factory = Factory(session)
            org = await factory.org(key="slow")
            user = await factory.user(org, "sam.slow", roles=("admin",))
            await factory.publication(user, "slow-studio")
            token = await factory.token(user)
            await session.commit()
        return token
    finally:
        await engine.dispose()


async def _client(database: str, tmp_path, **settings) -> tuple[httpx.AsyncClient, AsyncEngine]:
    statement_timeout_ms = settings.pop("statement_timeout_ms", 60_000)
    engine = make_engine(
        database, pool_size=POOL, statement_timeout_ms=statement_timeout_ms, pool_timeout_s=2
    )
    app = create_app(
        Settings(
            data_dir=tmp_path,
            database_url=database,
            statement_timeout_ms=statement_timeout_ms,
            **settings,
        ),
        database=Database(engine),
    )
    app.state.run_worker = False
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://tally.test"), engine


class Locker:
    """A connection of the test that holds ACCESS EXCLUSIVE locks until released."""

    def __init__(self, database: str) -> None:
        self.engine = make_engine(database, pool_size=1)

    async def __aenter__(self) -> Locker:
        self.conn = await self.engine.connect()
        await self.conn.begin()
        return self

    async def lock(self, table: str) -> None:
        await self.conn.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))

    async def waiting_app_backends(self) -> int:
        """Backends of the app (application_name 'tally') waiting for a lock."""
        return await self.conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tally' "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
        )

    async def __aexit__(self, *exc) -> None:
        await self.conn.rollback()
        await self.conn.close()
        await self.engine.dispose()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_deadline_ends_slow_requests_with_504_and_releases_connections(
    database: str, token: str, tmp_path
):
    client, engine = await _client(database, tmp_path, request_timeout_s=0.5)
    try:
        async with Locker(database) as locker:
            await locker.lock("api_tokens")  # authentication now waits for the test
            # twice the pool's capacity: a leaked connection would turn these into
            # pool timeouts (503) and the last ones would stall
            for i in range(2 * 2 * POOL):
                started = time.monotonic()
                if i % 2 == 0:
                    r = await client.post("/graphql", json=PUBLICATIONS, headers=_bearer(token))
                    assert r.status_code == 504, r.text
                    assert r.json()["data"] is None
                    [error] = r.json()["errors"]
                    assert error["extensions"]["code"] == "TIMEOUT"
                    assert "0.5 s" in error["message"]
                else:
                    r = await client.get("/api/metrics", headers=_bearer(token))
                    assert r.status_code == 504, r.text
                    body = r.json()
                    assert body["error"] == "Failed to fetch metrics"  # agent platform
                    assert "0.5 s" in body["message"]
                assert int(r.headers["Retry-After"]) > 0
                assert time.monotonic() - started < STALL_BOUND_S
            # the cancelled statements go away (PostgreSQL processes a cancel request
            # asynchronously, hence the bounded wait) instead of waiting behind the lock
            for _ in range(int(STALL_BOUND_S / 0.1)):
                if not await locker.waiting_app_backends():
                    break
                await asyncio.sleep(0.1)
            assert await locker.waiting_app_backends() == 0
        assert engine.pool.checkedout() == 0
        r = await client.post("/graphql", json=PUBLICATIONS, headers=_bearer(token))
        assert r.status_code == 200, r.text
        assert r.json()["data"]["publications"]["totalCount"] == 1
    finally:
        await client.aclose()
        await engine.dispose()


async def test_statement_timeout_is_503_in_auth_graphql_and_rest(
    database: str, token: str, tmp_path
):
    client, engine = await _client(
        database, tmp_path, statement_timeout_ms=2_000, request_timeout_s=30
    )
    gc.disable()
    try:
        async with Locker(database) as locker:
            await locker.lock("api_tokens")
            r = await client.post("/graphql", json=PUBLICATIONS, headers=_bearer(token))
            assert r.status_code == 503, r.text
            assert r.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
            assert int(r.headers["Retry-After"]) > 0
            r = await client.get("/v1/analytics", headers=_bearer(token))
            assert r.status_code == 503, r.text
            assert r.json()["error"]["code"] == "unavailable"  # AMP's dialect
            assert int(r.headers["Retry-After"]) > 0
        async with Locker(database) as locker:
            await locker.lock("publications")  # the resolver's table, not auth's
            r = await client.post("/graphql", json=PUBLICATIONS, headers=_bearer(token))
            assert r.status_code == 503, r.text
            body = r.json()
            assert {k: body[k] for k in ("data", "errors")} == {
                "data": None,
                "errors": [
                    {
                        "message": "The database is unavailable right now; retry in a few seconds.",
                        "extensions": {"code": "UNAVAILABLE"},
                    }
                ],
            }
            assert body["extensions"]["cost"]["estimated"] > 0  # every response reports it
            assert int(r.headers["Retry-After"]) > 0
        async with Locker(database) as locker:
            await locker.lock("deployments")  # read by GET /api/metrics' operation
            r = await client.get("/api/metrics", headers=_bearer(token))
            assert r.status_code == 503, r.text
            assert r.json()["error"] == "Failed to fetch metrics"
            assert int(r.headers["Retry-After"]) > 0
        r = await client.get("/api/metrics", headers=_bearer(token))
        assert r.status_code == 200, r.text
        # every connection is back in the pool, without the garbage collector (paused
        # above): a statement sent after its request failed once took one for good
        for _ in range(int(STALL_BOUND_S / 0.1)):
            if not engine.pool.checkedout():
                break
            await asyncio.sleep(0.1)
        assert engine.pool.checkedout() == 0
    finally:
        gc.enable()
        await client.aclose()
        await engine.dispose()


FLAKY_PUBLICATIONS = (
    "ALTER TABLE publications RENAME TO publications_stored",
    "CREATE SEQUENCE faults_calls",
    """CREATE FUNCTION faults_flaky(failures int) RETURNS boolean LANGUAGE plpgsql VOLATILE
    AS $$ BEGIN
      IF nextval('faults_calls') <= failures THEN
        RAISE EXCEPTION 'could not serialize access' USING ERRCODE = 'serialization_failure';
      END IF;
      RETURN true;
    END $$""",
    "CREATE VIEW publications AS SELECT * FROM publications_stored WHERE faults_flaky({n})",
)


async def _make_publications_flaky(database: str, failures: int) -> None:
    """Reading `publications` now fails with a serialization failure (40001) the first
    `failures` times a row is read, then works."""
    engine = make_engine(database, pool_size=1)
    try:
        async with engine.begin() as conn:
            for statement in FLAKY_PUBLICATIONS:
                await conn.execute(text(statement.replace("{n}", str(failures))))
    finally:
        await engine.dispose()


async def _calls(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return await conn.scalar(text("SELECT last_value FROM faults_calls"))


async def test_serialization_failure_in_a_query_is_retried(database: str, token: str, tmp_path):
    await _make_publications_flaky(database, failures=1)
    client, engine = await _client(database, tmp_path)
    try:
        r = await client.post("/graphql", json=PUBLICATIONS, headers=_bearer(token))
        assert r.status_code == 200, r.text
        assert r.json()["data"] == {"publications": {"totalCount": 1}}
        assert "errors" not in r.json()
        assert "retry-after" not in r.headers
        after_first = await _calls(engine)
        r = await client.post("/graphql", json=PUBLICATIONS, headers=_bearer(token))
        assert r.status_code == 200, r.text
        per_success = await _calls(engine) - after_first  # reads of the view per request
        # the first request: one failed read, then a whole successful retry
        assert after_first == 1 + per_success
    finally:
        await client.aclose()
        await engine.dispose()


async def test_persistent_serialization_failure_is_503_after_retries(
    database: str, token: str, tmp_path
):
    await _make_publications_flaky(database, failures=1_000)
    client, engine = await _client(database, tmp_path)
    try:
        r = await client.post("/graphql", json=PUBLICATIONS, headers=_bearer(token))
        assert r.status_code == 503, r.text
        assert r.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
        assert int(r.headers["Retry-After"]) > 0
        assert await _calls(engine) == 3  # the first attempt and two retries
    finally:
        await client.aclose()
        await engine.dispose()
