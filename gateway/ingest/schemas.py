"""JSON Schemas of the ingestion request bodies, for the OpenAPI document (Swagger UI's
"Try it out" and generated clients). Derived from the same declarations the validators
use — `gateway.vocabulary` for events, `gateway.ingest.entities.COLLECTIONS` for entity
records — so the documentation cannot drift from what is accepted. The validators stay
the authority (they also resolve keys and check per-kind rules)."""

from __future__ import annotations

from typing import Any

from gateway.ingest.entities import COLLECTIONS
from gateway.ingest.upsert import F, _ref_by_id
from gateway.ingest.validate import MAX_EVENT_ID
from gateway.vocabulary import EVENT_KINDS, SUBJECT_TYPES

_SCALARS: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "ts": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "month": {"type": "string", "pattern": r"^\d{4}-\d{2}(-\d{2})?$", "example": "2026-03"},
    "json": {"type": "object"},
    "action": {"oneOf": [{"enum": ["create", "update", "delete"]}, {"enum": [0, 1, 2]}]},
}

EXAMPLE_EVENT = {
    "event_id": "evt-0001",
    "type": "view",
    "subject": {"type": "publication", "key": "ai-research-studio"},
    "ts": "2026-03-01T10:15:00Z",
    "actor": "olive.owner",
    "dims": {"experience_type": "AI_EXPERT"},
}

EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Event",
    "required": ["event_id", "type", "subject", "ts"],
    "additionalProperties": False,
    "properties": {
        "event_id": {
            "type": "string",
            "maxLength": MAX_EVENT_ID,
            "description": "Unique per org; re-sent events are counted once.",
        },
        "type": {
            "type": "string",
            "enum": sorted({t for (_, t) in EVENT_KINDS}),
            "description": "Event kind; which kinds apply depends on subject.type: "
            + "; ".join(
                f"{s}: {', '.join(t for (s2, t) in EVENT_KINDS if s2 == s)}" for s in SUBJECT_TYPES
            ),
        },
        "subject": {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"type": "string", "enum": list(SUBJECT_TYPES)},
                "key": {"type": "string", "description": "Natural key (custom url, key, …)."},
                "id": {"type": "integer", "description": "Database id, instead of key."},
            },
        },
        "ts": {"type": "string", "format": "date-time", "description": "With a UTC offset."},
        "actor": {"type": "string", "description": "Username of the acting user."},
        "actor_id": {"type": "integer", "description": "User id, instead of actor."},
        "value": {"type": "number", "default": 1, "description": "Meaning depends on type."},
        "dims": {"type": "object", "description": "Only the keys the kind allows."},
        "attrs": {"type": "object", "description": "Free metadata, never grouped by."},
        "org": {"type": "string", "description": "If given, must be the caller's org key."},
    },
    "example": EXAMPLE_EVENT,
}


def _field_schema(f: F) -> dict[str, Any]:
    if f.kind == "choice":
        return {"type": "string", "enum": list(f.choices)}
    if f.kind == "ref":
        return {"type": "integer"} if _ref_by_id(f) else {"type": "string"}
    schema = dict(_SCALARS.get(f.kind, {}))
    if f.bounds:
        schema.update(minimum=f.bounds[0], maximum=f.bounds[1])
    return schema


def _record_schema(fields: tuple[F, ...], children=()) -> dict[str, Any]:
    props = {f.name: _field_schema(f) for f in fields}
    for child in children:
        item = _record_schema(child.fields)
        if child.scalar:
            scalar = next(f for f in child.fields if f.name == child.scalar)
            item = {"oneOf": [_field_schema(scalar), item]}
        props[child.name] = {"type": "array", "items": item}
        if child.mapping:
            props[child.name] = {"oneOf": [props[child.name], {"type": "object"}]}
    required = [f.name for f in fields if f.required and f.name != "id"]
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


ENTITIES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "EntityCollections",
    "description": "Collections to upsert, written in this order; all-or-nothing.",
    "additionalProperties": False,
    "properties": {
        c.name: {"type": "array", "items": _record_schema(c.fields, c.children)}
        for c in COLLECTIONS
    },
    "example": {
        "users": [{"username": "sam.new", "display_name": "Sam New", "roles": ["member"]}],
        "publications": [{"custom_url": "sams-studio", "name": "Sam's Studio", "owner": "sam.new"}],
    },
}

EVENTS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": EVENT_SCHEMA},
                "example": [EXAMPLE_EVENT],
            },
            "application/x-ndjson": {
                "schema": {"type": "string", "description": "One Event object per line."},
            },
        },
    }
}
"""`openapi_extra` of `POST /v1/ingest/events`."""

ENTITIES_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": ENTITIES_SCHEMA}},
    }
}
"""`openapi_extra` of `POST /v1/ingest/entities`."""
