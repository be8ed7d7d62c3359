"""Owner / co-creator metrics and public impact through GraphQL, with authorization.

Events on ai-research-studio (P):
  fixed, March 2026 (UTC):  views 5 (03-01 a1, 03-02 a2, 03-02 a3, 03-10 a1, 03-31 23h a2),
                            likes 3, bookmarks 2, shares 1, comments 4, appointments 2;
  just outside March:       a view 02-28 23:30 and a view 04-01 00:00;
  recent (within the last 30 days, actors 1001..1009):
                            plays 8 by [1,2,3,4,1,2,3,4], completions 6 by [1,2,3,4,1,2],
                            likes 2 by [5,6], bookmark 1 by [5], share 1 by [7],
                            comments 2 by [1,8], views 3 by [9,9,none];
  45 days ago:              plays 5 and completions 5 by 1010, likes 10 by 1011.
olga-studio has 4 views in March only; the other org's studio has recent plays.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.publications.conftest import error_codes, ev, utc

FORBIDDEN = "You are not an owner or co-creator of this publication."


@pytest.fixture
async def events(studio, write):
    org, p = studio.org.id, studio.pub.id
    rows = []
    march = [
        ("view", utc(2026, 3, 1, 10), 1),
        ("view", utc(2026, 3, 2, 11), 2),
        ("view", utc(2026, 3, 2, 12), 3),
        ("view", utc(2026, 3, 10, 9), 1),
        ("view", utc(2026, 3, 31, 23), 2),
        ("view", utc(2026, 2, 28, 23, 30), 1),
        ("view", utc(2026, 4, 1, 0), 1),
        *[("like", utc(2026, 3, 5, 8), a) for a in (1, 2, 3)],
        *[("bookmark", utc(2026, 3, 6, 8), a) for a in (1, 2)],
        ("share", utc(2026, 3, 7, 8), 1),
        *[("comment", utc(2026, 3, 8, 8), a) for a in (1, 1, 2, 3)],
        *[("appointment", utc(2026, 3, 9, 8), a) for a in (1, 2)],
    ]
    rows += [ev(org, t, p, ts, a) for t, ts, a in march]
    now = datetime.now(UTC)
    recent = now - timedelta(days=3, hours=1)
    r = [
        *[("play", a) for a in (1, 2, 3, 4, 1, 2, 3, 4)],
        *[("completion", a) for a in (1, 2, 3, 4, 1, 2)],
        ("like", 5),
        ("like", 6),
        ("bookmark", 5),
        ("share", 7),
        ("comment", 1),
        ("comment", 8),
        ("view", 9),
        ("view", 9),
        ("view", None),
    ]
    dims = {"experience_type": "QUEST"}
    rows += [
        ev(org, t, p, recent, 1000 + a if a else None, None if t == "view" else dims) for t, a in r
    ]
    old = now - timedelta(days=45)
    rows += [ev(org, "play", p, old, 1010, dims) for _ in range(5)]
    rows += [ev(org, "completion", p, old, 1010, dims) for _ in range(5)]
    rows += [ev(org, "like", p, old, 1011) for _ in range(10)]
    rows += [ev(org, "view", studio.other_pub.id, utc(2026, 3, 3), 1) for _ in range(4)]
    rows += [
        ev(studio.other_org.id, "play", studio.foreign_pub.id, recent, 1, dims) for _ in range(7)
    ]
    assert await write(rows) == len(rows)


OWNER_METRICS = """
query($url: String!) {
  publication(customUrl: $url) {
    id name customUrl createdAt allowBookings
    experienceCounts { aiExpert aiNote quest podcast total }
    march: engagement(period: {start: "2026-03-01", end: "2026-03-31"}) {
      period { startDate endDate preset }
      totalViews totalLikes totalBookmarks totalShares totalComments totalAppointments
    }
    allTime: engagement {
      period { preset }
      totalViews totalLikes totalBookmarks totalShares totalComments totalAppointments
    }
    monthlyActiveUsers followersCount followingCount generatedAt
    viewsChange: change(name: VIEWS, period: {start: "2026-03-01", end: "2026-03-31"}) {
      current previous change changePercent direction
    }
    daily: series(metric: VIEWS, period: {start: "2026-03-01", end: "2026-03-03"}) {
      values total
    }
  }
}
"""


@pytest.mark.parametrize("who", ["owner", "cocreator"])
async def test_owner_metrics(gql, studio, events, who):
    body = await gql(studio.headers[who], OWNER_METRICS, url="ai-research-studio")
    assert "errors" not in body, body
    p = body["data"]["publication"]
    assert p["experienceCounts"] == {
        "aiExpert": 2,
        "aiNote": 1,
        "quest": 3,
        "podcast": 0,
        "total": 6,
    }
    # March only: the 02-28 and 04-01 views are outside
    assert p["march"] == {
        "period": {"startDate": "2026-03-01", "endDate": "2026-03-31", "preset": None},
        "totalViews": 5,
        "totalLikes": 3,
        "totalBookmarks": 2,
        "totalShares": 1,
        "totalComments": 4,
        "totalAppointments": 2,
    }
    # all time: views 5 + 2 + 3 = 10, likes 3 + 2 + 10 = 15, bookmarks 2 + 1, shares 1 + 1,
    # comments 4 + 2, appointments 2
    assert p["allTime"] == {
        "period": {"preset": "ALL"},
        "totalViews": 10,
        "totalLikes": 15,
        "totalBookmarks": 3,
        "totalShares": 2,
        "totalComments": 6,
        "totalAppointments": 2,
    }
    # actors 1001..1009 in the last 30 days (1010/1011 are 45 days old)
    assert p["monthlyActiveUsers"] == 9
    assert (p["followersCount"], p["followingCount"]) == (2, 1)
    assert p["generatedAt"]
    # March (31 days) vs the 31 days before: the 02-28 23:30 view -> 5 vs 1
    assert p["viewsChange"] == {
        "current": 5.0,
        "previous": 1.0,
        "change": 4.0,
        "changePercent": 400.0,
        "direction": "UP",
    }
    assert p["daily"] == {"values": [1.0, 2.0, 0.0], "total": 3.0}


PUBLIC = """
query($url: String!) {
  publication(customUrl: $url) {
    publicImpact {
      timePeriodDays period { days preset } totalPlays likesCount savesCount sharesCount
      commentsCount completionsCount completionRate activeUsers influenceScore generatedAt
    }
  }
}
"""


@pytest.mark.parametrize("who", ["owner", "cocreator", "outsider"])
async def test_public_impact(gql, studio, events, who):
    body = await gql(studio.headers[who], PUBLIC, url="ai-research-studio")
    assert "errors" not in body, body
    pi = body["data"]["publication"]["publicImpact"]
    assert pi.pop("generatedAt")
    # last 30 days only: plays 8, completions 6 -> 75.00 %; likes 2, saves 1, shares 1,
    # comments 2; E = 8 + 2*2 + 3*1 + 3*2 + 4*1 = 25; reach = log10(26)/log10(10001)
    # = 1.4149733/4.0000434 = 0.3537395; finish = 0.875 -> 30.95 -> 31.0
    assert pi == {
        "timePeriodDays": 30,
        "period": {"days": 30, "preset": "LAST_30D"},
        "totalPlays": 8,
        "likesCount": 2,
        "savesCount": 1,
        "sharesCount": 1,
        "commentsCount": 2,
        "completionsCount": 6,
        "completionRate": 75.0,
        "activeUsers": 9,
        "influenceScore": 31.0,
    }


async def test_public_impact_without_plays(gql, studio, events):
    body = await gql(studio.headers["owner"], PUBLIC, url="olga-studio")
    pi = body["data"]["publication"]["publicImpact"]
    # olga-studio only has March views: nothing in the window
    assert (pi["totalPlays"], pi["completionRate"], pi["influenceScore"]) == (0, None, 0.0)
    assert pi["activeUsers"] == 0


async def test_outsider_is_forbidden_owner_metrics(gql, studio, events):
    q = """
    query {
      publication(customUrl: "ai-research-studio") {
        customUrl
        experienceCounts { total }
        engagement { totalViews }
        monthlyActiveUsers followersCount followingCount generatedAt
        metric(name: VIEWS)
        publicImpact { totalPlays }
      }
    }
    """
    body = await gql(studio.headers["outsider"], q)
    p = body["data"]["publication"]
    assert p["customUrl"] == "ai-research-studio"
    assert p["publicImpact"] == {"totalPlays": 8}
    restricted = [
        "experienceCounts",
        "engagement",
        "monthlyActiveUsers",
        "followersCount",
        "followingCount",
        "generatedAt",
        "metric",
    ]
    assert all(p[f] is None for f in restricted)
    assert sorted(e["path"][-1] for e in body["errors"]) == sorted(restricted)
    assert set(error_codes(body)) == {"FORBIDDEN"}
    assert {e["message"] for e in body["errors"]} == {FORBIDDEN}


async def test_other_org_cannot_see_it(gql, studio, events):
    body = await gql(studio.headers["stranger"], PUBLIC, url="ai-research-studio")
    assert body["data"] is None
    assert error_codes(body) == ["NOT_FOUND"]


async def test_engagement_bad_period(gql, studio):
    q = """{ publication(customUrl: "ai-research-studio") {
      engagement(period: {start: "2026-03-31", end: "2026-03-01"}) { totalViews } } }"""
    body = await gql(studio.headers["owner"], q)
    assert error_codes(body) == ["INVALID_INPUT"]
    assert "must be before its end" in body["errors"][0]["message"]
