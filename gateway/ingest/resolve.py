"""Batched natural-key -> id resolution for ingestion.

Every lookup is one statement per entity type, whatever the number of keys (or one
statement for several entity types, `resolve_many`), and is scoped by org: keys are
`(org_id, natural key)` pairs, so an event or entity can never resolve to a row of
another org.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import asyncpg

from gateway.vocabulary import SUBJECT_TYPES


@dataclass(frozen=True)
class KeyedTable:
    table: str
    column: str
    """The natural key column (`id` for entities addressed by their numeric id)."""

    @property
    def by_id(self) -> bool:
        return self.column == "id"


def _from_vocabulary() -> dict[str, KeyedTable]:
    out: dict[str, KeyedTable] = {}
    for subject_type, where in SUBJECT_TYPES.items():
        table, column = where.split(".")
        out[subject_type] = KeyedTable(table, column)
    return out


ENTITY_TABLES: dict[str, KeyedTable] = {
    **_from_vocabulary(),
    # referenced by entities only (not event subjects)
    "workspace": KeyedTable("workspaces", "uuid"),
    "chat_session": KeyedTable("chat_sessions", "key"),
    "program": KeyedTable("programs", "key"),
    "user_group": KeyedTable("user_groups", "id"),
}
"""entity type -> table and natural key column. Event subject types come from the
vocabulary (`SUBJECT_TYPES`), so the two can never disagree."""


async def resolve_keys(
    conn: asyncpg.Connection,
    entity: str,
    pairs: Iterable[tuple[int, object]],
    *,
    by_id: bool = False,
) -> dict[tuple[int, object], int]:
    """`{(org_id, key): id}` for the pairs that exist (missing ones are absent). With
    `by_id` the keys are numeric ids and this is an existence check."""
    spec = ENTITY_TABLES[entity]
    column = "id" if by_id else spec.column
    pairs = list(set(pairs))
    if not pairs:
        return {}
    key_type = "bigint" if column == "id" else "text"
    # orgs are not tenant-owned: an org subject must be the event's own org (id = org_id)
    tenant = "id" if spec.table == "orgs" else "org_id"
    rows = await conn.fetch(
        f"""
        SELECT q.org_id, q.k, t.id
        FROM {spec.table} t
        JOIN unnest($1::bigint[], $2::{key_type}[]) AS q(org_id, k)
          ON t.{tenant} = q.org_id AND t.{column} = q.k
        """,
        [o for o, _ in pairs],
        [k for _, k in pairs],
    )
    return {(r["org_id"], r["k"]): r["id"] for r in rows}


def _part(entity: str, by_id: bool, n: int) -> tuple[str, str]:
    spec = ENTITY_TABLES[entity]
    column = "id" if by_id else spec.column
    key_type = "bigint" if column == "id" else "text"
    tenant = "id" if spec.table == "orgs" else "org_id"
    return key_type, (
        f"SELECT {n} AS part, q.i, t.id FROM {spec.table} t"
        f" JOIN unnest(${2 * n + 1}::bigint[], ${2 * n + 2}::{key_type}[]) WITH ORDINALITY"
        f" AS q(org_id, k, i) ON t.{tenant} = q.org_id AND t.{column} = q.k"
    )


async def resolve_many(
    conn: asyncpg.Connection,
    lookups: Sequence[tuple[str, Iterable[tuple[int, object]], bool]],
) -> list[dict[tuple[int, object], int]]:
    """`resolve_keys` for several `(entity, pairs, by_id)` lookups in one round trip;
    one result per lookup, in order."""
    pairs_of = [list(set(pairs)) for _, pairs, _ in lookups]
    parts, args = [], []
    for n, ((entity, _, by_id), pairs) in enumerate(zip(lookups, pairs_of, strict=True)):
        parts.append(_part(entity, by_id, n)[1])
        args += [[o for o, _ in pairs], [k for _, k in pairs]]
    out: list[dict[tuple[int, object], int]] = [{} for _ in lookups]
    if not any(pairs_of):
        return out
    for part, i, id_ in await conn.fetch(" UNION ALL ".join(parts), *args):
        out[part][pairs_of[part][i - 1]] = id_
    return out


async def resolve_org_keys(conn: asyncpg.Connection, keys: Iterable[str]) -> dict[str, int]:
    keys = list(set(keys))
    if not keys:
        return {}
    rows = await conn.fetch("SELECT key, id FROM orgs WHERE key = ANY($1::text[])", keys)
    return {r["key"]: r["id"] for r in rows}
