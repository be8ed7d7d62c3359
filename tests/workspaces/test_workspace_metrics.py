"""`Workspace.workspaceMetrics`: the seed 004 generic query in every shape, with values
computed by hand from the `athena` world (see conftest)."""

from __future__ import annotations

import pytest

from .conftest import MARCH, data

Q = """
query($uuid: String!, $q: WorkspaceMetricsInput!) {
  workspace(uuid: $uuid) {
    workspaceMetrics(query: $q) {
      entity metric aggregation groupBy granularity total unit
      period { startDate endDate }
      results { userId userName user { username } date value }
    }
  }
}
"""


async def run(gql, athena, **q):
    filters = q.pop("filters", {"dateRange": MARCH})
    body = await gql(athena.tokens["owner"], Q, uuid=athena.ws.uuid, q={**q, "filters": filters})
    return data(body)["workspace"]["workspaceMetrics"]


async def test_total_agents_created(gql, athena):
    got = await run(gql, athena, entity="AGENTS", metric="CREATED", aggregation="COUNT")
    # A1 03-01 and A2 03-04 (A3 was created in February, A9 is in another workspace)
    assert got["total"] == 2
    assert got["results"] == []
    assert got["groupBy"] is None and got["granularity"] is None and got["unit"] is None
    assert got["period"] == {"startDate": "2026-03-01", "endDate": "2026-03-31"}


@pytest.mark.parametrize(
    ("aggregation", "total", "unit"),
    [
        ("COUNT", 4, None),  # F1 x3 + F2 x1 (F9 excluded)
        ("SUM", 12000, "milliseconds"),  # 1000 + 3000 + 2000 + 6000
        ("AVG", 3000, "milliseconds"),  # 12000 / 4
    ],
)
async def test_workflow_executions_aggregations(gql, athena, aggregation, total, unit):
    got = await run(gql, athena, entity="WORKFLOWS", metric="EXECUTIONS", aggregation=aggregation)
    assert got["total"] == total
    assert got["unit"] == unit


async def test_avg_duration(gql, athena):
    got = await run(gql, athena, entity="WORKFLOWS", metric="AVG_DURATION", aggregation="AVG")
    assert got["total"] == 3000
    assert got["unit"] == "milliseconds"


@pytest.mark.parametrize(("aggregation", "total"), [("COUNT", 2), ("SUM", 2), ("AVG", 1)])
async def test_counted_metric_aggregations(gql, athena, aggregation, total):
    # A1 was shared twice in March; each share event counts as 1
    got = await run(gql, athena, entity="AGENTS", metric="SHARES", aggregation=aggregation)
    assert got["total"] == total


async def test_copies_of_both_entities(gql, athena):
    agents = await run(gql, athena, entity="AGENTS", metric="COPIES", aggregation="COUNT")
    flows = await run(gql, athena, entity="WORKFLOWS", metric="COPIES", aggregation="COUNT")
    shares = await run(gql, athena, entity="WORKFLOWS", metric="SHARES", aggregation="COUNT")
    assert (agents["total"], flows["total"], shares["total"]) == (1, 1, 1)


async def test_group_by_user_ranked_by_value(gql, athena):
    # agent executions in W by user: olivia 3 (A1 100, A2 1000, A2 500), mark 2, ursula 1
    got = await run(
        gql, athena, entity="AGENTS", metric="EXECUTIONS", aggregation="COUNT", groupBy="USER",
        limit=2,
    )  # fmt: skip
    assert got["total"] == 6  # over everyone, not only the top 2
    assert [(r["userName"], r["value"]) for r in got["results"]] == [("Olivia", 3), ("Mark", 2)]
    assert got["results"][0]["userId"] == athena.owner.id
    assert got["results"][0]["user"]["username"] == "olivia"
    assert got["results"][0]["date"] is None


async def test_group_by_user_sum_and_orders(gql, athena):
    base = {"entity": "AGENTS", "metric": "EXECUTIONS", "groupBy": "USER"}
    sums = await run(gql, athena, **base, aggregation="SUM")
    # olivia 100+1000+500, mark 300+200, ursula 400
    assert [(r["userName"], r["value"]) for r in sums["results"]] == [
        ("Olivia", 1600),
        ("Mark", 500),
        ("Ursula", 400),
    ]
    assert sums["total"] == 2500 and sums["unit"] == "milliseconds"
    by_name = await run(gql, athena, **base, aggregation="COUNT", orderBy="NAME")
    assert [r["userName"] for r in by_name["results"]] == ["Mark", "Olivia", "Ursula"]
    by_name_desc = await run(
        gql, athena, **base, aggregation="COUNT", orderBy="NAME", orderDir="DESC"
    )
    assert [r["userName"] for r in by_name_desc["results"]] == ["Ursula", "Olivia", "Mark"]
    asc = await run(gql, athena, **base, aggregation="COUNT", orderDir="ASC")
    assert [(r["userName"], r["value"]) for r in asc["results"]] == [
        ("Ursula", 1),
        ("Mark", 2),
        ("Olivia", 3),
    ]


async def test_group_by_user_ties_broken_by_user_id(gql, athena):
    # workflow executions: olivia 2, mark 2 -> olivia first (lower id)
    got = await run(
        gql, athena, entity="WORKFLOWS", metric="EXECUTIONS", aggregation="COUNT", groupBy="USER"
    )
    assert [(r["userName"], r["value"]) for r in got["results"]] == [("Olivia", 2), ("Mark", 2)]


async def test_group_by_date_daily(gql, athena):
    got = await run(
        gql, athena, entity="AGENTS", metric="EXECUTIONS", aggregation="COUNT", groupBy="DATE",
        granularity="DAILY",
    )  # fmt: skip
    assert got["total"] == 6
    rows = got["results"]
    assert len(rows) == 31  # every day of March, zero-filled, in date order
    assert rows[0] == {
        "userId": None, "userName": None, "user": None, "date": "2026-03-01", "value": 0
    }  # fmt: skip
    nonzero = {r["date"]: r["value"] for r in rows if r["value"]}
    assert nonzero == {
        "2026-03-02": 2,
        "2026-03-03": 1,
        "2026-03-10": 1,
        "2026-03-16": 1,
        "2026-03-17": 1,
    }


async def test_group_by_date_ordered_by_value_with_limit(gql, athena):
    got = await run(
        gql, athena, entity="AGENTS", metric="EXECUTIONS", aggregation="COUNT", groupBy="DATE",
        granularity="DAILY", orderBy="VALUE", limit=3,
    )  # fmt: skip
    # 03-02 has 2; the days with 1 tie and are taken in date order
    assert [(r["date"], r["value"]) for r in got["results"]] == [
        ("2026-03-02", 2),
        ("2026-03-03", 1),
        ("2026-03-10", 1),
    ]


async def test_group_by_date_weekly_labels(gql, athena):
    got = await run(
        gql, athena, entity="AGENTS", metric="EXECUTIONS", aggregation="COUNT", groupBy="DATE",
        granularity="WEEKLY",
    )  # fmt: skip
    # ISO weeks (Monday start) touching March 2026: W09 (02-23..03-01) .. W14 (03-30..)
    assert [(r["date"], r["value"]) for r in got["results"]] == [
        ("2026-09", 0),
        ("2026-10", 3),  # 03-02 x2, 03-03
        ("2026-11", 1),  # 03-10
        ("2026-12", 2),  # 03-16, 03-17
        ("2026-13", 0),
        ("2026-14", 0),
    ]


async def test_group_by_date_monthly_avg(gql, athena):
    got = await run(
        gql, athena, entity="WORKFLOWS", metric="EXECUTIONS", aggregation="AVG", groupBy="DATE",
        granularity="MONTHLY", orderDir="DESC",
    )  # fmt: skip
    assert got["results"] == [
        {"userId": None, "userName": None, "user": None, "date": "2026-03", "value": 3000}
    ]
    assert got["total"] == 3000


async def test_filter_by_user(gql, athena):
    got = await run(
        gql, athena, entity="AGENTS", metric="EXECUTIONS", aggregation="COUNT", groupBy="DATE",
        granularity="MONTHLY", filters={"dateRange": MARCH, "userId": str(athena.mark.id)},
    )  # fmt: skip
    assert got["total"] == 2  # mark: A1 03-02, A1 03-10
    assert [r["value"] for r in got["results"]] == [2]


async def test_legacy_period_presets(gql, athena):
    # now = 2026-03-18 10:30 UTC: 7d = 03-12 .. now -> A1 03-16, A2 03-17
    d7 = await run(
        gql, athena, entity="AGENTS", metric="EXECUTIONS", aggregation="COUNT",
        filters={"period": "D7"},
    )  # fmt: skip
    assert d7["total"] == 2
    assert d7["period"] == {"startDate": "2026-03-12", "endDate": "2026-03-18"}
    default = await run(
        gql, athena, entity="AGENTS", metric="CREATED", aggregation="COUNT", filters=None
    )
    # 30d = 02-17 .. 03-18: A1 and A2 (A3 on 02-10 is older)
    assert default["total"] == 2
    assert default["period"]["startDate"] == "2026-02-17"
    everything = await run(
        gql, athena, entity="AGENTS", metric="CREATED", aggregation="COUNT",
        filters={"period": "ALL"},
    )  # fmt: skip
    assert everything["total"] == 3  # since the workspace was created (2026-01-01)
    assert everything["period"]["startDate"] == "2026-01-01"
