"""Automatic Persisted Queries (Apollo's protocol) for GraphQL clients.

A client sends `extensions.persistedQuery = {version: 1, sha256Hash}` without `query`;
when the hash is unknown the answer is the error `PersistedQueryNotFound` (code
`PERSISTED_QUERY_NOT_FOUND`) and the client resends with the full `query`, which is
checked against the hash and remembered once it parsed and validated. strawberry has no
APQ of its own; `PersistedQueries` is a schema extension that fills in the query before
strawberry parses it.

Documents live in a bounded in-process LRU and, when REDIS_URL is set, in Redis too (so
replicas share them; a Redis outage only means a miss).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.observability import cache_lookup

log = logging.getLogger("tally.apq")

MAX_ENTRIES = 2_000
REDIS_TTL_S = 7 * 24 * 3600
REDIS_RETRY_S = 30.0


class PersistedQueryStore:
    """sha256 hex → document: an LRU of `max_entries`, backed by Redis when configured."""

    def __init__(self, redis_url: str | None = None, *, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._local: OrderedDict[str, str] = OrderedDict()
        self._redis: Any = None
        self._redis_down_until = 0.0
        if redis_url:
            import redis.asyncio as redis

            self._redis = redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def _remember(self, digest: str, query: str) -> None:
        self._local[digest] = query
        self._local.move_to_end(digest)
        while len(self._local) > self.max_entries:
            self._local.popitem(last=False)

    def _redis_usable(self) -> bool:
        return self._redis is not None and time.monotonic() >= self._redis_down_until

    def _redis_failed(self, exc: BaseException) -> None:
        log.warning("persisted queries: Redis unavailable (%s); in-process only", exc)
        self._redis_down_until = time.monotonic() + REDIS_RETRY_S

    async def get(self, digest: str) -> str | None:
        query = self._local.get(digest)
        if query is not None:
            self._local.move_to_end(digest)
            return query
        if self._redis_usable():
            try:
                raw = await self._redis.get(f"tally:apq:{digest}")
            except Exception as exc:
                self._redis_failed(exc)
                return None
            if raw is not None:
                query = raw.decode() if isinstance(raw, bytes) else str(raw)
                self._remember(digest, query)
                return query
        return None

    async def put(self, digest: str, query: str) -> None:
        self._remember(digest, query)
        if self._redis_usable():
            try:
                await self._redis.set(f"tally:apq:{digest}", query, ex=REDIS_TTL_S)
            except Exception as exc:
                self._redis_failed(exc)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()


def _error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def _persisted(extensions: dict | None) -> tuple[str, str | None] | None:
    """(sha256 hex, None) from `extensions.persistedQuery`, or None when absent."""
    if not isinstance(extensions, dict) or "persistedQuery" not in extensions:
        return None
    pq = extensions["persistedQuery"]
    if not isinstance(pq, dict) or pq.get("version") != 1:
        raise _error(
            "Unsupported persisted query version (only version 1 is supported).",
            "PERSISTED_QUERY_NOT_SUPPORTED",
        )
    digest = pq.get("sha256Hash")
    if not isinstance(digest, str) or len(digest) != 64:
        raise _error(
            "persistedQuery.sha256Hash must be the 64-character hex SHA-256 of the query.",
            "BAD_REQUEST",
        )
    return digest.lower(), None


def store_of(context: Any) -> PersistedQueryStore | None:
    request = getattr(context, "request", None)
    app = getattr(request, "app", None)
    return getattr(getattr(app, "state", None), "persisted_queries", None)


class PersistedQueries(SchemaExtension):
    """Resolves `extensions.persistedQuery` into the query (list it first)."""

    async def on_operation(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        found = _persisted(ctx.operation_extensions)
        store = store_of(ctx.context) if found else None
        if found is None or store is None:
            yield
            return
        digest = found[0]
        register = False
        if ctx.query:
            if hashlib.sha256(ctx.query.encode()).hexdigest() != digest:
                raise _error("provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH")
            register = True
        else:
            query = await store.get(digest)
            cache_lookup("apq", query is not None)
            if query is None:
                raise _error("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
            ctx.query = query
        yield
        if register and ctx.graphql_document is not None and not ctx.pre_execution_errors:
            await store.put(digest, ctx.query)
