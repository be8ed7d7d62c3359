"""performance, costs and comparePeriods (GET /analytics/performance, /costs, /compare).
Numbers from the March world (conftest)."""

from __future__ import annotations

from pytest import approx

from tests.missions.conftest import MARCH, utc

PERFORMANCE = """
query($period: PeriodInput, $breakdown: [PerformanceBreakdown!], $missionKey: String,
      $sortBy: PerformanceSort! = ENGAGEMENT_RATE) {
  performance(period: $period, breakdown: $breakdown, missionKey: $missionKey, sortBy: $sortBy) {
    period { startDate endDate }
    byPlatform { key posts impressions engagementRate clicks bestTime bestDay }
    byType { key posts engagementRate avgImpressionsPerPost }
    byPillar { key engagementRate }
    byTopic { key engagementRate }
    byTimeOfDay { hour engagementRate posts }
    byDayOfWeek { day isoWeekday engagementRate posts }
    recommendations
  }
}
"""


async def test_performance_all_breakdowns(gql, world):
    body = await gql(world.headers, PERFORMANCE, period=MARCH)
    assert "errors" not in body, body
    p = body["data"]["performance"]
    # twitter: c1 + c2 + c5 = 90 / 1700; its best hour 14 (c1, c2: 6.67 %) vs 12 (c5: 2 %)
    # linkedin: c3 + c4 = 100 / 3800, both published Friday 09:xx
    assert p["byPlatform"] == [
        {"key": "twitter", "posts": 2, "impressions": 1700,
         "engagementRate": approx(100 * 90 / 1700), "clicks": 14, "bestTime": "14:00",
         "bestDay": "Tuesday"},
        {"key": "linkedin", "posts": 2, "impressions": 3800,
         "engagementRate": approx(100 * 100 / 3800), "clicks": 16, "bestTime": "09:00",
         "bestDay": "Friday"},
    ]  # fmt: skip
    # thread: c2 200 / 30 = 15 %, 1 post; post: c1 + c3 + c4 + c5 = 160 / 5300, 3 posts
    # (c5 published in February) -> 5300 / 3 impressions per post
    assert p["byType"] == [
        {"key": "thread", "posts": 1, "engagementRate": approx(15.0), "avgImpressionsPerPost": 200},
        {"key": "post", "posts": 3, "engagementRate": approx(100 * 160 / 5300),
         "avgImpressionsPerPost": approx(5300 / 3)},
    ]  # fmt: skip
    # Thought Leadership 80/1200, Product Updates 100/3800, no pillar (c5) 10/500
    assert p["byPillar"] == [
        {"key": "Thought Leadership", "engagementRate": approx(100 * 80 / 1200)},
        {"key": "Product Updates", "engagementRate": approx(100 * 100 / 3800)},
        {"key": None, "engagementRate": approx(2.0)},
    ]
    # SDKs 15 %, API design (c1 + c4) 90/1800 = 5 %, hiring and release notes tie at 2 %
    assert p["byTopic"] == [
        {"key": "SDKs", "engagementRate": approx(15.0)},
        {"key": "API design", "engagementRate": approx(5.0)},
        {"key": "hiring", "engagementRate": approx(2.0)},
        {"key": "release notes", "engagementRate": approx(2.0)},
    ]
    assert p["byTimeOfDay"] == [
        {"hour": 9, "engagementRate": approx(100 * 100 / 3800), "posts": 2},
        {"hour": 12, "engagementRate": approx(2.0), "posts": 0},  # c5, late impressions
        {"hour": 14, "engagementRate": approx(100 * 80 / 1200), "posts": 2},
    ]
    # Friday: c3 + c4 + c5 = 110 / 4300
    assert p["byDayOfWeek"] == [
        {"day": "Tuesday", "isoWeekday": 2, "engagementRate": approx(100 * 80 / 1200), "posts": 2},
        {"day": "Friday", "isoWeekday": 5, "engagementRate": approx(100 * 110 / 4300), "posts": 2},
    ]  # fmt: skip
    # overall 190/5500 = 3.45 %: Tuesday afternoon 6.67 % >= 110 % of it; Friday 2.56 % is
    # <= 80 % of it (2.76 %); the best type with >= 2 items is the most published one (post)
    assert p["recommendations"] == [
        "Shift more posting to Tuesday afternoons",
        "Consider pausing Friday posts due to lower engagement",
    ]


async def test_performance_filters_and_sort(gql, world):
    body = await gql(
        world.headers, PERFORMANCE, period=MARCH, breakdown=["PLATFORM"], missionKey="msn_beta",
        sortBy="IMPRESSIONS",
    )  # fmt: skip
    p = body["data"]["performance"]
    assert p["byType"] is None and p["byTimeOfDay"] is None
    # B: c4 (linkedin, 800) and c5 (twitter, 500)
    assert [(g["key"], g["impressions"], g["posts"]) for g in p["byPlatform"]] == [
        ("linkedin", 800, 1),
        ("twitter", 500, 0),
    ]
    body = await gql(world.headers, PERFORMANCE, period=MARCH, missionKey="msn_foreign")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await gql(world.headers, PERFORMANCE, period=MARCH, breakdown=["COLOR"])
    assert "COLOR" in body["errors"][0]["message"]


COSTS = """
query($period: PeriodInput) {
  costs(period: $period) {
    summary { totalCostCents budgetLimitCents budgetUsedPercent costPerPostCents
              costPer1kImpressionsCents }
    byProvider { provider type costCents requests tokensUsed imagesGenerated }
    byMission { missionKey missionName costCents postsGenerated }
    byStage { stage costCents percent }
    timeSeries { values }
    projections { monthStart monthToDateCents monthBudgetCents monthlyProjectedCents
                  budgetExhaustionDate daysUntilLimit }
  }
}
"""


async def test_costs_march(gql, world, freeze_now):
    # now = March 11 00:00 (10 days into March)
    freeze_now(utc(2026, 3, 11))
    body = await gql(world.headers, COSTS, period=MARCH)
    assert "errors" not in body, body
    c = body["data"]["costs"]
    # 300 + 200 + 100 + 50 + 150 = 800; org budget of March 2000 (A's own 500 not counted)
    assert c["summary"] == {
        "totalCostCents": 800,
        "budgetLimitCents": 2000,
        "budgetUsedPercent": approx(40.0),
        "costPerPostCents": approx(200.0),  # 800 / 4 posts
        "costPer1kImpressionsCents": approx(1000 * 800 / 5500),
    }
    assert c["byProvider"] == [
        {"provider": "claude", "type": "llm", "costCents": 700, "requests": 4,
         "tokensUsed": 15000, "imagesGenerated": 0},
        {"provider": "openai", "type": "image", "costCents": 100, "requests": 1,
         "tokensUsed": 0, "imagesGenerated": 2},
    ]  # fmt: skip
    # content created in March: A c1, c2, c3, c6, c7; B c4 (c5 in February)
    assert c["byMission"] == [
        {"missionKey": "msn_alpha", "missionName": "Alpha", "costCents": 600, "postsGenerated": 5},
        {"missionKey": "msn_beta", "missionName": "Beta", "costCents": 200, "postsGenerated": 1},
    ]  # fmt: skip
    assert c["byStage"] == [
        {"stage": "content", "costCents": 550, "percent": approx(68.75)},
        {"stage": "strategy", "costCents": 200, "percent": approx(25.0)},
        {"stage": "optimize", "costCents": 50, "percent": approx(6.25)},
    ]
    values = c["timeSeries"]["values"]
    assert len(values) == 31
    assert (values[0], values[2], values[9], values[12], sum(values)) == (200, 400, 50, 150, 800)
    # month to date (March 1-10): 200 + 400 + 50 = 650 -> 65 / day -> 65 × 31 = 2015;
    # 2000 reached after 2000 / 65 = 30.77 days -> March 31, 20 days after March 11
    assert c["projections"] == {
        "monthStart": "2026-03-01",
        "monthToDateCents": 650,
        "monthBudgetCents": 2000,
        "monthlyProjectedCents": approx(2015.0),
        "budgetExhaustionDate": "2026-03-31",
        "daysUntilLimit": 20,
    }


async def test_costs_budget_spans_months_and_empty_period(gql, world):
    body = await gql(world.headers, COSTS, period={"start": "2026-03-15", "end": "2026-04-10"})
    s = body["data"]["costs"]["summary"]
    # costs after March 15: none; budgets of March and April: 2000 + 3000
    assert s["totalCostCents"] == 0 and s["budgetLimitCents"] == 5000
    assert s["budgetUsedPercent"] == 0 and s["costPerPostCents"] is None
    body = await gql(world.headers, COSTS, period={"start": "2025-01-01", "end": "2025-01-31"})
    c = body["data"]["costs"]
    assert c["summary"]["budgetLimitCents"] is None and c["summary"]["budgetUsedPercent"] is None
    assert c["byProvider"] == [] and c["byMission"] == [] and c["byStage"] == []


COMPARE = """
query($p1: PeriodInput!, $p2: PeriodInput!, $platforms: [String!]) {
  comparePeriods(period1: $p1, period2: $p2, platforms: $platforms) {
    period1 { start end impressions engagementRate posts }
    period2 { start end impressions engagementRate posts }
    comparison {
      impressions { change changePercent direction }
      engagementRate { change changePercent direction }
      posts { change changePercent direction }
    }
    insights
  }
}
"""


async def test_compare_periods(gql, world):
    p1 = {"start": "2026-03-01", "end": "2026-03-15"}
    p2 = {"start": "2026-02-15", "end": "2026-02-28"}
    body = await gql(world.headers, COMPARE, p1=p1, p2=p2)
    assert "errors" not in body, body
    c = body["data"]["comparePeriods"]
    rate1 = 100 * 190 / 5500  # all March events fall in March 1-15
    assert c["period1"] == {"start": "2026-03-01", "end": "2026-03-15", "impressions": 5500,
                            "engagementRate": approx(rate1), "posts": 4}  # fmt: skip
    # February 15-28: c5 published (1 post), 400 impressions / 20 engagements = 5 %
    assert c["period2"] == {"start": "2026-02-15", "end": "2026-02-28", "impressions": 400,
                            "engagementRate": approx(5.0), "posts": 1}  # fmt: skip
    cmp = c["comparison"]
    assert cmp["impressions"] == {
        "change": 5100,
        "changePercent": approx(1275.0),
        "direction": "UP",
    }
    assert cmp["engagementRate"] == {
        "change": approx(rate1 - 5.0),
        "changePercent": approx((rate1 - 5.0) / 5.0 * 100),  # -30.9 %
        "direction": "DOWN",
    }
    assert cmp["posts"] == {"change": 3, "changePercent": approx(300.0), "direction": "UP"}
    # 5500/4 = 1375 impressions per post against 400/1, but the rate declined: not
    # "better efficiency"
    assert c["insights"] == [
        "Engagement rate declined 31% period-over-period",
        "Publishing volume increased with more impressions per post",
    ]


async def test_compare_with_an_empty_period_and_filter(gql, world):
    p1 = {"start": "2026-03-01", "end": "2026-03-31"}
    p2 = {"start": "2025-03-01", "end": "2025-03-31"}
    body = await gql(world.headers, COMPARE, p1=p1, p2=p2, platforms=["linkedin"])
    c = body["data"]["comparePeriods"]
    assert (c["period1"]["impressions"], c["period1"]["posts"]) == (3800, 2)
    assert c["period2"] == {"start": "2025-03-01", "end": "2025-03-31", "impressions": 0,
                            "engagementRate": None, "posts": 0}  # fmt: skip
    assert c["comparison"]["impressions"]["changePercent"] is None
    assert c["comparison"]["engagementRate"] == {"change": None, "changePercent": None,
                                                 "direction": "FLAT"}  # fmt: skip
    assert c["insights"] == ["Publishing volume increased"]
    body = await gql(world.headers, COMPARE, p1={"preset": "LAST_7D", "start": "2026-03-01"},
                     p2=p2)  # fmt: skip
    assert "either a period preset or start/end" in body["errors"][0]["message"]
