"""Agent platform REST routes (seed 002 at the paths of the seeds README): the requests as
documented, every documented field with its type and unit, values computed by hand in
conftest, and the errors in the `{"error": ..., "message": ...}` dialect."""

from __future__ import annotations

from datetime import datetime

import pytest

HIST = "/api/metrics/historical"
PERF = "/api/metrics/performance"
SUMMARY = "/api/metrics/summary"


def assert_error(r, status: int, error: str, *needles: str) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "message"}, body
    assert body["error"] == error
    assert isinstance(body["message"], str) and body["message"]
    for needle in needles:
        assert needle in body["message"], body
    assert "Traceback" not in r.text and "SELECT" not in r.text
    return body["message"]


def is_number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


async def test_platform_metrics(client, world):
    r = await client.get("/api/metrics", headers=world["headers"]["nova"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"metrics", "timestamp", "status"}
    assert body["status"] == "ok"
    assert datetime.fromisoformat(body["timestamp"]).tzinfo is not None
    m = body["metrics"]
    assert m["agents"] == {"total": 3, "active": 1, "inactive": 1, "failed": 1}
    assert m["messages"] == {"today": 2, "thisWeek": 3, "thisMonth": 4}
    assert m["deployments"] == {"total": 4, "successful": 3, "failed": 1}
    # org checks 3 of 4; agent checks pooled 2 of 3 -> 66.67 (2 decimals)
    assert m["uptime"] == {"platformUptime": 75.0, "averageAgentUptime": 66.67}
    # 100 + 200 + 300 + 400 ms over 4 requests, 1 error: rates are strings
    assert m["performance"] == {
        "averageResponseTime": 250.0,
        "successRate": "75.0%",
        "errorRate": "25.0%",
    }
    assert m["storage"] == {"used": 500, "total": 1000, "percentUsed": 50.0}
    for group in ("agents", "messages", "deployments", "uptime", "storage"):
        assert all(is_number(v) for v in m[group].values()), group
    assert is_number(m["performance"]["averageResponseTime"])


async def test_platform_metrics_with_an_api_token_and_no_data(client, factory):
    org = await factory.org()
    org.storage_total_mb = 0
    u = await factory.user(org, "lonely")
    headers = {"Authorization": f"Api-Token {await factory.token(u)}"}
    r = await client.get("/api/metrics", headers=headers)
    assert r.status_code == 200, r.text
    m = r.json()["metrics"]
    assert m["agents"] == {"total": 0, "active": 0, "inactive": 0, "failed": 0}
    # nothing to measure: null, never a made-up 0 % or 100 %
    assert m["performance"] == {
        "averageResponseTime": None,
        "successRate": None,
        "errorRate": None,
    }
    assert m["uptime"] == {"platformUptime": None, "averageAgentUptime": None}


async def test_historical_default_range_is_24h(client, world):
    r = await client.get(f"{HIST}/nova.artist", headers=world["headers"]["nova"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"userId", "timeRange", "metrics", "averages"}
    assert (body["userId"], body["timeRange"]) == ("nova.artist", "24h")
    points = body["metrics"]
    # 24 hourly points: 03-17 11:00 .. 03-18 10:00 (the current, partial hour)
    assert len(points) == 24
    for p in points:
        assert set(p) == {"timestamp", "cpu", "memory", "messages", "errors"}
        assert isinstance(datetime.fromisoformat(p["timestamp"]), datetime)
        assert isinstance(p["messages"], int) and isinstance(p["errors"], int)
        assert p["cpu"] is None or 0 <= p["cpu"] <= 100
    assert datetime.fromisoformat(points[0]["timestamp"]).isoformat() == (
        "2026-03-17T11:00:00+00:00"
    )
    # 03:00 one message; 09:00 cpu (40 + 20 + 60) / 3, memory 50; 10:00 a message, an
    # error and memory 30
    assert points[16]["messages"] == 1
    assert {k: points[22][k] for k in ("cpu", "memory", "messages", "errors")} == {
        "cpu": 40.0,
        "memory": 50.0,
        "messages": 0,
        "errors": 0,
    }
    # 10:00 has no cpu sample: the latest known value (09:00's 40) is answered
    assert {k: points[23][k] for k in ("cpu", "memory", "messages", "errors")} == {
        "cpu": 40.0,
        "memory": 30.0,
        "messages": 1,
        "errors": 1,
    }
    # nothing known before 09:00: null; averages over the points as answered
    assert [p["cpu"] for p in points[:22]] == [None] * 22
    # cpu (40 + 40) / 2; memory (50 + 30) / 2; 2 / 24 and 1 / 24
    assert body["averages"] == {"cpu": 40.0, "memory": 40.0, "messages": 0.08, "errors": 0.04}


async def test_historical_7d_by_integer_user_id(client, world):
    nova_id = world["nova"].id
    r = await client.get(f"{HIST}/{nova_id}?range=7d", headers=world["headers"]["nova"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["userId"], body["timeRange"]) == (str(nova_id), "7d")
    points = body["metrics"]
    assert [p["timestamp"][:10] for p in points] == [f"2026-03-{d}" for d in range(12, 19)]
    assert [p["messages"] for p in points] == [0, 0, 0, 0, 1, 0, 2]
    assert [p["errors"] for p in points] == [0] * 6 + [1]
    assert body["averages"]["messages"] == round(3 / 7, 2)
    r = await client.get(f"{HIST}/nova.artist?range=30d", headers=world["headers"]["boss"])
    assert r.status_code == 200, r.text
    assert len(r.json()["metrics"]) == 30


@pytest.mark.parametrize("value", ["1y", "D30", "", "24H", "7"])
async def test_historical_bad_range_is_400(client, world, value):
    r = await client.get(f"{HIST}/nova.artist?range={value}", headers=world["headers"]["nova"])
    assert_error(r, 400, "Failed to fetch historical metrics", "use one of 24h, 7d or 30d")


async def test_performance(client, world):
    r = await client.get(f"{PERF}/nova.artist", headers=world["headers"]["nova"])
    assert r.status_code == 200, r.text
    # last 60 minutes: cpu 60, memory 30; last 24 hours: 200, 300, 400 ms, 1 error / 3
    assert r.json() == {"cpu": 60.0, "memory": 30.0, "errorRate": 33.33, "responseTime": 300.0}
    assert all(is_number(v) for v in r.json().values())


async def test_summary(client, world):
    nova_id = world["nova"].id
    r = await client.get(f"{SUMMARY}/{nova_id}", headers=world["api_token"]["nova"])
    assert r.status_code == 200, r.text
    assert r.json() == {
        "revenue": {"month": "$1,234.56", "total": "$3,284.56", "change": "-38.3%"},
        "bookings": {"completed": 2, "pending": 1, "conversion": "50.0%"},
        "fans": {
            "total": 5,
            "active": 4,
            "growth": "+100.0%",
            "segmentation": {"superfans": 1, "casual": 1, "new": 2},
        },
        "streams": {"monthlyListeners": 4, "monthlyStreams": 14, "growth": "+600.0%"},
        "skills": {"active": 2, "total": 3, "growth": "0.0%"},
    }


@pytest.mark.parametrize(
    "path, error",
    [
        (HIST, "Failed to fetch historical metrics"),
        (PERF, "Failed to fetch performance data"),
        (SUMMARY, "Failed to fetch metrics summary"),
    ],
)
async def test_user_routes_access_and_errors(client, world, path, error):
    h = world["headers"]
    assert (await client.get(f"{path}/nova.artist", headers=h["boss"])).status_code == 200
    assert_error(
        await client.get(f"{path}/nova.artist", headers=h["carol"]),
        403,
        error,
        "Only nova.artist or an org admin",
    )
    for user in ("nobody", "999999999", "9" * 30, str(world["nova"].id)):
        who = "bob" if user == str(world["nova"].id) else "nova"  # bob: another org
        r = await client.get(f"{path}/{user}", headers=h[who])
        assert_error(r, 404, error, f"No user '{user}' in your org")
    assert_error(await client.get(f"{path}/nova.artist"), 401, error, "Authorization")
    r = await client.get(f"{path}/nova.artist", headers={"Authorization": "Bearer nope"})
    assert_error(r, 401, error)
    r = await client.get(f"{path}/{'x' * 151}", headers=h["nova"])
    assert_error(r, 400, error, "userId")
    r = await client.get(f"{path}/nova%00artist", headers=h["nova"])
    assert_error(r, 400, error, "userId: must not contain control characters")


async def test_platform_errors(client, world):
    assert_error(await client.get("/api/metrics"), 401, "Failed to fetch metrics")
    r = await client.get("/api/metrics", headers={"Authorization": "Basic abc"})
    assert_error(r, 401, "Failed to fetch metrics", "Bearer")
    r = await client.post("/api/metrics", headers=world["headers"]["nova"])
    assert_error(r, 405, "Failed to fetch metrics")
    r = await client.get("/api/metrics/unknown/7", headers=world["headers"]["nova"])
    assert_error(r, 404, "Not found")


async def test_a_server_fault_is_a_500_without_internals(client, world, monkeypatch):
    # fault injection (not a mock of the database): the service raises unexpectedly
    from gateway.agents import service

    async def broken(*args, **kwargs):
        raise RuntimeError("boom: secret internals")

    monkeypatch.setattr(service, "user_performance", broken)
    r = await client.get(f"{PERF}/nova.artist", headers=world["headers"]["nova"])
    message = assert_error(r, 500, "Failed to fetch performance data", "Internal error")
    assert "boom" not in message and "boom" not in r.text


def test_string_formats():
    from gateway.rest.apis.agent_platform import change, money, rate

    assert [money(x) for x in (0, 1234.5, 1234567.891, -12)] == [
        "$0.00",
        "$1,234.50",
        "$1,234,567.89",
        "-$12.00",
    ]
    assert [rate(x) for x in (97.25, 100, 0, None)] == ["97.2%", "100.0%", "0.0%", None]
    assert [change(x) for x in (12.46, -3, 0, -0.04, 0.04, None)] == [
        "+12.5%",
        "-3.0%",
        "0.0%",
        "0.0%",
        "0.0%",
        None,
    ]


async def test_missing_samples_are_the_latest_known_value(client, world, session, monkeypatch):
    """cpu / memory are numbers 0-100 whenever the user's agents ever reported one."""
    from gateway.ingest.writer import asyncpg_connection, write_events
    from gateway.metrics.loader import RequestClock
    from tests.rest.agent_platform.conftest import _ev, utc

    a1 = world["agents"]["a1"]
    old = [_ev(a1.org_id, "cpu", "agent", a1.id, utc(2026, 3, 17, 8, 5), 30.0)]
    await write_events(await asyncpg_connection(session), old)
    r = await client.get(f"{HIST}/nova.artist?range=24h", headers=world["headers"]["nova"])
    points = r.json()["metrics"]
    # 03-17 11:00 .. 03-18 08:00: the 08:05 sample before the window (30); 09:00 the
    # mean (40 + 20 + 60) / 3 = 40; 10:00 carries 40
    assert [p["cpu"] for p in points] == [30.0] * 22 + [40.0, 40.0]
    assert r.json()["averages"]["cpu"] == round((22 * 30 + 2 * 40) / 24, 2)  # 30.83

    # two hours later nothing was sampled in the last 60 minutes (11:30 .. 12:30)
    def later(self, ctx):
        self.now = utc(2026, 3, 18, 12, 30)

    monkeypatch.setattr(RequestClock, "__init__", later)
    r = await client.get(f"{PERF}/nova.artist", headers=world["headers"]["nova"])
    assert r.status_code == 200, r.text
    body = r.json()
    # cpu: the latest hour with samples is 09:00 (40 + 20 + 60) / 3; memory: 10:00's 30
    assert (body["cpu"], body["memory"]) == (40.0, 30.0)
    assert all(type(body[k]) is float and 0 <= body[k] <= 100 for k in ("cpu", "memory"))


async def test_month_to_date_is_compared_with_the_same_days_of_last_month(
    client, world, factory, session, monkeypatch
):
    """On 04-01 10:30 "this month" is 04-01 00:00 .. 10:30 and it is compared with
    03-01 00:00 .. 10:30, not with the whole of March."""
    from gateway.ingest.writer import asyncpg_connection, write_events
    from gateway.metrics.loader import RequestClock
    from gateway.models import Fan, Skill
    from tests.rest.agent_platform.conftest import _ev, utc

    nova = world["nova"]

    def revenue(ts, cents):
        return _ev(nova.org_id, "revenue", "user", nova.id, ts, cents, None, {"source": "shows"})

    await write_events(
        await asyncpg_connection(session),
        [
            revenue(utc(2026, 4, 1, 8), 5000),  # this month so far: $50.00
            revenue(utc(2026, 3, 1, 6), 2000),  # the same days of March: $20.00
            revenue(utc(2026, 3, 1, 12), 9999),  # March 1st, but after 10:30
        ],
    )
    for fan, first in ((2001, utc(2026, 4, 1, 9)), (2002, utc(2026, 3, 1, 5))):
        await factory.add(
            Fan(org_id=nova.org_id, artist_id=nova.id, fan_id=fan, first_seen_at=first)
        )
    for created in (utc(2026, 4, 1, 9), utc(2026, 3, 1, 2)):
        await factory.add(
            Skill(org_id=nova.org_id, owner_id=nova.id, name=f"s-{created:%m}", active=True,
                  created_at=created)
        )  # fmt: skip

    def april_first(self, ctx):
        self.now = utc(2026, 4, 1, 10, 30)

    monkeypatch.setattr(RequestClock, "__init__", april_first)
    r = await client.get(f"{SUMMARY}/nova.artist", headers=world["headers"]["nova"])
    assert r.status_code == 200, r.text
    body = r.json()
    # (50 - 20) / 20 = +150 % (the whole of March, 3,540.55 USD, would say -98.6 %)
    assert body["revenue"]["month"] == "$50.00"
    assert body["revenue"]["change"] == "+150.0%"
    # new fans 2001 vs 2002 (1002 and 1004, first seen 03-05 / 03-10, are later days)
    assert body["fans"]["growth"] == "0.0%"
    # skills created 1 vs 1 (the 03-05 skill is a later day of March)
    assert body["skills"]["growth"] == "0.0%"
