"""One statement for every metric query of a request that is asked at the same moment.

GraphQL resolves sibling fields concurrently, and the loaders of one request (totals,
period-over-period changes, series, breakdowns) each dispatch their own batch in the
same event-loop tick. `MetricBatch.run` queues a compiled `Query` and, a few ticks
later, sends everything queued as ONE statement:

    SELECT 0 AS q, g, b, t, tot, v, o FROM (<query 0>) UNION ALL SELECT 1, ... FROM (<query 1>)

with the group key as text, the metric values as a `float8[]` and `o` the row's rank
under the query's own ORDER BY (LIMITs stay inside each branch). Every source branch
(one rollup level or raw-event range, see `compile`) becomes a CTE; equal values share
one bind parameter, so branches of different queries that differ only in their event
types are one CTE over the union of those types, which PostgreSQL materializes and
reads once (each query's aggregates FILTER by their own types).
Rows are split back per query in the shape `engine` expects: `(g, b, t, tot, m0, m1, ...)`.

Reads the engine has no shape for (distinct dims values, a weekday x hour grid, ...)
join the same statement as a `RawQuery` (`MetricBatch.run_raw`): the domain repository
builds its SELECT of `g` (text) and `v` (`float8[]`), binding values through the batch's
`Params`, and gets its rows back as `(g, v)`. So a dashboard's metric fields cost one
statement whatever mix of engine and repository reads they need.

A lookup (`scope.Lookup`, `MetricBatch.run_lookup`) is a repository's SELECT the metric
queries of the statement take their subjects from: it is the first CTE (`l0`, ...),
read once, its rows returned as JSON text, and scopes naming it select
`subject_id = ANY(ARRAY(SELECT id FROM l0 ...))` — a page of entities (or an entity and
its access check) and the metrics of its rows in one statement.

A batch of one engine query runs the query's own statement unchanged. Errors fail every
query of the batch (they share a statement); input errors are raised before queueing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import TextClause, text

from gateway.metrics.compile import Compiler, Params, Query, SharedBranches, validate
from gateway.metrics.scope import Lookup
from gateway.models.base import Base, from_json

M = TypeVar("M", bound=Base)

QUIET_TICKS = 4
MAX_TICKS = 16
MAX_ROUNDS = 4
"""A batch is sent once `QUIET_TICKS` event-loop turns pass without a new query (at most
`MAX_TICKS` turns after the first): sibling loaders and the fields below them join it.
While the request's connection is busy (statements run one at a time on it), sending
would only queue, so the batch waits for it to go idle and for the fields its results
release to ask their queries too (at most `MAX_ROUNDS` times). Waiting costs no I/O.
A query asked through a request loader reaches the queue three turns after its field
asked for it (the loader's dispatch, its batch task, the engine call), one asked
directly (`run_raw`) at once: four quiet turns let the first wait for the second."""


def _key_parser(q: Query) -> Callable[[Any], Any]:
    key = q.key
    if key == "total":
        return lambda g: None
    if key.startswith("dim:"):
        return lambda g: g
    if key == "via":
        from gateway.models import Base

        via = q.scope.via
        column = Base.metadata.tables[via.table].c[via.group_col]
        if column.type.python_type is int:
            return lambda g: None if g is None else int(g)
        return lambda g: g
    return lambda g: None if g is None else int(g)  # subject, actor, hour, weekday


@dataclass(frozen=True)
class RawQuery:
    """A repository's read sent in the request's metric statement: `build(params)`
    returns a SELECT with the columns `g` (text or NULL) and `v` (a `double precision[]`),
    binding every value through `params` (`Params`: value -> ":name")."""

    build: Callable[[Params], str]


Queued = Query | RawQuery | Lookup


def compile_batch(queries: list[Queued]) -> tuple[TextClause, dict[str, Any]]:
    """The one statement answering every query (each validated by the caller)."""
    params = Params()
    shared = SharedBranches()
    lookups = []
    for q in queries:
        if isinstance(q, Lookup) and q not in params.lookups:
            name = params.lookups[q] = f"l{len(params.lookups)}"
            lookups.append(f"{name} AS ({q.build(params)})")
    parts = []
    for i, q in enumerate(queries):
        if isinstance(q, Lookup):
            parts.append(
                f"SELECT {i} AS q, CAST(row_to_json(x) AS text) AS g,"
                " CAST(NULL AS timestamptz) AS b, 0 AS t, 0 AS tot,"
                " ARRAY[CAST(x.id AS double precision)] AS v, x.o AS o"
                f" FROM {params.lookups[q]} x"
            )
            continue
        if isinstance(q, RawQuery):
            parts.append(
                f"SELECT {i} AS q, CAST(x.g AS text) AS g, CAST(NULL AS timestamptz) AS b,"
                f" 0 AS t, 0 AS tot, CAST(x.v AS double precision[]) AS v, 0 AS o"
                f" FROM ({q.build(params)}) x"
            )
            continue
        inner, order = Compiler(q, params).compile_sql(shared)
        values = ", ".join(f"CAST(x.m{j} AS double precision)" for j in range(len(q.metrics)))
        rank = f"row_number() OVER (ORDER BY {order})" if order else "0"
        parts.append(
            f"SELECT {i} AS q, CAST(x.g AS text) AS g, x.b, x.t, x.tot,"
            f" ARRAY[{values}] AS v, {rank} AS o FROM ({inner}) x"
        )
    ctes = ", ".join([*lookups, *filter(None, [shared.ctes(params)])])
    head = f"WITH {ctes} " if ctes else ""
    return text(head + " UNION ALL ".join(parts)), params.values


def split_rows(queries: list[Queued], rows: list[Any]) -> list[list[tuple]]:
    """Rows of the batch statement back per query, in each query's order (`(g, v)` for a
    `RawQuery`, the row's JSON text for a `Lookup`, whose `ids` it sets)."""
    parsers = [_key_parser(q) if isinstance(q, Query) else None for q in queries]
    out: list[list[Any]] = [[] for _ in queries]
    for q, g, b, t, tot, v, _rank in sorted(rows, key=lambda r: (r[0], r[6])):
        parse = parsers[q]
        if isinstance(queries[q], Lookup):
            out[q].append((g, None if v[0] is None else int(v[0])))
        elif parse is None:
            out[q].append((g, v))
        else:
            out[q].append((parse(g), b, t, tot, *v))
    for i, q in enumerate(queries):
        if isinstance(q, Lookup):
            q.ids = [k for _, k in out[i] if k is not None]
            out[i] = [g for g, _ in out[i]]
    return out


class MetricBatch:
    """The request's queue of metric queries (one per `db`, see `MetricBatch.of`)."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self._queue: list[tuple[Queued, asyncio.Future]] = []
        self.statements = 0

    @classmethod
    def of(cls, db: Any) -> MetricBatch:
        batch = getattr(db, "_metric_batch", None)
        if batch is None:
            batch = cls(db)
            db._metric_batch = batch
        return batch

    async def run(self, q: Query) -> list[Any]:
        validate(q)
        return await self._enqueue(q)

    async def run_raw(self, build: Callable[[Params], str]) -> list[tuple[str | None, list]]:
        """Rows `(g, v)` of a repository's SELECT (see `RawQuery`), sent with the request's
        other metric queries of this moment."""
        return await self._enqueue(RawQuery(build))

    async def run_rows(self, model: type[M], org_id: int, column: str, values: Any) -> list[M]:
        """The rows of `model`'s table in `org_id` whose `column` is one of `values` (a
        list, or a lookup's ids), read with the request's other metric queries of this
        moment and returned as transient `model` instances (`models.base.from_json`)."""
        table = model.__table__.name

        def build(p: Params) -> str:
            return (
                "SELECT CAST(row_to_json(t) AS text) AS g, CAST(NULL AS double precision[])"
                f" AS v FROM {table} t WHERE t.org_id = {p(org_id)}"
                f" AND t.{column} {p.any_of(values)}"
            )

        return [from_json(model, g) for g, _ in await self.run_raw(build)]

    async def run_lookup(self, lookup: Lookup) -> list[str]:
        """The rows of `lookup` (see `scope.Lookup`) as JSON text, read in the request's
        metric statement with the queries that take their subjects from it (queue those
        in the same moment, e.g. with `asyncio.gather`)."""
        return await self._enqueue(lookup)

    async def _enqueue(self, q: Queued) -> list[Any]:
        fut = asyncio.get_running_loop().create_future()
        self._queue.append((q, fut))
        if len(self._queue) == 1:
            asyncio.ensure_future(self._flush())
        return await fut

    async def _quiet(self) -> None:
        quiet, seen = 0, len(self._queue)
        for _ in range(MAX_TICKS):
            await asyncio.sleep(0)
            quiet = quiet + 1 if len(self._queue) == seen else 0
            seen = len(self._queue)
            if quiet >= QUIET_TICKS:
                return

    async def _flush(self) -> None:
        for _ in range(MAX_ROUNDS):
            await self._quiet()
            if not getattr(self.db, "busy", False):
                break
            await self.db.idle()
        batch, self._queue = self._queue, []
        live = [(q, f) for q, f in batch if not f.done()]
        if not live:
            return
        queries = [q for q, _ in live]
        try:
            if len(queries) == 1 and isinstance(queries[0], Query):
                stmt, params = Compiler(queries[0]).compile()
                results = [list((await self.db.execute(stmt, params)).all())]
            else:
                stmt, params = compile_batch(queries)
                rows = list((await self.db.execute(stmt, params)).all())
                results = split_rows(queries, rows)
            self.statements += 1
        except BaseException as exc:
            for _, f in live:
                if not f.done():
                    f.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, f), result in zip(live, results, strict=True):
            if not f.done():
                f.set_result(result)
