"""Derived numbers of the agent platform (seed 002), computed from the metric engine and
the agent repository. No GraphQL here. Every formula the legacy document leaves open is
defined below; percentages are 0-100 floats, None when the denominator is 0.

Calendar windows (in the request's `timezone`, default UTC; `now` is the request clock):
  today       local midnight today .. now
  this week   local Monday 00:00 .. now (ISO weeks)
  this month  local 1st 00:00 .. now;  last month = the whole previous calendar month
  same days of last month  the previous month's 1st 00:00 .. that plus the time elapsed
              since this month's start (at most the whole previous month): month-to-date
              numbers are compared like with like, so the 1st of a month is no "-100 %"

Platform (`agentPlatform`)
  agents            counts of agent rows by status (all time), optionally one kind
  messages          `agent.messages` today / this week / this month (one daily series)
  deployments       deployment rows by status (all time)
  platformUptime    `org.platform_uptime_percent`: mean of the org's uptime checks
                    (0-1) x 100 over the period (default: last 30 days)
  averageAgentUptime  `agent.uptime_percent` over the same period: the ratio of sums
                    over every agent check (sum of check values / number of checks x 100),
                    so an agent checked more often weighs more; agents without checks in
                    the period do not count (rather than counting as 0 % or 100 %)
  averageResponseTime `agent.avg_response_time_ms` (mean of request values), period as above
  successRate / errorRate  100 x (1 - errors/requests) / 100 x errors/requests
  storage           used = sum of agents' storage_mb, total = org.storage_total_mb,
                    percentUsed = 100 x used / total

Per user (`agentUserMetrics`): "the user's agents" = agents owned by the user
  historical 24h    24 hourly buckets: the current (partial) local hour and the 23 before
  historical 7d/30d LAST_7D / LAST_30D (local days incl. today), daily buckets
    point cpu/memory  mean of the samples of the user's agents in the bucket; a bucket
                      without samples holds the latest known value (below)
    point messages/errors  counts in the bucket
    averages.cpu/memory    mean of the points' cpu / memory as answered
    averages.messages/errors  total / number of points (empty buckets count as 0)
  performance cpu/memory  "current" = mean of the samples in the last 60 minutes, or the
              latest known value when there is none in that hour
  latest known value  the previous point's value; before the first point (or for
              "current") the mean of the samples of the user's agents in the latest UTC
              hour that has any (`repository.latest_sample_mean`). None only when the
              user's agents never reported a sample.
              errorRate    100 x errors / requests over the last 24 hours
              responseTime mean response time (ms) over the last 24 hours

Music summary (the user is the artist; `user.*` events and the bookings/fans/skills rows)
  revenue.month   `user.revenue_cents` this month / 100 (USD); total = all time (USD)
  revenue.change  month-over-month percent: (this month - the same days of last month) /
                  the same days of last month x 100 (lastMonth stays the whole month)
  bookings.conversion  100 x completed / all bookings (every status, cancelled included:
                  each booking starts as an inquiry, and a cancelled one did not convert)
  fans.total      fan rows of the artist (first seen at any time)
  fans.active     distinct fans who streamed in the last 30 days (LAST_30D)
  fans.growth     new fans (first seen) this month vs in the same days of last month,
                  percent change
  segmentation    disjoint, over the last 30 days:
                  superfans = >= SUPERFAN_MIN_STREAMS streams in the window
                  new       = first seen in the window and not a superfan
                  casual    = streamed in the window, first seen before it, not a superfan
                  (superfans + casual + the new fans who streamed = active)
  streams         monthlyListeners = `user.listeners` over LAST_30D, monthlyStreams =
                  `user.streams` over LAST_30D, growth = streams vs the previous 30 days
  skills          total / active skill rows; growth = skills created this month vs in the
                  same days of last month, percent change
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gateway.agents import repository
from gateway.agents.repository import (
    AgentCounts,
    BookingCounts,
    DeploymentCounts,
    FanCounts,
    SkillCounts,
)
from gateway.context import Context
from gateway.errors import InvalidInput
from gateway.metrics import (
    Granularity,
    PeriodSpec,
    Preset,
    ResolvedPeriod,
    Scope,
    Via,
    load_change,
    load_series,
    load_total,
    resolve_period,
)
from gateway.metrics.loader import RequestClock
from gateway.metrics.periods import local_midnight, zone

SUPERFAN_MIN_STREAMS = 10
HISTORICAL_RANGES = ("24h", "7d", "30d")


# --- formulas -------------------------------------------------------------------------


def pct_change(current: float | None, previous: float | None) -> float | None:
    """(current - previous) / previous x 100; None when previous is 0 or unknown."""
    if current is None or not previous:
        return None
    return (current - previous) / previous * 100.0


def percent(part: float, whole: float) -> float | None:
    return None if not whole else part / whole * 100.0


def mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


# --- windows --------------------------------------------------------------------------


def now_of(ctx: Context) -> datetime:
    return ctx.loader(RequestClock).now


@dataclass(frozen=True)
class CalendarWindows:
    now: datetime
    today_start: datetime
    week_start: datetime
    month_start: datetime
    prev_month_start: datetime
    prev_month_same_end: datetime
    """End of "the same days of last month": prev_month_start + (now - month_start),
    at most month_start."""


def calendar_windows(now: datetime, timezone: str) -> CalendarWindows:
    tz = zone(timezone)
    today = now.astimezone(tz).date()
    first = today.replace(day=1)
    prev_first = (first - timedelta(days=1)).replace(day=1)
    month_start, prev_month_start = local_midnight(first, tz), local_midnight(prev_first, tz)
    return CalendarWindows(
        now=now,
        today_start=local_midnight(today, tz),
        week_start=local_midnight(today - timedelta(days=today.weekday()), tz),
        month_start=month_start,
        prev_month_start=prev_month_start,
        prev_month_same_end=min(prev_month_start + (now - month_start), month_start),
    )


def agent_scope(kind: str | None) -> Scope:
    """The org's agents (of one kind, or all)."""
    return Scope() if kind is None else Scope(via=Via("agents", where={"kind": [kind]}))


def owner_scope(kind: str | None) -> Scope:
    """Agents grouped by owner: load with `group = user id`."""
    where = {"kind": [kind]} if kind is not None else {}
    return Scope(via=Via("agents", group_col="owner_id", where=where))


# --- platform -------------------------------------------------------------------------


async def agent_counts(ctx: Context, kind: str | None) -> AgentCounts:
    return await repository.agent_counts(ctx.db, ctx.principal.org_id, kind)


async def deployment_counts(ctx: Context, kind: str | None) -> DeploymentCounts:
    return await repository.org_deployment_counts(ctx.db, ctx.principal.org_id, kind)


@dataclass(frozen=True)
class MessageCounts:
    today: int
    this_week: int
    this_month: int


async def message_counts(ctx: Context, kind: str | None, timezone: str) -> MessageCounts:
    """One daily series from the earlier of Monday and the 1st, summed three ways."""
    w = calendar_windows(now_of(ctx), timezone)
    rp = ResolvedPeriod(min(w.week_start, w.month_start), w.now, timezone)
    s = await load_series(ctx, ["agent.messages"], None, rp, Granularity.DAY, agent_scope(kind))
    days = list(zip(s.buckets, s.values["agent.messages"], strict=True))

    def since(start: datetime) -> int:
        return int(sum(v or 0 for b, v in days if b.astimezone(UTC) >= start))

    return MessageCounts(since(w.today_start), since(w.week_start), since(w.month_start))


@dataclass(frozen=True)
class UptimeStats:
    platform_uptime: float | None
    average_agent_uptime: float | None


async def uptime(ctx: Context, kind: str | None, rp: ResolvedPeriod) -> UptimeStats:
    platform, agents = await asyncio.gather(
        load_total(ctx, "org.platform_uptime_percent", ctx.principal.org_id, rp),
        load_total(ctx, "agent.uptime_percent", None, rp, agent_scope(kind)),
    )
    return UptimeStats(platform, agents)


@dataclass(frozen=True)
class PerformanceStats:
    average_response_time: float | None
    success_rate: float | None
    error_rate: float | None
    requests: int
    errors: int


async def performance(ctx: Context, kind: str | None, rp: ResolvedPeriod) -> PerformanceStats:
    scope = agent_scope(kind)
    names = (
        "agent.avg_response_time_ms",
        "agent.success_rate",
        "agent.error_rate",
        "agent.requests",
        "agent.errors",
    )
    values = await asyncio.gather(*(load_total(ctx, n, None, rp, scope) for n in names))
    return PerformanceStats(*values)


# --- per user: history and performance ------------------------------------------------


def parse_range(value: str) -> str:
    v = value.strip().lower()
    v = {"h24": "24h", "d7": "7d", "d30": "30d"}.get(v, v)
    if v not in HISTORICAL_RANGES:
        raise InvalidInput(f"Unknown range {value!r}: use one of 24h, 7d or 30d.", field="range")
    return v


def historical_period(
    ctx: Context, time_range: str, timezone: str
) -> tuple[ResolvedPeriod, Granularity]:
    if time_range == "24h":
        now = now_of(ctx)
        hour = now.astimezone(zone(timezone)).replace(minute=0, second=0, microsecond=0)
        start = hour.astimezone(UTC) - timedelta(hours=23)
        return ResolvedPeriod(start, now, timezone, None), Granularity.HOUR
    preset = Preset.LAST_7D if time_range == "7d" else Preset.LAST_30D
    return resolve_period(ctx, PeriodSpec(preset=preset, timezone=timezone)), Granularity.DAY


_HISTORY = ("agent.cpu_percent", "agent.memory_percent", "agent.messages", "agent.errors")


async def latest_known(
    ctx: Context, user_id: int, kind: str | None, type_: str, before: datetime
) -> float | None:
    return await repository.latest_sample_mean(
        ctx.db, ctx.principal.org_id, user_id, kind, type_, before
    )


async def carried_forward(
    ctx: Context,
    values: list[float | None],
    user_id: int,
    kind: str | None,
    type_: str,
    start: datetime,
) -> list[float | None]:
    """`values` with every gap holding the latest known value (the previous point's; before
    the first sample, the latest one before `start`, looked up only when needed)."""
    last = None
    if values and values[0] is None:
        last = await latest_known(ctx, user_id, kind, type_, start)
    out = []
    for v in values:
        last = v if v is not None else last
        out.append(last)
    return out


@dataclass(frozen=True)
class HistoryPoint:
    timestamp: datetime
    cpu: float | None
    memory: float | None
    messages: int
    errors: int


@dataclass(frozen=True)
class HistoryAverages:
    cpu: float | None
    memory: float | None
    messages: float
    errors: float


@dataclass(frozen=True)
class History:
    period: ResolvedPeriod
    granularity: Granularity
    points: list[HistoryPoint]
    averages: HistoryAverages


async def history(
    ctx: Context, user_id: int, kind: str | None, time_range: str, timezone: str
) -> History:
    rp, g = historical_period(ctx, time_range, timezone)
    s = await load_series(ctx, list(_HISTORY), user_id, rp, g, owner_scope(kind))
    cpu, mem, msg, err = (s.values[m] for m in _HISTORY)
    cpu, mem = await asyncio.gather(
        carried_forward(ctx, cpu, user_id, kind, "cpu", rp.start),
        carried_forward(ctx, mem, user_id, kind, "memory", rp.start),
    )
    points = [
        HistoryPoint(b, cpu[i], mem[i], int(msg[i] or 0), int(err[i] or 0))
        for i, b in enumerate(s.buckets)
    ]
    n = len(points) or 1
    averages = HistoryAverages(
        cpu=mean(cpu),
        memory=mean(mem),
        messages=sum(p.messages for p in points) / n,
        errors=sum(p.errors for p in points) / n,
    )
    return History(rp, g, points, averages)


@dataclass(frozen=True)
class UserPerformance:
    cpu: float | None
    memory: float | None
    error_rate: float | None
    response_time: float | None
    requests: int
    errors: int
    current_period: ResolvedPeriod
    period: ResolvedPeriod


async def user_performance(ctx: Context, user_id: int, kind: str | None) -> UserPerformance:
    now = now_of(ctx)
    hour = ResolvedPeriod(now - timedelta(hours=1), now)
    day = resolve_period(ctx, PeriodSpec(preset=Preset.LAST_24H))
    scope = owner_scope(kind)
    cpu, mem, rate, rt, req, err = await asyncio.gather(
        load_total(ctx, "agent.cpu_percent", user_id, hour, scope),
        load_total(ctx, "agent.memory_percent", user_id, hour, scope),
        load_total(ctx, "agent.error_rate", user_id, day, scope),
        load_total(ctx, "agent.avg_response_time_ms", user_id, day, scope),
        load_total(ctx, "agent.requests", user_id, day, scope),
        load_total(ctx, "agent.errors", user_id, day, scope),
    )
    if cpu is None:
        cpu = await latest_known(ctx, user_id, kind, "cpu", now)
    if mem is None:
        mem = await latest_known(ctx, user_id, kind, "memory", now)
    return UserPerformance(cpu, mem, rate, rt, req, err, hour, day)


# --- music summary --------------------------------------------------------------------


@dataclass(frozen=True)
class Revenue:
    month_cents: float
    last_month_cents: float
    total_cents: float
    change: float | None
    last_month_same_days_cents: float = 0.0

    @property
    def month(self) -> float:
        return self.month_cents / 100

    @property
    def last_month(self) -> float:
        return self.last_month_cents / 100

    @property
    def total(self) -> float:
        return self.total_cents / 100


async def revenue(ctx: Context, user_id: int, timezone: str) -> Revenue:
    w = calendar_windows(now_of(ctx), timezone)
    months = ResolvedPeriod(w.prev_month_start, w.now, timezone)
    all_time = resolve_period(ctx, PeriodSpec(preset=Preset.ALL, timezone=timezone))
    same_days = ResolvedPeriod(w.prev_month_start, w.prev_month_same_end, timezone)
    s, total, same = await asyncio.gather(
        load_series(ctx, ["user.revenue_cents"], user_id, months, Granularity.MONTH),
        load_total(ctx, "user.revenue_cents", user_id, all_time),
        load_total(ctx, "user.revenue_cents", user_id, same_days),
    )
    by_month = {
        b.astimezone(UTC): v or 0.0
        for b, v in zip(s.buckets, s.values["user.revenue_cents"], strict=True)
    }
    this, last = by_month.get(w.month_start, 0.0), by_month.get(w.prev_month_start, 0.0)
    same = same or 0.0
    return Revenue(this, last, total or 0.0, pct_change(this, same), same)


@dataclass(frozen=True)
class Bookings:
    counts: BookingCounts

    @property
    def completed(self) -> int:
        return self.counts.completed

    @property
    def pending(self) -> int:
        return self.counts.pending

    @property
    def inquiries(self) -> int:
        return self.counts.inquiry

    @property
    def cancelled(self) -> int:
        return self.counts.cancelled

    @property
    def total(self) -> int:
        return self.counts.total

    @property
    def conversion(self) -> float | None:
        return percent(self.counts.completed, self.counts.total)


async def bookings(ctx: Context, user_id: int) -> Bookings:
    return Bookings(await repository.booking_counts(ctx.db, ctx.principal.org_id, user_id))


@dataclass(frozen=True)
class Fans:
    counts: FanCounts
    window: ResolvedPeriod

    @property
    def total(self) -> int:
        return self.counts.total

    @property
    def active(self) -> int:
        return self.counts.active

    @property
    def new_this_month(self) -> int:
        return self.counts.new_this_month

    @property
    def new_last_month(self) -> int:
        return self.counts.new_last_month

    @property
    def growth(self) -> float | None:
        return pct_change(self.counts.new_this_month, self.counts.new_last_month)


async def fans(ctx: Context, user_id: int, timezone: str) -> Fans:
    w = calendar_windows(now_of(ctx), timezone)
    window = resolve_period(ctx, PeriodSpec(preset=Preset.LAST_30D, timezone=timezone))
    counts = await repository.fan_counts(
        ctx.db,
        ctx.principal.org_id,
        user_id,
        window=(window.start, window.end),
        month_start=w.month_start,
        prev_month_start=w.prev_month_start,
        prev_month_end=w.prev_month_same_end,
        superfan_min_streams=SUPERFAN_MIN_STREAMS,
    )
    return Fans(counts, window)


@dataclass(frozen=True)
class Streams:
    monthly_listeners: int
    monthly_streams: int
    previous_listeners: int
    previous_streams: int
    growth: float | None
    listeners_growth: float | None
    period: ResolvedPeriod


async def streams(ctx: Context, user_id: int, timezone: str) -> Streams:
    rp = resolve_period(ctx, PeriodSpec(preset=Preset.LAST_30D, timezone=timezone))
    st, ls = await asyncio.gather(
        load_change(ctx, "user.streams", user_id, rp),
        load_change(ctx, "user.listeners", user_id, rp),
    )
    return Streams(
        monthly_listeners=int(ls.current or 0),
        monthly_streams=int(st.current or 0),
        previous_listeners=int(ls.previous or 0),
        previous_streams=int(st.previous or 0),
        growth=pct_change(st.current, st.previous),
        listeners_growth=pct_change(ls.current, ls.previous),
        period=rp,
    )


@dataclass(frozen=True)
class Skills:
    counts: SkillCounts

    @property
    def active(self) -> int:
        return self.counts.active

    @property
    def total(self) -> int:
        return self.counts.total

    @property
    def created_this_month(self) -> int:
        return self.counts.created_this_month

    @property
    def created_last_month(self) -> int:
        return self.counts.created_last_month

    @property
    def growth(self) -> float | None:
        return pct_change(self.counts.created_this_month, self.counts.created_last_month)


async def skills(ctx: Context, user_id: int, timezone: str) -> Skills:
    w = calendar_windows(now_of(ctx), timezone)
    counts = await repository.skill_counts(
        ctx.db,
        ctx.principal.org_id,
        user_id,
        w.month_start,
        w.prev_month_start,
        w.now,
        w.prev_month_same_end,
    )
    return Skills(counts)
