"""The response cache of read operations: a repeated GraphQL query (or REST shim
operation) of the same principal is answered from memory until the org's data changes.

Dashboards ask the same questions over and over (many viewers, auto-refresh). An entry
is the encoded response of one question — key: sha256 over (org, user, roles, document,
canonical variables, operation name) — plus the *data stamp* of the caller's org when the
answer was computed. A lookup serves the entry only while the org's stamp is unchanged,
so the cache is invalidated exactly when the data changes:

* Every write that can change an answer calls `notify_data_changed(conn, org_id)` inside
  its transaction (ingest over HTTP and in bulk, the seed, `tally rollups rebuild`,
  GraphQL mutations — REST writes are persisted mutations — through `DataChangeNotice`).
  It issues `pg_notify('tally_data', '<org_id>')`, which PostgreSQL delivers on commit to
  every process, and bumps this process's stamp at once (read-your-writes here).
* Every process holds one LISTEN connection (`DataChangeListener`) that bumps the stamp of
  the org named by each notification (`*`: every org). While that connection is down the
  cache serves no entry and stores none (a missed notification would go unnoticed); when
  it is back, every entry older than the reconnection is void.
* Entries also expire after `TALLY_RESPONSE_CACHE_TTL` seconds (default 5; 0 turns the
  cache off): "the last 30 days" moves with the clock, and a network partition the
  heartbeat has not noticed yet is bounded too.

Stored are only answers of query operations without errors, at most
`TALLY_RESPONSE_CACHE_MAX_ENTRY_BYTES` each and `TALLY_RESPONSE_CACHE_MAX_BYTES` in all
(an LRU with per-entry expiry, cachetools). Answers whose resolvers called
`mark_volatile` (job status, signed download URLs: they change without a data write) are
not stored. Anonymous requests are never cached.

With REDIS_URL set the entries and stamps live in Redis (`SharedResponseCache`), shared
by every process and replica; each process still keeps its own listener.

A request with `Cache-Control: no-cache` is not answered from the cache (its answer is
stored); `no-store` neither reads nor stores. The response says what happened in
`X-Tally-Cache: hit | miss | bypass`.

The lookup runs after authentication and rate limiting: a revoked token is refused
before it, and since entries are per principal (roles included) a hit never shows a
caller anything its own scope would not. The one staleness window left is between a
commit and the delivery of its notification to another process (milliseconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import weakref
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
from cachetools import TTLCache
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway.observability import cache_lookup

log = logging.getLogger("tally.response_cache")

CHANNEL = "tally_data"
EVERY_ORG = "*"
KEY_VERSION = b"rc1"
HEADER = "X-Tally-Cache"
ENTRY_OVERHEAD = 200
"""Bytes counted per entry on top of its body (key, stamp, bookkeeping)."""

_CACHES: weakref.WeakSet[ResponseCache] = weakref.WeakSet()
"""Every live cache of this process, bumped at once by a local write."""


# --- writers -------------------------------------------------------------------------


def _payload(org_id: int | None) -> str:
    return EVERY_ORG if org_id is None else str(int(org_id))


async def bump_local(org_id: int | None) -> None:
    """Void this process's entries of `org_id` (None: of every org)."""
    for cache in list(_CACHES):
        await cache.changed(org_id)


async def notify_data_changed(conn: Any, org_id: int | None) -> None:
    """Say that the data of `org_id` (None: of every org) changed: call it inside the
    writing transaction. `conn` is an asyncpg connection or a SQLAlchemy (request)
    session. Other processes hear it on commit; this one forgets the org's entries now."""
    if isinstance(conn, asyncpg.Connection):
        await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, _payload(org_id))
    else:
        from sqlalchemy import text

        await conn.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": _payload(org_id)},
        )
    await bump_local(org_id)


def mark_volatile(context: Any) -> None:
    """The request's answer changes without a data write (e.g. job status): do not store
    it. `context` is the request's `gateway.context.Context`."""
    with contextlib.suppress(AttributeError):
        context.response_cache_volatile = True


class DataChangeNotice(SchemaExtension):
    """Schema extension: a mutation notifies a change of the caller's org's data (in the
    request's transaction); every operation's type is left on the context for the cache
    (`context.response_cache_operation`)."""

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        ctx = self.execution_context.context
        try:
            operation = self.execution_context.operation_type
        except Exception:  # a document that did not parse has no operation
            return
        with contextlib.suppress(AttributeError):
            ctx.response_cache_operation = operation
        principal = getattr(ctx, "principal", None)
        if operation is OperationType.MUTATION and principal is not None:
            await notify_data_changed(ctx.db, principal.org_id)


# --- the cache -----------------------------------------------------------------------


Stamp = tuple[int, int]
"""(generation, org version): an entry is served only while its org's stamp is equal."""


@dataclass(frozen=True)
class Lookup:
    """What a lookup found: `status` hit / miss / bypass (empty: the cache does not
    apply), the entry `body` on a hit, and what `store` needs (None `key`: the answer
    cannot be stored)."""

    status: str
    key: bytes | None = None
    stamp: Stamp | None = None
    org_id: int | None = None
    body: bytes | None = None
    flight: asyncio.Event | None = None
    """Set when this request is the one computing the answer for identical concurrent
    requests (they wait for it): `release()` it whatever happens."""
    owner: ResponseCache | None = None

    @property
    def hit(self) -> bool:
        return self.body is not None

    def release(self) -> None:
        """Let requests waiting for this one's answer go on (idempotent; call it in a
        `finally`: an answer that is not stored, or an exception, must release them)."""
        if self.flight is not None and self.owner is not None:
            self.owner._land(self)


NOT_CACHED = Lookup("")
"""The cache does not apply (anonymous, off, listener down): no header, nothing stored."""


def _cache_control(headers: Mapping[str, str] | None) -> tuple[bool, bool]:
    """(no-cache, no-store) from a Cache-Control header (`max-age=0` counts as no-cache)."""
    value = (headers.get("cache-control") or "") if headers else ""
    if not value:
        return False, False
    directives = {d.strip().lower().replace(" ", "") for d in value.split(",")}
    return bool(directives & {"no-cache", "max-age=0"}), "no-store" in directives


class ResponseCache:
    """The process's cache (`app.state.graphql_cache`). `ttl_s` 0 turns it off; `clock`
    (seconds, monotonic) is injectable for tests.

    Identical requests that miss at the same time are computed once: the first computes
    (its `Lookup.flight`), the others wait for its answer up to `coalesce_s` seconds and
    are then served from the cache — or compute their own when it was not stored (an
    error, a volatile answer). After an invalidation a dashboard's viewers therefore cost
    one computation, not one each."""

    def __init__(
        self,
        *,
        ttl_s: float = 5.0,
        max_bytes: int = 64 * 1024 * 1024,
        max_entry_bytes: int = 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
        coalesce_s: float = 5.0,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entry_bytes = max_entry_bytes
        self.clock = clock
        self.listening = False
        """Whether the LISTEN connection is up; no entry is served or stored otherwise."""
        self._generation = 0
        self._versions: dict[int, int] = {}
        self._entries: TTLCache[bytes, tuple[bytes, Stamp]] = TTLCache(
            maxsize=max_bytes,
            ttl=max(ttl_s, 0.001),
            timer=clock,
            getsizeof=lambda entry: len(entry[0]) + ENTRY_OVERHEAD,
        )
        self.listener: DataChangeListener | None = None
        self.coalesce_s = coalesce_s
        self._inflight: dict[bytes, tuple[Stamp, asyncio.Event]] = {}
        _CACHES.add(self)

    @property
    def enabled(self) -> bool:
        return self.ttl_s > 0

    @property
    def active(self) -> bool:
        return self.enabled and self.listening

    def __len__(self) -> int:
        return len(self._entries)

    # versions

    def stamp(self, org_id: int) -> Stamp:
        return self._generation, self._versions.get(org_id, 0)

    def data_changed(self, org_id: int | None) -> None:
        if org_id is None:
            self._generation += 1
            self._versions.clear()
        else:
            self._versions[org_id] = self._versions.get(org_id, 0) + 1

    async def changed(self, org_id: int | None) -> None:
        """A write of this process (before its commit; the listener hears it after)."""
        self.data_changed(org_id)

    def set_listening(self, up: bool) -> None:
        """The listener's state. Either way everything stored is void: going down, no
        notification can reach this process; coming up, some may have been missed."""
        self.data_changed(None)
        self._entries.clear()
        self.listening = up

    async def listener_up(self) -> None:
        self.set_listening(True)

    # lookups

    @staticmethod
    def key(principal: Any, document: str, variables: Any, operation_name: str | None) -> bytes:
        """sha256 over the principal's scope (org, user, roles), the document (text or
        APQ hash), the canonical variables JSON and the operation name."""
        scope = [principal.org_id, principal.user_id, sorted(principal.roles or ())]
        canonical = orjson.dumps(
            [scope, document, variables or {}, operation_name or ""],
            option=orjson.OPT_SORT_KEYS,
        )
        return hashlib.sha256(KEY_VERSION + canonical).digest()

    async def lookup(
        self,
        principal: Any,
        document: str | None,
        variables: Any = None,
        operation_name: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Lookup:
        """Look the request up. Not cacheable — anonymous, no document, cache off or its
        listener down — is `NOT_CACHED`."""
        if principal is None or not document or not self.active:
            return NOT_CACHED
        no_cache, no_store = _cache_control(headers)
        if no_store:
            return Lookup("bypass")
        try:
            key = self.key(principal, document, variables, operation_name)
        except TypeError:  # not JSON-encodable (orjson's error is a TypeError)
            return NOT_CACHED
        org_id = principal.org_id
        found = await self._get(key, org_id, read=not no_cache)
        if found is None:
            return Lookup("bypass" if no_cache else "miss")  # the store failed: no key
        body, stamp = found
        if no_cache:
            return Lookup("bypass", key, stamp, org_id)
        if body is None:
            flight = self._inflight.get(key)
            if flight is None or flight[0] != stamp:
                # the first to ask computes; identical requests meanwhile wait for it
                event = asyncio.Event()
                self._inflight[key] = (stamp, event)
                cache_lookup("graphql", False)
                return Lookup("miss", key, stamp, org_id, flight=event, owner=self)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(flight[1].wait(), self.coalesce_s)
            found = await self._get(key, org_id, read=True)
            if found is not None and found[1] == stamp:
                body = found[0]
        cache_lookup("graphql", body is not None)
        if body is not None:
            return Lookup("hit", key, stamp, org_id, body)
        return Lookup("miss", key, stamp, org_id)

    def _land(self, lookup: Lookup) -> None:
        if lookup.key is not None:
            current = self._inflight.get(lookup.key)
            if current is not None and current[1] is lookup.flight:
                del self._inflight[lookup.key]
        if lookup.flight is not None:
            lookup.flight.set()

    async def _get(self, key: bytes, org_id: int, *, read: bool) -> tuple[bytes | None, Stamp]:
        """(the entry's body when `read` and its stamp is current, the current stamp);
        None when the store cannot answer."""
        stamp = self.stamp(org_id)
        found = self._entries.get(key) if read else None
        return (found[0] if found is not None and found[1] == stamp else None), stamp

    async def store(self, lookup: Lookup, body: bytes) -> bool:
        """Keep `body` for `lookup`'s request when it may be stored. The caller checks that
        the answer is a query's, without errors and not volatile; an answer whose org's
        data changed while it was computed carries the old stamp and is never served."""
        try:
            if lookup.key is None or lookup.hit or not self.active:
                return False
            if len(body) > self.max_entry_bytes or lookup.org_id is None or lookup.stamp is None:
                return False
            return await self._put(lookup.key, body, lookup.stamp, lookup.org_id)
        finally:
            lookup.release()

    async def _put(self, key: bytes, body: bytes, stamp: Stamp, org_id: int) -> bool:
        if self.stamp(org_id) != stamp:
            return False  # already stale
        try:
            self._entries[key] = (body, stamp)
        except ValueError:  # larger than the whole cache
            return False
        return True

    # lifecycle

    async def start(self, dsn: str, **kw: Any) -> None:
        """Start listening for data changes on `dsn` (a PostgreSQL URL)."""
        if not self.enabled or self.listener is not None:
            return
        self.listener = DataChangeListener(self, dsn, **kw)
        await self.listener.start()

    async def close(self) -> None:
        if self.listener is not None:
            await self.listener.stop()
            self.listener = None


# --- the hooks of an HTTP path ----------------------------------------------------------


def document_id(payload: Mapping[str, Any]) -> str | None:
    """The request's document: its text, or the APQ hash when only that was sent."""
    query = payload.get("query")
    if isinstance(query, str):
        return query
    extensions = payload.get("extensions")
    if isinstance(extensions, dict):
        persisted = extensions.get("persistedQuery")
        if isinstance(persisted, dict) and isinstance(persisted.get("sha256Hash"), str):
            return "apq:" + persisted["sha256Hash"]
    return None


async def lookup_graphql(request: Any, principal: Any, payload: Mapping[str, Any]) -> Lookup:
    """Step 1 of a GraphQL HTTP path, once the caller is authenticated and the payload
    read: the app's cache lookup for it (`NOT_CACHED` when the cache does not apply)."""
    cache: ResponseCache | None = getattr(request.app.state, "graphql_cache", None)
    if cache is None or principal is None or not cache.active:
        return NOT_CACHED
    return await cache.lookup(
        principal,
        document_id(payload),
        payload.get("variables"),
        payload.get("operationName"),
        request.headers,
    )


def hit_response(lookup: Lookup) -> Any:
    """Step 2 on a hit: the stored answer as the response."""
    from starlette.responses import Response

    return Response(lookup.body, media_type="application/json", headers={HEADER: "hit"})


async def finish_graphql(request: Any, lookup: Lookup, response: Any, context: Any) -> None:
    """Step 3 after executing (and committing): the header, and the answer stored when it
    may be (200, a query's, without errors — the path sets
    `context.response_cache_errors` — and not volatile). The path also calls
    `lookup.release()` in a `finally` (an exception skips this step)."""
    if lookup.status:
        response.headers[HEADER] = lookup.status
    if lookup.key is None or response.status_code != 200:
        lookup.release()
        return
    errors = getattr(context, "response_cache_errors", True)
    if graphql_storable(context, errors):
        await request.app.state.graphql_cache.store(lookup, bytes(response.body))
    lookup.release()


def graphql_storable(context: Any, errors: Any) -> bool:
    """Whether a GraphQL answer may be stored: a query's, without errors, not volatile."""
    if errors:
        return False
    if getattr(context, "response_cache_volatile", False):
        return False
    return getattr(context, "response_cache_operation", None) is OperationType.QUERY


# --- the listener --------------------------------------------------------------------


class DataChangeListener:
    """One LISTEN connection per process. Each notification bumps its org's stamp; a lost
    connection turns the cache off (`set_listening(False)`) until a new one listens.
    A heartbeat (`SELECT 1` every `heartbeat_s`, bounded by `timeout_s`) notices a
    connection that died without closing."""

    def __init__(
        self,
        cache: ResponseCache,
        dsn: str,
        *,
        heartbeat_s: float = 2.0,
        timeout_s: float = 2.0,
        retry_s: float = 1.0,
    ) -> None:
        self.cache = cache
        self.dsn = dsn
        self.heartbeat_s = heartbeat_s
        self.timeout_s = timeout_s
        self.retry_s = retry_s
        self.conn: asyncpg.Connection | None = None
        self._task: asyncio.Task | None = None
        self._lost = asyncio.Event()
        self._up = asyncio.Event()
        self._retry = asyncio.Event()

    async def start(self, wait_s: float = 2.0) -> None:
        """Start the listening task and wait (up to `wait_s`) for the first LISTEN."""
        self._task = asyncio.ensure_future(self._run())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._up.wait()), wait_s)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        await self._close()
        self.cache.set_listening(False)

    async def wait_listening(self, timeout_s: float = 10.0) -> None:
        await asyncio.wait_for(self._up.wait(), timeout_s)

    def _on_notify(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        if payload == EVERY_ORG:
            self.cache.data_changed(None)
            return
        try:
            org_id = int(payload)
        except ValueError:
            org_id = None  # unreadable: void everything rather than guess
        self.cache.data_changed(org_id)

    def _on_terminated(self, conn: Any) -> None:
        self._down("the connection closed")

    def _down(self, reason: str) -> None:
        if self.cache.listening:
            log.warning("response cache off: data-change listener lost (%s)", reason)
        self.cache.set_listening(False)
        self._up.clear()
        self._lost.set()

    async def _close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()

    async def _run(self) -> None:
        from gateway.db import connect_raw

        while True:
            try:
                self._lost.clear()
                self.conn = await asyncio.wait_for(connect_raw(self.dsn), self.timeout_s * 3)
                self.conn.add_termination_listener(self._on_terminated)
                await self.conn.add_listener(CHANNEL, self._on_notify)
                await self.cache.listener_up()
                self._up.set()
                log.debug("response cache: listening on %s", CHANNEL)
                while not self._lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._lost.wait(), self.heartbeat_s)
                    if self._lost.is_set():
                        break
                    await asyncio.wait_for(self.conn.fetchval("SELECT 1"), self.timeout_s)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._down(f"{type(exc).__name__}: {exc}".strip())
            await self._close()
            self._retry.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._retry.wait(), self.retry_s)

    def retry_now(self) -> None:
        """Reconnect without waiting out `retry_s`."""
        self._retry.set()


class SharedResponseCache(ResponseCache):
    """The cache in Redis (REDIS_URL), shared by every process and replica. The stamps
    live in Redis too — `<prefix>epoch` and `<prefix>org:<id>`, bumped (INCR) by every
    process's listener for each notification, by the writing process before its commit
    and (the epoch) whenever a listener comes up — and a lookup is one MGET of the epoch,
    the org's version and the entry (stored with the stamp it was computed at, expiring
    in Redis after the TTL). Each process still needs its own listener: while it is down
    this process serves nothing from the cache.

    A Redis error is a miss that stores nothing (a warning is logged, Redis is left alone
    for `retry_s`); before serving again the epoch is bumped, since a bump may have been
    lost meanwhile."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "tally:rc:",
        timeout_s: float = 0.5,
        retry_s: float = 10.0,
        client: Any = None,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        import redis.asyncio as redis_asyncio

        self.prefix = prefix
        self.retry_s = retry_s
        self._redis = client or redis_asyncio.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        self._down_until = 0.0
        self._suspect = True  # bump the epoch before the first lookup
        self._tasks: set[asyncio.Task] = set()

    def _org(self, org_id: int) -> str:
        return f"{self.prefix}org:{org_id}"

    def _entry(self, key: bytes) -> str:
        return f"{self.prefix}e:{key.hex()}"

    def _failed(self, action: str, exc: BaseException) -> None:
        if time.monotonic() >= self._down_until:  # once per outage window
            log.warning(
                "response cache: Redis %s failed (%s: %s); not caching for %.0f s",
                action,
                type(exc).__name__,
                exc,
                self.retry_s,
            )
        self._down_until = time.monotonic() + self.retry_s
        self._suspect = True

    async def _bump(self, org_id: int | None) -> bool:
        try:
            await self._redis.incr(f"{self.prefix}epoch" if org_id is None else self._org(org_id))
        except Exception as exc:  # any client/connection error is an outage here
            self._failed("bump", exc)
            return False
        return True

    async def _ready(self) -> bool:
        """Redis answers, and after an outage the epoch has been bumped."""
        if time.monotonic() < self._down_until:
            return False
        if self._suspect and await self._bump(None):
            self._suspect = False
        return not self._suspect

    def data_changed(self, org_id: int | None) -> None:
        # from the listener (a callback): the bump runs as a task
        task = asyncio.ensure_future(self._bump(org_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def changed(self, org_id: int | None) -> None:
        await self._bump(org_id)

    def set_listening(self, up: bool) -> None:
        self.listening = up

    async def listener_up(self) -> None:
        # notifications may have been missed meanwhile: a new epoch before serving
        self._suspect = not await self._bump(None)
        self.listening = True

    def __len__(self) -> int:
        return 0  # in Redis

    async def _get(
        self, key: bytes, org_id: int, *, read: bool
    ) -> tuple[bytes | None, Stamp] | None:
        if not await self._ready():
            return None
        names = [f"{self.prefix}epoch", self._org(org_id)]
        try:
            values = await self._redis.mget([*names, self._entry(key)] if read else names)
        except Exception as exc:
            self._failed("read", exc)
            return None
        stamp = (int(values[0] or 0), int(values[1] or 0))
        raw = values[2] if read else None
        if raw:
            epoch, version, body = raw.split(b":", 2)
            if (int(epoch), int(version)) == stamp:
                return body, stamp
        return None, stamp

    async def _put(self, key: bytes, body: bytes, stamp: Stamp, org_id: int) -> bool:
        if time.monotonic() < self._down_until:
            return False
        value = b"%d:%d:" % stamp + body
        try:
            await self._redis.set(self._entry(key), value, px=max(int(self.ttl_s * 1000), 1))
        except Exception as exc:
            self._failed("write", exc)
            return False
        return True

    async def close(self) -> None:
        await super().close()
        for task in list(self._tasks):
            with contextlib.suppress(Exception):
                await task
        with contextlib.suppress(Exception):  # closing a dead connection: nothing to say
            await self._redis.aclose()


def build_cache(settings: Any) -> ResponseCache:
    """In Redis when REDIS_URL is set (shared by replicas), else in process."""
    kw = {
        "ttl_s": settings.response_cache_ttl,
        "max_bytes": settings.response_cache_max_bytes,
        "max_entry_bytes": settings.response_cache_max_entry_bytes,
    }
    if settings.redis_url:
        return SharedResponseCache(settings.redis_url, **kw)
    return ResponseCache(**kw)


def listener_dsn(db: Any) -> str:
    """The PostgreSQL URL of the app's database (with its password)."""
    from gateway.db import to_asyncpg_url

    return to_asyncpg_url(db.engine.url.render_as_string(hide_password=False))


__all__ = [
    "CHANNEL",
    "HEADER",
    "DataChangeListener",
    "DataChangeNotice",
    "Lookup",
    "ResponseCache",
    "SharedResponseCache",
    "build_cache",
    "bump_local",
    "document_id",
    "finish_graphql",
    "graphql_storable",
    "hit_response",
    "lookup_graphql",
    "listener_dsn",
    "mark_volatile",
    "notify_data_changed",
]
