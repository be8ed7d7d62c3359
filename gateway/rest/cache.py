"""The shim's response cache: "identical requests within the cache window return the same
cached data" (Athena, seed 004: 300 s, echoed as `meta.cached_at` / `meta.cache_ttl`).

Usage from a route (any legacy API may reuse it):

    cache = response_cache(request)                      # or Depends(response_cache)
    key = cache.key("athena/workspace-metrics", validated_request, ctx.principal)
    entry = await cache.get_or_compute(key, compute)     # compute: () -> Awaitable[JSON]
    entry.value, entry.cached_at                         # the JSON and when it was made

Keys are `<namespace><route>:<sha256>` over the route, the canonical JSON (sorted keys) of
the *validated* request and the caller's scope — org id, user id and roles — so no caller
is ever served another tenant's or another user's answer. Only what `compute` returns is
stored: errors are raised before anything is cached.

Backends: an in-process LRU (bounded, the default) or Redis when `REDIS_URL` is set, so
replicas share entries. Entries carry their own expiry, checked against the cache's clock
(injectable for tests); Redis also gets `EX ttl` so it evicts them itself. A Redis outage
degrades to computing every request (a warning is logged, Redis is skipped for
`retry_after` seconds) and never fails the request.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from starlette.requests import Request

from gateway.observability import cache_lookup

log = logging.getLogger("tally.rest.cache")

DEFAULT_TTL = 300
KEY_VERSION = "v1"  # bump when the stored format changes


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_millis(moment: datetime) -> str:
    """`2019-08-24T14:15:22.123Z`, the documented `cached_at` form."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


class CacheBackend(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: int) -> None: ...


class MemoryBackend:
    """In-process LRU of at most `max_entries` values (expiry is checked by the cache)."""

    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[str, bytes] = OrderedDict()

    async def get(self, key: str) -> bytes | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


class RedisBackend:
    """Shared entries in Redis (`redis.asyncio`). Any Redis error logs a warning and acts
    as a miss / a skipped write; after one, Redis is left alone for `retry_after` s so an
    outage does not add a connect timeout to every request."""

    def __init__(
        self, url: str, *, timeout: float = 0.5, retry_after: float = 30.0, client: Any = None
    ) -> None:
        import redis.asyncio as redis_asyncio

        self.url = url
        self.retry_after = retry_after
        self._client = client or redis_asyncio.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._down_until = 0.0

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, action: str, exc: BaseException) -> None:
        self._down_until = time.monotonic() + self.retry_after
        log.warning(
            "response cache: Redis %s failed (%s: %s); serving uncached for %.0f s",
            action,
            type(exc).__name__,
            exc,
            self.retry_after,
        )

    async def get(self, key: str) -> bytes | None:
        if not self._available():
            return None
        try:
            return await self._client.get(key)
        except Exception as exc:  # any client/connection error is an outage here
            self._failed("read", exc)
            return None

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        if not self._available():
            return
        try:
            await self._client.set(key, value, ex=ttl)
        except Exception as exc:
            self._failed("write", exc)

    async def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a dead connection: nothing to say
            await self._client.aclose()


@dataclass(frozen=True)
class CachedEntry:
    value: Any
    cached_at: datetime
    hit: bool

    @property
    def cached_at_iso(self) -> str:
        return iso_millis(self.cached_at)


class ResponseCache:
    def __init__(
        self,
        backend: CacheBackend | None = None,
        *,
        ttl: int = DEFAULT_TTL,
        clock: Callable[[], datetime] = utc_now,
        namespace: str = "tally:rest:",
    ) -> None:
        self.backend = backend if backend is not None else MemoryBackend()
        self.ttl = ttl
        self.clock = clock
        self.namespace = namespace

    def key(self, route: str, request: Any, principal: Any) -> str:
        """The entry key of `request` (JSON-able, already validated) on `route` for
        `principal` (anything with `org_id`, `user_id` and optionally `roles`)."""
        scope = {
            "org": principal.org_id,
            "user": principal.user_id,
            "roles": sorted(getattr(principal, "roles", ()) or ()),
        }
        canonical = orjson.dumps(
            {"v": KEY_VERSION, "route": route, "request": request, "scope": scope},
            option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
        )
        return f"{self.namespace}{route}:{hashlib.sha256(canonical).hexdigest()}"

    async def get(self, key: str) -> CachedEntry | None:
        found = await self._get(key)
        cache_lookup("athena", found is not None)
        return found

    async def _get(self, key: str) -> CachedEntry | None:
        raw = await self.backend.get(key)
        if raw is None:
            return None
        try:
            stored = orjson.loads(raw)
            made = datetime.fromisoformat(stored["at"])
            expires = datetime.fromisoformat(stored["exp"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            log.warning("response cache: ignoring an unreadable entry %s", key)
            return None
        if self.clock() >= expires:
            return None
        return CachedEntry(stored["value"], made, hit=True)

    async def put(self, key: str, value: Any) -> CachedEntry:
        made = self.clock()
        expires = made.timestamp() + self.ttl
        stored = {
            "at": made.isoformat(),
            "exp": datetime.fromtimestamp(expires, UTC).isoformat(),
            "value": value,
        }
        await self.backend.set(key, orjson.dumps(stored), self.ttl)
        return CachedEntry(value, made, hit=False)

    async def get_or_compute(self, key: str, compute: Callable[[], Awaitable[Any]]) -> CachedEntry:
        """The live entry under `key`, or `compute()`'s value stored now. Exceptions
        from `compute` propagate and nothing is stored."""
        found = await self.get(key)
        if found is not None:
            return found
        return await self.put(key, await compute())


def build_cache(redis_url: str | None, **kw: Any) -> ResponseCache:
    """The cache for an app: Redis-backed when `redis_url` is set, else in-process."""
    backend: CacheBackend = RedisBackend(redis_url) if redis_url else MemoryBackend()
    return ResponseCache(backend, **kw)


def response_cache(request: Request) -> ResponseCache:
    """The app's cache (`app.state.response_cache`), made on first use from the app's
    settings. Tests may set `app.state.response_cache` beforehand to inject a clock."""
    state = request.app.state
    cache = getattr(state, "response_cache", None)
    if cache is None:
        settings = getattr(state, "settings", None)
        cache = build_cache(getattr(settings, "redis_url", None))
        state.response_cache = cache
    return cache


__all__ = [
    "DEFAULT_TTL",
    "CacheBackend",
    "CachedEntry",
    "MemoryBackend",
    "RedisBackend",
    "ResponseCache",
    "build_cache",
    "iso_millis",
    "response_cache",
]
