"""One bounded JSON access line per request; client errors at INFO without tracebacks;
GraphQL errors summarized on that line; request ids validated and echoed."""

from __future__ import annotations

import io
import logging

import orjson
import pytest
import strawberry

from gateway import logs
from gateway.errors import Forbidden
from gateway.graphql_log import LoggingSchema, RecordOperation
from tests.factories import Factory


@pytest.fixture
def log_stream():
    """Everything logged during the test, as Tally's JSON lines."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    logs.configure("INFO", "json", stream=stream)
    yield stream
    logs.unconfigure()
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict]:
    """The server's log lines (the test client's own `httpx` lines left out)."""
    parsed = [orjson.loads(line) for line in stream.getvalue().splitlines() if line]
    return [line for line in parsed if line["logger"] != "httpx"]


def access(stream: io.StringIO) -> list[dict]:
    return [line for line in lines(stream) if line["logger"] == "tally.access"]


async def test_one_access_line_per_request(client, factory: Factory, log_stream):
    org = await factory.org(key="acme")
    user = await factory.user(org, "alice")
    token = await factory.token(user)
    auth = {"Authorization": f"Bearer {token}"}
    ok = await client.post(
        "/graphql", json={"query": "query Me { viewer { user { username } } }"}, headers=auth
    )
    missing = await client.get("/no/such/route")
    live = await client.get("/livez")
    assert (ok.status_code, missing.status_code, live.status_code) == (200, 404, 200)

    got = access(log_stream)
    assert len(got) == 3
    assert [(a["method"], a["path"], a["status"]) for a in got] == [
        ("POST", "/graphql", 200),
        ("GET", "/no/such/route", 404),
        ("GET", "/livez", 200),
    ]
    me, nf, lz = got
    assert me["request_id"] == ok.headers["x-request-id"]
    assert (me["route"], me["operation"], me["principal"]) == ("/graphql", "Me", "acme/alice")
    assert me["bytes"] == len(ok.content) and me["ms"] >= 0
    assert "errors" not in me
    assert (nf["route"], nf["error_codes"]) == ("unmatched", {"NOT_FOUND": 1})
    assert lz["route"] == "/livez" and "principal" not in lz
    assert all(a["level"] == "INFO" for a in got)


async def test_client_errors_log_no_traceback(client, factory: Factory, log_stream, caplog):
    org = await factory.org()
    admin = await factory.user(org, "root", roles=("admin",))
    outsider = await factory.user(org, "otto")
    token = await factory.token(outsider)
    fields = " ".join(
        f'a{i}: agentUserMetrics(user: "{admin.username}") {{ __typename }}' for i in range(40)
    )
    forbidden = await client.post(
        "/graphql",
        json={"query": f"query Many {{ {fields} }}"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert forbidden.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad_token = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Bearer nope"}
    )
    invalid = await client.post("/graphql", json={"query": "{ nosuchfield }"})
    assert bad_token.status_code == 401

    got = access(log_stream)
    assert len(got) == 3
    assert [a["level"] for a in got] == ["INFO", "INFO", "INFO"]
    assert got[0]["operation"] == "Many" and got[0]["error_codes"] == {"FORBIDDEN": 1}
    assert (got[1]["status"], got[1]["error_codes"]) == (401, {"UNAUTHENTICATED": 1})
    assert got[2]["error_codes"] == {"GRAPHQL_VALIDATION_FAILED": 1}
    assert invalid.status_code == 200
    assert len(lines(log_stream)) == 3  # nothing but the access lines
    assert not [r for r in caplog.records if r.exc_info]
    assert "Traceback" not in log_stream.getvalue()


@strawberry.type
class Item:
    @strawberry.field
    def secret(self) -> int | None:
        raise Forbidden("Not yours.")

    @strawberry.field
    def broken(self) -> int | None:
        raise RuntimeError("bug")


@strawberry.type
class ErrorQuery:
    @strawberry.field
    def items(self, n: int) -> list[Item]:
        return [Item() for _ in range(n)]


def _error_schema() -> LoggingSchema:
    return LoggingSchema(query=ErrorQuery, extensions=[RecordOperation])


async def test_a_thousand_errors_are_one_summary(caplog):
    schema = _error_schema()
    rec = logs.RequestRecord("r1")
    token = logs.current.set(rec)
    try:
        with caplog.at_level(logging.DEBUG):
            result = await schema.execute("query Leak { items(n: 1350) { secret } }")
    finally:
        logs.current.reset(token)
    assert len(result.errors) == 1350
    assert (rec.errors, rec.error_codes, rec.operation) == (1350, {"FORBIDDEN": 1350}, "Leak")
    assert rec.first_error == "Not yours."
    assert caplog.records == []  # the access line will carry the summary


async def test_an_unexpected_error_logs_one_traceback_per_request(caplog):
    schema = _error_schema()
    rec = logs.RequestRecord("r2")
    token = logs.current.set(rec)
    try:
        with caplog.at_level(logging.DEBUG):
            result = await schema.execute("{ items(n: 30) { broken secret } }")
    finally:
        logs.current.reset(token)
    assert len(result.errors) == 60
    assert rec.error_codes == {"INTERNAL_ERROR": 30, "FORBIDDEN": 30}
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1
    assert isinstance(tracebacks[0].exc_info[1], RuntimeError)


async def test_an_unhandled_exception_is_one_500_with_one_traceback(app, client, log_stream):
    @app.get("/boom")
    async def boom():
        raise RuntimeError("kaboom")

    r = await client.get("/boom", headers={"X-Request-Id": "trace-me-1"})
    assert r.status_code == 500
    assert "trace-me-1" in r.json()["error"]["message"]
    assert r.headers["x-request-id"] == "trace-me-1"
    got = lines(log_stream)
    assert [(line["logger"], line["level"]) for line in got] == [
        ("tally", "ERROR"),
        ("tally.access", "ERROR"),
    ]
    assert got[0]["request_id"] == "trace-me-1" and "RuntimeError: kaboom" in got[0]["exc"]
    assert got[1]["status"] == 500 and "exc" not in got[1]


@pytest.mark.parametrize(
    "sent, kept",
    [
        ("abc-123_X.y:z", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("evil\u2028line", False),
        ("has space", False),
        ("<script>", False),
    ],
)
async def test_request_ids_are_validated_and_bounded(client, log_stream, sent, kept):
    r = await client.get("/livez", headers={"X-Request-Id": sent.encode("utf-8")})
    rid = r.headers["x-request-id"]
    if kept:
        assert rid == sent
    else:
        assert rid != sent and len(rid) == 16 and int(rid, 16) >= 0
    assert access(log_stream)[0]["request_id"] == rid


async def test_logged_fields_are_bounded(client, log_stream):
    long_path = "/x" * 2_000
    await client.get(long_path, headers={"X-Request-Id": "b" * 5_000})
    (line,) = access(log_stream)
    assert len(line["path"]) == logs.MAX_FIELD
    assert len(line["request_id"]) == 16
    assert len(orjson.dumps(line)) < 1_000
