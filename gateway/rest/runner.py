"""Run a persisted operation for a REST request and map GraphQL errors to HTTP.

The shim never builds queries: it names a persisted operation, passes variables, and
gets `data` back or an `OperationFailed` whose status comes from the first error's
`extensions.code` (UNAUTHENTICATED 401, FORBIDDEN 403, NOT_FOUND 404, INVALID_INPUT /
BAD_USER_INPUT 400, VALIDATION_FAILED 422, UNAVAILABLE — a database fault — 503;
an input or cost limit — an error carrying `extensions.limit` — 400). Anything
unexpected stays a masked 500.

A repeated read of the same principal is answered from the response cache
(`gateway.response_cache`, shared with /graphql) until the org's data changes.
"""

from __future__ import annotations

from typing import Any

import orjson

from gateway import response_cache
from gateway.context import Context
from gateway.errors import TallyError
from gateway.rest.persisted import get_operation

STATUS_BY_CODE = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "INVALID_INPUT": 400,
    "BAD_USER_INPUT": 400,
    "GRAPHQL_VALIDATION_FAILED": 400,
    "VALIDATION_FAILED": 422,
    "PAYLOAD_TOO_LARGE": 413,
    "UNAVAILABLE": 503,  # a database fault (resolvers/faults.py): Retry-After is added
    "GRAPHQL_PARSE_FAILED": 400,
}


MASKED_MESSAGE = "Internal error."
"""What `MaskErrors` (resolvers/schema.py) leaves of an unexpected resolver exception: a
server fault (500), never the caller's input."""


class OperationFailed(TallyError):
    """A persisted operation answered with an error meant for the caller."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message, code=code.lower())
        self.status = status
        self._details = details

    @property
    def details(self) -> dict | None:
        return self._details


async def run_operation(ctx: Context, name: str, variables: dict[str, Any] | None = None) -> dict:
    """Execute persisted operation `name` as `ctx.principal`; return its `data`."""
    op = get_operation(name)
    state = getattr(getattr(ctx.request, "app", None), "state", None)
    cache = getattr(state, "graphql_cache", None)
    if cache is None:
        return await _execute(ctx, name, op, variables)
    headers = getattr(ctx.request, "headers", None)
    document = f"rest:{name}"
    lookup = await cache.lookup(ctx.principal, document, variables, op.operation_name, headers)
    if lookup.hit:
        return orjson.loads(lookup.body)
    try:
        data = await _execute(ctx, name, op, variables)
        if lookup.key is not None and response_cache.graphql_storable(ctx, None):
            await cache.store(lookup, orjson.dumps(data))
        return data
    finally:
        lookup.release()


async def _execute(ctx: Context, name: str, op: Any, variables: dict[str, Any] | None) -> dict:
    from resolvers.schema import schema

    result = await schema.execute(
        op.document,
        variable_values=variables or {},
        context_value=ctx,
        operation_name=op.operation_name,
    )
    if result.errors:
        err = result.errors[0]
        ext = dict(err.extensions or {})
        code = str(ext.pop("code", "") or "")
        if not code and err.original_error is None and err.message != MASKED_MESSAGE:
            code = "BAD_USER_INPUT"  # variable coercion / validation: the caller's input
        status = STATUS_BY_CODE.get(code)
        if status is None and "limit" in ext:
            status = 400  # a document / input limit or the cost budget (resolvers.limits)
        if status is None:
            raise RuntimeError(f"persisted operation {name} failed: {err.message}")
        raise OperationFailed(status, code, err.message, ext or None)
    return result.data or {}
