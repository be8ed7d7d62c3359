"""Period resolution: presets against an injected `now`, custom ranges, errors."""

from datetime import UTC, date, datetime, timedelta

import pytest

from gateway.errors import InvalidInput
from gateway.metrics import PeriodSpec, Preset, ResolvedPeriod, resolve

from .conftest import utc

# Wednesday 2026-03-11 10:30 UTC = 11:30 in Berlin (CET, +1)
NOW = utc(2026, 3, 11, 10, 30)


def r(preset=None, start=None, end=None, tz="UTC", **kw) -> ResolvedPeriod:
    return resolve(PeriodSpec(preset, start, end, tz), now=NOW, **kw)


def test_presets_utc():
    assert r(Preset.LAST_24H) == ResolvedPeriod(
        utc(2026, 3, 10, 10, 30), NOW, "UTC", Preset.LAST_24H
    )
    assert r(Preset.TODAY).start == utc(2026, 3, 11)
    assert r(Preset.LAST_7D).start == utc(2026, 3, 5)  # 7 local days including today
    assert r(Preset.LAST_30D).start == utc(2026, 2, 10)
    assert r(Preset.LAST_90D).start == utc(2025, 12, 12)
    assert r(Preset.YTD).start == utc(2026, 1, 1)
    assert r(Preset.ALL).start == utc(2000, 1, 1)
    assert r(Preset.ALL, earliest=utc(2024, 5, 1)).start == utc(2024, 5, 1)
    assert all(r(p).end == NOW for p in Preset)
    assert r(Preset.LAST_7D).days == 7


def test_presets_in_a_timezone():
    p = r(Preset.TODAY, tz="Europe/Berlin")
    assert p.start == utc(2026, 3, 10, 23)  # local midnight, CET
    assert p.local_start.isoformat() == "2026-03-11T00:00:00+01:00"
    assert r(Preset.LAST_7D, tz="America/New_York").start == utc(2026, 3, 5, 5)
    assert r(Preset.YTD, tz="Asia/Kolkata").start == utc(2025, 12, 31, 18, 30)
    assert r(Preset.LAST_24H, tz="Asia/Kolkata").start == utc(2026, 3, 10, 10, 30)
    # the preset string value is accepted too
    assert r("LAST_7D").preset is Preset.LAST_7D


def test_custom_dates_are_local_days_with_inclusive_end():
    p = r(start=date(2026, 3, 1), end=date(2026, 3, 31), tz="Europe/Berlin")
    assert p.start == utc(2026, 2, 28, 23)
    assert p.end == utc(2026, 3, 31, 22)  # April 1 00:00 CEST (after the DST change)
    assert (p.local_start_date, p.local_end_date, p.days) == (
        date(2026, 3, 1),
        date(2026, 3, 31),
        31,
    )
    one_day = r(start=date(2026, 3, 29), end=date(2026, 3, 29), tz="Europe/Berlin")
    assert one_day.duration == timedelta(hours=23)


def test_custom_datetimes():
    p = r(start=datetime(2026, 1, 1, 8), end=utc(2026, 1, 1, 12), tz="Europe/Berlin")
    assert p.start == utc(2026, 1, 1, 7)  # naive = local wall time
    assert p.end == utc(2026, 1, 1, 12)  # aware = as given, exclusive


def test_previous_period_has_equal_length():
    p = r(start=date(2026, 2, 1), end=date(2026, 2, 28))
    prev = p.previous()
    assert (prev.start, prev.end) == (utc(2026, 1, 4), utc(2026, 2, 1))
    assert prev.duration == p.duration
    assert hash(p) == hash(r(start=date(2026, 2, 1), end=date(2026, 2, 28)))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"preset": Preset.LAST_7D, "start": date(2026, 1, 1)}, "not both"),
        ({"start": date(2026, 1, 1)}, "end is missing"),
        ({"end": date(2026, 1, 1)}, "start is missing"),
        ({"start": date(2026, 2, 1), "end": date(2026, 1, 1)}, "must be before"),
        ({"start": date(2010, 1, 1), "end": date(2026, 1, 1)}, "at most 10 years"),
        ({"preset": Preset.LAST_7D, "tz": "Mars/Olympus"}, "Europe/Berlin"),
        ({"preset": Preset.LAST_7D, "tz": "../etc/passwd"}, "IANA"),
        ({"preset": "LAST_WEEK"}, "LAST_7D"),
        ({}, "preset"),
    ],
)
def test_errors_are_actionable(kwargs, message):
    with pytest.raises(InvalidInput) as exc:
        r(**kwargs)
    assert message in exc.value.message


def test_default_now_is_current_time():
    p = resolve(PeriodSpec(Preset.LAST_24H))
    assert abs((datetime.now(UTC) - p.end).total_seconds()) < 60
