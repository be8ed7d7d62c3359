"""breakdown(): group-bys and leaderboards with stable tie-breaking."""

from datetime import date

import pytest

from gateway.errors import InvalidInput
from gateway.metrics import PeriodSpec, Scope, Via, breakdown, resolve

from .conftest import utc

JAN = resolve(PeriodSpec(None, date(2026, 1, 1), date(2026, 1, 31)))
JAN_BERLIN = resolve(PeriodSpec(None, date(2026, 1, 1), date(2026, 1, 31), "Europe/Berlin"))


def rows(result):
    return [(r.key, *r.values.values()) for r in result]


async def test_by_dimension_ties_broken_by_key(events, rdb, org):
    e = events.ev

    def view(kind, n):
        return [
            e("view", 1, utc(2026, 1, 2, h), dims={"experience_type": kind} if kind else {})
            for h in range(n)
        ]

    await events.write(
        *view("QUEST", 3), *view("AI_EXPERT", 3), *view("PODCAST", 1), *view(None, 1)
    )
    got = await breakdown(
        rdb, org.id, ["publication.views"], Scope(ids=[1]), JAN, "dim:experience_type"
    )
    assert rows(got) == [("AI_EXPERT", 3), ("QUEST", 3), ("PODCAST", 1), (None, 1)]
    top = await breakdown(
        rdb, org.id, "publication.views", Scope(), JAN, "dim:experience_type", limit=2
    )
    assert rows(top) == [("AI_EXPERT", 3), ("QUEST", 3)]
    asc = await breakdown(
        rdb, org.id, "publication.views", Scope(), JAN, "dim:experience_type", descending=False
    )
    assert rows(asc) == [("PODCAST", 1), (None, 1), ("AI_EXPERT", 3), ("QUEST", 3)]


async def test_leaderboard_by_actor(events, rdb, org):
    e = events.ev
    await events.write(
        *[e("stream", 3, utc(2026, 1, 2, h), st="user", actor=11) for h in range(3)],
        *[e("stream", 3, utc(2026, 1, 3, h), st="user", actor=10) for h in range(3)],
        e("stream", 4, utc(2026, 1, 31, 23, 30), st="user", actor=12),  # raw edge? no: whole day
        e("revenue", 3, utc(2026, 1, 2), st="user", value=500),  # no actor
    )
    got = await breakdown(rdb, org.id, ["user.streams", "user.listeners"], Scope(), JAN, "actor")
    assert rows(got) == [(10, 3, 1), (11, 3, 1), (12, 1, 1)]
    only_3 = await breakdown(rdb, org.id, "user.streams", Scope(ids=[3]), JAN, "actor", limit=1)
    assert rows(only_3) == [(10, 3)]
    by_subject = await breakdown(rdb, org.id, "user.streams", Scope(), JAN, "subject")
    assert rows(by_subject) == [(3, 6), (4, 1)]


async def test_hour_of_day_and_day_of_week_are_local(events, rdb, org):
    e = events.ev
    await events.write(
        e("message", 5, utc(2026, 1, 5, 8, 15), st="agent"),  # Mon 09:15 Berlin
        e("message", 5, utc(2026, 1, 6, 8, 45), st="agent"),  # Tue 09:45
        e("message", 5, utc(2026, 1, 4, 23, 30), st="agent"),  # Sun UTC, Mon 00:30 Berlin
    )
    hours = await breakdown(rdb, org.id, "agent.messages", Scope(), JAN_BERLIN, "hour_of_day")
    assert [r.key for r in hours] == list(range(24))
    assert {r.key: r.values["agent.messages"] for r in hours if r.values["agent.messages"]} == {
        0: 1,
        9: 2,
    }
    dow = await breakdown(rdb, org.id, "agent.messages", Scope(), JAN_BERLIN, "day_of_week")
    assert rows(dow) == [(1, 2), (2, 1), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0)]
    dow_utc = await breakdown(
        rdb,
        org.id,
        "agent.messages",
        Scope(),
        JAN,
        "day_of_week",
        order_by="agent.messages",
        limit=3,
    )
    assert rows(dow_utc) == [(1, 1), (2, 1), (7, 1)]


async def test_by_via_group(factory, org, events, rdb):
    m1 = await factory.mission(org)
    c1 = await factory.content(m1, platform="twitter")
    c2 = await factory.content(m1, platform="linkedin")
    c3 = await factory.content(m1, platform="instagram")
    e = events.ev
    await events.write(
        e("click", c1.id, utc(2026, 1, 3), st="content", value=5),
        e("click", c2.id, utc(2026, 1, 3), st="content", value=9),
        e("click", c3.id, utc(2026, 1, 3), st="content", value=5),
    )
    scope = Scope(via=Via("content", group_col="platform", where={"mission_id": m1.id}))
    got = await breakdown(rdb, org.id, "content.clicks", scope, JAN, "platform")
    assert rows(got) == [("linkedin", 9.0), ("instagram", 5.0), ("twitter", 5.0)]


async def test_breakdown_errors(rdb, org):
    with pytest.raises(InvalidInput, match="Cannot break down by 'platform'"):
        await breakdown(rdb, org.id, "content.clicks", Scope(), JAN, "platform")
    with pytest.raises(InvalidInput, match="between 1 and 1000"):
        await breakdown(rdb, org.id, "content.clicks", Scope(), JAN, "subject", limit=5000)
    with pytest.raises(InvalidInput, match="order_by"):
        await breakdown(rdb, org.id, "content.clicks", Scope(), JAN, "subject", order_by="x")
    with pytest.raises(InvalidInput, match="not recorded"):
        await breakdown(rdb, org.id, "content.clicks", Scope(), JAN, "dim:provider")
