"""Planner statistics that do not depend on autovacuum.

A dashboard statement planned without statistics once ran for 333 s instead of 2 s.
Tally analyzes what it loads itself (`gateway.ingest.rollups.analyze_database` after
seeding, bulk loads and rollup rebuilds); for everything else — continuous HTTP
ingestion, a database restored or upgraded elsewhere, autovacuum switched off —
`keep_fresh` runs beside the server: at start and then every `INTERVAL_S` it ANALYZEs
the tables that were never analyzed or changed by more than `STALE_FRACTION` of their
rows since their last analyze. One process of a multi-worker server does it at a time
(a PostgreSQL advisory lock); failures are logged and retried on the next round.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text

from gateway.db import Database

log = logging.getLogger("tally.statistics")

INTERVAL_S = 300.0
STALE_FRACTION = 0.1
MIN_CHANGES = 1000
_LOCK_KEY = 0x7A11_57A7  # advisory lock id: "tally stats"

_STALE = text(
    """
    SELECT relname FROM pg_stat_user_tables
    WHERE schemaname = current_schema()
      AND ((last_analyze IS NULL AND last_autoanalyze IS NULL
            AND n_live_tup + n_mod_since_analyze > 0)
           OR n_mod_since_analyze > :min_changes + :fraction * n_live_tup)
    ORDER BY relname
    """
)


async def stale_tables(conn) -> list[str]:
    rows = await conn.execute(_STALE, {"min_changes": MIN_CHANGES, "fraction": STALE_FRACTION})
    return [r[0] for r in rows]


async def analyze_stale(db: Database) -> list[str]:
    """ANALYZE every stale table (see module doc); returns the tables analyzed, or []
    when another process holds the lock."""
    async with db.engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        got = await auto.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": _LOCK_KEY})
        if not got:
            return []
        try:
            await auto.execute(text("SET statement_timeout = 0"))
            tables = await stale_tables(auto)
            for table in tables:
                await auto.execute(text(f'ANALYZE "{table}"'))
            return tables
        finally:
            await auto.execute(text("RESET statement_timeout"))
            await auto.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})


async def keep_fresh(db: Database, interval_s: float = INTERVAL_S) -> None:
    """Run `analyze_stale` now and every `interval_s` until cancelled."""
    while True:
        try:
            analyzed = await analyze_stale(db)
            if analyzed:
                log.info("analyzed %d stale tables: %s", len(analyzed), ", ".join(analyzed))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an outage must not kill the loop
            log.warning("statistics check failed: %s", exc)
        await asyncio.sleep(interval_s)
