"""`latest_sample_mean` finds the latest UTC hour with samples before a moment, across
days with no samples and past hours of that moment's own day that come after it."""

from __future__ import annotations

from gateway.agents.repository import latest_sample_mean
from tests.agents.conftest import utc


async def test_latest_sample_hour_across_days(factory, events, session):
    org = await factory.org()
    owner = await factory.user(org, "alice")
    a1 = await factory.agent(owner, "a1")
    a2 = await factory.agent(owner, "a2")
    events.agent(a1, "cpu", utc(2026, 3, 15, 8, 10), 70)
    events.agent(a1, "cpu", utc(2026, 3, 16, 22, 5), 10)
    events.agent(a2, "cpu", utc(2026, 3, 16, 22, 40), 20)
    events.agent(a1, "cpu", utc(2026, 3, 18, 5, 0), 30)  # 03-17 has none
    await events.flush()

    async def mean(before):
        return await latest_sample_mean(session, org.id, owner.id, None, "cpu", before)

    # 03-18 has a row, but only after 03:00: the hour is 22:00 of 03-16, (10 + 20) / 2
    assert await mean(utc(2026, 3, 18, 3)) == 15.0
    assert await mean(utc(2026, 3, 18, 6)) == 30.0
    assert await mean(utc(2026, 3, 18, 5)) == 15.0  # before is exclusive
    assert await mean(utc(2026, 3, 17, 0)) == 15.0
    assert await mean(utc(2026, 3, 16, 22)) == 70.0
    assert await mean(utc(2026, 3, 15, 8)) is None
