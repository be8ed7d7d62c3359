"""`python -m bench --no-statistics`: do the dashboard queries hold up on a database whose
planner has no statistics (right after a bulk load, before any ANALYZE)?

The bench database is cloned (`CREATE DATABASE ... STRATEGY FILE_COPY`, so the copy is
physically identical) and every statistic of every table in the clone is cleared
(PostgreSQL 18's `pg_clear_relation_stats` / `pg_clear_attribute_stats`: never
analyzed, `reltuples` unknown). Then each dashboard case is answered by Tally in
process, computed on every request (response cache off, no background analyzer: the
app's lifespan does not run), alternately on the analyzed database and on the clone,
and the p50s are compared. The issue's bound: without statistics, each case within 3x
of its analyzed time. The clone is dropped afterwards.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from bench import env as benv
from bench.cases import Case
from bench.compare import assert_same
from gateway.config import Settings
from gateway.db import connect_raw, database_name, drop_database, with_database

BOUND = 3.0


@dataclass
class Row:
    name: str
    analyzed_ms: float
    bare_ms: float

    @property
    def ratio(self) -> float:
        return self.bare_ms / self.analyzed_ms if self.analyzed_ms else 0.0


async def clone_without_statistics(url: str) -> str:
    """A FILE_COPY clone of `url`'s database with every table's statistics cleared."""
    source = database_name(url)
    target = f"{source}_nostats"
    server = with_database(url, "postgres")
    await drop_database(server, target)
    admin = await connect_raw(server)
    try:
        await admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}" STRATEGY FILE_COPY')
    finally:
        await admin.close()
    clone = with_database(url, target)
    conn = await connect_raw(clone)
    try:
        if await conn.fetchval("SELECT current_setting('server_version_num')::int") < 180000:
            raise SystemExit("--no-statistics needs PostgreSQL 18 (pg_clear_*_stats)")
        await conn.execute(
            """SELECT pg_clear_relation_stats(n.nspname, c.relname)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"""
        )
        await conn.execute(
            """SELECT pg_clear_attribute_stats(n.nspname, c.relname, a.attname, false)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
                    AND NOT a.attisdropped
               WHERE n.nspname = 'public' AND c.relkind = 'r'"""
        )
        left = await conn.fetchval("SELECT count(*) FROM pg_stats WHERE schemaname = 'public'")
        assert left == 0, f"{left} column statistics left in the clone"
    finally:
        await conn.close()
    return clone


async def _time(env: benv.BenchEnv, case: Case) -> float:
    variables = case.variables(env)
    t0 = time.perf_counter()
    await env.graphql(case.principal, case.query, variables)
    return (time.perf_counter() - t0) * 1000


async def run(url: str, cases: list[Case], seed: int, rounds: int, log) -> list[Row]:
    settings = Settings(response_cache_ttl=0)
    log(f"cloning {database_name(url)} without statistics ...")
    t0 = time.monotonic()
    clone = await clone_without_statistics(url)
    log(f"clone ready in {time.monotonic() - t0:.0f} s")
    rows = []
    try:
        async with (
            benv.open_env(url, settings, seed) as analyzed,
            benv.open_env(clone, settings, seed) as bare,
        ):
            for case in cases:
                # the clone's first answer is checked equal to the analyzed one's
                a = case.extract(
                    (await analyzed.graphql(case.principal, case.query, case.variables(analyzed)))[
                        0
                    ]
                )
                b = case.extract(
                    (await bare.graphql(case.principal, case.query, case.variables(bare)))[0]
                )
                try:
                    assert_same(a, b, case.loose)
                except AssertionError as e:
                    raise AssertionError(
                        f"{case.name}: answers differ without statistics: {e}"
                    ) from None
                times: dict[str, list[float]] = {"a": [], "b": []}
                for i in range(rounds):
                    order = (
                        (("a", analyzed), ("b", bare)) if i % 2 else (("b", bare), ("a", analyzed))
                    )
                    for key, env in order:
                        times[key].append(await _time(env, case))
                row = Row(case.name, statistics.median(times["a"]), statistics.median(times["b"]))
                log(
                    f"{case.name}: analyzed {row.analyzed_ms:.1f} ms, "
                    f"no statistics {row.bare_ms:.1f} ms ({row.ratio:.2f}x)"
                )
                rows.append(row)
    finally:
        await drop_database(with_database(url, "postgres"), database_name(clone))
    return rows


def table(rows: list[Row], scale: str, rounds: int) -> str:
    lines = [
        "| case | p50 analyzed ms | p50 without statistics ms | ratio | within 3x |",
        "|---|---:|---:|---:|---|",
    ]
    for r in rows:
        ok = "yes" if r.ratio <= BOUND else "**no**"
        lines.append(
            f"| {r.name} | {r.analyzed_ms:.1f} | {r.bare_ms:.1f} | {r.ratio:.2f}× | {ok} |"
        )
    lines += [
        "",
        f"Tally in process, every answer computed (response cache off); {rounds} interleaved "
        f"rounds per case on the {scale} demo and on a copy of it with every planner "
        "statistic cleared; answers checked equal.",
    ]
    return "\n".join(lines)
