"""The principal cache: token hash -> `Principal`, trusted for at most `ttl_s` (default
1 s, TALLY_PRINCIPAL_CACHE_TTL_S) in each server process, so a busy token costs no SQL
statement per request.

Revocation:
* in this process, `gateway.auth.revoke_token` drops the token from every cache at once;
* another process (the CLI, the other workers of `tally serve`) stops trusting a cached
  principal when its TTL runs out — a revoked token is refused everywhere within `ttl_s`;
* with REDIS_URL, sooner: a revocation increments the counter `REVOCATIONS_KEY`
  (`announce_revocation`, after the commit) and every process reads it at most every
  `poll_s` (0.25 s) and empties its cache when it moved. A Redis outage only loses the
  shortcut; the TTL still bounds the trust.

Only successful lookups are cached (an unknown, expired or revoked token reads the
database each time), and a cached principal whose token expires is refused at once.
"""

from __future__ import annotations

import contextlib
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from cachetools import TTLCache

from gateway.auth import AuthError, Principal, hash_token, lookup_token, on_revoke

log = logging.getLogger("tally.auth")

REVOCATIONS_KEY = "tally:auth:revocations"
DEFAULT_TTL_S = 1.0
POLL_S = 0.25
REDIS_RETRY_S = 5.0
MAX_ENTRIES = 10_000

_caches: weakref.WeakSet[PrincipalCache] = weakref.WeakSet()

Loader = Callable[[], Awaitable[tuple[Principal, datetime | None]]]
"""Reads the principal of a token and its expiry from the database (raises AuthError)."""


class PrincipalCache:
    def __init__(
        self,
        ttl_s: float = DEFAULT_TTL_S,
        *,
        redis_url: str | None = None,
        poll_s: float = POLL_S,
        max_entries: int = MAX_ENTRIES,
        redis_client: Any = None,
    ) -> None:
        self.ttl_s = ttl_s
        self.poll_s = poll_s
        self._entries: TTLCache[bytes, tuple[Principal, datetime | None]] | None = (
            TTLCache(maxsize=max_entries, ttl=ttl_s, timer=time.monotonic) if ttl_s > 0 else None
        )
        self._redis = redis_client
        if self._redis is None and redis_url:
            import redis.asyncio as redis_asyncio

            self._redis = redis_asyncio.Redis.from_url(
                redis_url, socket_timeout=0.25, socket_connect_timeout=0.25
            )
        self._epoch: bytes | None = None
        self._next_poll = 0.0
        self.hits = 0
        self.misses = 0
        _caches.add(self)

    async def principal(self, token_hash: bytes, load: Loader) -> Principal:
        """The principal of the token with hash `token_hash`: cached, or `load()`ed (and
        cached). Raises AuthError for a bad token."""
        entries = self._entries
        if entries is None:
            return (await load())[0]
        if self._redis is not None and time.monotonic() >= self._next_poll:
            await self._poll()
        found = entries.get(token_hash)
        if found is not None:
            principal, expires_at = found
            if expires_at is None or expires_at > datetime.now(UTC):
                self.hits += 1
                return principal
            entries.pop(token_hash, None)
            raise AuthError("Token has expired.")
        self.misses += 1
        principal, expires_at = await load()
        entries[token_hash] = (principal, expires_at)
        return principal

    def forget_token(self, token_id: int) -> None:
        if self._entries is None:
            return
        for key, (principal, _) in list(self._entries.items()):
            if principal.token_id == token_id:
                self._entries.pop(key, None)

    def clear(self) -> None:
        if self._entries is not None:
            self._entries.clear()

    async def _poll(self) -> None:
        """Read the revocation counter; a change empties the cache."""
        now = time.monotonic()
        self._next_poll = now + self.poll_s
        try:
            epoch = await self._redis.get(REVOCATIONS_KEY)
        except Exception as exc:  # an outage: the TTL alone bounds the trust meanwhile
            self._next_poll = now + REDIS_RETRY_S
            log.warning("principal cache: Redis unavailable (%s); TTL only", exc)
            return
        if epoch != self._epoch:
            self.clear()
            self._epoch = epoch

    async def close(self) -> None:
        if self._redis is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                await self._redis.aclose()


async def authenticate_cached(cache: PrincipalCache | None, session: Any, token: str) -> Principal:
    """`gateway.auth.authenticate` through `cache` (None: straight to the database).
    `session` is an AsyncSession, or a callable returning one (opened only on a miss)."""
    token_hash = hash_token(token)

    async def load() -> tuple[Principal, datetime | None]:
        return await lookup_token(session() if callable(session) else session, token, token_hash)

    if cache is None:
        return (await load())[0]
    return await cache.principal(token_hash, load)


def forget_token(token_id: int) -> None:
    """Drop token `token_id` from every principal cache of this process."""
    for cache in list(_caches):
        cache.forget_token(token_id)


on_revoke(forget_token)


async def announce_revocation(redis_url: str | None) -> bool:
    """Tell every process sharing `redis_url` to stop trusting cached principals (call
    after the revocation is committed). False when there is no Redis or it failed —
    processes then refuse the token once their TTL runs out."""
    if not redis_url:
        return False
    import redis.asyncio as redis_asyncio

    client = redis_asyncio.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        await client.incr(REVOCATIONS_KEY)
        return True
    except Exception as exc:
        log.warning("could not announce the revocation through Redis: %s", exc)
        return False
    finally:
        await client.aclose()


__all__ = ["PrincipalCache", "announce_revocation", "authenticate_cached", "forget_token"]
