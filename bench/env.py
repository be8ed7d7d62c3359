"""The bench's database and clients: resolve the bench database (DATABASE_URL, else the
embedded server's `tally_bench`), migrate it, seed the demo once, grant the bench
principal, and open the ASGI client, the statement counter and the raw floor connection.

The bench principal `bench.analyst` (acme) exists only in the bench database: publication
metrics are for owners and co-creators, and no demo principal co-creates 50
publications, so the bench makes this user a co-creator of the first 50 (by id). That
adds relation rows only; no event or rollup changes.
"""

from __future__ import annotations

import os
import time as clock
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import asyncpg
import httpx
import orjson
from alembic.util import CommandError
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway import migrate
from gateway.auth import create_token, hash_token
from gateway.config import Settings
from gateway.db import (
    Database,
    connect_raw,
    database_name,
    ensure_database,
    make_engine,
    start_embedded,
    to_sqlalchemy_url,
    with_database,
)
from gateway.demo import demo_token, seed_demo
from gateway.demo.world import SCALES
from gateway.ingest.rollups import TABLES as ROLLUP_TABLES
from gateway.ingest.rollups import analyze

BENCH_DB = "tally_bench"
BENCH_USER = "bench.analyst"
BENCH_PRINCIPAL = "bench_analyst"
PUBLICATIONS = 50
WINDOW_DAYS = 30
SEED_MINUTES = {
    "tiny": "a few seconds",
    "small": "~10 s",
    "medium": "~1 min",
    "large": "~5 min",
}


class StatementCounter:
    """Counts SQL statements sent through the engine (SQLAlchemy's cursor hook)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)

    def _before(self, *_args) -> None:
        self.count += 1


class CountingConnection:
    """The floor's asyncpg connection, counting the statements it sends."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.count = 0

    async def fetch(self, sql: str, *args) -> list[asyncpg.Record]:
        self.count += 1
        return await self.conn.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args) -> asyncpg.Record | None:
        self.count += 1
        return await self.conn.fetchrow(sql, *args)


@dataclass
class BenchEnv:
    engine: AsyncEngine
    client: httpx.AsyncClient
    floor: CountingConnection
    counter: StatementCounter
    seed: int
    org_id: int
    start: date
    """First day of the 30-day window (UTC dates, `end` inclusive)."""
    end: date
    events: int
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def t0(self) -> datetime:
        """The window's first instant (UTC midnight of `start`)."""
        return datetime.combine(self.start, time(), UTC)

    @property
    def t1(self) -> datetime:
        """The window's end, exclusive (UTC midnight after `end`)."""
        return datetime.combine(self.end + timedelta(days=1), time(), UTC)

    def day_starts(self) -> list[datetime]:
        return [self.t0 + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def period(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "timezone": "UTC"}

    async def graphql(self, principal: str, query: str, variables: dict) -> tuple[dict, int]:
        """POST one operation; return (data, response bytes). Any error fails the bench."""
        token = self.tokens.get(principal) or demo_token(self.seed, principal)
        r = await self.client.post(
            "/graphql",
            content=orjson.dumps({"query": query, "variables": variables}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        body = orjson.loads(r.content)
        if r.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"GraphQL failed ({r.status_code}): {body.get('errors')}")
        return body["data"], len(r.content)


def bench_database(scale: str) -> str:
    """The bench database of a scale: `tally_bench` (large), `tally_bench_<scale>`."""
    return BENCH_DB if scale == "large" else f"{BENCH_DB}_{scale}"


async def resolve_url(settings: Settings, scale: str = "large", named: bool = False) -> str:
    """The bench database URL (created if missing): DATABASE_URL as given (or, when
    `named`, the scale's bench database on its server), else the scale's bench database
    on the embedded server."""
    if settings.database_url:
        url = settings.database_url
        if named:
            url = with_database(url, bench_database(scale))
        await ensure_database(with_database(url, "postgres"), database_name(url))
        return to_sqlalchemy_url(url)
    server = start_embedded(settings.data_dir)
    await ensure_database(server, bench_database(scale))
    return to_sqlalchemy_url(with_database(server, bench_database(scale)))


async def prepare(url: str, scale: str, seed: int, log=print) -> None:
    """Migrate, seed the demo at `scale` when the database has no org, grant the bench
    principal (idempotent)."""
    engine = make_engine(url, pool_size=2, statement_timeout_ms=0)
    try:
        try:
            await migrate.upgrade(engine)
        except CommandError as e:  # e.g. a database migrated by a newer checkout
            raise SystemExit(f"bench: cannot migrate {database_name(url)}: {e}") from e
        raw = await connect_raw(url)
        try:
            has_org = await raw.fetchval("SELECT EXISTS (SELECT 1 FROM orgs)")
        finally:
            await raw.close()
        db = Database(engine)
        if not has_org:
            log(f"seeding the {scale} demo (seed {seed}) once: {SEED_MINUTES.get(scale, '')}")
            t0 = clock.monotonic()
            result = await seed_demo(db, scale=scale, seed=seed, quiet=scale == "tiny")
            log(f"seeded {result.events_written:,} events in {clock.monotonic() - t0:.0f} s")
        await _grant(db, url, seed)
        await _analyze(url, log)
    finally:
        await engine.dispose()


async def _grant(db: Database, url: str, seed: int) -> None:
    raw = await connect_raw(url)
    try:
        async with raw.transaction():
            org_id = await raw.fetchval("SELECT id FROM orgs WHERE key = 'acme'")
            uid = await raw.fetchval(
                "SELECT id FROM users WHERE org_id = $1 AND username = $2", org_id, BENCH_USER
            )
            if uid is None:
                uid = await raw.fetchval(
                    "INSERT INTO users (org_id, username, display_name) VALUES ($1, $2, $3)"
                    " RETURNING id",
                    org_id,
                    BENCH_USER,
                    "Bench Analyst",
                )
            await raw.execute(
                "INSERT INTO publication_cocreators (org_id, publication_id, user_id)"
                " SELECT org_id, id, $2 FROM publications WHERE org_id = $1"
                " AND owner_id <> $2 ORDER BY id LIMIT $3 ON CONFLICT DO NOTHING",
                org_id,
                uid,
                PUBLICATIONS,
            )
            token = demo_token(seed, BENCH_PRINCIPAL)
            have = await raw.fetchval(
                "SELECT EXISTS (SELECT 1 FROM api_tokens WHERE token_hash = $1)", hash_token(token)
            )
    finally:
        await raw.close()
    if not have:
        async with db.session() as session:
            await create_token(session, org_id=org_id, user_id=uid, name="bench", token=token)
            await session.commit()


async def _analyze(url: str, log) -> None:
    """Plans over a freshly loaded or migrated dataset are poor until the tables are
    analyzed (a measured 5-20x here), and rollup reads are index-only only once the
    visibility map is set: VACUUM ANALYZE the tables never vacuumed or analyzed."""
    raw = await connect_raw(url)
    try:
        stale = await raw.fetch(
            "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY($1::text[])"
            " AND ((last_analyze IS NULL AND last_autoanalyze IS NULL)"
            " OR (last_vacuum IS NULL AND last_autovacuum IS NULL))",
            ["events", *ROLLUP_TABLES],
        )
        if stale:
            names = tuple(r["relname"] for r in stale)
            log(f"vacuum-analyzing {', '.join(names)} once")
            await analyze(raw, names)
    finally:
        await raw.close()


@asynccontextmanager
async def open_env(url: str, settings: Settings, seed: int) -> AsyncIterator[BenchEnv]:
    from gateway.app import create_app

    engine = make_engine(url, pool_size=5, statement_timeout_ms=settings.statement_timeout_ms)
    raw = await connect_raw(url)
    try:
        org_id = await raw.fetchval("SELECT id FROM orgs WHERE key = 'acme'")
        last = await raw.fetchval(
            "SELECT max(bucket) FROM rollup_hourly_org WHERE org_id = $1 AND day ="
            " (SELECT max(day) FROM rollup_daily_org WHERE org_id = $1)",
            org_id,
        )
        events = await raw.fetchval(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = 'events'"
        )
        if not events or events < 0:
            events = await raw.fetchval("SELECT count(*) FROM events")
        # The window ends on the dataset's last day with data (a reused dataset ages).
        end = last.date()
        app = create_app(settings, database=Database(engine))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            yield BenchEnv(
                engine=engine,
                client=client,
                floor=CountingConnection(raw),
                counter=StatementCounter(engine),
                seed=seed,
                org_id=org_id,
                start=end - timedelta(days=WINDOW_DAYS - 1),
                end=end,
                events=int(events),
                tokens={BENCH_PRINCIPAL: demo_token(seed, BENCH_PRINCIPAL)},
            )
    finally:
        await raw.close()
        await engine.dispose()


def scale_of(publications: int) -> str | None:
    """The demo scale whose acme publication count this is (for the report)."""
    for name, sc in SCALES.items():
        if sc.publications == publications:
            return name
    return None


def env_scale(default: str = "large") -> str:
    return os.environ.get("BENCH_SCALE") or default
