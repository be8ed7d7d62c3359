"""Run the cases on one dataset.

1. In process (ASGI, SQLAlchemy statement hook): each GraphQL answer equals its floor's
   numbers; count the SQL statements one request sends.
2. Over HTTP against a real `tally serve` (defaults) and PostGraphile: the same answers,
   checked again on each side (PostGraphile against the floor's numbers as each case
   projects them).
3. Latency: warm-up, then `runs` rounds, each sending one Tally request, one cold Tally
   request, one PostGraphile request and one floor run, in an order that rotates every
   round (interleaved A/B).
4. Throughput: `concurrency` keep-alive connections in a closed loop for `duration`
   seconds, Tally, cold Tally, then PostGraphile (then the floor on an asyncpg pool of
   the same size).

Tally is measured twice: *warm* as a dashboard sees it (the response cache on, so a
repeated question is answered from it until the data changes or the TTL passes) and
*cold* with `Cache-Control: no-cache` on every request (each answer computed; the
figure of a first view, or of data that changes all the time). `cold=False` (`--no-cold`)
skips the cold side.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import graphql
import orjson

from bench import peer as peer_mod
from bench import server as server_mod
from bench.cases import Case
from bench.compare import assert_same
from bench.env import BenchEnv, CountingConnection
from bench.harness import percentile
from bench.loadgen import Connection, Target, throughput
from gateway.config import PROJECT_ROOT
from gateway.db import to_asyncpg_url
from gateway.demo import demo_token


@dataclass
class Side:
    """One contender's figures for one case (None: not measured)."""

    p50_ms: float | None = None
    p95_ms: float | None = None
    rps: float | None = None
    errors: int = 0
    statements: int | None = None
    response_bytes: int | None = None


@dataclass
class CaseResult:
    name: str
    dashboard: bool
    tally: Side
    peer: Side
    floor: Side
    compared: str
    note: str = ""
    cold: Side = field(default_factory=Side)
    """Tally with `Cache-Control: no-cache` on every request (`tally` is warm)."""

    @staticmethod
    def _ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    @property
    def tally_vs_peer(self) -> float | None:
        return self._ratio(self.tally.p50_ms, self.peer.p50_ms)

    @property
    def tally_vs_floor(self) -> float | None:
        return self._ratio(self.tally.p50_ms, self.floor.p50_ms)

    @property
    def rps_ratio(self) -> float | None:
        return self._ratio(self.tally.rps, self.peer.rps)

    @property
    def cold_vs_peer(self) -> float | None:
        return self._ratio(self.cold.p50_ms, self.peer.p50_ms)

    @property
    def cold_vs_floor(self) -> float | None:
        return self._ratio(self.cold.p50_ms, self.floor.p50_ms)

    @property
    def cold_rps_ratio(self) -> float | None:
        return self._ratio(self.cold.rps, self.peer.rps)

    def as_dict(self) -> dict[str, Any]:
        return {
            **dataclasses.asdict(self),
            "tally_vs_peer_p50": self.tally_vs_peer,
            "tally_vs_floor_p50": self.tally_vs_floor,
            "tally_vs_peer_rps": self.rps_ratio,
            "cold_vs_peer_p50": self.cold_vs_peer,
            "cold_vs_floor_p50": self.cold_vs_floor,
            "cold_vs_peer_rps": self.cold_rps_ratio,
        }


@dataclass
class Options:
    runs: int = 30
    warmup: int = 3
    duration: float = 20.0
    concurrency: int = 10
    tally_port: int = 8161
    peer_port: int = 5161
    peer: bool = True
    cold: bool = True
    """Also measure Tally cold (`Cache-Control: no-cache` on every request)."""
    log: Callable[[str], None] = print


@dataclass
class Prepared:
    """A case with what the in-process check learned."""

    case: Case
    variables: dict
    numbers: Any
    statements: int
    response_bytes: int
    floor_statements: int | None
    peer_variables: dict | None = None


@dataclass
class DatasetRun:
    results: list[CaseResult]
    tally_workers: int
    peer_workers: int | None
    peer_versions: dict[str, str] = field(default_factory=dict)
    peer_skipped: str | None = None


async def check(env: BenchEnv, case: Case) -> tuple[int, int, int | None]:
    """One in-process GraphQL request and one floor run; assert equal numbers. Returns
    (GraphQL SQL statements, response bytes, floor statements or None)."""
    prepared = await _prepare(env, case)
    return prepared.statements, prepared.response_bytes, prepared.floor_statements


async def _prepare(env: BenchEnv, case: Case) -> Prepared:
    variables = case.variables(env)
    before = env.counter.count
    data, nbytes = await env.graphql(case.principal, case.query, variables)
    statements = env.counter.count - before
    numbers = case.extract(data)
    floor_statements = None
    if case.floor is not None:
        fbefore = env.floor.count
        floor_numbers = await case.floor(env)
        floor_statements = env.floor.count - fbefore
        assert_same(numbers, floor_numbers, case.loose, case.name)
        numbers = floor_numbers
    return Prepared(case, variables, numbers, statements, nbytes, floor_statements)


def root_fields(query: str) -> int:
    """SQL statements PostGraphile 4 sends for an operation: one per root field that
    reads a table (it compiles each root field, nested relations and aggregates included,
    to one statement; introspection fields read nothing)."""
    doc = graphql.parse(query)
    op = next(d for d in doc.definitions if isinstance(d, graphql.OperationDefinitionNode))
    return sum(
        1
        for s in op.selection_set.selections
        if isinstance(s, graphql.FieldNode) and not s.name.value.startswith("__")
    )


COLD = {"Cache-Control": "no-cache"}
"""What makes a Tally request cold: computed, never answered from the response cache."""


class Http:
    """A case's request on one server over one keep-alive connection."""

    def __init__(self, port: int, query: str, variables: dict, headers: dict[str, str]):
        self.target = Target(
            "127.0.0.1",
            port,
            "/graphql",
            orjson.dumps({"query": query, "variables": variables}),
            headers,
        )
        self.conn: Connection | None = None
        self.request = b""

    async def open(self) -> None:
        self.conn = await Connection.open(self.target.host, self.target.port)
        self.request = self.conn.encode(self.target.path, self.target.body, self.target.headers)

    async def __call__(self) -> tuple[dict, int]:
        assert self.conn is not None
        status, body = await self.conn.send(self.request)
        doc = orjson.loads(body)
        if status != 200 or doc.get("errors"):
            raise RuntimeError(f"HTTP {status} from port {self.target.port}: {doc.get('errors')}")
        return doc["data"], len(body)

    def close(self) -> None:
        if self.conn:
            self.conn.close()


async def _interleaved(
    sides: dict[str, Callable[[], Awaitable[object]]], runs: int, warmup: int
) -> dict[str, list[float]]:
    names = list(sides)
    for _ in range(warmup):
        for name in names:
            await sides[name]()
    samples: dict[str, list[float]] = {n: [] for n in names}
    for i in range(runs):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            t0 = time.perf_counter()
            await sides[name]()
            samples[name].append((time.perf_counter() - t0) * 1000)
    return samples


async def _floor_throughput(
    env: BenchEnv, url: str, case: Case, concurrency: int, seconds: float
) -> tuple[float, int]:
    pool = await asyncpg.create_pool(
        to_asyncpg_url(url), min_size=concurrency, max_size=concurrency
    )
    try:
        done = 0
        t0 = time.perf_counter()
        deadline = t0 + seconds

        async def loop() -> None:
            nonlocal done
            async with pool.acquire() as conn:
                mine = dataclasses.replace(env, floor=CountingConnection(conn))
                while time.perf_counter() < deadline:
                    await case.floor(mine)
                    done += 1

        await asyncio.gather(*(loop() for _ in range(concurrency)))
        return done / (time.perf_counter() - t0), 0
    finally:
        await pool.close()


async def run_dataset(env: BenchEnv, url: str, cases: list[Case], opts: Options) -> DatasetRun:
    log = opts.log
    prepared = [await _prepare(env, c) for c in cases]
    for p in prepared:
        if p.case.peer is not None:
            p.peer_variables = await p.case.peer.variables(env)

    tally = await server_mod.start(
        url, opts.tally_port, PROJECT_ROOT / ".tally" / "bench-serve.log"
    )
    peer = None
    skipped = None
    try:
        if opts.peer:
            try:
                peer = await peer_mod.start(url, opts.peer_port, tally.workers, log)
            except peer_mod.PeerUnavailable as e:
                skipped = str(e)
                log(f"PostGraphile skipped: {skipped}")
        else:
            skipped = "--no-peer"
        results = []
        for p in prepared:
            results.append(await _measure(env, url, p, tally, peer, opts))
        return DatasetRun(
            results,
            tally.workers,
            peer.workers if peer else None,
            peer.versions if peer else {},
            skipped,
        )
    finally:
        if peer:
            await peer.stop()
        await tally.stop()


async def _measure(
    env: BenchEnv,
    url: str,
    p: Prepared,
    tally: server_mod.Server,
    peer: peer_mod.Peer | None,
    opts: Options,
) -> CaseResult:
    case = p.case
    token = env.tokens.get(case.principal) or demo_token(env.seed, case.principal)
    auth = {"Authorization": f"Bearer {token}"}
    t_http = Http(tally.port, case.query, p.variables, auth)
    await t_http.open()
    sides: dict[str, Callable[[], Awaitable[object]]] = {"tally": t_http}
    c_http = None
    if opts.cold:
        c_http = Http(tally.port, case.query, p.variables, {**auth, **COLD})
        await c_http.open()
        sides["cold"] = c_http
    data, t_bytes = await t_http()
    # the floor again: some numbers depend on `now` (mission progress)
    numbers = await case.floor(env) if case.floor is not None else p.numbers
    assert_same(case.extract(data), numbers, case.loose, f"{case.name} (tally serve)")
    if c_http is not None:
        cdata, _ = await c_http()
        assert_same(case.extract(cdata), numbers, case.loose, f"{case.name} (tally cold)")
    compared = "Tally = floor" if case.floor else "Tally"
    p_http = None
    p_bytes = None
    if peer is not None and case.peer is not None:
        p_http = Http(peer.port, case.peer.query, p.peer_variables or {}, {})
        await p_http.open()
        pdata, p_bytes = await p_http()
        assert_same(
            case.peer.extract(pdata, env),
            case.peer.project(numbers),
            case.loose,
            f"{case.name} (PostGraphile)",
        )
        compared += " = PostGraphile"
        sides["peer"] = p_http
    if case.floor is not None:
        floor = case.floor

        async def run_floor() -> None:
            await floor(env)

        sides["floor"] = run_floor
    t0 = time.monotonic()
    samples = await _interleaved(sides, opts.runs, opts.warmup)
    t_http.close()
    if c_http:
        c_http.close()
    if p_http:
        p_http.close()

    def side(name: str) -> Side:
        s = samples.get(name)
        if not s:
            return Side()
        return Side(p50_ms=percentile(s, 0.5), p95_ms=percentile(s, 0.95))

    result = CaseResult(
        case.name,
        case.dashboard,
        side("tally"),
        side("peer"),
        side("floor"),
        compared,
        cold=side("cold"),
    )
    result.tally.statements, result.tally.response_bytes = p.statements, t_bytes
    if c_http:
        result.cold.statements, result.cold.response_bytes = p.statements, t_bytes
    result.floor.statements = p.floor_statements
    if p_http:
        result.peer.statements = root_fields(case.peer.query)
        result.peer.response_bytes = p_bytes
    if opts.duration > 0:
        tp = await throughput(t_http.target, opts.concurrency, opts.duration)
        result.tally.rps, result.tally.errors = tp.rps, tp.errors
        if c_http:
            tp = await throughput(c_http.target, opts.concurrency, opts.duration)
            result.cold.rps, result.cold.errors = tp.rps, tp.errors
        if p_http:
            tp = await throughput(p_http.target, opts.concurrency, opts.duration)
            result.peer.rps, result.peer.errors = tp.rps, tp.errors
        if case.floor is not None:
            result.floor.rps, _ = await _floor_throughput(
                env, url, case, opts.concurrency, opts.duration
            )
    opts.log(
        f"{case.name}: Tally p50 {_fmt(result.tally.p50_ms)} ms (cold "
        f"{_fmt(result.cold.p50_ms)}), PostGraphile {_fmt(result.peer.p50_ms)} ms, floor "
        f"{_fmt(result.floor.p50_ms)} ms; rps {_fmt(result.tally.rps)} (cold "
        f"{_fmt(result.cold.rps)}) / {_fmt(result.peer.rps)} / {_fmt(result.floor.rps)} "
        f"({time.monotonic() - t0:.0f} s)"
    )
    return result


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"
