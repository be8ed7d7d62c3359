"""The AMP shim's contract with the rest of Tally: every route runs persisted operations
only (no SQL, sessions or repositories in the module), and /openapi.json describes each
route's request and response under the "AMP analytics" tag."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.routing import APIRoute

import gateway.rest.apis.amp as amp
from gateway.rest.persisted import persisted_operations

MODULES = [Path(amp.__file__).with_name(f"amp{x}.py") for x in ("", "_params", "_schemas")]
PATHS = {
    ("GET", "/v1/analytics"),
    ("GET", "/v1/analytics/missions/{id}"),
    ("GET", "/v1/analytics/performance"),
    ("GET", "/v1/analytics/costs"),
    ("GET", "/v1/analytics/compare"),
    ("GET", "/v1/analytics/realtime"),
    ("POST", "/v1/analytics/export"),
    ("GET", "/v1/analytics/export/{export_id}/download"),
}


def test_every_route_declares_persisted_operations():
    ops = persisted_operations()
    routes = [r for r in amp.router.routes if isinstance(r, APIRoute)]
    assert {(m, r.path) for r in routes for m in r.methods} == PATHS
    for r in routes:
        names = getattr(r.endpoint, "__operations__", ())
        assert names, r.path
        assert all(n in ops for n in names), (r.path, names)


def test_no_sql_in_the_shim():
    pattern = re.compile(r"sqlalchemy|\bselect\(|\.execute\(|session|repository|asyncpg", re.I)
    for path in MODULES:
        assert not pattern.search(path.read_text()), path


async def test_openapi_describes_every_route(client):
    spec = (await client.get("/openapi.json")).json()
    for method, path in PATHS:
        op = spec["paths"][path][method.lower()]
        assert op["tags"] == ["AMP analytics"]
        assert "200" in op["responses"] and "401" in op["responses"]
    export = spec["paths"]["/v1/analytics/export"]["post"]
    body = export["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"format", "period", "include", "mission_ids", "email_to"}
    overview = spec["paths"]["/v1/analytics"]["get"]
    params = {p["name"] for p in overview["parameters"]}
    assert params == {"period", "start_date", "end_date", "platforms", "granularity"}
