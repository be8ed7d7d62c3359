"""The bench end to end on the tiny demo (one round, a fraction of a second of load): every
case runs in process and over HTTP against a spawned `tally serve`, its asyncpg floor
computes numbers equal to Tally's, and — where Node.js and npm exist — PostGraphile
answers the same question with the same numbers (the harness raises on any
difference). No timing is asserted."""

from __future__ import annotations

import json

import pytest

from bench.__main__ import main, parse
from bench.cases import all_cases
from bench.compare import Mismatch, assert_same
from bench.env import open_env
from bench.peer import node_missing
from bench.runner import check, root_fields
from bench.server import free_port
from gateway.config import Settings

QUICK = ["--scale", "tiny", "--runs", "1", "--warmup", "0", "--duration", "0.3"]
QUICK += ["--concurrency", "2"]


def ports(*names: str) -> list[str]:
    """Free ports for the spawned servers: the suite may run beside other servers."""
    return [arg for name in names for arg in (f"--{name}-port", str(free_port()))]


async def test_bench_runs_end_to_end_and_floors_match(scratch_database, tmp_path):
    settings = Settings(database_url=scratch_database, data_dir=tmp_path)
    out = tmp_path / "results.json"
    args = parse([*QUICK, *ports("tally", "static"), "--no-peer", "--markdown", "--json", str(out)])
    report = await main(args, settings)
    for case in all_cases():
        assert f"| {case.name} |" in report
    assert "answers verified equal" in report
    assert "Machine:" in report and "Load generator" in report

    doc = json.loads(out.read_text())
    cases = doc["datasets"]["tiny"]["cases"]
    assert [c["name"] for c in cases] == [c.name for c in all_cases()]
    for c in cases:
        assert c["compared"].startswith("Tally")
        assert c["tally"]["p50_ms"] > 0 and c["tally"]["rps"] > 0
        assert c["tally"]["errors"] == 0
        assert c["cold"]["p50_ms"] > 0 and c["cold"]["rps"] > 0  # Cache-Control: no-cache
        assert c["cold"]["errors"] == 0
        assert c["peer"]["p50_ms"] is None  # --no-peer
    assert doc["generator"]["rps"] > 0

    # The floors see real data (not two empty answers agreeing) and the statement
    # counts are what the table reports.
    async with open_env(scratch_database, settings, args.seed) as env:
        for case in all_cases():
            statements, nbytes, floor_statements = await check(env, case)
            assert nbytes > 0
            if case.floor is None:
                # `{ __typename }` needs no data: a lazy session opens no connection
                assert statements == 0 and floor_statements is None
            elif case.dashboard:
                assert statements > 0 and 1 <= floor_statements <= 3
            else:
                # the trivial lookup reads the viewer's org off the principal: at most
                # the token lookup, none when the principal is cached
                assert statements <= 1 and floor_statements == 1
        pubs = await all_cases()[0].floor(env)
        assert pubs and sum(sum(p["metrics"]) for p in pubs.values()) > 0


@pytest.mark.skipif(node_missing() is not None, reason=f"PostGraphile: {node_missing()}")
async def test_postgraphile_answers_every_case_with_the_same_numbers(scratch_database, tmp_path):
    settings = Settings(database_url=scratch_database, data_dir=tmp_path)
    out = tmp_path / "results.json"
    args = parse([*QUICK, *ports("tally", "peer", "static"), "--json", str(out)])
    report = await main(args, settings)
    assert "PostGraphile 4.14.1 + pg-aggregates 0.1.1" in report
    doc = json.loads(out.read_text())
    data = doc["datasets"]["tiny"]
    assert data["peer_versions"]["postgraphile"] == "4.14.1"
    by_name = {c.name: c for c in all_cases()}
    for c in data["cases"]:
        assert "PostGraphile" in c["compared"], c["name"]
        assert c["peer"]["p50_ms"] > 0 and c["peer"]["rps"] > 0 and c["peer"]["errors"] == 0
        assert c["peer"]["statements"] == root_fields(by_name[c["name"]].peer.query)


def test_peer_statements_are_its_root_fields():
    assert root_fields("{ __typename }") == 0
    assert (
        root_fields(
            "query Q($id: BigInt!) { a: orgById(id: $id) { key } b: allOrgs { totalCount } }"
        )
        == 2
    )


def test_compare_reports_the_first_difference():
    assert_same({"a": [1, 2.0]}, {"a": [1, 2.0 + 1e-12]})
    with pytest.raises(Mismatch, match=r"x\.a\[1\]"):
        assert_same({"a": [1, 2]}, {"a": [1, 3]}, path="x")
    assert_same({"p": 100.0}, {"p": 100.00001}, frozenset({"p"}))
