"""Shared pieces of the authorization matrix: the principal columns and how one GraphQL
response is classified as OK / FB (forbidden) / NF (not found) / UA (unauthenticated)."""

from __future__ import annotations

from typing import Any

from gateway.demo import PRINCIPALS

PRINCIPAL_COLUMNS: tuple[str | None, ...] = (*(p.name for p in PRINCIPALS), None)
"""The demo principals in `gateway.demo.principals` order, then None (no token)."""

_DENIALS = {"FORBIDDEN": "FB", "NOT_FOUND": "NF", "UNAUTHENTICATED": "UA"}


def dig(data: Any, path: tuple[str | int, ...]) -> Any:
    """The value at `path` in a response's `data` (None once anything on the way is)."""
    for step in path:
        if data is None:
            return None
        data = data[step]
    return data


def outcome(body: dict[str, Any], path: tuple[str | int, ...]) -> tuple[str, str]:
    """(code, detail) for one response: OK when the value at `path` is non-null and there
    is no error; FB / UA when it is null with exactly that error code; NF when it is null
    with a NOT_FOUND error or no error at all; `??` for anything else (a leak: data next
    to a denial, or an unexpected error)."""
    value = dig(body.get("data"), path)
    errors = body.get("errors") or []
    codes = {(e.get("extensions") or {}).get("code") for e in errors}
    detail = "; ".join(f"{(e.get('extensions') or {}).get('code')}: {e['message']}" for e in errors)
    if value is not None:
        return ("OK" if not errors else "??"), detail or "data"
    if not errors:
        return "NF", "null"
    if len(codes) == 1 and (code := next(iter(codes))) in _DENIALS:
        return _DENIALS[code], detail
    return "??", detail
