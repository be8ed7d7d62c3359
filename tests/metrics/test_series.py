"""series(): local DST-correct buckets, zero fill, totals, raw path for odd offsets."""

from datetime import date

import pytest

from gateway.metrics import Granularity, PeriodSpec, Scope, resolve, series

from .conftest import utc


def days(start, end, tz="UTC"):
    return resolve(PeriodSpec(None, start, end, tz))


async def one(rdb, org, metrics, period, g, ids=(1,)):
    got = await series(rdb, org.id, metrics, Scope(ids=list(ids)), period, g)
    return got[ids[0]]


async def test_midnight_in_berlin_is_the_next_day(events, rdb, org):
    await events.write(events.ev("view", 1, utc(2026, 1, 1, 23, 30)))
    berlin = await one(
        rdb,
        org,
        ["publication.views"],
        days(date(2026, 1, 1), date(2026, 1, 3), "Europe/Berlin"),
        "DAY",
    )
    assert berlin.values == {"publication.views": [0, 1, 0]}
    assert [b.isoformat() for b in berlin.buckets][1] == "2026-01-02T00:00:00+01:00"
    in_utc = await one(
        rdb, org, ["publication.views"], days(date(2026, 1, 1), date(2026, 1, 3)), "DAY"
    )
    assert in_utc.values == {"publication.views": [1, 0, 0]}
    assert in_utc.totals == {"publication.views": 1}


async def test_spring_forward_day(events, rdb, org):
    e = events.ev
    await events.write(
        e("view", 1, utc(2026, 3, 28, 23, 10)),  # 00:10 CET
        e("view", 1, utc(2026, 3, 29, 1, 30)),  # 03:30 CEST (02:00-03:00 does not exist)
        e("view", 1, utc(2026, 3, 29, 21, 59)),  # 23:59 CEST
        e("view", 1, utc(2026, 3, 29, 22, 0)),  # next local day
    )
    p = days(date(2026, 3, 29), date(2026, 3, 29), "Europe/Berlin")
    hourly = await one(rdb, org, ["publication.views"], p, Granularity.HOUR)
    assert len(hourly.buckets) == 23
    expected = [0] * 23
    expected[0] = expected[2] = expected[22] = 1
    assert hourly.values["publication.views"] == expected
    daily = await one(rdb, org, ["publication.views"], p, Granularity.DAY)
    assert daily.values["publication.views"] == [3]


async def test_fall_back_day(events, rdb, org):
    e = events.ev
    await events.write(
        e("view", 1, utc(2026, 10, 24, 21, 30)),  # 23:30 CEST on the 24th
        e("view", 1, utc(2026, 10, 24, 22, 5)),  # 00:05 CEST on the 25th
        e("view", 1, utc(2026, 10, 25, 0, 30)),  # 02:30 CEST (first 2 o'clock)
        e("view", 1, utc(2026, 10, 25, 1, 30)),  # 02:30 CET (second 2 o'clock)
        e("view", 1, utc(2026, 10, 25, 22, 30)),  # 23:30 CET on the 25th
    )
    p = days(date(2026, 10, 25), date(2026, 10, 25), "Europe/Berlin")
    hourly = await one(rdb, org, ["publication.views"], p, Granularity.HOUR)
    assert len(hourly.buckets) == 25
    v = hourly.values["publication.views"]
    assert (v[0], v[2], v[3], v[24], sum(v)) == (1, 1, 1, 1, 4)
    three = days(date(2026, 10, 24), date(2026, 10, 26), "Europe/Berlin")
    daily = await one(rdb, org, ["publication.views"], three, Granularity.DAY)
    assert daily.values["publication.views"] == [1, 4, 0]


async def test_week_and_month_buckets(events, rdb, org):
    e = events.ev
    await events.write(
        e("view", 1, utc(2026, 1, 1, 12)),  # Thursday, week of Mon Dec 29
        e("view", 1, utc(2026, 1, 4, 23, 30)),  # Sunday UTC, Monday 00:30 in Berlin
        e("view", 1, utc(2026, 1, 5)),  # Monday
        e("view", 1, utc(2026, 2, 15, 20)),
    )
    p = days(date(2026, 1, 1), date(2026, 2, 15))
    weekly = await one(rdb, org, ["publication.views"], p, Granularity.WEEK)
    assert [b.date() for b in weekly.buckets][:2] == [date(2025, 12, 29), date(2026, 1, 5)]
    assert weekly.values["publication.views"] == [2, 1, 0, 0, 0, 0, 1]
    berlin = days(date(2026, 1, 1), date(2026, 2, 15), "Europe/Berlin")
    weekly_berlin = await one(rdb, org, ["publication.views"], berlin, Granularity.WEEK)
    assert weekly_berlin.values["publication.views"] == [1, 2, 0, 0, 0, 0, 1]
    monthly = await one(rdb, org, ["publication.views"], p, Granularity.MONTH)
    assert monthly.values["publication.views"] == [3, 1]


async def test_ratio_avg_and_distinct_series(events, rdb, org):
    e = events.ev
    await events.write(
        e("play", 1, utc(2026, 1, 1, 9), actor=1),
        e("play", 1, utc(2026, 1, 1, 10), actor=2),
        e("completion", 1, utc(2026, 1, 1, 11), actor=1),
        e("view", 1, utc(2026, 1, 3, 11), actor=1),
    )
    m = ["publication.completion_rate", "publication.active_users", "publication.plays"]
    s = await one(rdb, org, m, days(date(2026, 1, 1), date(2026, 1, 3)), Granularity.DAY)
    assert s.values == {
        "publication.completion_rate": [50.0, None, None],  # None where no plays
        "publication.active_users": [2, 0, 1],
        "publication.plays": [2, 0, 0],
    }
    # distinct over the period, not the sum of the buckets
    assert s.totals == {
        "publication.completion_rate": 50.0,
        "publication.active_users": 2,
        "publication.plays": 2,
    }


async def test_distinct_per_local_day_in_berlin(events, rdb, org, sql_counter):
    e = events.ev
    await events.write(
        e("stream", 3, utc(2026, 1, 1, 22, 30), st="user", actor=1),  # Jan 1 23:30 local
        e("stream", 3, utc(2026, 1, 1, 23, 30), st="user", actor=1),  # Jan 2 00:30 local
        e("stream", 3, utc(2026, 1, 2, 10), st="user", actor=2),
    )
    p = days(date(2026, 1, 1), date(2026, 1, 2), "Europe/Berlin")
    sql_counter.reset()
    s = await one(rdb, org, ["user.listeners", "user.streams"], p, Granularity.DAY, ids=(3,))
    assert s.values == {"user.listeners": [1, 2], "user.streams": [1, 2]}
    assert s.totals == {"user.listeners": 2, "user.streams": 3}
    # UTC days of rollup_daily_actor cannot be split into Berlin days: raw events
    assert "rollup_daily_actor" not in sql_counter.statements[-1]
    in_utc = await one(
        rdb,
        org,
        ["user.listeners"],
        days(date(2026, 1, 1), date(2026, 1, 2)),
        Granularity.DAY,
        ids=(3,),
    )
    assert in_utc.values == {"user.listeners": [1, 1]}  # both of actor 1 on Jan 1 UTC
    assert "rollup_daily_actor" in sql_counter.statements[-1]


async def test_kolkata_reads_raw_events(events, rdb, org, sql_counter):
    e = events.ev
    await events.write(
        e("view", 1, utc(2025, 12, 31, 18, 15)),  # 23:45 IST Dec 31: before
        e("view", 1, utc(2025, 12, 31, 18, 45)),  # 00:15 IST Jan 1
        e("view", 1, utc(2026, 1, 1, 18, 15)),  # 23:45 IST Jan 1
        e("view", 1, utc(2026, 1, 1, 18, 40)),  # 00:10 IST Jan 2 (same UTC hour as above)
    )
    p = days(date(2026, 1, 1), date(2026, 1, 2), "Asia/Kolkata")
    sql_counter.reset()
    daily = await one(rdb, org, ["publication.views"], p, Granularity.DAY)
    assert daily.values == {"publication.views": [2, 1]}
    assert "rollup_hourly" not in sql_counter.statements[-1]
    hourly = await one(rdb, org, ["publication.views"], p, Granularity.HOUR)
    assert hourly.buckets[0].isoformat() == "2026-01-01T00:00:00+05:30"
    v = hourly.values["publication.views"]
    assert (len(v), v[0], v[23], v[24], sum(v)) == (48, 1, 1, 1, 3)


async def test_missing_subjects_are_zero_filled(rdb, org):
    p = days(date(2026, 1, 1), date(2026, 1, 2))
    got = await series(
        rdb,
        org.id,
        ["publication.views", "publication.completion_rate"],
        Scope(ids=[1, 2]),
        p,
        Granularity.DAY,
    )
    assert set(got) == {1, 2}
    assert got[2].values == {
        "publication.views": [0, 0],
        "publication.completion_rate": [None, None],
    }
    assert got[2].totals == {"publication.views": 0, "publication.completion_rate": None}


@pytest.mark.parametrize("g", list(Granularity))
async def test_org_wide_series_sums_to_total(events, rdb, org, g):
    e = events.ev
    await events.write(*[e("view", s, utc(2026, 1, 1 + s, s)) for s in range(1, 6)])
    p = days(date(2026, 1, 1), date(2026, 1, 10), "America/New_York")
    got = (await series(rdb, org.id, ["publication.views"], Scope(), p, g))[None]
    assert sum(got.values["publication.views"]) == got.totals["publication.views"] == 5
