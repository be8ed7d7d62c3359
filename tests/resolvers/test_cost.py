"""The cost estimate (resolvers.cost) on the real schema, against hand-computed figures,
and the budget enforced before any resolver runs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from graphql import parse

from gateway.ingest.writer import EventRow, asyncpg_connection, write_events
from resolvers.cost import bucket_count, estimate_cost, period_days, resolved_fields
from resolvers.schema import schema


def cost(query: str, variables: dict | None = None, operation: str | None = None) -> int:
    return estimate_cost(schema._schema, parse(query), operation, variables)


def test_plain_fields_cost_one_and_typename_is_free():
    # viewer 1 + roles 1 + user 1 + username 1
    assert cost("{ __typename viewer { roles user { username } } }") == 4


def test_ids_multiply_the_selection():
    # nodes 1 + 3 ids x (id 1)
    assert cost('{ nodes(ids: ["a", "b", "c"]) { id } }') == 4
    # the same from a variable (raw, before coercion)
    assert cost("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["a"] * 4}) == 5


def test_connections_multiply_by_first_and_edges_count_once():
    # publications 1 + 5 x (totalCount 1 + nodes 1 + 1 x (customUrl 1))
    assert cost("{ publications(first: 5) { totalCount nodes { customUrl } } }") == 16
    # `first` omitted: the default page of 20 -> 1 + 20 x 3
    assert cost("{ publications { totalCount nodes { customUrl } } }") == 61
    # from a variable default
    q = "query($n: Int = 7) { publications(first: $n) { nodes { customUrl } } }"
    assert cost(q) == 1 + 7 * 2


def test_series_cost_their_buckets():
    q = """query($p: PeriodInput, $g: Granularity!) { publications(first: 2) { nodes {
        series(metric: VIEWS, period: $p, granularity: $g) { values } } } }"""
    # publications 1 + 2 x (nodes 1 + (series 7 buckets + values 1))
    assert cost(q, {"p": {"preset": "LAST_7D"}, "g": "DAY"}) == 1 + 2 * (1 + 7 + 1)
    # HOUR over 7 days: 168 buckets
    assert cost(q, {"p": {"preset": "LAST_7D"}, "g": "HOUR"}) == 1 + 2 * (1 + 168 + 1)
    # a custom year by MONTH: 365 // 28 + 2 = 15 buckets
    year = {"start": "2026-01-01", "end": "2026-12-31"}
    assert cost(q, {"p": year, "g": "MONTH"}) == 1 + 2 * (1 + 15 + 1)


def test_metrics_cost_per_name_and_change_two():
    q = """{ publication(customUrl: "x") {
        metrics(names: [VIEWS, LIKES, SHARES]) { value } change(name: VIEWS) { current } } }"""
    # publication 1 + metrics 3 + change 2 (leaves below a weighted field add nothing
    # more than their own unit: metrics 3 + 1 x value... see below)
    assert cost(q) == 1 + (3 + 1) + (2 + 1)


def test_fragments_are_costed_once_and_counted_per_spread():
    q = "{ ...V ...V } fragment V on Query { viewer { roles } }"
    assert cost(q) == 4


def test_the_issue_example_100_nodes_by_45_series():
    series = " ".join(f"s{i}: series(metric: VIEWS) {{ values }}" for i in range(45))
    q = f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on Publication {{ {series} }} }} }}"
    # nodes 1 + 100 x 45 x (30 buckets of the default period + values 1)
    assert cost(q, {"ids": ["x"] * 100}) == 1 + 100 * 45 * 31


def test_operation_is_chosen_by_name():
    q = "query A { viewer { roles } } query B { __typename }"
    assert cost(q, operation="A") == 2 and cost(q, operation="B") == 0


@pytest.mark.parametrize(
    ("period", "days"),
    [
        (None, 30),
        ({"preset": "LAST_24H"}, 1),
        ({"preset": "LAST_90D"}, 90),
        ({"preset": "YTD"}, 366),
        ({"preset": "ALL"}, 3660),
        ({"start": "2026-03-01", "end": "2026-03-31"}, 31),
        ({"start": "0001-01-01", "end": "9999-12-31"}, 3660),
        ({"start": "junk", "end": "2026-01-01"}, 30),
    ],
)
def test_period_days(period, days):
    assert period_days(period) == days


def test_bucket_count_is_capped():
    assert bucket_count({"preset": "ALL"}, "HOUR") == 5000
    assert bucket_count({"preset": "LAST_30D"}, "WEEK") == 30 // 7 + 2


# --- enforced before execution -----------------------------------------------------------


async def test_over_budget_is_refused_before_any_resolver(client, factory, sql_counter):
    org = await factory.org()
    token = await factory.token(await factory.user(org))
    series = " ".join(f"s{i}: series(metric: VIEWS) {{ values }}" for i in range(45))
    q = f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on Publication {{ {series} }} }} }}"
    headers = {"Authorization": f"Bearer {token}"}
    sql_counter.reset()
    await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
    authentication = sql_counter.count  # what any authenticated request costs
    sql_counter.reset()
    r = await client.post(
        "/graphql",
        json={"query": q, "variables": {"ids": ["UHVibGljYXRpb246MToy"] * 100}},
        headers=headers,
    )
    assert r.status_code == 400
    error = r.json()["errors"][0]
    assert error["extensions"] == {
        "code": "COST_LIMIT_EXCEEDED",
        "limit": 100_000,
        "found": 139_501,
    }
    assert "139,501" in error["message"] and "100,000" in error["message"]
    assert r.json()["extensions"]["cost"] == {
        "estimated": 139_501,
        "actual": 0,  # nothing ran
        "budget": 100_000,
        "fields": 0,
        "metricValues": 0,
    }
    assert sql_counter.count == authentication  # no resolver ran


async def test_every_response_reports_its_estimate(client, factory):
    org = await factory.org()
    token = await factory.token(await factory.user(org))
    r = await client.post(
        "/graphql",
        json={"query": "{ viewer { roles } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200
    # viewer + roles: 2 fields resolved, no metric values
    assert r.json()["extensions"]["cost"] == {
        "estimated": 2,
        "actual": 2,
        "budget": 100_000,
        "fields": 2,
        "metricValues": 0,
    }
    r = await client.post("/graphql", json={"query": "{ __typename }"})
    assert r.json()["extensions"]["cost"] == {
        "estimated": 0,
        "actual": 0,
        "budget": 1_000,
        "fields": 0,
        "metricValues": 0,
    }
    # refused by a document limit before the estimate: no estimate, nothing ran
    r = await client.post("/graphql", json={"query": "{ " + "__typename " * 150 + "}"})
    assert r.status_code == 400
    assert r.json()["extensions"]["cost"] == {
        "estimated": None,
        "actual": 0,
        "budget": 1_000,
        "fields": 0,
        "metricValues": 0,
    }


async def test_anonymous_budget_is_lower(client):
    q = "{ publications(first: 100) { nodes { customUrl } } }"  # 1 + 100 x 2 = 201
    r = await client.post("/graphql", json={"query": q})
    assert r.json()["extensions"]["cost"]["estimated"] == 201  # within 1,000: the
    # permission check then answers UNAUTHENTICATED
    q = "{ publications(first: 100) { nodes { a: customUrl b: customUrl c: customUrl "
    q += "d: customUrl e: customUrl f: customUrl g: customUrl h: customUrl i: customUrl "
    q += "j: customUrl } } }"  # 1 + 100 x (1 + 10) = 1101
    r = await client.post("/graphql", json={"query": q})
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"] == {
        "code": "COST_LIMIT_EXCEEDED",
        "limit": 1_000,
        "found": 1_101,
    }


# --- the actual cost, measured during execution ----------------------------------------------

WEEK = '{start: "2026-03-01", end: "2026-03-07"}'  # 7 daily buckets


def _event(org_id: int, kind: str, pub_id: int, day: int, n: int) -> EventRow:
    return EventRow(
        org_id,
        f"cost-{kind}-{pub_id}-{day}-{n}",
        kind,
        "publication",
        pub_id,
        datetime(2026, 3, day, 12, tzinfo=UTC),
        None,
        1.0,
        "{}",
        "{}",
    )


async def _three_publications(factory, session) -> tuple[dict[str, str], list[int]]:
    org = await factory.org()
    owner = await factory.user(org)
    pubs = [await factory.publication(owner, f"cost-{i}") for i in range(3)]
    # pub 0: 2 views on Mar 2, 1 like on Mar 3; pub 1: 1 view on Mar 7; pub 2: nothing
    rows = [
        _event(org.id, "view", pubs[0].id, 2, 0),
        _event(org.id, "view", pubs[0].id, 2, 1),
        _event(org.id, "like", pubs[0].id, 3, 0),
        _event(org.id, "view", pubs[1].id, 7, 0),
    ]
    await write_events(await asyncpg_connection(session), rows)
    return {"Authorization": f"Bearer {await factory.token(owner)}"}, [p.id for p in pubs]


async def test_actual_cost_counts_what_execution_produced(client, factory, session):
    headers, _ = await _three_publications(factory, session)
    q = f"""{{ publications(first: 3) {{ nodes {{ customUrl
        views: series(metric: VIEWS, period: {WEEK}) {{ values }}
        likes: series(metric: LIKES, period: {WEEK}) {{ values }} }} }} }}"""
    r = await client.post("/graphql", json={"query": q}, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    series = {
        n["customUrl"]: (n["views"]["values"], n["likes"]["values"])
        for n in body["data"]["publications"]["nodes"]
    }
    assert series == {
        "cost-0": ([0, 2, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0]),
        "cost-1": ([0, 0, 0, 0, 0, 0, 1], [0] * 7),
        "cost-2": ([0] * 7, [0] * 7),
    }
    # metric values: 3 publications x 2 metrics x 7 daily buckets = 42 (one statement);
    # fields: publications 1 + nodes 1 + 3 x (customUrl, views, values, likes, values) = 17
    # estimate: 1 + 3 x (nodes 1 + customUrl 1 + 2 x (7 buckets + values 1)) = 55
    assert body["extensions"]["cost"] == {
        "estimated": 55,
        "actual": 17 + 42,
        "budget": 100_000,
        "fields": 17,
        "metricValues": 42,
    }


async def test_actual_cost_of_totals_and_changes(client, factory, session):
    headers, _ = await _three_publications(factory, session)
    q = f"""{{ publications(first: 3) {{ nodes {{
        metrics(names: [VIEWS, LIKES], period: {WEEK}) {{ value }}
        change(name: VIEWS, period: {WEEK}) {{ current previous }}
        again: change(name: VIEWS, period: {WEEK}) {{ current }} }} }} }}"""
    r = await client.post("/graphql", json={"query": q}, headers=headers)
    body = r.json()
    assert "errors" not in body, body
    values = sorted(
        ([m["value"] for m in n["metrics"]], n["change"]["current"])
        for n in body["data"]["publications"]["nodes"]
    )
    assert values == [([0, 0], 0), ([1, 0], 1), ([2, 1], 2)]
    # totals: 3 publications x 2 metrics = 6; changes: 3 x 1 metric x 2 (current and
    # previous) = 6 — the aliased second change reads the loader's cached value: 0 more
    # fields: publications 1 + nodes 1 + 3 x (metrics 1 + 2 x value 1 + change 1 +
    # current 1 + previous 1 + again 1 + current 1) = 2 + 3 x 8 = 26
    assert body["extensions"]["cost"]["metricValues"] == 12
    assert body["extensions"]["cost"]["fields"] == 26
    assert body["extensions"]["cost"]["actual"] == 38


def test_resolved_fields_walks_objects_and_counts_scalar_lists_once():
    data = {
        "__typename": "Query",
        "a": {"b": [{"c": 1, "__typename": "X"}, None, {"c": 2}], "v": [1, 2, 3]},
        "e": None,
        "l": [None, [{"x": 1}]],
    }
    # a, b, c, c, v, e, l, x
    assert resolved_fields(data) == 8
    assert resolved_fields(None) == 0
