"""Entity rows read inside the request's metric statement (`MetricBatch.run_raw`) come
back as the same values a plain SELECT gives: the mission's content and a workspace's
agents, from `row_to_json` through `gateway.models.base.from_json`."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from gateway.context import RequestSession
from gateway.missions import repository as missions
from gateway.models import Agent, Content
from gateway.models.base import from_json
from gateway.workspaces import repository as workspaces


def _values(row) -> dict:
    return {c.key: getattr(row, c.key) for c in type(row).__table__.columns}


async def test_rows_equal_a_plain_select(session, factory):
    org = await factory.org()
    owner = await factory.user(org)
    mission = await factory.mission(org, start_date=date(2026, 3, 1))
    published = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
    await factory.content(mission, published_at=published, pillar=None, topic="t")
    await factory.content(mission, status="scheduled", published_at=None)
    ws = await factory.workspace(owner)
    await factory.agent(owner, workspace_id=ws.id, storage_mb=12)
    await session.flush()
    db = RequestSession(session)

    got = await missions.contents_by_missions(db, org.id, [mission.id])
    want = (await session.scalars(select(Content).where(Content.mission_id == mission.id))).all()
    assert sorted(map(_values, got), key=lambda v: v["id"]) == sorted(
        map(_values, want), key=lambda v: v["id"]
    )
    assert any(c.published_at == published and c.published_at.tzinfo for c in got)

    agents = await workspaces.agents_of_workspaces(db, org.id, [ws.id])
    plain = (await session.scalars(select(Agent).where(Agent.workspace_id == ws.id))).all()
    assert list(map(_values, agents)) == list(map(_values, plain))


def test_from_json_parses_dates_and_numbers():
    c = from_json(Content, '{"id": 1, "published_at": "2026-03-02T10:30:00+01:00", "pillar": null}')
    assert c.published_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert c.published_at.utcoffset().total_seconds() == 0
    assert c.pillar is None
