"""The metric read API: totals, series, breakdowns and period-over-period changes.

Every function takes `db` (a `RequestSession`, or anything with `await db.execute(stmt,
params)`), the `org_id`, catalog metric names of ONE subject type, a `Scope` and a
`ResolvedPeriod`, and runs exactly one SQL statement — shared with every other metric
query of the request asked at the same moment (`gateway.metrics.batch`). Values are
`int` for `count` and `distinct_actors`, `float` for `sum`/`avg`/`ratio`, and `None`
where undefined (an average with no events, a ratio whose denominator is 0). Group keys are those of
`Scope.grouping` (subject id, via group value, or `None`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from gateway.errors import InvalidInput
from gateway.metrics.batch import MetricBatch
from gateway.metrics.buckets import Granularity, bucket_starts
from gateway.metrics.catalog import Metric, get_metric
from gateway.metrics.compile import TIME_KEYS, Query
from gateway.metrics.periods import ResolvedPeriod
from gateway.metrics.scope import Scope, values_of

Number = int | float
Values = dict[str, Number | None]
MAX_BREAKDOWN_LIMIT = 1000


@dataclass(frozen=True)
class SeriesResult:
    """A zero-filled series of one group: `values[metric][i]` belongs to `buckets[i]`
    (count/sum/distinct: 0 when empty; avg/ratio: None when undefined). `totals` are
    over the whole period (distinct actors are distinct over the period, not summed)."""

    period: ResolvedPeriod
    granularity: Granularity
    buckets: list[datetime]
    values: dict[str, list[Number | None]]
    totals: Values


@dataclass(frozen=True)
class Change:
    """A value in `period` against the previous period of equal length."""

    current: Number | None
    previous: Number | None
    change: Number | None
    change_percent: float | None  # None when previous is 0 or undefined
    direction: Literal["up", "down", "flat"]


@dataclass(frozen=True)
class BreakdownRow:
    key: Any
    values: Values


def resolve_metrics(metrics: str | Sequence[str]) -> list[Metric]:
    """Catalog entries for `metrics` (deduplicated, in order); all of one subject type."""
    names = [metrics] if isinstance(metrics, str) else list(dict.fromkeys(metrics))
    if not names:
        raise InvalidInput("Ask for at least one metric.", field="metrics")
    found = [get_metric(n) for n in names]
    types = {m.subject_type for m in found}
    if len(types) > 1:
        raise InvalidInput(
            f"Metrics of different subject types cannot be queried together: {sorted(types)}.",
            field="metrics",
        )
    return found


def empty_value(m: Metric) -> Number | None:
    """The value with no events: 0 (count, distinct), 0.0 (sum), None (avg, ratio)."""
    if m.integral:
        return 0
    return 0.0 if m.aggregation == "sum" else None


def _value(m: Metric, raw: Any) -> Number | None:
    if raw is None:
        return empty_value(m)
    if m.integral:
        return int(raw)
    return float(raw)


def _row_values(metrics: list[Metric], row: Any) -> Values:
    return {m.name: _value(m, row[4 + i]) for i, m in enumerate(metrics)}


def _empty(metrics: list[Metric]) -> Values:
    return {m.name: empty_value(m) for m in metrics}


def _expected_keys(scope: Scope) -> list[Hashable]:
    g = scope.grouping
    if g == "subject":
        return values_of(scope.ids)
    if g == "total":
        return [None]
    return values_of(dict(scope.via.where).get(scope.via.group_col, ()))


async def _run(db: Any, q: Query) -> list[Any]:
    """Rows of `q`, sent together with the request's other metric queries of this moment
    (`gateway.metrics.batch`)."""
    return await MetricBatch.of(db).run(q)


async def totals(
    db: Any,
    org_id: int,
    metrics: str | Sequence[str],
    scope: Scope,
    period: ResolvedPeriod,
) -> dict[Hashable, Values]:
    """`{group_key: {metric: value}}` over `period` (requested ids/groups always present)."""
    ms = resolve_metrics(metrics)
    rows = await _run(db, Query(org_id, ms, scope, [period], scope.grouping))
    out = {k: _empty(ms) for k in _expected_keys(scope)}
    for row in rows:
        out[row[0]] = _row_values(ms, row)
    return out


async def compare(
    db: Any,
    org_id: int,
    metrics: str | Sequence[str],
    scope: Scope,
    period: ResolvedPeriod,
) -> dict[Hashable, dict[str, Change]]:
    """`{group_key: {metric: Change}}`: `period` against `period.previous()`, both read in
    one statement."""
    ms = resolve_metrics(metrics)
    q = Query(org_id, ms, scope, [period, period.previous()], scope.grouping)
    rows = await _run(db, q)
    keys = _expected_keys(scope)
    cur: dict[Hashable, Values] = {k: _empty(ms) for k in keys}
    prev: dict[Hashable, Values] = {k: _empty(ms) for k in keys}
    for row in rows:
        (cur if row[2] == 0 else prev)[row[0]] = _row_values(ms, row)
    groups = list(dict.fromkeys([*cur, *prev]))
    return {
        k: {
            m.name: change(cur.get(k, _empty(ms))[m.name], prev.get(k, _empty(ms))[m.name])
            for m in ms
        }
        for k in groups
    }


def change(current: Number | None, previous: Number | None) -> Change:
    """The change from `previous` to `current` (percent None when previous is 0/None)."""
    if current is None or previous is None:
        return Change(current, previous, None, None, "flat")
    diff = current - previous
    pct = None if previous == 0 else diff / abs(previous) * 100.0
    direction = "up" if diff > 0 else "down" if diff < 0 else "flat"
    return Change(current, previous, diff, pct, direction)


async def series(
    db: Any,
    org_id: int,
    metrics: str | Sequence[str],
    scope: Scope,
    period: ResolvedPeriod,
    granularity: Granularity,
) -> dict[Hashable, SeriesResult]:
    """`{group_key: SeriesResult}` with local, DST-correct, zero-filled buckets."""
    ms = resolve_metrics(metrics)
    g = Granularity(granularity)
    starts = bucket_starts(period, g)
    q = Query(org_id, ms, scope, [period], scope.grouping, g, starts)
    rows = await _run(db, q)
    # bucket starts by POSIX timestamp: the same instant whatever zone it is expressed in
    index = {b.timestamp(): i for i, b in enumerate(starts)}
    columns = [(4 + j, m.name, m) for j, m in enumerate(ms)]
    keys = _expected_keys(scope)
    data: dict[Hashable, dict[str, list]] = {}
    tots: dict[Hashable, Values] = {}

    def slot(key: Hashable) -> dict[str, list]:
        if key not in data:
            data[key] = {m.name: [empty_value(m)] * len(starts) for m in ms}
            tots[key] = _empty(ms)
        return data[key]

    for k in keys:
        slot(k)
    for row in rows:
        vals = slot(row[0])
        if row[3]:  # the GROUPING SETS total row
            tots[row[0]] = _row_values(ms, row)
            continue
        i = index.get(row[1].timestamp()) if row[1] is not None else None
        if i is not None:
            for col, name, m in columns:
                vals[name][i] = _value(m, row[col])
    return {k: SeriesResult(period, g, starts, data[k], tots[k]) for k in data}


def _check_by(by: str, scope: Scope) -> str:
    if by in ("subject", "actor", *TIME_KEYS) or (by.startswith("dim:") and len(by) > 4):
        return by
    via = scope.via
    if via is not None and via.group_col and by in ("via", via.group_col):
        return "via"
    raise InvalidInput(
        f"Cannot break down by {by!r}: use 'subject', 'actor', 'hour_of_day', "
        "'day_of_week', 'dim:<dimension>' or the scope's via group column.",
        field="by",
    )


async def breakdown(
    db: Any,
    org_id: int,
    metrics: str | Sequence[str],
    scope: Scope,
    period: ResolvedPeriod,
    by: str,
    order_by: str | None = None,
    descending: bool | None = None,
    limit: int = 100,
) -> list[BreakdownRow]:
    """Rows `{key, values}` of the scope's combined total split by `by`.

    `by`: `subject`, `actor`, `dim:<dimension>`, `hour_of_day` (0-23), `day_of_week`
    (1 = Monday .. 7) — both local to the period's timezone and listing every hour/day —
    or the scope's via group column. `order_by`: one of the metrics (default the first;
    descending by default) or `"key"` (ascending by default; the default for hour/day).
    Ties are broken by key ascending, None last. At most `limit` (1..1000) rows."""
    ms = resolve_metrics(metrics)
    key = _check_by(by, scope)
    if not 1 <= limit <= MAX_BREAKDOWN_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_BREAKDOWN_LIMIT}.", field="limit")
    names = [m.name for m in ms]
    if order_by is None:
        order_by = "key" if key in TIME_KEYS else names[0]
    if order_by != "key" and order_by not in names:
        raise InvalidInput(
            f"order_by must be 'key' or one of the requested metrics ({', '.join(names)}).",
            field="order_by",
        )
    if descending is None:
        descending = order_by != "key"
    in_sql = key not in TIME_KEYS
    q = Query(
        org_id,
        ms,
        scope,
        [period],
        key,
        order_by=order_by if in_sql else None,
        descending=descending,
        limit=limit if in_sql else None,
    )
    rows = [BreakdownRow(r[0], _row_values(ms, r)) for r in await _run(db, q)]
    if in_sql:
        return rows
    have = {r.key for r in rows}
    every = range(24) if key == "hour_of_day" else range(1, 8)
    rows += [BreakdownRow(k, _empty(ms)) for k in every if k not in have]
    if order_by == "key":
        rows.sort(key=lambda r: r.key, reverse=descending)
    else:
        sign = -1 if descending else 1

        def sort_key(r: BreakdownRow):
            v = r.values[order_by]
            return (v is None, 0 if v is None else sign * v, r.key)

        rows.sort(key=sort_key)
    return rows[:limit]
