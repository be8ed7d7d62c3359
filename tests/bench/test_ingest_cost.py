"""The bulk-load cost probe of `make bench --ingest` (bench/ingest_cost.py): its split of
the merge per table written, read from a real plan, and its arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.ingest_cost import Phase, Probe, measure, merge_phases, table
from bench.ingest_data import Subjects
from gateway.ingest.writer import (
    STAGING,
    EventRow,
    asyncpg_connection,
    direct_merge_sql,
    merge_settings,
    stage_events,
)


async def test_merge_phases_name_every_table_the_merge_writes(session, factory):
    org = await factory.org()
    conn = await asyncpg_connection(session)
    ten = datetime(2026, 3, 1, 10, 15, tzinfo=UTC)
    eleven = ten.replace(hour=11)
    rows = [
        EventRow(org.id, "a", "view", "publication", 1, ten, 7, 1.0, "{}", "{}"),
        EventRow(org.id, "b", "view", "publication", 1, eleven, 8, 1.0, "{}", "{}"),
        EventRow(org.id, "c", "view", "publication", 2, ten, None, 1.0, "{}", "{}"),
    ]
    await stage_events(conn, rows)
    async with conn.transaction():
        await merge_settings(conn)
        plan = await conn.fetchval(
            f"EXPLAIN (ANALYZE, WAL, FORMAT JSON) {direct_merge_sql(STAGING)}"
        )
    phases = {p.name: p for p in merge_phases(plan)}
    # 3 events; daily keys: subjects 1 and 2 on one day; org-wide: one key; actor rows:
    # (subject 1, actor 7) and (subject 1, actor 8), the actorless event has none
    assert {n: p.rows for n, p in phases.items()} == {
        "merge: events": 3,
        "merge: rollup_daily": 2,
        "merge: rollup_daily_org": 1,
        "merge: rollup_daily_actor": 2,
    }
    assert all(p.wal_records and p.wal_records > 0 for p in phases.values())
    assert all(p.seconds >= 0 for p in phases.values())


def test_table_bounds_the_ratio_by_the_work_over_the_cores():
    # 200,000 events: 2 s parsing, 2 s validating, a 4 s merge -> 4 s per 100,000;
    # the floor takes 1 s per 100,000 rows; on 2 cores at least 2 s: at most 0.50x
    phases = [Phase("parse", 2.0), Phase("validate", 2.0), Phase("merge: events", 3.0, 200_000)]
    out = table(Probe(phases, merge=4.0, floor=2.0, events=200_000, rounds=1), cores=2)
    assert "| parse | 1.00 | 1.00 |  |  |" in out
    assert "| merge: events | 1.50 | 1.50 | 100,000 |  |" in out
    assert "| **all of it** | **4.00** | **4.00** | | |" in out
    assert "at least 2.00 s per 100,000: at most **0.50×** the floor" in out


async def test_measure_times_every_phase_and_leaves_nothing_behind(session, factory):
    org = await factory.org()
    owner = await factory.user(org)
    pub = await factory.publication(owner)
    mission = await factory.mission(org)
    subjects = Subjects(
        org.key, {"publication": [pub.custom_url], "mission": [mission.key]}, [owner.username]
    )
    conn = await asyncpg_connection(session)
    anchor = datetime(2026, 3, 2, tzinfo=UTC)
    probe = await measure(conn, subjects, anchor=anchor, days=1, seed=1, events=300, rounds=2)
    names = [p.name for p in probe.phases]
    assert names[:3] == [
        "parse (orjson, Python)",
        "validate (Python, a lookup per chunk)",
        f"stage: COPY into {STAGING}",
    ]
    assert set(names[3:]) == {
        "merge: events",
        "merge: rollup_daily",
        "merge: rollup_daily_org",
        "merge: rollup_daily_actor",
    }
    assert next(p.rows for p in probe.phases if p.name == "merge: events") == 300
    assert probe.floor > 0 and probe.merge > 0 and (probe.events, probe.rounds) == (300, 2)
    # rolled back: no event, no rollup row, no floor table
    for t in ("events", "rollup_daily", "rollup_daily_actor"):
        assert await conn.fetchval(f"SELECT count(*) FROM {t} WHERE org_id = $1", org.id) == 0
    assert await conn.fetchval("SELECT to_regclass('events_floor')") is None
