"""Group commit for the ingestion API: concurrent requests share one writer transaction.

Each request validates its batch itself (so a bad batch is its own 422), then queues the
rows here and waits. A drain task (up to `WRITERS` per process) takes everything
queued, writes it with one statement (`gateway.ingest.writer.write_batches`: the
batches' events in key order, each rollup key upserted once for the whole group) in one
transaction, and answers every waiting request with its own count of new events
**after the commit** — an acknowledged batch is durable. The response cache's change
notice goes out in that transaction. While groups are being written the next one
queues, so a process has at most `WRITERS` ingestion transactions open however many
requests arrive: requests no longer queue one by one on each other's rollup row locks,
and the per-transaction costs (planning, commit flush, rollup keys shared between
batches) are paid once per group instead of once per request.

Failure isolation: a group that fails for any reason other than write contention is
written again batch by batch, so one batch's error never fails the others. Contention
that outlasts the writer's retries fails the whole group with `WriteContention` (503 with
`Retry-After`); nothing of it was stored.

When the app's sessions are pinned to one connection (tests), there is no second
connection to write on: each request writes in its own transaction as before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.db import Database, asyncpg_connection
from gateway.ingest.writer import write_batches
from gateway.response_cache import notify_data_changed

log = logging.getLogger(__name__)

GROUP_EVENTS = 20_000
"""Most events written in one group (a request is never split)."""
WRITERS = 2
"""Groups written at once per process. While one group waits for row locks another
one's events and aggregates proceed, so PostgreSQL can use a second core; every writer
upserts in key order, so they queue on shared rollup rows instead of deadlocking."""


@dataclass
class _Pending:
    rows: Sequence[Sequence]
    done: asyncio.Future[int] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class GroupWriter:
    """Queues validated batches and writes them in groups; see the module docstring."""

    def __init__(
        self, db: Database, *, max_events: int = GROUP_EVENTS, writers: int = WRITERS
    ) -> None:
        self.db = db
        self.max_events = max_events
        self._queue: list[_Pending] = []
        self._drains: list[asyncio.Task] = []
        self.writers = writers
        self.groups = 0
        """Transactions committed so far (for tests and logs)."""

    async def write(self, rows: Sequence[Sequence]) -> int:
        """Write `rows` with whatever else is queued; returns how many were new, once
        committed."""
        if not rows:
            return 0
        item = _Pending(rows)
        self._queue.append(item)
        loop = asyncio.get_running_loop()
        self._drains = [t for t in self._drains if not t.done() and t.get_loop() is loop]
        if len(self._drains) < self.writers:
            self._drains.append(loop.create_task(self._run()))
        # the write goes on if this request is cancelled: a resent batch is idempotent
        return await asyncio.shield(item.done)

    def _take(self) -> list[_Pending]:
        group, n = [], 0
        while self._queue and (not group or n + len(self._queue[0].rows) <= self.max_events):
            item = self._queue.pop(0)
            group.append(item)
            n += len(item.rows)
        return group

    async def _run(self) -> None:
        while self._queue:
            group = self._take()
            try:
                counts = await self._commit([g.rows for g in group])
            except Exception as exc:  # noqa: BLE001 - every waiter must get an answer
                if len(group) == 1 or getattr(exc, "code", None) == "write_contention":
                    for g in group:
                        _settle(g.done, exc=exc)
                    continue
                log.info(
                    "group of %d batches failed (%s); writing them one by one", len(group), exc
                )
                for g in group:
                    try:
                        _settle(g.done, (await self._commit([g.rows]))[0])
                    except Exception as one:  # noqa: BLE001
                        _settle(g.done, exc=one)
                continue
            for g, n in zip(group, counts, strict=True):
                _settle(g.done, n)

    async def _commit(self, batches: list[Sequence[Sequence]]) -> list[int]:
        """One transaction for `batches`; returns after the commit."""
        async with self.db.session() as session:
            conn = await asyncpg_connection(session)
            counts = await write_batches(conn, batches)
            if any(counts):
                for org_id in sorted({row[0] for rows in batches for row in rows}):
                    await notify_data_changed(conn, org_id)
            await session.commit()
        self.groups += 1
        return counts


def _settle(fut: asyncio.Future, value: int = 0, *, exc: BaseException | None = None) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(value)


def group_writer(state, db: Database) -> GroupWriter | None:
    """The process's writer, kept on `state` (the app's state), or None when sessions are
    pinned to one connection (module docstring)."""
    if db.bind is not None:
        return None
    writer = getattr(state, "ingest_group_writer", None)
    if writer is None or writer.db is not db:
        writer = GroupWriter(db)
        state.ingest_group_writer = writer
    return writer
