"""The request guard end to end through /graphql: limits before validation (coded, HTTP
400), bad input at the right depth (coded errors, never "Internal error."), and the
production lock-down of introspection and suggestions for anonymous callers."""

from __future__ import annotations

import base64

import httpx
import pytest

from gateway.config import Settings

AGENT_PLATFORM = """query($tz: String!, $p: PeriodInput) {
  agentPlatform(timezone: $tz, period: $p) { period { startDate endDate } } }"""


@pytest.fixture
async def auth(factory) -> dict[str, str]:
    org = await factory.org()
    token = await factory.token(await factory.user(org, roles=("org_admin",)))
    return {"Authorization": f"Bearer {token}"}


async def post(client, query: str, variables=None, headers=None, operation=None):
    payload = {"query": query, "variables": variables, "operationName": operation}
    return await client.post("/graphql", json=payload, headers=headers or {})


def first_error(r) -> dict:
    errors = r.json()["errors"]
    assert errors, r.text
    return errors[0]


async def test_limit_errors_are_400_with_code_and_value(client):
    q = "query IntrospectionQuery { " + " ".join(f"a{i}: __typename" for i in range(60)) + " }"
    r = await post(client, q)
    assert r.status_code == 400
    e = first_error(r)
    assert e["extensions"] == {"code": "ALIAS_LIMIT_EXCEEDED", "limit": 50, "found": 60}
    assert e["message"] == "Operation 'IntrospectionQuery' has 60 aliases; the limit is 50."


async def test_fragment_bomb_is_refused_from_its_measure(client):
    levels = 22
    frags = " ".join(f"fragment F{i} on Query {{...F{i + 1} ...F{i + 1}}}" for i in range(levels))
    q = "query{...F0} " + frags + f" fragment F{levels} on Query{{__typename}}"
    r = await post(client, q)
    assert r.status_code == 400
    codes = [e["extensions"]["code"] for e in r.json()["errors"]]
    assert "FIELD_LIMIT_EXCEEDED" in codes
    assert "4,194,304 fields" in r.json()["errors"][0]["message"]


async def test_wide_same_name_selections_stop_before_validation(client):
    # __type fields with differing arguments: quadratic in OverlappingFieldsCanBeMerged
    q = "{ " + " ".join(f'__type(name: "T{i}") {{ name }}' for i in range(150)) + " }"
    r = await post(client, q)
    assert r.status_code == 400
    codes = {e["extensions"]["code"] for e in r.json()["errors"]}
    assert {"INTROSPECTION_LIMIT_EXCEEDED", "SELECTION_LIMIT_EXCEEDED"} <= codes


async def test_huge_list_variable_is_refused_before_coercion(client, auth):
    q = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    r = await post(client, q, {"ids": ["x"] * 20_000}, auth)
    assert r.status_code == 400
    assert first_error(r)["extensions"] == {
        "code": "LIST_LIMIT_EXCEEDED",
        "limit": 100,
        "found": 20_000,
    }


async def test_parse_and_validation_errors_are_coded(client):
    r = await post(client, "{ viewer { roles }")
    assert first_error(r)["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    r = await post(client, "{ nope }")
    assert first_error(r)["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    r = await post(
        client, "query($n: Int!) { publications(first: $n) { totalCount } }", {"n": 2**40}
    )
    assert first_error(r)["extensions"]["code"] == "BAD_USER_INPUT"


# --- bad input ------------------------------------------------------------------------


async def test_nul_bytes_in_string_arguments(client, auth):
    r = await post(client, '{ publication(customUrl: "a\\u0000b") { id } }', headers=auth)
    assert r.status_code == 400 and first_error(r)["extensions"]["code"] == "INVALID_INPUT"
    r = await post(client, AGENT_PLATFORM, {"tz": "UTC\x00"}, auth)
    assert first_error(r)["extensions"]["code"] == "INVALID_INPUT"
    assert "NUL" in first_error(r)["message"]


def gid(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "node_id",
    [
        gid("Publication:1:9223372036854775808"),  # 2^63: beyond bigint
        gid("Publication:1:99999999999999999999999999"),
        gid("Publication:99999999999999999999:1"),
        gid("Publication:1:-5"),
        gid("Publication:1:0"),
        gid("Publication:1:1:1"),
        gid("Publication:1:١٢"),  # non-ASCII digits
        "not base64 at all!",
        "é" * 10,
        "A" * 5000,
    ],
)
async def test_malformed_node_ids_are_invalid_input(client, auth, node_id):
    r = await post(client, "query($id: ID!) { node(id: $id) { id } }", {"id": node_id}, auth)
    assert r.status_code == 200
    e = first_error(r)
    assert e["extensions"]["code"] == "INVALID_INPUT", e
    assert "is not a valid node id" in e["message"]
    r = await post(client, "query($id: ID!) { nodes(ids: [$id]) { id } }", {"id": node_id}, auth)
    assert first_error(r)["extensions"]["code"] == "INVALID_INPUT"


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ({"start": "0001-01-01", "end": "9999-12-31"}, "between 1970-01-01 and 2100-12-31"),
        ({"start": "2026-01-01", "end": "9999-12-31"}, "between 1970-01-01 and 2100-12-31"),
        ({"start": "0001-01-01", "end": "0001-01-02"}, "between 1970-01-01 and 2100-12-31"),
        ({"start": "2026-02-30", "end": "2026-03-01"}, "Date"),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "must be before its end"),
        ({"start": "1971-01-01", "end": "2099-01-01"}, "at most 10 years"),
    ],
)
async def test_bad_periods_are_coded_errors(client, auth, period, says):
    r = await post(client, AGENT_PLATFORM, {"tz": "UTC", "p": period}, auth)
    e = first_error(r)
    assert e["extensions"]["code"] in ("INVALID_INPUT", "BAD_USER_INPUT"), e
    assert says in e["message"]
    assert e["message"] != "Internal error."


@pytest.mark.parametrize(
    "tz", ["A" * 300, "Europe/" + "x" * 250, "../../etc/passwd", "Mars/Olympus", " UTC", "\t"]
)
async def test_bad_timezones_are_invalid_input(client, auth, tz):
    r = await post(client, AGENT_PLATFORM, {"tz": tz}, auth)
    e = first_error(r)
    assert e["extensions"]["code"] == "INVALID_INPUT", e
    assert "Unknown timezone" in e["message"] and len(e["message"]) < 300
    r = await post(
        client, AGENT_PLATFORM, {"tz": "UTC", "p": {"preset": "LAST_7D", "timezone": tz}}, auth
    )
    assert first_error(r)["extensions"]["code"] == "INVALID_INPUT"


async def test_good_input_still_works(client, auth):
    r = await post(
        client,
        AGENT_PLATFORM,
        {"tz": "Europe/Berlin", "p": {"start": "2026-03-01", "end": "2026-03-31"}},
        auth,
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["agentPlatform"]["period"] == {
        "startDate": "2026-03-01",
        "endDate": "2026-03-31",
    }


# --- production: anonymous callers ----------------------------------------------------------


@pytest.fixture
async def prod(tmp_path, db):
    from gateway.app import create_app

    settings = Settings(data_dir=tmp_path, env="production", secret="s3cret-" + "x" * 40)
    app = create_app(settings, database=db)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://tally.test") as c:
        yield c


INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_production_refuses_anonymous_introspection(prod, auth):
    r = await post(prod, INTROSPECTION)
    assert r.status_code == 400
    assert first_error(r)["extensions"]["code"] == "INTROSPECTION_DISABLED"
    r = await post(prod, '{ __type(name: "Query") { name } }')
    assert first_error(r)["extensions"]["code"] == "INTROSPECTION_DISABLED"
    r = await post(prod, "{ __typename }")  # not introspection
    assert r.json()["data"] == {"__typename": "Query"}
    r = await post(prod, INTROSPECTION, headers=auth)
    assert r.status_code == 200
    assert r.json()["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_production_hides_suggestions_from_anonymous_callers(prod, auth):
    r = await post(prod, "{ viewr { roles } }")
    assert first_error(r)["message"] == "Cannot query field 'viewr' on type 'Query'."
    q = "query($k: AgentKind) { agents(kind: $k) { totalCount } }"
    r = await post(prod, q, {"k": "PLATFORMM"})
    assert "Did you mean" not in first_error(r)["message"]
    r = await post(prod, "{ viewr { roles } }", headers=auth)
    assert "Did you mean 'viewer'?" in first_error(r)["message"]


async def test_development_keeps_anonymous_introspection(client):
    r = await post(client, INTROSPECTION)
    assert r.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    r = await post(client, "{ viewr { roles } }")
    assert "Did you mean 'viewer'?" in first_error(r)["message"]
