"""Request dependencies shared by the app and every router: the request's database
session (`SessionDep`, the only place a request's writes are committed), the caller
(`get_principal`, `require_principal`) and the GraphQL context (`get_context`).

Routers import these from here, never from `gateway.app`, so the app can import its
routers without a cycle."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import deadline, logs
from gateway.auth import AuthError, Principal, parse_authorization
from gateway.context import Context
from gateway.db import Database
from gateway.errors import Unauthenticated
from gateway.principals import authenticate_cached


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session. The only place a request's writes are committed."""
    db: Database = request.app.state.db
    async with db.session() as session:
        try:
            yield session
            await drain_statements(session)
            await session.commit()
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError) or deadline.expired():
                # Out of time (or shutting down): the server may never answer a
                # rollback, so drop the connection; PostgreSQL rolls the transaction back.
                await session.invalidate()
            else:
                await drain_statements(session)
                await session.rollback()
            raise
        finally:
            for request_session in session.info.get("request_sessions", ()):
                request_session.finish()


async def drain_statements(session: AsyncSession) -> None:
    """Let statements of cancelled GraphQL fields finish before the session moves on."""
    for request_session in session.info.get("request_sessions", ()):
        await request_session.drain()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_principal(request: Request, session: SessionDep) -> Principal | None:
    """The caller, or None when no Authorization header was sent. A bad token is a 401."""
    header = request.headers.get("authorization")
    if not header:
        return None
    try:
        _, token = parse_authorization(header)
        principal = await authenticate_cached(request.app.state.principals, session, token)
    except AuthError as exc:
        raise Unauthenticated(str(exc)) from exc
    return note_principal(principal)


def note_principal(principal: Principal | None) -> Principal | None:
    """Name the authenticated caller in the request's log record: the access log shows it,
    and the rate limiter gives back the address charge of a token that authenticated."""
    rec = logs.record()
    if rec is not None and principal is not None:
        rec.principal = f"{principal.org_key}/{principal.username}"
    return principal


async def require_principal(
    principal: Annotated[Principal | None, Depends(get_principal)],
) -> Principal:
    if principal is None:
        raise Unauthenticated("Authentication credentials were not provided.")
    return principal


def request_context(
    request: Request,
    session: AsyncSession,
    principal: Principal | None,
    response: Response | None = None,
) -> Context:
    """The `Context` of a request: what GraphQL resolvers and the REST shim's operations
    run with."""
    return Context(
        session=session,
        principal=principal,
        settings=request.app.state.settings,
        request_id=request.state.request_id,
        request=request,
        response=response,
    )


async def get_context(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: Annotated[Principal | None, Depends(get_principal)],
) -> Context:
    return request_context(request, session, principal, response)
