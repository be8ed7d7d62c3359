"""Fixtures for the authorization matrix: the demo dataset (internal `tiny` scale) seeded
once per test module into its own committed database, the app on top of it, and a
`gql(principal, query)` helper that sends one GraphQL request as a demo principal (or
unauthenticated with `principal=None`). The request clock is frozen at the seed's anchor
so that the default periods hold the demo's data.

Fixtures (module scope): demo_db, demo_client, gql, refs (org ids by key and the global
id of acme's `ai-research-studio`), reports (an org-wide `ai-mentor-users` data report
created through the API by each org's admin, plus a globex export)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from gateway import migrate
from gateway.app import create_app
from gateway.config import Settings
from gateway.db import Database, drop_database, ensure_database, make_engine, with_database
from gateway.demo import demo_token, seed_demo
from gateway.metrics.loader import RequestClock

SEED = 42
ANCHOR = datetime(2026, 3, 10, 15, tzinfo=UTC)

Gql = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture(scope="module")
async def demo_db(server_url: str) -> AsyncIterator[Database]:
    """A fresh database with the demo seeded at the `tiny` scale (committed, dropped at
    the end of the module)."""
    name = f"tally_authz_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await ensure_database(server_url, name)
    db = Database(make_engine(with_database(server_url, name), pool_size=2))
    try:
        await migrate.upgrade(db.engine)
        await seed_demo(db, scale="tiny", seed=SEED, anchor=ANCHOR, quiet=True)
        yield db
    finally:
        await db.dispose()
        await drop_database(server_url, name)


@pytest.fixture(scope="module")
async def demo_client(demo_db: Database, tmp_path_factory) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("authz"),
        database_url="postgresql://unused/unused",
        rate_limit_enabled=False,  # the matrix sends hundreds of requests per token
    )
    app = create_app(settings, database=demo_db)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://tally.test") as c:
        yield c


@pytest.fixture(scope="module")
def gql(demo_client: httpx.AsyncClient) -> Gql:
    """`await gql(principal_name | None, query, **variables)` -> the response body."""

    async def send(principal: str | None, query: str, **variables: Any) -> dict[str, Any]:
        headers = {}
        if principal is not None:
            headers["Authorization"] = f"Bearer {demo_token(SEED, principal)}"
        response = await demo_client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code < 500, response.text
        return response.json()

    return send


@pytest.fixture(scope="module", autouse=True)
def frozen_clock() -> Iterator[datetime]:
    def init(self: RequestClock, ctx: object) -> None:
        self.now = ANCHOR

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(RequestClock, "__init__", init)
        yield ANCHOR


@pytest.fixture(scope="module")
async def refs(gql: Gql, demo_db: Database) -> dict[str, Any]:
    async with demo_db.engine.connect() as conn:
        orgs = dict((await conn.execute(text("SELECT key, id FROM orgs"))).all())
    body = await gql("publication_owner", '{ publication(customUrl: "ai-research-studio") { id } }')
    return {"org": orgs, "acme_pub": body["data"]["publication"]["id"]}


CREATE_REPORT = 'mutation { createDataReport(input: {reportName: "ai-mentor-users"}) { id } }'
# 90 days: longer than an inline export, so the job is only queued (no file is written)
CREATE_EXPORT = 'mutation { createAnalyticsExport(input: {period: "90d"}) { id } }'


@pytest.fixture(scope="module")
async def reports(gql: Gql) -> dict[str, str]:
    """Global ids of the jobs created: `<principal>:<mutation>` -> id. The demo seeds only
    acme's export `exp_xxx`, so the job node types get rows in both orgs here."""
    out = {}
    for principal, doc in (
        ("org_admin", CREATE_REPORT),
        ("other_org_admin", CREATE_REPORT),
        ("other_org_admin", CREATE_EXPORT),
    ):
        body = await gql(principal, doc)
        assert "errors" not in body, body["errors"]
        [(field, job)] = body["data"].items()
        out[f"{principal}:{field}"] = job["id"]
    return out
