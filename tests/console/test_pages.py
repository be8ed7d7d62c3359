"""The console pages without a browser: they reference only assets shipped in the
package (all served), carry no inline script, prefill demo tokens only in demo mode for a
local caller, and the example operations are valid and run on the demo data."""

from __future__ import annotations

import json
import re
import tomllib
from fnmatch import fnmatch

import httpx
import pytest
from graphql import parse, validate

from gateway.config import PROJECT_ROOT, Settings
from gateway.console import STATIC_DIR
from gateway.console.examples import examples
from gateway.ingest.entities import COLLECTIONS
from gateway.serve import banner
from tests.console.conftest import token

PAGES = ["/graphql", "/docs", "/redoc", "/dashboard"]
HTML = {"accept": "text/html"}
DEMO = [
    {"name": n, "token": f"tly_test_{n}"}
    for n in ("org_admin", "publication_owner", "workspace_owner")
]

_ASSET = re.compile(r'(?:src|href)="([^"]+)"')
_SCRIPT = re.compile(r"<script([^>]*)>(.*?)</script>", re.S)


def _config(html: str) -> dict:
    block = re.search(
        r'<script type="application/json" id="tally-config">(.*?)</script>', html, re.S
    )
    assert block, "page has no config block"
    return json.loads(block.group(1))


def _client(app, base_url: str, client_host: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(client_host, 50000))
    return httpx.AsyncClient(transport=transport, base_url=base_url)


@pytest.mark.parametrize("path", PAGES)
async def test_page_uses_only_shipped_assets_and_no_inline_script(client, path):
    r = await client.get(path, headers=HTML)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assets = _ASSET.findall(html)
    assert assets, "no assets referenced"
    for url in assets:
        assert not re.match(r"^(https?:)?//", url), f"{path} references an outside URL: {url}"
    for url in [a for a in assets if a.startswith("/console/static/")]:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 0, url
    for attrs, body in _SCRIPT.findall(html):
        assert "src=" in attrs or 'type="application/json"' in attrs, f"inline script in {path}"
        if "src=" in attrs:
            assert body.strip() == ""


async def test_graphiql_opens_one_tab_per_example_without_tokens_outside_demo_mode(client):
    html = (await client.get("/graphql", headers=HTML)).text
    config = _config(html)
    assert [t["name"] for t in config["tabs"]] == [e.name for e in examples()]
    assert config["tabs"][0]["name"] == "Dashboard"
    assert all(t["headers"] == "" for t in config["tabs"])
    assert config["defaultHeaders"] == "" and config["demo"] is False
    assert "tly_" not in html


async def test_demo_tokens_only_for_a_local_caller_by_a_loopback_name(app):
    app.state.demo_principals = DEMO
    async with _client(app, "http://127.0.0.1:8000") as local:
        gql = _config((await local.get("/graphql", headers=HTML)).text)
        dash = _config((await local.get("/dashboard")).text)
    tabs = {t["name"]: json.loads(t["headers"]) for t in gql["tabs"]}
    assert tabs["Dashboard"] == {"Authorization": "Bearer tly_test_org_admin"}
    assert tabs["PublicationDashboard"] == {"Authorization": "Bearer tly_test_publication_owner"}
    assert tabs["WorkspaceLeaderboard"] == {"Authorization": "Bearer tly_test_workspace_owner"}
    assert json.loads(gql["defaultHeaders"]) == {"Authorization": "Bearer tly_test_org_admin"}
    assert dash["tokens"]["default"] == {"principal": "org_admin", "token": "tly_test_org_admin"}
    assert dash["tokens"]["workspaces"]["token"] == "tly_test_workspace_owner"

    for base, host in [
        ("http://tally.example.com", "127.0.0.1"),  # a proxy on this machine, public name
        ("http://127.0.0.1:8000", "10.1.2.3"),  # a remote client
    ]:
        async with _client(app, base, host) as other:
            for path in PAGES:
                html = (await other.get(path, headers=HTML)).text
                assert "tly_test" not in html, (path, base, host)


def test_examples_are_valid_operations_of_the_schema():
    from resolvers.schema import schema

    assert len(examples()) == 6
    for example in examples():
        errors = validate(schema._schema, parse(example.query))
        assert errors == [], (example.name, errors)


async def test_examples_run_on_the_demo_data_without_errors(demo_client):
    for example in examples():
        r = await demo_client.post(
            "/graphql",
            json={"query": example.query},
            headers={"Authorization": f"Bearer {token(example.demo_principal)}"},
        )
        body = r.json()
        assert r.status_code == 200 and "errors" not in body, (example.name, body)
        assert all(v is not None for v in body["data"].values()), example.name
    dashboard = (
        await demo_client.post(
            "/graphql",
            json={"query": examples()[0].query},
            headers={"Authorization": f"Bearer {token('org_admin')}"},
        )
    ).json()["data"]
    assert dashboard["viewer"]["user"]["username"] == "ada.admin"
    assert dashboard["missionAnalytics"]["summary"]["totalImpressions"] > 0


async def test_openapi_declares_both_token_schemes_on_every_operation(client):
    doc = (await client.get("/openapi.json")).json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["apiToken"]["in"] == "header" and schemes["apiToken"]["name"] == "Authorization"
    operations = [op for item in doc["paths"].values() for op in item.values()]
    assert len(operations) > 40
    for op in operations:
        assert op["security"] == [{"bearer": []}, {"apiToken": []}], op["operationId"]


async def test_ingestion_routes_document_their_request_bodies(client):
    paths = (await client.get("/openapi.json")).json()["paths"]
    events = paths["/v1/ingest/events"]["post"]["requestBody"]["content"]
    item = events["application/json"]["schema"]["items"]
    assert item["required"] == ["event_id", "type", "subject", "ts"]
    assert "view" in item["properties"]["type"]["enum"]
    assert "application/x-ndjson" in events
    entities = paths["/v1/ingest/entities"]["post"]["requestBody"]["content"]["application/json"]
    props = entities["schema"]["properties"]
    assert list(props) == [c.name for c in COLLECTIONS]
    publication = props["publications"]["items"]
    assert set(publication["required"]) == {"custom_url", "name", "owner"}


async def test_ingestion_example_body_is_accepted(demo_client):
    """The example shown in Swagger UI is a valid request."""
    doc = (await demo_client.get("/openapi.json")).json()
    body = doc["paths"]["/v1/ingest/events"]["post"]["requestBody"]["content"]
    example = body["application/json"]["example"]
    example = [{**example[0], "event_id": "console-test-example"}]
    r = await demo_client.post(
        "/v1/ingest/events", json=example, headers={"Authorization": f"Bearer {token('org_admin')}"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["received"] == 1


def test_banner_puts_the_dashboard_first():
    text = banner(Settings(database_url="postgresql://x/y"), "127.0.0.1", 8000, [])
    first = next(line for line in text.splitlines() if line.strip())
    assert "http://127.0.0.1:8000/dashboard" in first


def test_vendored_assets_ship_with_their_licenses_and_as_package_data():
    vendor = STATIC_DIR / "vendor"
    for folder in [p for p in vendor.iterdir() if p.is_dir()]:
        assert (folder / "LICENSE").is_file(), folder.name
        for asset in folder.glob("*.js"):
            assert "https://cdn" not in asset.read_text(), f"{asset.name} loads from a CDN"
    versions = dict(line.split() for line in (vendor / "VERSIONS").read_text().splitlines())
    assert set(versions) == {"graphiql", "react", "react-dom", "swagger-ui-dist", "redoc", "uplot"}
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["gateway.console"]
    root = STATIC_DIR.parent
    for path in root.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".py":
            rel = path.relative_to(root).as_posix()
            assert any(fnmatch(rel, p.replace("**/", "*")) for p in patterns), rel
