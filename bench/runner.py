"""Run the cases: per case, one checked request (GraphQL numbers == floor numbers, SQL
statements and response bytes counted), then `runs` timed repetitions of the GraphQL
request and of the floor, interleaved per case so both see the same machine state."""

from __future__ import annotations

from dataclasses import dataclass

from bench.cases import Case
from bench.compare import assert_same
from bench.env import BenchEnv
from bench.harness import Measurement, percentile, time_it


@dataclass
class CaseResult:
    measurement: Measurement
    floor_p95_ms: float
    note: str = ""


async def check(env: BenchEnv, case: Case) -> tuple[int, int, int]:
    """One GraphQL request and one floor run; assert equal numbers. Returns (GraphQL SQL
    statements, response bytes, floor statements)."""
    before = env.counter.count
    data, nbytes = await env.graphql(case.principal, case.query, case.variables(env))
    statements = env.counter.count - before
    fbefore = env.floor.count
    floor_numbers = await case.floor(env)
    floor_statements = env.floor.count - fbefore
    assert_same(case.extract(data), floor_numbers, case.loose, case.name)
    return statements, nbytes, floor_statements


async def run_case(env: BenchEnv, case: Case, runs: int, warmup: int) -> CaseResult:
    statements, nbytes, floor_statements = await check(env, case)
    variables = case.variables(env)

    async def gql() -> None:
        await env.graphql(case.principal, case.query, variables)

    async def flr() -> None:
        await case.floor(env)

    samples = await time_it(gql, runs, warmup)
    floor_samples = await time_it(flr, runs, warmup)
    m = Measurement(
        name=case.name,
        p50_ms=percentile(samples, 0.5),
        p95_ms=percentile(samples, 0.95),
        statements=statements,
        response_bytes=nbytes,
        floor_p50_ms=percentile(floor_samples, 0.5),
        floor_statements=floor_statements,
    )
    return CaseResult(m, percentile(floor_samples, 0.95), case.note)
