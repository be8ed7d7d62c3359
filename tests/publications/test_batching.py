"""Batching: the same query for 1 and for 50 publications runs the same number of SQL
statements (every per-publication field goes through a request loader)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from resolvers.node import encode_id
from tests.publications.conftest import ev, utc

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

    # measured: 10 statements for the list (its page, total and the caller's roles are one;
    # 1 of them authentication) and 10 for nodes(ids:), whether 1 or 50 publications
    assert counts[("list", 1)] == counts[("list", 50)]
    assert counts[("nodes", 1)] == counts[("nodes", 50)]
