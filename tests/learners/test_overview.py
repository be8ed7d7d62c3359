"""Overview KPIs, users, topics, heatmap and ratings, hand-counted from the conftest world
(period = March 2026, previous period = the 31 days before: 2026-01-29 .. 02-28)."""

from __future__ import annotations

from gateway.ingest.writer import asyncpg_connection, write_events
from tests.learners.conftest import MARCH, ev, utc

KPIS = """
query($mentor: String, $groups: [ID!], $period: PeriodInput) {
  learnerAnalytics(mentor: $mentor, userGroupIds: $groups, period: $period) {
    period { startDate endDate }
    mentor { key name }
    messages { current previous change changePercent direction }
    topics { current previous }
    conversations { current previous }
    registeredUsers { current previous }
    activeUsers { current previous }
    headline { conversations messages users averageMessagesPerConversation averageRating }
  }
}"""


async def test_org_wide_kpis(gql):
    a = (await gql.data(KPIS, period=MARCH))["learnerAnalytics"]
    assert a["period"] == {"startDate": "2026-03-01", "endDate": "2026-03-31"}
    assert a["mentor"] is None
    # messages s1 2 + s2 2 + s3 3 + s4 1 = 8 (bot's 5 excluded); previous: s0's 1
    assert a["messages"] == {
        "current": 8, "previous": 1, "change": 7, "changePercent": 700.0, "direction": "UP",
    }  # fmt: skip
    assert a["topics"] == {"current": 3, "previous": 1}  # math, science, history | math
    assert a["conversations"] == {"current": 4, "previous": 1}
    # created before 04-01: admin, alice, bob, carol; before 03-01: admin, alice, bob
    assert a["registeredUsers"] == {"current": 4, "previous": 3}
    assert a["activeUsers"] == {"current": 3, "previous": 1}
    # ratings 5, 3, 4 -> 4.0; 8 messages / 4 conversations = 2.0
    assert a["headline"] == {
        "conversations": 4, "messages": 8, "users": 3,
        "averageMessagesPerConversation": 2.0, "averageRating": 4.0,
    }  # fmt: skip


async def test_mentor_scope_vs_org_wide(gql):
    a = (await gql.data(KPIS, mentor="mentor-ai-tutor", period=MARCH))["learnerAnalytics"]
    assert a["mentor"] == {"key": "mentor-ai-tutor", "name": "AI Tutor"}
    assert a["messages"]["current"] == 7  # s1 2 + s2 2 + s3 3
    assert a["topics"] == {"current": 2, "previous": 1}  # math, science | math
    assert a["conversations"] == {"current": 3, "previous": 1}
    # first m1 session: alice 02-20, bob 03-03
    assert a["registeredUsers"] == {"current": 2, "previous": 1}
    assert a["activeUsers"]["current"] == 2
    assert a["headline"]["averageRating"] == 4.0  # (5 + 3) / 2


async def test_user_group_narrowing(gql, world):
    g = [str(world.group.id)]
    a = (await gql.data(KPIS, groups=g, period=MARCH))["learnerAnalytics"]
    # G1 = alice, carol: messages 2 + 2 + 1, sessions s1 s2 s4, topics math, history
    assert a["messages"]["current"] == 5
    assert a["conversations"]["current"] == 3
    assert a["topics"] == {"current": 2, "previous": 1}
    assert a["registeredUsers"] == {"current": 2, "previous": 1}  # carol created 03-10
    b = await gql.data(KPIS, groups=g, mentor="mentor-ai-tutor", period=MARCH)
    b = b["learnerAnalytics"]
    assert b["messages"]["current"] == 4 and b["conversations"]["current"] == 2
    assert b["topics"]["current"] == 1


async def test_active_now_and_last_30d_are_zero_for_old_events(gql):
    q = "{ learnerAnalytics { activeUsersLast30d currentlyActive } }"
    a = (await gql.data(q))["learnerAnalytics"]
    assert a == {"activeUsersLast30d": 0, "currentlyActive": 0}


SERIES_TOPICS = """
query($period: PeriodInput) {
  learnerAnalytics(period: $period) {
    sessionsOverTime { granularity total values buckets }
    topicDetails(limit: 2) { topic messages sessions }
    bySessions: topicDetails(orderBy: SESSIONS) { topic messages sessions }
    ratings { average count distribution { rating count } }
  }
}"""


async def test_sessions_series_topics_and_ratings(gql):
    a = (await gql.data(SERIES_TOPICS, period=MARCH))["learnerAnalytics"]
    s = a["sessionsOverTime"]
    assert s["granularity"] == "DAY" and s["total"] == 4 and len(s["values"]) == 31
    assert {i: v for i, v in enumerate(s["values"]) if v} == {1: 1, 2: 1, 3: 1, 8: 1}
    assert s["buckets"][0].startswith("2026-03-01T00:00:00")
    assert a["topicDetails"] == [
        {"topic": "math", "messages": 4, "sessions": 2},
        {"topic": "science", "messages": 3, "sessions": 1},
    ]
    # sessions 2, 1, 1: ties (history, science) by topic name
    assert [t["topic"] for t in a["bySessions"]] == ["math", "history", "science"]
    assert a["ratings"] == {
        "average": 4.0,
        "count": 3,
        "distribution": [
            {"rating": r, "count": n} for r, n in ((1, 0), (2, 0), (3, 1), (4, 1), (5, 1))
        ],
    }


HEATMAP = """
query($period: PeriodInput, $groups: [ID!]) {
  learnerAnalytics(period: $period, userGroupIds: $groups) {
    accessHeatmap { timezone total matrix cells { dayOfWeek hour messages } }
  }
}"""


def _nonzero(matrix):
    return {(d + 1, h): v for d, row in enumerate(matrix) for h, v in enumerate(row) if v}


async def test_heatmap_in_new_york_across_dst(gql, world):
    period = {**MARCH, "timezone": "America/New_York"}
    h = (await gql.data(HEATMAP, period=period))["learnerAnalytics"]["accessHeatmap"]
    assert h["timezone"] == "America/New_York" and h["total"] == 8
    assert len(h["matrix"]) == 7 and all(len(r) == 24 for r in h["matrix"])
    assert len(h["cells"]) == 168
    # 03-02 10:00Z Mon = 05:00 EST (x2); 03-09 10:30Z Mon = 06:30 EDT (DST began 03-08) (x2);
    # 03-03 14:00Z Tue = 09:00 EST (x3); 03-04 09:00Z Wed = 04:00 EST (x1)
    assert _nonzero(h["matrix"]) == {(1, 5): 2, (1, 6): 2, (2, 9): 3, (3, 4): 1}


async def test_heatmap_half_hour_zone_and_group(gql, world):
    period = {**MARCH, "timezone": "Asia/Kolkata"}
    h = (await gql.data(HEATMAP, period=period))["learnerAnalytics"]["accessHeatmap"]
    # +05:30: 15:30 Mon (x2), 16:00 Mon (x2), 19:30 Tue (x3), 14:30 Wed (x1)
    assert _nonzero(h["matrix"]) == {(1, 15): 2, (1, 16): 2, (2, 19): 3, (3, 14): 1}
    g = [str(world.group.id)]
    h = (await gql.data(HEATMAP, period=period, groups=g))["learnerAnalytics"]["accessHeatmap"]
    assert _nonzero(h["matrix"]) == {(1, 15): 2, (1, 16): 2, (3, 14): 1}  # alice, carol


USERS = """
query($search: String, $first: Int, $after: String, $order: LearnerUserOrder!,
      $offset: Int) {
  learnerAnalytics(period: {start: "2026-03-01", end: "2026-03-31"}) {
    users(search: $search, first: $first, after: $after, orderBy: $order, offset: $offset) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { username name email messages sessions costCents lastActive user { username } }
    }
  }
}"""


async def test_user_table(gql):
    u = (await gql.data(USERS, order="MESSAGES"))["learnerAnalytics"]["users"]
    assert u["totalCount"] == 3
    rows = [(n["username"], n["messages"], n["sessions"], n["costCents"]) for n in u["nodes"]]
    assert rows == [("alice", 4, 2, 100.0), ("bob", 3, 1, 50.0), ("carol", 1, 1, 30.0)]
    alice = u["nodes"][0]
    assert alice["name"] == "Alice" and alice["email"] == "alice@example.com"
    assert alice["lastActive"].startswith("2026-03-09T10:35")  # end of s2
    assert alice["user"] == {"username": "alice"}
    page = (await gql.data(USERS, order="MESSAGES", first=1))["learnerAnalytics"]["users"]
    assert [n["username"] for n in page["nodes"]] == ["alice"]
    assert page["pageInfo"]["hasNextPage"] and page["totalCount"] == 3
    nxt = await gql.data(USERS, order="MESSAGES", first=1, after=page["pageInfo"]["endCursor"])
    assert [n["username"] for n in nxt["learnerAnalytics"]["users"]["nodes"]] == ["bob"]
    legacy = await gql.data(USERS, order="MESSAGES", first=1, offset=2)  # page 3 of size 1
    assert [n["username"] for n in legacy["learnerAnalytics"]["users"]["nodes"]] == ["carol"]
    found = (await gql.data(USERS, order="USERNAME", search="CAR"))["learnerAnalytics"]["users"]
    assert found["totalCount"] == 1 and found["nodes"][0]["username"] == "carol"
    by_mail = (await gql.data(USERS, order="USERNAME", search="bob@ex"))["learnerAnalytics"]
    assert [n["username"] for n in by_mail["users"]["nodes"]] == ["bob"]


async def test_heatmap_counts_the_partial_utc_days_at_the_period_edges(gql, world, session):
    """In New York, March is 05:00Z on 03-01 to 04:00Z on 04-01: the hours of those two
    UTC days outside it are left out, the ones inside counted (the hours of a UTC day
    are summed before they are cut to the period)."""
    m1, bot, alice = world.mentors["m1"], world.mentors["bot"], world.users["alice"].id
    org = world.org.id
    await write_events(
        await asyncpg_connection(session),
        [
            ev(org, "message", "agent", m1.id, utc(2026, 3, 1, 4, 30), alice),  # 02-28 EST
            ev(org, "message", "agent", m1.id, utc(2026, 3, 1, 5, 10), alice),  # Sun 00:10
            ev(org, "message", "agent", bot.id, utc(2026, 3, 1, 6), alice),  # not a mentor
            ev(org, "message", "agent", m1.id, utc(2026, 4, 1, 3, 30), alice),  # Tue 23:30
            ev(org, "message", "agent", m1.id, utc(2026, 4, 1, 4, 30), alice),  # 04-01 EDT
        ],
    )
    period = {**MARCH, "timezone": "America/New_York"}
    h = (await gql.data(HEATMAP, period=period))["learnerAnalytics"]["accessHeatmap"]
    assert h["total"] == 10
    assert _nonzero(h["matrix"]) == {
        (1, 5): 2, (1, 6): 2, (2, 9): 3, (3, 4): 1, (7, 0): 1, (2, 23): 1
    }  # fmt: skip
