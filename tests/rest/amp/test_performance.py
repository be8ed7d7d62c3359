"""GET /v1/analytics/performance against the March world (clock 2026-03-31 12:00 UTC, so
`30d` = 03-02 .. 03-31: events of c1..c5, publishes of c1..c4)."""

from __future__ import annotations

from gateway.rest.apis.amp_schemas import PerformanceResponse
from tests.rest.amp.conftest import utc

PATH = "/v1/analytics/performance"


async def test_documented_request(world, get, freeze_now):
    freeze_now(utc(2026, 3, 31, 12))
    body = await get(PATH, world.headers, period="30d", breakdown="platform,type")
    PerformanceResponse.model_validate(body)
    assert body["period"] == "2026-03-02/2026-03-31"
    b = body["breakdowns"]
    assert set(b) == {"by_platform", "by_type", "by_time_of_day", "by_day_of_week"}
    # Sorted by engagement rate (default): twitter c1+c2+c5 = 90/1700, linkedin 100/3800.
    assert b["by_platform"] == [
        {
            "platform": "twitter",
            "posts": 2,
            "impressions": 1700,
            "engagement_rate": 5.29,
            "clicks": 14,
            "best_time": "14:00",  # c1 + c2 at 14h: 80 / 1200
            "best_day": "Tuesday",
        },
        {
            "platform": "linkedin",
            "posts": 2,
            "impressions": 3800,
            "engagement_rate": 2.63,
            "clicks": 16,
            "best_time": "09:00",
            "best_day": "Friday",
        },
    ]
    assert b["by_type"] == [
        {"type": "thread", "posts": 1, "avg_engagement_rate": 15.0, "avg_impressions": 200},
        # posts c1, c3, c4 (+ c5's events): 160 / 5300 = 3.02 %, 5300 / 3 = 1766.7
        {"type": "post", "posts": 3, "avg_engagement_rate": 3.02, "avg_impressions": 1767},
    ]
    assert b["by_time_of_day"] == [
        {"hour": 9, "avg_engagement_rate": 2.63, "posts": 2, "content_items": 2},
        # c5, published in February
        {"hour": 12, "avg_engagement_rate": 2.0, "posts": 0, "content_items": 1},
        {"hour": 14, "avg_engagement_rate": 6.67, "posts": 2, "content_items": 2},
    ]
    assert b["by_day_of_week"] == [
        {"day": "Tuesday", "avg_engagement_rate": 6.67, "posts": 2, "content_items": 2},
        # c3 + c4 + c5: 110 / 4300
        {"day": "Friday", "avg_engagement_rate": 2.56, "posts": 2, "content_items": 3},
    ]
    assert body["recommendations"] == [
        "Shift more posting to Tuesday afternoons",
        "Consider pausing Friday posts due to lower engagement",
    ]


async def test_sort_mission_and_all_breakdowns(world, get):
    march = "2026-03-01/2026-03-31"
    body = await get(PATH, world.headers, period=march, breakdown="platform", sort_by="impressions")
    assert [p["platform"] for p in body["breakdowns"]["by_platform"]] == ["linkedin", "twitter"]
    body = await get(PATH, world.headers, period=march, sort_by="clicks", breakdown="platform")
    assert [p["clicks"] for p in body["breakdowns"]["by_platform"]] == [16, 14]

    body = await get(PATH, world.headers, period=march, mission_id="msn_beta", breakdown="platform")
    # Beta: c4 linkedin 40/800 = 5 %, c5 twitter 10/500 = 2 %.
    assert [(p["platform"], p["engagement_rate"]) for p in body["breakdowns"]["by_platform"]] == [
        ("linkedin", 5.0),
        ("twitter", 2.0),
    ]

    body = await get(PATH, world.headers, period=march)
    b = body["breakdowns"]
    assert set(b) == {
        "by_platform",
        "by_type",
        "by_pillar",
        "by_topic",
        "by_time_of_day",
        "by_day_of_week",
    }
    assert b["by_pillar"][:2] == [
        {
            "pillar": "Thought Leadership",
            "posts": 2,
            "avg_engagement_rate": 6.67,
            "total_impressions": 1200,
        },
        {
            "pillar": "Product Updates",
            "posts": 2,
            "avg_engagement_rate": 2.63,
            "total_impressions": 3800,
        },
    ]
    assert b["by_pillar"][2]["pillar"] is None  # c5 has no pillar
    assert b["by_topic"][:2] == [
        {"topic": "SDKs", "posts": 1, "avg_engagement_rate": 15.0, "total_impressions": 200},
        # c1 + c4: 90 / 1800
        {"topic": "API design", "posts": 2, "avg_engagement_rate": 5.0, "total_impressions": 1800},
    ]


async def test_unknown_mission_is_not_found(world, get):
    body = await get(PATH, world.headers, mission_id="msn_foreign", status=404)
    assert body["error"] == {"code": "not_found", "message": "Mission msn_foreign not found."}
