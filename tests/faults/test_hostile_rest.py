"""Hostile input to every legacy REST API: each documented example request that succeeds,
with one of its query parameters, path identifiers or JSON body fields replaced by a
value of a bad-input class (a NUL character, an over-long string, an integer beyond
PostgreSQL's bigint, a date outside 1970-2100 or one that does not exist, the wrong JSON
type): ~1,000 requests. None is answered with a 5xx, a traceback or SQL text; a NUL or
an over-long string is always a 4xx in the API's own dialect; other values are a 4xx or,
where the parameter is free text (a search, an email filter) or unused by the chosen
mode (custom dates without `date_filter=custom`), a 200.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import httpx
import pytest

from gateway.demo import DEFAULT_SEED, PRINCIPALS, demo_token
from tests.rest.documented_examples import EXAMPLES, MISSION, WORKSPACE, Example
from tests.rest.test_documented_examples import demo  # noqa: F401 (the seeded demo)

BAD_CLASSES: dict[str, Any] = {
    "nul": "a\x00b",
    "long": "x" * 10_001,
    "bigint+1": str(2**63),
    "ancient-date": "0001-01-01",
    "far-date": "9999-12-31",
    "no-such-date": "2026-02-30",
}
ALWAYS_4XX = {"nul", "long"}
"""No input takes a NUL character or a string over 10,000 characters."""
JSON_ONLY: dict[str, Any] = {"object": {"a": 1}, "float": 1.5}
IDENTIFIERS = (MISSION, WORKSPACE, "ada.admin", "/7")
LEAKS = re.compile(r"Traceback|asyncpg|sqlalchemy|psycopg|SELECT |Internal error", re.I)


def _mutations() -> list[tuple[str, Example]]:
    out: dict[str, Example] = {}
    for e in EXAMPLES:
        if e.status not in (200, 201) or not e.principal:
            continue
        if any(isinstance(v, str) and v.startswith("{") for v in e.params.values()):
            continue
        for key in e.params:
            for cls, value in BAD_CLASSES.items():
                out.setdefault(
                    f"{e.method} {e.path} ?{key}={cls}",
                    replace(e, params={**e.params, key: value}),
                )
        for ident in IDENTIFIERS:
            if ident in e.path:
                for cls, value in BAD_CLASSES.items():
                    bad = "/" + value if ident.startswith("/") else value
                    path = e.path.replace(ident, bad.replace("\x00", "%00"))
                    out.setdefault(
                        f"{e.method} {e.path} path[{ident}]={cls}", replace(e, path=path)
                    )
        if isinstance(e.json, dict):
            for key, value in _fields(e.json):
                for cls, bad in {**BAD_CLASSES, **JSON_ONLY}.items():
                    if cls == "bigint+1" and isinstance(value, int):
                        bad = 2**63
                    out.setdefault(
                        f"{e.method} {e.path} {key}={cls}",
                        replace(e, json=_set(e.json, key, bad)),
                    )
    return sorted(out.items())


def _fields(body: dict, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for k, v in body.items():
        if isinstance(v, dict):
            found += _fields(v, f"{prefix}{k}.")
        elif k != "workspace_uuid" or not prefix:
            found.append((f"{prefix}{k}", v))
    return found


def _set(body: dict, dotted: str, value: Any) -> dict:
    head, _, rest = dotted.partition(".")
    if rest:
        return {**body, head: _set(body[head], rest, value)}
    return {**body, head: value}


MUTATIONS = _mutations()


@pytest.fixture(scope="module")
async def client(demo):  # noqa: F811
    from gateway.app import create_app

    db, settings = demo
    # rate limits off: the test sends ~1,400 requests with a few tokens
    app = create_app(settings.model_copy(update={"rate_limit_enabled": False}), database=db)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://tally.test") as c:
        yield c


TOKENS = {p.name: demo_token(DEFAULT_SEED, p.name) for p in PRINCIPALS}


async def test_every_bad_input_is_a_clean_4xx(client):
    assert len(MUTATIONS) >= 500
    wrong = []
    for label, e in MUTATIONS:
        headers = {"Authorization": f"{e.scheme} {TOKENS[e.principal]}"}
        r = await client.request(e.method, e.path, params=e.params, json=e.json, headers=headers)
        cls = label.rpartition("=")[2]
        clean = r.status_code < 500 and not LEAKS.search(r.text)
        if not clean or (cls in ALWAYS_4XX and not 400 <= r.status_code < 500):
            wrong.append(f"{r.status_code} {label}: {r.text[:200]}")
    assert not wrong, f"{len(wrong)} of {len(MUTATIONS)}:\n" + "\n".join(wrong)
