"""Periods: what a caller asks for (`PeriodSpec`) and the exact UTC range it means
(`ResolvedPeriod`), resolved in the caller's IANA timezone.

Semantics (`now` is injectable; the request clock in `gateway.metrics.loader` fixes one
`now` per request so that every field of a request resolves to the same range):

* `LAST_24H`             now - 24h .. now
* `TODAY`                local midnight today .. now
* `LAST_7D/30D/90D`      the last N local days *including today*: local midnight N-1 days
                         ago .. now (so "last 7 days" on a Wednesday starts last Thursday
                         00:00 and includes the partial today, as dashboards show it)
* `YTD`                  local Jan 1 00:00 .. now
* `ALL`                  `earliest` (or 2000-01-01 UTC) .. now
* custom `start`/`end`   a `date` is a local day: `start` date -> its local midnight, `end`
                         date is *inclusive* -> the next local midnight. A naive datetime
                         is local wall time in `timezone`; an aware one is taken as given.
                         `end` datetimes are exclusive.

A `ResolvedPeriod` holds UTC datetimes (`start` inclusive, `end` exclusive); use
`local_start` / `local_end` to echo it back in the caller's timezone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.errors import InvalidInput

MAX_RANGE = timedelta(days=3653)  # ten years (with leap days)
DEFAULT_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2100, 12, 31)
"""Custom periods must lie within these days (so the previous period and every bucket
stay representable)."""
MAX_TIMEZONE_LENGTH = 64  # the longest IANA name is 32 characters


class Preset(enum.Enum):
    LAST_24H = "LAST_24H"
    TODAY = "TODAY"
    LAST_7D = "LAST_7D"
    LAST_30D = "LAST_30D"
    LAST_90D = "LAST_90D"
    YTD = "YTD"
    ALL = "ALL"


_LAST_DAYS = {Preset.LAST_7D: 7, Preset.LAST_30D: 30, Preset.LAST_90D: 90}


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name, or InvalidInput saying what a valid name looks like."""
    try:
        if (
            not name
            or len(name) > MAX_TIMEZONE_LENGTH
            or not name.isprintable()
            or name != name.strip()
            or name.startswith(("/", "."))
        ):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        # OSError: a name the filesystem refuses (too long, …) — still the caller's input
        shown = name if len(name) <= MAX_TIMEZONE_LENGTH else name[:MAX_TIMEZONE_LENGTH] + "…"
        raise InvalidInput(
            f"Unknown timezone {shown!r}: use an IANA timezone name such as 'UTC', "
            "'Europe/Berlin', 'America/New_York' or 'Asia/Kolkata'.",
            field="timezone",
        ) from None


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant of local 00:00 on `day` in `tz`."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class PeriodSpec:
    """A requested period: a preset, or `start` and `end`, in `timezone`."""

    preset: Preset | None = None
    start: datetime | date | None = None
    end: datetime | date | None = None
    timezone: str = "UTC"


@dataclass(frozen=True)
class ResolvedPeriod:
    """An exact range: UTC `start` (inclusive) .. UTC `end` (exclusive), plus the timezone
    buckets and local days are computed in. Hashable; equal ranges compare equal."""

    start: datetime
    end: datetime
    timezone: str = "UTC"
    preset: Preset | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value.tzinfo is None:
                raise ValueError(f"ResolvedPeriod.{name} must be timezone-aware")
            object.__setattr__(self, name, value.astimezone(UTC))
        zone(self.timezone)

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.tz)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.tz)

    @property
    def local_start_date(self) -> date:
        return self.local_start.date()

    @property
    def local_end_date(self) -> date:
        """The last local day the period touches (inclusive)."""
        if self.end <= self.start:
            return self.local_start_date
        return (self.end - timedelta(microseconds=1)).astimezone(self.tz).date()

    @property
    def days(self) -> int:
        """How many local calendar days the period touches (a partial today counts)."""
        return (self.local_end_date - self.local_start_date).days + 1

    def previous(self) -> ResolvedPeriod:
        """The period of equal length (as elapsed time) ending where this one starts."""
        return ResolvedPeriod(self.start - self.duration, self.start, self.timezone, None)


def _aware(t: datetime) -> datetime:
    """UTC; a naive datetime is taken to be UTC already."""
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _as_utc(value: datetime | date, tz: ZoneInfo, *, is_end: bool) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz)
        return value.astimezone(UTC)
    return local_midnight(value + timedelta(days=1) if is_end else value, tz)


def resolve(
    spec: PeriodSpec, now: datetime | None = None, earliest: datetime | None = None
) -> ResolvedPeriod:
    """Resolve `spec` to an exact range. Raises InvalidInput with an actionable message.
    `now` defaults to the current time; naive `now`/`earliest` are taken as UTC."""
    tz = zone(spec.timezone)
    now = _aware(now or datetime.now(UTC))
    earliest = _aware(earliest) if earliest is not None else None
    has_custom = spec.start is not None or spec.end is not None
    if spec.preset is not None and has_custom:
        raise InvalidInput("Give either a period preset or start/end, not both.", field="period")
    if spec.preset is None:
        if not has_custom:
            raise InvalidInput(
                "Give a period: a preset (LAST_24H, TODAY, LAST_7D, LAST_30D, LAST_90D, YTD, "
                "ALL) or both start and end.",
                field="period",
            )
        if spec.start is None or spec.end is None:
            missing = "start" if spec.start is None else "end"
            raise InvalidInput(
                f"A custom period needs both start and end; {missing} is missing.",
                field="period",
            )
        for which, value in (("start", spec.start), ("end", spec.end)):
            day = value.date() if isinstance(value, datetime) else value
            if not FIRST_DAY <= day <= LAST_DAY:
                raise InvalidInput(
                    f"The period {which} ({value.isoformat()}) must be between "
                    f"{FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}.",
                    field="period",
                )
        start = _as_utc(spec.start, tz, is_end=False)
        end = _as_utc(spec.end, tz, is_end=True)
        if start >= end:
            raise InvalidInput(
                f"The period start ({spec.start.isoformat()}) must be before its end "
                f"({spec.end.isoformat()}).",
                field="period",
            )
        if end - start > MAX_RANGE:
            raise InvalidInput(
                "A custom period can span at most 10 years; narrow start/end or use the "
                "ALL preset.",
                field="period",
            )
        return ResolvedPeriod(start, end, spec.timezone, None)

    try:
        preset = Preset(spec.preset)
    except ValueError:
        raise InvalidInput(
            f"Unknown period preset {spec.preset!r}: use one of "
            + ", ".join(p.value for p in Preset)
            + ".",
            field="period",
        ) from None
    today = now.astimezone(tz).date()
    if preset is Preset.LAST_24H:
        start = now - timedelta(hours=24)
    elif preset is Preset.TODAY:
        start = local_midnight(today, tz)
    elif preset in _LAST_DAYS:
        start = local_midnight(today - timedelta(days=_LAST_DAYS[preset] - 1), tz)
    elif preset is Preset.YTD:
        start = local_midnight(date(today.year, 1, 1), tz)
    else:
        start = min(earliest or DEFAULT_EARLIEST, now)
    return ResolvedPeriod(start, now, spec.timezone, preset)
