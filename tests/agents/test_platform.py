"""`agentPlatform`: the platform metrics of seed 002, computed by hand from known rows and
events (the request clock is frozen at Wed 2026-03-18 10:30 UTC, see conftest)."""

from __future__ import annotations

import pytest

from tests.agents.conftest import utc

QUERY = """
query($kind: AgentKind, $tz: String! = "UTC", $period: PeriodInput) {
  agentPlatform(kind: $kind, timezone: $tz, period: $period) {
    kind timezone period { startDate endDate }
    agents { total active inactive failed }
    messages { today thisWeek thisMonth }
    deployments { total successful failed }
    uptime { platformUptime averageAgentUptime }
    performance { averageResponseTime successRate errorRate requests errors }
    storage { used total percentUsed }
  }
}
"""


@pytest.fixture
async def world(factory, events, music, session):
    org = await factory.org()
    org.storage_total_mb = 1000
    alice = await factory.user(org, "alice")
    admin = await factory.user(org, "boss", roles=("admin",))
    a1 = await factory.agent(alice, "a1", status="active", storage_mb=300)
    a2 = await factory.agent(alice, "a2", status="inactive", storage_mb=200)
    await factory.agent(admin, "a3", status="failed", storage_mb=0)
    m1 = await factory.agent(alice, "m1", kind="mentor", status="active", storage_mb=1000)
    other = await factory.org()
    bob = await factory.user(other, "bob")
    b1 = await factory.agent(bob, "b1")
    await session.flush()

    # messages
    events.agent(a1, "message", utc(2026, 2, 28, 12))  # last month
    events.agent(a1, "message", utc(2026, 3, 2, 9))  # this month
    events.agent(a2, "message", utc(2026, 3, 16, 1))  # this week (UTC)
    events.agent(a1, "message", utc(2026, 3, 17, 23, 30))  # this week
    events.agent(a1, "message", utc(2026, 3, 18, 3))  # today (UTC), yesterday in New York
    events.agent(a2, "message", utc(2026, 3, 18, 10))  # today
    events.agent(m1, "message", utc(2026, 3, 18, 9))  # a mentor: only with kind: null
    events.agent(b1, "message", utc(2026, 3, 18, 9))  # another org: never
    # deployments: platform 3 successful + 1 failed; the mentor's failed one only for null
    for agent, status in [(a1, "successful"), (a1, "successful"), (a1, "failed")]:
        await music.deployment(agent, status)
    await music.deployment(a2, "successful")
    await music.deployment(m1, "failed")
    await music.deployment(b1, "failed")
    # uptime checks
    for day, v in [(10, 1), (11, 1), (12, 0), (13, 1)]:
        events.add(org.id, "uptime", "org", org.id, utc(2026, 3, day, 12), v)
    events.add(org.id, "uptime", "org", org.id, utc(2026, 2, 10, 12), 0)  # before the period
    events.add(other.id, "uptime", "org", other.id, utc(2026, 3, 10, 12), 0)
    for day, v in [(10, 1), (11, 1)]:
        events.agent(a1, "uptime", utc(2026, 3, day, 12), v)
    for day, v in [(10, 0), (11, 1), (12, 1), (13, 1)]:
        events.agent(a2, "uptime", utc(2026, 3, day, 12), v)
    events.agent(m1, "uptime", utc(2026, 3, 10, 12), 0)
    # requests (value = ms) and errors
    events.agent(a1, "request", utc(2026, 3, 10, 8), 100)
    events.agent(a1, "request", utc(2026, 3, 10, 9), 200)
    events.agent(a2, "request", utc(2026, 3, 11, 9), 300)
    events.agent(a2, "error", utc(2026, 3, 11, 9))
    events.agent(m1, "request", utc(2026, 3, 11, 9), 1000)
    await events.flush()
    return {
        "alice": await factory.token(alice),
        "admin": await factory.token(admin),
        "bob": await factory.token(bob),
    }


async def test_platform_metrics_by_hand(gql, world):
    data = (await gql.data(QUERY, world["alice"]))["agentPlatform"]
    assert data["kind"] == "PLATFORM"
    # LAST_30D at 2026-03-18: 2026-02-17 .. 2026-03-18
    assert data["period"] == {"startDate": "2026-02-17", "endDate": "2026-03-18"}
    # a1 active, a2 inactive, a3 failed (m1 is a mentor)
    assert data["agents"] == {"total": 3, "active": 1, "inactive": 1, "failed": 1}
    # today: 03:00 + 10:00; week (since Mon 03-16): + 03-16 01:00 + 03-17 23:30; month: + 03-02
    assert data["messages"] == {"today": 2, "thisWeek": 4, "thisMonth": 5}
    assert data["deployments"] == {"total": 4, "successful": 3, "failed": 1}
    # org checks 1,1,0,1 -> 75 %; agent checks pooled: a1 1,1 + a2 0,1,1,1 = 5/6
    assert data["uptime"]["platformUptime"] == pytest.approx(75.0)
    assert data["uptime"]["averageAgentUptime"] == pytest.approx(500 / 6)
    # requests 100, 200, 300 -> 200 ms; 1 error / 3 requests
    perf = data["performance"]
    assert perf["averageResponseTime"] == pytest.approx(200.0)
    assert perf["errorRate"] == pytest.approx(100 / 3)
    assert perf["successRate"] == pytest.approx(200 / 3)
    assert (perf["requests"], perf["errors"]) == (3, 1)
    # 300 + 200 + 0 MB of 1000 MB
    assert data["storage"] == {"used": 500, "total": 1000, "percentUsed": 50.0}


async def test_all_kinds(gql, world):
    data = (await gql.data(QUERY, world["admin"], kind=None))["agentPlatform"]
    assert data["kind"] is None
    assert data["agents"] == {"total": 4, "active": 2, "inactive": 1, "failed": 1}
    assert data["messages"] == {"today": 3, "thisWeek": 5, "thisMonth": 6}
    assert data["deployments"] == {"total": 5, "successful": 3, "failed": 2}
    # + the mentor's check 0: 5/7; + its 1000 ms request: 1600 / 4
    assert data["uptime"]["averageAgentUptime"] == pytest.approx(500 / 7)
    assert data["performance"]["averageResponseTime"] == pytest.approx(400.0)
    assert data["storage"] == {"used": 1500, "total": 1000, "percentUsed": 150.0}


async def test_calendar_windows_follow_the_timezone(gql, world):
    # New York (EDT, UTC-4): now = 03-18 06:30; today from 04:00 UTC -> only 10:00;
    # week from Mon 03-16 04:00 UTC -> 03-17 23:30, 03-18 03:00, 03-18 10:00;
    # month from 03-01 05:00 UTC (EST) -> + 03-02 and 03-16 01:00
    data = await gql.data(QUERY, world["alice"], tz="America/New_York")
    assert data["agentPlatform"]["messages"] == {"today": 1, "thisWeek": 3, "thisMonth": 5}


async def test_custom_period_for_uptime_and_performance(gql, world):
    period = {"start": "2026-03-11", "end": "2026-03-11"}
    data = (await gql.data(QUERY, world["alice"], period=period))["agentPlatform"]
    assert data["period"] == {"startDate": "2026-03-11", "endDate": "2026-03-11"}
    # 03-11: org check 1; agent checks a1 1, a2 1; a2 request 300 ms with 1 error
    assert data["uptime"] == {"platformUptime": 100.0, "averageAgentUptime": 100.0}
    perf = data["performance"]
    assert (perf["averageResponseTime"], perf["errorRate"], perf["successRate"]) == (
        300.0,
        100.0,
        0.0,
    )


async def test_other_org_sees_only_its_own(gql, world):
    data = (await gql.data(QUERY, world["bob"]))["agentPlatform"]
    assert data["agents"] == {"total": 1, "active": 1, "inactive": 0, "failed": 0}
    assert data["messages"] == {"today": 1, "thisWeek": 1, "thisMonth": 1}
    assert data["deployments"] == {"total": 1, "successful": 0, "failed": 1}
    assert data["uptime"] == {"platformUptime": 0.0, "averageAgentUptime": None}
    assert data["performance"]["successRate"] is None  # no requests: nothing to divide


async def test_requires_authentication_and_a_valid_timezone(gql, world):
    body = await gql(QUERY, None)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await gql(QUERY, world["alice"], tz="Mars/Olympus")
    assert "Unknown timezone 'Mars/Olympus'" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_statement_count_is_fixed(gql, world, sql_counter):
    sql_counter.reset()
    await gql.data(QUERY, world["alice"])
    # auth (token lookup + last_used) aside: counts+storage, org, deployments,
    # messages series, agent totals, org uptime
    first = sql_counter.count
    assert first <= 2 + 6
    sql_counter.reset()
    await gql.data(QUERY, world["alice"], kind=None)
    assert sql_counter.count == first
