"""Fixtures for the AMP tests: the "March world" (two missions, seven content items,
content and mission events, budgets, KPIs; another org), a GraphQL helper and a frozen
request clock. Every number the tests assert is derived in comments from these rows.

March 2026 (UTC; 2026-03-01 is a Sunday):

  content  mission  platform  type    pillar              topic          published (weekday)
  c1       A        twitter   post    Thought Leadership  API design     03-03 14:10 (Tue)
  c2       A        twitter   thread  Thought Leadership  SDKs           03-10 14:20 (Tue)
  c3       A        linkedin  post    Product Updates     release notes  03-06 09:00 (Fri)
  c4       B        linkedin  post    Product Updates     API design     03-13 09:30 (Fri)
  c5       B        twitter   post    -                   hiring         02-20 12:00 (Fri)
  c6       A        linkedin  post    (scheduled for 2026-12-01 10:00, not published)
  c7       A        twitter   post    (draft)

  events in March     impressions  engagements  clicks  rate
  c1 (03-03 15:00)    1000         50           10      5 %
  c2 (03-10 15:00)     200         30            3     15 %
  c3 (03-06 10:00)    3000         60           12      2 %
  c4 (03-13 10:00)     800         40            4      5 %
  c5 (03-02 12:00)     500         10            1      2 %   (published in February)
  total               5500        190           30      3.4545... %  (5.8 as avg of ratios)
  February: c5 publish 02-20, 400 impressions / 20 engagements on 02-21.

  follower gains: A twitter 10 + linkedin 5 (03-05), B twitter 7 (03-20)   -> 22
  AI cost (cents): A claude/llm/content 300 (03-03 08:00), claude/llm/strategy 200
  (03-01 08:00), openai/image/content 100 (03-03 08:01); B claude/llm/optimize 50
  (03-10 22:00), claude/llm/content 150 (03-13 08:00); B 999 on 02-15 -> March 800.
  tokens: A claude 10000 (03-03), B claude 5000 (03-13); images: A openai 2 (03-03).
  org budgets: 2026-03 2000, 2026-04 3000; mission A budget 2026-03 500 (not org-level).
  content created: c1 03-02, c2 03-09, c3 03-05, c4 03-12, c5 02-19, c6 03-20, c7 03-21.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from gateway.ingest.writer import EventRow, asyncpg_connection, write_events
from gateway.metrics.loader import RequestClock
from gateway.models import Budget, Content, Mission, MissionKpi, Org
from tests.factories import Factory

_seq = itertools.count(1)
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def ev(
    org_id: int,
    type_: str,
    subject_type: str,
    subject_id: int,
    ts: datetime,
    value: float = 1.0,
    dims: dict | None = None,
) -> EventRow:
    return EventRow(
        org_id,
        f"amp-ev-{next(_seq)}",
        type_,
        subject_type,
        subject_id,
        ts,
        None,
        value,
        json.dumps(dims or {}),
        "{}",
    )


def perf(org_id: int, content_id: int, ts: datetime, imp: float, eng: float, clicks: float):
    """Impression, engagement and click batches of one content item at `ts`."""
    return [
        ev(org_id, "impression", "content", content_id, ts, imp),
        ev(org_id, "engagement", "content", content_id, ts, eng),
        ev(org_id, "click", "content", content_id, ts, clicks),
    ]


def cost(org_id, mission_id, ts, cents, provider, ptype, stage) -> EventRow:
    dims = {"provider": provider, "provider_type": ptype, "model": "m", "stage": stage}
    return ev(org_id, "cost", "mission", mission_id, ts, cents, dims)


@dataclass
class World:
    org: Org
    a: Mission
    b: Mission
    c: dict[str, Content]
    headers: dict[str, str]
    other_org: Org
    foreign: Mission
    foreign_content: Content
    other_headers: dict[str, str]


async def add_content(factory: Factory, mission: Mission, key: str, **kw) -> Content:
    return await factory.content(mission, key, **kw)


@pytest.fixture
def write(session):
    async def _write(rows: list[EventRow]) -> int:
        return await write_events(await asyncpg_connection(session), rows)

    return _write


@pytest.fixture
def gql(client):
    async def _gql(headers: dict[str, str] | None, query: str, **variables: Any) -> dict:
        r = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
        )
        assert r.status_code == 200, r.text
        return r.json()

    return _gql


@pytest.fixture
def freeze_now(monkeypatch):
    """Fix the request clock (`now` of every period, projection and realtime field)."""

    def _freeze(now: datetime) -> None:
        def init(self, ctx):
            self.now = now

        monkeypatch.setattr(RequestClock, "__init__", init)

    return _freeze


def error_codes(body: dict) -> list[str | None]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


@pytest.fixture
async def world(factory: Factory, write) -> World:
    org = await factory.org()
    user = await factory.user(org, "amp")
    a = await factory.mission(
        org, "msn_alpha", name="Alpha", status="active",
        start_date=date(2026, 3, 1), end_date=date(2026, 3, 31),
    )  # fmt: skip
    b = await factory.mission(
        org, "msn_beta", name="Beta", status="completed",
        start_date=date(2026, 2, 1), end_date=date(2026, 3, 15),
    )  # fmt: skip
    spec = [
        ("c1", a, "twitter", "post", "Thought Leadership", "API design", utc(2026, 3, 3, 14, 10),
         "published", utc(2026, 3, 2)),
        ("c2", a, "twitter", "thread", "Thought Leadership", "SDKs", utc(2026, 3, 10, 14, 20),
         "published", utc(2026, 3, 9)),
        ("c3", a, "linkedin", "post", "Product Updates", "release notes", utc(2026, 3, 6, 9),
         "published", utc(2026, 3, 5)),
        ("c4", b, "linkedin", "post", "Product Updates", "API design", utc(2026, 3, 13, 9, 30),
         "published", utc(2026, 3, 12)),
        ("c5", b, "twitter", "post", None, "hiring", utc(2026, 2, 20, 12), "published",
         utc(2026, 2, 19)),
        ("c6", a, "linkedin", "post", "Tutorials", "SDKs", None, "scheduled", utc(2026, 3, 20)),
        ("c7", a, "twitter", "post", "Tutorials", "SDKs", None, "draft", utc(2026, 3, 21)),
    ]  # fmt: skip
    c: dict[str, Content] = {}
    for name, m, plat, typ, pillar, topic, pub, status, created in spec:
        c[name] = await add_content(
            factory, m, f"cnt_{name}", platform=plat, type=typ, pillar=pillar, topic=topic,
            published_at=pub, status=status, created_at=created, preview=f"Preview {name}",
            scheduled_for=utc(2026, 12, 1, 10) if status == "scheduled" else None,
        )  # fmt: skip
    o = org.id
    published = ("c1", "c2", "c3", "c4", "c5")
    rows = [ev(o, "publish", "content", c[n].id, c[n].published_at) for n in published]
    rows += perf(o, c["c1"].id, utc(2026, 3, 3, 15), 1000, 50, 10)
    rows += perf(o, c["c2"].id, utc(2026, 3, 10, 15), 200, 30, 3)
    rows += perf(o, c["c3"].id, utc(2026, 3, 6, 10), 3000, 60, 12)
    rows += perf(o, c["c4"].id, utc(2026, 3, 13, 10), 800, 40, 4)
    rows += perf(o, c["c5"].id, utc(2026, 3, 2, 12), 500, 10, 1)
    rows += [
        ev(o, "impression", "content", c["c5"].id, utc(2026, 2, 21), 400),
        ev(o, "engagement", "content", c["c5"].id, utc(2026, 2, 21), 20),
        ev(o, "follower_gain", "mission", a.id, utc(2026, 3, 5), 10, {"platform": "twitter"}),
        ev(o, "follower_gain", "mission", a.id, utc(2026, 3, 5), 5, {"platform": "linkedin"}),
        ev(o, "follower_gain", "mission", b.id, utc(2026, 3, 20), 7, {"platform": "twitter"}),
        cost(o, a.id, utc(2026, 3, 3, 8), 300, "claude", "llm", "content"),
        cost(o, a.id, utc(2026, 3, 1, 8), 200, "claude", "llm", "strategy"),
        cost(o, a.id, utc(2026, 3, 3, 8, 1), 100, "openai", "image", "content"),
        cost(o, b.id, utc(2026, 3, 10, 22), 50, "claude", "llm", "optimize"),
        cost(o, b.id, utc(2026, 3, 13, 8), 150, "claude", "llm", "content"),
        cost(o, b.id, utc(2026, 2, 15), 999, "claude", "llm", "content"),
        ev(o, "tokens", "mission", a.id, utc(2026, 3, 3, 8), 10000, {"provider": "claude"}),
        ev(o, "tokens", "mission", b.id, utc(2026, 3, 13, 8), 5000, {"provider": "claude"}),
        ev(o, "image", "mission", a.id, utc(2026, 3, 3, 8, 1), 2, {"provider": "openai"}),
    ]
    await write(rows)
    for month, limit, mission in (
        (date(2026, 3, 1), 2000, None),
        (date(2026, 4, 1), 3000, None),
        (date(2026, 3, 1), 500, a.id),
    ):
        await factory.add(Budget(org_id=o, mission_id=mission, month=month, limit_cents=limit))
    for metric, target in (
        ("engagement_rate", 3.0),
        ("followers_gained", 10),
        ("impressions", 5000),
        ("link_clicks", 25),
        ("mystery", 1),
        ("posts_published", 10),
    ):
        await factory.add(MissionKpi(org_id=o, mission_id=a.id, metric=metric, target=target))

    other = await factory.org()
    stranger = await factory.user(other, "stranger")
    foreign = await factory.mission(other, "msn_foreign", name="Foreign")
    foreign_content = await add_content(factory, foreign, "cnt_foreign")
    await write(perf(other.id, foreign_content.id, utc(2026, 3, 3, 15), 9999, 999, 99))
    return World(
        org=org,
        a=a,
        b=b,
        c=c,
        headers={"Authorization": f"Bearer {await factory.token(user)}"},
        other_org=other,
        foreign=foreign,
        foreign_content=foreign_content,
        other_headers={"Authorization": f"Bearer {await factory.token(stranger)}"},
    )
