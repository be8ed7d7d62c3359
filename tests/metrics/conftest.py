"""Fixtures for the metric engine tests: an org and a tiny event writer."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

import pytest

from gateway.context import RequestSession
from gateway.ingest.writer import EventRow, asyncpg_connection, write_events

_seq = itertools.count(1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Events:
    def __init__(self, session, org_id: int) -> None:
        self.session = session
        self.org_id = org_id

    def ev(
        self,
        type_: str,
        subject_id: int,
        ts: datetime,
        *,
        st: str = "publication",
        actor: int | None = None,
        value: float = 1.0,
        dims: dict | None = None,
        event_id: str | None = None,
    ) -> EventRow:
        return EventRow(
            self.org_id,
            event_id or f"ev-{next(_seq)}",
            type_,
            st,
            subject_id,
            ts,
            actor,
            value,
            json.dumps(dims or {}),
            "{}",
        )

    async def write(self, *rows: EventRow) -> int:
        return await write_events(await asyncpg_connection(self.session), rows)


@pytest.fixture
async def org(factory):
    return await factory.org()


@pytest.fixture
def events(session, org) -> Events:
    return Events(session, org.id)


@pytest.fixture
def rdb(session) -> RequestSession:
    return RequestSession(session)
