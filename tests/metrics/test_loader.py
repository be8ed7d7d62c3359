"""Dataloaders: statements per request do not grow with the number of nodes."""

import asyncio
from datetime import date

import pytest

from gateway.config import Settings
from gateway.context import Context
from gateway.metrics import (
    Granularity,
    PeriodSpec,
    Preset,
    Scope,
    Via,
    load_change,
    load_series,
    load_total,
    resolve,
    resolve_period,
)

from .conftest import utc

JAN = resolve(PeriodSpec(None, date(2026, 1, 1), date(2026, 1, 31)))
METRICS = [
    "publication.views",
    "publication.plays",
    "publication.completion_rate",
    "publication.active_users",
    "publication.likes",
    "publication.shares",
]


def ctx_for(session, org):
    return Context(session=session, principal=None, settings=Settings())


@pytest.fixture
async def fifty(events):
    e = events.ev
    rows = []
    for pub in range(1, 51):
        rows += [e("view", pub, utc(2026, 1, 2, h), actor=h) for h in range(pub % 4 + 1)]
        rows += [e("play", pub, utc(2026, 1, 3), actor=1), e("play", pub, utc(2026, 1, 3), actor=2)]
        rows.append(e("completion", pub, utc(2026, 1, 3, 1), actor=1))
    await events.write(*rows)


async def test_totals_loader_batches_nodes_and_metrics(session, org, fifty, sql_counter):
    async def run(pubs, metrics):
        ctx = ctx_for(session, org)
        sql_counter.reset()
        values = await asyncio.gather(
            *[load_total(ctx, m, p, JAN, org_id=org.id) for p in pubs for m in metrics]
        )
        return values, sql_counter.count

    one, n1 = await run([7], METRICS[:1])
    many, n50 = await run(range(1, 51), METRICS)
    assert n1 == n50 == 1
    assert one == [4]  # 7 % 4 + 1 views
    by = dict(zip([(p, m) for p in range(1, 51) for m in METRICS], many, strict=True))
    assert by[(5, "publication.views")] == 2
    assert by[(5, "publication.completion_rate")] == 50.0
    assert by[(5, "publication.active_users")] == 3  # viewed by 0, 1; played by 1, 2
    assert by[(5, "publication.likes")] == 0


async def test_series_and_change_loaders_batch(session, org, fifty, sql_counter):
    ctx = ctx_for(session, org)
    sql_counter.reset()
    results = await asyncio.gather(
        *[
            load_series(
                ctx,
                ["publication.views", "publication.plays"],
                p,
                JAN,
                Granularity.DAY,
                org_id=org.id,
            )
            for p in range(1, 51)
        ],
        *[load_change(ctx, "publication.views", p, JAN, org_id=org.id) for p in range(1, 51)],
    )
    assert sql_counter.count == 1  # the series and the compare query share one statement
    s7 = results[6]
    assert len(s7.buckets) == 31
    assert s7.values["publication.views"][1] == 4 and s7.totals["publication.plays"] == 2
    change7 = results[50 + 6]
    assert (change7.current, change7.previous, change7.change_percent) == (4, 0, None)


async def test_via_and_total_keys(session, org, factory, events, sql_counter):
    missions = [await factory.mission(org) for _ in range(3)]
    content = [await factory.content(m) for m in missions]
    await events.write(
        *[
            events.ev("impression", c.id, utc(2026, 1, 5), st="content", value=10 * (i + 1))
            for i, c in enumerate(content)
        ]
    )
    ctx = ctx_for(session, org)
    scope = Scope(via=Via("content", group_col="mission_id"))
    sql_counter.reset()
    got = await asyncio.gather(
        *[
            load_total(ctx, "content.impressions", m.id, JAN, scope, org_id=org.id)
            for m in missions
        ],
        load_total(ctx, "content.impressions", None, JAN, org_id=org.id),
    )
    assert got == [10.0, 20.0, 30.0, 60.0]
    assert sql_counter.count == 1  # grouped keys and the org-wide total, one statement


async def test_request_clock_fixes_now(session, org):
    ctx = ctx_for(session, org)
    a = resolve_period(ctx, PeriodSpec(Preset.LAST_24H))
    await asyncio.sleep(0.01)
    assert resolve_period(ctx, PeriodSpec(Preset.LAST_24H)) == a
