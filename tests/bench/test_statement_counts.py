"""Statement counts of the dashboard bench cases, on the tiny bench seed: each case's
GraphQL request sends at most as many SQL statements as its hand-written floor plus the
authentication statements (the principal cache is off, so every request authenticates),
and the same number whether it asks for one node or for many (`first` / `limit` 1 vs 50,
one mission's dashboard vs every mission's). The numbers themselves are checked against
the floor by `bench.runner.check`. No timing is asserted."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest

from bench.cases import Case, learners, missions, publications, workspaces
from bench.env import BenchEnv, open_env, prepare
from bench.runner import check
from gateway.config import Settings
from gateway.db import drop_database, ensure_database, to_sqlalchemy_url, with_database
from gateway.demo import DEFAULT_SEED

MANY = 50


@pytest.fixture(scope="module")
async def bench_tiny(server_url: str) -> AsyncIterator[str]:
    """A database with the tiny bench seed, shared by this module's tests (read only)."""
    name = f"tally_scratch_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await ensure_database(server_url, name)
    url = to_sqlalchemy_url(with_database(server_url, name))
    await prepare(url, "tiny", DEFAULT_SEED, log=lambda _: None)
    yield url
    await drop_database(server_url, name)


async def _count(env: BenchEnv, principal: str, query: str, variables: dict) -> tuple[int, dict]:
    before = env.counter.count
    data, _ = await env.graphql(principal, query, variables)
    return env.counter.count - before, data


def _multi_mission_query(keys: list[str]) -> str:
    """The mission case's query for several missions at once (one alias per key)."""
    q = missions.QUERY
    head = "mission(key: $key)"
    selection = q[q.index(head) + len(head) : q.rindex("}")]
    fields = "".join(f' m{i}: mission(key: "{k}"){selection}' for i, k in enumerate(keys))
    return "query MissionDashboards($period: PeriodInput!) {" + fields + "}"


async def _one_and_many(env: BenchEnv, case: Case) -> tuple[int, int]:
    """(statements for one node, statements for many), asserting that "many" is more."""
    base = case.variables(env)
    if case is missions.CASE:
        rows = await env.floor.conn.fetch(
            "SELECT key FROM missions WHERE org_id = $1 ORDER BY id", env.org_id
        )
        keys = [r["key"] for r in rows]
        assert len(keys) > 1
        one, _ = await _count(env, case.principal, case.query, base)
        many, data = await _count(
            env, case.principal, _multi_mission_query(keys), {"period": base["period"]}
        )
        assert all(data[f"m{i}"]["analytics"]["summary"] for i in range(len(keys)))
        return one, many
    name, size = {
        publications.CASE.name: ("first", lambda d: len(d["publications"]["nodes"])),
        learners.CASE.name: ("topics", lambda d: len(d["learnerAnalytics"]["topicDetails"])),
        workspaces.CASE.name: (
            "limit",
            lambda d: len(d["workspace"]["agentLeaderboard"]["entries"]),
        ),
    }[case.name]
    one, data = await _count(env, case.principal, case.query, {**base, name: 1})
    assert size(data) == 1
    many, data = await _count(env, case.principal, case.query, {**base, name: MANY})
    assert size(data) > 1
    return one, many


@pytest.mark.parametrize(
    "case",
    [publications.CASE, missions.CASE, learners.CASE, workspaces.CASE],
    ids=lambda c: c.name,
)
async def test_dashboard_statements_at_most_the_floor_and_independent_of_nodes(
    case, bench_tiny, tmp_path
):
    settings = Settings(database_url=bench_tiny, data_dir=tmp_path, principal_cache_ttl_s=0)
    async with open_env(bench_tiny, settings, DEFAULT_SEED) as env:
        auth, _ = await _count(env, case.principal, "{ __typename }", {})
        assert auth >= 1  # the token is looked up: nothing else is read
        statements, _, floor = await check(env, case)  # equal numbers, or it raises
        assert floor is not None
        assert statements <= floor + auth, (case.name, statements, floor, auth)
        one, many = await _one_and_many(env, case)
        assert one == many == statements, (case.name, one, many, statements)
