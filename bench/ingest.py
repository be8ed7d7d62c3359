"""`python -m bench --ingest` (`make bench ARGS=--ingest`): ingestion throughput against a
raw-COPY floor measured in the same run, then a check that every rollup level equals
the raw events.

On a fresh copy of a seeded demo database (`<--ingest-db>_base_<scale>`, default
`tally_ingest_base_<scale>`, seeded once, then cloned as `<--ingest-db>_run` for every run
and dropped afterwards — never the dashboard bench's database):

1. HTTP: a real `tally serve` on `--ingest-port`; `--clients` keep-alive connections
   send `POST /v1/ingest/events` batches of `--batch` events, a `--dup` share of every
   batch re-sending ids of earlier batches. Every response must be 200.
2. Bulk: an NDJSON file of `--file-events` events loaded with the code behind
   `tally ingest FILE` (validation, COPY, set-based merge, VACUUM ANALYZE).
3. Floor: the same rows (resolved to ids) COPYed raw into `events_floor`, a copy of
   `events` with all its indexes (emptied between the two measurements).
4. Every rollup level compared with an aggregate of all raw events (n exactly, total to
   1e-9 relative).
5. Where the file's time goes (`bench.ingest_cost`): each kind of work of a bulk load
   timed on its own, against the floor, and the best ratio to the floor that any overlap
   of that work could reach on this machine's cores.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import orjson

from bench import ingest_cost, ingest_data
from bench.loadgen import Connection
from bench.server import start as start_server
from gateway import migrate
from gateway.config import PROJECT_ROOT, Settings
from gateway.db import (
    Database,
    connect_raw,
    drop_database,
    ensure_database,
    make_engine,
    start_embedded,
    to_sqlalchemy_url,
    with_database,
)
from gateway.demo import demo_token, seed_demo
from gateway.ingest.bulk import ingest_file
from gateway.ingest.rollups import LEVELS
from gateway.ingest.validate import EventValidator

ORG = "acme"


@dataclass
class Row:
    path: str
    events: int
    seconds: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def server_url(settings: Settings) -> str:
    if settings.database_url:
        return with_database(to_sqlalchemy_url(settings.database_url), "postgres")
    return to_sqlalchemy_url(start_embedded(settings.data_dir))


async def fresh_database(server: str, prefix: str, scale: str, seed: int) -> str:
    """A new `<prefix>_run` cloned from the seeded base database (seeding it the first
    time)."""
    base = f"{prefix}_base_{scale}"
    run_db = f"{prefix}_run"
    admin = await connect_raw(with_database(server, "postgres"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", base)
    finally:
        await admin.close()
    if not exists:
        await ensure_database(server, base)
        db = Database(make_engine(with_database(server, base), statement_timeout_ms=0))
        try:
            await migrate.upgrade(db.engine)
            _log(f"seeding {base} (once) ...")
            r = await seed_demo(db, scale=scale, seed=seed, quiet=True)
            _log(f"seeded {r.events_written:,} events in {r.elapsed:.0f} s")
        finally:
            await db.dispose()
    await drop_database(server, run_db)
    admin = await connect_raw(with_database(server, "postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{run_db}" TEMPLATE "{base}"')
    finally:
        await admin.close()
    return with_database(server, run_db)


async def resolved_rows(conn: asyncpg.Connection, events: list[dict]) -> list[tuple]:
    """The rows ingestion would write for `events` (for the floor)."""
    org_id = await conn.fetchval("SELECT id FROM orgs WHERE key = $1", ORG)
    v = EventValidator(conn, org_id=org_id, org_key=ORG, own_org_only=False)
    result = await v.validate(list(enumerate(events)))
    assert not result.errors, result.errors[:3]
    return result.rows


async def copy_floor(conn: asyncpg.Connection, rows: list[tuple], label: str) -> Row:
    seconds = await ingest_cost.copy_floor(conn, rows)
    return Row(f"raw COPY into a copy of `events` ({label})", len(rows), seconds, "floor")


async def http_run(
    port: int, token: str, batches: list[list[dict]], clients: int
) -> tuple[Row, int, list[int]]:
    bodies = [orjson.dumps(b) for b in batches]
    headers = {"Authorization": f"Bearer {token}"}
    queue = list(range(len(bodies)))
    statuses: list[int] = []
    new = 0
    latencies: list[float] = []

    async def client() -> None:
        nonlocal new
        conn = await Connection.open("127.0.0.1", port)
        try:
            while queue:
                i = queue.pop(0)
                t = time.perf_counter()
                status, body = await conn.post("/v1/ingest/events", bodies[i], headers)
                latencies.append(time.perf_counter() - t)
                statuses.append(status)
                if status == 200:
                    new += orjson.loads(body)["new"]
                else:
                    _log(f"batch {i}: HTTP {status} {body[:200]!r}")
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    seconds = time.perf_counter() - t0
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    events = sum(len(b) for b in batches)
    size = max(map(len, batches))
    note = f"{len(batches)} batches of {size:,}, {clients} clients, batch p50 {p50:.0f} ms"
    return (
        Row("`POST /v1/ingest/events` (real `tally serve`)", events, seconds, note),
        new,
        statuses,
    )


async def rollup_mismatches(conn: asyncpg.Connection) -> dict[str, tuple[int, int]]:
    """Per level: (rows compared, rows that differ from the raw-event aggregate in any
    value column, the per-hour ones included)."""
    out = {}
    for level in LEVELS:
        keys = ", ".join(f"{c}" for c, _ in level.key)
        differs = " OR ".join(
            f"e.{c} IS DISTINCT FROM r.{c}"
            if c.startswith("n")
            else f"(e.{c} IS NULL) <> (r.{c} IS NULL)"
            f" OR abs(e.{c} - r.{c}) > 1e-9 * greatest(1, abs(e.{c}))"
            for c in level.values
        )
        n, bad = await conn.fetchrow(
            f"""SELECT count(*), count(*) FILTER (WHERE {differs})
                FROM ({level.select_from("events")}) e
                FULL JOIN {level.table} r USING ({keys})"""
        )
        out[level.table] = (n, bad)
    return out


async def run(args, settings: Settings) -> str:
    server = server_url(settings)
    if args.ingest_db.startswith("tally_bench"):
        raise SystemExit("--ingest-db: tally_bench* belongs to the dashboard bench")
    url = await fresh_database(server, args.ingest_db, args.ingest_scale, args.seed)
    conn = await connect_raw(url)
    await conn.execute("SET statement_timeout = 0")
    srv = None
    try:
        subjects = await ingest_data.load_subjects(conn, ORG)
        anchor = ingest_data.utc_hour()
        base_events = await conn.fetchval("SELECT count(*) FROM events")
        fresh = args.batch + round((args.http_events - args.batch) * (1 - args.dup))
        http_events = ingest_data.generate(
            subjects, fresh, seed=args.seed, prefix="http", anchor=anchor, days=args.days
        )
        batches = ingest_data.batches(http_events, args.batch, args.dup, seed=args.seed)
        file_events = ingest_data.generate(
            subjects,
            args.file_events,
            seed=args.seed + 1,
            prefix="file",
            anchor=anchor,
            days=args.days,
            with_org=True,
        )
        rows = []
        http_rows = await resolved_rows(conn, http_events)
        rows.append(await copy_floor(conn, http_rows, f"{len(http_rows):,} rows"))

        token = demo_token(args.seed, "org_admin")
        log_path = PROJECT_ROOT / ".tally" / "bench-ingest-serve.log"
        srv = await start_server(url, args.ingest_port, log_path)
        _log(f"HTTP: {len(batches)} batches on {args.clients} clients ...")
        http, new, statuses = await http_run(args.ingest_port, token, batches, args.clients)
        await srv.stop()
        srv = None
        bad = [s for s in statuses if s != 200]
        http.note += f"; {new:,} new, {http.events - new:,} duplicates" + (
            f"; {len(bad)} non-200 responses" if bad else ""
        )
        rows.append(http)

        if args.live_hours:
            # a live feed: every event stamped within the last hours, as a producer that
            # sends as things happen does (batches share far more rollup keys)
            live_events = ingest_data.generate(
                subjects,
                fresh,
                seed=args.seed + 2,
                prefix="live",
                anchor=datetime.now(UTC),
                days=args.live_hours / 24,
            )
            live_batches = ingest_data.batches(live_events, args.batch, args.dup, seed=args.seed)
            srv = await start_server(url, args.ingest_port, log_path)
            _log(f"HTTP, live feed: {len(live_batches)} batches on {args.clients} clients ...")
            live, new, statuses = await http_run(
                args.ingest_port, token, live_batches, args.clients
            )
            await srv.stop()
            srv = None
            bad += [s for s in statuses if s != 200]
            live.path = f"{live.path}, live feed (stamped in the last {args.live_hours:g} h)"
            live.note += f"; {new:,} new, {live.events - new:,} duplicates"
            rows.append(live)

        file_rows = await resolved_rows(conn, file_events)
        floor = await copy_floor(conn, file_rows, f"{len(file_rows):,} rows")
        rows.append(floor)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "events.ndjson"
            path.write_bytes(ingest_data.ndjson(file_events))
            size = path.stat().st_size
            db = Database(make_engine(url, statement_timeout_ms=0, pool_size=2))
            try:
                _log(f"bulk: {len(file_events):,} events ...")
                t0 = time.perf_counter()
                report = await ingest_file(db, path, None)
                seconds = time.perf_counter() - t0
            finally:
                await db.dispose()
        assert report.ok and report.new == len(file_events), report.summary()
        rows.append(
            Row(
                "`tally ingest FILE` (NDJSON, incl. ANALYZE)",
                len(file_events),
                seconds,
                f"{report.new:,} new; {size / 1e6:.0f} MB",
            )
        )
        total_events = await conn.fetchval("SELECT count(*) FROM events")
        _log("comparing every rollup level with the raw events ...")
        checks = await rollup_mismatches(conn)
        _log("probing where the bulk time goes ...")
        cost = await ingest_cost.measure(
            conn, subjects, anchor=anchor, days=args.days, seed=args.seed + 3
        )
        load = os.getloadavg()
    finally:
        if srv is not None:
            await srv.stop()
        await conn.close()
        await drop_database(server, f"{args.ingest_db}_run")

    return _table(rows, checks, args, base_events, total_events, load, bad, cost)


def _table(rows, checks, args, base_events, total_events, load, bad, cost) -> str:
    floors = {}
    lines = [
        "| path | events | seconds | events/s | vs COPY floor | notes |",
        "|---|---:|---:|---:|---:|---|",
    ]
    floor = None
    for r in rows:
        if r.note == "floor":
            floor = r
            floors[r.path] = r
            ratio, note = "1.00", ""
        else:
            ratio, note = f"{r.rate / floor.rate:.2f}" if floor else "", r.note
        lines.append(
            f"| {r.path} | {r.events:,} | {r.seconds:.1f} | {r.rate:,.0f} | {ratio} | {note} |"
        )
    exact = all(bad == 0 for _, bad in checks.values())
    compared = sum(n for n, _ in checks.values())
    summary = ", ".join(f"{t} {bad}" for t, (_, bad) in checks.items())
    lines += [
        "",
        f"Rollups {'exact' if exact else 'NOT EXACT'} afterwards: {len(checks)} levels, "
        f"{compared:,} rows compared with the raw-event aggregate in every column (n, total and"
        f" the daily levels' 24 hour pairs; mismatches: {summary}).",
        f"Database: the {args.ingest_scale} demo ({base_events:,} events) plus this run's events "
        f"= {total_events:,}; event timestamps spread over the last {args.days} days "
        "(the live feed: see its row); "
        f"{args.dup:.0%} of each HTTP batch re-sends earlier ids. "
        f"Load average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        f"on {os.cpu_count()} cores.",
    ]
    if bad:
        lines.append(f"{len(bad)} HTTP responses were not 200.")
    lines += [
        "",
        f"Where the file's time goes ({cost.events:,} more new events, loaded phase by phase"
        f" and rolled back, each of {cost.rounds} rounds after a floor COPY of the same rows;"
        " medians; bench/ingest_cost.py):",
        "",
        ingest_cost.table(cost),
    ]
    return "\n".join(lines)
