"""Fixtures for the agent platform REST routes: the request clock frozen at Wed
2026-03-18 10:30 UTC (this week from Mon 03-16, this month from 03-01, the 30-day window
2026-02-17 .. 2026-03-18, the last 24 hours from 03-17 10:30) and one org's agents,
events, bookings, fans and skills. Every number the tests assert is derived here.

Org (storage quota 1000 MB): nova.artist owns a1 (active, 300 MB) and a2 (inactive,
200 MB); boss (admin) owns a3 (failed, 0 MB); a mentor m1 (1000 MB) is not a platform
agent. carol is a plain member; bob is in another org.

  messages     a1 03-02 09:00, a2 03-16 01:00, a1 03-18 03:00, a2 03-18 10:00, m1 today
               -> today 2, this week 3, this month 4
  deployments  a1 successful x2 + failed, a2 successful -> 4 / 3 / 1
  uptime       org checks 1, 1, 0, 1 -> 75 %; agent checks a1 1, 1 and a2 0 -> 66.67 %
  requests     a1 03-10 08:00 100 ms, a1 03-18 09:00 200 ms, a2 03-18 10:00 300 ms,
               a1 03-18 10:10 400 ms; error a1 03-18 10:20
               -> platform (30 days): 250 ms, error 25.0 %, success 75.0 %
               -> nova's last 24 hours: 300 ms, error 100 / 3 = 33.33 %
  cpu          a1 09:10 40, a2 09:20 20, a1 09:50 60; m1 09:45 100 (a mentor)
  memory       a1 09:10 50, a2 10:00 30
               -> performance (last 60 min, 09:30..10:30): cpu 60, memory 30
  revenue      (cents) 01-15 5000, 02-10 200000, 03-05 123456, 03-18 11:00 (after now) 999
               -> month $1,234.56, total $3,284.56, change (1234.56 - 2000) / 2000 = -38.3 %
  bookings     completed x2, pending, cancelled -> conversion 2 / 4 = 50.0 %
  fans         1001 first seen 2025-12-01, 1002 03-05, 1003 02-10, 1004 03-10, 1005 01-05
  streams      in the window 1001 x10 (03-01), 1002 x1, 1004 x2, 1005 x1; before 1003 x2
               -> total 5, active 4, new this month 2 vs 1 last month -> +100.0 %;
               superfans 1 (1001), new 2 (1002, 1004), casual 1 (1005);
               14 streams by 4 listeners vs 2 streams -> +600.0 %
  skills       active 03-05, active 02-10, inactive 2025-11-01 -> 2 of 3; 1 vs 1 -> 0.0 %
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

import pytest

from gateway.ingest.writer import EventRow, asyncpg_connection, write_events
from gateway.metrics.loader import RequestClock
from gateway.models import Booking, Deployment, Fan, Skill

NOW = datetime(2026, 3, 18, 10, 30, tzinfo=UTC)
_seq = itertools.count(1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    def init(self, ctx):
        self.now = NOW

    monkeypatch.setattr(RequestClock, "__init__", init)
    return NOW


def _ev(org_id, type_, subject_type, subject_id, ts, value=1.0, actor=None, dims=None):
    return EventRow(
        org_id,
        f"rest-agp-{next(_seq)}",
        type_,
        subject_type,
        subject_id,
        ts,
        actor,
        value,
        json.dumps(dims or {}),
        "{}",
    )


@pytest.fixture
async def world(factory, session) -> dict:
    org = await factory.org()
    org.storage_total_mb = 1000
    nova = await factory.user(org, "nova.artist")
    carol = await factory.user(org, "carol")
    boss = await factory.user(org, "boss", roles=("admin",))
    a1 = await factory.agent(nova, "a1", status="active", storage_mb=300)
    a2 = await factory.agent(nova, "a2", status="inactive", storage_mb=200)
    await factory.agent(boss, "a3", status="failed", storage_mb=0)
    m1 = await factory.agent(nova, "m1", kind="mentor", status="active", storage_mb=1000)
    other = await factory.org()
    bob = await factory.user(other, "bob")

    def agent(a, type_, ts, value=1.0):
        return _ev(a.org_id, type_, "agent", a.id, ts, value)

    def user(type_, ts, value=1.0, actor=None, dims=None):
        return _ev(org.id, type_, "user", nova.id, ts, value, actor, dims)

    rows = [
        agent(a1, "message", utc(2026, 3, 2, 9)),
        agent(a2, "message", utc(2026, 3, 16, 1)),
        agent(a1, "message", utc(2026, 3, 18, 3)),
        agent(a2, "message", utc(2026, 3, 18, 10)),
        agent(m1, "message", utc(2026, 3, 18, 9)),
        *[
            _ev(org.id, "uptime", "org", org.id, utc(2026, 3, d, 12), v)
            for d, v in ((10, 1), (11, 1), (12, 0), (13, 1))
        ],
        agent(a1, "uptime", utc(2026, 3, 10, 12), 1),
        agent(a1, "uptime", utc(2026, 3, 11, 12), 1),
        agent(a2, "uptime", utc(2026, 3, 10, 12), 0),
        agent(a1, "request", utc(2026, 3, 10, 8), 100),
        agent(a1, "request", utc(2026, 3, 18, 9), 200),
        agent(a2, "request", utc(2026, 3, 18, 10), 300),
        agent(a1, "request", utc(2026, 3, 18, 10, 10), 400),
        agent(a1, "error", utc(2026, 3, 18, 10, 20)),
        agent(a1, "cpu", utc(2026, 3, 18, 9, 10), 40),
        agent(a2, "cpu", utc(2026, 3, 18, 9, 20), 20),
        agent(a1, "cpu", utc(2026, 3, 18, 9, 50), 60),
        agent(m1, "cpu", utc(2026, 3, 18, 9, 45), 100),
        agent(a1, "memory", utc(2026, 3, 18, 9, 10), 50),
        agent(a2, "memory", utc(2026, 3, 18, 10), 30),
        *[
            user("revenue", ts, cents, dims={"source": "bookings"})
            for ts, cents in (
                (utc(2026, 1, 15), 5000),
                (utc(2026, 2, 10), 200000),
                (utc(2026, 3, 5), 123456),
                (utc(2026, 3, 18, 11), 999),
            )
        ],
    ]
    streams = [
        (1001, utc(2026, 3, 1, 12), 10),
        (1002, utc(2026, 3, 6), 1),
        (1004, utc(2026, 3, 12), 2),
        (1005, utc(2026, 3, 2), 1),
        (1003, utc(2026, 2, 12), 2),
    ]
    for fan, ts, n in streams:
        rows += [user("stream", ts, actor=fan, dims={"platform": "spotify"}) for _ in range(n)]
    assert await write_events(await asyncpg_connection(session), rows) == len(rows)

    for a, status in ((a1, "successful"), (a1, "successful"), (a1, "failed"), (a2, "successful")):
        await factory.add(Deployment(org_id=org.id, agent_id=a.id, status=status))
    for status in ("completed", "completed", "pending", "cancelled"):
        await factory.add(Booking(org_id=org.id, artist_id=nova.id, status=status))
    for fan, first in (
        (1001, utc(2025, 12, 1)),
        (1002, utc(2026, 3, 5)),
        (1003, utc(2026, 2, 10)),
        (1004, utc(2026, 3, 10)),
        (1005, utc(2026, 1, 5)),
    ):
        await factory.add(Fan(org_id=org.id, artist_id=nova.id, fan_id=fan, first_seen_at=first))
    for created, active in (
        (utc(2026, 3, 5), True),
        (utc(2026, 2, 10), True),
        (utc(2025, 11, 1), False),
    ):
        await factory.add(
            Skill(
                org_id=org.id,
                owner_id=nova.id,
                name=f"skill-{next(_seq)}",
                active=active,
                created_at=created,
            )
        )
    tokens = {
        name: await factory.token(u)
        for name, u in (("nova", nova), ("carol", carol), ("boss", boss), ("bob", bob))
    }
    return {
        "nova": nova,
        "agents": {"a1": a1, "a2": a2, "m1": m1},
        "headers": {n: {"Authorization": f"Bearer {t}"} for n, t in tokens.items()},
        "api_token": {n: {"Authorization": f"Api-Token {t}"} for n, t in tokens.items()},
    }
