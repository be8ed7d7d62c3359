"""Costs (USD cents): totals, per day / week / month, by provider, model and user."""

from __future__ import annotations

from tests.learners.conftest import MARCH

COSTS = """
query($period: PeriodInput, $mentor: String) {
  learnerAnalytics(period: $period, mentor: $mentor) {
    costCents { current previous }
    totalCostCents
    costPerDay { unit total values }
    weeklyCosts { total buckets values }
    monthlyCosts { total buckets values }
    costByProvider { key costCents llmCalls tokens }
    costByModel { key costCents llmCalls }
    costByUser { totalCount nodes { username costCents sessions } }
  }
}"""


async def test_costs_org_wide(gql):
    a = (await gql.data(COSTS, period=MARCH))["learnerAnalytics"]
    assert a["costCents"] == {"current": 180.0, "previous": 20.0}  # 100 + 50 + 30 | s0 20
    assert a["totalCostCents"] == 200.0
    day = a["costPerDay"]
    assert day["unit"] == "USD cents" and day["total"] == 180.0
    # s1 ends 03-02, s3 03-03, s4 03-04
    assert {i: v for i, v in enumerate(day["values"]) if v} == {1: 100.0, 2: 50.0, 3: 30.0}
    # all time starts at the first cost (2026-02-20): weeks from Monday 02-16
    w = a["weeklyCosts"]
    assert w["buckets"][0].startswith("2026-02-16") and w["total"] == 200.0
    assert w["values"][:3] == [20.0, 0.0, 100.0 + 50.0 + 30.0]  # 02-16, 02-23, 03-02 weeks
    m = a["monthlyCosts"]
    assert m["buckets"][0].startswith("2026-02-01") and m["values"][:3] == [20.0, 180.0, 0.0]
    assert a["costByProvider"] == [
        {"key": "openai", "costCents": 130.0, "llmCalls": 2, "tokens": 1000.0},
        {"key": "anthropic", "costCents": 50.0, "llmCalls": 1, "tokens": 0.0},
    ]
    assert a["costByModel"] == [
        {"key": "gpt-4o", "costCents": 100.0, "llmCalls": 1},
        {"key": "claude-sonnet-4", "costCents": 50.0, "llmCalls": 1},
        {"key": "gpt-4o-mini", "costCents": 30.0, "llmCalls": 1},
    ]
    assert a["costByUser"] == {
        "totalCount": 3,
        "nodes": [
            {"username": "alice", "costCents": 100.0, "sessions": 2},
            {"username": "bob", "costCents": 50.0, "sessions": 1},
            {"username": "carol", "costCents": 30.0, "sessions": 1},
        ],
    }


async def test_costs_of_one_mentor(gql):
    a = (await gql.data(COSTS, period=MARCH, mentor="mentor-two"))["learnerAnalytics"]
    assert a["costCents"] == {"current": 30.0, "previous": 0.0}
    assert a["totalCostCents"] == 30.0
    assert [g["key"] for g in a["costByProvider"]] == ["openai"]
    assert [n["username"] for n in a["costByUser"]["nodes"]] == ["carol"]
