"""Load into tables without their indexes, then build the indexes once.

Filling an empty table row by row through its B-trees costs several times more than
building each index afterwards from one sorted pass; `indexes_dropped` does the latter
for a load into tables nobody else uses yet (the demo seed). The tables are locked
ACCESS EXCLUSIVE for the rest of the transaction and everything is transactional: an
error rolls the indexes back as they were.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg


@asynccontextmanager
async def indexes_dropped(
    conn: asyncpg.Connection, tables: Sequence[str], *, memory: str = "512MB"
) -> AsyncIterator[None]:
    """Drop every index (and the primary-key / unique constraints behind them) of
    `tables` inside the caller's transaction, run the body, and re-create them exactly
    as they were (definitions read from the catalog)."""
    constraints = await conn.fetch(
        """SELECT c.conrelid::regclass::text AS tbl, c.conname,
                  pg_get_constraintdef(c.oid) AS def, c.conindid
           FROM pg_constraint c
           WHERE c.conrelid = ANY($1::regclass[]) AND c.contype IN ('p', 'u')
           ORDER BY c.contype, c.conname""",
        list(tables),
    )
    owned = {r["conindid"] for r in constraints}
    plain = [
        r
        for r in await conn.fetch(
            """SELECT i.indexrelid, pg_get_indexdef(i.indexrelid) AS def,
                      i.indexrelid::regclass::text AS name
               FROM pg_index i WHERE i.indrelid = ANY($1::regclass[])
               ORDER BY name""",
            list(tables),
        )
        if r["indexrelid"] not in owned
    ]
    for r in plain:
        await conn.execute(f"DROP INDEX {r['name']}")
    for r in constraints:
        await conn.execute(f'ALTER TABLE {r["tbl"]} DROP CONSTRAINT "{r["conname"]}"')
    yield
    await conn.execute(f"SET LOCAL maintenance_work_mem = '{memory}'")
    for r in constraints:
        await conn.execute(f'ALTER TABLE {r["tbl"]} ADD CONSTRAINT "{r["conname"]}" {r["def"]}')
    for r in plain:
        await conn.execute(r["def"])
