"""Deterministic ingestion workloads for `make bench --ingest`: API-shaped events about
the subjects of one org (publications, content, missions, agents, with users as
actors), spread over the last `days` days, in batches with a share of event ids that
repeat ids from earlier batches (the duplicates a retrying producer sends)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import orjson

# (subject type, event type, dims key, dims values, value range) — all in the vocabulary
_KINDS = (
    ("publication", "view", "experience_type", ("PODCAST", "VIDEO", "ARTICLE", "COURSE"), (1, 1)),
    ("publication", "like", "experience_type", ("PODCAST", "VIDEO", "ARTICLE"), (1, 1)),
    ("content", "impression", None, (), (1, 500)),
    ("content", "engagement", None, (), (1, 40)),
    ("mission", "cost", "provider", ("openai", "anthropic", "google"), (1, 900)),
    ("agent", "message", "topic", ("billing", "onboarding", "music", "support"), (1, 1)),
)
_TABLES = {"publication": ("publications", "custom_url"), "content": ("content", "key")}
_TABLES |= {"mission": ("missions", "key"), "agent": ("agents", "key")}


@dataclass(frozen=True)
class Subjects:
    org_key: str
    keys: dict[str, list[str]]
    users: list[str]


async def load_subjects(conn: asyncpg.Connection, org_key: str) -> Subjects:
    org_id = await conn.fetchval("SELECT id FROM orgs WHERE key = $1", org_key)
    keys = {}
    for st, (table, col) in _TABLES.items():
        rows = await conn.fetch(
            f"SELECT {col} FROM {table} WHERE org_id = $1 ORDER BY id LIMIT 200", org_id
        )
        keys[st] = [r[0] for r in rows]
    users = [
        r[0]
        for r in await conn.fetch(
            "SELECT username FROM users WHERE org_id = $1 ORDER BY id LIMIT 500", org_id
        )
    ]
    return Subjects(org_key, {k: v for k, v in keys.items() if v}, users)


def generate(
    subjects: Subjects,
    n: int,
    *,
    seed: int,
    prefix: str,
    anchor: datetime,
    days: float = 30,
    with_org: bool = False,
) -> list[dict]:
    """`n` distinct events (ids `<prefix>-<i>`) with timestamps in the `days` before
    `anchor`; subjects follow a skewed popularity so batches share rollup keys."""
    rng = random.Random(seed)
    kinds = [k for k in _KINDS if k[0] in subjects.keys]
    span = int(days * 86_400)
    start = anchor - timedelta(seconds=span)
    out = []
    for i in range(n):
        st, type_, dim, dim_values, (lo, hi) = kinds[rng.randrange(len(kinds))]
        pool = subjects.keys[st]
        key = pool[min(int(rng.paretovariate(1.2)) - 1, len(pool) - 1)]
        ev = {
            "event_id": f"{prefix}-{i}",
            "type": type_,
            "subject": {"type": st, "key": key},
            "ts": (start + timedelta(seconds=rng.randrange(span))).isoformat(),
            "value": rng.randint(lo, hi),
        }
        if dim:
            ev["dims"] = {dim: dim_values[rng.randrange(len(dim_values))]}
        if subjects.users and rng.random() < 0.7:
            ev["actor"] = subjects.users[rng.randrange(len(subjects.users))]
        if with_org:
            ev["org"] = subjects.org_key
        out.append(ev)
    return out


def batches(events: list[dict], size: int, dup_share: float, *, seed: int) -> list[list[dict]]:
    """Split `events` into batches of `size`: the first all new, every later one with a
    `dup_share` of its events re-sending events of earlier batches."""
    rng = random.Random(seed)
    fresh = max(1, round(size * (1 - dup_share)))
    out: list[list[dict]] = [events[:size]]
    sent = len(out[0])
    while sent < len(events):
        batch = events[sent : sent + fresh]
        batch += [events[rng.randrange(sent)] for _ in range(size - len(batch))]
        sent += fresh
        out.append(batch)
    return out


def ndjson(events: list[dict]) -> bytes:
    return b"\n".join(orjson.dumps(e) for e in events) + b"\n"


def utc_hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
