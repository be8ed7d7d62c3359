"""Fixtures of the ibl.ai shim tests: the learners world (tests/learners/conftest.py: org
`acme`, admin + alice/bob/carol, mentors `mentor-ai-tutor` / `mentor-two`, chat, costs,
catalog and audit log in March 2026), a request clock frozen at 2026-03-31 12:00 UTC so
the documented rolling filters (`30d`, `today`) are deterministic, and an `Api-Token`
client.

With the frozen clock `date_filter=30d` is 2026-03-02 00:00 .. 03-31 12:00 UTC (every March
chat of the world; previous period 01-31 12:00 .. 03-02 00:00 holds s0 only).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from gateway.metrics.loader import RequestClock
from tests.learners.conftest import World, world  # noqa: F401  (the shared fixture)

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
ORG = "platform_key=acme"
MARCH = "date_filter=custom&start_date=2026-03-01&end_date=2026-03-31&platform_key=acme"
BASE = "/dm/api"


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    def init(self, ctx):
        self.now = NOW

    monkeypatch.setattr(RequestClock, "__init__", init)
    return NOW


class Api:
    def __init__(self, client: httpx.AsyncClient, w: World) -> None:
        self.client = client
        self.world = w

    def headers(self, as_: str | None) -> dict[str, str]:
        return {"Authorization": f"Api-Token {self.world.tokens[as_]}"} if as_ else {}

    async def get(self, path: str, as_: str | None = "admin", **kw: Any) -> httpx.Response:
        return await self.client.get(BASE + path, headers=self.headers(as_), **kw)

    async def ok(self, path: str, as_: str | None = "admin") -> Any:
        r = await self.get(path, as_)
        assert r.status_code == 200, r.text
        return r.json()

    async def error(self, path: str, status: int, as_: str | None = "admin") -> str:
        r = await self.get(path, as_)
        assert r.status_code == status, r.text
        body = r.json()
        assert list(body) == ["detail"] and isinstance(body["detail"], str), body
        return body["detail"]


@pytest.fixture
def api(client, world) -> Api:  # noqa: F811  (the imported fixture)
    return Api(client, world)


def nonzero(results: list[dict]) -> dict[str, Any]:
    return {p["date"]: p["value"] for p in results if p["value"]}
