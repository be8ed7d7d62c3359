"""The REST shim's contract, across every legacy API module that exists:

(a) every route declares the persisted operations it runs (`@uses`), all in the allow-list;
(b) every persisted operation validates against the schema;
(c) no module under gateway/rest/ touches SQL or the database directly;
(d) /openapi.json lists every shim route under its legacy API's tag, with a request
    schema for body routes and a schema for the success (200 / 201 / 202) response;
and `tally operations list` prints the allow-list with the routes using each operation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import httpx
import pytest
from graphql import parse, validate

import gateway.rest
from gateway.cli import main
from gateway.rest.catalog import operation_catalog, shim_routes
from gateway.rest.persisted import persisted_operations

REST_DIR = Path(gateway.rest.__file__).resolve().parent
BODY_METHODS = {"POST", "PUT", "PATCH"}

# SQL builders / raw SQL / drivers. `x.update(` (a dict) and `schema.execute(` (GraphQL)
# are not database access; a bare `update(` / `select(` ... call is.
FORBIDDEN = re.compile(
    r"(?<![\w.])(select|insert|update|delete|text)\("
    r"|(?<!schema)\.execute\("
    r"|sqlalchemy|asyncpg"
    r"|\b(SELECT|INSERT|UPDATE|DELETE) "
)


@pytest.fixture(scope="module")
def routes():
    found = shim_routes()
    assert found, "no shim routes found"
    return found


def test_every_route_declares_persisted_operations(routes):
    allowed = persisted_operations()
    problems = []
    for r in routes:
        if not r.operations:
            problems.append(f"{r.module}: {r.label()} has no @uses(...)")
            continue
        problems += [
            f"{r.module}: {r.label()} uses {op!r}, not a persisted operation"
            for op in r.operations
            if op not in allowed
        ]
    assert not problems, "\n".join(problems)


def test_persisted_operations_validate_against_the_schema():
    from resolvers.schema import schema

    ops = persisted_operations()
    assert ops
    errors = {
        name: [e.message for e in validate(schema._schema, parse(op.document))]
        for name, op in ops.items()
    }
    assert not {k: v for k, v in errors.items() if v}


def test_no_sql_or_database_access_in_the_shim():
    hits = []
    for path in sorted(REST_DIR.rglob("*.py")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if FORBIDDEN.search(line):
                hits.append(f"{path.relative_to(REST_DIR.parent.parent)}:{n}: {line.strip()}")
    assert not hits, "SQL / DB access in gateway/rest:\n" + "\n".join(hits)


def test_the_sql_pattern_catches_what_it_should():
    for bad in (
        "stmt = select(User)",
        "await conn.execute(q)",
        "from sqlalchemy import text",
        "import asyncpg",
        'q = "SELECT id FROM users"',
        "delete(Event).where(x)",
    ):
        assert FORBIDDEN.search(bad), bad
    for fine in ("body.update(extra)", "await schema.execute(doc)", "path.read_text()"):
        assert not FORBIDDEN.search(fine), fine


async def test_openapi_lists_every_shim_route_by_tag(routes, settings):
    from gateway.app import create_app

    app = create_app(settings)  # the database is only opened at startup: not needed here
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tally.test") as c:
        r = await c.get("/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    tags_by_module: dict[str, set[str]] = defaultdict(set)
    problems = []
    for route in routes:
        tags_by_module[route.module].update(route.tags)
        for method in route.methods:
            op = spec["paths"].get(route.path, {}).get(method.lower())
            where = f"{method} {route.path}"
            if op is None:
                problems.append(f"{where} missing from /openapi.json")
                continue
            if not op.get("tags") or list(op["tags"]) != list(route.tags):
                problems.append(f"{where}: tags {op.get('tags')} != router tags {route.tags}")
            needs_body = method in BODY_METHODS or route.route.body_field is not None
            body_schema = (
                op.get("requestBody", {}).get("content", {}).get("application/json", {})
            ).get("schema")
            if needs_body and not body_schema:
                problems.append(f"{where}: no JSON request schema")
            # the success response (200, or the route's own 201 / 202) has a schema in
            # at least one media type (JSON, or e.g. text/csv for a download)
            ok = str(route.route.status_code or 200)
            content = op.get("responses", {}).get(ok, {}).get("content", {})
            if not any(media.get("schema") for media in content.values()):
                problems.append(f"{where}: no {ok} response schema")
    # one tag per legacy API, and no two APIs share one
    for module, tags in tags_by_module.items():
        if len(tags) != 1:
            problems.append(f"{module}: routes must share exactly one tag, got {sorted(tags)}")
    all_tags = [t for tags in tags_by_module.values() for t in tags]
    if len(all_tags) != len(set(all_tags)):
        problems.append(f"legacy APIs share a tag: {all_tags}")
    assert not problems, "\n".join(problems)


def test_catalog_and_cli_list_the_allow_list(capsys):
    catalog = {e.name: e for e in operation_catalog()}
    assert set(catalog) == set(persisted_operations())
    assert catalog["aisquare/StudioMetrics"].routes == ("POST /api/v1/aistudios/metrics/",)
    assert catalog["agent_platform/HistoricalMetrics"].routes == (
        "GET /api/metrics/historical/{userId}",
    )
    assert catalog["aisquare/PublicImpact"].file == (
        "gateway/rest/operations/aisquare/PublicImpact.graphql"
    )
    assert main(["operations", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(catalog)
    assert "aisquare/PublicImpact\taisquare\tPOST /api/v1/aistudios/public-impact/" in lines
    assert "agent_platform/PlatformMetrics\tagent_platform\tGET /api/metrics" in lines
