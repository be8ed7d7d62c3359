"""Fixtures for the Athena tests: a frozen request clock, builders for workflows,
executions, threads and messages, an event writer, a GraphQL helper, and `athena`: one
hand-sized workspace whose numbers every test computes by hand.

The `athena` world (org A unless said otherwise; all events in March 2026, UTC):

  users      olivia (owner of W and W2), mark (member of W), ursula (member of W),
             xavier (same org, not a member), zed (org B)
  W  (created 2026-01-01)   agents  Alpha (A1), Beta (A2), Gamma (A3)
                            workflows Flow One (F1), Flow Two (F2); threads T1, T2
  W2 (owner olivia)         agent A9, workflow F9, thread T9: their events must never
                            count for W

  agent executions (ms):  A1 03-02 10:00 olivia 100, 03-02 11:00 mark 300,
                          03-10 09:00 mark 200 (failed), 03-16 09:00 ursula 400;
                          A2 03-03 09:00 olivia 1000, 03-17 09:00 olivia 500;
                          A9 03-05 olivia 9999
  agent created:          A1 03-01 olivia, A2 03-04 mark, A3 02-10 olivia
  agent shares / copies:  A1 shared 03-05 mark, 03-06 olivia; A1 copied 03-07 ursula
  workflow executions:    F1 03-02 09:00 olivia 1000 ok, 03-02 12:00 olivia 3000 failed,
                          03-09 09:00 mark 2000 ok; F2 03-20 09:00 mark 6000 ok;
                          F9 03-03 olivia 50 ok; plus F1 running since 03-18 09:00 (row only)
  workflow created:       F1 03-01 olivia, F2 03-08 mark; shares F2 03-09 olivia;
                          copies F1 03-10 mark
  threads:                T1 created 03-02 mark (3 messages), T2 03-11 olivia (2 messages),
                          T9 03-03 (1 message)
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from gateway.ingest.writer import EventRow, asyncpg_connection, write_events
from gateway.metrics.loader import RequestClock
from gateway.models import Message, Thread, Workflow, WorkflowExecution

# Wednesday 2026-03-18 10:30 UTC.
NOW = datetime(2026, 3, 18, 10, 30, tzinfo=UTC)
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}

_seq = itertools.count(1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    def init(self, ctx):
        self.now = NOW

    monkeypatch.setattr(RequestClock, "__init__", init)
    return NOW


class Builder:
    def __init__(self, factory, session) -> None:
        self.factory = factory
        self.session = session
        self.rows: list[EventRow] = []

    def ev(self, org_id, type_, st, subject, ts, actor=None, value=1.0, dims=None) -> None:
        self.rows.append(
            EventRow(
                org_id,
                f"ws-test-{next(_seq)}",
                type_,
                st,
                subject,
                ts,
                actor,
                float(value),
                json.dumps(dims or {}),
                "{}",
            )
        )

    async def flush_events(self) -> None:
        await write_events(await asyncpg_connection(self.session), self.rows)
        self.rows = []

    async def workflow(self, ws, by, name: str | None = None, **kw) -> Workflow:
        n = next(_seq)
        return await self.factory.add(
            Workflow(
                org_id=ws.org_id,
                workspace_id=ws.id,
                key=kw.pop("key", f"wf_test{n}"),
                name=name or f"Workflow {n}",
                created_by=by.id,
                **kw,
            )
        )

    async def execution(self, wf, user, status, started_at, duration_ms=None):
        return await self.factory.add(
            WorkflowExecution(
                org_id=wf.org_id,
                workflow_id=wf.id,
                user_id=user.id,
                status=status,
                started_at=started_at,
                duration_ms=duration_ms,
            )
        )

    async def thread(self, ws, user, title="", agent=None, created_at=None) -> Thread:
        return await self.factory.add(
            Thread(
                org_id=ws.org_id,
                workspace_id=ws.id,
                user_id=user.id,
                agent_id=agent.id if agent else None,
                title=title,
                **({"created_at": created_at} if created_at else {}),
            )
        )

    async def message(self, thread, user, role, content, created_at) -> Message:
        return await self.factory.add(
            Message(
                org_id=thread.org_id,
                thread_id=thread.id,
                user_id=user.id if user else None,
                role=role,
                content=content,
                created_at=created_at,
            )
        )


@pytest.fixture
def build(factory, session) -> Builder:
    return Builder(factory, session)


@dataclass
class Athena:
    org: Any
    owner: Any
    mark: Any
    ursula: Any
    xavier: Any
    zed: Any
    ws: Any
    ws2: Any
    agents: dict[str, Any]
    flows: dict[str, Any]
    threads: dict[str, Any]
    tokens: dict[str, str]


class GQL:
    def __init__(self, client) -> None:
        self.client = client

    async def __call__(self, token: str | None, query: str, **variables) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        return r.json()


@pytest.fixture
def gql(client) -> GQL:
    return GQL(client)


def data(body: dict) -> dict:
    assert "errors" not in body, body["errors"]
    return body["data"]


def error(body: dict) -> dict:
    assert body.get("errors"), body
    return body["errors"][0]


@pytest.fixture
async def athena(factory, build) -> Athena:
    org = await factory.org()
    owner = await factory.user(org, "olivia")
    mark = await factory.user(org, "mark")
    ursula = await factory.user(org, "ursula")
    xavier = await factory.user(org, "xavier")
    org_b = await factory.org()
    zed = await factory.user(org_b, "zed")
    ws = await factory.workspace(owner, name="Acme Ops", created_at=utc(2026, 1, 1, 9))
    ws2 = await factory.workspace(owner, name="Other", created_at=utc(2026, 1, 1, 9))
    await factory.member(ws, mark)
    await factory.member(ws, ursula)
    ag = {}
    for key, name, wsp in (("A1", "Alpha", ws), ("A2", "Beta", ws), ("A3", "Gamma", ws)):
        ag[key] = await factory.agent(owner, name=name, kind="athena", workspace_id=wsp.id)
    ag["A9"] = await factory.agent(owner, name="Nine", kind="athena", workspace_id=ws2.id)
    fl = {
        "F1": await build.workflow(ws, owner, "Flow One", created_at=utc(2026, 3, 1, 8)),
        "F2": await build.workflow(ws, mark, "Flow Two", created_at=utc(2026, 3, 8, 8)),
        "F9": await build.workflow(ws2, owner, "Flow Nine", created_at=utc(2026, 3, 1, 8)),
    }
    th = {
        "T1": await build.thread(ws, mark, "Pricing", ag["A1"], utc(2026, 3, 2, 9)),
        "T2": await build.thread(ws, owner, "Hiring", ag["A2"], utc(2026, 3, 11, 9)),
        "T9": await build.thread(ws2, owner, "Else", None, utc(2026, 3, 3, 9)),
    }
    e, o = build.ev, org.id
    ok, failed = {"status": "succeeded"}, {"status": "failed"}
    for a, ts, who, ms, dims in (
        ("A1", utc(2026, 3, 2, 10), owner, 100, ok),
        ("A1", utc(2026, 3, 2, 11), mark, 300, ok),
        ("A1", utc(2026, 3, 10, 9), mark, 200, failed),
        ("A1", utc(2026, 3, 16, 9), ursula, 400, ok),
        ("A2", utc(2026, 3, 3, 9), owner, 1000, ok),
        ("A2", utc(2026, 3, 17, 9), owner, 500, ok),
        ("A9", utc(2026, 3, 5, 9), owner, 9999, ok),
    ):
        e(o, "execution", "agent", ag[a].id, ts, who.id, ms, dims)
    e(o, "created", "agent", ag["A1"].id, utc(2026, 3, 1, 9), owner.id)
    e(o, "created", "agent", ag["A2"].id, utc(2026, 3, 4, 9), mark.id)
    e(o, "created", "agent", ag["A3"].id, utc(2026, 2, 10, 9), owner.id)
    e(o, "created", "agent", ag["A9"].id, utc(2026, 3, 4, 9), owner.id)
    e(o, "share", "agent", ag["A1"].id, utc(2026, 3, 5, 9), mark.id)
    e(o, "share", "agent", ag["A1"].id, utc(2026, 3, 6, 9), owner.id)
    e(o, "copied", "agent", ag["A1"].id, utc(2026, 3, 7, 9), ursula.id)
    for f, ts, who, ms, status in (
        ("F1", utc(2026, 3, 2, 9), owner, 1000, "succeeded"),
        ("F1", utc(2026, 3, 2, 12), owner, 3000, "failed"),
        ("F1", utc(2026, 3, 9, 9), mark, 2000, "succeeded"),
        ("F2", utc(2026, 3, 20, 9), mark, 6000, "succeeded"),
        ("F9", utc(2026, 3, 3, 9), owner, 50, "succeeded"),
    ):
        e(o, "execution", "workflow", fl[f].id, ts, who.id, ms, {"status": status})
        await build.execution(fl[f], who, status, ts, ms)
    await build.execution(fl["F1"], owner, "running", utc(2026, 3, 18, 9))
    e(o, "created", "workflow", fl["F1"].id, utc(2026, 3, 1, 8), owner.id)
    e(o, "created", "workflow", fl["F2"].id, utc(2026, 3, 8, 8), mark.id)
    e(o, "created", "workflow", fl["F9"].id, utc(2026, 3, 1, 8), owner.id)
    e(o, "share", "workflow", fl["F2"].id, utc(2026, 3, 9, 10), owner.id)
    e(o, "copied", "workflow", fl["F1"].id, utc(2026, 3, 10, 10), mark.id)
    for t, who, n in (("T1", mark, 3), ("T2", owner, 2), ("T9", owner, 1)):
        thread = th[t]
        e(o, "created", "thread", thread.id, thread.created_at, who.id)
        for k in range(n):
            ts = thread.created_at.replace(minute=k + 1)
            role = "user" if k % 2 == 0 else "assistant"
            await build.message(thread, who if role == "user" else None, role, f"m{k}", ts)
            e(o, "message", "thread", thread.id, ts, who.id)
    await build.flush_events()
    tokens = {}
    for name, u in (("owner", owner), ("mark", mark), ("xavier", xavier), ("zed", zed)):
        tokens[name] = await factory.token(u)
    return Athena(org, owner, mark, ursula, xavier, zed, ws, ws2, ag, fl, th, tokens)
