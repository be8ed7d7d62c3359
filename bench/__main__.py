"""`python -m bench` (`make bench`): run the dashboard cases against the bench database
and print the table (p50/p95 latency, SQL statements per request, response bytes, and
the ratio to the asyncpg floor measured in the same run) with the machine line.

Database: DATABASE_URL if set, else the embedded server's `tally_bench`; seeded once with
the demo at `--scale` (default large, or BENCH_SCALE) and reused afterwards."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from bench import env as benv
from bench.cases import all_cases
from bench.harness import table
from bench.machine import machine_line
from bench.runner import run_case
from gateway.config import Settings
from gateway.demo import DEFAULT_SEED
from gateway.demo.world import SCALES


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--runs", type=int, default=30, help="timed repetitions per case")
    p.add_argument("--warmup", type=int, default=3, help="untimed runs first")
    p.add_argument("--scale", choices=list(SCALES), default=benv.env_scale())
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--only", action="append", help="run only this case (repeatable)")
    p.add_argument(
        "--markdown", action="store_true", help="print the README block (heading + table)"
    )
    return p.parse_args(argv)


async def main(args: argparse.Namespace, settings: Settings | None = None) -> str:
    settings = settings or Settings.from_env()
    cases = all_cases()
    if args.only:
        unknown = set(args.only) - {c.name for c in cases}
        if unknown:
            names = ", ".join(c.name for c in cases)
            raise SystemExit(f"unknown case(s) {sorted(unknown)}: choose from {names}")
        cases = [c for c in cases if c.name in args.only]
    url = await benv.resolve_url(settings)
    await benv.prepare(url, args.scale, args.seed, log=lambda m: print(m, file=sys.stderr))
    results = []
    async with benv.open_env(url, settings, args.seed) as env:
        pubs = await env.floor.conn.fetchval(
            "SELECT count(*) FROM publications WHERE org_id = $1", env.org_id
        )
        pg = await env.floor.conn.fetchval("SELECT version()")
        for case in cases:
            t0 = time.monotonic()
            r = await run_case(env, case, args.runs, args.warmup)
            results.append(r)
            print(
                f"{case.name}: p50 {r.measurement.p50_ms:.1f} ms, floor "
                f"{r.measurement.floor_p50_ms:.1f} ms ({time.monotonic() - t0:.0f} s)",
                file=sys.stderr,
            )
        window = f"{env.start} .. {env.end} (UTC, 30 days)"
        machine = machine_line(pg, env.events, benv.scale_of(pubs))
    out = [
        table([r.measurement for r in results]),
        "",
        f"{args.runs} runs after {args.warmup} warm-up runs; window {window}; "
        "floors verified equal to the GraphQL numbers in this run.",
        f"Machine: {machine}",
    ]
    if args.markdown:
        out[0:0] = ["### Benchmarks (`make bench`)", ""]
        out[-2:] = [out[-2] + "  ", out[-1]]  # markdown line break between the two notes
    return "\n".join(out)


def cli(argv: list[str] | None = None) -> int:
    args = parse(argv)
    print(asyncio.run(main(args)))
    return 0


if __name__ == "__main__":
    sys.exit(cli())
