"""Token-bucket rate limits: per API token, and per client address for anonymous
requests.

A bucket holds at most `burst` tokens and refills at `rate` tokens per second; a
request takes one token or is refused with the seconds until one is back. A negative
`cost` gives tokens back (never beyond `burst`) and is never refused. Buckets live
in-process (`MemoryBuckets`, bounded LRU) by default, or in Redis when `REDIS_URL` is
set (`RedisBuckets`) so every replica draws on one budget.

Why not a library: the maintained one, `limits`, offers fixed, moving and
sliding windows but no token bucket (burst + steady refill, one key, O(1) memory);
`aiolimiter` is a leaky bucket for a single process only. The Redis side is therefore a
short Lua script (atomic read-refill-take on one hash, clocked by Redis' own `TIME` so
replicas with skewed clocks agree) and the in-process side a dict.

A Redis outage never fails a request: a Redis error (or a call slower than `timeout`)
falls back to the in-process bucket of the same key, logs one warning, and leaves Redis
alone for `retry_after` seconds.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger("tally.ratelimit")


@dataclass(frozen=True)
class Policy:
    """`rate` tokens per second, at most `burst` at once."""

    rate: float
    burst: int

    def describe(self) -> str:
        return f"{self.rate:g} requests/s (bursts of {self.burst})"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_s: float = 0.0  # when refused: seconds until a token is back

    @property
    def retry_after_header(self) -> str:
        return str(max(1, math.ceil(self.retry_after_s)))


class Buckets(Protocol):
    async def take(self, key: str, policy: Policy, cost: int = 1) -> Decision: ...


def _take(tokens: float, elapsed: float, policy: Policy, cost: int = 1) -> tuple[float, Decision]:
    """(tokens left, decision) for a bucket holding `tokens` `elapsed` seconds ago."""
    burst = float(policy.burst)
    tokens = min(burst, tokens + max(0.0, elapsed) * policy.rate)
    if cost <= 0 or tokens >= 1.0:
        return min(burst, tokens - cost), Decision(True)
    return tokens, Decision(False, (1.0 - tokens) / policy.rate)


class MemoryBuckets:
    """Buckets in this process: at most `max_keys` of them (least recently used go
    first — a forgotten bucket is a full one)."""

    def __init__(
        self, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def take(self, key: str, policy: Policy, cost: int = 1) -> Decision:
        now = self.clock()
        tokens, at = self._buckets.pop(key, (float(policy.burst), now))
        tokens, decision = _take(tokens, now - at, policy, cost)
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return decision


# KEYS[1] the bucket; ARGV rate (tokens/s), burst, cost (1 takes a token, -1 gives one
# back). Returns {allowed, retry_after_ms}.
# The hash holds the tokens left (as a string: Lua numbers returned to Redis are
# truncated to integers) and the time of the last take in ms; it expires once it would
# be full again, so idle callers cost nothing.
TAKE_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3]) or 1
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(stored[1])
local at = tonumber(stored[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local allowed = 0
local retry_ms = 0
if cost <= 0 or tokens >= 1 then
  tokens = math.min(burst, tokens - cost)
  allowed = 1
else
  retry_ms = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {allowed, retry_ms}
"""


class RedisBuckets:
    """Buckets shared through Redis, falling back to `fallback` (in-process) while
    Redis fails."""

    def __init__(
        self,
        url: str,
        *,
        namespace: str = "tally:ratelimit:",
        timeout: float = 0.25,
        retry_after: float = 30.0,
        fallback: MemoryBuckets | None = None,
        client: Any = None,
    ) -> None:
        import redis.asyncio as redis_asyncio

        self.namespace = namespace
        self.retry_after = retry_after
        self.fallback = fallback or MemoryBuckets()
        self._client = client or redis_asyncio.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._script = self._client.register_script(TAKE_SCRIPT)
        self._down_until = 0.0

    async def take(self, key: str, policy: Policy, cost: int = 1) -> Decision:
        if time.monotonic() >= self._down_until:
            try:
                allowed, retry_ms = await self._script(
                    keys=[self.namespace + key], args=[policy.rate, policy.burst, cost]
                )
                return Decision(bool(allowed), int(retry_ms) / 1000)
            except Exception as exc:  # any client or connection error is an outage here
                self._down_until = time.monotonic() + self.retry_after
                log.warning(
                    "rate limits: Redis failed (%s: %s); limiting in-process for %.0f s",
                    type(exc).__name__,
                    exc,
                    self.retry_after,
                )
        return await self.fallback.take(key, policy, cost)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._client.aclose()


def build_buckets(redis_url: str | None) -> Buckets:
    return RedisBuckets(redis_url) if redis_url else MemoryBuckets()


__all__ = ["Buckets", "Decision", "MemoryBuckets", "Policy", "RedisBuckets", "build_buckets"]
