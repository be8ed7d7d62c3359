"""Relay-style connections shared by every list field: `totalCount`, `edges { cursor node }`,
`nodes`, `pageInfo`, with a bounded `first`.

Cursors are opaque offsets into a stably ordered list (every ordering ends with the
primary key as tie-breaker), which keeps them valid across equal sort values.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from gateway.errors import InvalidInput
from gateway.inputs import PG_INT_MAX

T = TypeVar("T")

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


def page_args(first: int | None, after: str | None, *, max_first: int = MAX_FIRST) -> Page:
    """Validate `first`/`after` and turn them into a Page (fetch `limit + 1` rows to know
    whether there is a next page; `build_connection` trims it)."""
    if first is None:
        first = DEFAULT_FIRST
    if first < 0 or first > max_first:
        raise InvalidInput(f"`first` must be between 0 and {max_first}, got {first}.")
    offset = decode_cursor(after) + 1 if after else 0
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
