"""The `Node` interface, opaque global ids, and `node(id:)` / `nodes(ids:)`.

A global id is base64url("<Type>:<org_id>:<id>"). Each node type registers a fetcher
that loads many ids of that type through the request's loaders; a node of another org,
or one the caller may not see, is simply not found.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import operator
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.errors import InvalidInput
from gateway.inputs import parse_pk
from resolvers.permissions import IsAuthenticated

MAX_NODES = 100


@strawberry.interface(description="An object with an opaque, globally unique id.")
class Node:
    id: strawberry.ID


def encode_id(type_name: str, org_id: int, pk: int) -> strawberry.ID:
    raw = f"{type_name}:{org_id}:{pk}".encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).decode().rstrip("="))


T = TypeVar("T")


def fill_from_row(cls: type[T], row: Any, /, **values: Any) -> T:
    """An object of the strawberry type `cls` read off one ORM row. Every field that is not
    in `values` (and has no resolver) comes from the row:

      id        the global id, `encode_id(<the GraphQL type name>, row.org_id, row.id)`
      pk        row.id
      <name>_pk row.<name>_id
      any other the row's attribute of the same name

    `values` gives the rest: enum values, renamed columns, what the row does not hold."""
    return cls(**{name: read(row) for name, read in _row_plan(cls) if name not in values}, **values)


@functools.cache
def _row_plan(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    type_name = cls.__strawberry_definition__.name

    def read(name: str) -> Callable[[Any], Any]:
        if name == "id":
            return lambda row: encode_id(type_name, row.org_id, row.id)
        if name == "pk":
            return operator.attrgetter("id")
        if name.endswith("_pk"):
            return operator.attrgetter(name.removesuffix("_pk") + "_id")
        return operator.attrgetter(name)

    return tuple((f.name, read(f.name)) for f in dataclasses.fields(cls) if f.init)


MAX_ID_LENGTH = 120


def decode_id(global_id: str) -> tuple[str, int, int]:
    """Raises InvalidInput for anything that is not a Tally id (including keys that no
    row can have: 0, negative, or beyond PostgreSQL's bigint)."""
    shown = global_id if len(global_id) <= MAX_ID_LENGTH else global_id[:MAX_ID_LENGTH] + "…"
    try:
        if len(global_id) > MAX_ID_LENGTH or not global_id.isascii():
            raise ValueError(global_id)
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, org, pk = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
        org_id, key = parse_pk(org), parse_pk(pk)
        if org_id is None or key is None or not type_name.isidentifier():
            raise ValueError(global_id)
        return type_name, org_id, key
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{shown!r} is not a valid node id.") from exc


NodeFetcher = Callable[[Context, Sequence[int]], Awaitable[Sequence[Any]]]
_FETCHERS: dict[str, NodeFetcher] = {}


def register_node(type_name: str, fetcher: NodeFetcher) -> None:
    """Make `type_name` resolvable by `node(id:)`. The fetcher must apply the same access
    rules as the type's root fields and return None for what the caller may not see."""
    _FETCHERS[type_name] = fetcher


async def resolve_nodes(ctx: Context, ids: Sequence[str]) -> list[Any]:
    decoded = [decode_id(i) for i in ids]
    by_type: dict[str, list[int]] = {}
    for type_name, org_id, pk in decoded:
        if org_id == ctx.principal.org_id and type_name in _FETCHERS:
            by_type.setdefault(type_name, []).append(pk)
    found: dict[tuple[str, int], Any] = {}
    for type_name, pks in by_type.items():
        for pk, obj in zip(pks, await _FETCHERS[type_name](ctx, pks), strict=True):
            found[(type_name, pk)] = obj
    return [
        found.get((t, pk)) if org_id == ctx.principal.org_id else None for t, org_id, pk in decoded
    ]


@strawberry.type
class NodeQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Fetch any object by its global id; null when it does not exist or is "
        "not visible to you.",
    )
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        return (await resolve_nodes(info.context, [id]))[0]

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description=f"Fetch up to {MAX_NODES} objects by global id, in the order asked.",
    )
    async def nodes(self, info: Info[Context, None], ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise InvalidInput(f"nodes(ids:) takes at most {MAX_NODES} ids, got {len(ids)}.")
        return await resolve_nodes(info.context, ids)
