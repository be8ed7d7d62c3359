"""The `Agent` node: `agent(key:)`, the `agents` connection (filters, ordering, paging),
`node(id:)`, metric fields, and the batching guarantee (1 agent vs 50 agents = same
number of SQL statements)."""

from __future__ import annotations

import base64

import pytest

from tests.agents.conftest import utc

AGENT = """
query($key: String!) {
  agent(key: $key) {
    id key kind name status storageMb deploymentCount
    deployments { total successful failed }
    owner { username }
    copiedFrom { key }
    metrics(names: [MESSAGES, ERRORS, REQUESTS, ERROR_RATE],
            period: {start: "2026-03-01", end: "2026-03-31"}) { name value unit }
    series(metric: MESSAGES, period: {start: "2026-03-01", end: "2026-03-03"}) {
      buckets values total
    }
  }
}
"""

LIST = """
query($first: Int, $after: String, $kind: AgentKind, $status: AgentStatus,
      $owner: String, $order: AgentOrder) {
  agents(first: $first, after: $after, kind: $kind, status: $status,
         ownerUsername: $owner, orderBy: $order) {
    totalCount
    nodes { key }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@pytest.fixture
async def world(factory, events, music, session):
    org = await factory.org()
    alice = await factory.user(org, "alice")
    carol = await factory.user(org, "carol")
    a1 = await factory.agent(alice, "a1", name="Zed", status="active", storage_mb=30)
    a2 = await factory.agent(alice, "a2", name="Amy", status="failed", copied_from_id=a1.id)
    a3 = await factory.agent(carol, "a3", name="Amy", status="active", kind="mentor")
    await music.deployment(a1, "successful")
    await music.deployment(a1, "failed")
    await music.deployment(a1, "successful")
    events.agent(a1, "message", utc(2026, 3, 1, 10))
    events.agent(a1, "message", utc(2026, 3, 3, 10))
    events.agent(a1, "message", utc(2026, 3, 3, 11))
    events.agent(a1, "message", utc(2026, 4, 1, 0))  # outside March
    events.agent(a1, "request", utc(2026, 3, 2, 10), 120)
    events.agent(a1, "request", utc(2026, 3, 2, 11), 80)
    events.agent(a1, "error", utc(2026, 3, 2, 11))
    other = await factory.org()
    bob = await factory.user(other, "bob")
    b1 = await factory.agent(bob, "b1")
    await events.flush()
    return {
        "org": org,
        "agents": (a1, a2, a3),
        "b1": b1,
        "alice": await factory.token(alice),
        "carol": await factory.token(carol),
        "bob": await factory.token(bob),
    }


async def test_agent_by_key(gql, world):
    data = (await gql.data(AGENT, world["carol"], key="a1"))["agent"]
    assert data["key"] == "a1" and data["kind"] == "PLATFORM" and data["status"] == "ACTIVE"
    assert data["storageMb"] == 30
    assert data["deploymentCount"] == 3
    assert data["deployments"] == {"total": 3, "successful": 2, "failed": 1}
    assert data["owner"] == {"username": "alice"}
    assert data["copiedFrom"] is None
    # March: 3 messages (the 04-01 one is outside), 2 requests, 1 error -> 50 %
    assert data["metrics"] == [
        {"name": "messages", "value": 3.0, "unit": "count"},
        {"name": "errors", "value": 1.0, "unit": "count"},
        {"name": "requests", "value": 2.0, "unit": "count"},
        {"name": "error_rate", "value": 50.0, "unit": "percent"},
    ]
    assert data["series"]["values"] == [1.0, 0.0, 2.0]
    assert data["series"]["total"] == 3.0
    copy = (await gql.data(AGENT, world["alice"], key="a2"))["agent"]
    assert copy["copiedFrom"] == {"key": "a1"} and copy["deploymentCount"] == 0


async def test_unknown_key_and_other_org_are_not_found(gql, world):
    for key, token in [("nope", "alice"), ("b1", "alice"), ("a1", "bob")]:
        body = await gql(AGENT, world[token], key=key)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert f"No agent with key '{key}'" in body["errors"][0]["message"]


async def test_node_lookup(gql, world):
    a1 = (await gql.data(AGENT, world["alice"], key="a1"))["agent"]
    q = "query($id: ID!) { node(id: $id) { id ... on Agent { key } } }"
    assert (await gql.data(q, world["carol"], id=a1["id"]))["node"]["key"] == "a1"
    assert (await gql.data(q, world["bob"], id=a1["id"]))["node"] is None


async def test_connection_filters_and_order(gql, world):
    data = (await gql.data(LIST, world["alice"]))["agents"]
    assert data["totalCount"] == 3
    order = {"field": "NAME", "direction": "ASC"}
    data = (await gql.data(LIST, world["alice"], order=order))["agents"]
    # two "Amy"s: tie broken by id ascending (a2 was created before a3)
    assert [n["key"] for n in data["nodes"]] == ["a2", "a3", "a1"]
    desc = {"field": "NAME", "direction": "DESC"}
    data = (await gql.data(LIST, world["alice"], order=desc))["agents"]
    assert [n["key"] for n in data["nodes"]] == ["a1", "a3", "a2"]
    data = (await gql.data(LIST, world["alice"], kind="PLATFORM"))["agents"]
    assert data["totalCount"] == 2
    data = (await gql.data(LIST, world["alice"], status="ACTIVE", owner="alice"))["agents"]
    assert [n["key"] for n in data["nodes"]] == ["a1"]
    data = (await gql.data(LIST, world["alice"], owner="bob"))["agents"]  # other org's user
    assert data["totalCount"] == 0


async def test_paging(gql, world):
    order = {"field": "KEY", "direction": "ASC"}
    page1 = (await gql.data(LIST, world["alice"], first=2, order=order))["agents"]
    assert [n["key"] for n in page1["nodes"]] == ["a1", "a2"]
    assert page1["pageInfo"]["hasNextPage"] is True
    after = page1["pageInfo"]["endCursor"]
    page2 = (await gql.data(LIST, world["alice"], first=2, after=after, order=order))["agents"]
    assert [n["key"] for n in page2["nodes"]] == ["a3"]
    assert page2["totalCount"] == 3 and page2["pageInfo"]["hasNextPage"] is False
    far = base64.urlsafe_b64encode(b"o:40").decode().rstrip("=")
    page3 = (await gql.data(LIST, world["alice"], after=far))["agents"]
    assert page3["nodes"] == [] and page3["totalCount"] == 3


async def test_bad_input(gql, world):
    body = await gql(LIST, world["alice"], first=101)
    assert "`first` must be between 0 and 100, got 101" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    body = await gql(LIST, world["alice"], kind="ROBOT")
    assert "AgentKind" in body["errors"][0]["message"]
    body = await gql(LIST, None)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


BATCH = """
query($n: Int!) {
  agents(first: $n, orderBy: {field: KEY, direction: ASC}) {
    totalCount
    nodes {
      key deploymentCount owner { username }
      metrics(names: [MESSAGES, ERRORS, REQUESTS, AVG_RESPONSE_TIME_MS, CPU_PERCENT,
                      ERROR_RATE], period: {start: "2026-03-01", end: "2026-03-31"}) {
        value
      }
      series(metric: MESSAGES, period: {start: "2026-03-01", end: "2026-03-30"}) { values }
    }
  }
}
"""


async def test_batching_1_vs_50_agents(gql, factory, events, music, sql_counter):
    org = await factory.org()
    owners = [await factory.user(org, f"owner{i}") for i in range(5)]
    agents = [await factory.agent(owners[i % 5], f"k{i:02d}") for i in range(50)]
    for i, a in enumerate(agents):
        await music.deployment(a, "successful")
        events.agent(a, "message", utc(2026, 3, 1 + i % 28, 12))
        events.agent(a, "request", utc(2026, 3, 2, 12), 100 + i)
        events.agent(a, "cpu", utc(2026, 3, 2, 12), i)
    await events.flush()
    token = await factory.token(owners[0])

    sql_counter.reset()
    one = (await gql.data(BATCH, token, n=1))["agents"]
    one_count = sql_counter.count
    sql_counter.reset()
    fifty = (await gql.data(BATCH, token, n=50))["agents"]
    fifty_count = sql_counter.count

    assert len(one["nodes"]) == 1 and len(fifty["nodes"]) == 50
    k07 = fifty["nodes"][7]
    assert k07["key"] == "k07" and k07["deploymentCount"] == 1
    assert k07["owner"] == {"username": "owner2"}
    # messages 1, errors 0, requests 1, 107 ms, cpu 7 %, error rate 0 %
    assert [m["value"] for m in k07["metrics"]] == [1.0, 0.0, 1.0, 107.0, 7.0, 0.0]
    assert k07["series"]["values"][7] == 1.0 and sum(k07["series"]["values"]) == 1.0
    # auth (1: token, user, org and roles) + agents page + deployments + owners + one
    # statement for the metric totals and the series together
    assert one_count == fifty_count == 5
