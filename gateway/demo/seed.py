"""`seed_demo`: generate both demo orgs and load them in one transaction.

Generation runs in a worker thread and hands over event chunks through a small queue, so
Python builds the next chunk while PostgreSQL ingests the previous one. By default events
are COPYed straight into `events` with its indexes dropped, the rollups are rebuilt once
at the end (`gateway.ingest.rollups.rebuild_on`: the finest levels from `events`, the
coarser ones summed from those), and then every index is built in one sorted pass
(`gateway.ingest.indexes`). `method="write_events"` sends each chunk through
`gateway.ingest.writer.write_events` instead (same result, several times slower because
every chunk pays for the incremental index and rollup upserts).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import queue
import threading
import time
from datetime import UTC, datetime

import asyncpg
from sqlalchemy import text

from gateway.auth import create_token
from gateway.db import Database
from gateway.demo import athena, learning, mentors, missions, platform, publications
from gateway.demo.principals import PRINCIPALS, demo_token
from gateway.demo.result import SeedResult
from gateway.demo.shapes import DAYS, Timeline
from gateway.demo.tables import COLUMNS, Tables, load
from gateway.demo.world import GLOBEX_SCALE, SCALES, Sink, World
from gateway.errors import CliError
from gateway.ingest.indexes import indexes_dropped
from gateway.ingest.rollups import TABLES as ROLLUP_TABLES
from gateway.ingest.rollups import analyze_database, rebuild_on
from gateway.ingest.writer import COLUMNS as EVENT_COLUMNS
from gateway.ingest.writer import asyncpg_connection, write_events
from gateway.progress import Progress
from gateway.response_cache import notify_data_changed

DEFAULT_SEED = 42
CHUNK = 100_000
DOMAINS = (publications, missions, platform, mentors, learning, athena)
NOMINAL_EVENTS = {"tiny": 42_000, "small": 370_000, "medium": 2_150_000, "large": 12_700_000}
"""Roughly how many events each scale writes (for the progress bar)."""
ANALYZED_TABLES = ("events", *ROLLUP_TABLES, *COLUMNS)
"""Everything the seed loads gets fresh statistics (plans must not depend on autovacuum)."""


class AlreadySeeded(CliError):
    """The database already holds data; the demo only seeds an empty one."""


def default_anchor() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def _generate(seed: int, scale: str, tl: Timeline, tables: Tables, sink: Sink) -> None:
    orgs = (
        ("acme", "Acme Learning", SCALES[scale]),
        ("globex", "Globex Corporation", GLOBEX_SCALE),
    )
    worlds = []
    tables.reserved["users"] = {p.user_id for p in PRINCIPALS if p.user_id}
    for key, name, sc in orgs:
        oid = tables.new_id("orgs")
        tables.add(
            "orgs",
            oid,
            key,
            name,
            10_240 * (4 if key == "acme" else 1),
            datetime.fromtimestamp(tl.day_epoch(0), UTC),
        )
        w = World(
            seed=seed, org_id=oid, key=key, name=name, scale=sc, tl=tl, tables=tables, sink=sink
        )
        w.build_people()
        for domain in DOMAINS:
            domain.build(w)
        worlds.append(w)
    for w in worlds:
        for domain in DOMAINS:
            domain.events(w)
    sink.flush()


class _Producer(threading.Thread):
    """Runs `_generate` and passes chunks through a bounded queue (None = done)."""

    def __init__(self, seed: int, scale: str, tl: Timeline, tables: Tables) -> None:
        super().__init__(daemon=True, name="demo-generator")
        self.q: queue.Queue = queue.Queue(maxsize=3)
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.args_ = (seed, scale, tl, tables)

    def _put(self, rows: list | None) -> None:
        while not self.stop.is_set():
            try:
                self.q.put(rows, timeout=0.2)
                return
            except queue.Full:
                continue
        raise RuntimeError("demo generation cancelled")

    def run(self) -> None:
        seed, scale, tl, tables = self.args_
        try:
            _generate(seed, scale, tl, tables, Sink(tl.cutoff, CHUNK, self._put))
        except BaseException as exc:  # reported by the consumer
            self.error = exc
        finally:
            with contextlib.suppress(RuntimeError):
                self._put(None)


async def seed_demo(
    db: Database,
    *,
    scale: str = "small",
    seed: int = DEFAULT_SEED,
    quiet: bool = False,
    anchor: datetime | None = None,
    method: str = "copy",
) -> SeedResult:
    """Seed both demo orgs into an empty database and return what was written.

    `anchor` is "now" for the dataset (default: the current UTC hour); the same seed and
    anchor give identical data. `method` is `write_events` or `copy` (see module doc)."""
    if scale not in SCALES:
        raise CliError(f"unknown scale {scale!r}: use small, medium or large", 2)
    if method not in ("write_events", "copy"):
        raise ValueError(f"unknown method {method!r}")
    tl = Timeline(anchor or default_anchor())
    started = time.monotonic()
    async with db.session() as session:
        await session.execute(text("SET LOCAL statement_timeout = 0"))
        await session.execute(text("SET LOCAL work_mem = '256MB'"))
        conn = await asyncpg_connection(session)
        await _refuse_unless_empty(conn)
        tables = Tables()
        producer = _Producer(seed, scale, tl, tables)
        progress = (
            Progress(NOMINAL_EVENTS[scale], "demo events", unit="events") if not quiet else None
        )
        written = 0
        gen_started = time.monotonic()
        copy = method == "copy"
        indexed = ("events", *ROLLUP_TABLES)
        async with indexes_dropped(conn, indexed) if copy else contextlib.nullcontext():
            producer.start()
            try:
                while (rows := await _next(producer)) is not None:
                    if copy:
                        await conn.copy_records_to_table(
                            "events", records=rows, columns=EVENT_COLUMNS
                        )
                        written += len(rows)
                    else:
                        written += await write_events(conn, rows)
                    if progress:
                        progress.advance(len(rows))
            finally:
                producer.stop.set()
            if producer.error is not None:
                raise producer.error
            if copy:
                await rebuild_on(conn, ordered=False)
        events_elapsed = time.monotonic() - gen_started
        if progress:
            progress.done = progress.total
            progress.close()
        await load(conn, tables)
        await _tokens(session, conn, seed)
        await session.execute(text("SET LOCAL TimeZone = 'UTC'"))
        counts, checksum = await fingerprint(conn)
        await notify_data_changed(conn, None)
        await session.commit()
    await analyze_database(db, ANALYZED_TABLES)
    return SeedResult(
        scale=scale,
        seed=seed,
        anchor=tl.anchor,
        days=DAYS,
        counts=counts,
        checksum=checksum,
        events_written=written,
        events_seconds=events_elapsed,
        elapsed=time.monotonic() - started,
        method=method,
    )


async def _tokens(session, conn: asyncpg.Connection, seed: int) -> None:
    """One token per demo principal, stored as a hash (the plaintext is derivable from
    the seed, see `demo_token`)."""
    for p in PRINCIPALS:
        org_id, uid = await conn.fetchrow(
            "SELECT u.org_id, u.id FROM users u JOIN orgs o ON o.id = u.org_id"
            " WHERE o.key = $1 AND u.username = $2",
            p.org,
            p.username,
        )
        await create_token(
            session,
            org_id=org_id,
            user_id=uid,
            name=f"demo {p.name}",
            token=demo_token(seed, p.name),
        )


async def _next(producer: _Producer):
    return await asyncio.to_thread(producer.q.get)


async def _refuse_unless_empty(conn: asyncpg.Connection) -> None:
    # Serialize concurrent seeders; the check below then sees committed state.
    await conn.execute("LOCK TABLE orgs IN SHARE ROW EXCLUSIVE MODE")
    orgs = await conn.fetchval("SELECT count(*) FROM orgs")
    has_events = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM events)")
    if orgs or has_events:
        raise AlreadySeeded(
            f"the database is not empty ({orgs} org(s) already exist): the demo dataset only "
            "seeds an empty database. Point DATABASE_URL at a new database, or drop this "
            "one's data first."
        )


_EVENTS_HASH = """
SELECT coalesce(sum(hashtextextended(concat_ws('|', org_id, event_id, type, subject_type,
                    subject_id, extract(epoch FROM ts), actor_id, value, dims::text), 0)
                ::numeric), 0)::text
FROM events
"""
"""A sum of per-event 64-bit hashes: order-independent, so no sort of every event."""


async def fingerprint(conn: asyncpg.Connection) -> tuple[dict[str, int], str]:
    """Row counts per table and an md5 over a canonical dump: every event's
    (event_id, type, subject, ts, actor, value, dims), every entity row's generated
    columns, and the token hashes. Run with TimeZone UTC."""
    counts: dict[str, int] = {}
    parts: list[str] = []
    for table, cols in COLUMNS.items():
        row = f"ROW({', '.join(cols)})::text"
        n, h = await conn.fetchrow(
            f"SELECT count(*), coalesce(md5(string_agg(r, E'\\n' ORDER BY r)), '')"
            f" FROM (SELECT {row} AS r FROM {table}) s"
        )
        counts[table] = n
        parts.append(f"{table}:{n}:{h}")
    n, h = await conn.fetchrow(
        "SELECT count(*), coalesce(md5(string_agg(encode(token_hash, 'hex') || user_id,"
        " ',' ORDER BY token_hash)), '') FROM api_tokens"
    )
    counts["api_tokens"] = n
    parts.append(f"api_tokens:{n}:{h}")
    for table in ROLLUP_TABLES:
        counts[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")
    counts["events"] = await conn.fetchval("SELECT count(*) FROM events")
    parts.append(f"events:{counts['events']}:{await conn.fetchval(_EVENTS_HASH)}")
    return counts, hashlib.md5("\n".join(parts).encode()).hexdigest()
