"""A revoked token is refused by every worker of a real `tally serve --workers 2` once the
principal cache's TTL (1 s) has passed — revoked from another process (`tally token
revoke`), with the in-process TTL alone and with revocations shared through Redis."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import migrate
from gateway.db import make_engine
from gateway.models import ApiToken
from tests.factories import Factory
from tests.server import TallyServer

REDIS_URL = "redis://127.0.0.1:6379"
TTL_S = 1.0
MARGIN_S = 1.0
START_TIMEOUT_S = 180
QUERY = {"query": "{ viewer { roles org { key } } }"}


async def _token(url: str) -> tuple[int, str]:
    engine = make_engine(url, pool_size=1)
    try:
        await migrate.upgrade(engine)
        async with AsyncSession(engine) as session:
            factory = Factory(session)
            org = await factory.org(key="revoke")
            user = await factory.user(org, "rita", roles=("admin",))
            token = await factory.token(user)
            token_id = await session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
            await session.commit()
        return token_id, token
    finally:
        await engine.dispose()


def _env(database_url: str, redis_url: str | None) -> dict[str, str]:
    env = {
        "DATABASE_URL": database_url.replace("postgresql+asyncpg://", "postgresql://"),
        "TALLY_RATE_LIMIT_ENABLED": "false",
        "TALLY_PRINCIPAL_CACHE_TTL_S": str(TTL_S),
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _statuses(url: str, token: str, n: int) -> list[tuple[int, str]]:
    """`n` requests, each on a new connection (so the kernel spreads them over workers)."""
    out = []
    for _ in range(n):
        with httpx.Client(timeout=30) as client:
            r = client.post(url, json=QUERY, headers={"Authorization": f"Bearer {token}"})
        body = r.json()
        out.append((r.status_code, (body.get("errors") or [{}])[0].get("message", "")))
    return out


@pytest.mark.parametrize("redis_url", [None, REDIS_URL], ids=["memory", "redis"])
async def test_a_revoked_token_is_refused_by_every_worker_after_the_ttl(
    scratch_database, redis_url
):
    token_id, token = await _token(scratch_database)
    before, after = await asyncio.to_thread(_scenario, scratch_database, redis_url, token_id, token)
    assert all(status == 200 for status, _ in before), before
    assert after == [(401, "Token has been revoked.")] * 30, after


def _scenario(database_url: str, redis_url: str | None, token_id: int, token: str):
    """Serve, warm every worker's cache, revoke from another process, wait the TTL (plus
    a margin), ask again: (statuses before, statuses after)."""
    server = TallyServer(env=_env(database_url, redis_url), clean=True, args=("--workers", "2"))
    url = f"{server.base_url}/graphql"
    try:
        server.start(timeout=START_TIMEOUT_S)
        before = _statuses(url, token, 30)  # every worker now has the principal cached
        revoke = subprocess.run(
            [sys.executable, "-m", "gateway.cli", "token", "revoke", str(token_id)],
            env=server.environment(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert revoke.returncode == 0, revoke.stderr
        time.sleep(TTL_S + MARGIN_S)
        return before, _statuses(url, token, 30)
    finally:
        server.stop()
