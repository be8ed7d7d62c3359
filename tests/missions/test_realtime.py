"""realtime (GET /analytics/realtime): last 24 hours, active content with velocity and
trending, next scheduled content. The request clock is frozen at 2026-06-10 12:00 UTC.

  content  published     impressions / engagements since   per hour           velocity
  r4       06-10 11:30          40 / 2  (5 %)              40 / max(0.5, 1) = 40   low (<= 50)
  r1       06-10 10:00         900 / 45 (5 %)              900 / 2 = 450          high (>= 150)
  r2       06-10 02:00        1000 / 20 (2 %)              1000 / 10 = 100        medium
  r3       06-09 18:00        1800 / 36 (2 %)              1800 / 18 = 100        medium
  r0       06-08 09:00 (not active) 500 / 0 on 06-10 08:00
  median of 40, 100, 100, 450 = 100.
  last 24 h: posts 4; impressions 40 + 900 + 1000 + 1800 + 500 = 4240; engagements 103.
  scheduled: s1 06-10 14:00, s3 06-10 14:00 (same time, later id), s2 06-11 09:00,
  s0 06-10 08:00 (already due: excluded).
"""

from __future__ import annotations

from datetime import timedelta

from pytest import approx

from tests.missions.conftest import ev, utc

REALTIME = """
{ realtime {
    asOf
    last24h { postsPublished impressions engagements engagementRate }
    activeContent { contentId publishedAt platform currentImpressions currentEngagements
                    impressionsPerHour velocity trending }
    nextScheduled(limit: 2) { contentId scheduledFor platform }
} }
"""


async def test_realtime(gql, world, factory, write, freeze_now):
    freeze_now(utc(2026, 6, 10, 12))
    m = world.a
    o = world.org.id
    rows = []
    for key, pub, imp, eng, plat in (
        ("r0", utc(2026, 6, 8, 9), 500, 0, "twitter"),
        ("r1", utc(2026, 6, 10, 10), 900, 45, "twitter"),
        ("r2", utc(2026, 6, 10, 2), 1000, 20, "linkedin"),
        ("r3", utc(2026, 6, 9, 18), 1800, 36, "linkedin"),
        ("r4", utc(2026, 6, 10, 11, 30), 40, 2, "twitter"),
    ):
        c = await factory.content(m, f"cnt_{key}", platform=plat, published_at=pub)
        rows.append(ev(o, "publish", "content", c.id, pub))
        at = utc(2026, 6, 10, 8) if key == "r0" else pub + timedelta(minutes=15)
        rows.append(ev(o, "impression", "content", c.id, at, imp))
        if eng:
            rows.append(ev(o, "engagement", "content", c.id, at, eng))
    await write(rows)
    for key, when in (
        ("s0", utc(2026, 6, 10, 8)),
        ("s1", utc(2026, 6, 10, 14)),
        ("s2", utc(2026, 6, 11, 9)),
        ("s3", utc(2026, 6, 10, 14)),
    ):
        await factory.content(
            m, f"cnt_{key}", platform="linkedin", status="scheduled", published_at=None,
            scheduled_for=when,
        )  # fmt: skip

    body = await gql(world.headers, REALTIME)
    assert "errors" not in body, body
    r = body["data"]["realtime"]
    assert r["asOf"] == "2026-06-10T12:00:00+00:00"
    assert r["last24h"] == {
        "postsPublished": 4,
        "impressions": 4240,
        "engagements": 103,
        "engagementRate": approx(100 * 103 / 4240),
    }
    active = [
        (a["contentId"], a["currentImpressions"], a["impressionsPerHour"], a["velocity"],
         a["trending"])
        for a in r["activeContent"]
    ]  # fmt: skip
    # trending: r1 is high and 5 % >= 2.43 %; r4 has 5 % but low velocity
    assert active == [
        ("cnt_r4", 40, approx(40.0), "LOW", False),
        ("cnt_r1", 900, approx(450.0), "HIGH", True),
        ("cnt_r2", 1000, approx(100.0), "MEDIUM", False),
        ("cnt_r3", 1800, approx(100.0), "MEDIUM", False),
    ]
    assert r["activeContent"][1]["publishedAt"] == "2026-06-10T10:00:00+00:00"
    assert r["activeContent"][1]["currentEngagements"] == 45
    at14 = "2026-06-10T14:00:00+00:00"
    assert r["nextScheduled"] == [
        {"contentId": "cnt_s1", "scheduledFor": at14, "platform": "linkedin"},
        {"contentId": "cnt_s3", "scheduledFor": at14, "platform": "linkedin"},
    ]


async def test_realtime_empty_and_auth(gql, world, freeze_now):
    freeze_now(utc(2030, 1, 1))
    body = await gql(world.headers, REALTIME)
    r = body["data"]["realtime"]
    assert r["last24h"] == {"postsPublished": 0, "impressions": 0, "engagements": 0,
                            "engagementRate": None}  # fmt: skip
    assert r["activeContent"] == [] and r["nextScheduled"] == []
    body = await gql(None, REALTIME)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
