"""GET /v1/analytics/costs, /compare and /realtime (March world; numbers derived in
tests/missions/conftest.py, or below from the rows a test adds)."""

from __future__ import annotations

from gateway.rest.apis.amp_schemas import ComparisonResponse, CostsResponse, RealtimeResponse
from tests.missions.conftest import ev, perf
from tests.rest.amp.conftest import utc


async def test_costs_documented_request(world, get, freeze_now):
    freeze_now(utc(2026, 3, 31, 12))  # default 30d = 03-02 .. 03-31: the 03-01 cost is out
    body = await get("/v1/analytics/costs", world.headers)
    CostsResponse.model_validate(body)
    assert body["period"] == "2026-03-02/2026-03-31"
    assert body["summary"] == {
        "total_cost_cents": 600,  # 300 + 100 + 50 + 150
        "budget_limit_cents": 2000,  # March's org budget
        "budget_used_percent": 30.0,
        "cost_per_post_cents": 150,  # 600 / 4 posts
        "cost_per_1k_impressions_cents": 109,  # 1000 * 600 / 5500 = 109.09
    }
    assert body["by_provider"] == [
        {
            "provider": "claude",
            "type": "llm",
            "cost_cents": 500,
            "requests": 3,
            "tokens_used": 15000,
        },
        {"provider": "openai", "type": "image", "cost_cents": 100, "images_generated": 2},
    ]
    assert body["by_mission"] == [
        # posts_generated = content created in the period: A c1 c2 c3 c6 c7, B c4.
        {
            "mission_id": "msn_alpha",
            "mission_name": "Alpha",
            "cost_cents": 400,
            "posts_generated": 5,
        },
        {"mission_id": "msn_beta", "mission_name": "Beta", "cost_cents": 200, "posts_generated": 1},
    ]
    assert body["by_stage"] == {
        "content": {"cost_cents": 550, "percent": 91.7},
        "optimize": {"cost_cents": 50, "percent": 8.3},
    }
    series = body["time_series"]
    assert len(series) == 30 and series[0] == {"date": "2026-03-02", "cost_cents": 0}
    assert series[1] == {"date": "2026-03-03", "cost_cents": 400}
    # Month to date 800 over 30.5 days -> 26.23/day x 31 = 813; the 2000 budget lasts.
    assert body["projections"] == {
        "monthly_projected_cents": 813,
        "budget_exhaustion_date": None,
        "days_until_limit": None,
    }


async def test_costs_custom_period_and_all(world, get, freeze_now):
    freeze_now(utc(2026, 3, 31, 12))
    body = await get("/v1/analytics/costs", world.headers, period="2026-03-01/2026-04-30")
    s = body["summary"]
    assert (s["total_cost_cents"], s["budget_limit_cents"]) == (800, 5000)  # March + April
    assert body["by_stage"]["strategy"] == {"cost_cents": 200, "percent": 25.0}
    body = await get("/v1/analytics/costs", world.headers, period="all")
    assert body["summary"]["total_cost_cents"] == 1799  # + 999 in February
    monthly = {p["date"]: p["cost_cents"] for p in body["time_series"]}
    assert (monthly["2026-02-01"], monthly["2026-03-01"]) == (999, 800)


async def test_compare_documented_request(world, write, get):
    o, c = world.org.id, world.c
    await write(
        [
            ev(o, "publish", "content", c["c1"].id, utc(2024, 1, 3)),
            ev(o, "publish", "content", c["c3"].id, utc(2024, 1, 4)),
            *perf(o, c["c1"].id, utc(2024, 1, 5), 300, 12, 3),
            *perf(o, c["c3"].id, utc(2024, 1, 15, 23), 100, 3, 1),
            ev(o, "publish", "content", c["c2"].id, utc(2023, 12, 20)),
            *perf(o, c["c2"].id, utc(2023, 12, 31, 23), 200, 4, 0),
            *perf(o, c["c2"].id, utc(2024, 1, 16), 7777, 7, 7),  # in neither period
        ]
    )
    body = await get(
        "/v1/analytics/compare",
        world.headers,
        period1="2024-01-01/2024-01-15",
        period2="2023-12-15/2023-12-31",
    )
    ComparisonResponse.model_validate(body)
    assert body == {
        "period1": {
            "start": "2024-01-01",
            "end": "2024-01-15",
            "impressions": 400,
            "engagement_rate": 3.75,  # 15 / 400
            "posts": 2,
        },
        "period2": {
            "start": "2023-12-15",
            "end": "2023-12-31",
            "impressions": 200,
            "engagement_rate": 2.0,
            "posts": 1,
        },
        "comparison": {
            "impressions": {"change": 200, "change_percent": 100.0, "direction": "up"},
            "engagement_rate": {"change": 1.75, "change_percent": 87.5, "direction": "up"},
            "posts": {"change": 1, "change_percent": 100.0, "direction": "up"},
        },
        "insights": [
            "Engagement rate improved 88% period-over-period",
            "Publishing volume increased",  # 200 impressions per post in both
        ],
    }


async def test_compare_presets_and_flat(world, get, freeze_now):
    freeze_now(utc(2026, 3, 31, 12))
    body = await get("/v1/analytics/compare", world.headers, period1="30d", period2="30d")
    assert body["comparison"]["posts"] == {"change": 0, "change_percent": 0.0, "direction": "flat"}


async def test_realtime_documented_request(world, factory, write, get, freeze_now):
    o = world.org.id
    fast = await factory.content(
        world.a, "cnt_fast", platform="twitter", published_at=utc(2026, 3, 31, 9),
        status="published",
    )  # fmt: skip
    slow = await factory.content(
        world.b, "cnt_slow", platform="linkedin", published_at=utc(2026, 3, 31, 2),
        status="published",
    )  # fmt: skip
    await write(
        [
            ev(o, "publish", "content", fast.id, fast.published_at),
            ev(o, "publish", "content", slow.id, slow.published_at),
            *perf(o, fast.id, utc(2026, 3, 31, 10), 3000, 150, 20),
            *perf(o, slow.id, utc(2026, 3, 31, 3), 500, 5, 0),
        ]
    )
    freeze_now(utc(2026, 3, 31, 12))
    body = await get("/v1/analytics/realtime", world.headers)
    RealtimeResponse.model_validate(body)
    assert body["as_of"] == "2026-03-31T12:00:00Z"
    assert body["last_24h"] == {
        "posts_published": 2,
        "impressions": 3500,
        "engagements": 155,
        "engagement_rate": 4.43,  # 155 / 3500
    }
    # Velocities 3000/3h = 1000 and 500/10h = 50, median 525: high (>= 787.5) and low.
    assert body["active_content"] == [
        {
            "content_id": "cnt_fast",
            "published_at": "2026-03-31T09:00:00Z",
            "platform": "twitter",
            "current_impressions": 3000,
            "current_engagements": 150,
            "velocity": "high",
            "trending": True,  # 5 % >= the org's 4.43 %
        },
        {
            "content_id": "cnt_slow",
            "published_at": "2026-03-31T02:00:00Z",
            "platform": "linkedin",
            "current_impressions": 500,
            "current_engagements": 5,
            "velocity": "low",
            "trending": False,
        },
    ]
    assert body["next_scheduled"] == [
        {"content_id": "cnt_c6", "scheduled_for": "2026-12-01T10:00:00Z", "platform": "linkedin"}
    ]
