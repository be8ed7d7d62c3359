"""Bucket spines: local, DST-correct, ISO weeks, months, the cap."""

from datetime import date, timedelta

import pytest

from gateway.errors import InvalidInput
from gateway.metrics import Granularity, PeriodSpec, bucket_starts, resolve
from gateway.metrics.buckets import HOUR, aligned, offsets_multiple_of, utc_key

from .conftest import utc


def period(start, end, tz):
    return resolve(PeriodSpec(None, start, end, tz))


def test_spring_forward_day_has_23_hour_buckets():
    p = period(date(2026, 3, 29), date(2026, 3, 29), "Europe/Berlin")
    hours = bucket_starts(p, Granularity.HOUR)
    assert len(hours) == 23
    assert [h.hour for h in hours[:4]] == [0, 1, 3, 4]
    assert bucket_starts(p, Granularity.DAY) == [p.local_start]


def test_fall_back_day_has_25_hour_buckets():
    p = period(date(2026, 10, 25), date(2026, 10, 25), "Europe/Berlin")
    hours = bucket_starts(p, Granularity.HOUR)
    assert len(hours) == 25
    assert [h.isoformat() for h in hours[2:4]] == [
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:00:00+01:00",
    ]
    days = bucket_starts(period(date(2026, 10, 24), date(2026, 10, 26), "Europe/Berlin"), "DAY")
    assert [d.isoformat() for d in days] == [
        "2026-10-24T00:00:00+02:00",
        "2026-10-25T00:00:00+02:00",
        "2026-10-26T00:00:00+01:00",
    ]
    # Python subtracts same-zone datetimes by wall clock: compare in UTC
    assert utc_key(days[2]) - utc_key(days[1]) == timedelta(hours=25)


def test_weeks_start_monday_and_months_on_the_first():
    p = period(date(2026, 1, 1), date(2026, 2, 15), "UTC")  # Thursday .. Sunday
    weeks = bucket_starts(p, Granularity.WEEK)
    assert weeks[0].date() == date(2025, 12, 29) and weeks[0].weekday() == 0
    assert len(weeks) == 7
    months = bucket_starts(period(date(2025, 11, 15), date(2026, 2, 1), "UTC"), "MONTH")
    assert [m.date() for m in months] == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_half_hour_zone_buckets_are_not_hour_aligned():
    p = period(date(2026, 1, 1), date(2026, 1, 1), "Asia/Kolkata")
    hours = bucket_starts(p, Granularity.HOUR)
    assert len(hours) == 24 and hours[0].astimezone(utc(2026, 1, 1).tzinfo).minute == 30
    assert not aligned(hours, HOUR) and not offsets_multiple_of(p, HOUR)
    berlin = period(date(2026, 1, 1), date(2026, 12, 31), "Europe/Berlin")
    assert offsets_multiple_of(berlin, HOUR)
    assert aligned(bucket_starts(berlin, Granularity.DAY), HOUR)
    assert not aligned(bucket_starts(berlin, Granularity.DAY), timedelta(days=1))


def test_too_many_buckets_says_use_coarser_granularity():
    p = period(date(2025, 1, 1), date(2026, 1, 1), "UTC")
    with pytest.raises(InvalidInput, match="coarser granularity"):
        bucket_starts(p, Granularity.HOUR)
    assert len(bucket_starts(p, Granularity.DAY)) == 366
