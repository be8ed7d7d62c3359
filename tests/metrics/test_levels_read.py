"""Reads over the rollup levels equal aggregates of the raw events, computed here by
hand: in UTC (whole days from the daily level, edges from hourly and raw) and in a
timezone across a DST change (local days cut through UTC days: hourly level)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from gateway.context import RequestSession
from gateway.metrics import Granularity, PeriodSpec, Scope, resolve
from gateway.metrics.engine import series, totals

from .conftest import utc


@pytest.mark.parametrize("tz", ["UTC", "America/New_York"])
async def test_daily_series_equals_raw_events(session, org, events, sql_counter, tz):
    rng = random.Random(7)
    start = utc(2026, 3, 1)
    stamps = [start + timedelta(minutes=rng.randrange(0, 31 * 24 * 60)) for _ in range(400)]
    rows = [events.ev("view", 1 + i % 2, ts) for i, ts in enumerate(stamps)]
    await events.write(*rows)
    await events.write(*rows[:50])  # duplicates change nothing

    period = resolve(PeriodSpec(None, date(2026, 3, 3), date(2026, 3, 27), tz))
    zone = ZoneInfo(tz)
    local = [ts.astimezone(zone) for ts in stamps]
    inside = [
        (i, t) for i, t in enumerate(local) if date(2026, 3, 3) <= t.date() <= date(2026, 3, 27)
    ]
    want = Counter(t.date() for i, t in inside if i % 2 == 0)  # subject 1 = even indexes

    db = RequestSession(session)
    sql_counter.reset()
    got = (
        await series(db, org.id, ["publication.views"], Scope(ids=[1]), period, Granularity.DAY)
    )[1]
    days = [b.date() for b in got.buckets]
    assert dict(zip(days, got.values["publication.views"], strict=True)) == {
        d: want.get(d, 0) for d in days
    }
    assert got.totals["publication.views"] == sum(want.values())
    statement = sql_counter.statements[-1]
    if tz == "UTC":
        assert "FROM rollup_daily " in statement  # whole UTC days
    else:
        assert "FROM rollup_daily " not in statement and "FROM rollup_hourly " in statement

    both = await totals(db, org.id, ["publication.views"], Scope(ids=[1, 2], total=True), period)
    assert both[None]["publication.views"] == len(inside)
