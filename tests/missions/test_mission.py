"""Mission lookup and per-mission analytics (GET /analytics/missions/:id): summary, best
day / time, KPI progress (finished and in-progress missions), content performance and
insights. Numbers from the March world (conftest)."""

from __future__ import annotations

from pytest import approx

from tests.missions.conftest import utc

MISSION = """
query($key: String!, $period: PeriodInput) {
  mission(key: $key) {
    key name status startDate endDate
    kpis { metric target }
    analytics(period: $period) {
      missionKey missionName status progressPercent
      period { startDate endDate }
      summary { postsPublished postsScheduled totalImpressions totalEngagements
                engagementRate linkClicks bestPerformingDay bestPerformingTime }
      kpiProgress { metric target current progressPercent status projectedFinal }
      contentPerformance {
        byPillar { key posts engagementRate impressions }
        byType { key posts engagementRate }
      }
      optimizationInsights { type insight confidence }
      timeSeries { dates impressions posts }
    }
  }
}
"""


async def test_mission_analytics_finished_mission(gql, world):
    body = await gql(world.headers, MISSION, key="msn_alpha")
    assert "errors" not in body, body
    m = body["data"]["mission"]
    assert (m["key"], m["name"], m["status"]) == ("msn_alpha", "Alpha", "ACTIVE")
    a = m["analytics"]
    assert a["missionKey"] == "msn_alpha" and a["missionName"] == "Alpha"
    # default period = the mission's range; the range is over (now is after March)
    assert a["period"] == {"startDate": "2026-03-01", "endDate": "2026-03-31"}
    assert a["progressPercent"] == 100.0
    # A: c1 + c2 + c3 -> posts 3, 4200 impressions, 140 engagements, 25 clicks
    assert a["summary"] == {
        "postsPublished": 3,
        "postsScheduled": 1,  # c6 (c7 is a draft)
        "totalImpressions": 4200,
        "totalEngagements": 140,
        "engagementRate": approx(100 * 140 / 4200),
        "linkClicks": 25,
        # Tuesday (c1, c2): 80 / 1200 = 6.67 % beats Friday (c3): 60 / 3000 = 2 %
        "bestPerformingDay": "Tuesday",
        # 14:00 (c1, c2) 6.67 % beats 09:00 (c3) 2 %
        "bestPerformingTime": "14:00",
    }
    # the range is over (share 1): projections equal current values
    assert a["kpiProgress"] == [
        # 3.33 > 3.0
        {"metric": "engagement_rate", "target": 3.0, "current": approx(100 * 140 / 4200),
         "progressPercent": approx(100 * (100 * 140 / 4200) / 3.0), "status": "EXCEEDED",
         "projectedFinal": approx(100 * 140 / 4200)},
        # A's follower gains 10 + 5 = 15 > 10
        {"metric": "followers_gained", "target": 10.0, "current": 15.0,
         "progressPercent": approx(150.0), "status": "EXCEEDED", "projectedFinal": 15.0},
        # 4200 of 5000: projected 4200 >= 80 % of 5000 -> at risk
        {"metric": "impressions", "target": 5000.0, "current": 4200.0,
         "progressPercent": approx(84.0), "status": "AT_RISK", "projectedFinal": 4200.0},
        # 25 of 25: not above the target, projected 25 >= 25 -> on track
        {"metric": "link_clicks", "target": 25.0, "current": 25.0,
         "progressPercent": approx(100.0), "status": "ON_TRACK", "projectedFinal": 25.0},
        {"metric": "mystery", "target": 1.0, "current": None, "progressPercent": None,
         "status": None, "projectedFinal": None},
        # 3 of 10 -> 30 % < 80 %
        {"metric": "posts_published", "target": 10.0, "current": 3.0,
         "progressPercent": approx(30.0), "status": "BEHIND", "projectedFinal": 3.0},
    ]  # fmt: skip
    cp = a["contentPerformance"]
    # by impressions: Product Updates (c3) 3000 @ 2 %, Thought Leadership (c1, c2) 1200 @ 6.67 %
    assert cp["byPillar"] == [
        {"key": "Product Updates", "posts": 1, "engagementRate": approx(2.0),
         "impressions": 3000},
        {"key": "Thought Leadership", "posts": 2, "engagementRate": approx(100 * 80 / 1200),
         "impressions": 1200},
    ]  # fmt: skip
    # by posts: post (c1, c3): 110 / 4000 = 2.75 % (avg of ratios would be 3.5 %); thread 15 %
    assert cp["byType"] == [
        {"key": "post", "posts": 2, "engagementRate": approx(2.75)},
        {"key": "thread", "posts": 1, "engagementRate": approx(15.0)},
    ]
    # Tuesday afternoon cell (c1, c2): 6.67 % vs overall 3.33 % -> +100 %, n = 2 -> 2/7
    # (type and platform comparisons need >= 2 items on each side: not met)
    assert a["optimizationInsights"] == [
        {"type": "TIMING", "insight": "Tuesday afternoon posts outperform the average by 100%",
         "confidence": 0.29},
    ]  # fmt: skip
    assert len(a["timeSeries"]["dates"]) == 31
    assert sum(a["timeSeries"]["posts"]) == 3 and sum(a["timeSeries"]["impressions"]) == 4200


async def test_mission_analytics_custom_period(gql, world):
    period = {"start": "2026-03-01", "end": "2026-03-05"}
    body = await gql(world.headers, MISSION, key="msn_alpha", period=period)
    a = body["data"]["mission"]["analytics"]
    assert a["period"] == {"startDate": "2026-03-01", "endDate": "2026-03-05"}
    s = a["summary"]
    # only c1's events fall in March 1-5
    assert (s["postsPublished"], s["totalImpressions"], s["linkClicks"]) == (1, 1000, 10)
    # one content item: below the minimum sample of a best day / time
    assert s["bestPerformingDay"] is None and s["bestPerformingTime"] is None
    # KPIs stay measured over the mission's own range
    assert a["kpiProgress"][2]["current"] == 4200.0


async def test_kpis_of_an_in_progress_mission(gql, world, freeze_now):
    # now = March 11 00:00: 10 of A's 31 days elapsed -> share 10/31
    freeze_now(utc(2026, 3, 11))
    body = await gql(world.headers, MISSION, key="msn_alpha")
    a = body["data"]["mission"]["analytics"]
    assert a["progressPercent"] == approx(100 * 10 / 31)
    kpis = {k["metric"]: k for k in a["kpiProgress"]}
    # impressions 4200 -> 4200 / (10/31) = 13020 >= 5000 -> on track
    assert kpis["impressions"]["projectedFinal"] == approx(13020.0)
    assert kpis["impressions"]["status"] == "ON_TRACK"
    # posts 3 -> 9.3 projected, target 10: 9.3 >= 8 -> at risk
    assert kpis["posts_published"]["projectedFinal"] == approx(3 * 31 / 10)
    assert kpis["posts_published"]["status"] == "AT_RISK"
    # engagement rate: current 140/4200; recent half = March 6-11: c3 + c2 = 90 / 3200
    current, recent = 100 * 140 / 4200, 100 * 90 / 3200
    projected = current * 10 / 31 + recent * 21 / 31
    assert kpis["engagement_rate"]["projectedFinal"] == approx(projected)
    assert kpis["engagement_rate"]["status"] == "EXCEEDED"  # 3.33 > 3.0


async def test_mission_lookup_errors(gql, world):
    body = await gql(world.headers, MISSION, key="msn_nope")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert "msn_nope" in body["errors"][0]["message"]
    # another org's mission is simply not found
    body = await gql(world.headers, MISSION, key="msn_foreign")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["data"]["mission"] is None
    body = await gql(None, MISSION, key="msn_alpha")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # the other org's member sees their own mission
    body = await gql(world.other_headers, '{ mission(key: "msn_foreign") { name } }')
    assert body["data"]["mission"]["name"] == "Foreign"
