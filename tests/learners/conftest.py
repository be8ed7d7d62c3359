"""A small ibl.ai world with hand-countable numbers (all in March 2026 unless noted), and a
GraphQL helper.

Org "acme": admin + learners alice, bob, carol (created 2025-12-01 / 2026-01-10 /
2026-02-15 / 2026-03-10). Mentors m1 = `mentor-ai-tutor`, m2 = `mentor-two`, and a
platform agent `bot` (kind platform: never part of mentor analytics). User group G1 =
{alice, carol}.

Chat (subject = the mentor, actor = the user):
  s0 alice m1 "math"    2026-02-20 10:00Z  1 message   cost openai/gpt-4o 20    (previous period)
  s1 alice m1 "math"    2026-03-02 10:00Z  2 messages  cost openai/gpt-4o 100, 1000 tokens, rating 5
  s2 alice m1 "math"    2026-03-09 10:30Z  2 messages  (no cost)
  s3 bob   m1 "science" 2026-03-03 14:00Z  3 messages  cost anthropic/claude-sonnet-4 50, rating 3
  s4 carol m2 "history" 2026-03-04 09:00Z  1 message   cost openai/gpt-4o-mini 30, rating 4
  bot: 5 messages by carol on 2026-03-05 (excluded everywhere)
Stored transcripts: s1 (2 messages), s3 (3 messages, inserted out of order).

Catalog: c1 CS101, c2 DS201; P1 = {c1, c2}, P2 = {c2}. Enrollments:
  alice c1 enrolled 01-05 grade .9 progress 1.0 completed 03-10 last 03-10
  alice c2 enrolled 03-05 grade -  progress 0.3                 last 03-20
  bob   c1 enrolled 02-01 grade .7 progress 0.5                 last 03-15
  carol c2 enrolled 03-12 grade .8 progress 0.6                 last 03-22
Course events: time_spent alice c1 600 (03-10) + 100 (02-10, previous), alice c2 300
(03-20), bob c1 1200 (03-15), carol c2 900 (03-22); activities alice c1 x2 (03-10),
bob c1 x1 (03-15), carol c2 x1 (03-22).

Audit log: e1 03-01 create m1 by admin, e2 03-05 update m1 by alice, e3 03-06 delete m2
by admin, e4 03-07 update m1 by admin.

Org "other": its own admin and a mentor with the same key `mentor-ai-tutor`.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update

from gateway.ingest.writer import EventRow, asyncpg_connection, write_events
from gateway.models import (
    AuditLogEntry,
    ChatSession,
    Course,
    Enrollment,
    Message,
    Program,
    ProgramCourse,
    User,
    UserGroup,
    UserGroupMember,
)

MARCH = {"start": "2026-03-01", "end": "2026-03-31"}
_seq = itertools.count(1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class World:
    org: Any = None
    other: Any = None
    users: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    mentors: dict[str, Any] = field(default_factory=dict)
    sessions: dict[str, Any] = field(default_factory=dict)
    courses: dict[str, Any] = field(default_factory=dict)
    programs: dict[str, Any] = field(default_factory=dict)
    group: Any = None


class Gql:
    def __init__(self, client, world: World) -> None:
        self.client = client
        self.world = world

    async def __call__(self, query: str, as_: str = "admin", **variables: Any) -> dict:
        headers = {"Authorization": f"Bearer {self.world.tokens[as_]}"} if as_ else {}
        r = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert r.status_code == 200, r.text
        return r.json()

    async def data(self, query: str, as_: str = "admin", **variables: Any) -> dict:
        body = await self(query, as_, **variables)
        assert "errors" not in body, body["errors"]
        return body["data"]


def ev(org_id, type_, st, subject, ts, actor=None, value=1.0, dims=None) -> EventRow:
    return EventRow(
        org_id, f"l-{next(_seq)}", type_, st, subject, ts, actor, value,
        json.dumps(dims or {}), "{}",
    )  # fmt: skip


async def _users(factory, session, w: World) -> None:
    org = w.org
    created = {
        "admin": utc(2025, 12, 1),
        "alice": utc(2026, 1, 10),
        "bob": utc(2026, 2, 15),
        "carol": utc(2026, 3, 10),
    }
    for name, at in created.items():
        roles = ("admin",) if name == "admin" else ()
        u = await factory.user(org, name, roles=roles)
        await session.execute(update(User).where(User.id == u.id).values(created_at=at))
        u.created_at = at
        w.users[name] = u
        w.tokens[name] = await factory.token(u)
    w.users["other_admin"] = await factory.user(w.other, "alice", roles=("admin",))
    w.tokens["other_admin"] = await factory.token(w.users["other_admin"])


async def _chat(factory, w: World) -> list[EventRow]:
    org, u, admin = w.org, w.users, w.users["admin"]
    m1 = await factory.agent(admin, "mentor-ai-tutor", kind="mentor", name="AI Tutor")
    m2 = await factory.agent(admin, "mentor-two", kind="mentor", name="Mentor Two")
    bot = await factory.agent(admin, "bot", kind="platform")
    other_admin = w.users["other_admin"]
    await factory.agent(other_admin, "mentor-ai-tutor", kind="mentor", name="Other Tutor")
    w.mentors = {"m1": m1, "m2": m2, "bot": bot}
    plan = [  # key, user, mentor, topic, start, messages, (provider, model, cents), rating
        ("s0", "alice", m1, "math", utc(2026, 2, 20, 10), 1, ("openai", "gpt-4o", 20), None),
        ("s1", "alice", m1, "math", utc(2026, 3, 2, 10), 2, ("openai", "gpt-4o", 100), 5),
        ("s2", "alice", m1, "math", utc(2026, 3, 9, 10, 30), 2, None, None),
        ("s3", "bob", m1, "science", utc(2026, 3, 3, 14), 3,
         ("anthropic", "claude-sonnet-4", 50), 3),
        ("s4", "carol", m2, "history", utc(2026, 3, 4, 9), 1, ("openai", "gpt-4o-mini", 30), 4),
    ]  # fmt: skip
    rows = []
    for key, who, mentor, topic, start, n, cost, rating in plan:
        uid = u[who].id
        end = start.replace(minute=start.minute + 5)
        w.sessions[key] = await factory.add(
            ChatSession(
                org_id=org.id, key=f"sess-{key}", agent_id=mentor.id, user_id=uid,
                topic=topic, started_at=start, ended_at=end,
            )
        )  # fmt: skip
        rows.append(ev(org.id, "session", "agent", mentor.id, start, uid, dims={"topic": topic}))
        for i in range(n):
            ts = start.replace(minute=start.minute + i)
            rows.append(ev(org.id, "message", "agent", mentor.id, ts, uid, dims={"topic": topic}))
        if cost:
            dims = {"provider": cost[0], "provider_type": "llm", "model": cost[1], "stage": "chat"}
            rows.append(ev(org.id, "cost", "agent", mentor.id, end, uid, cost[2], dims))
        if rating:
            rows.append(ev(org.id, "rating", "agent", mentor.id, end, uid, float(rating)))
    rows.append(
        ev(org.id, "tokens", "agent", m1.id, utc(2026, 3, 2, 10, 5), u["alice"].id, 1000.0,
           {"provider": "openai", "model": "gpt-4o"})
    )  # fmt: skip
    for i in range(5):
        rows.append(
            ev(org.id, "message", "agent", bot.id, utc(2026, 3, 5, 12, i), u["carol"].id,
               dims={"topic": "other"})
        )  # fmt: skip
    # transcripts: s1 in order; s3 inserted out of order, two messages at the same instant
    s1, s3 = w.sessions["s1"], w.sessions["s3"]
    for role, text, ts in (("user", "hi", utc(2026, 3, 2, 10)),
                           ("assistant", "hello", utc(2026, 3, 2, 10, 1))):  # fmt: skip
        await factory.add(Message(org_id=org.id, session_id=s1.id, role=role, content=text,
                                  created_at=ts))  # fmt: skip
    for role, text, ts in (("assistant", "third", utc(2026, 3, 3, 14, 2)),
                           ("user", "first", utc(2026, 3, 3, 14)),
                           ("assistant", "second", utc(2026, 3, 3, 14))):  # fmt: skip
        await factory.add(Message(org_id=org.id, session_id=s3.id, role=role, content=text,
                                  created_at=ts))  # fmt: skip
    return rows


async def _catalog(factory, w: World) -> list[EventRow]:
    org, u = w.org, w.users
    c1 = await factory.add(Course(org_id=org.id, key="course-v1:acme+CS101+2026", name="CS"))
    c2 = await factory.add(Course(org_id=org.id, key="course-v1:acme+DS201+2026", name="DS"))
    p1 = await factory.add(Program(org_id=org.id, key="program-v1:acme+p1", name="P One"))
    p2 = await factory.add(Program(org_id=org.id, key="program-v1:acme+p2", name="P Two"))
    for p, c in ((p1, c1), (p1, c2), (p2, c2)):
        await factory.add(ProgramCourse(org_id=org.id, program_id=p.id, course_id=c.id))
    w.courses, w.programs = {"c1": c1, "c2": c2}, {"p1": p1, "p2": p2}
    plan = [
        ("alice", c1, utc(2026, 1, 5), 0.9, 1.0, utc(2026, 3, 10), utc(2026, 3, 10)),
        ("alice", c2, utc(2026, 3, 5), None, 0.3, None, utc(2026, 3, 20)),
        ("bob", c1, utc(2026, 2, 1), 0.7, 0.5, None, utc(2026, 3, 15)),
        ("carol", c2, utc(2026, 3, 12), 0.8, 0.6, None, utc(2026, 3, 22)),
    ]
    for who, c, at, grade, progress, done, last in plan:
        await factory.add(
            Enrollment(
                org_id=org.id, user_id=u[who].id, course_id=c.id, enrolled_at=at, grade=grade,
                progress=progress, completed_at=done, last_access_at=last,
            )
        )  # fmt: skip
    a, b, c = u["alice"].id, u["bob"].id, u["carol"].id

    def act(course_id, ts, actor, kind):
        return ev(org.id, "activity", "course", course_id, ts, actor, dims={"activity": kind})

    return [
        ev(org.id, "time_spent", "course", c1.id, utc(2026, 3, 10, 9), a, 600.0),
        ev(org.id, "time_spent", "course", c1.id, utc(2026, 2, 10, 9), a, 100.0),
        ev(org.id, "time_spent", "course", c2.id, utc(2026, 3, 20, 9), a, 300.0),
        ev(org.id, "time_spent", "course", c1.id, utc(2026, 3, 15, 9), b, 1200.0),
        ev(org.id, "time_spent", "course", c2.id, utc(2026, 3, 22, 9), c, 900.0),
        act(c1.id, utc(2026, 3, 10, 9, 1), a, "video"),
        act(c1.id, utc(2026, 3, 10, 9, 2), a, "problem"),
        act(c1.id, utc(2026, 3, 15, 9, 1), b, "video"),
        act(c2.id, utc(2026, 3, 22, 9, 1), c, "reading"),
    ]  # fmt: skip


async def _audit(factory, w: World) -> None:
    org, u, m = w.org, w.users, w.mentors
    plan = [
        ("e1", utc(2026, 3, 1, 9), 0, m["m1"], "admin"),
        ("e2", utc(2026, 3, 5, 9), 1, m["m1"], "alice"),
        ("e3", utc(2026, 3, 6, 9), 2, m["m2"], "admin"),
        ("e4", utc(2026, 3, 7, 9), 1, m["m1"], "admin"),
    ]
    for name, ts, action, mentor, who in plan:
        await factory.add(
            AuditLogEntry(
                org_id=org.id, ts=ts, actor_id=u[who].id, actor_email=f"{who}@example.com",
                action=action, agent_id=mentor.id, target_type="mentor", target_id=name,
                changes={"entry": name},
            )
        )  # fmt: skip


@pytest.fixture
async def world(factory, session) -> World:
    w = World()
    w.org = await factory.org("acme")
    w.other = await factory.org("other")
    await _users(factory, session, w)
    rows = await _chat(factory, w)
    rows += await _catalog(factory, w)
    await _audit(factory, w)
    w.group = await factory.add(UserGroup(org_id=w.org.id, name="G1"))
    for who in ("alice", "carol"):
        await factory.add(
            UserGroupMember(org_id=w.org.id, group_id=w.group.id, user_id=w.users[who].id)
        )
    await write_events(await asyncpg_connection(session), rows)
    return w


@pytest.fixture
def gql(client, world) -> Gql:
    return Gql(client, world)
