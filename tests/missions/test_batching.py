"""Batching: the same query for 1 and for 50 missions (summary with best day / time, a
daily series, metric fields) runs the same number of SQL statements."""

from __future__ import annotations

from datetime import date

from resolvers.node import encode_id
from tests.missions.conftest import ev, perf, utc

FIELDS = """
    key name status
    analytics(period: {start: "2026-03-01", end: "2026-03-30"}) {
      summary { postsPublished postsScheduled totalImpressions totalEngagements
                engagementRate linkClicks bestPerformingDay bestPerformingTime }
      timeSeries { impressions engagements posts }
      contentPerformance { byType { key posts } }
    }
    metrics(names: [CONTENT_IMPRESSIONS, CONTENT_CLICKS, MISSION_COST_CENTS],
            period: {start: "2026-03-01", end: "2026-03-30"}) { name value }
    daily: series(metric: CONTENT_ENGAGEMENTS, period: {start: "2026-03-01", end: "2026-03-30"})
      { values }
"""
LIST = "query($n: Int!) { missions(first: $n) { totalCount nodes { " + FIELDS + " } } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Mission { " + FIELDS + " } } }"


async def test_statement_count_is_independent_of_mission_count(gql, factory, write, sql_counter):
    org = await factory.org()
    user = await factory.user(org)
    headers = {"Authorization": f"Bearer {await factory.token(user)}"}
    missions, rows = [], []
    for i in range(50):
        m = await factory.mission(org, f"msn_bulk{i:02d}", start_date=date(2026, 3, 1))
        c = await factory.content(m, f"cnt_bulk{i:02d}", published_at=utc(2026, 3, 3, 14))
        await factory.content(m, status="scheduled", published_at=None)
        missions.append(m)
        rows.append(ev(org.id, "publish", "content", c.id, utc(2026, 3, 3, 14)))
        rows += perf(org.id, c.id, utc(2026, 3, 3, 15), 100 + i, 10, 1)
        rows.append(ev(org.id, "cost", "mission", m.id, utc(2026, 3, 4), 5, {"stage": "content"}))
    await write(rows)

    counts = {}
    for n in (1, 50):
        sql_counter.reset()
        body = await gql(headers, LIST, n=n)
        counts[("list", n)] = sql_counter.count
        assert "errors" not in body, body
        nodes = body["data"]["missions"]["nodes"]
        assert len(nodes) == n
        s = nodes[-1]["analytics"]["summary"]
        # mission n-1: impressions 100 + (n-1), engagements 10, clicks 1
        assert s["totalImpressions"] == 100 + n - 1 and s["postsScheduled"] == 1
        assert s["engagementRate"] == 1000 / (100 + n - 1)
        # one content item per mission: below the minimum sample of a best day / time
        assert (s["bestPerformingDay"], s["bestPerformingTime"]) == (None, None)
        assert nodes[-1]["metrics"][2] == {"name": "mission_cost_cents", "value": 5.0}
        assert len(nodes[-1]["daily"]["values"]) == 30
        assert sum(nodes[-1]["analytics"]["timeSeries"]["posts"]) == 1

        ids = [encode_id("Mission", org.id, m.id) for m in missions[:n]]
        sql_counter.reset()
        body = await gql(headers, NODES, ids=ids)
        counts[("nodes", n)] = sql_counter.count
        assert "errors" not in body, body
        assert len(body["data"]["nodes"]) == n

    assert counts[("list", 1)] == counts[("list", 50)], counts
    assert counts[("nodes", 1)] == counts[("nodes", 50)], counts
    print("statement counts", counts)
