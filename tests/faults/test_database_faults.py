"""Database faults against a real server: a dedicated PostgreSQL (tests/faults/postgres.py)
is stopped, frozen (SIGSTOP) and crashed while a stream of requests runs against a real
`tally serve` — GraphQL and two legacy REST APIs (agent platform, AMP), all
authenticated (so authentication hits the database), and /readyz.

Asserted for every response: 200, or 503/504 with `Retry-After` and the caller's error
dialect; never a 500, never a dropped or reset connection. While the server is down or
frozen nothing succeeds and /readyz answers 503 within its own bound (before the
request deadline). After recovery every kind of request succeeds again within 3 s.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import httpx
import pytest

from gateway.db import make_engine
from tests.factories import Factory
from tests.faults.postgres import DisposablePostgres
from tests.server import TallyServer

PG_PORT = 8119
APP_PORT = 8111
DEADLINE_S = 2.0  # the server's request deadline in these tests
READY_S = 0.5  # the server's /readyz bound
RECOVERY_BOUND_S = 3.0  # from the issue: first success after recovery
READY_STALL_BOUND_S = 5.0  # /readyz answers ~0.5 s; a stall is the 40 s of the issue

GRAPHQL = {"query": "{ publications(first: 5) { totalCount } }"}


@dataclass
class Outcome:
    kind: str
    phase_at_start: str
    phase_at_end: str
    started: float
    ended: float
    status: int | None = None
    retry_after: str | None = None
    body: object = None
    error: str | None = None

    @property
    def elapsed(self) -> float:
        return self.ended - self.started


@dataclass
class Stream:
    """Requests sent by a few concurrent workers until stopped; `phase` labels them."""

    client: httpx.AsyncClient
    token: str
    phase: str = "healthy"
    outcomes: list[Outcome] = field(default_factory=list)
    running: bool = True

    def request(self, kind: str):
        auth = {"Authorization": f"Bearer {self.token}"}
        if kind == "graphql":
            return self.client.post("/graphql", json=GRAPHQL, headers=auth)
        if kind == "rest":
            return self.client.get("/api/metrics", headers=auth)
        if kind == "amp":
            return self.client.get("/v1/analytics?period=7d", headers=auth)
        return self.client.get("/readyz")

    async def worker(self, kinds: tuple[str, ...]) -> None:
        i = 0
        while self.running:
            kind = kinds[i % len(kinds)]
            i += 1
            out = Outcome(kind, self.phase, "", time.monotonic(), 0.0)
            try:
                r = await self.request(kind)
                out.status = r.status_code
                out.retry_after = r.headers.get("retry-after")
                try:
                    out.body = r.json()
                except ValueError:
                    out.body = r.text[:200]
            except httpx.HTTPError as exc:  # dropped, reset, or hung past the client bound
                out.error = f"{type(exc).__name__}: {exc}"
            out.ended = time.monotonic()
            out.phase_at_end = self.phase
            self.outcomes.append(out)
            await asyncio.sleep(0.02)

    def first_success_after(self, kind: str, moment: float) -> float | None:
        ends = [o.ended for o in self.outcomes if o.kind == kind and o.status == 200]
        later = [e for e in ends if e >= moment]
        return min(later) - moment if later else None


KINDS = ("graphql", "rest", "readyz", "amp")


@pytest.fixture(scope="module")
def postgres():
    pg = DisposablePostgres(PG_PORT)
    try:
        pg.init()
        pg.start()
        yield pg
    finally:
        pg.destroy()


@pytest.fixture(scope="module")
async def token(postgres: DisposablePostgres) -> str:
    from gateway import migrate

    engine = make_engine(postgres.url, pool_size=1)
    try:
        await migrate.upgrade(engine)
        from sqlalchemy.ext.asyncio import AsyncSession

        async with AsyncSession(engine) as session:
            factory = Factory(session)
            org = await factory.org(key="faults")
            user = await factory.user(org, "fran.faults", roles=("admin",))
            await factory.publication(user, "fault-studio")
            token = await factory.token(user)
            await session.commit()
        return token
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def server(postgres: DisposablePostgres, token: str):
    app = TallyServer(
        APP_PORT,
        {
            "DATABASE_URL": postgres.url,
            "TALLY_REQUEST_TIMEOUT_S": str(DEADLINE_S),
            "TALLY_READY_TIMEOUT_S": str(READY_S),
            "TALLY_DB_CONNECT_TIMEOUT_S": "1",
            "TALLY_DB_POOL_TIMEOUT_S": "1",
            "TALLY_RATE_LIMIT_ENABLED": "false",
            # these tests are about reaching the database: no answer from the response cache
            "TALLY_RESPONSE_CACHE_TTL": "0",
        },
    )
    try:
        app.start()
        yield app
    finally:
        app.stop()


async def _healthy(stream: Stream) -> None:
    """The healthy phase: until every kind has succeeded (bounded), then a little more."""
    await _until_recovered(stream, time.monotonic())
    await asyncio.sleep(0.5)


async def _run(server: TallyServer, token: str, script) -> Stream:
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30, limits=limits) as client:
        stream = Stream(client, token)
        workers = [
            asyncio.create_task(stream.worker(KINDS[i:] + KINDS[:i])) for i in range(len(KINDS))
        ]
        try:
            await script(stream)
        finally:
            stream.running = False
            await asyncio.gather(*workers)
    return stream


def _assert_clean(stream: Stream, server: TallyServer) -> None:
    """Every answer is a success or a 503/504 with Retry-After in the caller's dialect."""
    dropped = [o for o in stream.outcomes if o.error]
    assert not dropped, f"dropped/reset/hung: {[(o.kind, o.error) for o in dropped][:5]}"
    bad = [o for o in stream.outcomes if o.status not in (200, 503, 504)]
    assert not bad, f"unexpected statuses: {[(o.kind, o.status, o.body) for o in bad][:5]}"
    for o in stream.outcomes:
        if o.status == 200:
            continue
        assert o.retry_after and int(o.retry_after) > 0, (o.kind, o.status, o.body)
        if o.kind.startswith("graphql"):
            codes = [e["extensions"]["code"] for e in o.body["errors"]]
            assert codes in (["UNAVAILABLE"], ["TIMEOUT"]), o.body
        elif o.kind == "rest":  # the agent platform's dialect: {"error": title, "message"}
            assert set(o.body) == {"error", "message"}, o.body
            assert o.body["error"] == "Failed to fetch metrics"
        elif o.kind == "amp":  # AMP's: {"error": {"code", "message"}}
            assert o.body["error"]["code"] in ("unavailable", "timeout"), o.body
        else:
            assert o.body["error"]["code"] == "unavailable", o.body
    log = server.tail(2_000_000)
    assert "Traceback" not in log, log[log.index("Traceback") - 2000 :][:6000]


def _during(stream: Stream, phase: str) -> list[Outcome]:
    return [o for o in stream.outcomes if o.phase_at_start == phase == o.phase_at_end]


async def _until_recovered(stream: Stream, moment: float) -> None:
    """Wait (bounded) until every kind has succeeded after `moment`."""
    give_up = time.monotonic() + 30
    while time.monotonic() < give_up:
        if all(stream.first_success_after(k, moment) is not None for k in KINDS):
            return
        await asyncio.sleep(0.05)


def _assert_recovered_within(stream: Stream, moment: float) -> None:
    for kind in KINDS:
        took = stream.first_success_after(kind, moment)
        assert took is not None, f"{kind} never succeeded after recovery"
        assert took <= RECOVERY_BOUND_S, f"{kind}: first success {took:.2f} s after recovery"


async def test_stop_and_restart(postgres: DisposablePostgres, server: TallyServer, token: str):
    async def script(stream: Stream) -> None:
        await _healthy(stream)
        stream.phase = "stopping"
        await asyncio.to_thread(postgres.stop, "fast")
        stream.phase = "stopped"
        await asyncio.sleep(2.5)
        stream.phase = "starting"
        await asyncio.to_thread(postgres.start)
        up = time.monotonic()
        stream.phase = "recovering"
        await _until_recovered(stream, up)
        stream.recovered_from = up  # type: ignore[attr-defined]

    stream = await _run(server, token, script)
    _assert_clean(stream, server)
    # (/readyz may say 503 on a loaded machine: its 0.5 s bound is deliberately tight)
    healthy = [o for o in _during(stream, "healthy") if o.kind != "readyz"]
    assert healthy and all(o.status == 200 for o in healthy), [o.status for o in healthy]
    down = _during(stream, "stopped")
    assert {o.kind for o in down} == set(KINDS)
    assert all(o.status == 503 for o in down), sorted({(o.kind, o.status) for o in down})
    _assert_recovered_within(stream, stream.recovered_from)  # type: ignore[attr-defined]


async def test_freeze_and_thaw(postgres: DisposablePostgres, server: TallyServer, token: str):
    async def script(stream: Stream) -> None:
        await _healthy(stream)
        stream.phase = "frozen"
        postgres.freeze()
        await asyncio.sleep(3 * DEADLINE_S)
        stream.phase = "thawing"
        postgres.thaw()
        up = time.monotonic()
        stream.phase = "recovering"
        await _until_recovered(stream, up)
        stream.recovered_from = up  # type: ignore[attr-defined]

    try:
        stream = await _run(server, token, script)
    finally:
        postgres.thaw()
    _assert_clean(stream, server)
    frozen = _during(stream, "frozen")
    assert {o.kind for o in frozen} == set(KINDS)
    assert not [o for o in frozen if o.status == 200]
    ready = [o for o in frozen if o.kind == "readyz"]
    # /readyz is bounded by its own check (0.5 s), well before the 2 s request deadline
    # would turn it into a 504, and never stalls
    assert all(o.status == 503 for o in ready), [(o.status, o.body) for o in ready]
    assert max(o.elapsed for o in ready) < READY_STALL_BOUND_S
    # everything else ends by the deadline (504) or fails fast (503), never hangs
    assert max(o.elapsed for o in frozen) < 10 * DEADLINE_S
    _assert_recovered_within(stream, stream.recovered_from)  # type: ignore[attr-defined]


async def test_crash_and_recovery(postgres: DisposablePostgres, server: TallyServer, token: str):
    """An immediate shutdown (as in a crash): the restart runs crash recovery, during
    which the server says 'the database system is starting up' (CannotConnectNowError)."""

    async def script(stream: Stream) -> None:
        await _healthy(stream)
        stream.phase = "crashing"
        await asyncio.to_thread(postgres.stop, "immediate")
        stream.phase = "stopped"
        await asyncio.sleep(1.5)
        stream.phase = "starting"
        postgres.start(wait=False)
        await asyncio.to_thread(postgres.wait_ready)
        up = time.monotonic()
        stream.phase = "recovering"
        await _until_recovered(stream, up)
        stream.recovered_from = up  # type: ignore[attr-defined]

    stream = await _run(server, token, script)
    _assert_clean(stream, server)
    assert all(o.status == 503 for o in _during(stream, "stopped"))
    _assert_recovered_within(stream, stream.recovered_from)  # type: ignore[attr-defined]
