"""Prometheus metrics (prometheus-client): the metric objects every module increments,
the SQL and pool hooks, and the `/metrics` exposition.

Import the objects and count on them, e.g. `CACHE.labels("athena", "hit").inc()` or
`RATE_LIMITED.labels("token").inc()`. With several server processes, `tally serve` sets
`PROMETHEUS_MULTIPROC_DIR` (a directory under the data dir, emptied at start; see
`gateway.serve.prepare_metrics_dir`) before this module is imported, and `/metrics`
aggregates every process's files.

Label values stay bounded: routes are templates, GraphQL operation names are kept only
when they look like names and only the first `MAX_OPERATIONS` distinct ones per process.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from gateway import logs

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATIONS = 200
_OPERATION = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")

REQUESTS = Counter(
    "tally_requests_total",
    "HTTP requests by route (or GraphQL operation), method and status.",
    ["route", "operation", "method", "status"],
)
LATENCY = Histogram(
    "tally_request_duration_seconds",
    "Request latency by route (or GraphQL operation).",
    ["route", "operation"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
REQUEST_SQL_STATEMENTS = Histogram(
    "tally_request_sql_statements",
    "SQL statements executed per request.",
    ["route"],
    buckets=(0, 1, 2, 3, 4, 6, 8, 12, 16, 25, 50, 100),
)
REQUEST_SQL_SECONDS = Histogram(
    "tally_request_sql_seconds",
    "Time spent in SQL statements per request.",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15),
)
CACHE = Counter(
    "tally_cache_requests_total",
    "Cache lookups by cache (athena = the REST response cache, principal) and result.",
    ["cache", "result"],
)
RATE_LIMITED = Counter(
    "tally_rate_limited_total",
    "Requests rejected by a rate limit, by the kind of key (token, address).",
    ["key"],
)
POOL_IN_USE = Gauge(
    "tally_db_pool_connections_in_use",
    "Database connections checked out of the pool.",
    multiprocess_mode="livesum",
)
POOL_OPEN = Gauge(
    "tally_db_pool_connections_open",
    "Database connections open in the pool (idle or in use).",
    multiprocess_mode="livesum",
)

_operations: set[str] = set()


def operation_label(name: str | None) -> str:
    """A bounded label for a GraphQL operation name."""
    if not name:
        return ""
    if name in _operations:
        return name
    if not _OPERATION.fullmatch(name):
        return "invalid"
    if len(_operations) >= MAX_OPERATIONS:
        return "other"
    _operations.add(name)
    return name


def observe_request(
    route: str, method: str, status: int, seconds: float, rec: logs.RequestRecord
) -> None:
    operation = operation_label(rec.operation)
    REQUESTS.labels(route, operation, method, str(status)).inc()
    LATENCY.labels(route, operation).observe(seconds)
    REQUEST_SQL_STATEMENTS.labels(route).observe(rec.sql_statements)
    if rec.sql_statements:
        REQUEST_SQL_SECONDS.labels(route).observe(rec.sql_seconds)


def cache_lookup(cache: str, hit: bool) -> None:
    CACHE.labels(cache, "hit" if hit else "miss").inc()


# --- SQL and pool hooks ----------------------------------------------------------------


def instrument_engine(engine: Any) -> None:
    """Count each request's SQL statements and time, and the pool's connections."""
    from sqlalchemy import event

    sync = getattr(engine, "sync_engine", engine)
    if sync.dialect.name != "postgresql" or getattr(sync, "_tally_instrumented", False):
        return
    sync._tally_instrumented = True

    @event.listens_for(sync, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany) -> None:
        conn.info["tally_sql_started"] = time.perf_counter()

    @event.listens_for(sync, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany) -> None:
        rec = logs.current.get()
        started = conn.info.pop("tally_sql_started", None)
        if rec is not None and started is not None:
            rec.sql_statements += 1
            rec.sql_seconds += time.perf_counter() - started

    @event.listens_for(sync, "handle_error")
    def _error(context) -> None:
        rec = logs.current.get()
        conn = context.connection
        started = conn.info.pop("tally_sql_started", None) if conn is not None else None
        if rec is not None and started is not None:
            rec.sql_statements += 1
            rec.sql_seconds += time.perf_counter() - started

    @event.listens_for(sync.pool, "connect")
    def _connect(dbapi_conn, record) -> None:
        POOL_OPEN.inc()

    @event.listens_for(sync.pool, "close")
    def _close(dbapi_conn, record) -> None:
        POOL_OPEN.dec()

    @event.listens_for(sync.pool, "checkout")
    def _checkout(dbapi_conn, record, proxy) -> None:
        POOL_IN_USE.inc()

    @event.listens_for(sync.pool, "checkin")
    def _checkin(dbapi_conn, record) -> None:
        POOL_IN_USE.dec()


# --- exposition ------------------------------------------------------------------------


def process_exited(pid: int) -> None:
    """Drop a finished server process's live gauges (multiprocess mode)."""
    if os.environ.get(MULTIPROC_ENV):
        mark_process_dead(pid)


class _Fixed:
    """A collector of values computed just before the scrape (job queue)."""

    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self):
        return self.families


async def job_queue_families(db: Any) -> list[GaugeMetricFamily]:
    from gateway.jobs.service import queue_stats

    depth = GaugeMetricFamily("tally_jobs_queued", "Jobs waiting to run, by kind.", labels=["kind"])
    age = GaugeMetricFamily(
        "tally_jobs_oldest_queued_age_seconds",
        "Age of the oldest waiting job, by kind.",
        labels=["kind"],
    )
    async with db.session() as session:
        for kind, count, oldest in await queue_stats(session):
            depth.add_metric([kind], count)
            age.add_metric([kind], oldest)
    return [depth, age]


async def exposition(db: Any) -> tuple[bytes, str]:
    """The `/metrics` body and its content type."""
    extra: list[GaugeMetricFamily] = []
    try:
        extra = await job_queue_families(db)
    except Exception as exc:  # metrics stay available while the database is not
        logs.log.warning("metrics: job queue unavailable: %s", exc)
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Registered())
    registry.register(_Fixed(extra))
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Registered:
    """This process's metrics (the default registry) inside a per-scrape registry."""

    def collect(self):
        return REGISTRY.collect()
