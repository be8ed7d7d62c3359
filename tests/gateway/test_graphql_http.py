"""POST/GET /graphql before GraphQL: bounded body, strict UTF-8 / JSON, no batches — each
refusal in the GraphQL dialect with a code."""

from __future__ import annotations

import pytest

from gateway.config import Settings

JSON = {"Content-Type": "application/json"}


def error_of(r) -> tuple[str, str]:
    body = r.json()
    assert body["data"] is None
    return body["errors"][0]["extensions"]["code"], body["errors"][0]["message"]


async def test_a_body_over_the_limit_is_413(client):
    r = await client.post(
        "/graphql", content=b'{"query": "' + b" " * 300_000 + b'{ a }"}', headers=JSON
    )
    assert r.status_code == 413
    code, message = error_of(r)
    assert code == "PAYLOAD_TOO_LARGE" and "262,144 bytes" in message
    assert r.json()["errors"][0]["extensions"]["limit"] == 262_144


async def test_a_declared_length_over_the_limit_is_refused_unread(client):
    async def body():
        yield b'{"query": "{ __typename }"}'

    r = await client.post(
        "/graphql", content=body(), headers={**JSON, "Content-Length": "50000000"}
    )
    assert r.status_code == 413


async def test_streamed_body_is_cut_at_the_limit(client):
    sent = []

    async def body():
        for _ in range(100):  # 100 x 64 KiB, no Content-Length
            sent.append(1)
            yield b" " * 65536

    r = await client.post("/graphql", content=body(), headers=JSON)
    assert r.status_code == 413
    assert len(sent) < 10  # stopped reading shortly after 256 KiB


async def test_the_limit_is_a_setting(tmp_path, db):
    import httpx

    from gateway.app import create_app

    app = create_app(Settings(data_dir=tmp_path, graphql_max_bytes=100), database=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        r = await c.post("/graphql", json={"query": "{ __typename " + " " * 100 + "}"})
        assert r.status_code == 413 and "100 bytes" in r.json()["errors"][0]["message"]
        r = await c.post("/graphql", json={"query": "{ __typename }"})
        assert r.status_code == 200
        r = await c.get("/graphql", params={"query": "{ __typename " + " " * 100 + "}"})
        assert r.status_code == 413 and error_of(r)[0] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize(
    ("body", "status", "code", "says"),
    [
        (b'{"query":"\xff"}', 400, "BAD_REQUEST", "not valid UTF-8"),
        (b'{"query": "{ __typename }"', 400, "BAD_REQUEST", "not valid JSON"),
        (b"[" * 5000 + b"]" * 5000, 400, "BAD_REQUEST", "not valid JSON"),
        (b'"just a string"', 400, "BAD_REQUEST", "must be a JSON object"),
        (b'[{"query": "{ __typename }"}]', 400, "BATCH_NOT_SUPPORTED", "one operation"),
        (b'{"query": 5}', 400, "BAD_REQUEST", "`query` must be a string"),
        (b'{"query": "{ __typename }", "variables": [1]}', 400, "BAD_REQUEST", "`variables`"),
        (b'{"query": "{ __typename }", "operationName": {}}', 400, "BAD_REQUEST", "operationName"),
        (b'{"query": "{ __typename }", "extensions": 1}', 400, "BAD_REQUEST", "`extensions`"),
    ],
)
async def test_bad_bodies_are_400_with_a_clear_message(client, body, status, code, says):
    r = await client.post("/graphql", content=body, headers=JSON)
    assert r.status_code == status, r.text
    got_code, message = error_of(r)
    assert got_code == code and says in message


async def test_other_content_types_are_415(client):
    r = await client.post(
        "/graphql", content=b"{ __typename }", headers={"Content-Type": "text/plain"}
    )
    assert r.status_code == 415 and error_of(r)[0] == "UNSUPPORTED_MEDIA_TYPE"


async def test_get_queries_are_bounded_and_checked(client):
    r = await client.get("/graphql", params={"query": "{ __typename }"})
    assert r.status_code == 200 and r.json()["data"] == {"__typename": "Query"}
    r = await client.get("/graphql", params={"query": "{ __typename }", "variables": "{"})
    assert r.status_code == 400 and "not valid JSON" in error_of(r)[1]


async def test_a_missing_query_is_a_graphql_error(client):
    r = await client.post("/graphql", json={"variables": {}})
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
