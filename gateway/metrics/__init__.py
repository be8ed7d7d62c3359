"""The metric engine: every number Tally serves is read through this package.

Public API (import from `gateway.metrics`):

Periods (`periods.py`)
    Preset                   LAST_24H TODAY LAST_7D LAST_30D LAST_90D YTD ALL
    PeriodSpec(preset=None, start=None, end=None, timezone="UTC")     frozen, hashable
    resolve(spec, now=None, earliest=None) -> ResolvedPeriod          raises InvalidInput
    ResolvedPeriod(start, end, timezone, preset): UTC datetimes, end exclusive;
        .previous() .duration .days .local_start .local_end .local_start_date
        .local_end_date (inclusive)
    LAST_7D/30D/90D = the last N local days including (the partial) today; custom `date`s
    are whole local days with `end` inclusive. See periods.py for every rule.

Buckets (`buckets.py`)
    Granularity              HOUR DAY WEEK MONTH (weeks start Monday)
    bucket_starts(rp, g) -> list[datetime]   local, DST-correct; > 5000 -> InvalidInput

Catalog (`catalog.py`)
    CATALOG: dict[str, Metric]   keyed "<subject_type>.<name>", e.g. "publication.views"
    Metric(name, description, unit, aggregation, event_types, scale, numerator,
           denominator, offset, dims) + .subject_type .summable
    aggregation: count | sum | avg | distinct_actors | ratio (ratio of sums)
    metrics_catalog() -> list[dict]     for the `metricsCatalog` query
    get_metric(name) -> Metric          InvalidInput naming the valid metrics

Scope (`scope.py`)
    Scope(ids=None, via=None, dims={}, actor_ids=None, total=False)
    Via(table, group_col=None, where={}, id_col="id")
        Scope(ids=[1, 2])                          -> one result per subject id
        Scope()                                    -> org-wide total (key None)
        Scope(ids=[1, 2], total=True)              -> combined total (key None)
        Scope(via=Via("content", group_col="mission_id", where={"mission_id": [7, 9]}))
                                                   -> one result per mission
        Scope(via=Via("content", group_col="platform"))   -> one result per platform
        Scope(dims={"provider": "openai"}), Scope(actor_ids=[...]) filter events.
    `actor_ids` works for every metric (read from rollup_daily_actor / raw events; kinds
    without actors match nothing). `dims` keys must be dims of the metrics' event kinds.

Reads (`engine.py`) — one SQL statement per call; metrics must share a subject type
    await totals(db, org_id, metrics, scope, period) -> {group: {metric: value}}
    await series(db, org_id, metrics, scope, period, granularity) -> {group: SeriesResult}
        SeriesResult(period, granularity, buckets, values={metric: [..]}, totals={..})
    await compare(db, org_id, metrics, scope, period) -> {group: {metric: Change}}
        Change(current, previous, change, change_percent, direction "up"|"down"|"flat");
        period and period.previous() are read in the same statement; change_percent is
        None when previous is 0 (or either value is None).
    await breakdown(db, org_id, metrics, scope, period, by, order_by=None,
                    descending=None, limit=100) -> list[BreakdownRow(key, values)]
        by: "subject" | "actor" | "dim:<key>" | "hour_of_day" | "day_of_week" | via group col
    Values: int for count / distinct_actors, float for sum / avg / ratio; empty = 0 for
    count / sum / distinct_actors and None for avg / ratio (nothing to divide). `db` is a
    `RequestSession` (ctx.db) or an AsyncSession.

GraphQL batching (`loader.py`) — use these from resolvers
    period = resolve_period(ctx, spec)             # one `now` per request
    await load_total(ctx, metric, group, period, scope=Scope()) -> value
    await load_change(ctx, metric, group, period, scope=Scope()) -> Change
    await load_series(ctx, metrics, group, period, granularity, scope=Scope()) -> SeriesResult
    `group` = subject id, via group value (scope.via.group_col set) or None (total); the
    org comes from ctx.principal (or `org_id=`). Loads of one tick with the same subject
    type, scope and period become one statement (MetricTotalsLoader, MetricChangeLoader,
    MetricSeriesLoader keyed by MetricKey / SeriesKey).

Reading strategy (`compile.py`): hourly rollups for the UTC-hour-aligned interior, raw
events for partial edge hours (so LAST_24H is exact); distinct actors from
rollup_daily_actor for whole UTC days plus raw events for partial days. Raw events only
when buckets cut through rollup rows: timezones with non-whole-hour offsets
(Asia/Kolkata) for any series/hour/weekday grouping, and distinct actors per local day /
week / month, hour_of_day or day_of_week in a timezone other than UTC.
"""

from gateway.metrics.buckets import MAX_BUCKETS, Granularity, bucket_starts
from gateway.metrics.catalog import CATALOG, Metric, get_metric, metrics_catalog
from gateway.metrics.engine import (
    BreakdownRow,
    Change,
    SeriesResult,
    breakdown,
    change,
    compare,
    series,
    totals,
)
from gateway.metrics.loader import (
    MetricChangeLoader,
    MetricKey,
    MetricSeriesLoader,
    MetricTotalsLoader,
    SeriesKey,
    load_change,
    load_series,
    load_total,
    load_totals,
    resolve_period,
)
from gateway.metrics.periods import PeriodSpec, Preset, ResolvedPeriod, resolve
from gateway.metrics.scope import Scope, Via

__all__ = [
    "CATALOG",
    "MAX_BUCKETS",
    "BreakdownRow",
    "Change",
    "Granularity",
    "Metric",
    "MetricChangeLoader",
    "MetricKey",
    "MetricSeriesLoader",
    "MetricTotalsLoader",
    "PeriodSpec",
    "Preset",
    "ResolvedPeriod",
    "Scope",
    "SeriesKey",
    "SeriesResult",
    "Via",
    "breakdown",
    "bucket_starts",
    "change",
    "compare",
    "get_metric",
    "load_change",
    "load_series",
    "load_total",
    "load_totals",
    "metrics_catalog",
    "resolve",
    "resolve_period",
    "series",
    "totals",
]
