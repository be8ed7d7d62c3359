"""The request middleware (pure ASGI, no BaseHTTPMiddleware): request id, the access
line and request metrics.

An incoming `X-Request-Id` is kept only when it is short and made of safe characters;
otherwise one is generated. The id is echoed on the response and set on
`request.state.request_id`. An exception no handler took is rendered here by the app's
`Exception` handler, so it is logged once (by that handler) and never reaches the
server's own traceback logging.
"""

from __future__ import annotations

import logging
import os
import re
import time
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import logs, observability

REQUEST_ID_HEADER = b"x-request-id"
MAX_REQUEST_ID = 64
_SAFE_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,64}")


def new_request_id() -> str:
    return os.urandom(8).hex()


def accept_request_id(raw: bytes | None) -> str:
    """The caller's id when it is ≤ 64 safe characters, else a fresh one."""
    if raw and len(raw) <= MAX_REQUEST_ID and _SAFE_ID.fullmatch(raw):
        return raw.decode("ascii")
    return new_request_id()


def route_label(scope: Scope) -> str:
    """The matched route's template (bounded cardinality), or `unmatched`."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if path else "unmatched"


class RequestMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming = None
        for name, value in scope["headers"]:
            if name == REQUEST_ID_HEADER:
                incoming = value
                break
        rid = accept_request_id(incoming)
        scope.setdefault("state", {})["request_id"] = rid
        rec = logs.RequestRecord(rid)
        token = logs.current.set(rec)
        status = 500
        size = 0
        started_response = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, size, started_response
            if message["type"] == "http.response.start":
                started_response = True
                status = message["status"]
                headers = list(message.get("headers", ()))
                headers.append((b"x-request-id", rid.encode()))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            handler = _exception_handler(scope)
            if handler is None or started_response:
                raise
            response = await handler(Request(scope, receive), exc)
            await response(scope, receive, send_wrapper)
        finally:
            logs.current.reset(token)
            seconds = time.perf_counter() - started
            route = route_label(scope)
            observability.observe_request(route, scope["method"], status, seconds, rec)
            _access(scope, route, rec, status, size, seconds)


def _exception_handler(scope: Scope) -> Any:
    app = scope.get("app")
    handlers = getattr(app, "exception_handlers", None) or {}
    return handlers.get(Exception)


def _access(
    scope: Scope, route: str, rec: logs.RequestRecord, status: int, size: int, seconds: float
) -> None:
    level = logging.INFO if status < 500 else logging.ERROR if status != 503 else logging.WARNING
    if not logs.ACCESS.isEnabledFor(level):
        return
    fields: dict[str, Any] = {
        "request_id": rec.request_id,
        "method": scope["method"],
        "path": logs.bound(scope["path"]),
        "route": route,
        "status": status,
        "ms": round(seconds * 1000, 2),
        "bytes": size,
    }
    if rec.operation is not None:
        fields["operation"] = rec.operation
    if rec.principal is not None:
        fields["principal"] = rec.principal
    if rec.sql_statements:
        fields["sql"] = rec.sql_statements
        fields["sql_ms"] = round(rec.sql_seconds * 1000, 2)
    if rec.errors:
        fields["errors"] = rec.errors
        fields["error_codes"] = rec.error_codes
        if rec.first_error:
            fields["first_error"] = rec.first_error
    logs.access(level, fields)
