"""Fixtures for the AISquare REST routes: the request clock frozen at Wed 2026-03-18
10:30 UTC (so the 30-day window is 2026-02-17 .. 2026-03-18), a studio with its people,
experiences, follows and events. Every number the tests assert is derived here.

ai-research-studio (owner alice, co-creator carol; olga is another member of the org,
xavier is in another org):
  experiences   AI_EXPERT 2, AI_NOTE 1, QUEST 3, PODCAST 1 -> total 7
  follows       olga and carol follow it (2); alice follows olga-studio (1)
  2026-01-10    (outside the 30 days) views 3 by 2001..2003, likes 2 by 2001..2002,
                appointment 1 by 2001, plays 5 and completions 5 by 2010
  2026-03-10    views 2 by 2004, 2005; like 1 by 2004; bookmarks 2 by 2004, 2006;
                share 1 by 2005; comments 3 by 2004, 2004, 2007; appointment 1 by 2006;
                plays 4 by 2004, 2005, 2006, 2004; completions 3 by 2004, 2005, 2006
  all time      views 5, likes 3, bookmarks 2, shares 1, comments 3, appointments 2
  last 30 days  active users 2004, 2005, 2006, 2007 -> 4
                plays 4, likes 1, saves 2, shares 1, comments 3, completions 3
                completion_rate 100 x 3 / 4 = 75.0
                E = 4 + 2x1 + 3x2 + 3x3 + 4x1 = 25, reach = log10(26) / log10(10001)
                = 0.353739, finish = 0.5 + 0.5 x 0.75 = 0.875 -> influence 30.95 -> 31.0
olga-studio (olga's) has 7 plays on 2026-03-10 that must not leak into the numbers.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from gateway.ingest.writer import EventRow, asyncpg_connection, write_events
from gateway.metrics.loader import RequestClock
from gateway.models import Experience, Follow, Publication, PublicationCoCreator, User

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


@dataclass
class Studio:
    pub: Publication
    owner: User
    bearer: dict[str, dict[str, str]]  # owner / cocreator / outsider / stranger
    api_token: dict[str, dict[str, str]]


def _ev(org_id: int, type_: str, pub_id: int, ts: datetime, actor: int | None) -> EventRow:
    dims = {} if type_ == "appointment" else {"experience_type": "QUEST"}
    return EventRow(
        org_id,
        f"rest-aisq-{next(_seq)}",
        type_,
        "publication",
        pub_id,
        ts,
        actor,
        1.0,
        json.dumps(dims),
        "{}",
    )


@pytest.fixture
async def studio(factory, session) -> Studio:
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
    other_pub = await factory.publication(outsider, "olga-studio", name="Olga Studio")
    await factory.add(
        PublicationCoCreator(org_id=org.id, publication_id=pub.id, user_id=cocreator.id)
    )
    for type_, n in (("AI_EXPERT", 2), ("AI_NOTE", 1), ("QUEST", 3), ("PODCAST", 1)):
        for i in range(n):
            await factory.add(
                Experience(
                    org_id=org.id,
                    publication_id=pub.id,
                    type=type_,
                    title=f"{type_} {i}",
                    created_at=utc(2026, 1, 2),
                )
            )
    for user, target in ((outsider, pub), (cocreator, pub), (owner, other_pub)):
        await factory.add(
            Follow(org_id=org.id, user_id=user.id, publication_id=target.id, created_at=NOW)
        )
    other_org = await factory.org()
    stranger = await factory.user(other_org, "xavier")
    await factory.publication(stranger, "secret-studio")

    old, recent = utc(2026, 1, 10, 12), utc(2026, 3, 10, 12)
    rows = [
        *[_ev(org.id, "view", pub.id, old, a) for a in (2001, 2002, 2003)],
        *[_ev(org.id, "like", pub.id, old, a) for a in (2001, 2002)],
        _ev(org.id, "appointment", pub.id, old, 2001),
        *[_ev(org.id, t, pub.id, old, 2010) for t in ("play", "completion") for _ in range(5)],
        *[_ev(org.id, "view", pub.id, recent, a) for a in (2004, 2005)],
        _ev(org.id, "like", pub.id, recent, 2004),
        *[_ev(org.id, "bookmark", pub.id, recent, a) for a in (2004, 2006)],
        _ev(org.id, "share", pub.id, recent, 2005),
        *[_ev(org.id, "comment", pub.id, recent, a) for a in (2004, 2004, 2007)],
        _ev(org.id, "appointment", pub.id, recent, 2006),
        *[_ev(org.id, "play", pub.id, recent, a) for a in (2004, 2005, 2006, 2004)],
        *[_ev(org.id, "completion", pub.id, recent, a) for a in (2004, 2005, 2006)],
        *[_ev(org.id, "play", other_pub.id, recent, 2008) for _ in range(7)],
    ]
    assert await write_events(await asyncpg_connection(session), rows) == len(rows)

    users = {"owner": owner, "cocreator": cocreator, "outsider": outsider, "stranger": stranger}
    tokens = {name: await factory.token(u) for name, u in users.items()}
    return Studio(
        pub,
        owner,
        {n: {"Authorization": f"Bearer {t}"} for n, t in tokens.items()},
        {n: {"Authorization": f"Api-Token {t}"} for n, t in tokens.items()},
    )
