"""Metric requests -> one SQL statement. All of the metric engine's SQL lives here.

A `Query` (metrics, scope, time segments, group key, optional time key) compiles to

    SELECT g, b, t, GROUPING(b) AS tot, <one column per metric>
    FROM (<source rows> UNION ALL ...) s [JOIN <via table> v]
    GROUP BY g, b, t            -- or GROUPING SETS ((g, b, t), (g, t)) for series totals

Every metric is reduced to "atoms" (`count` = sum of n, `sum` = sum of total, `distinct`
= count(DISTINCT actor_id)), each an aggregate with a FILTER on its event types and a
source tag, and the metric's value is an SQL expression over its atoms (so ratios are
ratios of sums and averages are total/n over the group). Atoms are read from one of:

* `h`: counts and sums by the coarsest level that fits: whole UTC days from
  `rollup_daily` (or `rollup_daily_org` when the question is org-wide: no subject
  filter and no per-subject grouping), the remaining whole UTC hours from `rollup_hourly`
  (`rollup_hourly_org`; views of those rows' hour columns, bounded by `day` too), raw
  `events` only for the partial hours at the edges — exact at any `now`, and a 30-day
  dashboard reads ~30 rows per series instead of ~720. A level is skipped when its rows
  would cut through a requested bucket or group (hour-of-day questions, or a timezone
  whose local days are not UTC days);
* `d`: `rollup_daily_actor` for whole UTC days, raw `events` for the partial days: used for
  distinct actors, and for counts/sums when filtering or grouping by actor;
* `r`: raw `events` only: when a dims filter meets an actor need (rollup_daily_actor has
  no dims), or when the requested buckets cut through rollup rows (a timezone whose
  offset is not a whole hour such as Asia/Kolkata, or local days/hours/weekdays from the
  UTC-day rollup in a non-UTC timezone).

Several segments (period and previous period) are read in the same statement and told
apart with a CASE on the timestamp (column `t` = segment index).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.dialects import postgresql

from gateway.errors import InvalidInput
from gateway.metrics.buckets import HOUR, Granularity, aligned, offsets_multiple_of, trunc_sql
from gateway.metrics.catalog import CATALOG, Metric
from gateway.metrics.periods import ResolvedPeriod
from gateway.metrics.scope import Lookup, Scope
from gateway.models.events import hour_days
from gateway.vocabulary import EVENT_KINDS

DAY = timedelta(days=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# group keys: "subject", "via", "total", "actor", "dim:<key>", "hour_of_day", "day_of_week"
TIME_KEYS = ("hour_of_day", "day_of_week")
TYPES = "@types"
"""Stands for a source branch's event-type list until the statement is assembled: a
batch reads each branch shape once, for the union of the types its queries need."""


@dataclass
class Query:
    org_id: int
    metrics: list[Metric]
    scope: Scope
    segments: list[ResolvedPeriod]
    key: str  # see above
    granularity: Granularity | None = None
    bucket_starts: list[datetime] = field(default_factory=list)
    order_by: str | None = None  # a metric name or "key" (SQL ORDER BY; ties by key)
    descending: bool = True
    limit: int | None = None

    @property
    def subject_type(self) -> str:
        return self.metrics[0].subject_type


class Params:
    """Bind parameters of one statement. Equal values share one name, so identical
    source branches of different queries in a batch compile to identical SQL. Also the
    statement's lookups (`scope.Lookup`): the CTE name of each one the batch reads."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self._names: dict[tuple[type, str], str] = {}
        self.lookups: dict[Lookup, str] = {}

    def rows_of(self, lookup: Lookup) -> str:
        """A FROM item of `lookup`'s rows: its CTE, or (a lookup the statement does not
        read as a CTE) its SELECT as a subquery."""
        name = self.lookups.get(lookup)
        return name if name is not None else f"({lookup.build(self)})"

    def sql_of(self, stmt: Any) -> str:
        """The SQL of a SQLAlchemy statement, its values bound through these parameters
        (a repository's query written with the ORM, sent in the metric statement)."""
        compiled = stmt.compile(
            dialect=postgresql.dialect(paramstyle="named"),
            compile_kwargs={"render_postcompile": True},
        )
        values = compiled.params

        def bind(m: re.Match) -> str:
            if m[1] not in values:
                return m[0]
            name = self(values[m[1]])
            return f"CAST({name} AS {m[2]})" if m[2] else name

        # the dialect's `:x::TYPE` bind casts as CAST(...): text() takes `:x::` for no bind
        return re.sub(r"(?<![:\w]):(\w+)(?:::(\w+(?:\[\])?))?", bind, compiled.string)

    def any_of(self, values: Any) -> str:
        """`= ANY(:p)` for a list of values, `= ANY(ARRAY(SELECT id ...))` for a lookup's
        ids. The ARRAY form is evaluated once (an InitPlan) and then drives the index like
        a literal list, with or without planner statistics; `IN (SELECT ...)` was planned
        as a nested loop over every rollup row on a database never analyzed (up to 186x
        slower, `python -m bench --no-statistics`)."""
        if isinstance(values, Lookup):
            return f"= ANY(ARRAY(SELECT lk.id FROM {self.rows_of(values)} lk))"
        return f"= ANY({self(list(values))})"

    def __call__(self, value: Any) -> str:
        key = (type(value), repr(value))
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = f"p{len(self.values)}"
            self.values[name] = value
        return ":" + name


def _floor(t: datetime, step: timedelta) -> datetime:
    return t - ((t - EPOCH) % step)


def _ceil(t: datetime, step: timedelta) -> datetime:
    f = _floor(t, step)
    return f if f == t else f + step


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted(i for i in intervals if i[0] < i[1]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def split(
    segments: list[ResolvedPeriod], step: timedelta
) -> tuple[list[tuple[datetime, datetime]], list[tuple[datetime, datetime]]]:
    """(rollup intervals aligned to `step`, raw-event intervals) covering the segments."""
    rollup, raw = [], []
    for seg in segments:
        a, b = _ceil(seg.start, step), _floor(seg.end, step)
        if a < b:
            rollup.append((a, b))
            raw += [(seg.start, a), (b, seg.end)]
        else:
            raw.append((seg.start, seg.end))
    return _merge(rollup), _merge(raw)


def split_levels(
    segments: list[ResolvedPeriod], steps: list[timedelta]
) -> tuple[list[list[tuple[datetime, datetime]]], list[tuple[datetime, datetime]]]:
    """Intervals per rollup level (`steps`, coarsest first, each aligned to its step) and
    the raw-event remainder, together covering the segments exactly once."""
    pending = [(seg.start, seg.end) for seg in segments]
    per_level = []
    for step in steps:
        whole, rest = [], []
        for a0, b0 in pending:
            a, b = _ceil(a0, step), _floor(b0, step)
            if a < b:
                whole.append((a, b))
                rest += [(a0, a), (b, b0)]
            else:
                rest.append((a0, b0))
        per_level.append(_merge(whole))
        pending = [i for i in rest if i[0] < i[1]]
    return per_level, _merge(pending)


def _via_check(scope: Scope) -> None:
    from gateway.models import Base

    via = scope.via
    table = Base.metadata.tables.get(via.table)
    if table is None or "org_id" not in table.c:
        raise InvalidInput(f"Unknown entity table {via.table!r} for a metric grouping.")
    cols = [via.id_col, *([via.group_col] if via.group_col else []), *(k for k, _ in via.where)]
    for col in cols:
        if col not in table.c:
            raise InvalidInput(f"Table {via.table!r} has no column {col!r}.")


def _allowed_dims(metrics: list[Metric]) -> set[str]:
    dims: set[str] = set()
    for m in metrics:
        for t in m.event_types:
            dims.update(EVENT_KINDS[(m.subject_type, t)].dims)
    return dims


def validate(q: Query) -> None:
    if q.scope.via is not None:
        _via_check(q.scope)
    wanted = [k for k, _ in q.scope.dims]
    if q.key.startswith("dim:"):
        wanted.append(q.key[4:])
    allowed = _allowed_dims(base_of(q.metrics))
    for k in wanted:
        if k not in allowed:
            listed = ", ".join(sorted(allowed)) or "none"
            raise InvalidInput(
                f"Dimension {k!r} is not recorded for these metrics (available: {listed}).",
                field="dims",
            )


def base_of(metrics: list[Metric]) -> list[Metric]:
    out: list[Metric] = []
    for m in metrics:
        if m.aggregation == "ratio":
            out += base_of([CATALOG[m.numerator], CATALOG[m.denominator]])
        else:
            out.append(m)
    return out


class SharedBranches:
    """The source branches of a batch: branch SQL (with the `TYPES` marker) -> its CTE
    name and the union of the event types its queries read."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[str, set[str]]] = {}

    def add(self, sql: str, types: set[str]) -> str:
        entry = self.entries.get(sql)
        if entry is None:
            entry = self.entries[sql] = (f"s{len(self.entries)}", set())
        entry[1].update(types)
        return entry[0]

    def ctes(self, params: Params) -> str:
        return ", ".join(
            f"{name} AS ({sql.replace(TYPES, params(sorted(types)))})"
            for sql, (name, types) in self.entries.items()
        )


class Compiler:
    def __init__(self, q: Query, params: Params | None = None) -> None:
        self.q = q
        self.p = params or Params()
        self.org = self.p(q.org_id)
        self.st = self.p(q.subject_type)
        self._tz: str | None = None
        self.atoms: dict[tuple, str] = {}
        self.types_by_src: dict[str, set[str]] = {}
        needs_actor = q.scope.actor_ids is not None or q.key == "actor"
        self.needs_actor = needs_actor
        self.aligned = {"h": self._aligned(HOUR), "d": self._aligned(DAY)}

    @property
    def tz(self) -> str:
        if self._tz is None:
            self._tz = self.p(self.q.segments[0].timezone)
        return self._tz

    # -- source choice -------------------------------------------------------------
    def _aligned(self, step: timedelta) -> bool:
        """Whether rollup rows of grain `step` fall wholly inside one group/bucket."""
        q = self.q
        if q.granularity is not None:
            return aligned(q.bucket_starts, step)
        if q.key == "hour_of_day":
            return step == HOUR and all(offsets_multiple_of(s, HOUR) for s in q.segments)
        if q.key == "day_of_week":
            return all(offsets_multiple_of(s, step) for s in q.segments)
        return True

    def _source(self, kind: str, m: Metric) -> str:
        needs_dims = bool(m.dims or self.q.scope.dims or self.q.key.startswith("dim:"))
        if kind == "d":
            src = "r" if needs_dims else "d"
        elif not self.needs_actor:
            src = "h"
        else:
            src = "r" if needs_dims else "d"
        return src if src == "r" or self.aligned[src] else "r"

    # -- metric expressions ----------------------------------------------------------
    def _atom(self, kind: str, m: Metric) -> str:
        src = self._source(kind, m)
        key = (kind, m.event_types, m.dims, src)
        found = self.atoms.get(key)
        if found:
            return found
        self.types_by_src.setdefault(src, set()).update(m.event_types)
        cond = f"src = '{src}' AND type = ANY({self.p(list(m.event_types))})"
        for k, v in m.dims:
            cond += f" AND (dims ->> {self.p(k)}) = {self.p(v)}"
        if kind == "n":
            sql = f"coalesce(sum(n) FILTER (WHERE {cond}), 0)"
        elif kind == "t":
            sql = f"coalesce(sum(total) FILTER (WHERE {cond}), 0)"
        else:
            sql = f"count(DISTINCT actor_id) FILTER (WHERE {cond})"
        self.atoms[key] = sql
        return sql

    def metric_sql(self, m: Metric) -> str:
        agg = m.aggregation
        if agg == "count":
            return self._atom("n", m)
        if agg == "distinct_actors":
            return self._atom("d", m)
        if agg == "sum":
            t = self._atom("t", m)
            return t if m.scale == 1 else f"({t}) * {float(m.scale)!r}"
        if agg == "avg":
            t, n = self._atom("t", m), self._atom("n", m)
            return f"CAST({t} AS double precision) / NULLIF({n}, 0) * {float(m.scale)!r}"
        num = self.metric_sql(CATALOG[m.numerator])
        den = self.metric_sql(CATALOG[m.denominator])
        return (
            f"({float(m.offset)!r} + {float(m.scale)!r} * CAST({num} AS double precision)"
            f" / NULLIF({den}, 0))"
        )

    # -- source rows -----------------------------------------------------------------
    def _ranged(self, select: str, col: str, intervals, *, days: bool = False) -> str:
        """`select` (a SELECT ... WHERE ...) once per interval of `col`, as UNION ALL:
        every branch then has a single range its index can seek, whatever the planner
        knows. (An OR of ranges was kept as a filter over the whole index prefix on a
        database without statistics: 60 ms instead of 1 ms for two partial hours of
        events.) Overlapping or touching intervals are merged first, so no row is read
        twice. `days`: `col` is an hourly view's `bucket`, and each branch also bounds its
        `day`, the column the index has (`gateway.models.events.hour_days`)."""
        merged: list[list] = []
        for a, b in sorted(intervals):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        branches = []
        for a, b in merged:
            branch = f"{select} AND {col} >= {self.p(a)} AND {col} < {self.p(b)}"
            if days:
                first, last = hour_days(a, b)
                branch += f" AND day >= {self.p(first)} AND day <= {self.p(last)}"
            branches.append(branch)
        return " UNION ALL ".join(branches)

    @property
    def org_wide(self) -> bool:
        """Whether the question needs no per-subject rows (org-level rollups serve it)."""
        q = self.q
        via = q.scope.via
        return (
            q.scope.ids is None
            and (via is None or not via.where)
            and q.key not in ("subject", "via", "actor")
            and not self.needs_actor
        )

    def _common(self, src: str, *, has_dims: bool, has_actor: bool, org: bool = False) -> str:
        q = self.q
        w = f"org_id = {self.org} AND subject_type = {self.st} AND type = ANY({TYPES})"
        if org:
            pass
        elif q.scope.ids is not None:
            w += f" AND subject_id {self.p.any_of(q.scope.ids)}"
        via = q.scope.via
        if not org and via is not None and via.where:
            conds = " AND ".join(f"v.{c} {self.p.any_of(vals)}" for c, vals in via.where)
            w += (
                f" AND subject_id = ANY(ARRAY(SELECT v.{via.id_col} FROM {via.table} v"
                f" WHERE v.org_id = {self.org} AND {conds}))"
            )
        if has_dims:
            for k, vals in q.scope.dims:
                w += f" AND (dims ->> {self.p(k)}) = ANY({self.p([str(v) for v in vals])})"
        if has_actor and q.scope.actor_ids is not None:
            w += f" AND actor_id = ANY({self.p(list(q.scope.actor_ids))})"
        return w

    def _events(self, src: str, intervals) -> str:
        return self._ranged(
            f"SELECT '{src}' AS src, subject_id, type, dims, ts, actor_id,"
            f" CAST(1 AS bigint) AS n, value AS total FROM events"
            f" WHERE {self._common(src, has_dims=True, has_actor=True)}",
            "ts",
            intervals,
        )

    def _levels(self) -> list[tuple[timedelta, str, str]]:
        """(step, table, time column) of the n/total rollup levels usable here."""
        org = self.org_wide
        levels = []
        if self.aligned["d"]:
            levels.append((DAY, "rollup_daily_org" if org else "rollup_daily", "day"))
        if self.aligned["h"]:
            levels.append((HOUR, "rollup_hourly_org" if org else "rollup_hourly", "bucket"))
        return levels

    def _rollup(self, table: str, col: str, intervals) -> str:
        org = table.endswith("_org")
        subject = "CAST(NULL AS bigint)" if org else "subject_id"
        if col == "day":
            ts = "CAST(day AS timestamp) AT TIME ZONE 'UTC'"
            intervals = [(a.date(), b.date()) for a, b in intervals]
        else:
            ts = "bucket"
        return self._ranged(
            f"SELECT 'h' AS src, {subject} AS subject_id, type, dims, {ts} AS ts,"
            f" CAST(NULL AS bigint) AS actor_id, n, total FROM {table}"
            f" WHERE {self._common('h', has_dims=True, has_actor=False, org=org)}",
            col,
            intervals,
            days=col == "bucket",
        )

    def branches(self) -> list[tuple[str, str]]:
        """(source tag, SQL with the `TYPES` marker) of every source branch."""
        out = []
        segs = self.q.segments
        for src in sorted(self.types_by_src):
            if src == "r":
                out.append((src, self._events("r", [(s.start, s.end) for s in segs])))
                continue
            if src == "h":
                levels = self._levels()
                per_level, raw = split_levels(segs, [step for step, _, _ in levels])
                for (_, table, col), intervals in zip(levels, per_level, strict=True):
                    if intervals:
                        out.append((src, self._rollup(table, col, intervals)))
                if raw or not any(per_level):
                    out.append((src, self._events(src, raw or [(segs[0].start, segs[0].start)])))
                continue
            rollup, raw = split(segs, DAY)
            if rollup:
                days = [(a.date(), b.date()) for a, b in rollup]
                out.append(
                    (
                        src,
                        self._ranged(
                            "SELECT 'd' AS src, subject_id, type, CAST(NULL AS jsonb) AS dims,"
                            " CAST(day AS timestamp) AT TIME ZONE 'UTC' AS ts, actor_id, n,"
                            " total FROM rollup_daily_actor"
                            f" WHERE {self._common('d', has_dims=False, has_actor=True)}",
                            "day",
                            days,
                        ),
                    )
                )
            if raw or not rollup:
                out.append((src, self._events(src, raw or [(segs[0].start, segs[0].start)])))
        return out

    # -- keys ------------------------------------------------------------------------
    def group_sql(self) -> str:
        key = self.q.key
        if key == "subject":
            return "s.subject_id"
        if key == "via":
            return f"v.{self.q.scope.via.group_col}"
        if key == "actor":
            return "s.actor_id"
        if key.startswith("dim:"):
            return f"(s.dims ->> {self.p(key[4:])})"
        if key == "hour_of_day":
            return f"CAST(extract(hour FROM s.ts AT TIME ZONE {self.tz}) AS int)"
        if key == "day_of_week":
            return f"CAST(extract(isodow FROM s.ts AT TIME ZONE {self.tz}) AS int)"
        return "CAST(NULL AS text)"

    def tag_sql(self) -> str:
        if len(self.q.segments) == 1:
            return "0"
        whens = " ".join(
            f"WHEN s.ts >= {self.p(seg.start)} AND s.ts < {self.p(seg.end)} THEN {i}"
            for i, seg in enumerate(self.q.segments)
        )
        return f"CASE {whens} END"

    def compile_sql(self, shared: SharedBranches | None = None) -> tuple[str, str | None]:
        """(the SELECT, its ORDER BY expression or None). With `shared`, every source
        branch is registered there and referenced by its CTE name, so branches of a batch
        that differ only in their event types are one CTE, read once."""
        q = self.q
        cols = [f"{self.metric_sql(m)} AS m{i}" for i, m in enumerate(q.metrics)]
        if shared is None:
            branches = [
                sql.replace(TYPES, self.p(sorted(self.types_by_src[src])))
                for src, sql in self.branches()
            ]
        else:
            branches = [
                f"SELECT * FROM {shared.add(sql, self.types_by_src[src])}"
                for src, sql in self.branches()
            ]
        union = " UNION ALL ".join(branches)
        b = (
            trunc_sql("s.ts", q.granularity, self.tz)
            if q.granularity is not None
            else "CAST(NULL AS timestamptz)"
        )
        join = ""
        if q.key == "via":
            via = q.scope.via
            # One index probe per row read (OFFSET 0 keeps the subquery from being
            # flattened into a join the planner may order either way): without
            # statistics, a nested loop over every entity of the org per row took 290 ms
            # instead of 3 for a mission's content.
            join = (
                f" CROSS JOIN LATERAL (SELECT v.{via.group_col} FROM {via.table} v"
                f" WHERE v.org_id = {self.org} AND v.{via.id_col} = s.subject_id OFFSET 0) v"
            )
        inner = (
            f"SELECT {self.group_sql()} AS g, {b} AS b, {self.tag_sql()} AS t, s.*"
            f" FROM ({union}) s{join}"
        )
        if shared is not None:
            # a shared branch also carries other queries' event types: keep them out of
            # this query's groups (its aggregates FILTER by type, its GROUP BY would not)
            own = sorted(set().union(*self.types_by_src.values()))
            inner += f" WHERE s.type = ANY({self.p(own)})"
        group = "GROUPING SETS ((g, b, t), (g, t))" if q.granularity else "g, b, t"
        sql = (
            f"SELECT g, b, t, GROUPING(b) AS tot, {', '.join(cols)}"
            f" FROM ({inner}) q GROUP BY {group}"
        )
        order = None
        if q.order_by is not None:
            direction = "DESC" if q.descending else "ASC"
            if q.order_by == "key":
                order = f"g {direction} NULLS LAST"
            else:
                idx = [m.name for m in q.metrics].index(q.order_by)
                order = f"m{idx} {direction} NULLS LAST, g ASC NULLS LAST"
            sql += f" ORDER BY {order}"
        if q.limit is not None:
            sql += f" LIMIT {self.p(int(q.limit))}"
        return sql, order

    def compile(self) -> tuple[TextClause, dict[str, Any]]:
        sql, _ = self.compile_sql()
        return text(sql), self.p.values


def compile_query(q: Query) -> tuple[TextClause, dict[str, Any]]:
    """The statement and its parameters for `q` (validated first)."""
    validate(q)
    return Compiler(q).compile()
