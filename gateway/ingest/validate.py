"""Event validation, shared by the ingestion API and `tally ingest FILE`.

An event (one JSON object) is checked against `gateway.vocabulary` and turned into an
`EventRow`. Checks that need no database run first; then natural keys are resolved with
one batched query per subject type (plus one for actor usernames and, for files, one for
org keys). Every problem is reported with the event's position and a reason a person can
act on; nothing is written here.

Event shape:

    {"event_id": "str, required, <= 200 chars",
     "type": "view",
     "subject": {"type": "publication", "key": "ai-research-studio"}   (or "id": 42),
     "ts": "2026-03-01T10:15:00Z"   (ISO-8601 with a UTC offset),
     "actor": "username"   or   "actor_id": 123   (optional unless the kind requires one),
     "value": 1.0          (optional, default 1; what it means depends on the kind),
     "dims": {...}         (only the keys the vocabulary allows for that kind),
     "attrs": {...}}       (free metadata, stored, never grouped by)

Files may add `"org": "<org key>"` per line; the API takes the org from the token (an
`org` field there must name the caller's own org).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

from gateway.ingest.resolve import resolve_many, resolve_org_keys
from gateway.ingest.writer import EventRow
from gateway.vocabulary import EVENT_KINDS, SUBJECT_TYPES, EventKind, kind_of

MAX_EVENT_ID = 200
FIELDS = ("event_id", "type", "subject", "ts", "actor", "actor_id", "value", "dims", "attrs")
_DIM_VALUE_TYPES = (str, int, float, bool)


@dataclass(frozen=True)
class EventError:
    index: int
    """Position of the event: 0-based index in an API batch, 1-based line in a file."""
    event_id: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "event_id": self.event_id, "reason": self.reason}


@dataclass
class Validated:
    rows: list[EventRow] = field(default_factory=list)
    errors: list[EventError] = field(default_factory=list)


@dataclass
class _Pending:
    pos: int
    event_id: str
    org_key: str | None
    kind: EventKind
    subject_ref: object
    subject_by_id: bool
    ts: datetime
    actor: str | None
    actor_id: int | None
    value: float
    dims: str
    attrs: str


def _types_for(subject_type: str) -> str:
    return ", ".join(t for (s, t) in EVENT_KINDS if s == subject_type)


def _is_int(v: object) -> bool:
    """A JSON integer that fits PostgreSQL's bigint."""
    return isinstance(v, int) and not isinstance(v, bool) and -(2**63) <= v < 2**63


def _json_text(obj: dict, what: str, problems: list[str]) -> str:
    try:
        text = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        problems.append(f"'{what}' contains a value that cannot be stored (integer too large?)")
        return "{}"
    if "\\u0000" in text:
        problems.append(f"'{what}' contains a NUL character, which cannot be stored")
    return text


def parse_ts(raw: object) -> tuple[datetime | None, str | None]:
    """(aware UTC datetime, None) or (None, reason)."""
    if raw is None:
        return None, "'ts' is required (ISO-8601 with a UTC offset, e.g. 2026-03-01T10:15:00Z)"
    if not isinstance(raw, str):
        return None, f"'ts' must be an ISO-8601 string, got {type(raw).__name__}"
    try:
        ts = datetime.fromisoformat(raw)
    except ValueError:
        return None, f"'ts' {raw!r} is not an ISO-8601 timestamp (e.g. 2026-03-01T10:15:00Z)"
    if ts.tzinfo is None or ts.utcoffset() is None:
        return None, f"'ts' {raw!r} has no UTC offset: add one, e.g. 'Z' or '+02:00'"
    try:
        return ts.astimezone(UTC), None
    except OverflowError:
        return None, f"'ts' {raw!r} is out of range"


_ALLOWED = frozenset((*FIELDS, "org"))
_KEY_COLUMN = {st: where.split(".")[1] for st, where in SUBJECT_TYPES.items()}
_KIND_DIMS = {k: frozenset(kind.dims) for k, kind in EVENT_KINDS.items()}
_SCALARS = frozenset((str, int, float, bool))


def _fast(pos: int, ev: object) -> _Pending | None:
    """The common, well-formed event (subject by key, plain JSON values) in a few
    microseconds; None sends the event through `_check_static`, which accepts exactly
    the same events and says what is wrong with the others."""
    if type(ev) is not dict or not ev.keys() <= _ALLOWED:
        return None
    event_id, subject, type_ = ev.get("event_id"), ev.get("subject"), ev.get("type")
    if (
        type(event_id) is not str
        or not 0 < len(event_id) <= MAX_EVENT_ID
        or event_id.isspace()
        or "\x00" in event_id
        or type(subject) is not dict
        or len(subject) != 2
        or type(type_) is not str
    ):
        return None
    st, key = subject.get("type"), subject.get("key")
    if type(st) is not str or type(key) is not str or not key or _KEY_COLUMN.get(st, "id") == "id":
        return None
    kind = EVENT_KINDS.get((st, type_))
    org_key = ev.get("org")
    if kind is None or (org_key is not None and type(org_key) is not str):
        return None
    raw_ts = ev.get("ts")
    if type(raw_ts) is not str:
        return None
    try:
        ts = datetime.fromisoformat(raw_ts)
        if ts.tzinfo is None:
            return None
        if ts.tzinfo is not UTC:
            ts = ts.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    actor, actor_id = ev.get("actor"), ev.get("actor_id")
    if actor_id is not None or (actor is not None and (type(actor) is not str or not actor)):
        return None
    if actor is None and kind.actor == "required":
        return None
    value = ev.get("value", 1)
    if type(value) is int and -(2**53) <= value <= 2**53:
        value = float(value)
    elif type(value) is not float or not math.isfinite(value):
        return None
    dims, attrs = ev.get("dims"), ev.get("attrs")
    try:
        if dims is None or dims == {}:
            dims_text = "{}"
        elif (
            type(dims) is dict
            and dims.keys() <= _KIND_DIMS[(st, type_)]
            and all(type(v) in _SCALARS for v in dims.values())
        ):
            dims_text = orjson.dumps(dims, option=orjson.OPT_SORT_KEYS).decode()
        else:
            return None
        if attrs is None or attrs == {}:
            attrs_text = "{}"
        elif type(attrs) is dict:
            attrs_text = orjson.dumps(attrs, option=orjson.OPT_SORT_KEYS).decode()
        else:
            return None
    except TypeError:
        return None
    if "\\u0000" in dims_text or "\\u0000" in attrs_text:
        return None
    return _Pending(
        pos, event_id, org_key, kind, key, False, ts, actor, None, value, dims_text, attrs_text
    )


def _check_static(pos: int, ev: object) -> tuple[_Pending | None, EventError | None]:
    if not isinstance(ev, dict):
        return None, EventError(pos, None, f"an event must be a JSON object, got {_jtype(ev)}")
    problems: list[str] = []
    unknown = sorted(k for k in ev if k not in FIELDS and k != "org")
    if unknown:
        problems.append(
            f"unknown field(s) {', '.join(repr(k) for k in unknown)}; allowed fields: "
            f"{', '.join(FIELDS)} (free metadata goes in 'attrs')"
        )

    event_id = ev.get("event_id")
    eid_out = event_id if isinstance(event_id, str) else None
    if event_id is None:
        problems.append("'event_id' is required (a string unique per event, used to dedupe)")
    elif not isinstance(event_id, str) or not event_id.strip():
        problems.append("'event_id' must be a non-empty string")
    elif len(event_id) > MAX_EVENT_ID:
        problems.append(f"'event_id' is {len(event_id)} characters; the limit is {MAX_EVENT_ID}")
    elif "\x00" in event_id:
        problems.append("'event_id' contains a NUL character")

    org_key = ev.get("org")
    if org_key is not None and not isinstance(org_key, str):
        problems.append("'org' must be an org key (string)")
        org_key = None

    kind: EventKind | None = None
    subject_ref: object = None
    by_id = False
    subject = ev.get("subject")
    type_ = ev.get("type")
    if not isinstance(subject, dict):
        problems.append(
            '\'subject\' is required: an object like {"type": "publication", "key": '
            f'"..."}} or {{"type": ..., "id": 123}}; subject types: {", ".join(SUBJECT_TYPES)}'
        )
    else:
        st = subject.get("type")
        extra = sorted(k for k in subject if k not in ("type", "key", "id"))
        if extra:
            problems.append(f"'subject' takes only type and key or id, not {', '.join(extra)}")
        if st not in SUBJECT_TYPES:
            problems.append(
                f"unknown subject type {st!r}; valid subject types: {', '.join(SUBJECT_TYPES)}"
            )
        else:
            has_key, has_id = "key" in subject, "id" in subject
            key_col = SUBJECT_TYPES[st].split(".")[1]
            if has_key == has_id:
                how = "'id'" if key_col == "id" else f"'key' (its {key_col}) or 'id'"
                article = "an" if st[0] in "aeiou" else "a"
                problems.append(f"{article} {st} subject needs exactly one of {how}")
            elif has_id:
                if not _is_int(subject["id"]):
                    problems.append("'subject.id' must be an integer (64-bit)")
                else:
                    subject_ref, by_id = subject["id"], True
            elif key_col == "id":
                problems.append(f"{st} subjects are addressed by 'id' (an integer), not 'key'")
            elif not isinstance(subject["key"], str) or not subject["key"]:
                problems.append("'subject.key' must be a non-empty string")
            else:
                subject_ref = subject["key"]
            if type_ is None:
                problems.append(f"'type' is required; valid types for {st}: {_types_for(st)}")
            elif not isinstance(type_, str) or (kind := kind_of(st, type_)) is None:
                problems.append(
                    f"unknown type {type_!r} for subject type {st!r}; valid types: {_types_for(st)}"
                )

    ts, why = parse_ts(ev.get("ts"))
    if why:
        problems.append(why)

    actor, actor_id = ev.get("actor"), ev.get("actor_id")
    if actor is not None and actor_id is not None:
        problems.append("send either 'actor' (a username) or 'actor_id', not both")
    if actor is not None and (not isinstance(actor, str) or not actor):
        problems.append("'actor' must be a username (non-empty string)")
        actor = None
    if actor_id is not None and not _is_int(actor_id):
        problems.append("'actor_id' must be an integer (64-bit)")
        actor_id = None
    if kind is not None and kind.actor == "required" and actor is None and actor_id is None:
        problems.append(
            f"{kind.subject_type}.{kind.type} counts distinct actors, so an actor is required: "
            "send 'actor' (a username) or 'actor_id' (e.g. a fan)"
        )

    value = ev.get("value", 1)
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"'value' must be a number, got {_jtype(value)}")
        value = 1.0
    else:
        try:
            value = float(value)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            problems.append("'value' must be a finite number")

    dims = {} if ev.get("dims") is None else ev["dims"]
    dims_text = "{}"
    if not isinstance(dims, dict):
        problems.append(f"'dims' must be an object, got {_jtype(dims)}")
    elif kind is not None:
        bad = sorted(k for k in dims if k not in kind.dims)
        name = f"{kind.subject_type}.{kind.type}"
        if bad:
            allowed_dims = ", ".join(kind.dims) if kind.dims else "none"
            problems.append(
                f"dims key(s) {', '.join(repr(k) for k in bad)} not allowed for {name} "
                f"(allowed: {allowed_dims}); put free metadata in 'attrs'"
            )
        nested = sorted(k for k, v in dims.items() if not isinstance(v, _DIM_VALUE_TYPES))
        if nested:
            problems.append(
                f"dims value(s) for {', '.join(nested)} must be a string, number or boolean"
            )
        dims_text = _json_text(dims, "dims", problems)

    attrs = {} if ev.get("attrs") is None else ev["attrs"]
    attrs_text = "{}"
    if not isinstance(attrs, dict):
        problems.append(f"'attrs' must be an object, got {_jtype(attrs)}")
    else:
        attrs_text = _json_text(attrs, "attrs", problems)

    if problems:
        return None, EventError(pos, eid_out, "; ".join(problems))
    assert kind is not None and ts is not None and isinstance(event_id, str)
    return (
        _Pending(
            pos,
            event_id,
            org_key,
            kind,
            subject_ref,
            by_id,
            ts,
            actor,
            actor_id,
            value,
            dims_text,
            attrs_text,
        ),
        None,
    )


def _jtype(v: object) -> str:
    if v is None:
        return "null"
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(v), type(v).__name__)


class EventValidator:
    """Validates batches of events for one default org (the API caller's, or `--org`).

    `own_org_only` (the API): an event's `org`, if present, must be the default org.
    Otherwise (files) `org` picks any org by key; keys are cached across batches.
    """

    def __init__(
        self,
        conn: asyncpg.Connection,
        *,
        org_id: int | None,
        org_key: str | None,
        own_org_only: bool,
    ) -> None:
        self.conn = conn
        self.org_id = org_id
        self.org_key = org_key
        self.own_org_only = own_org_only
        self._orgs: dict[str, int | None] = {}
        if org_key is not None and org_id is not None:
            self._orgs[org_key] = org_id

    async def validate(self, items: Sequence[tuple[int, object]]) -> Validated:
        """`items` are `(position, parsed JSON)`; returns rows for the valid events and
        one error per invalid event, in position order."""
        out = Validated()
        pending: list[_Pending] = []
        for pos, ev in items:
            p = _fast(pos, ev)
            if p is not None:
                pending.append(p)
                continue
            p, err = _check_static(pos, ev)
            if err:
                out.errors.append(err)
            else:
                pending.append(p)

        await self._load_orgs({p.org_key for p in pending if p.org_key is not None})
        subjects: dict[tuple[str, bool], set[tuple[int, object]]] = defaultdict(set)
        actors: set[tuple[int, object]] = set()
        placed: list[tuple[_Pending, int]] = []
        for p in pending:
            org_id, why = self._org_of(p.org_key)
            if why:
                out.errors.append(EventError(p.pos, p.event_id, why))
                continue
            placed.append((p, org_id))
            subjects[(p.kind.subject_type, p.subject_by_id)].add((org_id, p.subject_ref))
            if p.actor is not None:
                actors.add((org_id, p.actor))

        # every subject type and the actors in one round trip
        lookups = [(st, pairs, by_id) for (st, by_id), pairs in subjects.items()]
        *resolved, users = await resolve_many(self.conn, [*lookups, ("user", actors, False)])
        found = dict(zip(subjects, resolved, strict=True))

        for p, org_id in placed:
            problems = []
            subject_id = found[(p.kind.subject_type, p.subject_by_id)].get((org_id, p.subject_ref))
            if subject_id is None:
                how = "id" if p.subject_by_id else SUBJECT_TYPES[p.kind.subject_type].split(".")[1]
                problems.append(
                    f"no {p.kind.subject_type} with {how} {p.subject_ref!r} in org "
                    f"'{self._key_of(org_id)}'"
                )
            actor_id = p.actor_id
            if p.actor is not None:
                actor_id = users.get((org_id, p.actor))
                if actor_id is None:
                    problems.append(
                        f"no user '{p.actor}' in org '{self._key_of(org_id)}' (create it via "
                        "/v1/ingest/entities, or send 'actor_id' for non-user actors)"
                    )
            if problems:
                out.errors.append(EventError(p.pos, p.event_id, "; ".join(problems)))
                continue
            out.rows.append(
                EventRow(
                    org_id,
                    p.event_id,
                    p.kind.type,
                    p.kind.subject_type,
                    subject_id,
                    p.ts,
                    actor_id,
                    p.value,
                    p.dims,
                    p.attrs,
                )
            )
        out.errors.sort(key=lambda e: e.index)
        return out

    async def _load_orgs(self, keys: set[str]) -> None:
        missing = [k for k in keys if k not in self._orgs]
        if missing and not self.own_org_only:
            found = await resolve_org_keys(self.conn, missing)
            for k in missing:
                self._orgs[k] = found.get(k)

    def _org_of(self, key: str | None) -> tuple[int, None] | tuple[None, str]:
        if key is None:
            if self.org_id is None:
                return None, 'no org: add "org": "<org key>" to the event or pass --org'
            return self.org_id, None
        if self.own_org_only:
            if key != self.org_key:
                return None, (
                    f"'org' is {key!r} but your token belongs to org '{self.org_key}'; events "
                    "are always written to the caller's org (omit 'org')"
                )
            return self.org_id, None  # type: ignore[return-value]
        org_id = self._orgs.get(key)
        if org_id is None:
            return None, f"unknown org {key!r}"
        return org_id, None

    def _key_of(self, org_id: int) -> str:
        for k, v in self._orgs.items():
            if v == org_id:
                return k
        return str(org_id)
