"""Where a bulk load's time goes, measured at the end of `make bench --ingest`.

`tally ingest FILE` does four kinds of work per event, each one single-threaded: Python
parses the line and validates it (with one key-lookup query per chunk), the staging COPY
ships the row into the session's staging table, and one PostgreSQL statement inserts the
staged rows into `events` and adds them to every rollup level. This probe times each of
them on `PROBE_EVENTS` new events shaped like the bench file, on the run database, in a
transaction that is rolled back (nothing stays), in `ROUNDS` rounds, each right after a
floor COPY of the same rows (the machine's speed drifts; a ratio holds only between
neighbouring measurements), and reports the medians:

* parse and validate: timed in this process, as `gateway.ingest.bulk` runs them;
* stage: the COPY into the staging table (client encoding and server insert);
* merge: `merge_staged_new`'s statement, timed once as it runs, then once under
  `EXPLAIN (ANALYZE, WAL)` to split it per table written (a level's grouping is counted in
  the upsert that first reads it) — each run in a savepoint, rolled back.

The sum is the CPU time the load needs per event. The load runs its sides in parallel
(Python validates the next chunks while PostgreSQL merges, two merges at once), so on
`cores` cores its wall time can at best be that sum divided by `cores`: the bound this
prints is the highest ratio to the COPY floor that any overlap of this work could reach.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import orjson

from bench import ingest_data
from gateway.ingest.bulk import CHUNK_LINES
from gateway.ingest.validate import EventValidator
from gateway.ingest.writer import (
    COLUMNS,
    STAGING,
    direct_merge_sql,
    merge_settings,
    stage_events,
)

PROBE_EVENTS = 100_000
ROUNDS = 3


@dataclass
class Phase:
    name: str
    seconds: float
    rows: int | None = None
    wal_records: int | None = None


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def merge_phases(explained: str | list) -> list[Phase]:
    """One phase per table the merge writes, from the value of `EXPLAIN (ANALYZE, WAL,
    FORMAT JSON)` (its text, or as decoded by a connection with a json codec): inclusive
    time (ms → s), rows fed to it, WAL records it wrote."""
    plan = (orjson.loads(explained) if isinstance(explained, str) else explained)[0]
    out = []
    for node in _nodes(plan["Plan"]):
        if node.get("Node Type") != "ModifyTable":
            continue
        fed = sum(c["Actual Rows"] * c.get("Actual Loops", 1) for c in node.get("Plans", ()))
        out.append(
            Phase(
                f"merge: {node['Relation Name']}",
                node["Actual Total Time"] / 1000,
                round(fed),
                node.get("WAL Records"),
            )
        )
    return out


@dataclass
class Probe:
    """The medians of `rounds` rounds, each timing the floor and then every phase."""

    phases: list[Phase]
    merge: float
    """The merge statement as it runs (not under EXPLAIN), seconds."""
    floor: float
    """The floor's COPY of the same rows into an empty copy of `events`, seconds."""
    events: int
    rounds: int


async def copy_floor(conn: asyncpg.Connection, rows: list[tuple]) -> float:
    """Seconds to COPY `rows` raw into `events_floor`, a new copy of `events` with all
    its indexes (dropped afterwards): the floor."""
    await conn.execute("DROP TABLE IF EXISTS events_floor")
    await conn.execute("CREATE TABLE events_floor (LIKE events INCLUDING ALL)")
    t0 = time.perf_counter()
    await conn.copy_records_to_table("events_floor", records=rows, columns=COLUMNS)
    seconds = time.perf_counter() - t0
    await conn.execute("DROP TABLE events_floor")
    return seconds


async def measure(
    conn: asyncpg.Connection,
    subjects: ingest_data.Subjects,
    *,
    anchor: datetime,
    days: float,
    seed: int,
    events: int = PROBE_EVENTS,
    rounds: int = ROUNDS,
) -> Probe:
    """Time loading `events` new events phase by phase (module docstring), `rounds`
    times, each round after its own floor COPY of the same rows (on a shared machine
    the speed drifts: a ratio is only meaningful between neighbouring measurements)."""
    lines = ingest_data.ndjson(
        ingest_data.generate(
            subjects, events, seed=seed, prefix="probe", anchor=anchor, days=days, with_org=True
        )
    ).splitlines()
    results = [await _round(conn, lines) for _ in range(rounds)]
    floors, merges, all_phases = zip(*results, strict=True)
    phases = [
        Phase(
            ps[0].name,
            statistics.median(p.seconds for p in ps),
            ps[0].rows,
            ps[0].wal_records,
        )
        for ps in zip(*all_phases, strict=True)
    ]
    return Probe(phases, statistics.median(merges), statistics.median(floors), events, rounds)


async def _round(conn: asyncpg.Connection, lines: list[bytes]) -> tuple[float, float, list[Phase]]:
    phases = []
    paused = gc.isenabled()
    gc.disable()  # as during a load (gateway.ingest.bulk)
    try:
        t0 = time.perf_counter()
        items = [(n, orjson.loads(line)) for n, line in enumerate(lines, 1)]
        phases.append(Phase("parse (orjson, Python)", time.perf_counter() - t0))
        validator = EventValidator(conn, org_id=None, org_key=None, own_org_only=False)
        rows = []
        t0 = time.perf_counter()
        for i in range(0, len(items), CHUNK_LINES):
            result = await validator.validate(items[i : i + CHUNK_LINES])
            assert not result.errors, result.errors[:3]
            rows += result.rows
        phases.append(Phase("validate (Python, a lookup per chunk)", time.perf_counter() - t0))
        floor = await copy_floor(conn, rows)
        tx = conn.transaction()
        await tx.start()
        try:
            t0 = time.perf_counter()
            for i in range(0, len(rows), CHUNK_LINES):
                await stage_events(conn, rows[i : i + CHUNK_LINES])
            phases.append(Phase(f"stage: COPY into {STAGING}", time.perf_counter() - t0))
            await merge_settings(conn)
            sql = direct_merge_sql(STAGING)
            t0 = time.perf_counter()
            await _undone(conn, sql)
            merge = time.perf_counter() - t0
            explained = await _undone(conn, f"EXPLAIN (ANALYZE, WAL, FORMAT JSON) {sql}")
        finally:
            await tx.rollback()
    finally:
        if paused:
            gc.enable()
    return floor, merge, phases + merge_phases(explained)


async def _undone(conn: asyncpg.Connection, sql: str):
    """Run `sql` in a savepoint, roll it back, return its value."""
    savepoint = conn.transaction()
    await savepoint.start()
    try:
        return await conn.fetchval(sql)
    finally:
        await savepoint.rollback()


def table(probe: Probe, cores: int | None = None) -> str:
    """The phases per 100,000 events against the floor's time for as many rows, and the
    bound on the ratio (module docstring)."""
    phases, plain = probe.phases, probe.merge
    per = 100_000 / probe.events
    floor = probe.floor * per
    cores = cores or os.cpu_count() or 1
    lines = [
        "| work | seconds per 100,000 events | × the floor's time"
        " | rows written or updated | WAL records |",
        "|---|---:|---:|---:|---:|",
    ]
    for p in phases:
        rows = "" if p.rows is None else f"{round(p.rows * per):,}"
        wal = "" if p.wal_records is None else f"{round(p.wal_records * per):,}"
        lines.append(
            f"| {p.name} | {p.seconds * per:.2f} | {p.seconds * per / floor:.2f} | {rows} | {wal} |"
        )
    merged = sum(p.seconds for p in phases if p.name.startswith("merge: "))
    work = sum(p.seconds for p in phases if not p.name.startswith("merge: ")) + plain
    lines += [
        f"| merge, the whole statement (as it runs; under EXPLAIN {merged * per:.2f}) "
        f"| {plain * per:.2f} | {plain * per / floor:.2f} | | |",
        f"| **all of it** | **{work * per:.2f}** | **{work * per / floor:.2f}** | | |",
        "",
        f"The floor COPYs 100,000 rows in {floor:.2f} s. This work takes {work * per:.2f} s of "
        f"CPU per 100,000 events; on {cores} cores, however well its sides overlap, a load "
        f"doing it needs at least {work * per / cores:.2f} s per 100,000: at most "
        f"**{floor / (work * per / cores):.2f}×** the floor.",
    ]
    return "\n".join(lines)
