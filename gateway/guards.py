"""Pure ASGI middleware that keeps one caller's trouble from becoming everyone's: a
request deadline (`DeadlineMiddleware`) and rate limits (`RateLimitMiddleware`); and
`SecurityHeadersMiddleware`, which puts the security headers on every response. Errors
are rendered in the caller's dialect by the `render` function the app passes in
(`gateway.app.render_error`).

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
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway import deadline
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
    ) -> None:
        self.app = app
        self.buckets = buckets
        self.per_token = per_token
        self.per_address = per_address
        self.render = render
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        key, policy, whose = self._bucket(scope)
        decision = await self.buckets.take(key, policy)
        if decision.allowed:
            await self.app(scope, receive, send)
            return
        from gateway.observability import RATE_LIMITED

        RATE_LIMITED.labels(key=key.partition(":")[0]).inc()
        response = self.render(
            Request(scope),
            TooManyRequests.status,
            TooManyRequests.code,
            f"Rate limit reached for {whose}: {policy.describe()}. "
            f"Retry in {decision.retry_after_header} s.",
            retry_after=int(decision.retry_after_header),
        )
        await response(scope, receive, send)

    def _bucket(self, scope: Scope) -> tuple[str, Policy, str]:
        for name, value in scope["headers"]:
            if name == b"authorization":
                _, _, token = value.strip().partition(b" ")
                token = token.strip()
                if token:
                    digest = hashlib.sha256(token).hexdigest()[:32]
                    return f"token:{digest}", self.per_token, "this token"
                break
        client = scope.get("client")
        address = client[0] if client else "unknown"
        return f"address:{address}", self.per_address, "anonymous requests from your address"


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
