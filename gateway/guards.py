"""Pure ASGI middleware that keeps one caller's trouble from becoming everyone's: a
request deadline (`DeadlineMiddleware`) and rate limits (`RateLimitMiddleware`); and
`SecurityHeadersMiddleware`, which puts the security headers on every response. Errors
are rendered in the caller's dialect by the `render` function the app passes in
(`gateway.app.render_error`). And `freeze_startup_heap`, which keeps garbage collection
from stalling every request (see there).

Deadline contract: a request that has not *started* its response within
`TALLY_REQUEST_TIMEOUT_S` (default 20 s) gets 504 `timeout` with `Retry-After`, and its
work is cancelled: statements in flight are cancelled and the request's database
connection is dropped rather than waited on (`gateway.deadline`, `gateway.app.get_session`),
so a frozen database cannot hold connections past the deadline. A response that has
started (a file download) is not cut off.

Rate-limit contract: each request takes a token from its caller's bucket
(`gateway.ratelimit`): the bucket of its API token (any `Authorization: <scheme>
<token>`; the token's SHA-256 is the key, the token itself is never stored), or, without
one, the bucket of its client address (uvicorn's `--proxy-headers` /
`--forwarded-allow-ips` make that the real client behind a proxy). An empty bucket is a
429 `rate_limited` with `Retry-After` (whole seconds until a token is back). Health
checks and static assets take no token, so /livez and /readyz stay cheap.

Made-up tokens do not buy fresh budgets: a token this process has not yet seen
authenticate is also charged to its client address' bucket (the anonymous one), and
the charge is given back once the token authenticates (the request's log record names a
principal). So a caller rotating unknown, expired or revoked tokens spends its address'
budget and is refused with 429 like an anonymous flood, while a valid token costs its
address nothing. Proven tokens are remembered per process (at most `PROVEN_TOKENS`,
least recently used first out) and forgotten on a 401; with Redis the charge and the
give-back are shared, the memory of proven tokens is not (a valid token's first request
on each replica is charged, then given back).
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway import deadline, logs
from gateway.errors import DeadlineExceeded, TooManyRequests
from gateway.ratelimit import Buckets, Policy

log = logging.getLogger("tally.guards")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Render = Callable[..., Response]
"""`(request, status, code, message)` -> a response in the caller's dialect."""

CLEANUP_GRACE_S = 10.0
"""How long a timed-out request's task gets to unwind (it is cancelled again every
second meanwhile) before it is left to finish on its own."""

_abandoned: set[asyncio.Task] = set()


def freeze_startup_heap() -> int:
    """Collect, then move every object alive after startup (modules, the schema, the ORM's
    metadata: some 190,000 objects) out of the cyclic garbage collector's reach
    (`gc.freeze`); returns how many. A full collection walks every tracked object while
    the event loop waits — each one took 0.2-0.6 s on a loaded 2-core machine, during
    which `/livez` and every request stalled; after this it walks only what was made
    since (bounded by the document caches, `resolvers.guard.CACHE_CHARS`). Objects made
    at startup live as long as the process, so freezing them leaks nothing. Called once,
    by the app that owns its database (`tally serve`), after its startup."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class DeadlineMiddleware:
    def __init__(self, app: ASGIApp, *, timeout_s: float, render: Render) -> None:
        self.app = app
        self.timeout_s = timeout_s
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.timeout_s:
            await self.app(scope, receive, send)
            return
        started = False
        timed_out = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if timed_out:
                return  # the caller already has its 504
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        loop = asyncio.get_running_loop()
        token = deadline.set_deadline(loop.time() + self.timeout_s)
        try:  # the task copies the context, deadline included
            task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        finally:
            deadline.reset_deadline(token)
        try:
            done, _ = await asyncio.wait({task}, timeout=self.timeout_s)
        except asyncio.CancelledError:
            task.cancel()
            raise
        if done or started:
            await task  # finished, or streaming a response: not cut off
            return
        timed_out = True
        log.warning(
            "%s %s exceeded the %.1f s request deadline; cancelled",
            scope.get("method"),
            scope.get("path"),
            self.timeout_s,
        )
        response = self.render(
            Request(scope),
            DeadlineExceeded.status,
            DeadlineExceeded.code,
            f"The request did not complete within {self.timeout_s:g} s and was stopped; "
            "retry in a few seconds.",
        )
        await response(scope, receive, send)
        await _unwind(task)


async def _unwind(task: asyncio.Task) -> None:
    """Cancel `task` until it finishes (bounded by CLEANUP_GRACE_S)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + CLEANUP_GRACE_S
    while not task.done() and loop.time() < give_up:
        task.cancel()
        await asyncio.wait({task}, timeout=1.0)
    if task.done():
        if not task.cancelled() and task.exception() is not None:
            log.debug("timed-out request ended with %r", task.exception())
        return
    log.warning("a timed-out request is still unwinding after %.0f s", CLEANUP_GRACE_S)
    _abandoned.add(task)
    task.add_done_callback(_abandoned.discard)


PROVEN_TOKENS = 10_000
"""Tokens (digests) remembered as having authenticated, per process."""


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        buckets: Buckets,
        per_token: Policy,
        per_address: Policy,
        render: Render,
        exempt: tuple[str, ...] = (),
        proven_max: int = PROVEN_TOKENS,
    ) -> None:
        self.app = app
        self.buckets = buckets
        self.per_token = per_token
        self.per_address = per_address
        self.render = render
        self.exempt = exempt
        self.proven_max = proven_max
        self._proven: OrderedDict[str, None] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        token_key = _token_key(scope)
        client = scope.get("client")
        address_key = f"address:{client[0] if client else 'unknown'}"
        if token_key is None:
            decision = await self.buckets.take(address_key, self.per_address)
            if not decision.allowed:
                await self._refuse(scope, receive, send, decision, address_key, "anonymous")
                return
            await self.app(scope, receive, send)
            return
        decision = await self.buckets.take(token_key, self.per_token)
        if not decision.allowed:
            await self._refuse(scope, receive, send, decision, token_key, "token")
            return
        proven = token_key in self._proven
        if proven:
            self._proven.move_to_end(token_key)
        else:
            decision = await self.buckets.take(address_key, self.per_address)
            if not decision.allowed:
                await self._refuse(scope, receive, send, decision, address_key, "unproven")
                return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status == 401:  # expired or revoked since: charged to the address again
            self._proven.pop(token_key, None)
            return
        rec = logs.record()
        if not proven and rec is not None and rec.principal is not None:
            await self.buckets.take(address_key, self.per_address, cost=-1)
            self._proven[token_key] = None
            while len(self._proven) > self.proven_max:
                self._proven.popitem(last=False)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, decision, key: str, why: str
    ) -> None:
        from gateway.observability import RATE_LIMITED

        RATE_LIMITED.labels(key=key.partition(":")[0]).inc()
        if why == "token":
            policy, whose = self.per_token, "this token"
        elif why == "anonymous":
            policy, whose = self.per_address, "anonymous requests from your address"
        else:
            policy = self.per_address
            whose = (
                "your address (requests whose token has not authenticated count as anonymous ones)"
            )
        response = self.render(
            Request(scope),
            TooManyRequests.status,
            TooManyRequests.code,
            f"Rate limit reached for {whose}: {policy.describe()}. "
            f"Retry in {decision.retry_after_header} s.",
            retry_after=int(decision.retry_after_header),
        )
        await response(scope, receive, send)


def _token_key(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            _, _, token = value.strip().partition(b" ")
            token = token.strip()
            if token:
                return f"token:{hashlib.sha256(token).hexdigest()[:32]}"
            break
    return None


class SecurityHeadersMiddleware:
    """`Content-Security-Policy` (unless the response set its own), `X-Content-Type-Options:
    nosniff`, `X-Frame-Options: DENY` (with CSP `frame-ancestors 'none'`) and
    `Referrer-Policy: no-referrer` (download links carry signatures) on every response."""

    def __init__(self, app: ASGIApp, *, content_security_policy: str) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", content_security_policy.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in self.headers if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


__all__ = ["DeadlineMiddleware", "RateLimitMiddleware", "SecurityHeadersMiddleware"]
