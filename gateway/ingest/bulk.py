"""`tally ingest FILE`: bulk-load an NDJSON file of events with COPY.

Each line is one event in the API's shape (`gateway.ingest.validate`), optionally with
`"org": "<org key>"` (default: `--org`). The file is streamed in chunks of
`CHUNK_LINES` lines; each chunk is validated with the same validator as the API and its
valid events are COPYed at once into the staging table of the current writer connection.
Every `MERGE_EVENTS` staged events (and at the end) one set-based statement
(`gateway.ingest.writer.merge_staged`) inserts the new ones and adds them to every rollup
level, and the transaction commits. Until a merge meets an event that is not new, each
is first tried as a plain insert of every staged row (`merge_staged_new`: no sort,
conflict checks or RETURNING); a duplicate rolls that back, and that merge and the rest
of the file take the idempotent statement. While PostgreSQL merges, the next chunks are
parsed, validated (key lookups on a connection of their own) and staged on the next
writer, and up to `MERGERS` merges run at once, so both cores work. The tables are
ANALYZEd afterwards.

Each chunk's COPY is awaited before the next chunk is parsed: a COPY left running in
the background only advances between chunks (parsing holds the event loop), which made
staging 100k rows take seconds instead of 0.2 s. The cyclic garbage collector is paused
during a load: parsed events hold no cycles, and its full passes over the staged rows
cost a third of a second every few chunks.

Unlike the API (all-or-nothing per request), a file is loaded **per line**: valid lines
are loaded even when others are bad; bad lines are reported with their line number and
reason (the first `SHOW_ERRORS`, then a count) and the command exits non-zero. Fix the
bad lines and load the file again: lines already loaded are recognised by `event_id`
and counted as duplicates, never twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db import Database
from gateway.errors import InvalidInput
from gateway.ingest.resolve import resolve_org_keys
from gateway.ingest.rollups import analyze_database
from gateway.ingest.validate import EventError, EventValidator
from gateway.ingest.writer import (
    asyncpg_connection,
    merge_staged,
    merge_staged_new,
    stage_events,
)
from gateway.progress import Progress
from gateway.response_cache import notify_data_changed

CHUNK_LINES = 10_000
"""Lines parsed and validated between awaits: small enough that the staging COPYs and
merges in flight are not starved of the event loop while Python parses."""
MERGE_EVENTS = 100_000
"""Events per merge (and transaction). One merge runs while the next chunks are parsed
and validated; larger merges share more rollup keys but leave less to overlap."""
MERGERS = 2
"""Merges in flight at once (each on its own connection and in its own transaction).
They upsert rollup rows in key order, so they queue on shared rows, never deadlock."""
SHOW_ERRORS = 20


@dataclass
class BulkReport:
    path: Path
    lines: int = 0
    """Non-blank lines read."""
    new: int = 0
    duplicates: int = 0
    errors: list[EventError] = field(default_factory=list)
    """The first SHOW_ERRORS bad lines (`index` is the 1-based line number)."""
    error_count: int = 0
    seconds: float = 0.0
    """Wall time of the load (reading, validating, merging, analyzing)."""

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def loaded(self) -> int:
        return self.new + self.duplicates

    def add_errors(self, errors: list[EventError]) -> None:
        self.error_count += len(errors)
        room = SHOW_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])

    def summary(self) -> str:
        rate = f" in {self.seconds:.1f} s ({self.lines / self.seconds:,.0f} events/s)"
        head = (
            f"{self.path.name}: {self.lines:,} events read, {self.new:,} new, "
            f"{self.duplicates:,} duplicates, {self.error_count:,} invalid"
            + (rate if self.seconds > 0 else "")
        )
        if self.ok:
            return head
        out = [head]
        out += [f"  line {e.index}: {e.reason}" for e in self.errors]
        if self.error_count > len(self.errors):
            out.append(f"  ... and {self.error_count - len(self.errors):,} more invalid lines")
        out.append("Valid lines were loaded; fix the bad ones and re-run (duplicates are skipped).")
        return "\n".join(out)


def _chunks(
    path: Path, progress: Progress
) -> Iterator[tuple[list[tuple[int, Any]], list[EventError]]]:
    """Chunks of `(line number, parsed event)` plus the lines that were not JSON."""
    items: list[tuple[int, Any]] = []
    bad: list[EventError] = []
    read = 0
    with path.open("rb") as fh:
        for n, line in enumerate(fh, 1):
            read += len(line)
            if not line.strip():
                continue
            try:
                items.append((n, orjson.loads(line)))
            except orjson.JSONDecodeError as exc:
                bad.append(EventError(n, None, f"malformed JSON: {exc.msg} at column {exc.colno}"))
            if len(items) + len(bad) >= CHUNK_LINES:
                progress.advance(read)
                read = 0
                yield items, bad
                items, bad = [], []
    progress.advance(read)
    if items or bad:
        yield items, bad


async def ingest_file(db: Database, path: Path, org_key: str | None) -> BulkReport:
    """Load the NDJSON events in `path`; see the module docstring for the semantics."""
    report = BulkReport(path)
    started = time.monotonic()
    # Validation (Python) of the next chunks overlaps the merges (PostgreSQL) of the
    # previous ones: one connection looks keys up, `MERGERS` others stage and merge.
    # Sessions pinned to one connection (tests) cannot overlap: one after the other.
    overlap = db.bind is None
    paused = gc.isenabled()
    gc.disable()
    try:
        async with contextlib.AsyncExitStack() as stack:
            session = await stack.enter_async_context(db.session())
            writers = [
                await stack.enter_async_context(db.session()) if overlap else session
                for _ in range(MERGERS if overlap else 1)
            ]
            await _load(path, org_key, report, session, writers)
    finally:
        if paused:
            gc.enable()
    if report.new:
        # statistics now (plans must not wait for autovacuum); the visibility map of the
        # appended pages is left to autovacuum, as after HTTP ingestion: a VACUUM here
        # would rescan everything this load wrote
        await analyze_database(db, vacuum=False)
    report.seconds = time.monotonic() - started
    return report


async def _load(
    path: Path,
    org_key: str | None,
    report: BulkReport,
    session: AsyncSession,
    writers: list[AsyncSession],
) -> None:
    """Parse, validate and stage chunk by chunk on the current writer; merge every
    MERGE_EVENTS staged events while the next writer is being staged."""
    conn = await asyncpg_connection(session)
    org_id = None
    if org_key is not None:
        org_id = (await resolve_org_keys(conn, [org_key])).get(org_key)
        if org_id is None:
            raise InvalidInput(f"no org '{org_key}'")
    validator = EventValidator(conn, org_id=org_id, org_key=org_key, own_org_only=False)
    size = path.stat().st_size  # noqa: ASYNC240 - one stat call
    merging: list[asyncio.Future | None] = [None] * len(writers)
    shared = writers[0] is session  # tests: one connection for everything
    slot = 0
    staged = 0

    direct = True  # until a merge meets an event that is not new (e.g. a re-run)

    async def merge(writing, rows: int) -> None:
        nonlocal direct
        wconn = await asyncpg_connection(writing)
        new = await merge_staged_new(wconn) if direct else None
        if new is None:
            direct = False
            new = await merge_staged(wconn)
        await notify_data_changed(writing, None)  # a file may hold several orgs
        await writing.commit()
        report.new += new
        report.duplicates += rows - new

    async def ready(k: int) -> None:
        """Writer `k` has finished its previous merge (its staging table is empty)."""
        if (task := merging[k]) is not None:
            merging[k] = None
            await task

    async def flush() -> None:
        nonlocal slot, staged
        if staged:
            merging[slot] = asyncio.ensure_future(merge(writers[slot], staged))
            if shared:
                await ready(slot)
            staged = 0
            slot = (slot + 1) % len(writers)

    try:
        with Progress(size, f"ingest {path.name}", unit="B") as progress:
            for items, bad in _chunks(path, progress):
                validator.conn = await asyncpg_connection(session)
                result = await validator.validate(items)
                errors = sorted([*bad, *result.errors], key=lambda e: e.index)
                report.lines += len(items) + len(bad)
                report.add_errors(errors)
                if result.rows:
                    await ready(slot)
                    await stage_events(await asyncpg_connection(writers[slot]), result.rows)
                    staged += len(result.rows)
                if staged >= MERGE_EVENTS:
                    await flush()
            await flush()
            for k in range(len(writers)):
                await ready(k)
    finally:
        for task in merging:
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
