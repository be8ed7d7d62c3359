"""Per-request state: the principal, one serialized database session, and the
request's dataloaders.

GraphQL resolves sibling fields concurrently, but an `AsyncSession` must not be used by
two coroutines at once; `RequestSession` serializes statements on the request's one
connection (a dashboard request runs a handful of batched statements, so there is
nothing to gain from fanning out across pool connections).

The session may be opened lazily (`Context(open_session=...)`): a request that reads
nothing (`{ __typename }`, a cached principal and no data) creates no session, takes no
pooled connection and sends no statement; whoever passed `open_session` closes what it
opened (`RequestSession.opened`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.fastapi import BaseContext

from gateway import deadline
from gateway.auth import Principal
from gateway.config import Settings

L = TypeVar("L")


def _consume_outcome(task: asyncio.Future) -> None:
    """Mark a statement's outcome as seen: whoever awaited it has the error; a statement
    abandoned at the deadline must not log "exception was never retrieved"."""
    if not task.cancelled():
        task.exception()


class RequestFinished(RuntimeError):
    """A statement sent for a request that has already ended."""


class RequestSession:
    def __init__(
        self,
        session: AsyncSession | None = None,
        open_session: Callable[[], AsyncSession] | None = None,
    ) -> None:
        if session is None and open_session is None:
            raise TypeError("RequestSession needs a session or a way to open one")
        self._session = session
        self._open = open_session
        self._lock: asyncio.Lock | None = None
        self._pending: set[asyncio.Future] = set()
        self._finished = False
        self.statements = 0
        if session is not None:
            session.info.setdefault("request_sessions", []).append(self)

    @property
    def session(self) -> AsyncSession:
        """The request's session, created on first use."""
        if self._session is None:
            self._session = self._open()  # type: ignore[misc]
            self._session.info.setdefault("request_sessions", []).append(self)
        return self._session

    @property
    def opened(self) -> AsyncSession | None:
        """The session when one exists (lazily opened or given), else None."""
        return self._session

    async def drain(self) -> None:
        """Wait for statements still running for cancelled fields (called before the
        session is committed or closed)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    @property
    def busy(self) -> bool:
        """Whether a statement is running or queued on the request's connection."""
        return bool(self._pending)

    async def idle(self) -> None:
        """Wait until no statement is running or queued."""
        await self.drain()

    def finish(self) -> None:
        """The request is over (its owner commits or rolls back and closes the session):
        a statement sent from now on — by a resolver or a metric batch still running
        after its request failed — raises `RequestFinished` instead of taking a pooled
        connection for a session nobody will close again."""
        self._finished = True

    async def execute(self, statement: Any, params: Any = None):
        if self._finished:
            raise RequestFinished("the request has ended; the statement was not sent")
        task = asyncio.ensure_future(self._execute(statement, params))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        task.add_done_callback(_consume_outcome)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            # graphql-core cancels sibling fields when a non-null field fails. Cancelling
            # asyncpg mid-statement would close the connection and turn the client's input
            # error into a 503, so let the statement finish (statement_timeout bounds it)
            # — unless the request's deadline has passed: then the server may never
            # answer (frozen), so the statement is cancelled and the session's owner
            # drops the connection (`gateway.app.get_session`).
            while not task.done():
                if deadline.expired():
                    task.cancel()
                    break
                try:
                    await asyncio.wait_for(asyncio.shield(task), deadline.remaining())
                except (asyncio.CancelledError, TimeoutError):
                    continue
                except Exception:
                    break
            raise

    async def _execute(self, statement: Any, params: Any):
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            self.statements += 1
            return await self.session.execute(statement, params)

    async def scalars(self, statement: Any, params: Any = None):
        return (await self.execute(statement, params)).scalars()

    async def scalar(self, statement: Any, params: Any = None):
        return (await self.execute(statement, params)).scalar()


class Context(BaseContext):
    """What every resolver and REST route sees (`info.context` in GraphQL)."""

    def __init__(
        self,
        *,
        session: AsyncSession | None = None,
        open_session: Callable[[], AsyncSession] | None = None,
        principal: Principal | None,
        settings: Settings,
        request_id: str | None = None,
        request: Any = None,
        response: Any = None,
    ) -> None:
        super().__init__()
        self.db = RequestSession(session, open_session)
        self.principal = principal
        self.settings = settings
        self.request_id = request_id or uuid.uuid4().hex[:16]
        self.request = request
        self.response = response
        self._loaders: dict[type, Any] = {}
        # the request's converted field arguments (`resolvers.arguments`)
        self.converted_arguments: dict[Any, Any] = {}

    def reset_loaders(self) -> None:
        """Forget every loader (and what it cached): the next `loader()` reads afresh."""
        self._loaders.clear()

    def loader(self, cls: type[L], *args: Any) -> L:
        """The request's instance of a dataloader class (created on first use)."""
        key = (cls, *args) if args else cls
        found = self._loaders.get(key)
        if found is None:
            found = self._loaders[key] = cls(self, *args)
        return found
