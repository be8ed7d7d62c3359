"""RequestSession: statements are serialized, counted, and survive cancellation."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from gateway.config import Settings
from gateway.context import Context, RequestFinished


async def test_a_cancelled_field_does_not_break_the_request_connection(session):
    ctx = Context(session=session, principal=None, settings=Settings())
    slow = asyncio.ensure_future(ctx.db.execute(text("SELECT pg_sleep(0.3), 1")))
    await asyncio.sleep(0.05)  # the statement is now running on the connection
    slow.cancel()  # what graphql-core does to sibling fields when one fails
    with pytest.raises(asyncio.CancelledError):
        await slow
    # the connection is still usable by the rest of the request
    assert (await ctx.db.execute(text("SELECT 41 + 1"))).scalar() == 42
    assert ctx.db.statements == 2


async def test_concurrent_statements_are_serialized(session):
    ctx = Context(session=session, principal=None, settings=Settings())
    results = await asyncio.gather(*(ctx.db.scalar(text(f"SELECT {i}")) for i in range(10)))
    assert results == list(range(10))
    assert ctx.db.statements == 10


async def test_drain_waits_for_statements_of_cancelled_fields(session):
    ctx = Context(session=session, principal=None, settings=Settings())
    slow = asyncio.ensure_future(ctx.db.execute(text("SELECT pg_sleep(0.3), 1")))
    await asyncio.sleep(0.05)
    slow.cancel()
    await ctx.db.drain()  # what the request session does before commit / close
    assert not ctx.db._pending
    assert (await session.execute(text("SELECT 1"))).scalar() == 1


async def test_a_statement_after_the_request_finished_opens_nothing(session):
    """A resolver or metric batch left running after its request failed must not take a
    pooled connection for a session its owner has already closed."""
    opened = []

    def open_session():
        opened.append(True)
        return session

    ctx = Context(open_session=open_session, principal=None, settings=Settings())
    ctx.db.finish()  # what the request's owner does once it has answered
    with pytest.raises(RequestFinished):
        await ctx.db.execute(text("SELECT 1"))
    assert opened == [] and ctx.db.opened is None and ctx.db.statements == 0
