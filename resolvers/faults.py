"""Database faults in GraphQL: a resolver that hits an outage yields one coded error,
not "Internal error.", and read-only operations are retried where that is safe.

* `DatabaseFaults` (a schema extension) looks at the errors of an executed operation. If
  any was caused by a database fault (`gateway.dbfaults.is_db_fault`), the result
  becomes `data: null` with a single error, `extensions.code = "UNAVAILABLE"`, and the
  HTTP response (the context's `response`) is a 503 with `Retry-After`; the REST runner
  maps the code to 503 in each legacy dialect. The fault is logged once, no traceback.
* `TallySchema.execute` runs a *query* again (at most `READ_RETRIES` times, with a short
  pause, never past the request deadline) when the fault was a deadlock or a
  serialization failure: the session is rolled back and the request's loaders are
  dropped first, so the retry reads afresh. Mutations are never retried.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway import deadline, logs
from gateway.dbfaults import RETRY_AFTER_S, UNAVAILABLE_MESSAGE, describe, is_db_fault, is_retryable
from gateway.errors import ServiceUnavailable
from gateway.graphql_log import LoggingSchema

log = logging.getLogger("tally.graphql")

READ_RETRIES = 2
RETRY_PAUSE_S = 0.05


class DatabaseFaults(SchemaExtension):
    def on_execute(self):
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if not errors:
            return
        fault = next(
            (e.original_error for e in errors if is_db_fault(e.original_error)),
            None,
        )
        if fault is None:
            return
        context = self.execution_context.context
        if hasattr(context, "__dict__"):
            context.db_fault = fault
            context.db_fault_read_only = (
                self.execution_context.operation_type is OperationType.QUERY
            )
        response = getattr(context, "response", None)  # the HTTP response, over HTTP
        if response is not None:
            response.status_code = ServiceUnavailable.status
            response.headers["Retry-After"] = str(RETRY_AFTER_S)
        log.warning(
            "database fault in operation %s: %s",
            self.execution_context.operation_name or "(anonymous)",
            describe(fault),
        )
        result.data = None
        result.errors = [
            GraphQLError(
                UNAVAILABLE_MESSAGE,
                original_error=ServiceUnavailable(UNAVAILABLE_MESSAGE),
                extensions={"code": "UNAVAILABLE"},
            )
        ]


class TallySchema(LoggingSchema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Summarize errors as `LoggingSchema` does; database faults are noted as
        UNAVAILABLE (`DatabaseFaults` logs one line per operation for them), never as
        unexpected errors with a traceback per field."""
        faults = [e for e in errors if is_db_fault(e.original_error)]
        if faults:
            logs.note_error("UNAVAILABLE", UNAVAILABLE_MESSAGE)
        others = [e for e in errors if not is_db_fault(e.original_error)]
        if others:
            super().process_errors(others, execution_context)

    async def execute(self, query: str | None, *args: Any, **kwargs: Any):
        context = kwargs.get("context_value")
        attempt = 0
        while True:
            if context is not None and hasattr(context, "__dict__"):
                context.db_fault = None
            result = await super().execute(query, *args, **kwargs)
            fault = getattr(context, "db_fault", None)
            if (
                fault is None
                or not getattr(context, "db_fault_read_only", False)
                or not is_retryable(fault)
                or attempt >= READ_RETRIES
                or not await _reset_for_retry(context)
            ):
                return result
            attempt += 1
            log.info("retrying a read-only operation after %s (%d)", describe(fault), attempt)


async def _reset_for_retry(context: Any) -> bool:
    """Roll the request's session back and forget its loaders; False when there is no
    time left or nothing to reset."""
    left = deadline.remaining()
    if left is not None and left < 1.0:
        return False
    db = getattr(context, "db", None)
    session = getattr(db, "session", None)
    if session is None or not hasattr(context, "reset_loaders"):
        return False
    await db.drain()
    await session.rollback()
    context.reset_loaders()
    response = getattr(context, "response", None)
    if response is not None:
        response.status_code = None
        if "retry-after" in response.headers:
            del response.headers["Retry-After"]
    await asyncio.sleep(RETRY_PAUSE_S)
    return True


__all__ = ["DatabaseFaults", "TallySchema"]
