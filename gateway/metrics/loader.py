"""Dataloaders that batch metric reads of one GraphQL request into few statements.

Keys name one metric value (`MetricKey`) or one group's series (`SeriesKey`); the `group`
is a subject id, a via group value (when `scope.via.group_col` is set), or `None` for the
scope's combined total. A batch is split by (subject type, scope, period[, granularity],
total-or-not) and each part is ONE engine call — one SQL statement for all its metrics
and groups: 50 publications × 6 metrics is one statement, the same as 1 × 1.

Use the request's loaders through the helpers (they also take the org from the
principal), and resolve periods with `resolve_period(ctx, spec)` so that every field of a
request shares one `now` (different `now`s would be different periods and split batches):

    period = resolve_period(info.context, spec)
    views = await load_total(info.context, "publication.views", pub.id, period)
    s = await load_series(info.context, ["publication.views"], pub.id, period, Granularity.DAY)
    ch = await load_change(info.context, "content.impressions", mission.id, period,
                           Scope(via=Via("content", group_col="mission_id")))

Read-ahead: a lookup whose rows are the subjects of their fields' metrics (a page of
publications) reads those metrics in its own statement with `read_ahead(ctx, asks,
lookup)` — `MetricAsk`s say what the fields will load — and primes the loaders with
every subject's values, so the fields send nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from gateway.context import Context
from gateway.errors import InvalidInput
from gateway.loaders import RequestLoader
from gateway.metrics import engine
from gateway.metrics.buckets import Granularity
from gateway.metrics.catalog import get_metric
from gateway.metrics.engine import Change, Number, SeriesResult
from gateway.metrics.periods import PeriodSpec, ResolvedPeriod, resolve
from gateway.metrics.scope import Lookup, Scope

_ALL = Scope()


class MetricKey(NamedTuple):
    metric: str
    group: Hashable
    period: ResolvedPeriod
    scope: Scope = _ALL


class SeriesKey(NamedTuple):
    metrics: tuple[str, ...]
    group: Hashable
    period: ResolvedPeriod
    granularity: Granularity
    scope: Scope = _ALL


class RequestClock:
    """One `now` per request (created by `ctx.loader(RequestClock)`), and the periods
    already resolved against it (fifty nodes asking for the same period resolve it once)."""

    def __init__(self, ctx: Context) -> None:
        self.now = datetime.now(UTC)

    @property
    def resolved(self) -> dict[tuple, ResolvedPeriod]:
        return self.__dict__.setdefault("_resolved", {})


class MetricMeter:
    """Metric values this request's loaders computed — the metric part of the actual cost
    reported in `extensions.cost` (`resolvers.guard`). Per batch part: groups × metrics
    for totals, twice that for changes (current and previous), groups × metrics ×
    buckets for series. Created by `ctx.loader(MetricMeter)`."""

    def __init__(self, ctx: Context) -> None:
        self.values = 0


def resolve_period(
    ctx: Context, spec: PeriodSpec, earliest: datetime | date | None = None
) -> ResolvedPeriod:
    """`periods.resolve` with the request's fixed `now`."""
    if isinstance(earliest, date) and not isinstance(earliest, datetime):
        earliest = datetime(earliest.year, earliest.month, earliest.day, tzinfo=UTC)
    clock = ctx.loader(RequestClock)
    key = (spec, earliest)
    found = clock.resolved.get(key)
    if found is None:
        found = clock.resolved[key] = resolve(spec, now=clock.now, earliest=earliest)
    return found


def _batch_scope(scope: Scope, groups: list[Hashable]) -> Scope:
    """The engine scope that returns exactly `groups` (or the total when groups=[None])."""
    if scope.ids is not None:
        raise ValueError("put the subject id in the key's `group`, not in scope.ids")
    via = scope.via
    if groups == [None]:
        if via is not None and via.group_col:
            via = replace(via, group_col=None)
        return replace(scope, via=via, total=True)
    if via is not None and via.group_col:
        return replace(scope, via=via.with_where(via.group_col, groups))
    return replace(scope, ids=groups)


def _partition(keys: Sequence[Any], extra) -> dict[tuple, list[Any]]:
    parts: dict[tuple, list[Any]] = {}
    for k in keys:
        names = k.metrics if isinstance(k, SeriesKey) else (k.metric,)
        subject_type = get_metric(names[0]).subject_type
        sig = (subject_type, k.scope, k.period, k.group is None, *extra(k))
        parts.setdefault(sig, []).append(k)
    return parts


def _metrics_of(keys: list[Any]) -> list[str]:
    names: dict[str, None] = {}
    for k in keys:
        for n in k.metrics if isinstance(k, SeriesKey) else (k.metric,):
            names[n] = None
    return list(names)


class MetricTotalsLoader(RequestLoader):
    """`MetricKey` -> value (int | float | None). Create with `ctx.loader(cls, org_id)`."""

    compare = False

    async def batch_load_fn(self, keys: Sequence[MetricKey]) -> list[Any]:
        (org_id,) = self.args
        run = engine.compare if self.compare else engine.totals
        parts = list(_partition(keys, lambda k: ()).values())

        async def one(part: list[MetricKey]) -> dict:
            groups = list(dict.fromkeys(k.group for k in part))
            scope = _batch_scope(part[0].scope, groups)
            metrics = _metrics_of(part)
            result = await run(self.ctx.db, org_id, metrics, scope, part[0].period)
            per_value = 2 if self.compare else 1
            self.ctx.loader(MetricMeter).values += len(groups) * len(metrics) * per_value
            return result

        # concurrently, so every part joins the request's one metric statement
        results = await asyncio.gather(*(one(p) for p in parts))
        found: dict[MetricKey, Any] = {}
        for part, result in zip(parts, results, strict=True):
            for k in part:
                found[k] = result.get(k.group, {}).get(k.metric)
        return [found[k] for k in keys]


class MetricChangeLoader(MetricTotalsLoader):
    """`MetricKey` -> `Change` (period vs the previous period, one statement per part)."""

    compare = True


class MetricSeriesLoader(RequestLoader):
    """`SeriesKey` -> `SeriesResult` restricted to the key's metrics."""

    async def batch_load_fn(self, keys: Sequence[SeriesKey]) -> list[Any]:
        (org_id,) = self.args
        parts = list(_partition(keys, lambda k: (k.granularity,)).values())

        async def one(part: list[SeriesKey]) -> dict:
            first = part[0]
            groups = list(dict.fromkeys(k.group for k in part))
            scope = _batch_scope(first.scope, groups)
            metrics = _metrics_of(part)
            result = await engine.series(
                self.ctx.db, org_id, metrics, scope, first.period, first.granularity
            )
            buckets = len(next(iter(result.values())).buckets) if result else 0
            self.ctx.loader(MetricMeter).values += len(groups) * len(metrics) * buckets
            return result

        results = await asyncio.gather(*(one(p) for p in parts))
        found: dict[SeriesKey, SeriesResult] = {}
        for part, result in zip(parts, results, strict=True):
            for k in part:
                full = result[k.group]
                found[k] = replace(
                    full,
                    values={m: full.values[m] for m in k.metrics},
                    totals={m: full.totals[m] for m in k.metrics},
                )
        return [found[k] for k in keys]


class MetricAsk(NamedTuple):
    """A metric read the fields of a lookup's rows will make, for each row's subject id
    (the loaders' `group`): `kind` "total" (`load_total`), "change" or "series"."""

    kind: str
    metrics: tuple[str, ...]
    period: ResolvedPeriod
    scope: Scope = _ALL
    granularity: Granularity | None = None


async def read_ahead(
    ctx: Context, asks: Sequence[MetricAsk], subjects: Lookup, *, org_id: int | None = None
) -> None:
    """Read `asks` for every subject of `subjects` (call it concurrently with the lookup's
    `run_lookup`: one statement) and prime the request's loaders with the values, keyed
    as `load_total` / `load_change` / `load_series` key them. Subjects the lookup names
    no id for are not read."""
    org = _org(ctx, org_id)

    def part_of(a: MetricAsk) -> tuple:
        return (a.kind, get_metric(a.metrics[0]).subject_type, a.scope, a.period, a.granularity)

    parts: dict[tuple, dict[str, None]] = {}
    for a in asks:
        parts.setdefault(part_of(a), {}).update(dict.fromkeys(a.metrics))

    async def one(part: tuple) -> dict | None:
        kind, _, scope, period, granularity = part
        metrics, scoped = list(parts[part]), replace(scope, ids=subjects)
        try:
            if kind == "series":
                return await engine.series(ctx.db, org, metrics, scoped, period, granularity)
            run = engine.compare if kind == "change" else engine.totals
            return await run(ctx.db, org, metrics, scoped, period)
        except InvalidInput:  # raised before anything is sent: the fields report it
            return None

    results = dict(zip(parts, await asyncio.gather(*(one(p) for p in parts)), strict=True))
    ids = list(subjects.ids or ())
    meter = ctx.loader(MetricMeter)
    for part, result in results.items():  # counted as the loaders count their parts
        if result is None:
            continue
        kind, n = part[0], len(parts[part])
        if kind == "series":
            n *= len(next(iter(result.values())).buckets) if result else 0
        meter.values += len(ids) * n * (2 if kind == "change" else 1)
    loaders = {
        "total": ctx.loader(MetricTotalsLoader, org),
        "change": ctx.loader(MetricChangeLoader, org),
        "series": ctx.loader(MetricSeriesLoader, org),
    }
    for a in asks:
        found, loader = results[part_of(a)], loaders[a.kind]
        if found is None:
            continue
        for i in ids:
            if a.kind != "series":
                for m in a.metrics:
                    loader.prime(MetricKey(m, i, a.period, a.scope), found[i][m])
                continue
            full = found[i]
            loader.prime(
                SeriesKey(a.metrics, i, a.period, a.granularity, a.scope),
                replace(
                    full,
                    values={m: full.values[m] for m in a.metrics},
                    totals={m: full.totals[m] for m in a.metrics},
                ),
            )


def _org(ctx: Context, org_id: int | None) -> int:
    if org_id is not None:
        return org_id
    if ctx.principal is None:
        raise ValueError("no principal on the context: pass org_id explicitly")
    return ctx.principal.org_id


async def load_total(
    ctx: Context,
    metric: str,
    group: Hashable,
    period: ResolvedPeriod,
    scope: Scope = _ALL,
    *,
    org_id: int | None = None,
) -> Number | None:
    """One metric value of one subject/group, batched with the request's other loads."""
    get_metric(metric)  # fail fast, outside the batch
    loader = ctx.loader(MetricTotalsLoader, _org(ctx, org_id))
    return await loader.load(MetricKey(metric, group, period, scope))


async def load_totals(
    ctx: Context,
    loads: Sequence[tuple[str, Hashable, Scope]],
    period: ResolvedPeriod,
    *,
    org_id: int | None = None,
) -> list[Number | None]:
    """Several `(metric, group, scope)` values over one period, batched (no task
    per value: a node asking for six metrics costs six futures, not six coroutines)."""
    for metric, _, _ in loads:
        get_metric(metric)
    loader = ctx.loader(MetricTotalsLoader, _org(ctx, org_id))
    return await settle([loader.load(MetricKey(m, g, period, sc)) for m, g, sc in loads])


async def settle(futures: Sequence[asyncio.Future]) -> list[Any]:
    """The results of loader futures, in order — `load_many` without a gather (one
    batch settles them all, so awaiting them one by one costs nothing extra)."""
    try:
        return [await f for f in futures]
    except BaseException:
        for f in futures:  # the batch failed them all: mark the others' errors as seen
            if f.done() and not f.cancelled():
                f.exception()
        raise


async def load_change(
    ctx: Context,
    metric: str,
    group: Hashable,
    period: ResolvedPeriod,
    scope: Scope = _ALL,
    *,
    org_id: int | None = None,
) -> Change:
    """`Change` (current, previous, change, change_percent, direction), batched."""
    get_metric(metric)
    loader = ctx.loader(MetricChangeLoader, _org(ctx, org_id))
    return await loader.load(MetricKey(metric, group, period, scope))


async def load_series(
    ctx: Context,
    metrics: Sequence[str],
    group: Hashable,
    period: ResolvedPeriod,
    granularity: Granularity,
    scope: Scope = _ALL,
    *,
    org_id: int | None = None,
) -> SeriesResult:
    """The zero-filled series of `metrics` for one subject/group, batched."""
    engine.resolve_metrics(metrics)
    loader = ctx.loader(MetricSeriesLoader, _org(ctx, org_id))
    key = SeriesKey(tuple(metrics), group, period, Granularity(granularity), scope)
    return await loader.load(key)
