"""Time buckets: the local bucket spine of a period (for zero fill) and the SQL that puts
a UTC timestamp into its local bucket.

* `bucket_starts(rp, g)` lists the local starts of every bucket that overlaps the period,
  as aware datetimes in the period's timezone. Buckets follow local calendar time: a day
  is local midnight .. next local midnight (23 or 25 hours on a DST-change day), weeks
  start on Monday (ISO), months on the 1st. The first and last buckets may be partial:
  only the part inside the period is counted. Python does wall-clock arithmetic on two
  datetimes of the same zone: convert with `utc_key()` before subtracting or using them
  as dict keys.
* `trunc_sql(column, g, tz_param)` is `date_trunc('<unit>', <column>, <tz_param>)`, the
  PostgreSQL >= 12 three-argument form that truncates in a timezone, DST-correct, and
  returns the bucket start as timestamptz. Rows from SQL are aligned to `bucket_starts`
  in Python (by UTC instant) and missing buckets are filled there.
* More than `MAX_BUCKETS` buckets is an InvalidInput that says to use a coarser
  granularity or a shorter period.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta

from gateway.errors import InvalidInput
from gateway.metrics.periods import ResolvedPeriod, local_midnight

MAX_BUCKETS = 5000
HOUR = timedelta(hours=1)


class Granularity(enum.Enum):
    HOUR = "HOUR"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


_UNIT = {
    Granularity.HOUR: "hour",
    Granularity.DAY: "day",
    Granularity.WEEK: "week",
    Granularity.MONTH: "month",
}
_APPROX = {
    Granularity.HOUR: HOUR,
    Granularity.DAY: timedelta(days=1),
    Granularity.WEEK: timedelta(days=7),
    Granularity.MONTH: timedelta(days=28),
}


def trunc_sql(column: str, g: Granularity, tz_param: str) -> str:
    """SQL truncating the timestamptz `column` to the start of its local `g` bucket."""
    return f"date_trunc('{_UNIT[g]}', {column}, {tz_param})"


def _check_count(rp: ResolvedPeriod, g: Granularity) -> None:
    if rp.duration / _APPROX[g] + 2 > MAX_BUCKETS:
        raise InvalidInput(
            f"This period has more than {MAX_BUCKETS} {g.value.lower()} buckets: use a "
            "coarser granularity (DAY, WEEK or MONTH) or a shorter period.",
            field="granularity",
        )


def _next_day_bucket(d: date, g: Granularity) -> date:
    if g is Granularity.DAY:
        return d + timedelta(days=1)
    if g is Granularity.WEEK:
        return d + timedelta(days=7)
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def bucket_starts(rp: ResolvedPeriod, g: Granularity) -> list[datetime]:
    """Local starts of the `g` buckets covering `rp` (empty for an empty period)."""
    g = Granularity(g)
    _check_count(rp, g)
    tz = rp.tz
    out: list[datetime] = []
    if rp.end <= rp.start:
        return out
    if g is Granularity.HOUR:
        # Truncating in local time keeps `fold`, so the repeated hour of a DST fall-back
        # and half-hour offsets (Asia/Kolkata) both come out right.
        b = rp.local_start.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        while b < rp.end:
            out.append(b.astimezone(tz))
            nxt = (b + HOUR).astimezone(tz).replace(minute=0, second=0, microsecond=0)
            b = max(nxt.astimezone(UTC), b + timedelta(minutes=1))
        return out
    d = rp.local_start_date
    if g is Granularity.WEEK:
        d -= timedelta(days=d.weekday())
    elif g is Granularity.MONTH:
        d = d.replace(day=1)
    while (b := local_midnight(d, tz)) < rp.end:
        out.append(b.astimezone(tz))
        d = _next_day_bucket(d, g)
    return out


def utc_key(dt: datetime) -> datetime:
    """The dict key used to align SQL rows to bucket starts (UTC avoids PEP 495's
    inter-zone comparison rules for ambiguous local times)."""
    return dt.astimezone(UTC)


def aligned(starts: list[datetime], step: timedelta) -> bool:
    """Whether every bucket boundary is a multiple of `step` (1 hour or 1 day) in UTC, i.e.
    whether rollups of that grain can be bucketed without splitting a rollup row."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return all((b.astimezone(UTC) - epoch) % step == timedelta(0) for b in starts)


def offsets_multiple_of(rp: ResolvedPeriod, step: timedelta) -> bool:
    """Whether the timezone's UTC offset is a multiple of `step` throughout the period
    (sampled every 15 days and at both ends, which catches DST and half-hour zones)."""
    tz = rp.tz
    t = rp.start
    while True:
        off = t.astimezone(tz).utcoffset() or timedelta(0)
        if off % step != timedelta(0):
            return False
        if t >= rp.end:
            return True
        t = min(t + timedelta(days=15), rp.end)
