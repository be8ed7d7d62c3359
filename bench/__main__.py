"""`python -m bench` (`make bench`): Tally beside PostGraphile and the hand-written floor.

For each case: p50/p95 latency interleaved request by request, throughput at
concurrency 10, SQL statements per request, every answer checked equal on all sides.
Prints one table with the machine and dataset line and writes it as JSON
(bench/results/). `--growth` runs the same cases on small, medium and large (each its
own database, seeded once) and adds p50 large / p50 small per case.

Database: DATABASE_URL if set, else the embedded server; `tally_bench` for large,
`tally_bench_<scale>` for the other scales (in `--growth` always these names on the
DATABASE_URL's server)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import env as benv
from bench import peer as peer_mod
from bench.cases import all_cases
from bench.harness import growth_table, table
from bench.loadgen import calibrate
from bench.machine import load_average, machine_line
from bench.runner import DatasetRun, Options, run_dataset
from gateway.config import Settings
from gateway.db import database_name
from gateway.demo import DEFAULT_SEED
from gateway.demo.world import SCALES

RESULTS = Path(__file__).resolve().parent / "results"
GROWTH_SCALES = ("small", "medium", "large")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--runs", type=int, default=30, help="timed rounds per case (interleaved)")
    p.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    p.add_argument(
        "--duration", type=float, default=20.0, help="seconds of load per side (0: none)"
    )
    p.add_argument("--concurrency", type=int, default=10)
    p.add_argument("--scale", choices=list(SCALES), default=benv.env_scale())
    p.add_argument("--growth", action="store_true", help="run on small, medium and large")
    p.add_argument("--scales", default=",".join(GROWTH_SCALES), help="scales for --growth")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--only", action="append", help="run only this case (repeatable)")
    p.add_argument("--no-peer", action="store_true", help="skip PostGraphile")
    p.add_argument(
        "--no-cold",
        action="store_true",
        help="measure Tally warm only (skip the Cache-Control: no-cache side)",
    )
    p.add_argument("--tally-port", type=int, default=8161)
    p.add_argument("--peer-port", type=int, default=5161)
    p.add_argument("--static-port", type=int, default=8169, help="generator calibration")
    p.add_argument("--json", type=Path, help="write the results here (default bench/results/)")
    p.add_argument(
        "--markdown", action="store_true", help="print the README block (heading + table)"
    )
    p.add_argument(
        "--no-statistics",
        action="store_true",
        help="dashboard cases on a copy without planner statistics (bench/nostats.py)",
    )
    p.add_argument("--ingest", action="store_true", help="ingestion bench (bench/ingest.py)")
    g = p.add_argument_group("--ingest")
    g.add_argument("--ingest-port", type=int, default=8171)
    g.add_argument("--ingest-scale", choices=list(SCALES), default="small", help="base demo")
    g.add_argument(
        "--ingest-db",
        default="tally_ingest",
        help="database name prefix: <prefix>_base_<scale> (seeded once), <prefix>_run",
    )
    g.add_argument("--http-events", type=int, default=100_000, help="events sent over HTTP")
    g.add_argument("--batch", type=int, default=1_000, help="events per request")
    g.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    g.add_argument("--dup", type=float, default=0.1, help="share of re-sent ids per batch")
    g.add_argument("--file-events", type=int, default=500_000, help="events in the NDJSON file")
    g.add_argument("--days", type=int, default=30, help="event timestamps span this many days")
    g.add_argument(
        "--live-hours",
        type=float,
        default=1,
        help="a second HTTP run with timestamps within this many hours of now (0: none)",
    )
    return p.parse_args(argv)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def main(args: argparse.Namespace, settings: Settings | None = None) -> str:
    settings = settings or Settings.from_env()
    cases = all_cases()
    if args.only:
        unknown = set(args.only) - {c.name for c in cases}
        if unknown:
            names = ", ".join(c.name for c in cases)
            raise SystemExit(f"unknown case(s) {sorted(unknown)}: choose from {names}")
        cases = [c for c in cases if c.name in args.only]
    scales = [s.strip() for s in args.scales.split(",")] if args.growth else [args.scale]
    opts = Options(
        runs=args.runs,
        warmup=args.warmup,
        duration=args.duration,
        concurrency=args.concurrency,
        tally_port=args.tally_port,
        peer_port=args.peer_port,
        peer=not args.no_peer,
        cold=not args.no_cold,
        log=_log,
    )
    generator = None
    if args.duration > 0:
        g = await calibrate(args.static_port, args.concurrency, min(args.duration, 10.0))
        generator = {"rps": g.rps, "concurrency": g.concurrency, "seconds": g.seconds}
        _log(f"load generator against a static endpoint: {g.rps:,.0f} rps")

    load = load_average()
    runs: dict[str, DatasetRun] = {}
    info: dict[str, dict] = {}
    machine = ""
    for scale in scales:
        url = await benv.resolve_url(settings, scale, named=args.growth)
        await benv.prepare(url, scale, args.seed, log=_log)
        async with benv.open_env(url, settings, args.seed) as env:
            pg = await env.floor.conn.fetchval("SELECT version()")
            tables = await env.floor.conn.fetchval(
                "SELECT string_agg(relname, ', ' ORDER BY relname) FROM pg_class"
                " WHERE relkind = 'r' AND relname LIKE 'rollup%'"
            )
            _log(f"{scale}: {env.events:,} events, window {env.start} .. {env.end}")
            t0 = time.monotonic()
            runs[scale] = await run_dataset(env, url, cases, opts)
            info[scale] = {
                "database": database_name(url),
                "events": env.events,
                "window": [env.start.isoformat(), env.end.isoformat()],
                "rollup_tables": tables,
                "seconds": round(time.monotonic() - t0, 1),
            }
            machine = machine_line(pg, env.events, scale, load)

    out = []
    if args.markdown:
        out += ["### Benchmarks (`make bench`)", ""]
    for scale in scales:
        r = runs[scale]
        if len(scales) > 1:
            out += [f"#### {scale}: {info[scale]['events']:,} events", ""]
        out += [table(r.results), ""]
    last = runs[scales[-1]]
    start, end = info[scales[-1]]["window"]
    notes = [
        f"{args.runs} interleaved rounds after {args.warmup} warm-up rounds; throughput: "
        f"{args.concurrency} keep-alive connections for {args.duration:g} s per side; "
        f"window {start} .. {end} (UTC, {benv.WINDOW_DAYS} days); answers verified equal "
        "(Tally = floor = PostGraphile) in this run.",
        f"Tally: `tally serve` defaults, {last.tally_workers} worker(s); warm = response "
        "cache on (the default), cold = `Cache-Control: no-cache` on every request. "
        + (
            f"PostGraphile {last.peer_versions.get('postgraphile')} + pg-aggregates "
            f"{last.peer_versions.get('@graphile/pg-aggregates')} + connection-filter "
            f"{last.peer_versions.get('postgraphile-plugin-connection-filter')}, "
            f"{last.peer_workers} worker(s), read-only role."
            if last.peer_workers
            else f"PostGraphile not run: {last.peer_skipped}."
        ),
    ]
    errors = [
        f"{scale} {r.name} {side}: {getattr(r, side).errors}"
        for scale in scales
        for r in runs[scale].results
        for side in ("tally", "cold", "peer")
        if getattr(r, side).errors
    ]
    if errors:
        notes.append("Non-200 or GraphQL-error responses under load: " + "; ".join(errors) + ".")
    if generator:
        near = [
            f"{r.name} {side}"
            for r in last.results
            for side in ("tally", "cold", "peer")
            if (getattr(r, side).rps or 0) > 0.5 * generator["rps"]
        ]
        if near:
            notes.append(
                "Within 2x of the generator's ceiling (the generator may limit these): "
                + ", ".join(near)
                + "."
            )
        notes.append(
            f"Load generator (same for both): {generator['rps']:,.0f} rps against a static "
            f"endpoint at concurrency {generator['concurrency']}."
        )
    notes.append(f"Machine: {machine}")
    if args.growth and len(scales) > 1:
        out += [
            f"Growth (p50 {scales[-1]} / p50 {scales[0]}):",
            "",
            growth_table({s: runs[s].results for s in scales}),
            "",
        ]
    if args.markdown:
        notes = [n + "  " for n in notes[:-1]] + notes[-1:]  # markdown line breaks
    out += notes

    doc = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "growth" if args.growth else "default",
        "argv": sys.argv[1:],
        "machine": machine,
        "load_average_at_start": load,
        "generator": generator,
        "datasets": {
            s: {
                **info[s],
                "tally_workers": runs[s].tally_workers,
                "peer_workers": runs[s].peer_workers,
                "peer_versions": runs[s].peer_versions,
                "peer_skipped": runs[s].peer_skipped,
                "cases": [r.as_dict() for r in runs[s].results],
            }
            for s in scales
        },
        "table": "\n".join(out),
    }
    path = args.json or RESULTS / (
        f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{'growth' if args.growth else scales[0]}.json"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, default=str) + "\n")
    _log(f"results written to {path}")
    return "\n".join(out)


async def _no_statistics(args: argparse.Namespace) -> str:
    from bench import nostats

    settings = Settings.from_env()
    cases = [c for c in all_cases() if c.dashboard and (not args.only or c.name in args.only)]
    url = await benv.resolve_url(settings, args.scale)
    await benv.prepare(url, args.scale, args.seed, log=_log)
    rows = await nostats.run(url, cases, args.seed, args.runs, _log)
    return nostats.table(rows, args.scale, args.runs)


def cli(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.ingest:
        from bench import ingest

        print(asyncio.run(ingest.run(args, Settings.from_env())))
        return 0
    if args.no_statistics:
        print(asyncio.run(_no_statistics(args)))
        return 0
    try:
        print(asyncio.run(main(args)))
    except peer_mod.PeerUnavailable as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(cli())
