"""totals() and compare(): hand-computed values over rollups + raw edges."""

from datetime import date

import pytest

from gateway.errors import InvalidInput
from gateway.metrics import PeriodSpec, Preset, Scope, Via, compare, resolve, totals

from .conftest import utc

JAN = resolve(PeriodSpec(None, date(2026, 1, 1), date(2026, 1, 31)))


async def test_counts_ratios_and_late_duplicate_events(events, rdb, org):
    e = events.ev
    dup = e("view", 1, utc(2026, 1, 5, 10), actor=7, event_id="dup")
    assert (
        await events.write(
            dup,
            dup,  # duplicate in the same batch
            e("view", 1, utc(2026, 1, 20, 10), actor=8),
            e("view", 2, utc(2026, 1, 6, 10), actor=7),
            *[e("play", 1, utc(2026, 1, 7, h), actor=9) for h in range(10)],
            e("completion", 1, utc(2026, 1, 7, 12), actor=9),
            e("play", 2, utc(2026, 1, 8, 9), actor=7),
            e("completion", 2, utc(2026, 1, 8, 9, 30), actor=7),
        )
        == 16
    )
    # the same event again (retry) and a late event for an old hour
    assert await events.write(dup, e("view", 1, utc(2026, 1, 5, 10, 59), actor=9)) == 1

    metrics = ["publication.views", "publication.completion_rate", "publication.active_users"]
    got = await totals(rdb, org.id, metrics, Scope(ids=[1, 2, 3]), JAN)
    assert got[1] == {
        "publication.views": 3,
        "publication.completion_rate": pytest.approx(10.0),  # 1 of 10 plays
        "publication.active_users": 3,  # actors 7, 8, 9
    }
    assert got[2]["publication.completion_rate"] == pytest.approx(100.0)
    assert got[3] == {  # no events: counts 0, ratio undefined
        "publication.views": 0,
        "publication.completion_rate": None,
        "publication.active_users": 0,
    }
    combined = await totals(rdb, org.id, metrics, Scope(ids=[1, 2], total=True), JAN)
    # a ratio of sums (2 / 11), not the average of the ratios (55 %)
    assert combined[None]["publication.completion_rate"] == pytest.approx(200 / 11)
    assert combined[None]["publication.active_users"] == 3
    org_wide = await totals(rdb, org.id, "publication.views", Scope(), JAN)
    assert org_wide == {None: {"publication.views": 4}}


async def test_empty_period_and_other_org(events, rdb, org, factory):
    await events.write(events.ev("view", 1, utc(2026, 1, 5)))
    other = await factory.org()
    june = resolve(PeriodSpec(None, date(2025, 6, 1), date(2025, 6, 2)))
    metrics = ["publication.views", "publication.completion_rate", "publication.active_users"]
    expect = {
        "publication.views": 0,
        "publication.completion_rate": None,
        "publication.active_users": 0,
    }
    assert await totals(rdb, org.id, metrics, Scope(), june) == {None: expect}
    assert await totals(rdb, other.id, metrics, Scope(ids=[1]), JAN) == {1: expect}


async def test_avg_is_total_over_count(events, rdb, org):
    e = events.ev
    await events.write(
        e("request", 5, utc(2026, 1, 2, 9), st="agent", value=100),
        e("request", 5, utc(2026, 1, 2, 9, 5), st="agent", value=200),
        e("request", 5, utc(2026, 1, 9), st="agent", value=600),
        e("error", 5, utc(2026, 1, 9), st="agent"),
        e("uptime", 5, utc(2026, 1, 9), st="agent", value=1.0),
        e("uptime", 5, utc(2026, 1, 9, 1), st="agent", value=0.5),
    )
    m = [
        "agent.avg_response_time_ms",
        "agent.error_rate",
        "agent.success_rate",
        "agent.uptime_percent",
        "agent.avg_rating",
    ]
    got = (await totals(rdb, org.id, m, Scope(ids=[5]), JAN))[5]
    assert got["agent.avg_response_time_ms"] == pytest.approx(300.0)
    assert got["agent.error_rate"] == pytest.approx(100 / 3)
    assert got["agent.success_rate"] == pytest.approx(100 - 100 / 3)
    assert got["agent.uptime_percent"] == pytest.approx(75.0)
    assert got["agent.avg_rating"] is None


async def test_last_24h_reads_partial_edge_hours_exactly(events, rdb, org, sql_counter):
    now = utc(2026, 3, 10, 10, 30)
    p = resolve(PeriodSpec(Preset.LAST_24H), now=now)
    e = events.ev
    await events.write(
        e("view", 1, utc(2026, 3, 9, 10, 15)),  # before the start (same rollup hour)
        e("view", 1, utc(2026, 3, 9, 10, 45)),  # in, partial first hour
        e("view", 1, utc(2026, 3, 9, 15)),  # in, interior (rollup)
        e("view", 1, utc(2026, 3, 10, 10, 10)),  # in, partial last hour
        e("view", 1, utc(2026, 3, 10, 10, 40)),  # after now (same rollup hour)
    )
    sql_counter.reset()
    assert (await totals(rdb, org.id, "publication.views", Scope(), p))[None] == {
        "publication.views": 3
    }
    assert "FROM rollup_hourly" in sql_counter.statements[0]  # the interior


async def test_distinct_actors_across_rollup_and_raw_boundary(events, rdb, org, sql_counter):
    now = utc(2026, 3, 10, 10, 30)
    e = events.ev

    def msg(ts, actor):
        return e("message", 5, ts, st="agent", actor=actor)

    await events.write(
        msg(utc(2026, 3, 3, 22, 30), 9),  # before LAST_7D (UTC) / before Berlin start too
        msg(utc(2026, 3, 3, 23, 30), 1),  # in Berlin's LAST_7D only (00:30 local), raw edge
        msg(utc(2026, 3, 5, 12), 1),  # whole day: rollup_daily_actor
        msg(utc(2026, 3, 6, 12), 2),
        msg(utc(2026, 3, 9, 11), 1),  # in LAST_24H
        msg(utc(2026, 3, 9, 12), 2),
        msg(utc(2026, 3, 9, 10), 5),  # before LAST_24H
        msg(utc(2026, 3, 10, 9), 1),  # today (partial day, raw) — actor 1 again
        msg(utc(2026, 3, 10, 9, 10), 3),
        msg(utc(2026, 3, 10, 11), 4),  # after now
    )
    m = ["agent.active_users", "agent.messages"]

    async def get(preset, tz="UTC"):
        p = resolve(PeriodSpec(preset, timezone=tz), now=now)
        return (await totals(rdb, org.id, m, Scope(ids=[5]), p))[5]

    sql_counter.reset()
    assert await get(Preset.LAST_7D) == {"agent.active_users": 4, "agent.messages": 7}
    assert "FROM rollup_daily_actor" in sql_counter.statements[0]
    assert await get(Preset.LAST_7D, "Europe/Berlin") == {
        "agent.active_users": 4,
        "agent.messages": 8,
    }
    assert await get(Preset.LAST_24H) == {"agent.active_users": 3, "agent.messages": 4}
    # actor filter: counts come from rollup_daily_actor + raw edges
    p = resolve(PeriodSpec(Preset.LAST_7D), now=now)
    got = await totals(rdb, org.id, m, Scope(ids=[5], actor_ids=[1, 3]), p)
    assert got[5] == {"agent.active_users": 2, "agent.messages": 4}


async def test_compare_with_zero_previous_in_one_statement(events, rdb, org, sql_counter):
    feb = resolve(PeriodSpec(None, date(2026, 2, 1), date(2026, 2, 28)))  # prev: Jan 4..31
    e = events.ev
    await events.write(
        *[e("view", 1, utc(2026, 2, d)) for d in (1, 2, 3, 28)],
        e("view", 1, utc(2026, 1, 3, 23)),  # before the previous period
        e("view", 2, utc(2026, 1, 4)),
        e("view", 2, utc(2026, 1, 31, 23, 59)),
        e("view", 2, utc(2026, 2, 10)),
    )
    sql_counter.reset()
    got = await compare(
        rdb, org.id, ["publication.views", "publication.completion_rate"], Scope(ids=[1, 2, 3]), feb
    )
    assert sql_counter.count == 1
    v1, v2, v3 = (got[i]["publication.views"] for i in (1, 2, 3))
    assert (v1.current, v1.previous, v1.change, v1.change_percent, v1.direction) == (
        4,
        0,
        4,
        None,
        "up",
    )
    assert (v2.current, v2.previous, v2.change, v2.change_percent, v2.direction) == (
        1,
        2,
        -1,
        -50.0,
        "down",
    )
    assert (v3.current, v3.change, v3.change_percent, v3.direction) == (0, 0, None, "flat")
    rate = got[1]["publication.completion_rate"]
    assert (rate.current, rate.previous, rate.change, rate.direction) == (None, None, None, "flat")


@pytest.fixture
async def content_setup(factory, org, events):
    m1 = await factory.mission(org)
    m2 = await factory.mission(org)
    c1 = await factory.content(m1, platform="twitter")
    c2 = await factory.content(m1, platform="linkedin")
    c3 = await factory.content(m2, platform="twitter")
    e = events.ev
    await events.write(
        e("impression", c1.id, utc(2026, 1, 3), st="content", value=100),
        e("impression", c2.id, utc(2026, 1, 3), st="content", value=50),
        e("impression", c3.id, utc(2026, 1, 4), st="content", value=30),
        e("engagement", c1.id, utc(2026, 1, 3), st="content", value=10),
        e("engagement", c2.id, utc(2026, 1, 3), st="content", value=10),
        e("engagement", c3.id, utc(2026, 1, 4), st="content", value=3),
        e("impression", 999_999, utc(2026, 1, 4), st="content", value=7),  # no content row
    )
    return m1, m2, c1, c2, c3


async def test_via_groups_subjects_by_entity_column(content_setup, rdb, org):
    m1, m2, *_ = content_setup
    m = ["content.impressions", "content.engagement_rate"]
    by_mission = await totals(
        rdb,
        org.id,
        m,
        Scope(via=Via("content", group_col="mission_id", where={"mission_id": [m1.id, m2.id, 0]})),
        JAN,
    )
    assert by_mission[m1.id] == {
        "content.impressions": 150.0,
        "content.engagement_rate": pytest.approx(20 / 150 * 100),
    }
    assert by_mission[m2.id] == {"content.impressions": 30.0, "content.engagement_rate": 10.0}
    assert by_mission[0] == {"content.impressions": 0, "content.engagement_rate": None}
    by_platform = await totals(
        rdb, org.id, m[:1], Scope(via=Via("content", group_col="platform")), JAN
    )
    assert by_platform == {
        "twitter": {"content.impressions": 130.0},
        "linkedin": {"content.impressions": 50.0},
    }
    filtered = await totals(
        rdb, org.id, m[:1], Scope(via=Via("content", where={"mission_id": m1.id})), JAN
    )
    assert filtered == {None: {"content.impressions": 150.0}}


async def test_dims_filter(events, rdb, org):
    e = events.ev
    await events.write(
        e("cost", 4, utc(2026, 1, 2), st="mission", value=300, dims={"provider": "openai"}),
        e("cost", 4, utc(2026, 1, 2), st="mission", value=200, dims={"provider": "anthropic"}),
        e("cost", 4, utc(2026, 1, 3), st="mission", value=50, dims={"provider": "openai"}),
    )
    m = ["mission.cost_cents", "mission.requests"]
    got = await totals(rdb, org.id, m, Scope(ids=[4], dims={"provider": "openai"}), JAN)
    assert got[4] == {"mission.cost_cents": 350.0, "mission.requests": 2}
    both = await totals(rdb, org.id, m, Scope(dims={"provider": ["openai", "anthropic"]}), JAN)
    assert both[None] == {"mission.cost_cents": 550.0, "mission.requests": 3}
    with pytest.raises(InvalidInput, match="available: model, provider, provider_type, stage"):
        await totals(rdb, org.id, m, Scope(dims={"platform": "x"}), JAN)


async def test_bad_requests_are_invalid_input(rdb, org):
    with pytest.raises(InvalidInput, match="publication.views"):
        await totals(rdb, org.id, ["publication.veiws"], Scope(), JAN)
    with pytest.raises(InvalidInput, match="different subject types"):
        await totals(rdb, org.id, ["publication.views", "agent.messages"], Scope(), JAN)
    with pytest.raises(InvalidInput, match="Unknown entity table"):
        await totals(rdb, org.id, ["content.clicks"], Scope(via=Via("nope", group_col="x")), JAN)
    with pytest.raises(InvalidInput, match="no column"):
        await totals(
            rdb,
            org.id,
            ["content.clicks"],
            Scope(via=Via("content", group_col="id; drop table x")),
            JAN,
        )
