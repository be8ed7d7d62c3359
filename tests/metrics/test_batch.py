"""One statement per request moment: metric queries of different shapes share it, each
answer is what it would be alone, and shared source branches do not leak rows of one
query's event types into another's groups."""

from __future__ import annotations

import asyncio
import json
from datetime import date

from gateway.context import RequestSession
from gateway.metrics import PeriodSpec, Scope, resolve
from gateway.metrics.batch import MetricBatch
from gateway.metrics.engine import breakdown, compare, series, totals
from gateway.metrics.scope import Lookup

from .conftest import utc

MARCH = resolve(PeriodSpec(None, date(2026, 3, 1), date(2026, 3, 31)))


async def test_mixed_queries_share_one_statement(session, org, events, sql_counter):
    await events.write(
        events.ev("view", 1, utc(2026, 3, 2, 10)),
        events.ev("view", 1, utc(2026, 3, 2, 11)),
        events.ev("view", 2, utc(2026, 3, 9, 10)),
        events.ev("like", 2, utc(2026, 3, 9, 12)),
        events.ev("play", 1, utc(2026, 3, 3, 8), dims={"experience_type": "PODCAST"}),
        events.ev("play", 2, utc(2026, 3, 4, 8), dims={"experience_type": "VIDEO"}),
        events.ev("play", 2, utc(2026, 3, 5, 8), dims={"experience_type": "VIDEO"}),
        events.ev("view", 1, utc(2026, 2, 20, 10)),  # previous period
    )
    db = RequestSession(session)
    sql_counter.reset()
    t, c, s, by_type = await asyncio.gather(
        totals(db, org.id, ["publication.views", "publication.likes"], Scope(ids=[1, 2]), MARCH),
        compare(db, org.id, ["publication.views"], Scope(ids=[1]), MARCH),
        series(db, org.id, ["publication.views"], Scope(ids=[2]), MARCH, "DAY"),
        breakdown(
            db, org.id, ["publication.plays"], Scope(ids=[1, 2]), MARCH, "dim:experience_type"
        ),
    )
    assert sql_counter.count == 1
    assert t == {
        1: {"publication.views": 2, "publication.likes": 0},
        2: {"publication.views": 1, "publication.likes": 1},
    }
    # March (31 days) against the 31 days before it: 2 views against 1
    assert (c[1]["publication.views"].current, c[1]["publication.views"].previous) == (2, 1)
    assert s[2].values["publication.views"][8] == 1 and s[2].totals["publication.views"] == 1
    # only play rows form groups: the view and like rows of the shared branch do not
    assert [(r.key, r.values["publication.plays"]) for r in by_type] == [
        ("VIDEO", 2),
        ("PODCAST", 1),
    ]


async def test_answers_equal_the_unbatched_ones(session, org, events):
    await events.write(
        *[events.ev("view", 1 + i % 3, utc(2026, 3, 1 + i % 28, i % 24)) for i in range(60)]
    )
    scope = Scope(ids=[1, 2, 3])
    db = RequestSession(session)
    alone = [
        await totals(db, org.id, ["publication.views"], scope, MARCH),
        await breakdown(db, org.id, ["publication.views"], scope, MARCH, "hour_of_day"),
    ]
    together = await asyncio.gather(
        totals(db, org.id, ["publication.views"], scope, MARCH),
        breakdown(db, org.id, ["publication.views"], scope, MARCH, "hour_of_day"),
    )
    assert list(together) == alone
    assert sum(v["publication.views"] for v in alone[0].values()) == 60


async def test_a_repository_read_joins_the_statement(session, org, events, sql_counter):
    """`MetricBatch.run_raw`: SQL the engine has no shape for rides in the same statement,
    its values bound through the batch's parameters, its rows returned as (g, v)."""
    await events.write(
        events.ev("view", 1, utc(2026, 3, 2, 10)), events.ev("view", 2, utc(2026, 3, 3, 10))
    )
    db = RequestSession(session)

    def build(p) -> str:
        return (
            f"SELECT CAST(subject_id AS text) AS g, ARRAY[count(*), {p(7)}] AS v FROM events"
            f" WHERE org_id = {p(org.id)} AND type = {p('view')} GROUP BY subject_id"
        )

    sql_counter.reset()
    t, raw = await asyncio.gather(
        totals(db, org.id, ["publication.views"], Scope(ids=[1, 2]), MARCH),
        MetricBatch.of(db).run_raw(build),
    )
    assert sql_counter.count == 1
    assert t == {1: {"publication.views": 1}, 2: {"publication.views": 1}}
    assert sorted(raw) == [("1", [1.0, 7.0]), ("2", [1.0, 7.0])]

    sql_counter.reset()  # alone: the same rows from a statement of its own
    assert sorted(await MetricBatch.of(db).run_raw(build)) == [("1", [1.0, 7.0]), ("2", [1.0, 7.0])]
    assert sql_counter.count == 1


async def test_metrics_of_a_lookups_rows_share_its_statement(session, org, events, sql_counter):
    """`MetricBatch.run_lookup`: a repository's SELECT is read once (a CTE) and scopes take
    their subjects from its `id` column — rows whose id is NULL name no subject, subjects
    without events still get their (empty) values, and the rows come back in `o` order."""
    await events.write(
        events.ev("view", 1, utc(2026, 3, 2, 10)),
        events.ev("view", 2, utc(2026, 3, 3, 10)),
        events.ev("view", 2, utc(2026, 3, 4, 10)),
        events.ev("view", 3, utc(2026, 3, 4, 10)),
    )
    db = RequestSession(session)

    def build(p) -> str:  # subjects 2 and 4 (no events); 3 is listed without metrics
        return (
            "SELECT x.k, CASE WHEN x.k <> 3 THEN x.k END AS id, -x.k AS o"
            f" FROM unnest(CAST({p([2, 3, 4])} AS bigint[])) AS x(k)"
        )

    lookup = Lookup(build)
    sql_counter.reset()
    rows, t, s = await asyncio.gather(
        MetricBatch.of(db).run_lookup(lookup),
        totals(db, org.id, ["publication.views"], Scope(ids=lookup), MARCH),
        series(db, org.id, ["publication.views"], Scope(ids=lookup), MARCH, "DAY"),
    )
    assert sql_counter.count == 1
    assert [json.loads(r)["k"] for r in rows] == [4, 3, 2]
    assert lookup.ids == [4, 2]
    assert t == {2: {"publication.views": 2}, 4: {"publication.views": 0}}
    assert sorted(s) == [2, 4]
    assert sum(s[2].values["publication.views"]) == 2 and len(s[4].buckets) == 31
