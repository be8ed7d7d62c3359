"""AMP REST shim fixtures: the missions team's "March world" (every number the tests
assert is derived from the rows documented in `tests/missions/conftest.py`), a frozen
request clock, `get` (a GET helper that checks the status), and an `app` with only the
AMP router mounted, so other APIs' work in progress cannot break these tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.missions.conftest import freeze_now, utc, world, write  # noqa: F401


@pytest.fixture
def app(settings, db, monkeypatch):
    import gateway.rest.apis as apis
    from gateway.app import create_app

    monkeypatch.setattr(apis, "ROUTER_MODULES", ("gateway.rest.apis.amp",))
    return create_app(settings, database=db)


@pytest.fixture
def get(client):
    async def _get(path: str, headers: dict[str, str] | None, status: int = 200, **params: Any):
        r = await client.get(path, params=params or None, headers=headers or {})
        assert r.status_code == status, r.text
        return r.json()

    return _get
