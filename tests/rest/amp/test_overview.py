"""GET /v1/analytics against the March world (numbers derived in tests/missions/conftest.py).
The request clock is frozen at 2026-03-31 12:00 UTC, so `30d` = 2026-03-02 .. 2026-03-31."""

from __future__ import annotations

from gateway.rest.apis.amp_schemas import OverviewResponse
from tests.rest.amp.conftest import utc

MARCH = {"start_date": "2026-03-01", "end_date": "2026-03-31"}


async def test_documented_request_defaults_to_30d(world, get, freeze_now):
    freeze_now(utc(2026, 3, 31, 12))
    body = await get("/v1/analytics", world.headers)
    OverviewResponse.model_validate(body)  # every documented field, with its type
    assert body["period"] == {"start": "2026-03-02", "end": "2026-03-31"}
    # Events 03-02..03-31: c1 1000/50/10, c2 200/30/3, c3 3000/60/12, c4 800/40/4, c5 500/10/1.
    assert body["summary"] == {
        "missions_active": 1,  # Alpha (active); Beta is completed
        "content_published": 4,  # c1..c4 published in March; c5 in February
        "total_impressions": 5500,
        "total_engagements": 190,
        "overall_engagement_rate": 3.45,  # 100 * 190 / 5500 = 3.4545
        "total_link_clicks": 30,
        "followers_gained": 22,  # 10 + 5 + 7
    }
    # Previous period (29.5 days before 03-02): c5's 400 impressions / 20 engagements.
    assert body["trends"] == {
        "impressions": {
            "current": 5500,
            "previous": 400,
            "change_percent": 1275.0,
            "direction": "up",
        },
        "engagement_rate": {
            "current": 3.45,
            "previous": 5.0,
            "change_percent": -30.9,  # (3.4545 - 5) / 5
            "direction": "down",
        },
    }
    assert body["by_platform"] == {
        "linkedin": {
            "posts_published": 2,
            "impressions": 3800,
            "engagements": 100,
            "engagement_rate": 2.63,
        },
        "twitter": {
            "posts_published": 2,
            "impressions": 1700,
            "engagements": 90,
            "engagement_rate": 5.29,
        },
    }
    series = body["time_series"]
    assert [p["date"] for p in series][:2] == ["2026-03-02", "2026-03-03"]
    assert len(series) == 30
    assert series[1] == {"date": "2026-03-03", "impressions": 1000, "engagements": 50, "posts": 1}
    assert sum(p["impressions"] for p in series) == 5500
    assert [c["content_id"] for c in body["top_content"]] == [
        "cnt_c3",
        "cnt_c1",
        "cnt_c4",
        "cnt_c5",
        "cnt_c2",
    ]
    assert body["top_content"][0] == {
        "content_id": "cnt_c3",
        "platform": "linkedin",
        "impressions": 3000,
        "engagement_rate": 2.0,
        "preview": "Preview c3",
    }


async def test_custom_dates_and_platform_filter(world, get):
    body = await get("/v1/analytics", world.headers, platforms="twitter", **MARCH)
    assert body["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
    s = body["summary"]
    # twitter: c1 + c2 + c5 = 1700 imp / 90 eng / 14 clicks, posts c1, c2; followers 10 + 7.
    assert (s["total_impressions"], s["total_engagements"], s["total_link_clicks"]) == (
        1700,
        90,
        14,
    )
    assert (s["content_published"], s["followers_gained"]) == (2, 17)
    assert s["overall_engagement_rate"] == 5.29
    assert list(body["by_platform"]) == ["twitter"]
    assert {c["platform"] for c in body["top_content"]} == {"twitter"}


async def test_period_presets_and_custom_range_in_period(world, get, freeze_now):
    freeze_now(utc(2026, 3, 31, 12))
    for period, start in (("7d", "2026-03-25"), ("90d", "2026-01-01"), ("ytd", "2026-01-01")):
        body = await get("/v1/analytics", world.headers, period=period)
        assert body["period"] == {"start": start, "end": "2026-03-31"}, period
    body = await get("/v1/analytics", world.headers, period="ALL")
    assert body["period"] == {"start": "2000-01-01", "end": "2026-03-31"}
    assert body["summary"]["total_impressions"] == 5900  # March 5500 + February 400
    # Too many days for daily buckets: `all` defaults to monthly ones.
    months = {p["date"]: p["impressions"] for p in body["time_series"]}
    assert (months["2026-02-01"], months["2026-03-01"]) == (400, 5500)
    body = await get("/v1/analytics", world.headers, period="2026-03-03/2026-03-06")
    assert body["summary"]["total_impressions"] == 4000  # c1 1000 + c3 3000
    # start_date/end_date win over period.
    body = await get("/v1/analytics", world.headers, period="7d", **MARCH)
    assert body["period"] == {"start": "2026-03-01", "end": "2026-03-31"}


async def test_granularity_week_and_hour(world, get):
    body = await get("/v1/analytics", world.headers, granularity="week", **MARCH)
    series = body["time_series"]
    assert all("hour" not in p for p in series)
    # Weeks start on Monday: 03-02 .. 03-08 holds c5 500 + c1 1000 + c3 3000.
    week = next(p for p in series if p["date"] == "2026-03-02")
    assert (week["impressions"], week["posts"]) == (4500, 2)
    assert sum(p["impressions"] for p in series) == 5500

    body = await get(
        "/v1/analytics",
        world.headers,
        granularity="HOUR",
        start_date="2026-03-03",
        end_date="2026-03-03",
    )
    series = body["time_series"]
    assert len(series) == 24
    assert series[15] == {
        "date": "2026-03-03",
        "hour": 15,
        "impressions": 1000,
        "engagements": 50,
        "posts": 0,
    }
    assert series[14]["posts"] == 1  # c1 published 14:10


async def test_other_org_sees_only_its_own(world, get):
    body = await get("/v1/analytics", world.other_headers, **MARCH)
    assert body["summary"]["total_impressions"] == 9999
    assert [c["content_id"] for c in body["top_content"]] == ["cnt_foreign"]
