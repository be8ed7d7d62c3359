"""Best day / time with a minimum sample and a confidence, and insights and recommendations
that never contradict the numbers beside them, through the documented AMP routes.

Mission msn_timing (March 2026, all twitter posts; impressions / engagements one hour
after publishing):

  item  published (UTC)          imp   eng   rate
  s1    Wed 03-04 03:00           100    20   20 %   a single post: never "the best"
  t1    Tue 03-03 14:00          1000    60    6 %
  t2    Tue 03-10 15:00          1000    60    6 %
  t3    Tue 03-17 14:30          1000    40    4 %
  m1    Mon 03-02 09:00          1000    20    2 %
  m2    Mon 03-09 09:00          1000    20    2 %

  overall 220 / 5100 = 4.3137 %
  weekdays (>= 2 items): Mon 40 / 2000 = 2 %, Tue 160 / 3000 = 5.333 % -> Tuesday, 3 items
  hours (>= 2 items): 09 2 %, 14 (t1, t3) 100 / 2000 = 5 % -> 14:00, 2 items
  (hour 03 at 20 % and hour 15 at 6 % have one item each)
  Tuesday afternoon (t1, t2, t3) 5.333 % -> +23.6 % over the average, n = 3
"""

from __future__ import annotations

from datetime import date

import pytest

from gateway.rest.apis.amp_schemas import MissionAnalyticsResponse, PerformanceResponse
from tests.missions.conftest import ev, perf, utc

MARCH = "2026-03-01/2026-03-31"
SPEC = {
    "s1": (utc(2026, 3, 4, 3), 100, 20),
    "t1": (utc(2026, 3, 3, 14), 1000, 60),
    "t2": (utc(2026, 3, 10, 15), 1000, 60),
    "t3": (utc(2026, 3, 17, 14, 30), 1000, 40),
    "m1": (utc(2026, 3, 2, 9), 1000, 20),
    "m2": (utc(2026, 3, 9, 9), 1000, 20),
}


@pytest.fixture
async def timing(factory, write):
    org = await factory.org()
    user = await factory.user(org, "amp")
    m = await factory.mission(
        org, "msn_timing", name="Timing", status="completed",
        start_date=date(2026, 3, 1), end_date=date(2026, 3, 31),
    )  # fmt: skip
    rows = []
    for key, (published, imp, eng) in SPEC.items():
        c = await factory.content(
            m, f"cnt_{key}", platform="twitter", type="post", published_at=published,
            status="published", created_at=published,
        )  # fmt: skip
        rows.append(ev(org.id, "publish", "content", c.id, published))
        rows += perf(org.id, c.id, published.replace(minute=0).replace(hour=published.hour + 1),
                     imp, eng, 0)  # fmt: skip
    await write(rows)
    return {"Authorization": f"Bearer {await factory.token(user)}"}


async def test_mission_best_day_and_time_need_two_items(timing, get, freeze_now):
    freeze_now(utc(2026, 4, 2, 12))
    body = await get("/v1/analytics/missions/msn_timing", timing)
    MissionAnalyticsResponse.model_validate(body)
    s = body["summary"]
    # not Wednesday / 03:00: s1 alone is a single post
    assert (s["best_performing_day"], s["best_performing_time"]) == ("Tuesday", "14:00")
    assert s["best_performing_day_confidence"] == 0.38  # 3 / (3 + 5) = 0.375
    assert s["best_performing_time_confidence"] == 0.29  # 2 / 7
    # the timing insight names that day and the part of the day of that time
    assert body["optimization_insights"] == [
        {
            "type": "timing",
            "insight": "Tuesday afternoon posts outperform the average by 24%",
            "confidence": 0.38,
        }
    ]


async def test_performance_recommendations_follow_the_breakdowns(timing, get):
    body = await get(
        "/v1/analytics/performance", timing, period=MARCH, mission_id="msn_timing",
        breakdown="time",
    )  # fmt: skip
    PerformanceResponse.model_validate(body)
    b = body["breakdowns"]
    assert b["by_time_of_day"] == [
        {"hour": 3, "avg_engagement_rate": 20.0, "posts": 1, "content_items": 1},
        {"hour": 9, "avg_engagement_rate": 2.0, "posts": 2, "content_items": 2},
        {"hour": 14, "avg_engagement_rate": 5.0, "posts": 2, "content_items": 2},
        {"hour": 15, "avg_engagement_rate": 6.0, "posts": 1, "content_items": 1},
    ]
    assert b["by_day_of_week"] == [
        {"day": "Monday", "avg_engagement_rate": 2.0, "posts": 2, "content_items": 2},
        {"day": "Tuesday", "avg_engagement_rate": 5.33, "posts": 3, "content_items": 3},
        {"day": "Wednesday", "avg_engagement_rate": 20.0, "posts": 1, "content_items": 1},
    ]
    # Tuesday afternoon +23.6 % >= 10 %; Monday 2 % <= 80 % of 4.31 %
    assert body["recommendations"] == [
        "Shift more posting to Tuesday afternoons",
        "Consider pausing Monday posts due to lower engagement",
    ]
    # the rule any reader can check: the slot is the top row among rows with >= 2 items
    top_day = max((d for d in b["by_day_of_week"] if d["content_items"] >= 2),
                  key=lambda d: d["avg_engagement_rate"])  # fmt: skip
    top_hour = max((h for h in b["by_time_of_day"] if h["content_items"] >= 2),
                   key=lambda h: h["avg_engagement_rate"])  # fmt: skip
    assert top_day["day"] == "Tuesday" and 12 <= top_hour["hour"] < 17  # afternoon


async def test_compare_insights_do_not_contradict_the_rate(timing, get):
    # period 1: t3 only (1 post, 1000 imp, 40 eng: 4 %); period 2: s1 t1 t2 m1 m2
    # (5 posts, 4100 imp, 180 eng: 4.390 %) -> rate -8.9 %, 1000 vs 820 impressions per post
    body = await get(
        "/v1/analytics/compare", timing,
        period1="2026-03-16/2026-03-31", period2="2026-03-01/2026-03-15",
    )  # fmt: skip
    assert body["comparison"]["engagement_rate"]["direction"] == "down"
    assert body["comparison"]["engagement_rate"]["change_percent"] == -8.9
    assert body["insights"] == [
        "Engagement rate declined 9% period-over-period",
        "Publishing volume decreased with more impressions per post",
    ]
