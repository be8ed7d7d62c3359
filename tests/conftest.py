"""Test harness: one real PostgreSQL database per test run (embedded unless
TEST_DATABASE_URL points at a server), migrations applied once, and each test inside a
transaction that is rolled back.

Fixtures:
  engine       the run's AsyncEngine (session scope)
  conn         an AsyncConnection inside an outer transaction rolled back after the test
  session      an AsyncSession on `conn` (its commits become savepoints)
  db           a gateway.db.Database whose sessions all use `conn`
  client       an httpx.AsyncClient talking to the app (ASGI) on `db`
  sql_counter  counts SQL statements executed through `engine`
  factory      async builders for orgs, users, tokens, ... (tests/factories.py)
  run_database_url  URL of the run's database, for subprocess (CLI) tests that need
                    their own committed data: use `scratch_database` instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from gateway.config import PROJECT_ROOT, Settings
from gateway.db import (
    Database,
    drop_database,
    ensure_database,
    make_engine,
    start_embedded,
    to_sqlalchemy_url,
    with_database,
)
from tests.factories import Factory


def _server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return start_embedded(PROJECT_ROOT / ".tally")


@pytest.fixture(scope="session")
def server_url() -> str:
    return _server_url()


@pytest.fixture(scope="session")
async def run_database_url(server_url: str) -> AsyncIterator[str]:
    name = f"tally_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await ensure_database(server_url, name)
    url = to_sqlalchemy_url(with_database(server_url, name))
    engine = make_engine(url, pool_size=2)
    from gateway import migrate

    await migrate.upgrade(engine)
    await engine.dispose()
    yield url
    await drop_database(server_url, name)


@pytest.fixture
async def scratch_database(server_url: str) -> AsyncIterator[str]:
    """A fresh, empty database (no migrations) for tests that commit or run subprocesses."""
    name = f"tally_scratch_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await ensure_database(server_url, name)
    yield to_sqlalchemy_url(with_database(server_url, name))
    await drop_database(server_url, name)


@pytest.fixture(scope="session")
async def engine(run_database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(run_database_url, pool_size=5)
    yield eng
    await eng.dispose()


@pytest.fixture
async def conn(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        outer = await connection.begin()
        try:
            yield connection
        finally:
            if outer.is_active:
                await outer.rollback()


@pytest.fixture
def db(engine: AsyncEngine, conn: AsyncConnection) -> Database:
    return Database(engine, bind=conn)


@pytest.fixture
async def session(db: Database) -> AsyncIterator[AsyncSession]:
    async with db.session() as s:
        yield s


@pytest.fixture
def settings(tmp_path) -> Settings:
    # rate limits off: suites send many requests per token; tests/faults turns them on.
    # No principal cache: statement counts must not depend on how fast a test runs
    # (tests/gateway/test_principal_cache.py turns it on).
    return Settings(
        data_dir=tmp_path,
        database_url="postgresql://unused/unused",
        rate_limit_enabled=False,
        principal_cache_ttl_s=0,
    )


@pytest.fixture
def app(settings: Settings, db: Database):
    from gateway.app import create_app

    return create_app(settings, database=db)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://tally.test") as c:
        yield c


class SqlCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def sql_counter(engine: AsyncEngine):
    counter = SqlCounter()

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            counter.statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    yield counter
    event.remove(engine.sync_engine, "before_cursor_execute", before)


@pytest.fixture
def factory(session: AsyncSession) -> Factory:
    return Factory(session)
