"""Fixtures for the Athena REST shim tests: the `athena` world of `tests/workspaces`
(same users, workspaces and events; request clock frozen at 2026-03-18 10:30 UTC), with
workspace W renamed to the document's example uuid, a fresh response cache per test on a
hand-driven clock, and a small HTTP helper.

With the clock frozen, the legacy periods are: 7d = 03-12 00:00 .. now, 30d = 02-17
00:00 .. now, 90d = 2025-12-19 00:00 .. now, all = 2026-01-01 09:00 (W created) .. now.
Events after now (F2's execution on 03-20) fall outside every one of them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.rest.cache import MemoryBackend, ResponseCache
from tests.workspaces import conftest as _ws
from tests.workspaces.conftest import NOW, Athena, utc

# the Athena world's fixtures, shared with tests/workspaces
athena = _ws.athena
build = _ws.build
frozen_now = _ws.frozen_now

DOC_UUID = "8360bf61-4604-4f22-99dc-2afa910fd8c7"
METRICS = "/api/v1/workspaces/metrics"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 18, 10, 30, 0, 123000, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(app, clock) -> ResponseCache:
    """Every test starts with an empty cache on the fake clock."""
    app.state.response_cache = ResponseCache(MemoryBackend(), clock=clock)
    return app.state.response_cache


@pytest.fixture
async def world(athena: Athena, session, cache) -> Athena:
    athena.ws.uuid = DOC_UUID
    await session.flush()
    return athena


class Api:
    def __init__(self, client, world: Athena) -> None:
        self.client = client
        self.world = world

    async def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        who: str | None = "owner",
        params: dict | None = None,
        content: bytes | None = None,
        headers: dict | None = None,
    ):
        hdrs = {"Authorization": f"Bearer {self.world.tokens[who]}"} if who else {}
        hdrs.update(headers or {})
        kw: dict[str, Any] = {"params": params, "headers": hdrs}
        if content is not None:
            kw["content"] = content
            hdrs.setdefault("Content-Type", "application/json")
        elif body is not None:
            kw["json"] = body
        return await self.client.request(method, path, **kw)


@pytest.fixture
def api(client, world) -> Api:
    return Api(client, world)


def body_of(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def assert_meta(meta: dict, *, frm: str, to: str = "2026-03-18", unit: str | None = None):
    assert set(meta) >= {"period", "cached_at", "cache_ttl", "unit"}
    assert meta["period"] == {"from": frm, "to": to}
    assert meta["cache_ttl"] == 300
    assert meta["unit"] == unit
    # ISO 8601 with milliseconds and Z, as the document's example
    assert datetime.strptime(meta["cached_at"], "%Y-%m-%dT%H:%M:%S.%fZ")


__all__ = ["NOW", "utc"]
