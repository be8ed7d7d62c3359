"""The current request's deadline, visible to the code that runs it.

`gateway.guards.DeadlineMiddleware` sets it (event-loop time) before it starts the
request's task, so everything that task awaits sees it through a context variable.
Code that would otherwise wait politely for a statement to finish (the request session,
`gateway.context.RequestSession`) asks `expired()` and stops waiting once the deadline
has passed: with a frozen server the statement never finishes.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar

_DEADLINE: ContextVar[float | None] = ContextVar("tally_request_deadline", default=None)


def set_deadline(at: float | None):
    """Set the deadline (loop time) for the current context; returns a reset token."""
    return _DEADLINE.set(at)


def reset_deadline(token) -> None:
    _DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left before the deadline (≤ 0 once passed), or None without one."""
    at = _DEADLINE.get()
    if at is None:
        return None
    return at - asyncio.get_running_loop().time()


def expired() -> bool:
    left = remaining()
    return left is not None and left <= 0
