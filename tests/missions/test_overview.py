"""missionAnalytics (GET /analytics): summary, trends, byPlatform, time series, topContent,
platform filter and an empty period. Numbers from the March world (conftest)."""

from __future__ import annotations

from pytest import approx

from tests.missions.conftest import MARCH

OVERVIEW = """
query($period: PeriodInput, $platforms: [String!], $limit: Int!) {
  missionAnalytics(period: $period, platforms: $platforms) {
    period { startDate endDate days }
    summary { missionsActive contentPublished totalImpressions totalEngagements
              overallEngagementRate totalLinkClicks followersGained }
    trends {
      impressions { current previous change changePercent direction }
      engagementRate { current previous changePercent direction }
    }
    byPlatform { key posts impressions engagements engagementRate clicks }
    timeSeries { dates impressions engagements posts }
    top: topContent(limit: $limit) { contentId platform impressions engagementRate preview }
    topRate: topContent(limit: 3, orderBy: ENGAGEMENT_RATE) { contentId engagementRate }
  }
}
"""


async def test_overview_march(gql, world):
    body = await gql(world.headers, OVERVIEW, period=MARCH, limit=2)
    assert "errors" not in body, body
    o = body["data"]["missionAnalytics"]
    assert o["period"] == {"startDate": "2026-03-01", "endDate": "2026-03-31", "days": 31}
    s = o["summary"]
    # A is active and overlaps March; B is completed.
    assert s["missionsActive"] == 1
    assert s["contentPublished"] == 4  # c1..c4 (c5 was published in February)
    assert s["totalImpressions"] == 5500
    assert s["totalEngagements"] == 190
    # ratio of sums 190/5500, not the average of per-content rates (5.8)
    assert s["overallEngagementRate"] == approx(100 * 190 / 5500)
    assert s["overallEngagementRate"] != approx(5.8)
    assert s["totalLinkClicks"] == 30
    assert s["followersGained"] == 22
    # previous period = the 31 days before March: c5's February batch (400 / 20)
    imp = o["trends"]["impressions"]
    assert imp == {
        "current": 5500,
        "previous": 400,
        "change": 5100,
        "changePercent": approx(1275.0),
        "direction": "UP",
    }
    er = o["trends"]["engagementRate"]
    assert er["current"] == approx(100 * 190 / 5500)
    assert er["previous"] == approx(5.0)
    assert er["changePercent"] == approx((100 * 190 / 5500 - 5.0) / 5.0 * 100)
    assert er["direction"] == "DOWN"
    # linkedin: c3 + c4 = 3800 / 100; twitter: c1 + c2 + c5 = 1700 / 90 (posts c1, c2)
    assert o["byPlatform"] == [
        {"key": "linkedin", "posts": 2, "impressions": 3800, "engagements": 100,
         "engagementRate": approx(100 * 100 / 3800), "clicks": 16},
        {"key": "twitter", "posts": 2, "impressions": 1700, "engagements": 90,
         "engagementRate": approx(100 * 90 / 1700), "clicks": 14},
    ]  # fmt: skip
    ts = o["timeSeries"]
    assert len(ts["dates"]) == 31 and ts["dates"][0] == "2026-03-01"
    assert ts["impressions"][1] == 500 and ts["posts"][1] == 0  # 03-02: c5's late batch
    assert ts["impressions"][2] == 1000 and ts["posts"][2] == 1  # 03-03: c1
    assert ts["engagements"][5] == 60 and ts["posts"][5] == 1  # 03-06: c3
    assert sum(ts["impressions"]) == 5500 and sum(ts["posts"]) == 4
    assert o["top"] == [
        {"contentId": "cnt_c3", "platform": "linkedin", "impressions": 3000,
         "engagementRate": approx(2.0), "preview": "Preview c3"},
        {"contentId": "cnt_c1", "platform": "twitter", "impressions": 1000,
         "engagementRate": approx(5.0), "preview": "Preview c1"},
    ]  # fmt: skip
    # c2 15 %, then c1 and c4 tie at 5 %: id order (c1 before c4)
    assert [t["contentId"] for t in o["topRate"]] == ["cnt_c2", "cnt_c1", "cnt_c4"]


async def test_overview_platform_filter(gql, world):
    body = await gql(world.headers, OVERVIEW, period=MARCH, platforms=["linkedin"], limit=5)
    s = body["data"]["missionAnalytics"]["summary"]
    assert s["contentPublished"] == 2  # c3, c4
    assert s["totalImpressions"] == 3800
    assert s["overallEngagementRate"] == approx(100 * 100 / 3800)
    assert s["totalLinkClicks"] == 16
    assert s["followersGained"] == 5  # A's linkedin gains only
    o = body["data"]["missionAnalytics"]
    assert [p["key"] for p in o["byPlatform"]] == ["linkedin"]
    assert [t["contentId"] for t in o["top"]] == ["cnt_c3", "cnt_c4"]


async def test_overview_empty_period(gql, world):
    body = await gql(world.headers, OVERVIEW, period={"start": "2025-06-01", "end": "2025-06-07"},
                     limit=5)  # fmt: skip
    assert "errors" not in body, body
    o = body["data"]["missionAnalytics"]
    assert o["summary"] == {
        "missionsActive": 0,
        "contentPublished": 0,
        "totalImpressions": 0,
        "totalEngagements": 0,
        "overallEngagementRate": None,
        "totalLinkClicks": 0,
        "followersGained": 0,
    }
    assert o["trends"]["impressions"]["changePercent"] is None
    assert o["trends"]["engagementRate"]["direction"] == "FLAT"
    assert o["byPlatform"] == [] and o["top"] == []
    assert o["timeSeries"]["impressions"] == [0] * 7


async def test_overview_bad_input(gql, world):
    body = await gql(world.headers, OVERVIEW, period={"start": "2026-03-31", "end": "2026-03-01"},
                     limit=5)  # fmt: skip
    assert "must be before" in body["errors"][0]["message"]
    body = await gql(world.headers, OVERVIEW, period=MARCH, limit=101)
    assert "between 1 and 100" in body["errors"][0]["message"]
    bad_enum = "{ missionAnalytics(granularity: YEARLY) { period { days } } }"
    body = await gql(world.headers, bad_enum)
    assert "YEARLY" in body["errors"][0]["message"]
