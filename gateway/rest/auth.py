"""Per-API credentials: which `Authorization` schemes an API accepts, and the request
dependency that resolves the caller (401 in the API's own dialect otherwise)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request

from gateway.auth import AuthError, Principal, parse_authorization
from gateway.context import Context
from gateway.dependencies import SessionDep, note_principal, request_context
from gateway.errors import Unauthenticated
from gateway.principals import authenticate_cached

SCHEMES_BY_API = {
    "aisquare": ("bearer", "api-token"),  # any valid token
    "amp": ("bearer",),
    "agent_platform": ("bearer", "api-token"),
    "iblai": ("api-token",),
    "athena": ("bearer",),
}

_SCHEME_NAMES = {"bearer": "Bearer", "api-token": "Api-Token"}


def principal_for(api: str) -> Callable:
    """A dependency returning the caller's Principal, accepting only `api`'s schemes."""
    allowed = SCHEMES_BY_API[api]
    expected = " or ".join(f"'Authorization: {_SCHEME_NAMES[s]} <token>'" for s in allowed)

    async def dependency(request: Request, session: SessionDep) -> Principal:
        header = request.headers.get("authorization")
        try:
            scheme, token = parse_authorization(header)
        except AuthError as exc:
            raise Unauthenticated(f"{exc} Send {expected}.") from exc
        if scheme not in allowed:
            raise Unauthenticated(f"This API takes {expected}.")
        try:
            principal = await authenticate_cached(request.app.state.principals, session, token)
        except AuthError as exc:
            raise Unauthenticated(str(exc)) from exc
        return note_principal(principal)  # the access line, and proof for the rate limits

    return dependency


def context_for(api: str) -> Callable:
    """A dependency giving a `Context` (session + principal) for running operations."""
    principal_dep = principal_for(api)

    async def dependency(
        request: Request,
        session: SessionDep,
        # A default, not `Annotated[..., Depends(principal_dep)]`: with postponed
        # annotations FastAPI cannot resolve the closure's `principal_dep` in a string
        # annotation and would take `principal` for a query parameter.
        principal: Principal = Depends(principal_dep),
    ) -> Context:
        return request_context(request, session, principal)

    return dependency


__all__ = ["context_for", "principal_for"]
