"""Plan shapes that hold without planner statistics (the test database is never
analyzed, like a server right after a bulk load): subjects chosen through an entity
table are read once, not once per rollup row, and each partial-period edge of raw
events is its own branch with a single range (no OR of ranges the planner can only
filter by). `python -m bench --no-statistics` measures the same on
the large demo."""

from __future__ import annotations

from datetime import date

import orjson
from sqlalchemy import event

from gateway.ingest.writer import asyncpg_connection
from gateway.metrics import PeriodSpec, Scope, Via, resolve, totals

from .conftest import utc


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


async def _plan_of_metric_statement(session, engine, run) -> list[dict]:
    """Run `run()` and EXPLAIN ANALYZE the metric statement it sent."""
    caught: list[tuple[str, tuple]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if "rollup_" in statement:
            caught.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        await run()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)
    assert len(caught) == 1, [s[:80] for s, _ in caught]
    sql, params = caught[0]
    conn = await asyncpg_connection(session)
    raw = await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, *(params or ()))
    plan = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    return list(_nodes(plan[0]["Plan"]))


async def test_entity_subjects_are_read_once_not_per_rollup_row(
    session, engine, factory, org, events, rdb
):
    mission = await factory.mission(org)
    content = [await factory.content(mission, platform="twitter") for _ in range(5)]
    e = events.ev
    await events.write(
        *[
            e("impression", c.id, utc(2026, 1, d, h), st="content", value=d)
            for c in content
            for d in range(1, 21)
            for h in (3, 15)
        ]
    )
    period = resolve(PeriodSpec(None, date(2026, 1, 1), date(2026, 1, 31)))
    scope = Scope(via=Via("content", where={"mission_id": [mission.id]}), total=True)
    got: dict = {}

    async def run():
        got.update(await totals(rdb, org.id, ["content.impressions"], scope, period))

    nodes = await _plan_of_metric_statement(session, engine, run)
    assert got[None]["content.impressions"] == 5 * 2 * sum(range(1, 21))
    content_scans = [n for n in nodes if n.get("Relation Name") == "content"]
    assert content_scans and all(n["Actual Loops"] == 1 for n in content_scans), content_scans
    assert not [n for n in nodes if n["Node Type"] in ("Nested Loop", "Hash Join")]


async def test_each_raw_edge_is_an_index_range(session, engine, org, events, rdb):
    # a window from 10:30 on Jan 1 to 14:30 on Jan 20: two partial hours read from events
    e = events.ev
    await events.write(
        *[e("view", 1, utc(2026, 1, d, h, 45)) for d in range(1, 21) for h in range(24)]
    )
    period = resolve(PeriodSpec(None, utc(2026, 1, 1, 10, 30), utc(2026, 1, 20, 14, 30)))
    got: dict = {}

    async def run():
        got.update(await totals(rdb, org.id, ["publication.views"], Scope(ids=[1]), period))

    nodes = await _plan_of_metric_statement(session, engine, run)
    # 10:45 .. 23:45 on Jan 1, every hour of Jan 2-19, 00:45 .. 13:45 on Jan 20
    assert got[1]["publication.views"] == 14 + 18 * 24 + 14
    scans = [n for n in nodes if n.get("Relation Name") == "events"]
    assert len(scans) == 2, scans
    for scan in scans:
        # one range each (an index condition wherever the planner takes the ts index)
        conds = scan.get("Index Cond", "") + " " + scan.get("Filter", "")
        assert conds.count("ts >=") == 1 and " OR " not in conds, conds


async def test_a_grouping_via_an_entity_probes_it_per_row(
    session, engine, factory, org, events, rdb
):
    """Grouped by an entity column (content by mission), each row read is looked up in
    the entity table by its key: never a nested loop over the org's entities with a
    join filter, whatever the planner estimates."""
    missions = [await factory.mission(org) for _ in range(2)]
    content = [await factory.content(m, platform="twitter") for m in missions for _ in range(3)]
    others = [await factory.content(await factory.mission(org)) for _ in range(20)]
    e = events.ev
    await events.write(
        *[
            e("impression", c.id, utc(2026, 1, d, 3), st="content", value=d + i)
            for i, c in enumerate(content + others)
            for d in range(1, 11)
        ]
    )
    period = resolve(PeriodSpec(None, date(2026, 1, 1), date(2026, 1, 31)))
    ids = [m.id for m in missions]
    scope = Scope(via=Via("content", group_col="mission_id", where={"mission_id": ids}))
    got: dict = {}

    async def run():
        got.update(await totals(rdb, org.id, ["content.impressions"], scope, period))

    nodes = await _plan_of_metric_statement(session, engine, run)
    # mission 0: content 0..2, mission 1: content 3..5; each sums d + i over d = 1..10
    for k, m in enumerate(missions):
        want = sum(d + i for i in range(3 * k, 3 * k + 3) for d in range(1, 11))
        assert got[m.id]["content.impressions"] == want
    assert not [n for n in nodes if "Join Filter" in n], "a join filtered row by row"
    probes = [n for n in nodes if n.get("Relation Name") == "content" and "Index" in n["Node Type"]]
    assert any(n["Actual Loops"] == 6 * 10 for n in probes), probes
