"""Fixtures for the agent platform tests: a frozen request clock, an event writer, a
GraphQL helper, and builders for deployments, skills, bookings and fans."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

import pytest

from gateway.ingest.writer import EventRow, asyncpg_connection, write_events
from gateway.metrics.loader import RequestClock
from gateway.models import Booking, Deployment, Fan, Skill

# Wednesday 2026-03-18 10:30 UTC: this week starts Mon 03-16, this month 03-01,
# last month is February 2026.
NOW = datetime(2026, 3, 18, 10, 30, tzinfo=UTC)

_seq = itertools.count(1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    def init(self, ctx):
        self.now = NOW

    monkeypatch.setattr(RequestClock, "__init__", init)
    return NOW


class Events:
    def __init__(self, session) -> None:
        self.session = session
        self.rows: list[EventRow] = []

    def add(
        self,
        org_id: int,
        type_: str,
        subject_type: str,
        subject_id: int,
        ts: datetime,
        value: float = 1.0,
        actor: int | None = None,
        dims: dict | None = None,
    ) -> None:
        self.rows.append(
            EventRow(
                org_id,
                f"agt-test-{next(_seq)}",
                type_,
                subject_type,
                subject_id,
                ts,
                actor,
                value,
                json.dumps(dims or {}),
                "{}",
            )
        )

    def agent(self, agent, type_: str, ts: datetime, value: float = 1.0) -> None:
        self.add(agent.org_id, type_, "agent", agent.id, ts, value)

    def user(self, user, type_: str, ts: datetime, value: float = 1.0, **kw) -> None:
        self.add(user.org_id, type_, "user", user.id, ts, value, **kw)

    async def flush(self) -> int:
        rows, self.rows = self.rows, []
        return await write_events(await asyncpg_connection(self.session), rows)


@pytest.fixture
def events(session) -> Events:
    return Events(session)


class Gql:
    def __init__(self, client) -> None:
        self.client = client

    async def __call__(self, query: str, token: str | None, **variables) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert r.status_code == 200, r.text
        return r.json()

    async def data(self, query: str, token: str | None, **variables) -> dict:
        body = await self(query, token, **variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]


@pytest.fixture
def gql(client) -> Gql:
    return Gql(client)


class Music:
    """Builders for the agent platform's entity rows."""

    def __init__(self, factory) -> None:
        self.f = factory

    async def deployment(self, agent, status: str):
        return await self.f.add(Deployment(org_id=agent.org_id, agent_id=agent.id, status=status))

    async def skill(self, owner, created_at: datetime, active: bool = True):
        return await self.f.add(
            Skill(
                org_id=owner.org_id,
                owner_id=owner.id,
                name=f"skill-{next(_seq)}",
                active=active,
                created_at=created_at,
            )
        )

    async def booking(self, artist, status: str, amount_cents: int = 0):
        return await self.f.add(
            Booking(
                org_id=artist.org_id, artist_id=artist.id, status=status, amount_cents=amount_cents
            )
        )

    async def fan(self, artist, fan_id: int, first_seen_at: datetime):
        return await self.f.add(
            Fan(
                org_id=artist.org_id,
                artist_id=artist.id,
                fan_id=fan_id,
                first_seen_at=first_seen_at,
            )
        )


@pytest.fixture
def music(factory) -> Music:
    return Music(factory)
