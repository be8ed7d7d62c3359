"""The HTTP side of POST/GET /graphql before any GraphQL work: a bounded body, strict
UTF-8 and JSON, one operation per request.

* The body is read chunk by chunk and refused with 413 as soon as it passes
  `settings.graphql_max_bytes` (TALLY_GRAPHQL_MAX_BYTES, default 256 KiB) — a declared
  `Content-Length` over the limit is refused before reading anything. A GET query string
  is bounded the same way.
* A body that is not UTF-8, not JSON, or not a JSON object is a 400 that says which.
* A JSON array (a batch of operations) is a 400: send one operation per request (each is
  then limited and costed on its own).

Every refusal is a `RequestRejected` (a TallyError), so the app renders it in the GraphQL
dialect: `{"data": null, "errors": [{"message", "extensions": {"code", …}}]}`.

POST /graphql runs on the lean route of `gateway.graphql_endpoint`, which calls these
functions directly. `BoundedGraphQLHTTP` is the mixin that puts all of this (and HTTP
400 for a request refused by a document limit or the cost budget) into strawberry's
/graphql router (GET: GraphiQL, queries in the URL), and answers a repeated query from
the response cache (`gateway.response_cache`) once the caller is authenticated.
"""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from gateway import response_cache
from gateway.errors import TallyError


class RequestRejected(TallyError):
    """A /graphql request refused before GraphQL parsing (status and code per case)."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message, code=code)
        self.status = status
        self._details = details

    @property
    def details(self) -> dict | None:
        return self._details


def too_large(max_bytes: int) -> RequestRejected:
    return RequestRejected(
        413,
        "payload_too_large",
        f"The request is larger than {max_bytes:,} bytes, the limit for /graphql "
        "(TALLY_GRAPHQL_MAX_BYTES).",
        {"limit": max_bytes},
    )


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The request body, refusing (413) as soon as it exceeds `max_bytes`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise too_large(max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def decode_json(raw: bytes | str, what: str) -> Any:
    """Strict UTF-8 + JSON (orjson also refuses lone surrogates and nesting > 1024)."""
    if isinstance(raw, bytes):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RequestRejected(
                400,
                "bad_request",
                f"The {what} is not valid UTF-8 (invalid byte at offset {exc.start}).",
            ) from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RequestRejected(
            400, "bad_request", f"The {what} is not valid JSON: {exc.msg} (position {exc.pos})."
        ) from None


def check_payload(data: Any) -> dict[str, Any]:
    """One GraphQL request object: `query` a string, `variables` / `extensions` objects."""
    if isinstance(data, list):
        raise RequestRejected(
            400,
            "batch_not_supported",
            "Batched requests (a JSON array of operations) are not supported: send one "
            "operation per request.",
        )
    if not isinstance(data, dict):
        raise RequestRejected(
            400,
            "bad_request",
            'The request body must be a JSON object such as {"query": "{ viewer { roles } }"}.',
        )
    for key, kinds, shape in (
        ("query", (str,), "a string"),
        ("operationName", (str,), "a string"),
        ("variables", (dict,), "an object"),
        ("extensions", (dict,), "an object"),
    ):
        value = data.get(key)
        if value is not None and not isinstance(value, kinds):
            raise RequestRejected(400, "bad_request", f"`{key}` must be {shape} or null.")
    return data


def check_query_string(request: Request, max_bytes: int) -> None:
    """GET /graphql: the query string within the same byte limit, strict UTF-8."""
    raw = request.scope.get("query_string", b"")
    if len(raw) > max_bytes:
        raise too_large(max_bytes)
    params: dict[str, Any] = {}
    for name in ("variables", "extensions"):
        value = request.query_params.get(name)
        if value:
            params[name] = decode_json(value, f"`{name}` parameter")
    check_payload(params)


class BoundedGraphQLHTTP:
    """Mixin for strawberry's GraphQLRouter (put it first among the bases)."""

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        lookup = await cache_lookup(request, context)
        if lookup.hit:
            return response_cache.hit_response(lookup)
        try:
            response = await super().run(request, context=context, root_value=root_value)  # type: ignore[misc]
            await response_cache.finish_graphql(request, lookup, response, context)
        except HTTPException as exc:  # strawberry's own refusals, in the GraphQL dialect
            raise RequestRejected(exc.status_code, "bad_request", exc.reason) from None
        finally:
            lookup.release()
        return response

    async def parse_http_body(self, request_adapter: Any) -> GraphQLRequestData:
        request: Request = request_adapter._request
        max_bytes = request.app.state.settings.graphql_max_bytes
        if request_adapter.method == "GET":
            check_query_string(request, max_bytes)
            return await super().parse_http_body(request_adapter)  # type: ignore[misc]
        content_type = request.headers.get("content-type", "")
        if "application/json" not in content_type:
            raise RequestRejected(
                415, "unsupported_media_type", "Send the request as application/json."
            )
        data = check_payload(decode_json(await read_body(request, max_bytes), "request body"))
        return GraphQLRequestData(
            query=data.get("query"),
            variables=data.get("variables"),
            operation_name=data.get("operationName"),
            extensions=data.get("extensions"),
            protocol="http",
        )

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        result = await super().execute_single(*args, **kwargs)  # type: ignore[misc]
        kwargs["context"].response_cache_errors = bool(result.errors)
        if result.errors and any("limit" in (e.extensions or {}) for e in result.errors):
            # refused before execution by a limit or the cost budget (resolvers.limits'
            # errors carry the limit's value): the request's fault
            kwargs["sub_response"].status_code = 400
        return result


async def cache_lookup(request: Any, context: Any) -> response_cache.Lookup:
    """The response cache's lookup for an authenticated GET/POST /graphql. A POST body is
    read here (bounded) and left on the request for the parser; a body that does not
    decode is no lookup (the parser refuses it)."""
    cache = getattr(request.app.state, "graphql_cache", None)
    principal = getattr(context, "principal", None)
    if cache is None or principal is None or not cache.active:
        return response_cache.NOT_CACHED
    if request.method == "GET":
        params = request.query_params
        try:
            variables = orjson.loads(params["variables"]) if params.get("variables") else None
            extensions = orjson.loads(params["extensions"]) if params.get("extensions") else None
        except orjson.JSONDecodeError:
            return response_cache.NOT_CACHED
        payload = {
            "query": params.get("query"),
            "variables": variables,
            "operationName": params.get("operationName"),
            "extensions": extensions,
        }
    elif request.method == "POST" and "application/json" in request.headers.get("content-type", ""):
        body = await read_body(request, request.app.state.settings.graphql_max_bytes)
        request._body = body  # starlette's stream() replays it to the parser
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return response_cache.NOT_CACHED
    else:
        return response_cache.NOT_CACHED
    if not isinstance(payload, dict):
        return response_cache.NOT_CACHED
    return await response_cache.lookup_graphql(request, principal, payload)
