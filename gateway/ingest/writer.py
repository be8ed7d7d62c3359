"""The one way events enter Tally through the API: a single statement that inserts the
new events of a batch (idempotent on `(org_id, event_id)`) and adds exactly those rows to
every rollup level.

Because the rollups are updated from the rows the insert *returned*, a duplicate adds
nothing and a late event lands in its own (old) bucket: rollups always equal an
aggregate of the raw events, with no separate "live tail" to reconcile.

Cost grows with the batch's distinct rollup keys, not its events: each level upserts one
row per key (`Level.select_from` groups the inserted rows), in key order, and the events
themselves are inserted in `(org_id, event_id)` order. Every writer takes its row locks
in the same order, so concurrent batches that share keys queue instead of deadlocking.
Should PostgreSQL still report a deadlock or a serialization failure, the batch is
retried (`ATTEMPTS`, with jittered backoff; the statement is idempotent, so a retry
can neither lose nor double an event); when every attempt fails the caller gets
`WriteContention`, a 503 with `Retry-After`.

The batch travels as one array per column (`unnest`), so a batch is one round trip and
needs no staging table; `write_batches` sends several batches (the API's group commit,
`gateway.ingest.group`) as one such statement and credits each with its own new
events. Bulk loads (`gateway.ingest.bulk`) COPY chunks into a session-local staging
table instead (`stage_events`) and merge it with the same statement (`merge_staged`),
or, while every staged event has been new, with a plain insert and the same rollup
upserts (`merge_staged_new`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

import asyncpg

from gateway.db import asyncpg_connection
from gateway.errors import TallyError
from gateway.ingest.rollups import LEVELS, Level, rebuild_order

log = logging.getLogger(__name__)

ATTEMPTS = 6
BACKOFF_S = 0.02
"""First retry waits up to BACKOFF_S (full jitter), doubling per attempt (~0.6 s in all)."""
RETRYABLE = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)


class EventRow(NamedTuple):
    org_id: int
    event_id: str
    type: str
    subject_type: str
    subject_id: int
    ts: datetime
    actor_id: int | None
    value: float
    dims: str  # JSON text of the rolled-up dimensions ('{}' when none)
    attrs: str  # JSON text of free metadata ('{}' when none)


COLUMNS = EventRow._fields
_TYPES = ("bigint", "text", "text", "text", "bigint", "timestamptz", "bigint", "float8")
_TYPES += ("text", "text")


class WriteContention(TallyError):
    """The batch could not be written after every retry (sustained lock contention)."""

    code = "write_contention"
    status = 503


_BY_TABLE = {level.table: level for level in LEVELS}
UPSERT_ORDER = tuple(
    _BY_TABLE[t] for t in ("rollup_daily_actor", "rollup_daily", "rollup_daily_org")
)
"""The order a batch upserts the levels in, and so takes their row locks: the per-subject
levels first, the org-wide ones (whose few rows every batch of an org shares) last, so a
concurrent batch waits on them only for the end of another's statement and its commit;
within each group the finest (most keys, least shared) first."""
assert {lv.table for lv in UPSERT_ORDER} == set(_BY_TABLE), "every level, once"


def rollup_ctes(source: str) -> list[str]:
    """CTEs that add the rows of `source` (a CTE of inserted events) to every level:
    `a<i>` aggregates them to level i's key (a coarse level is summed from the aggregate
    of its finer level, so the batch is grouped once per grain), `l<i>` upserts those
    rows in key order."""
    index = {level.table: i for i, level in enumerate(LEVELS)}
    ctes = []
    for level in rebuild_order():
        i = index[level.table]
        finer = None if level.source is None else f"a{index[level.source]}"
        ctes.append(f"a{i} AS ({level.aggregate(source, finer)})")
    # PostgreSQL runs data-modifying CTEs that the main query does not read after it,
    # last-declared first (observed on 15 and 18; only speed depends on it). Declared in
    # reverse `UPSERT_ORDER`, the levels are upserted in that order.
    for level in reversed(UPSERT_ORDER):
        i = index[level.table]
        ctes.append(
            f"l{i} AS (INSERT INTO {level.table} AS r ({level.columns}, "
            f"{', '.join(level.values)}) SELECT * FROM a{i} ORDER BY {level.columns} "
            f"ON CONFLICT ({level.columns}) DO UPDATE SET {_added(level)})"
        )
    return ctes


def _added(level: Level) -> str:
    """The upsert's SET list: every value column plus the batch's. An hour column is NULL
    where that hour has no events, so NULL + x is x (and NULL + NULL stays NULL)."""
    sets = ["n = r.n + EXCLUDED.n", "total = r.total + EXCLUDED.total"]
    sets += [f"{c} = coalesce(r.{c} + EXCLUDED.{c}, r.{c}, EXCLUDED.{c})" for c in level.values[2:]]
    return ", ".join(sets)


def insert_new_sql(source: str, *, distinct: bool = True) -> str:
    """The CTE `new`: rows of `source` (event columns) not stored yet, inserted in key
    order, returning what the rollups need (and the key, to credit each batch of a
    group with its new events). `distinct`: `source` may repeat an event id."""
    pick = "DISTINCT ON (org_id, event_id)" if distinct else ""
    return f"""new AS (
    INSERT INTO events (org_id, event_id, type, subject_type, subject_id, ts, actor_id,
                        value, dims, attrs)
    SELECT {pick}
           org_id, event_id, type, subject_type, subject_id, ts, actor_id, value,
           dims::jsonb, attrs::jsonb
    FROM {source}
    ORDER BY org_id, event_id
    ON CONFLICT (org_id, event_id) DO NOTHING
    RETURNING org_id, event_id, type, subject_type, subject_id, ts, actor_id, value, dims
)"""


def merge_sql(source: str) -> str:
    """Insert the new events of `source`, then add exactly those rows to every rollup
    level (`gateway.ingest.rollups.LEVELS`), all in one statement returning the count."""
    return (
        "WITH "
        + ",\n".join([insert_new_sql(source), *rollup_ctes("new")])
        + ("\nSELECT count(*) FROM new")
    )


@functools.cache
def _batches_sql() -> str:
    """`merge_sql` over several batches sent as one set of arrays with a leading batch
    number: an event id repeated across batches counts as new for the first one only
    (as if the batches had been written one after the other). Returns (batch, new)."""
    args = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(("int", *_TYPES)))
    src = (
        "src AS MATERIALIZED (SELECT DISTINCT ON (org_id, event_id) * FROM "
        f"unnest({args}) AS b(batch, {', '.join(COLUMNS)}) ORDER BY org_id, event_id, batch)"
    )
    return (
        "WITH "
        + ",\n".join([src, insert_new_sql("src", distinct=False), *rollup_ctes("new")])
        + "\nSELECT s.batch, count(*) AS new FROM new JOIN src s USING (org_id, event_id)"
        " GROUP BY s.batch"
    )


def direct_merge_sql(source: str) -> str:
    """Insert every row of `source` into `events` as it is (no conflict handling: a
    repeated or already stored id fails the statement) and add them all to every rollup
    level: when all rows are new this equals `merge_sql`, without its sort, conflict
    checks and RETURNING."""
    cols = ", ".join(COLUMNS)
    insert = f"ins AS (INSERT INTO events ({cols}) SELECT {cols} FROM {source} RETURNING 1)"
    return "WITH " + ",\n".join([insert, *rollup_ctes(source)]) + "\nSELECT count(*) FROM ins"


STAGING = "events_staging"
"""The session-local (TEMP) table bulk loads COPY into before merging."""
# jsonb, not text as in the API's arrays: parsed once by the COPY, and the direct merge
# groups the rollups by the staged dims themselves.
_STAGED_TYPES = {"dims": "jsonb", "attrs": "jsonb"}
_CREATE_STAGING = f"""CREATE TEMP TABLE IF NOT EXISTS {STAGING} (
    {", ".join(f"{c} {_STAGED_TYPES.get(c, t)}" for c, t in zip(COLUMNS, _TYPES, strict=True))}
)"""


async def _retrying(conn: asyncpg.Connection, run):
    """`run()` in a (sub)transaction, retried on deadlock / serialization failure."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with conn.transaction():
                # JIT compilation costs more than these statements ever run.
                await conn.execute("SET LOCAL jit = off")
                return await run()
        except RETRYABLE as exc:
            if attempt == ATTEMPTS:
                log.warning("event batch not written after %d attempts: %s", attempt, exc)
                raise WriteContention(
                    f"The batch could not be written because of concurrent writes "
                    f"({attempt} attempts); nothing was stored. Retry it (it is safe to "
                    "resend: events are deduplicated on event_id)."
                ) from None
            log.info("event batch: %s; retrying (attempt %d)", exc, attempt + 1)
            await asyncio.sleep(random.uniform(0, BACKOFF_S * 2 ** (attempt - 1)))
    raise AssertionError("unreachable")


async def write_events(conn: asyncpg.Connection, rows: Iterable[Sequence]) -> int:
    """Write `rows` (EventRow-shaped tuples) and return how many were new. Runs in a
    savepoint of the caller's transaction when there is one, otherwise in its own
    transaction; deadlocks and serialization failures are retried (module docstring)."""
    return (await write_batches(conn, [list(rows)]))[0]


async def write_batches(
    conn: asyncpg.Connection, batches: Sequence[Sequence[Sequence]]
) -> list[int]:
    """Write several batches in one statement (the group commit of
    `gateway.ingest.group`); returns each batch's count of new events. Transaction and
    retries as `write_events`."""
    counts = [0] * len(batches)
    n = sum(len(b) for b in batches)
    if not n:
        return counts
    columns: list[list] = [[] for _ in range(len(COLUMNS) + 1)]
    for i, rows in enumerate(batches):
        if not rows:
            continue
        columns[0].extend([i] * len(rows))
        for col, values in zip(columns[1:], zip(*rows, strict=True), strict=True):
            col.extend(values)
    sql = _batches_sql()

    async def run() -> list[int]:
        out = [0] * len(batches)
        for batch, new in await conn.fetch(sql, *columns):
            out[batch] = new
        return out

    return await _retrying(conn, run)


async def stage_events(conn: asyncpg.Connection, rows: Sequence[Sequence]) -> None:
    """COPY `rows` into this session's staging table (call inside a transaction, then
    `merge_staged` in the same one)."""
    await conn.execute(_CREATE_STAGING)
    if rows:
        await conn.copy_records_to_table(STAGING, records=rows, columns=COLUMNS)


async def merge_staged(conn: asyncpg.Connection, *, work_mem: str = "256MB") -> int:
    """Write everything staged by `stage_events` (as `write_events` does) and empty the
    staging table; returns how many events were new."""
    await conn.execute(_CREATE_STAGING)
    sql = merge_sql(STAGING)

    async def run() -> int:
        await merge_settings(conn, work_mem)
        return int(await conn.fetchval(sql))

    new = await _retrying(conn, run)
    await conn.execute(f"TRUNCATE {STAGING}")
    return new


async def merge_staged_new(conn: asyncpg.Connection, *, work_mem: str = "256MB") -> int | None:
    """`merge_staged` for staged events that are all new (a file loaded for the first
    time): `direct_merge_sql`, in a savepoint. Returns how many were written, or None
    when one was not new (repeated in the staging table, already stored, or written
    meanwhile by another writer) or the statement met a deadlock: then nothing was
    written and the staging table is as it was, for `merge_staged`."""
    await conn.execute(_CREATE_STAGING)
    try:
        async with conn.transaction():
            await merge_settings(conn, work_mem)
            new = int(await conn.fetchval(direct_merge_sql(STAGING)))
    except (asyncpg.UniqueViolationError, *RETRYABLE):
        return None
    await conn.execute(f"TRUNCATE {STAGING}")
    return new


async def merge_settings(conn: asyncpg.Connection, work_mem: str = "256MB") -> None:
    """Settings for a merge of the staging table, local to the current transaction,
    and fresh statistics of what is staged."""
    # one statement for a whole file's worth of events: no request deadline applies
    await conn.execute(f"SET LOCAL work_mem = '{work_mem}'; SET LOCAL statement_timeout = 0")
    await conn.execute("SET LOCAL jit = off")
    await conn.execute(f"ANALYZE {STAGING}")


__all__ = [
    "COLUMNS",
    "STAGING",
    "EventRow",
    "WriteContention",
    "asyncpg_connection",
    "merge_staged",
    "merge_settings",
    "merge_staged_new",
    "stage_events",
    "write_batches",
    "write_events",
]
