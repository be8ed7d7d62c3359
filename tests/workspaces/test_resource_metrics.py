"""Per-resource metrics, the agent leaderboard and workflow execution counts, with values
computed by hand from the `athena` world (see conftest)."""

from __future__ import annotations

import pytest

from .conftest import MARCH, data, error

RM = """
query($uuid: String!, $q: ResourceMetricsInput!) {
  workspace(uuid: $uuid) {
    resourceMetrics(query: $q) {
      resource metric groupBy granularity total succeeded failed unit
      period { startDate endDate }
      results { date value succeeded failed }
    }
  }
}
"""


async def resource(gql, athena, **q):
    q.setdefault("filters", {"dateRange": MARCH})
    body = await gql(athena.tokens["owner"], RM, uuid=athena.ws.uuid, q=q)
    return data(body)["workspace"]["resourceMetrics"]


@pytest.mark.parametrize(
    ("name", "metric", "total"),
    [
        ("AGENTS", "created", 2),  # A1 03-01, A2 03-04
        ("WORKFLOWS", "created", 2),  # F1 03-01, F2 03-08
        ("WORKFLOW_EXECUTIONS", "executions", 4),  # F1 x3, F2 x1
        ("THREADS", "created", 2),  # T1, T2
        ("MESSAGES", "messages", 5),  # T1 3 + T2 2
    ],
)
async def test_resource_totals(gql, athena, name, metric, total):
    got = await resource(gql, athena, resource=name)
    assert (got["metric"], got["total"], got["results"], got["unit"]) == (
        metric,
        total,
        [],
        "count",
    )
    if name == "WORKFLOW_EXECUTIONS":
        assert (got["succeeded"], got["failed"]) == (3, 1)
    else:
        assert (got["succeeded"], got["failed"]) == (None, None)


async def test_resource_series(gql, athena):
    got = await resource(
        gql, athena, resource="WORKFLOW_EXECUTIONS", groupBy="DATE", granularity="WEEKLY"
    )
    assert got["groupBy"] == "DATE" and got["granularity"] == "WEEKLY"
    # 03-02 F1 ok + F1 failed (W10), 03-09 F1 ok (W11), 03-20 F2 ok (W12)
    assert [(r["date"], r["value"], r["succeeded"], r["failed"]) for r in got["results"]] == [
        ("2026-09", 0, 0, 0),
        ("2026-10", 2, 1, 1),
        ("2026-11", 1, 1, 0),
        ("2026-12", 1, 1, 0),
        ("2026-13", 0, 0, 0),
        ("2026-14", 0, 0, 0),
    ]
    msgs = await resource(gql, athena, resource="MESSAGES", groupBy="DATE", granularity="DAILY")
    nonzero = {r["date"]: r["value"] for r in msgs["results"] if r["value"]}
    assert nonzero == {"2026-03-02": 3, "2026-03-11": 2}
    assert msgs["results"][0]["succeeded"] is None


async def test_resource_user_filter(gql, athena):
    got = await resource(
        gql,
        athena,
        resource="MESSAGES",
        filters={"dateRange": MARCH, "userId": str(athena.mark.id)},
    )
    assert got["total"] == 3  # T1's messages (actor mark)


LB = """
query($uuid: String!, $p: PeriodInput, $order: AgentLeaderboardOrder!,
      $dir: WorkspaceOrderDirection!, $limit: Int!) {
  workspace(uuid: $uuid) {
    agentLeaderboard(dateRange: $p, orderBy: $order, orderDir: $dir, limit: $limit) {
      period { startDate endDate }
      entries {
        rank agentId agentKey name executions avgDurationMs totalDurationMs shares copies
        uniqueUsers
      }
    }
  }
}
"""


async def leaderboard(gql, athena, order="EXECUTIONS", dir="DESC", limit=10):
    body = await gql(
        athena.tokens["owner"], LB, uuid=athena.ws.uuid, p=MARCH, order=order, dir=dir,
        limit=limit,
    )  # fmt: skip
    return data(body)["workspace"]["agentLeaderboard"]


async def test_leaderboard_values(gql, athena):
    got = await leaderboard(gql, athena)
    rows = [
        {
            k: e[k]
            for k in (
                "rank",
                "name",
                "executions",
                "avgDurationMs",
                "totalDurationMs",
                "shares",
                "copies",
                "uniqueUsers",
            )
        }  # fmt: skip
        for e in got["entries"]
    ]
    assert rows == [
        # A1: 100+300+200+400 = 1000 ms over 4 runs by olivia, mark, ursula
        {
            "rank": 1,
            "name": "Alpha",
            "executions": 4,
            "avgDurationMs": 250,
            "totalDurationMs": 1000,
            "shares": 2,
            "copies": 1,
            "uniqueUsers": 3,
        },  # fmt: skip
        # A2: 1000+500 by olivia
        {
            "rank": 2,
            "name": "Beta",
            "executions": 2,
            "avgDurationMs": 750,
            "totalDurationMs": 1500,
            "shares": 0,
            "copies": 0,
            "uniqueUsers": 1,
        },  # fmt: skip
        # A3: no activity in March (still listed); A9 belongs to another workspace
        {
            "rank": 3,
            "name": "Gamma",
            "executions": 0,
            "avgDurationMs": None,
            "totalDurationMs": 0,
            "shares": 0,
            "copies": 0,
            "uniqueUsers": 0,
        },  # fmt: skip
    ]
    assert got["entries"][0]["agentKey"] == athena.agents["A1"].key
    assert got["period"] == {"startDate": "2026-03-01", "endDate": "2026-03-31"}


async def test_leaderboard_orders_and_limit(gql, athena):
    by_avg = await leaderboard(gql, athena, order="AVG_DURATION_MS")
    assert [e["name"] for e in by_avg["entries"]] == ["Beta", "Alpha", "Gamma"]  # null last
    by_users = await leaderboard(gql, athena, order="UNIQUE_USERS", dir="ASC", limit=2)
    assert [e["name"] for e in by_users["entries"]] == ["Gamma", "Beta"]
    # ties (shares: Beta 0, Gamma 0) by agent id
    by_shares = await leaderboard(gql, athena, order="SHARES")
    assert [e["name"] for e in by_shares["entries"]] == ["Alpha", "Beta", "Gamma"]
    by_name = await leaderboard(gql, athena, order="NAME", dir="ASC", limit=1)
    assert [(e["rank"], e["name"]) for e in by_name["entries"]] == [(1, "Alpha")]


async def test_leaderboard_limit_bounds(gql, athena):
    body = await gql(
        athena.tokens["owner"], LB, uuid=athena.ws.uuid, p=MARCH, order="EXECUTIONS",
        dir="DESC", limit=101,
    )  # fmt: skip
    err = error(body)
    assert err["extensions"]["code"] == "INVALID_INPUT"
    assert "between 1 and 100" in err["message"]


EC = """
query($uuid: String!, $p: PeriodInput, $g: WorkspaceGranularity) {
  workspace(uuid: $uuid) {
    executionCounts(dateRange: $p, granularity: $g) {
      granularity total completed succeeded failed running
      series { date completed succeeded failed }
    }
  }
}
"""


async def test_execution_counts(gql, athena):
    body = await gql(athena.tokens["owner"], EC, uuid=athena.ws.uuid, p=MARCH, g="MONTHLY")
    got = data(body)["workspace"]["executionCounts"]
    # 3 succeeded + 1 failed finished; F1 running since 03-18 (no event yet)
    assert {k: got[k] for k in ("total", "completed", "succeeded", "failed", "running")} == {
        "total": 5,
        "completed": 4,
        "succeeded": 3,
        "failed": 1,
        "running": 1,
    }
    assert got["series"] == [{"date": "2026-03", "completed": 4, "succeeded": 3, "failed": 1}]
    feb = {"start": "2026-02-01", "end": "2026-02-28"}
    body = await gql(athena.tokens["owner"], EC, uuid=athena.ws.uuid, p=feb)
    got = data(body)["workspace"]["executionCounts"]
    assert (got["total"], got["running"], got["series"]) == (0, 0, [])
