"""Derived numbers of the learners domain, computed from engine / repository sums (ratios
are ratios of sums, never averages of averages).

Definitions:

* `average_messages_per_conversation = messages / sessions` in the period and scope
  (None when there were no sessions).
* rating summary: `average = sum(rating) / count(rating)` over the period's ratings;
  `distribution` = ratings per value 1..5 (rounded), zero-filled.
* access-time heatmap: messages per (ISO weekday 1 = Monday .. 7) x (hour 0..23) in the
  period's timezone, a 7 x 24 zero-filled matrix (`matrix[day - 1][hour]`).
* enrollment aggregates (course or program): `average_grade = sum(grade) / count(graded
  enrollments)` (0.0-1.0), `average_progress = sum(progress) / enrollments` (0.0-1.0),
  `completion_rate = 100 × completions / enrollments` (percent). A program aggregates
  the enrollments of all its courses (a learner in two of its courses counts twice in
  `enrollments`, once in `learners`).
* registered users (see `repository.registered_users`): org-wide, users of the org created
  before the period end; for one mentor, users whose first session with it started
  before the period end. The previous value is the same count at the period start.
* currently active: distinct users who sent a message in the last 15 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from gateway.context import Context
from gateway.errors import InvalidInput
from gateway.learners import repository as repo
from gateway.learners.scope import AnalyticsScope
from gateway.metrics import (
    BreakdownRow,
    Change,
    PeriodSpec,
    Preset,
    ResolvedPeriod,
    change,
    resolve_period,
)
from gateway.metrics import breakdown as engine_breakdown
from gateway.metrics.loader import RequestClock

CURRENTLY_ACTIVE_MINUTES = 15
RATING_VALUES = (1, 2, 3, 4, 5)
MAX_LIMIT = 100


def ratio(num: float | None, den: float | None, scale: float = 1.0) -> float | None:
    if num is None or not den:
        return None
    return scale * float(num) / float(den)


def heatmap_matrix(cells: dict[tuple[int, int], int]) -> list[list[int]]:
    """`cells[(iso_weekday, hour)]` -> a 7 x 24 zero-filled matrix."""
    return [[cells.get((day, hour), 0) for hour in range(24)] for day in range(1, 8)]


def rating_distribution(counts: dict[int, int]) -> list[tuple[int, int]]:
    """(rating, count) for 1..5, zero-filled."""
    return [(r, counts.get(r, 0)) for r in RATING_VALUES]


@dataclass(frozen=True)
class EnrollmentStats:
    enrollments: int = 0
    completions: int = 0
    learners: int = 0
    new_enrollments: int = 0
    completions_in_period: int = 0
    average_grade: float | None = None
    average_progress: float | None = None
    completion_rate: float | None = None

    @classmethod
    def of(cls, row: Any | None) -> EnrollmentStats:
        if row is None:
            return cls()
        return cls(
            enrollments=int(row.enrollments),
            completions=int(row.completions),
            learners=int(row.learners),
            new_enrollments=int(row.new_enrollments),
            completions_in_period=int(row.completions_in_period),
            average_grade=ratio(row.grade_sum, row.graded),
            average_progress=ratio(row.progress_sum, row.enrollments),
            completion_rate=ratio(row.completions, row.enrollments, 100.0),
        )


# --- reads that combine repository queries (called by the GraphQL layer) -----------------


async def topics_change(ctx: Context, s: AnalyticsScope, rp: ResolvedPeriod) -> Change:
    """Distinct topics of messages in the period against the previous period."""
    cur, prev = await repo.distinct_topics(ctx.db, s, [rp, rp.previous()])
    return change(cur, prev)


async def registered_users_change(ctx: Context, s: AnalyticsScope, rp: ResolvedPeriod) -> Change:
    """Registered users at the period end against the count at the period start."""
    cur, prev = await repo.registered_users(ctx.db, s, [rp.end, rp.start])
    return change(cur, prev)


async def heatmap(ctx: Context, s: AnalyticsScope, rp: ResolvedPeriod) -> list[list[int]]:
    return heatmap_matrix(await repo.message_heatmap(ctx.db, s, rp))


async def ratings(ctx: Context, s: AnalyticsScope, rp: ResolvedPeriod) -> list[tuple[int, int]]:
    return rating_distribution(await repo.rating_distribution(ctx.db, s, rp))


def currently_active_period(ctx: Context, rp: ResolvedPeriod) -> ResolvedPeriod:
    """The last `CURRENTLY_ACTIVE_MINUTES` minutes up to the request's `now`."""
    now = ctx.loader(RequestClock).now
    return ResolvedPeriod(now - timedelta(minutes=CURRENTLY_ACTIVE_MINUTES), now, rp.timezone)


def last_30_days(ctx: Context, rp: ResolvedPeriod) -> ResolvedPeriod:
    return resolve_period(ctx, PeriodSpec(preset=Preset.LAST_30D, timezone=rp.timezone))


async def all_time_period(ctx: Context, rp: ResolvedPeriod) -> ResolvedPeriod:
    """All time for cost series: from the org's first LLM cost up to now, in the period's
    timezone (so the first weekly / monthly bucket is the one holding the first cost; an
    org without any cost gets today alone)."""
    first = await repo.first_event_at(ctx.db, ctx.principal.org_id, "cost")
    now = ctx.loader(RequestClock).now
    earliest = min(first, now) if first is not None else now
    return resolve_period(
        ctx, PeriodSpec(preset=Preset.ALL, timezone=rp.timezone), earliest=earliest
    )


async def breakdown(
    ctx: Context,
    s: AnalyticsScope,
    rp: ResolvedPeriod,
    metrics: list[str],
    by: str,
    order_by: str,
    limit: int,
) -> list[BreakdownRow]:
    """An engine breakdown of `agent.*` metrics over the analytics scope."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"`limit` must be between 1 and {MAX_LIMIT}, got {limit}.")
    return await engine_breakdown(
        ctx.db, s.org_id, metrics, s.breakdown_scope, rp, by, order_by=order_by, limit=limit
    )


async def user_table(ctx: Context, s: AnalyticsScope, rp: ResolvedPeriod, **kw: Any):
    """(rows, total) of the per-user table; see `repository.actor_table`."""
    return await repo.actor_table(ctx.db, s, rp, **kw)


async def transcripts(ctx: Context, s: AnalyticsScope, rp: ResolvedPeriod, **kw: Any):
    """(sessions, total); see `repository.transcripts_page`."""
    return await repo.transcripts_page(ctx.db, s, rp, **kw)


async def catalog(ctx: Context, model: type, **kw: Any):
    """(courses or programs, total); see `repository.catalog_page`."""
    return await repo.catalog_page(ctx.db, model, ctx.principal.org_id, **kw)


async def audit_log(ctx: Context, **kw: Any):
    """(entries, total); see `repository.audit_page`."""
    return await repo.audit_page(ctx.db, ctx.principal.org_id, **kw)
