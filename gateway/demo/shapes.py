"""Shapes of the demo data: the timeline, seasonality, long tails and trends.

Everything is a pure function of an RNG and the timeline, so the same seed and the same
anchor give the same numbers. Daily rates are precomputed per entity; events are then
placed inside a day with a cumulative hour-of-day table (no per-event heavy work).
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

DAYS = 400
"""The dataset spans the DAYS days before the anchor's date, plus the anchor's day up to
the anchor's hour."""

# Weekday factors, Monday first: work tools peak on Tuesday, leisure on the weekend.
WORK_WEEK = (1.0, 1.3, 1.15, 1.05, 0.85, 0.45, 0.4)
LEISURE_WEEK = (0.85, 0.8, 0.85, 0.95, 1.15, 1.35, 1.2)
FLAT_WEEK = (1.0,) * 7

# Hour-of-day weights (UTC): office hours peaking at 9-11 and 14-15; evenings for leisure.
_WORK_HOURS = (
    (1, 1, 1, 1, 1, 2, 4, 7, 10, 13, 12, 10),
    (9, 11, 14, 13, 10, 8, 6, 5, 4, 3, 2, 1),
)
_EVENING_HOURS = (
    (3, 2, 1, 1, 1, 1, 2, 3, 4, 5, 5, 6),
    (6, 6, 6, 7, 8, 9, 11, 13, 14, 13, 10, 6),
)
WORK_HOURS = tuple(accumulate(_WORK_HOURS[0] + _WORK_HOURS[1]))
EVENING_HOURS = tuple(accumulate(_EVENING_HOURS[0] + _EVENING_HOURS[1]))
FLAT_HOURS = tuple(accumulate((1,) * 24))


class Timeline:
    """Day `d` (0..DAYS) starts at `day_epoch(d)`; day DAYS is the anchor's own day.
    Events at or after the anchor are dropped (the anchor is "now")."""

    def __init__(self, anchor: datetime) -> None:
        if anchor.tzinfo is None:
            raise ValueError("the demo anchor must be timezone-aware")
        self.anchor = anchor.astimezone(UTC)
        self.cutoff = int(self.anchor.timestamp())
        midnight = self.anchor.replace(hour=0, minute=0, second=0, microsecond=0)
        self.today = DAYS
        self.day0 = int(midnight.timestamp()) - DAYS * 86400
        first = midnight.date() - timedelta(days=DAYS)
        self.dates = [first + timedelta(days=d) for d in range(DAYS + 1)]
        self.weekdays = [x.weekday() for x in self.dates]

    def day_epoch(self, d: int) -> int:
        return self.day0 + d * 86400

    def day_of(self, epoch: float) -> int:
        return int((epoch - self.day0) // 86400)

    def date(self, d: int) -> date:
        """The date of day `d` (may lie beyond the anchor's day)."""
        return self.dates[0] + timedelta(days=d)

    @staticmethod
    def at(epoch: float) -> datetime:
        return datetime.fromtimestamp(epoch, UTC)

    def ago(self, days: float = 0, hours: float = 0) -> datetime:
        return self.anchor - timedelta(days=days, hours=hours)


def zipf(n: int, s: float = 1.1) -> list[float]:
    """Long-tailed popularity weights for ranks 1..n (sum 1)."""
    w = [1.0 / (r**s) for r in range(1, n + 1)]
    total = sum(w)
    return [x / total for x in w]


def curve(
    rng: random.Random,
    *,
    start: int = 0,
    end: int = DAYS,
    growth: float | None = None,
    bump: float = 0.0,
) -> list[float]:
    """A multiplicative daily trend: 0 outside [start, end], exponential growth or decline
    (`growth` = log-ratio of the last day to the first), a ramp-up over the first two weeks
    of an entity's life, and an optional recent bump (a "trending" entity)."""
    if growth is None:
        growth = rng.uniform(-1.2, 1.6)
    out = [0.0] * (DAYS + 1)
    span = max(end - start, 1)
    for d in range(max(start, 0), min(end, DAYS) + 1):
        x = (d - start) / span
        ramp = min(1.0, (d - start + 1) / 14)
        v = math.exp(growth * (x - 0.5)) * ramp
        if bump and d > DAYS - 21:
            v *= 1 + bump * (d - (DAYS - 21)) / 21
        out[d] = v
    return out


def daily_counts(
    rng: random.Random, base: float, trend: list[float], tl: Timeline, week=WORK_WEEK
) -> list[int]:
    """Integer events per day: base x trend x weekday x day-level noise."""
    out = [0] * (DAYS + 1)
    wd = tl.weekdays
    for d, t in enumerate(trend):
        if t:
            x = base * t * week[wd[d]] * rng.lognormvariate(0, 0.18)
            out[d] = int(x + rng.random())
    return out


def hour_seconds(rng: random.Random, hours: tuple[int, ...], n: int) -> list[int]:
    """`n` second-of-day offsets distributed by the cumulative hour weights."""
    top = hours[-1]
    rnd = rng.random
    return [bisect(hours, rnd() * top) * 3600 + int(rnd() * 3600) for _ in range(n)]


def skewed_index(rnd: float, n: int, power: float = 2.2) -> int:
    """An index in [0, n) skewed towards 0: a cheap long tail for picking actors."""
    return int(n * rnd**power)
