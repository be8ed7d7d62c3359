"""Fixtures for the job tests: a small AMP world (hand-countable March 2026 numbers), a
GraphQL helper, a committed database for worker tests that need several connections, and
a fake SMTP server.

AMP world (org of `member` and `admin`; another org `other`):
  msn_a "Alpha" (active): cnt_a1 twitter post, published 2026-03-03 10:00Z
                          cnt_a2 linkedin post, published 2026-03-05 10:00Z
  msn_b "Beta" (completed): cnt_b1 twitter post, published 2026-03-10 10:00Z
  events (March):   impressions  engagements  clicks   rate
     cnt_a1         1000          50          10       5.0 %
     cnt_a2          400          20           4       5.0 %
     cnt_b1          200          30           2      15.0 %
  msn_a: 2 posts, 1400 imp, 70 eng, 14 clicks, 5.0 %, followers +12 (03-04)
  msn_b: 1 post,   200 imp, 30 eng,  2 clicks, 15.0 %, followers 0
  costs: msn_a claude/llm 300 (03-03) + openai/image 100 (03-04, 2 images) = 400 cents,
         2 requests, 1500 tokens (03-03); msn_b claude/llm 50 (03-10) = 50 cents, 1 request
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from gateway.config import Settings
from gateway.db import Database, drop_database, ensure_database, make_engine, with_database
from gateway.ingest.writer import EventRow, asyncpg_connection, write_events
from tests.factories import Factory

_seq = itertools.count(1)
MARCH = "2026-03-01/2026-03-31"


def read(path: str) -> str:
    """A result file's text (sync: test files are tiny)."""
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def ev(org_id, type_, st, subject, ts, value=1.0, dims=None, actor=None) -> EventRow:
    return EventRow(
        org_id, f"job-ev-{next(_seq)}-{uuid.uuid4().hex[:6]}", type_, st, subject, ts, actor,
        value, json.dumps(dims or {}), "{}",
    )  # fmt: skip


@dataclass
class AmpWorld:
    org: Any = None
    other: Any = None
    users: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    missions: dict[str, Any] = field(default_factory=dict)

    def headers(self, who: str = "member") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


async def build_amp_world(factory: Factory, session) -> AmpWorld:
    from datetime import date

    w = AmpWorld()
    w.org = await factory.org()
    w.other = await factory.org()
    for name, roles in (("member", ()), ("admin", ("admin",))):
        w.users[name] = await factory.user(w.org, roles=roles)
        w.tokens[name] = await factory.token(w.users[name])
    w.users["other"] = await factory.user(w.other, roles=("admin",))
    w.tokens["other"] = await factory.token(w.users["other"])
    a = await factory.mission(w.org, "msn_a", name="Alpha", status="active",
                              start_date=date(2026, 3, 1), end_date=date(2026, 3, 31))  # fmt: skip
    b = await factory.mission(w.org, "msn_b", name="Beta", status="completed",
                              start_date=date(2026, 2, 1), end_date=date(2026, 3, 15))  # fmt: skip
    await factory.mission(w.other, "msn_other", name="Foreign")
    w.missions = {"a": a, "b": b}
    c = {}
    for key, m, plat, pub in (
        ("cnt_a1", a, "twitter", utc(2026, 3, 3, 10)),
        ("cnt_a2", a, "linkedin", utc(2026, 3, 5, 10)),
        ("cnt_b1", b, "twitter", utc(2026, 3, 10, 10)),
    ):
        c[key] = await factory.content(
            m, key, platform=plat, type="post", published_at=pub, status="published",
            preview=f"Preview {key}", topic="launch", pillar="Product",
        )  # fmt: skip
    o = w.org.id
    rows = []
    for key, imp, eng, clk in (("cnt_a1", 1000, 50, 10), ("cnt_a2", 400, 20, 4),
                               ("cnt_b1", 200, 30, 2)):  # fmt: skip
        item = c[key]
        ts = item.published_at.replace(hour=12)
        rows += [
            ev(o, "publish", "content", item.id, item.published_at),
            ev(o, "impression", "content", item.id, ts, imp),
            ev(o, "engagement", "content", item.id, ts, eng),
            ev(o, "click", "content", item.id, ts, clk),
        ]

    def cost(m, ts, cents, provider, ptype):
        dims = {"provider": provider, "provider_type": ptype, "model": "m", "stage": "content"}
        return ev(o, "cost", "mission", m.id, ts, cents, dims)

    rows += [
        ev(o, "follower_gain", "mission", a.id, utc(2026, 3, 4), 12, {"platform": "twitter"}),
        cost(a, utc(2026, 3, 3, 8), 300, "claude", "llm"),
        cost(b, utc(2026, 3, 10, 8), 50, "claude", "llm"),
        cost(a, utc(2026, 3, 4, 8), 100, "openai", "image"),
        ev(o, "tokens", "mission", a.id, utc(2026, 3, 3, 8), 1500,
           {"provider": "claude", "model": "m"}),
        ev(o, "image", "mission", a.id, utc(2026, 3, 4, 8), 2, {"provider": "openai"}),
    ]  # fmt: skip
    await write_events(await asyncpg_connection(session), rows)
    return w


EXPECTED_CSV = """\
# content
content_id,mission_id,platform,type,pillar,topic,status,published_at,impressions,engagements,clicks,engagement_rate
cnt_b1,msn_b,twitter,post,Product,launch,published,2026-03-10T10:00:00+00:00,200,30,2,15
cnt_a2,msn_a,linkedin,post,Product,launch,published,2026-03-05T10:00:00+00:00,400,20,4,5
cnt_a1,msn_a,twitter,post,Product,launch,published,2026-03-03T10:00:00+00:00,1000,50,10,5

# metrics
mission_id,mission_name,status,posts_published,impressions,engagements,clicks,engagement_rate,followers_gained
msn_a,Alpha,active,2,1400,70,14,5,12
msn_b,Beta,completed,1,200,30,2,15,0

# costs
mission_id,mission_name,cost_cents,requests,tokens,images
msn_a,Alpha,400,2,1500,2
msn_b,Beta,50,1,0,0

"""


class Gql:
    def __init__(self, client, world: AmpWorld) -> None:
        self.client, self.world = client, world

    async def __call__(self, query: str, as_: str | None = "member", **variables: Any) -> dict:
        headers = self.world.headers(as_) if as_ else {}
        r = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert r.status_code == 200, r.text
        return r.json()

    async def data(self, query: str, as_: str | None = "member", **variables: Any) -> dict:
        body = await self(query, as_, **variables)
        assert "errors" not in body, body["errors"]
        return body["data"]


def error(body: dict) -> tuple[str, str]:
    err = body["errors"][0]
    return err.get("extensions", {}).get("code"), err["message"]


@pytest.fixture
async def amp(factory, session) -> AmpWorld:
    return await build_amp_world(factory, session)


@pytest.fixture
def gql(client, amp) -> Gql:
    return Gql(client, amp)


# --- a committed database (workers on several connections) ------------------------------


@pytest.fixture(scope="session")
async def committed_url(server_url: str) -> AsyncIterator[str]:
    """One migrated database for the whole run whose writes are really committed (the
    `scratch_database` idea, migrated once); `committed_db` empties `jobs` after each test."""
    from gateway import migrate
    from gateway.db import to_sqlalchemy_url

    name = f"tally_jobs_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await ensure_database(server_url, name)
    url = to_sqlalchemy_url(with_database(server_url, name))
    engine = make_engine(url, pool_size=2)
    await migrate.upgrade(engine)
    await engine.dispose()
    yield url
    await drop_database(server_url, name)


@pytest.fixture
async def committed_db(committed_url: str) -> AsyncIterator[Database]:
    db = Database(make_engine(committed_url, pool_size=5))
    yield db
    async with db.session() as s:
        await s.execute(text("DELETE FROM jobs"))
        await s.commit()
    await db.dispose()


@pytest.fixture
async def committed_world(committed_db: Database) -> AmpWorld:
    async with committed_db.session() as s:
        world = await build_amp_world(Factory(s), s)
        await s.commit()
    return world


@pytest.fixture
def job_settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path, public_base_url="https://tally.test")


# --- a fake SMTP server ---------------------------------------------------------------


class FakeSmtp:
    """Just enough SMTP (EHLO/HELO, MAIL, RCPT, DATA, QUIT) to receive messages."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        def say(line: str) -> None:
            writer.write((line + "\r\n").encode())

        say("220 fake ESMTP")
        await writer.drain()
        mail: dict = {"rcpt": []}
        while line := await reader.readline():
            cmd = line.decode().strip()
            upper = cmd.upper()
            if upper.startswith("EHLO"):
                say("250-fake")
                say("250 8BITMIME")
            elif upper.startswith(("HELO", "RSET", "NOOP")):
                say("250 ok")
            elif upper.startswith("MAIL FROM:"):
                mail["from"] = cmd[10:].strip()
                say("250 ok")
            elif upper.startswith("RCPT TO:"):
                mail["rcpt"].append(cmd[8:].strip())
                say("250 ok")
            elif upper == "DATA":
                say("354 end with .")
                await writer.drain()
                body = []
                while (data := await reader.readline()) not in (b".\r\n", b""):
                    body.append(data.decode())
                mail["data"] = "".join(body)
                self.messages.append(mail)
                mail = {"rcpt": []}
                say("250 queued")
            elif upper == "QUIT":
                say("221 bye")
                await writer.drain()
                break
            else:
                say("502 not implemented")
            await writer.drain()
        writer.close()

    async def __aenter__(self) -> FakeSmtp:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def smtp() -> AsyncIterator[FakeSmtp]:
    async with FakeSmtp() as server:
        yield server


@pytest.fixture
def app(settings, db, monkeypatch):
    """The app without the REST routers: these tests only talk GraphQL, and must not
    depend on the shim modules other teams are changing."""
    import gateway.app as app_module

    monkeypatch.setattr(app_module, "_routers", lambda: [])
    return app_module.create_app(settings, database=db)
