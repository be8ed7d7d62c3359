"""Relay-style connections shared by every list field: `totalCount`, `edges { cursor node }`,
`nodes`, `pageInfo`, with a bounded `first`.

A list field is `page_args(first, after)` (validated before anything is read) and
`paginate(page, fetch, node)`: `fetch(offset=, limit=)` reads the page's rows and the total,
`node` turns a row into its GraphQL object.

Cursors are opaque offsets into a stably ordered list (every ordering ends with the
primary key as tie-breaker), which keeps them valid across equal sort values.
"""

from __future__ import annotations

import base64
import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry

from gateway.errors import InvalidInput
from gateway.inputs import PG_INT_MAX

T = TypeVar("T")
R = TypeVar("R")

MAX_FIRST = 100
DEFAULT_FIRST = 20


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    total_count: int
    edges: list[Edge[T]]
    nodes: list[T]
    page_info: PageInfo


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        kind, value = raw.split(":", 1)
        if kind != "o" or not (value.isascii() and value.isdigit()):
            raise ValueError
        offset = int(value)
        if offset > PG_INT_MAX:  # no list is that long; PostgreSQL could not take it
            raise ValueError
        return offset
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"'{cursor}' is not a valid cursor.") from exc


@dataclass(frozen=True)
class Page:
    """What a repository needs to fetch one page: `LIMIT limit OFFSET offset`."""

    offset: int
    limit: int


def page_args(
    first: int | None,
    after: str | None,
    *,
    max_first: int = MAX_FIRST,
    offset: int | None = None,
) -> Page:
    """Validate `first`/`after` and turn them into a Page (fetch `limit + 1` rows to know
    whether there is a next page; `build_connection` trims it). `offset` is the legacy
    alternative to `after` some ibl.ai fields take (page n of size l = offset (n - 1) × l)."""
    if first is None:
        first = DEFAULT_FIRST
    if first < 0 or first > max_first:
        raise InvalidInput(f"`first` must be between 0 and {max_first}, got {first}.")
    start = decode_cursor(after) + 1 if after else 0
    if offset is None:
        return Page(offset=start, limit=first)
    if offset < 0:
        raise InvalidInput(f"`offset` must be 0 or more, got {offset}.")
    if after is not None:
        raise InvalidInput("Give either `offset` or `after`, not both.")
    return Page(offset=offset, limit=first)


def build_connection(nodes: Sequence[T], *, page: Page, total_count: int) -> Connection[T]:
    """`nodes` is the page as fetched (possibly one extra row beyond `page.limit`)."""
    items = list(nodes[: page.limit])
    edges = [Edge(cursor=encode_cursor(page.offset + i), node=n) for i, n in enumerate(items)]
    return Connection(
        total_count=total_count,
        edges=edges,
        nodes=items,
        page_info=PageInfo(
            has_next_page=page.offset + len(items) < total_count,
            has_previous_page=page.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


Fetch = Callable[..., "Awaitable[tuple[Sequence[Any], int]] | tuple[Sequence[Any], int]"]
"""`fetch(offset=, limit=)` -> (the page's rows, up to `limit + 1` of them; the total)."""


async def paginate(
    page: Page, fetch: Fetch, node: Callable[[Any], T] | None = None
) -> Connection[T]:
    """The connection of one list field: the rows `fetch` reads for `page`, each made a
    node by `node` (default: the rows are the nodes)."""
    found = fetch(offset=page.offset, limit=page.limit)
    rows, total = await found if inspect.isawaitable(found) else found
    nodes = rows if node is None else [node(r) for r in rows]
    return build_connection(nodes, page=page, total_count=total)


def window(items: Sequence[T]) -> Fetch:
    """`fetch` for a list already in memory."""

    def fetch(*, offset: int, limit: int) -> tuple[Sequence[T], int]:
        return items[offset : offset + limit], len(items)

    return fetch
