"""The cost estimate (resolvers.cost) on the real schema, against hand-computed figures,
and the budget enforced before any resolver runs."""

from __future__ import annotations

import pytest
from graphql import parse

from resolvers.cost import bucket_count, estimate_cost, period_days
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
    assert r.json()["extensions"]["cost"] == {"estimated": 139_501, "budget": 100_000}
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
    assert r.json()["extensions"]["cost"] == {"estimated": 2, "budget": 100_000}
    r = await client.post("/graphql", json={"query": "{ __typename }"})
    assert r.json()["extensions"]["cost"] == {"estimated": 0, "budget": 1_000}


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
