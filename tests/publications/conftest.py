"""Fixtures for the publications tests: a studio with an owner, a co-creator, an outsider
of the same org, experiences and follows; another org; a GraphQL helper and an event
writer. Every number the tests assert is derived in comments from these rows."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from gateway.ingest.writer import EventRow, asyncpg_connection, write_events
from gateway.models import Experience, Follow, Org, Publication, PublicationCoCreator, User
from tests.factories import Factory

_seq = itertools.count(1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class Studio:
    org: Org
    owner: User
    cocreator: User
    outsider: User
    pub: Publication
    other_pub: Publication  # owned by the outsider, followed by the owner
    experiences: list[Experience]
    other_org: Org
    stranger: User  # in other_org
    foreign_pub: Publication  # in other_org
    headers: dict[str, dict[str, str]]  # "owner" / "cocreator" / "outsider" / "stranger"


async def add_experience(
    factory: Factory, pub: Publication, type_: str, title: str, created_at: datetime
) -> Experience:
    return await factory.add(
        Experience(
            org_id=pub.org_id,
            publication_id=pub.id,
            type=type_,
            title=title,
            created_at=created_at,
        )
    )


@pytest.fixture
async def studio(factory: Factory) -> Studio:
    org = await factory.org()
    owner = await factory.user(org, "alice")
    cocreator = await factory.user(org, "carol")
    outsider = await factory.user(org, "olga")
    pub = await factory.publication(
        owner,
        "ai-research-studio",
        name="AI Research Studio",
        allow_bookings=True,
        created_at=utc(2026, 1, 1),
    )
    other_pub = await factory.publication(
        outsider, "olga-studio", name="Olga Studio", created_at=utc(2026, 2, 1)
    )
    await factory.add(
        PublicationCoCreator(org_id=org.id, publication_id=pub.id, user_id=cocreator.id)
    )
    # AI_EXPERT 2, AI_NOTE 1, QUEST 3, PODCAST 0 -> total 6
    exps = [
        await add_experience(factory, pub, "AI_EXPERT", "Alpha", utc(2026, 1, 1)),
        await add_experience(factory, pub, "AI_EXPERT", "Beta", utc(2026, 1, 2)),
        await add_experience(factory, pub, "AI_NOTE", "Gamma", utc(2026, 1, 3)),
        await add_experience(factory, pub, "QUEST", "Delta", utc(2026, 1, 4)),
        await add_experience(factory, pub, "QUEST", "Epsilon", utc(2026, 1, 4)),
        await add_experience(factory, pub, "QUEST", "Zeta", utc(2026, 1, 5)),
    ]
    # followers of pub: olga, carol -> 2; alice (the owner) follows olga-studio -> 1
    for user, target in ((outsider, pub), (cocreator, pub), (owner, other_pub)):
        await factory.add(
            Follow(
                org_id=org.id, user_id=user.id, publication_id=target.id, created_at=utc(2026, 1, 9)
            )
        )
    other_org = await factory.org()
    stranger = await factory.user(other_org, "xavier")
    foreign_pub = await factory.publication(stranger, "secret-studio", name="Secret")
    headers = {
        name: {"Authorization": f"Bearer {await factory.token(u)}"}
        for name, u in (
            ("owner", owner),
            ("cocreator", cocreator),
            ("outsider", outsider),
            ("stranger", stranger),
        )
    }
    return Studio(
        org,
        owner,
        cocreator,
        outsider,
        pub,
        other_pub,
        exps,
        other_org,
        stranger,
        foreign_pub,
        headers,
    )


def ev(
    org_id: int,
    type_: str,
    pub_id: int,
    ts: datetime,
    actor: int | None = None,
    dims: dict | None = None,
) -> EventRow:
    return EventRow(
        org_id,
        f"pub-ev-{next(_seq)}",
        type_,
        "publication",
        pub_id,
        ts,
        actor,
        1.0,
        json.dumps(dims or {}),
        "{}",
    )


@pytest.fixture
def write(session):
    async def _write(rows: list[EventRow]) -> int:
        return await write_events(await asyncpg_connection(session), rows)

    return _write


@pytest.fixture
def gql(client):
    async def _gql(headers: dict[str, str], query: str, **variables: Any) -> dict:
        r = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert r.status_code == 200, r.text
        return r.json()

    return _gql


def error_codes(body: dict) -> list[str | None]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
