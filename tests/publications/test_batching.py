"""Batching: the same query for 1 and for 50 publications runs the same number of SQL
statements (every per-publication field goes through a request loader)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from resolvers.node import encode_id
from tests.publications.conftest import error_codes, ev, utc

FIELDS = """
    customUrl viewerRole
    owner { username }
    coCreators { totalCount nodes { username } }
    experiences(first: 2) { totalCount nodes { title publication { customUrl } } }
    experienceCounts { total }
    engagement { totalViews totalLikes totalBookmarks totalShares totalComments
                 totalAppointments }
    monthlyActiveUsers followersCount followingCount generatedAt
    publicImpact { totalPlays likesCount completionRate activeUsers savesCount
                   influenceScore }
    views: change(name: VIEWS, period: {start: "2026-03-01", end: "2026-03-31"}) { current }
    daily: series(metric: VIEWS, period: {preset: LAST_30D}) { values }
"""

LIST = (
    "query($n: Int!) { publications(first: $n, filter: {viewerRoles: [OWNER]}) "
    "{ totalCount nodes { " + FIELDS + " } } }"
)
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Publication { " + FIELDS + " } } }"


async def test_statement_count_is_independent_of_node_count(
    gql, studio, factory, write, sql_counter
):
    from tests.publications.conftest import add_experience

    pubs = [studio.pub]
    for i in range(49):
        pubs.append(await factory.publication(studio.owner, f"bulk-{i:02d}"))
    for p in pubs[1:]:
        await add_experience(factory, p, "PODCAST", "Pod", utc(2026, 1, 1))
    now = datetime.now(UTC) - timedelta(hours=1)
    rows = [ev(studio.org.id, "view", p.id, now, 7) for p in pubs]
    rows += [ev(studio.org.id, "play", p.id, now, 7, {"experience_type": "PODCAST"}) for p in pubs]
    await write(rows)
    h = studio.headers["owner"]

    counts = {}
    for n in (1, 50):
        sql_counter.reset()
        body = await gql(h, LIST, n=n)
        counts[("list", n)] = sql_counter.count
        assert "errors" not in body, body
        nodes = body["data"]["publications"]["nodes"]
        assert len(nodes) == n
        assert all(x["engagement"]["totalViews"] >= 1 for x in nodes)
        assert all(x["publicImpact"]["totalPlays"] == 1 for x in nodes)
        assert all(len(x["daily"]["values"]) == 30 for x in nodes)

        ids = [encode_id("Publication", studio.org.id, p.id) for p in pubs[:n]]
        sql_counter.reset()
        body = await gql(h, NODES, ids=ids)
        counts[("nodes", n)] = sql_counter.count
        assert "errors" not in body, body
        assert len(body["data"]["nodes"]) == n

    # measured: 10 statements for the list (its page, total, the caller's roles and the
    # generic metric fields `change` / `series` of its nodes are one; 1 of them
    # authentication) and 10 for nodes(ids:), whether 1 or 50 publications
    assert counts[("list", 1)] == counts[("list", 50)]
    assert counts[("nodes", 1)] == counts[("nodes", 50)]


PAGE = """
query($p: PeriodInput) {
  publications(first: 10) {
    nodes {
      customUrl
      metrics(names: [VIEWS, PLAYS], period: $p) { name value }
      series(metric: VIEWS, granularity: DAY, period: $p) { values }
      ... on Publication { change(name: VIEWS, period: $p) { current previous } }
    }
    edges { node { customUrl metric(name: PLAYS, period: $p) } }
  }
}
"""
ONE = """
query($url: String!, $p: PeriodInput) {
  publication(customUrl: $url) {
    metrics(names: [VIEWS, PLAYS], period: $p) { name value }
    series(metric: VIEWS, granularity: DAY, period: $p) { values }
    change(name: VIEWS, period: $p) { current previous }
    metric(name: PLAYS, period: $p)
  }
}
"""
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


async def test_a_pages_metric_fields_are_read_with_the_page(gql, studio, write, sql_counter):
    """The generic metric fields of the nodes (under `nodes` and `edges`, in fragments too)
    ride in the page's statement, for the rows the caller owns or co-creates only: the
    others' fields are FORBIDDEN as they are alone, and every value is the one the
    publication alone gets."""
    org, pub, other = studio.org.id, studio.pub.id, studio.other_pub.id
    await write(
        [
            ev(org, "view", pub, utc(2026, 3, 2, 10), 1),
            ev(org, "view", pub, utc(2026, 3, 9, 10), 2),
            ev(org, "view", pub, utc(2026, 2, 9, 10), 3),
            ev(org, "play", pub, utc(2026, 3, 3, 10), 1, {"experience_type": "PODCAST"}),
            ev(org, "view", other, utc(2026, 3, 4, 10), 4),
        ]
    )
    h = studio.headers["owner"]
    sql_counter.reset()
    await gql(h, "{ __typename }")
    auth = sql_counter.count

    sql_counter.reset()
    body = await gql(h, PAGE, p=MARCH)
    assert sql_counter.count == auth + 1, sql_counter.statements
    nodes = {n["customUrl"]: n for n in body["data"]["publications"]["nodes"]}
    edges = {e["node"]["customUrl"]: e["node"] for e in body["data"]["publications"]["edges"]}
    alone = (await gql(h, ONE, url="ai-research-studio", p=MARCH))["data"]["publication"]
    mine = nodes["ai-research-studio"]
    assert (
        mine["metrics"]
        == alone["metrics"]
        == [
            {"name": "views", "value": 2},
            {"name": "plays", "value": 1},
        ]
    )
    assert mine["series"] == alone["series"] and sum(mine["series"]["values"]) == 2
    assert mine["change"] == alone["change"] == {"current": 2, "previous": 1}
    assert edges["ai-research-studio"]["metric"] == alone["metric"] == 1
    # olga's studio: not the caller's, so nothing is read for it and every field refuses
    theirs = nodes["olga-studio"]
    assert [theirs[f] for f in ("metrics", "series", "change")] == [None, None, None]
    assert edges["olga-studio"]["metric"] is None
    assert sorted(e["path"][-1] for e in body["errors"]) == [
        "change",
        "metric",
        "metrics",
        "series",
    ]
    assert set(error_codes(body)) == {"FORBIDDEN"}


async def test_an_invalid_metric_field_fails_alone(gql, studio):
    """A metric field the engine refuses (a dimension its events do not record) is not
    read ahead: the page and the other fields resolve, the field reports its error."""
    q = """
    query {
      publications(first: 10, filter: {viewerRoles: [OWNER]}) {
        nodes {
          customUrl
          ok: metrics(names: [VIEWS]) { value }
          bad: metrics(names: [VIEWS], where: [{key: "bogus", value: "x"}]) { value }
        }
      }
    }
    """
    body = await gql(studio.headers["owner"], q)
    assert body["data"]["publications"]["nodes"] == [
        {"customUrl": "ai-research-studio", "ok": [{"value": 0}], "bad": None}
    ]
    assert [e["path"][-1] for e in body["errors"]] == ["bad"]
    assert "bogus" in body["errors"][0]["message"]
