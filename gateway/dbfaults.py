"""Which exceptions mean "the database is in trouble" — answered 503 + `Retry-After`
instead of a masked 500 — and which of those are worth retrying.

A fault is any of (looked for on the exception, its `.orig` and its causes):

* connection refused, reset or lost, a connect or pool-checkout timeout (`OSError`,
  SQLSTATE class 08, SQLAlchemy's `TimeoutError`, a `DBAPIError` whose connection was
  invalidated), Tally's own `DatabaseUnavailable`;
* the server shutting down or starting up (57P01, 57P02, 57P03 `CannotConnectNowError`),
  out of resources (class 53: too many connections, out of memory, disk full), an
  I/O error (class 58), a read-only server after a fail-over (25006);
* a statement stopped by `statement_timeout` or `lock_timeout` (57014, 55P03);
* a deadlock or serialization failure (40P01, 40001) — these are *retryable*: the same
  read-only work run again usually succeeds;
* SQLAlchemy's `PendingRollbackError` (the session's transaction died with its
  connection).

Anything else (a bug, a constraint violation, a value out of range) is not a fault: it
stays a 500 (or the 4xx its own handler gives it).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import exc as sa_exc

from gateway.db import DatabaseUnavailable
from gateway.errors import ServiceUnavailable, TallyError

RETRY_AFTER_S = 5
"""The `Retry-After` (seconds) of a 503 for a database fault."""

UNAVAILABLE_MESSAGE = "The database is unavailable right now; retry in a few seconds."

_FAULT_SQLSTATES = ("08", "53", "58", "57P01", "57P02", "57P03", "57014", "55P03", "25006")
_RETRYABLE_SQLSTATES = ("40001", "40P01")


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen and len(seen) < 16:
        seen.add(id(exc))
        yield exc
        orig = getattr(exc, "orig", None)
        if isinstance(orig, BaseException) and id(orig) not in seen:
            yield orig
            seen.add(id(orig))
        exc = exc.__cause__ or exc.__context__


def _sqlstate(exc: BaseException) -> str | None:
    state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    return state if isinstance(state, str) else None


def is_retryable(exc: BaseException | None) -> bool:
    """A deadlock or serialization failure: safe to run read-only work again."""
    return any((_sqlstate(e) or "") in _RETRYABLE_SQLSTATES for e in _chain(exc))


def is_db_fault(exc: BaseException | None) -> bool:
    """Whether `exc` is the database's trouble (see the module docstring)."""
    if exc is None or isinstance(exc, TallyError):
        return isinstance(exc, ServiceUnavailable)
    for e in _chain(exc):
        if isinstance(e, TallyError):
            return isinstance(e, ServiceUnavailable)
        if isinstance(
            e,
            DatabaseUnavailable | sa_exc.TimeoutError | sa_exc.PendingRollbackError | OSError,
        ):
            return True
        if isinstance(e, sa_exc.DBAPIError) and e.connection_invalidated:
            return True
        state = _sqlstate(e)
        if state and state.startswith(_FAULT_SQLSTATES + _RETRYABLE_SQLSTATES):
            return True
    return False


def describe(exc: BaseException) -> str:
    """A short, log-safe description: the innermost driver error's class and SQLSTATE
    (no SQL text, no parameters)."""
    inner = list(_chain(exc))[-1]
    state = _sqlstate(inner) or next((s for e in _chain(exc) if (s := _sqlstate(e))), None)
    return f"{type(inner).__name__}" + (f" [{state}]" if state else "")


__all__ = [
    "RETRY_AFTER_S",
    "UNAVAILABLE_MESSAGE",
    "describe",
    "is_db_fault",
    "is_retryable",
]
