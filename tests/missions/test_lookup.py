"""Mission and content connections, lookups, node(id:), paging limits and org isolation.
March world (conftest): c1..c7 created in that order (ids ascending)."""

from __future__ import annotations

from resolvers.node import encode_id
from tests.missions.conftest import MARCH

MISSIONS = """
query($status: [MissionStatus!], $first: Int, $order: MissionOrderField! = ID) {
  missions(status: $status, first: $first, orderBy: $order) {
    totalCount nodes { key status } pageInfo { hasNextPage }
  }
}
"""

CONTENTS = """
query($filter: ContentFilterInput, $order: ContentOrderField!, $period: PeriodInput,
      $first: Int, $after: String, $desc: Boolean! = true) {
  contents(filter: $filter, orderBy: $order, period: $period, first: $first, after: $after,
           descending: $desc) {
    totalCount
    nodes { key }
    edges { cursor }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def keys(body: dict, field: str = "contents") -> list[str]:
    assert "errors" not in body, body
    return [n["key"] for n in body["data"][field]["nodes"]]


async def test_missions_connection(gql, world):
    body = await gql(world.headers, MISSIONS)
    assert keys(body, "missions") == ["msn_alpha", "msn_beta"]  # not the other org's
    assert body["data"]["missions"]["totalCount"] == 2
    body = await gql(world.headers, MISSIONS, status=["COMPLETED"])
    assert keys(body, "missions") == ["msn_beta"]
    body = await gql(world.headers, MISSIONS, first=1, order="START_DATE")
    assert keys(body, "missions") == ["msn_beta"]  # starts February 1
    assert body["data"]["missions"]["pageInfo"]["hasNextPage"] is True
    body = await gql(world.headers, MISSIONS, first=101)
    assert "`first` must be between 0 and 100, got 101." in body["errors"][0]["message"]
    body = await gql(world.headers, MISSIONS, status=["ARCHIVED"])
    assert "ARCHIVED" in body["errors"][0]["message"]


async def test_contents_ordered_by_metrics(gql, world):
    # March impressions: c3 3000, c1 1000, c4 800, c5 500, c2 200; c6, c7 none (id order)
    body = await gql(world.headers, CONTENTS, order="IMPRESSIONS", period=MARCH, first=2)
    assert keys(body) == ["cnt_c3", "cnt_c1"]
    page = body["data"]["contents"]
    assert page["totalCount"] == 7 and page["pageInfo"]["hasNextPage"] is True
    after = page["pageInfo"]["endCursor"]
    body = await gql(world.headers, CONTENTS, order="IMPRESSIONS", period=MARCH, first=10,
                     after=after)  # fmt: skip
    assert keys(body) == ["cnt_c4", "cnt_c5", "cnt_c2", "cnt_c6", "cnt_c7"]
    # rates: c2 15, c1 5 = c4 5 (id order), c3 2 = c5 2, then no impressions
    body = await gql(world.headers, CONTENTS, order="ENGAGEMENT_RATE", period=MARCH, first=10)
    assert keys(body) == ["cnt_c2", "cnt_c1", "cnt_c4", "cnt_c3", "cnt_c5", "cnt_c6", "cnt_c7"]
    body = await gql(world.headers, CONTENTS, order="ENGAGEMENT_RATE", period=MARCH, first=3,
                     desc=False)  # fmt: skip
    assert keys(body) == ["cnt_c3", "cnt_c5", "cnt_c1"]


async def test_contents_filters(gql, world):
    f = {"platforms": ["linkedin"], "statuses": ["PUBLISHED"]}
    body = await gql(world.headers, CONTENTS, filter=f, order="PUBLISHED_AT")
    assert keys(body) == ["cnt_c4", "cnt_c3"]  # newest first
    f = {"missionKey": "msn_alpha", "types": ["post"], "pillars": ["Tutorials"]}
    body = await gql(world.headers, CONTENTS, filter=f, order="PUBLISHED_AT")
    assert keys(body) == ["cnt_c7", "cnt_c6"]  # unpublished last, ties by id (descending)
    body = await gql(world.headers, CONTENTS, filter={"missionKey": "msn_foreign"},
                     order="PUBLISHED_AT")  # fmt: skip
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # the per-mission connection on the node
    q = '{ mission(key: "msn_beta") { contents(orderBy: IMPRESSIONS, period: {start: "2026-03-01", end: "2026-03-31"}) { totalCount nodes { key mission { key } } } } }'  # noqa: E501
    body = await gql(world.headers, q)
    conn = body["data"]["mission"]["contents"]
    assert conn["totalCount"] == 2
    assert [(n["key"], n["mission"]["key"]) for n in conn["nodes"]] == [
        ("cnt_c4", "msn_beta"),
        ("cnt_c5", "msn_beta"),
    ]


async def test_content_lookup_and_metrics(gql, world):
    q = """query($key: String!) { content(key: $key) {
        key platform type pillar topic status publishedAt
        impressions: metric(name: IMPRESSIONS, period: {start: "2026-03-01", end: "2026-03-31"})
        rate: metric(name: ENGAGEMENT_RATE, period: {start: "2026-03-01", end: "2026-03-31"})
    } }"""
    body = await gql(world.headers, q, key="cnt_c5")
    c = body["data"]["content"]
    assert (c["platform"], c["pillar"], c["status"]) == ("twitter", None, "PUBLISHED")
    assert (c["impressions"], c["rate"]) == (500, 2.0)
    body = await gql(world.headers, q, key="cnt_foreign")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_node_lookup_and_isolation(gql, world):
    q = """query($ids: [ID!]!) { nodes(ids: $ids) {
        id ... on Mission { key } ... on Content { key }
    } }"""
    ids = [
        encode_id("Mission", world.org.id, world.a.id),
        encode_id("Content", world.org.id, world.c["c2"].id),
        encode_id("Mission", world.other_org.id, world.foreign.id),
        # the other org's id forged with our org number: not in our org either
        encode_id("Mission", world.org.id, world.foreign.id),
    ]
    body = await gql(world.headers, q, ids=ids)
    nodes = body["data"]["nodes"]
    assert nodes[0]["key"] == "msn_alpha" and nodes[1]["key"] == "cnt_c2"
    assert nodes[2] is None and nodes[3] is None
    body = await gql(world.other_headers, q, ids=ids[2:3])
    assert body["data"]["nodes"][0]["key"] == "msn_foreign"
    body = await gql(None, q, ids=ids[:1])
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
