"""Error dialects: each API renders its errors in its callers' shape. A router registers
its renderer for its path prefix (`register_error_dialect`); `render_error` picks the
renderer of the longest matching prefix (the Tally shape otherwise).

Routers import this module, never `gateway.app`, so the app can import its routers
without a cycle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request, Response

from gateway import logs
from gateway.dbfaults import RETRY_AFTER_S
from gateway.responses import ORJSONResponse

ErrorRenderer = Callable[[Request, int, str, str, dict | None], Response]
"""(request, status, code, message, details) -> the response in one caller dialect.
`details` carries structured extras (e.g. per-field validation errors) or None."""

_ERROR_DIALECTS: list[tuple[str, ErrorRenderer]] = []


def register_error_dialect(path_prefix: str, render: ErrorRenderer) -> None:
    """Errors under `path_prefix` are rendered by `render` (longest prefix wins)."""
    _ERROR_DIALECTS.append((path_prefix, render))
    _ERROR_DIALECTS.sort(key=lambda item: len(item[0]), reverse=True)


def _render_tally(
    request: Request, status: int, code: str, message: str, details: dict | None
) -> Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error.update(details)
    return ORJSONResponse({"error": error}, status_code=status)


def _render_graphql(
    request: Request, status: int, code: str, message: str, details: dict | None
) -> Response:
    extensions = {"code": code.upper(), **(details or {})}
    body = {"data": None, "errors": [{"message": message, "extensions": extensions}]}
    return ORJSONResponse(body, status_code=status)


register_error_dialect("/graphql", _render_graphql)


def render_error(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: dict | None = None,
    *,
    retry_after: int | None = None,
) -> Response:
    """The error in the dialect of the API `request` belongs to. 503 and 504 always carry
    `Retry-After` (`retry_after` seconds, default RETRY_AFTER_S); so does a 429."""
    logs.note_error(code.upper(), message)
    path = request.url.path
    for prefix, render in _ERROR_DIALECTS:
        if path.startswith(prefix):
            response = render(request, status, code, message, details)
            break
    else:
        response = _render_tally(request, status, code, message, details)
    if retry_after is None and status in (503, 504):
        retry_after = RETRY_AFTER_S
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response
