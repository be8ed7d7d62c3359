"""The table-driven engine behind entity ingestion (`gateway.ingest.entities` declares the
collections; this validates, resolves and upserts them).

Per request: every record is checked without the database first; then, inside one
savepoint, collections are written in declaration order so later ones can reference
earlier ones by natural key. Per collection the statements are: one lookup per referenced
entity type, one `INSERT ... SELECT FROM unnest(...) ON CONFLICT DO UPDATE` per record
shape (the set of fields sent; fields not sent are left unchanged on update), one
delete + insert per child list, and the lifecycle events. Any problem anywhere rolls the
savepoint back and is reported; nothing is half-written.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import orjson

from gateway.ingest.resolve import ENTITY_TABLES, resolve_keys
from gateway.ingest.validate import parse_ts
from gateway.ingest.writer import EventRow, write_events
from gateway.models import Base

_PG_TYPES = {
    "str": "text",
    "int": "bigint",
    "float": "float8",
    "bool": "bool",
    "ts": "timestamptz",
    "date": "date",
    "month": "date",
    "json": "text",
    "ref": "bigint",
    "choice": "text",
    "action": "int2",
}
_CASTS = {"json": "::jsonb"}
_AUDIT_ACTIONS = {"create": 0, "update": 1, "delete": 2}


@dataclass(frozen=True)
class F:
    """One payload field. `column` defaults to the name (refs: `<name>_id`)."""

    name: str
    kind: str = "str"
    required: bool = False
    ref: str | None = None
    choices: tuple[str, ...] = ()
    column_: str | None = None
    key: bool = False
    default: Callable[[dict], Any] | None = None
    """Value used on create when the field is not sent (never overwrites on update)."""
    bounds: tuple[float, float] | None = None

    @property
    def column(self) -> str:
        if self.column_:
            return self.column_
        return f"{self.name}_id" if self.kind == "ref" else self.name


@dataclass(frozen=True)
class Child:
    """A list owned by the parent record, replaced wholesale when sent."""

    name: str
    table: str
    parent_column: str
    fields: tuple[F, ...]
    scalar: str | None = None
    """Items may be given as a bare value of this field (e.g. a username)."""
    mapping: tuple[str, str] | None = None
    """An object `{k: v}` is accepted as `[{mapping[0]: k, mapping[1]: v}, ...]`."""


@dataclass(frozen=True)
class Lifecycle:
    """An event written once when a record is created (event_id is deterministic)."""

    subject_type: str
    type: str
    ts_column: str
    actor_column: str | None = None
    when: Callable[[dict], bool] | None = None
    """Only for created rows (as returned by the upsert) this accepts."""
    subject_column: str = "id"


@dataclass(frozen=True)
class Collection:
    name: str
    table: str
    fields: tuple[F, ...]
    children: tuple[Child, ...] = ()
    lifecycle: tuple[Lifecycle, ...] = ()
    copies: str | None = None
    """Entity type recorded in `copies` when a record is created with `copied_from`."""
    check: Callable[[dict], str | None] | None = None

    @property
    def key_fields(self) -> tuple[F, ...]:
        return tuple(f for f in self.fields if f.key)

    @property
    def by_id(self) -> bool:
        return [f.name for f in self.key_fields] == ["id"]


@dataclass(frozen=True)
class EntityError:
    collection: str
    index: int
    key: object
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "collection": self.collection,
            "index": self.index,
            "key": self.key,
            "reason": self.reason,
        }


@dataclass
class EntityReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    ids: dict[str, list[int]] = field(default_factory=dict)
    events: int = 0
    errors: list[EntityError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "ids": self.ids}


@dataclass
class _Rec:
    index: int
    values: dict[str, Any]
    sent: frozenset[str]
    children: dict[str, list[dict[str, Any]]]
    row: dict[str, Any] | None = None


class _Rollback(Exception):
    pass


# --- static checks --------------------------------------------------------------------


def _max_len(table: str, column: str) -> int | None:
    col = Base.metadata.tables[table].c.get(column)
    return getattr(col.type, "length", None) if col is not None else None


def _coerce(f: F, raw: Any, table: str) -> tuple[Any, str | None]:
    label = repr(f.name)
    if f.kind in ("str", "choice") or (f.kind == "ref" and not _ref_by_id(f)):
        if not isinstance(raw, str) or (f.kind != "str" and not raw):
            return None, f"{label} must be a non-empty string" if f.kind != "str" else (
                f"{label} must be a string"
            )
        if "\x00" in raw:
            return None, f"{label} contains a NUL character"
        if f.kind == "choice" and raw not in f.choices:
            return None, f"{label} must be one of {', '.join(f.choices)}, got {raw!r}"
        limit = _max_len(table, f.column) if f.kind == "str" else None
        if limit and len(raw) > limit:
            return None, f"{label} is {len(raw)} characters; the limit is {limit}"
        return raw, None
    if f.kind in ("int", "ref"):
        if not isinstance(raw, int) or isinstance(raw, bool) or not -(2**63) <= raw < 2**63:
            return None, f"{label} must be an integer"
        return raw, None
    if f.kind == "float":
        if not isinstance(raw, int | float) or isinstance(raw, bool) or not math.isfinite(raw):
            return None, f"{label} must be a finite number"
        if f.bounds and not f.bounds[0] <= raw <= f.bounds[1]:
            return None, f"{label} must be between {f.bounds[0]} and {f.bounds[1]}"
        return float(raw), None
    if f.kind == "bool":
        if not isinstance(raw, bool):
            return None, f"{label} must be true or false"
        return raw, None
    if f.kind == "ts":
        ts, why = parse_ts(raw)
        return ts, why and why.replace("'ts'", label)
    if f.kind in ("date", "month"):
        text = raw if isinstance(raw, str) else ""
        if f.kind == "month" and len(text) == 7:
            text += "-01"
        try:
            d = date.fromisoformat(text)
        except ValueError:
            fmt = "YYYY-MM" if f.kind == "month" else "YYYY-MM-DD"
            return None, f"{label} must be a date ({fmt}), got {raw!r}"
        return (d.replace(day=1) if f.kind == "month" else d), None
    if f.kind == "json":
        if not isinstance(raw, dict):
            return None, f"{label} must be an object"
        text = orjson.dumps(raw).decode()
        if "\\u0000" in text:
            return None, f"{label} contains a NUL character"
        return text, None
    if f.kind == "action":
        if isinstance(raw, str) and raw in _AUDIT_ACTIONS:
            return _AUDIT_ACTIONS[raw], None
        if raw in (0, 1, 2) and not isinstance(raw, bool):
            return raw, None
        return None, f"{label} must be create, update or delete (or 0, 1, 2)"
    raise AssertionError(f.kind)


def _ref_by_id(f: F) -> bool:
    return f.ref is not None and ENTITY_TABLES[f.ref].by_id


def _check_fields(
    fields: Sequence[F], obj: dict, table: str, extra: Sequence[str] = ()
) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    known = {f.name for f in fields} | set(extra)
    unknown = sorted(k for k in obj if k not in known)
    if unknown:
        problems.append(
            f"unknown field(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(sorted(known))}"
        )
    values: dict[str, Any] = {}
    for f in fields:
        raw = obj.get(f.name)
        if raw is None:
            if f.required:
                problems.append(f"{f.name!r} is required")
            elif f.name in obj and not f.key:  # an optional key left null = not sent
                values[f.name] = None
            continue
        value, why = _coerce(f, raw, table)
        if why:
            problems.append(why)
        else:
            values[f.name] = value
    return values, problems


def _check_child(child: Child, raw: Any) -> tuple[list[dict[str, Any]], list[str]]:
    if child.mapping and isinstance(raw, dict):
        raw = [{child.mapping[0]: k, child.mapping[1]: v} for k, v in raw.items()]
    if not isinstance(raw, list):
        return [], [f"{child.name!r} must be a list"]
    items, problems, seen = [], [], set()
    for j, item in enumerate(raw):
        if child.scalar and not isinstance(item, dict):
            item = {child.scalar: item}
        if not isinstance(item, dict):
            problems.append(f"{child.name}[{j}] must be an object")
            continue
        values, why = _check_fields(child.fields, item, child.table)
        problems += [f"{child.name}[{j}]: {w}" for w in why]
        ident = values.get(child.fields[0].name)
        if ident in seen:
            problems.append(f"{child.name}[{j}]: {ident!r} is listed twice")
        seen.add(ident)
        items.append(values)
    return items, problems


def check_collection(coll: Collection, records: Any) -> tuple[list[_Rec], list[EntityError]]:
    if not isinstance(records, list):
        return [], [EntityError(coll.name, -1, None, f"'{coll.name}' must be a list of objects")]
    recs, errors = [], []
    seen: dict[tuple, int] = {}
    for i, obj in enumerate(records):
        if not isinstance(obj, dict):
            errors.append(EntityError(coll.name, i, None, "each record must be a JSON object"))
            continue
        values, problems = _check_fields(
            coll.fields, obj, coll.table, [c.name for c in coll.children]
        )
        children: dict[str, list[dict]] = {}
        for child in coll.children:
            if obj.get(child.name) is not None:
                items, why = _check_child(child, obj[child.name])
                children[child.name] = items
                problems += why
        if coll.check and not problems:
            why = coll.check(values)
            if why:
                problems.append(why)
        key = _key_of(coll, values)
        if key is not None and not problems:
            if key in seen:
                problems.append(f"duplicate of record {seen[key]} (same {_key_names(coll)})")
            seen[key] = i
        if problems:
            errors.append(EntityError(coll.name, i, _show_key(key), "; ".join(problems)))
        else:
            recs.append(_Rec(i, values, frozenset(values), children))
    return recs, errors


def _key_of(coll: Collection, values: dict) -> tuple | None:
    """The natural key, or None for a record that will get a fresh id. An optional key
    part may be None (a budget without mission is the org's)."""
    if coll.by_id and values.get("id") is None:
        return None
    return tuple(values.get(f.name) for f in coll.key_fields)


def _key_names(coll: Collection) -> str:
    return " + ".join(f.name for f in coll.key_fields)


def _show_key(key: tuple | None) -> object:
    if key is None:
        return None
    return key[0] if len(key) == 1 else list(key)


# --- writing --------------------------------------------------------------------------


async def ingest_collections(
    conn: asyncpg.Connection,
    org_id: int,
    collections: Sequence[Collection],
    payload: dict[str, Any],
) -> EntityReport:
    """Validate and upsert `payload` into `collections` (in that order) for one org.
    On any error nothing is written and `report.errors` says why."""
    report = EntityReport()
    checked: list[tuple[Collection, list[_Rec]]] = []
    for coll in collections:
        if coll.name in payload:
            recs, errors = check_collection(coll, payload[coll.name])
            report.errors += errors
            checked.append((coll, recs))
    if report.errors:
        return report
    try:
        async with conn.transaction():
            for coll, recs in checked:
                await _write_collection(conn, org_id, coll, recs, report)
            if report.errors:
                raise _Rollback
    except _Rollback:
        report.created, report.updated, report.ids, report.events = {}, {}, {}, 0
    return report


async def _write_collection(
    conn: asyncpg.Connection,
    org_id: int,
    coll: Collection,
    recs: list[_Rec],
    report: EntityReport,
) -> None:
    report.created.setdefault(coll.name, 0)
    report.updated.setdefault(coll.name, 0)
    if coll.by_id:
        await _assign_ids(conn, org_id, coll, recs)
    self_refs = [f for f in coll.fields if f.kind == "ref" and f.ref == _entity_of(coll)]
    pending = list(recs)
    while pending:
        # A record referencing (e.g. copied_from) another record of the same batch waits
        # until that one is written.
        waiting = {_ref_key(coll, r) for r in pending}
        ready = [
            r
            for r in pending
            if not any(r.values.get(f.name) in waiting - {_ref_key(coll, r)} for f in self_refs)
        ]
        if not ready:
            for r in pending:
                report.errors.append(
                    EntityError(coll.name, r.index, None, "circular reference in this batch")
                )
            return
        pending = [r for r in pending if r not in ready]
        good = await _resolve_refs(conn, org_id, coll, ready, report)
        await _upsert(conn, org_id, coll, good, report)
        await _write_children(conn, org_id, coll, good)
        await _lifecycle(conn, org_id, coll, good, report)
    if coll.by_id:
        report.ids[coll.name] = [r.values["id"] for r in sorted(recs, key=lambda r: r.index)]


def _entity_of(coll: Collection) -> str | None:
    for entity, spec in ENTITY_TABLES.items():
        if spec.table == coll.table:
            return entity
    return None


def _ref_key(coll: Collection, rec: _Rec) -> object:
    key = _key_of(coll, rec.values)
    return key[0] if key and len(key) == 1 else key


async def _assign_ids(conn: asyncpg.Connection, org_id: int, coll: Collection, recs) -> None:
    """Records addressed by `id`: keep the sequence ahead of explicit ids, and draw ids
    for records sent without one (so every row of the batch has a known id)."""
    explicit = [r.values["id"] for r in recs if "id" in r.values]
    if explicit:
        await conn.execute(
            "SELECT setval(pg_get_serial_sequence($1, 'id'), "
            "GREATEST($2::bigint, nextval(pg_get_serial_sequence($1, 'id'))))",
            coll.table,
            max(explicit),
        )
    fresh = [r for r in recs if "id" not in r.values]
    if fresh:
        ids = await conn.fetch(
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)",
            coll.table,
            len(fresh),
        )
        for r, row in zip(fresh, ids, strict=True):
            r.values["id"] = row["id"]


async def _resolve_refs(
    conn: asyncpg.Connection, org_id: int, coll: Collection, recs: list[_Rec], report
) -> list[_Rec]:
    wanted: dict[str, set] = defaultdict(set)
    for r in recs:
        for f in coll.fields:
            if f.kind == "ref" and r.values.get(f.name) is not None:
                wanted[f.ref].add((org_id, r.values[f.name]))
        for child in coll.children:
            for item in r.children.get(child.name, ()):
                for f in child.fields:
                    if f.kind == "ref":
                        wanted[f.ref].add((org_id, item[f.name]))
    found = {
        entity: await resolve_keys(conn, entity, pairs, by_id=ENTITY_TABLES[entity].by_id)
        for entity, pairs in wanted.items()
    }

    def lookup(f: F, key: object, where: str, problems: list[str]) -> int | None:
        got = found[f.ref].get((org_id, key))
        if got is None:
            col = ENTITY_TABLES[f.ref].column
            problems.append(f"{where}: no {f.ref} with {col} {key!r} in this org")
        return got

    good = []
    for r in recs:
        problems: list[str] = []
        for f in coll.fields:
            if f.kind == "ref" and r.values.get(f.name) is not None:
                r.values[f.name] = lookup(f, r.values[f.name], repr(f.name), problems)
        for child in coll.children:
            for j, item in enumerate(r.children.get(child.name, ())):
                for f in child.fields:
                    if f.kind == "ref":
                        item[f.name] = lookup(f, item[f.name], f"{child.name}[{j}]", problems)
        if problems:
            key = _show_key(_key_of(coll, r.values)) if not coll.by_id else None
            report.errors.append(EntityError(coll.name, r.index, key, "; ".join(problems)))
        else:
            good.append(r)
    return good


async def _upsert(
    conn: asyncpg.Connection, org_id: int, coll: Collection, recs: list[_Rec], report
) -> None:
    shapes: dict[frozenset[str], list[_Rec]] = defaultdict(list)
    for r in recs:
        shapes[r.sent | {"id"} if coll.by_id else r.sent].append(r)
    for sent, group in shapes.items():
        insert_fields = [f for f in coll.fields if f.name in sent or f.default is not None]
        for r in group:
            for f in insert_fields:
                if f.name not in r.values:
                    r.values[f.name] = f.default(r.values)  # type: ignore[misc]
        cols = [f.column for f in insert_fields]
        unnest = ", ".join(f"${i + 2}::{_PG_TYPES[f.kind]}[]" for i, f in enumerate(insert_fields))
        select = ", ".join(f"u.c{i}{_CASTS.get(f.kind, '')}" for i, f in enumerate(insert_fields))
        names = ", ".join(f"c{i}" for i in range(len(insert_fields)))
        conflict = ", ".join(["org_id", *(f.column for f in coll.key_fields)])
        updates = [f.column for f in coll.fields if f.name in sent and not f.key]
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in updates) or (
            f"{coll.key_fields[0].column} = EXCLUDED.{coll.key_fields[0].column}"
        )
        sql = f"""
            INSERT INTO {coll.table} AS t (org_id, {", ".join(cols)})
            SELECT $1, {select} FROM unnest({unnest}) AS u({names})
            ON CONFLICT ({conflict}) DO UPDATE SET {sets}
            RETURNING t.*, (t.xmax::text = '0') AS _inserted
        """
        args = [[r.values[f.name] for r in group] for f in insert_fields]
        rows = await conn.fetch(sql, org_id, *args)
        by_key = {tuple(row[f.column] for f in coll.key_fields): row for row in rows}
        for r in group:
            row = by_key[tuple(r.values.get(f.name) for f in coll.key_fields)]
            r.row = dict(row)
            bucket = report.created if row["_inserted"] else report.updated
            bucket[coll.name] += 1


async def _write_children(
    conn: asyncpg.Connection, org_id: int, coll: Collection, recs: list[_Rec]
) -> None:
    for child in coll.children:
        owners = [r for r in recs if child.name in r.children]
        if not owners:
            continue
        parent_ids = [r.row["id"] for r in owners]  # type: ignore[index]
        await conn.execute(
            f"DELETE FROM {child.table} WHERE org_id = $1 AND {child.parent_column} = ANY($2)",
            org_id,
            parent_ids,
        )
        flat = [(r.row["id"], item) for r in owners for item in r.children[child.name]]  # type: ignore[index]
        if not flat:
            continue
        fields = [f for f in child.fields if any(f.name in item for _, item in flat)]
        for f in fields:
            for _, item in flat:
                if f.name not in item and f.default is not None:
                    item[f.name] = f.default(item)
        cols = [child.parent_column, *(f.column for f in fields)]
        types = ["bigint", *(_PG_TYPES[f.kind] for f in fields)]
        unnest = ", ".join(f"${i + 2}::{t}[]" for i, t in enumerate(types))
        await conn.execute(
            f"INSERT INTO {child.table} (org_id, {', '.join(cols)}) "
            f"SELECT $1, * FROM unnest({unnest})",
            org_id,
            [pid for pid, _ in flat],
            *[[item.get(f.name) for _, item in flat] for f in fields],
        )


async def _lifecycle(
    conn: asyncpg.Connection, org_id: int, coll: Collection, recs: list[_Rec], report
) -> None:
    created = [r for r in recs if r.row and r.row["_inserted"]]
    events: list[EventRow] = []
    for r in created:
        row = r.row
        assert row is not None
        key = _ref_key(coll, r)
        for lc in coll.lifecycle:
            if lc.when and not lc.when(row):
                continue
            attrs = {"entity": coll.name, "key": key}
            if lc.subject_column != "id":  # e.g. `copied` is on the source: name the copy
                attrs["copy_id"] = row["id"]
            events.append(
                EventRow(
                    org_id,
                    f"entity:{lc.subject_type}:{key}:{lc.type}",
                    lc.type,
                    lc.subject_type,
                    row[lc.subject_column],
                    row[lc.ts_column] or datetime.now(UTC),
                    row[lc.actor_column] if lc.actor_column else None,
                    1.0,
                    "{}",
                    orjson.dumps(attrs).decode(),
                )
            )
    if coll.copies:
        copies = [r.row for r in created if r.row and r.row.get("copied_from_id") is not None]
        actor = next(lc.actor_column for lc in coll.lifecycle if lc.actor_column)
        if copies:
            await conn.executemany(
                "INSERT INTO copies (org_id, entity_type, source_id, copy_id, copied_by, "
                "created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                [
                    (org_id, coll.copies, c["copied_from_id"], c["id"], c[actor], c["created_at"])
                    for c in copies
                ],
            )
    if events:
        report.events += await write_events(conn, events)
