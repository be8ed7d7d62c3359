"""GET /v1/analytics/missions/{id}: the document's example id on a mission built here, and
msn_alpha of the March world (clock frozen at 2026-03-31 12:00 UTC)."""

from __future__ import annotations

from datetime import date

from gateway.models import MissionKpi
from gateway.rest.apis.amp_schemas import MissionAnalyticsResponse
from tests.missions.conftest import ev, perf
from tests.rest.amp.conftest import utc

DOC_ID = "msn_2xK9mPqR4vN8sT3w"


async def test_documented_request(factory, write, get, freeze_now):
    org = await factory.org()
    headers = {"Authorization": f"Bearer {await factory.token(await factory.user(org))}"}
    m = await factory.mission(
        org, DOC_ID, name="Q1 Developer Outreach", status="active",
        start_date=date(2024, 1, 15), end_date=date(2024, 1, 30),
    )  # fmt: skip
    # 2024-01-16 is a Tuesday, 2024-01-17 a Wednesday.
    thread = await factory.content(
        m, "cnt_thread", platform="twitter", type="thread", pillar="Thought Leadership",
        published_at=utc(2024, 1, 16, 14, 5), status="published",
    )  # fmt: skip
    post = await factory.content(
        m, "cnt_post", platform="linkedin", type="post", pillar="Product Updates",
        published_at=utc(2024, 1, 17, 9), status="published",
    )  # fmt: skip
    await factory.content(m, "cnt_next", status="scheduled", scheduled_for=utc(2024, 1, 25))
    o = org.id
    await write(
        [
            ev(o, "publish", "content", thread.id, thread.published_at),
            ev(o, "publish", "content", post.id, post.published_at),
            *perf(o, thread.id, utc(2024, 1, 16, 15), 1000, 50, 5),
            *perf(o, post.id, utc(2024, 1, 17, 10), 3000, 60, 9),
        ]
    )
    for metric, target in (("engagement_rate", 4.0), ("impressions", 100000)):
        await factory.add(MissionKpi(org_id=o, mission_id=m.id, metric=metric, target=target))
    freeze_now(utc(2024, 1, 22, 12))  # 7.5 of the mission's 16 days have elapsed

    body = await get(f"/v1/analytics/missions/{DOC_ID}", headers)
    MissionAnalyticsResponse.model_validate(body)
    assert body["mission_id"] == DOC_ID
    assert body["mission_name"] == "Q1 Developer Outreach"
    assert body["period"] == {"start": "2024-01-15", "end": "2024-01-30"}
    assert body["status"] == "active"
    assert body["progress_percent"] == 47  # 100 * 7.5 / 16 = 46.875
    assert body["summary"] == {
        "posts_published": 2,
        "posts_scheduled": 1,
        "total_impressions": 4000,
        "total_engagements": 110,
        "engagement_rate": 2.75,  # 100 * 110 / 4000
        "link_clicks": 14,
        # one item per weekday / hour: below the minimum sample (2), so no best day / time
        "best_performing_day": None,
        "best_performing_time": None,
        "best_performing_day_confidence": None,
        "best_performing_time_confidence": None,
    }
    assert body["kpi_progress"] == [
        {
            "metric": "engagement_rate",
            "target": 4.0,
            "current": 2.75,
            "progress_percent": 69,  # 68.75
            "status": "behind",  # no recent rate: projected = current < 80 % of 4.0
            "projected_final": 2.75,
        },
        {
            "metric": "impressions",
            "target": 100000,
            "current": 4000,
            "progress_percent": 4,
            "status": "behind",
            "projected_final": 8533,  # 4000 / (7.5 / 16)
        },
    ]
    cp = body["content_performance"]
    assert cp["by_pillar"] == [
        {
            "pillar": "Product Updates",
            "posts": 1,
            "avg_engagement_rate": 2.0,
            "total_impressions": 3000,
        },
        {
            "pillar": "Thought Leadership",
            "posts": 1,
            "avg_engagement_rate": 5.0,
            "total_impressions": 1000,
        },
    ]
    assert {t["type"]: t["avg_engagement_rate"] for t in cp["by_type"]} == {
        "thread": 5.0,
        "post": 2.0,
    }
    assert isinstance(body["optimization_insights"], list)


async def test_alpha_in_march(world, get, freeze_now):
    freeze_now(utc(2026, 3, 31, 12))
    body = await get("/v1/analytics/missions/msn_alpha", world.headers)
    # Alpha = c1 + c2 + c3: 4200 imp, 140 eng, 25 clicks; Tuesday 14:00 (c1, c2) is best.
    assert body["summary"]["total_impressions"] == 4200
    assert body["summary"]["engagement_rate"] == 3.33
    assert body["progress_percent"] == 98  # 30.5 / 31 days
    kpis = {k["metric"]: k for k in body["kpi_progress"]}
    assert kpis["impressions"]["status"] == "at_risk"  # 4200 / (30.5/31) = 4269 >= 4000
    assert kpis["impressions"]["projected_final"] == 4269
    assert kpis["mystery"] == {
        "metric": "mystery",
        "target": 1,
        "current": None,
        "progress_percent": None,
        "status": None,
        "projected_final": None,
    }
    assert body["optimization_insights"] == [
        {
            "type": "timing",
            "insight": "Tuesday afternoon posts outperform the average by 100%",
            "confidence": 0.29,  # 2 / (2 + 5)
        }
    ]
    # An explicit period narrows the numbers, not the KPI range.
    body = await get(
        "/v1/analytics/missions/msn_alpha", world.headers, period="2026-03-06/2026-03-06"
    )
    assert body["period"] == {"start": "2026-03-06", "end": "2026-03-06"}
    assert body["summary"]["total_impressions"] == 3000


async def test_unknown_and_foreign_missions_are_not_found(world, get):
    for key in ("msn_nope", "msn_foreign"):
        body = await get(f"/v1/analytics/missions/{key}", world.headers, status=404)
        assert body == {"error": {"code": "not_found", "message": f"Mission {key} not found."}}
