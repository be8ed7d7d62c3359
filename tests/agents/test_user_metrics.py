"""`agentUserMetrics`: historical (24h / 7d / 30d buckets and averages), performance,
the music summary formulas, and who may read them. The request clock is frozen at
Wed 2026-03-18 10:30 UTC (see conftest)."""

from __future__ import annotations

import pytest

from resolvers.node import encode_id
from tests.agents.conftest import utc

HISTORY = """
query($user: String!, $range: String!) {
  agentUserMetrics(user: $user) {
    userId user { username }
    historical(range: $range) {
      userId timeRange granularity period { startDate endDate }
      points { timestamp cpu memory messages errors }
      averages { cpu memory messages errors }
    }
  }
}
"""

PERFORMANCE = """
query($user: String!) {
  agentUserMetrics(user: $user) {
    performance { cpu memory errorRate responseTime requests errors }
  }
}
"""

SUMMARY = """
query($user: String!) {
  agentUserMetrics(user: $user) {
    summary {
      revenue { month lastMonth lastMonthSameDays total change }
      bookings { completed pending inquiries cancelled total conversion }
      fans { total active newThisMonth newLastMonth growth
             segmentation { superfans casual new } }
      streams { monthlyListeners monthlyStreams previousListeners previousStreams
                growth listenersGrowth }
      skills { active total createdThisMonth createdLastMonth growth }
    }
  }
}
"""


@pytest.fixture
async def world(factory, events, music, session):
    org = await factory.org()
    alice = await factory.user(org, "alice")
    carol = await factory.user(org, "carol")
    boss = await factory.user(org, "boss", roles=("admin",))
    a1 = await factory.agent(alice, "a1")
    a2 = await factory.agent(alice, "a2")
    m1 = await factory.agent(alice, "m1", kind="mentor")
    c1 = await factory.agent(carol, "c1")
    other = await factory.org()
    bob = await factory.user(other, "bob")
    await factory.user(other, "alice")  # a namesake in another org

    # cpu / memory samples
    events.agent(a1, "cpu", utc(2026, 3, 17, 10, 59), 99)  # before the 24h window
    events.agent(a1, "cpu", utc(2026, 3, 17, 11, 5), 10)
    events.agent(a1, "cpu", utc(2026, 3, 18, 9, 10), 40)
    events.agent(a2, "cpu", utc(2026, 3, 18, 9, 20), 20)
    events.agent(a1, "cpu", utc(2026, 3, 18, 9, 50), 60)
    events.agent(c1, "cpu", utc(2026, 3, 18, 9, 15), 100)  # carol's agent
    events.agent(m1, "cpu", utc(2026, 3, 18, 9, 45), 100)  # a mentor, not a platform agent
    events.agent(a1, "memory", utc(2026, 3, 18, 9, 10), 50)
    events.agent(a2, "memory", utc(2026, 3, 18, 10, 0), 30)
    # messages and errors
    events.agent(a1, "message", utc(2026, 3, 11, 12))  # 30d only
    events.agent(a1, "message", utc(2026, 3, 12, 0, 30))  # 7d and 30d
    events.agent(a2, "message", utc(2026, 3, 17, 11, 30))
    events.agent(a1, "message", utc(2026, 3, 18, 9))
    events.agent(a2, "message", utc(2026, 3, 18, 9, 30))
    events.agent(a1, "message", utc(2026, 3, 18, 10, 15))
    events.agent(c1, "message", utc(2026, 3, 18, 10, 15))
    events.agent(a1, "error", utc(2026, 3, 17, 9))  # before the last 24 hours
    events.agent(a1, "error", utc(2026, 3, 18, 10, 20))
    # requests (ms)
    events.agent(a1, "request", utc(2026, 3, 17, 10), 500)  # before the last 24 hours
    events.agent(a1, "request", utc(2026, 3, 17, 12), 100)
    events.agent(a2, "request", utc(2026, 3, 18, 8), 200)
    events.agent(a1, "request", utc(2026, 3, 18, 10), 300)
    events.agent(a1, "request", utc(2026, 3, 18, 10, 10), 400)
    events.agent(c1, "request", utc(2026, 3, 18, 10, 10), 9000)

    # music: revenue (cents)
    for ts, cents in [
        (utc(2026, 1, 15), 5000),
        (utc(2026, 2, 3), 10000),
        (utc(2026, 2, 20), 5000),
        (utc(2026, 3, 5), 20000),
        (utc(2026, 3, 18, 11), 99900),  # after now
    ]:
        events.user(alice, "revenue", ts, cents, dims={"source": "bookings"})
    events.user(carol, "revenue", utc(2026, 3, 5), 777)
    # bookings
    for status in ["completed", "completed", "pending", "inquiry", "cancelled"]:
        await music.booking(alice, status)
    await music.booking(carol, "completed")
    # fans and streams
    for fan, first in [
        (1001, utc(2025, 12, 1)),
        (1002, utc(2026, 2, 10)),
        (1003, utc(2026, 3, 5)),
        (1004, utc(2026, 3, 10)),
        (1005, utc(2026, 2, 25)),
        (1007, utc(2026, 2, 12)),
    ]:
        await music.fan(alice, fan, first)

    def stream(fan, ts, n=1):
        for _ in range(n):
            events.user(alice, "stream", ts, actor=fan, dims={"platform": "spotify"})

    stream(1001, utc(2026, 3, 1, 12), 11)  # whole days: from the rollup
    stream(1001, utc(2026, 3, 18, 9))  # today: from raw events -> 12 streams
    stream(1002, utc(2026, 3, 3), 3)
    stream(1002, utc(2026, 2, 1))  # previous 30 days
    stream(1002, utc(2026, 2, 5))  # previous 30 days
    stream(1003, utc(2026, 3, 5))
    stream(1003, utc(2026, 3, 18, 11))  # after now
    stream(1005, utc(2026, 2, 25), 10)
    stream(1006, utc(2026, 3, 7), 2)  # not in the fans table
    events.add(carol.org_id, "stream", "user", carol.id, utc(2026, 3, 7), actor=1001)
    # skills
    await music.skill(alice, utc(2026, 3, 5))
    await music.skill(alice, utc(2026, 2, 10), active=False)
    await music.skill(alice, utc(2026, 2, 20))
    await music.skill(alice, utc(2025, 11, 1))
    await music.skill(carol, utc(2026, 3, 6))
    await events.flush()
    return {
        "alice_row": alice,
        "alice": await factory.token(alice),
        "carol": await factory.token(carol),
        "boss": await factory.token(boss),
        "bob": await factory.token(bob),
    }


async def test_historical_24h(gql, world):
    data = (await gql.data(HISTORY, world["alice"], user="alice", range="24h"))["agentUserMetrics"]
    assert data["userId"] == "alice" and data["user"] == {"username": "alice"}
    h = data["historical"]
    assert (h["userId"], h["timeRange"], h["granularity"]) == ("alice", "24h", "HOUR")
    points = h["points"]
    # 24 hourly points: 03-17 11:00 .. 03-18 10:00 (the current, partial hour)
    assert len(points) == 24
    assert points[0]["timestamp"] == "2026-03-17T11:00:00+00:00"
    assert points[-1]["timestamp"] == "2026-03-18T10:00:00+00:00"
    assert points[0] == {
        "timestamp": "2026-03-17T11:00:00+00:00",
        "cpu": 10.0,  # the 10:59 sample (99) is before the window
        "memory": None,
        "messages": 1,
        "errors": 0,
    }
    # 09:00 bucket: cpu (40 + 20 + 60) / 3 (carol's 100 and the mentor's 100 excluded)
    assert points[-2] == {
        "timestamp": "2026-03-18T09:00:00+00:00",
        "cpu": 40.0,
        "memory": 50.0,
        "messages": 2,
        "errors": 0,
    }
    assert points[-1] == {
        "timestamp": "2026-03-18T10:00:00+00:00",
        "cpu": 40.0,  # no sample in the hour: the latest known value
        "memory": 30.0,
        "messages": 1,
        "errors": 1,
    }
    # the hours between carry the 11:00 value forward; memory is unknown before 09:00
    assert all(p["messages"] == 0 and p["cpu"] == 10.0 for p in points[1:-2])
    assert all(p["memory"] is None for p in points[:-2])
    # averages over the points as answered: cpu 22 x 10 + 40 + 40, memory (50, 30)
    assert h["averages"] == {
        "cpu": pytest.approx((22 * 10 + 80) / 24),
        "memory": 40.0,
        "messages": pytest.approx(4 / 24),
        "errors": pytest.approx(1 / 24),
    }


async def test_historical_7d_and_30d(gql, world):
    h = (await gql.data(HISTORY, world["alice"], user="alice", range="7d"))["agentUserMetrics"][
        "historical"
    ]
    assert h["granularity"] == "DAY"
    assert h["period"] == {"startDate": "2026-03-12", "endDate": "2026-03-18"}
    points = h["points"]
    assert [p["timestamp"][:10] for p in points] == [f"2026-03-{d}" for d in range(12, 19)]
    assert [p["messages"] for p in points] == [1, 0, 0, 0, 0, 1, 3]
    assert [p["errors"] for p in points] == [0, 0, 0, 0, 0, 1, 1]
    # 03-17: cpu (99 + 10) / 2; 03-18: (40 + 20 + 60) / 3
    assert [p["cpu"] for p in points] == [None] * 5 + [54.5, 40.0]
    assert h["averages"] == {
        "cpu": pytest.approx((54.5 + 40) / 2),
        "memory": 40.0,
        "messages": pytest.approx(5 / 7),
        "errors": pytest.approx(2 / 7),
    }
    h = (await gql.data(HISTORY, world["alice"], user="alice", range="D30"))["agentUserMetrics"][
        "historical"
    ]
    assert h["timeRange"] == "30d"
    assert len(h["points"]) == 30
    assert h["points"][0]["timestamp"] == "2026-02-17T00:00:00+00:00"
    assert h["averages"]["messages"] == pytest.approx(6 / 30)
    assert h["averages"]["errors"] == pytest.approx(2 / 30)


async def test_bad_range_lists_the_valid_ones(gql, world):
    body = await gql(HISTORY, world["alice"], user="alice", range="1y")
    error = body["errors"][0]
    assert error["message"] == "Unknown range '1y': use one of 24h, 7d or 30d."
    assert error["extensions"]["code"] == "INVALID_INPUT"


async def test_performance(gql, world):
    data = await gql.data(PERFORMANCE, world["alice"], user="alice")
    # last 60 minutes (09:30-10:30): cpu sample 60 only; memory sample 30 only.
    # last 24 hours: requests 100, 200, 300, 400 -> 250 ms; 1 error / 4 requests -> 25 %
    assert data["agentUserMetrics"]["performance"] == {
        "cpu": 60.0,
        "memory": 30.0,
        "errorRate": 25.0,
        "responseTime": 250.0,
        "requests": 4,
        "errors": 1,
    }


async def test_music_summary(gql, world):
    s = (await gql.data(SUMMARY, world["alice"], user="alice"))["agentUserMetrics"]["summary"]
    # March 200 USD, February 100 + 50, all time + January 50; the 999 after now excluded.
    # Change against the same days of February (02-01 .. 02-18 10:30): 100 -> +100 %
    assert s["revenue"] == {
        "month": 200.0,
        "lastMonth": 150.0,
        "lastMonthSameDays": 100.0,
        "total": 400.0,
        "change": 100.0,
    }
    # 2 completed of 5 bookings (cancelled included) -> 40 %
    assert s["bookings"] == {
        "completed": 2,
        "pending": 1,
        "inquiries": 1,
        "cancelled": 1,
        "total": 5,
        "conversion": 40.0,
    }
    # window 02-17 .. now. Streams: 1001 12 (super), 1002 3 (casual: first seen 02-10),
    # 1003 1 (new), 1005 10 (super, though first seen in the window), 1006 2 (casual:
    # no fan row); 1004 first seen 03-10 without streams (new); 1007 inactive.
    # New this month: 1003, 1004; the same days of February (to 02-18 10:30): 1002, 1007
    # (1005, first seen 02-25, is later) -> (2 - 2) / 2
    assert s["fans"] == {
        "total": 6,
        "active": 5,
        "newThisMonth": 2,
        "newLastMonth": 2,
        "growth": 0.0,
        "segmentation": {"superfans": 2, "casual": 2, "new": 2},
    }
    # 12 + 3 + 1 + 10 + 2 = 28 streams by 5 listeners; previous 30 days: 2 by 1
    assert s["streams"] == {
        "monthlyListeners": 5,
        "monthlyStreams": 28,
        "previousListeners": 1,
        "previousStreams": 2,
        "growth": 1300.0,
        "listenersGrowth": 400.0,
    }
    # 4 skills, 3 active; created 1 in March vs 1 in the same days of February (02-10;
    # 02-20 is later) -> 0 %
    assert s["skills"] == {
        "active": 3,
        "total": 4,
        "createdThisMonth": 1,
        "createdLastMonth": 1,
        "growth": 0.0,
    }


async def test_access_self_admin_member_other_org(gql, world):
    alice_id = encode_id("User", world["alice_row"].org_id, world["alice_row"].id)
    for token, user in [("alice", "alice"), ("boss", "alice"), ("alice", alice_id)]:
        data = await gql.data(PERFORMANCE, world[token], user=user)
        assert data["agentUserMetrics"]["performance"]["requests"] == 4
    body = await gql(SUMMARY, world["carol"], user="alice")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["message"] == (
        "Only alice or an org admin may read alice's agent metrics."
    )
    # bob's org has its own "alice" (not bob, not admin: forbidden there); alice's id
    # and an unknown user are not found
    for user in [alice_id, "nobody"]:
        body = await gql(PERFORMANCE, world["bob"], user=user)
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await gql(PERFORMANCE, world["bob"], user="alice")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(PERFORMANCE, None, user="alice")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
