"""The bench end to end on the tiny demo (1 repetition): every case runs through the
HTTP app and its asyncpg floor computes numbers equal to the GraphQL numbers (the
bench's `check` raises on any difference), which is the correctness proof of the
floors."""

from __future__ import annotations

import pytest

from bench.__main__ import main, parse
from bench.cases import all_cases
from bench.compare import Mismatch, assert_same
from bench.env import open_env
from bench.runner import check
from gateway.config import Settings


async def test_bench_runs_end_to_end_and_floors_match(scratch_database, tmp_path):
    settings = Settings(database_url=scratch_database, data_dir=tmp_path)
    args = parse(["--scale", "tiny", "--runs", "1", "--warmup", "0", "--markdown"])
    report = await main(args, settings)
    for case in all_cases():
        assert f"| {case.name} |" in report
    assert "floors verified equal" in report
    assert "Machine:" in report

    # The floors see real data (not two empty answers agreeing) and the statement
    # counts are what the table reports.
    async with open_env(scratch_database, settings, args.seed) as env:
        for case in all_cases():
            statements, nbytes, floor_statements = await check(env, case)
            assert statements > 0 and nbytes > 0
            assert 1 <= floor_statements <= 3
        pubs = await all_cases()[0].floor(env)
        assert pubs and sum(sum(p["metrics"]) for p in pubs.values()) > 0


def test_compare_reports_the_first_difference():
    assert_same({"a": [1, 2.0]}, {"a": [1, 2.0 + 1e-12]})
    with pytest.raises(Mismatch, match=r"x\.a\[1\]"):
        assert_same({"a": [1, 2]}, {"a": [1, 3]}, path="x")
    assert_same({"p": 100.0}, {"p": 100.00001}, frozenset({"p"}))
