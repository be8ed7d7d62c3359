"""GraphQL types shared by every domain: the period input and its resolved echo,
granularity, period-over-period change, time series (compact lists + Relay edges), the
metrics catalog, and `metric_fields(...)`, which gives a node type the uniform
`metric / metrics / change / series` fields over the metric engine.

Every node type gets its metrics through `metric_fields`, so all five domains batch the
same way (one statement per subject type, scope and period, whatever the node count).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.metrics import (
    CATALOG,
    Granularity,
    PeriodSpec,
    Preset,
    ResolvedPeriod,
    Scope,
    load_change,
    load_series,
    load_total,
    load_totals,
    metrics_catalog,
    resolve_period,
)
from gateway.metrics.engine import Change
from gateway.metrics.loader import MetricAsk
from resolvers.connections import Edge, PageInfo, page_args
from resolvers.connections import encode_cursor as _cursor
from resolvers.lookahead import selected_arguments
from resolvers.permissions import IsAuthenticated

PeriodPreset = strawberry.enum(Preset, name="PeriodPreset", description="A rolling period.")
GranularityEnum = strawberry.enum(
    Granularity, name="Granularity", description="Bucket size; weeks start on Monday."
)

DEFAULT_PERIOD = PeriodSpec(preset=Preset.LAST_30D)


@strawberry.input(
    description="A period: a `preset`, or `start` and `end` (local days, both inclusive), "
    "in `timezone` (IANA name, default UTC). Omitted: the last 30 days."
)
class PeriodInput:
    preset: Preset | None = None
    start: date | None = None
    end: date | None = None
    timezone: str = "UTC"

    def to_spec(self) -> PeriodSpec:
        return PeriodSpec(
            preset=self.preset, start=self.start, end=self.end, timezone=self.timezone
        )


def period_of(
    info: Info[Context, Any], period: PeriodInput | None, *, earliest: datetime | None = None
) -> ResolvedPeriod:
    """Resolve a field's `period` argument with the request's one `now`."""
    spec = period.to_spec() if period is not None else DEFAULT_PERIOD
    return resolve_period(info.context, spec, earliest=earliest)


@strawberry.type(name="Period", description="The exact range a period argument resolved to.")
class PeriodRange:
    start: datetime = strawberry.field(description="Inclusive start (UTC instant).")
    end: datetime = strawberry.field(description="Exclusive end (UTC instant).")
    timezone: str
    preset: Preset | None
    start_date: date = strawberry.field(description="First local day.")
    end_date: date = strawberry.field(description="Last local day (inclusive).")
    days: int = strawberry.field(description="Local calendar days touched.")

    @classmethod
    def of(cls, rp: ResolvedPeriod) -> PeriodRange:
        return cls(
            start=rp.start,
            end=rp.end,
            timezone=rp.timezone,
            preset=rp.preset,
            start_date=rp.local_start_date,
            end_date=rp.local_end_date,
            days=rp.days,
        )


@strawberry.enum(description="Which way a value moved against the previous period.")
class Direction(enum.Enum):
    UP = "up"
    DOWN = "down"
    FLAT = "flat"


@strawberry.type(
    description="A value in a period against the previous period of equal length. "
    "`changePercent` is null when the previous value is 0."
)
class MetricChange:
    current: float | None
    previous: float | None
    change: float | None
    change_percent: float | None
    direction: Direction
    period: PeriodRange
    previous_period: PeriodRange

    @classmethod
    def of(cls, c: Change, rp: ResolvedPeriod) -> MetricChange:
        return cls(
            current=c.current,
            previous=c.previous,
            change=c.change,
            change_percent=c.change_percent,
            direction=Direction(c.direction),
            period=PeriodRange.of(rp),
            previous_period=PeriodRange.of(rp.previous()),
        )


@strawberry.type(description="One bucket of a series.")
class SeriesPoint:
    bucket: datetime
    value: float | None


@strawberry.type(
    description="A zero-filled series. `buckets` + `values` are the compact form dashboards "
    "should use (cheap to serialize); `edges`/`pageInfo` page through the same points."
)
class TimeSeries:
    metric: str
    unit: str
    period: PeriodRange
    granularity: Granularity
    total: float | None
    buckets: list[datetime]
    values: list[float | None]
    window: strawberry.Private[range]

    # Edges are built only when a client selects them: a dashboard asking for the
    # compact form of 50 series must not pay for 1,500 point objects and cursors.
    @strawberry.field
    def edges(self) -> list[Edge[SeriesPoint]]:
        return [
            Edge(cursor=_cursor(i), node=SeriesPoint(bucket=self.buckets[i], value=self.values[i]))
            for i in self.window
        ]

    @strawberry.field
    def page_info(self) -> PageInfo:
        w = self.window
        return PageInfo(
            has_next_page=w.stop < len(self.buckets),
            has_previous_page=w.start > 0,
            start_cursor=_cursor(w.start) if len(w) else None,
            end_cursor=_cursor(w.stop - 1) if len(w) else None,
        )


def build_series(
    metric: str,
    buckets: Sequence[datetime],
    values: Sequence[float | None],
    total: float | None,
    rp: ResolvedPeriod,
    granularity: Granularity,
    first: int | None,
    after: str | None,
) -> TimeSeries:
    page = page_args(first if first is not None else len(buckets), after, max_first=10_000)
    window = range(min(page.offset, len(buckets)), min(len(buckets), page.offset + page.limit))
    return TimeSeries(
        metric=metric,
        unit=CATALOG[metric].unit,
        period=PeriodRange.of(rp),
        granularity=granularity,
        total=total,
        buckets=list(buckets),
        values=list(values),
        window=window,
    )


@strawberry.type(description="A named metric value.")
class MetricValue:
    name: str
    value: float | None
    unit: str


@strawberry.input(description="Keep only events whose dimension `key` equals `value`.")
class DimensionFilter:
    key: str
    value: str


@strawberry.type(description="One metric Tally can compute.")
class MetricInfo:
    name: str
    subject_type: str
    description: str
    unit: str
    aggregation: str
    summable: bool


@strawberry.type
class CatalogQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Every metric Tally computes: unit, aggregation, summable.",
    )
    def metrics_catalog(self, subject_type: str | None = None) -> list[MetricInfo]:
        return [
            MetricInfo(
                name=m["name"],
                subject_type=m["subject_type"],
                description=m["description"],
                unit=m["unit"],
                aggregation=m["aggregation"],
                summable=m["summable"],
            )
            for m in metrics_catalog()
            if subject_type is None or m["subject_type"] == subject_type
        ]


# --- metric_fields ---------------------------------------------------------------------


@dataclass(frozen=True)
class MetricTarget:
    """How a node reaches the subjects of one subject type: the engine `scope`, and the
    node attribute holding the group key (None = the scope's org-wide total)."""

    scope: Scope = Scope()
    group_attr: str | None = "pk"


def _enum_member(subject_type: str, name: str, prefixed: bool) -> str:
    short = name.split(".", 1)[1]
    return (f"{subject_type}_{short}" if prefixed else short).upper()


def metric_enum(type_name: str, subject_types: Sequence[str]) -> type[enum.Enum]:
    """`<TypeName>Metric`: the catalog's metrics of `subject_types` as a GraphQL enum
    (prefixed with the subject type when a node spans several)."""
    prefixed = len(subject_types) > 1
    members = {
        _enum_member(m.subject_type, name, prefixed): name
        for name, m in sorted(CATALOG.items())
        if m.subject_type in subject_types
    }
    py_enum = enum.Enum(f"{type_name}Metric", members)
    return strawberry.enum(py_enum, description=f"Metrics available on {type_name}.")


def metric_fields(
    type_name: str,
    targets: dict[str, MetricTarget],
    *,
    permission_classes: Sequence[type] = (),
) -> type:
    """A strawberry type to inherit from: `metric`, `metrics`, `change`, `series` over the
    catalog metrics of `targets`' subject types, batched through the metric loaders."""
    MetricEnum = metric_enum(type_name, list(targets))
    perms = list(permission_classes)

    def _target(self: Any, name: str) -> tuple[Scope, Any]:
        target = targets[CATALOG[name].subject_type]
        group = getattr(self, target.group_attr) if target.group_attr else None
        return target.scope, group

    def _scope(scope: Scope, where: list[DimensionFilter] | None) -> Scope:
        if not where:
            return scope
        from dataclasses import replace

        return replace(scope, dims={f.key: f.value for f in where})

    async def metric(self, info, name, period=None, where=None):
        scope, group = _target(self, name.value)
        rp = period_of(info, period)
        return await load_total(info.context, name.value, group, rp, _scope(scope, where))

    async def metrics(self, info, names, period=None, where=None):
        rp = period_of(info, period)
        loads = []
        for n in names:
            scope, group = _target(self, n.value)
            loads.append((n.value, group, _scope(scope, where)))
        values = await load_totals(info.context, loads, rp)
        return [
            MetricValue(name=n.name.lower(), value=v, unit=CATALOG[n.value].unit)
            for n, v in zip(names, values, strict=True)
        ]

    async def change(self, info, name, period=None, where=None):
        scope, group = _target(self, name.value)
        rp = period_of(info, period)
        c = await load_change(info.context, name.value, group, rp, _scope(scope, where))
        return MetricChange.of(c, rp)

    async def series(
        self,
        info,
        metric,
        period=None,
        granularity=Granularity.DAY,
        where=None,
        first=None,
        after=None,
    ):
        scope, group = _target(self, metric.value)
        rp = period_of(info, period)
        s = await load_series(
            info.context, [metric.value], group, rp, granularity, _scope(scope, where)
        )
        return build_series(
            metric.value,
            s.buckets,
            s.values[metric.value],
            s.totals[metric.value],
            rp,
            granularity,
            first,
            after,
        )

    def asks(cls: Any, info: Info[Context, None], path: Sequence[str]) -> list[MetricAsk]:
        """The metric reads of these fields selected below the field being resolved
        (through `path`, e.g. `("nodes",)`), per node of the type — for a lookup that
        reads them for all its rows at once (`gateway.metrics.loader.read_ahead`). Only
        targets grouped by the node's own subject id (`pk`) are read ahead."""
        out: list[MetricAsk] = []

        def add(kind: str, names: Sequence[Any], args: dict, **kw: Any) -> None:
            for n in names:
                target = targets[CATALOG[n.value].subject_type]
                if target.group_attr != "pk" or target.scope.via is not None:
                    continue
                try:
                    rp = period_of(info, args.get("period"))
                except Exception:  # noqa: BLE001 - the field itself reports its input
                    continue
                scope = _scope(target.scope, args.get("where"))
                ask = MetricAsk(kind, (n.value,), rp, scope, **kw)
                if ask not in out:
                    out.append(ask)

        for args in selected_arguments(info, "metric", path):
            add("total", [args["name"]], args)
        for args in selected_arguments(info, "metrics", path):
            add("total", args["names"], args)
        for args in selected_arguments(info, "change", path):
            add("change", [args["name"]], args)
        for args in selected_arguments(info, "series", path):
            gran = Granularity(args.get("granularity", Granularity.DAY))
            add("series", [args["metric"]], args, granularity=gran)
        return out

    common = {
        "info": Info[Context, None],
        "period": PeriodInput | None,
        "where": list[DimensionFilter] | None,
    }
    metric.__annotations__ = {"name": MetricEnum, **common, "return": float | None}
    # Nullable: a refused permission nulls the field, not the node that holds it.
    metrics.__annotations__ = {
        "names": list[MetricEnum],
        **common,
        "return": list[MetricValue] | None,
    }
    change.__annotations__ = {"name": MetricEnum, **common, "return": MetricChange | None}
    series.__annotations__ = {
        "metric": MetricEnum,
        **common,
        "granularity": Granularity,
        "first": int | None,
        "after": str | None,
        "return": TimeSeries | None,
    }
    namespace = {
        "metric": strawberry.field(
            resolver=metric,
            permission_classes=perms,
            description="One metric's value over `period` (default: last 30 days).",
        ),
        "metrics": strawberry.field(
            resolver=metrics,
            permission_classes=perms,
            description="Several metrics over one period, in the order asked.",
        ),
        "change": strawberry.field(
            resolver=change,
            permission_classes=perms,
            description="A metric against the previous period of equal length.",
        ),
        "series": strawberry.field(
            resolver=series,
            permission_classes=perms,
            description="A metric bucketed by `granularity` in the period's timezone, "
            "zero-filled on the server.",
        ),
    }
    namespace["metric_asks"] = classmethod(asks)
    return strawberry.type(type(f"{type_name}Metrics", (), namespace))


def metric_field(method: str, metric: str, kind: Any, description: str | None = None, **kw: Any):
    """A field whose value is `await self.<method>(info, metric)`: the type's own reading of
    one metric (a total, a change) for the fields that differ only in the metric."""

    async def resolve(self: Any, info: Info[Context, None]) -> Any:
        return await getattr(self, method)(info, metric)

    resolve.__annotations__ = {"info": Info[Context, None], "return": kind}
    return strawberry.field(resolver=resolve, description=description, **kw)
