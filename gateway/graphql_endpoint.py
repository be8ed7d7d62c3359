"""POST /graphql on a lean path: a plain Starlette route (no FastAPI dependency graph, no
router view), orjson both ways, the principal from the in-process cache and a database
session opened only when something reads (`gateway.context`).

The request goes through these steps (`handle`), each one call:

    principal = await resolve_principal(request, context)  # 401; None when anonymous
    payload   = await read_payload(request, max_bytes)     # 415 / 413 / 400s
    lookup    = await response_cache.lookup_graphql(...)   # a hit is answered at once
    response  = await execute(request, payload, context)   # strawberry, then orjson
    (commit)  + await response_cache.finish_graphql(...)   # header, store the answer

Everything else a request goes through — the request id, access line and metrics, the
deadline, rate limits, gzip, CORS, security headers — is the app's pure ASGI middleware,
as for every route. GET /graphql (GraphiQL, queries in the URL) stays on strawberry's
router (`gateway.console.graphiql`); both share the body, JSON and limit rules of
`gateway.graphql_http`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from gateway import deadline, logs, response_cache
from gateway.auth import AuthError, Principal, parse_authorization
from gateway.context import Context
from gateway.errors import Unauthenticated
from gateway.graphql_http import RequestRejected, check_payload, decode_json, read_body
from gateway.principals import authenticate_cached

POST_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})
JSON_HEADERS = [(b"content-type", b"application/json")]


class SubResponse:
    """What resolvers and extensions may set on the HTTP response (`context.response`):
    a status code (None: 200) and headers (`Retry-After` on a database fault)."""

    __slots__ = ("headers", "status_code")

    def __init__(self) -> None:
        self.status_code: int | None = None
        self.headers = MutableHeaders()


# --- the steps ---------------------------------------------------------------------------


async def read_payload(request: Request, max_bytes: int) -> dict[str, Any]:
    """The request object: JSON, bounded, one operation (see `gateway.graphql_http`)."""
    content_type = request.headers.get("content-type", "")
    if "application/json" not in content_type:
        raise RequestRejected(
            415, "unsupported_media_type", "Send the request as application/json."
        )
    return check_payload(decode_json(await read_body(request, max_bytes), "request body"))


async def resolve_principal(request: Request, context: Context) -> Principal | None:
    """The caller (None without an Authorization header); a bad token is a 401. A miss
    in the principal cache reads the token on the request's session."""
    header = request.headers.get("authorization")
    if not header:
        return None
    try:
        _, token = parse_authorization(header)
        cache = getattr(request.app.state, "principals", None)
        principal = await authenticate_cached(cache, lambda: context.db.session, token)
    except AuthError as exc:
        raise Unauthenticated(str(exc)) from exc
    rec = logs.record()
    if rec is not None:
        rec.principal = f"{principal.org_key}/{principal.username}"
    return principal


async def execute(request: Request, payload: dict[str, Any], context: Context) -> Response:
    """Run the operation and encode the result (400 when refused before execution by a
    limit or the cost budget; the status a resolver or extension set otherwise)."""
    schema = request.app.state.graphql_schema
    try:
        result: ExecutionResult = await schema.execute(
            payload.get("query"),
            variable_values=payload.get("variables"),
            context_value=context,
            operation_name=payload.get("operationName"),
            allowed_operation_types=POST_OPERATIONS,
            operation_extensions=payload.get("extensions"),
        )
    except CannotGetOperationTypeError as exc:
        raise RequestRejected(400, "bad_request", exc.as_http_error_reason()) from None
    except InvalidOperationTypeError as exc:
        raise RequestRejected(400, "bad_request", exc.as_http_error_reason("POST")) from None
    except MissingQueryError:
        raise RequestRejected(400, "bad_request", "No GraphQL query found in the request") from None
    context.response_cache_errors = bool(result.errors)
    sub = context.response
    status = sub.status_code or 200
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [_formatted(e) for e in result.errors]
        if any("limit" in (e.extensions or {}) for e in result.errors):
            status = 400  # refused by a document limit or the cost budget: the request's fault
    if result.extensions:
        body["extensions"] = result.extensions
    response = Response(orjson.dumps(body), status_code=status, media_type="application/json")
    if sub.headers:
        response.raw_headers.extend(sub.headers.raw)
    return response


def _formatted(error: GraphQLError) -> dict[str, Any]:
    return error.formatted  # type: ignore[return-value]


# --- the route ---------------------------------------------------------------------------


async def handle(request: Request) -> Response:
    """POST /graphql: the steps above, with the request's session (if one was opened)
    committed before the response is sent, rolled back on an error, dropped when the
    request ran out of time."""
    state = request.app.state
    settings = state.settings
    context = Context(
        open_session=state.db.sessionmaker,
        principal=None,
        settings=settings,
        request_id=request.scope.get("state", {}).get("request_id"),
        request=request,
        response=SubResponse(),
    )
    lookup = response_cache.NOT_CACHED
    try:
        context.principal = await resolve_principal(request, context)
        payload = await read_payload(request, settings.graphql_max_bytes)
        lookup = await response_cache.lookup_graphql(request, context.principal, payload)
        if lookup.hit:
            response = response_cache.hit_response(lookup)
        else:
            response = await execute(request, payload, context)
        session = context.db.opened
        if session is not None:
            await context.db.drain()
            await session.commit()
        if not lookup.hit:
            await response_cache.finish_graphql(request, lookup, response, context)
        return response
    except BaseException as exc:
        session = context.db.opened
        if session is not None:
            if isinstance(exc, asyncio.CancelledError) or deadline.expired():
                # out of time (or shutting down): the server may never answer a rollback,
                # so drop the connection; PostgreSQL rolls the transaction back
                await session.invalidate()
            else:
                await context.db.drain()
                await session.rollback()
        raise
    finally:
        lookup.release()  # concurrent identical misses waiting on this one go on
        context.db.finish()
        session = context.db.opened
        if session is not None:
            await session.close()


class GraphQLPostRoute(Route):
    """`POST /graphql` as a plain route, put before strawberry's router. It names itself
    as the matched route (`scope["route"]`) so metrics and access lines say /graphql."""

    def __init__(self, path: str = "/graphql") -> None:
        super().__init__(path, handle, methods=["POST"], include_in_schema=False)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is not Match.NONE:
            child["route"] = self
        return match, child


__all__ = ["GraphQLPostRoute", "execute", "read_payload", "resolve_principal"]
