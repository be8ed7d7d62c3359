"""The ingestion API (org admins only; the org is always the caller's):

* `POST /v1/ingest/events`   — a JSON array of events, or NDJSON
  (`Content-Type: application/x-ndjson`, one event per line). Event shape:
  `gateway.ingest.validate`. All-or-nothing: one bad event -> 422 listing every bad
  event, nothing written. Otherwise `{"received", "new", "duplicates"}`, sent after the
  commit; re-sending a batch is safe (events are deduplicated on `event_id`). Valid
  batches of concurrent requests are written together (`gateway.ingest.group`).
* `POST /v1/ingest/entities` — `{"<collection>": [...]}` upserts; see
  `gateway.ingest.entities` for every collection's payload.

Limits: `TALLY_INGEST_MAX_BYTES` per request body and `TALLY_INGEST_MAX_EVENTS` events
(or entity records) per request -> 413.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from gateway.auth import Principal
from gateway.config import Settings
from gateway.dependencies import SessionDep, require_principal
from gateway.errors import Forbidden, InvalidInput, PayloadTooLarge
from gateway.ingest.entities import ingest_entities, record_count
from gateway.ingest.group import group_writer
from gateway.ingest.schemas import ENTITIES_BODY, EVENTS_BODY
from gateway.ingest.validate import EventValidator
from gateway.ingest.writer import asyncpg_connection, write_events
from gateway.response_cache import notify_data_changed
from gateway.responses import ORJSONResponse

router = APIRouter(prefix="/v1/ingest", tags=["ingestion"])

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")


async def require_admin(principal: Annotated[Principal, Depends(require_principal)]) -> Principal:
    if not principal.is_admin:
        raise Forbidden(
            f"Ingestion requires the admin role in org '{principal.org_key}'; "
            f"user '{principal.username}' is not an admin."
        )
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The body, refusing (413) anything over `max_bytes` by header or by actual size."""
    too_big = PayloadTooLarge(
        f"Request body exceeds the {max_bytes:,}-byte limit (TALLY_INGEST_MAX_BYTES); "
        "split it into smaller requests, or use `tally ingest FILE` for bulk loads."
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _too_many(n: int, limit: int, what: str) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"{n:,} {what} in one request; the limit is {limit:,} (TALLY_INGEST_MAX_EVENTS). "
        "Split the batch into smaller requests."
    )


def _loads(data: bytes, where: str = "") -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(
            f"Malformed JSON{where}: {exc.msg} at line {exc.lineno}, column {exc.colno} "
            f"(character {exc.pos}).",
            code="malformed_json",
        ) from None


def parse_events(body: bytes, content_type: str, max_events: int) -> list[tuple[int, Any]]:
    """`(index, event)` pairs from a JSON array or NDJSON body (blank lines skipped)."""
    if content_type.split(";")[0].strip().lower() in NDJSON_TYPES:
        lines = [(n, line) for n, line in enumerate(body.split(b"\n"), 1) if line.strip()]
        if len(lines) > max_events:
            raise _too_many(len(lines), max_events, "events")
        out = []
        for i, (n, line) in enumerate(lines):
            try:
                out.append((i, orjson.loads(line)))
            except orjson.JSONDecodeError as exc:
                raise InvalidInput(
                    f"Malformed JSON on line {n} (event {i}): {exc.msg} at column {exc.colno}.",
                    code="malformed_json",
                ) from None
        return out
    data = _loads(body)
    if not isinstance(data, list):
        raise InvalidInput(
            "Expected a JSON array of events (or NDJSON with Content-Type: application/x-ndjson).",
            code="invalid_events",
        )
    if len(data) > max_events:
        raise _too_many(len(data), max_events, "events")
    return list(enumerate(data))


def _invalid(code: str, message: str, errors: list[dict]) -> Response:
    body = {"error": {"code": code, "message": message, "errors": errors}}
    return ORJSONResponse(body, status_code=422)


@router.post(
    "/events",
    summary="Ingest events (JSON array or NDJSON), idempotent",
    openapi_extra=EVENTS_BODY,
)
async def ingest_events(request: Request, session: SessionDep, principal: AdminDep) -> Response:
    settings: Settings = request.app.state.settings
    body = await read_body(request, settings.ingest_max_bytes)
    items = parse_events(body, request.headers.get("content-type", ""), settings.ingest_max_events)
    conn = await asyncpg_connection(session)
    validator = EventValidator(
        conn, org_id=principal.org_id, org_key=principal.org_key, own_org_only=True
    )
    result = await validator.validate(items)
    if result.errors:
        n = len(result.errors)
        return _invalid(
            "invalid_events",
            f"{n} of {len(items)} event{'s' if len(items) != 1 else ''} invalid; nothing was "
            "written. Fix them and resend the whole batch (it is safe to resend: events are "
            "deduplicated on event_id).",
            [e.as_dict() for e in result.errors],
        )
    writer = group_writer(request.app.state, request.app.state.db)
    if writer is None:
        new = await write_events(conn, result.rows)
        await notify_data_changed(conn, principal.org_id)
    else:
        # written (and committed, with the change notice) together with whatever other
        # requests queued meanwhile
        new = await writer.write(result.rows)
    return ORJSONResponse({"received": len(items), "new": new, "duplicates": len(items) - new})


@router.post("/entities", summary="Upsert entities by natural key", openapi_extra=ENTITIES_BODY)
async def ingest_entity_collections(
    request: Request, session: SessionDep, principal: AdminDep
) -> Response:
    settings: Settings = request.app.state.settings
    payload = _loads(await read_body(request, settings.ingest_max_bytes))
    if not isinstance(payload, dict):
        raise InvalidInput(
            'Expected a JSON object like {"users": [...], "publications": [...]}.',
            code="invalid_entities",
        )
    n = record_count(payload)
    if n > settings.ingest_max_events:
        raise _too_many(n, settings.ingest_max_events, "records")
    conn = await asyncpg_connection(session)
    report = await ingest_entities(conn, principal.org_id, payload)
    await notify_data_changed(conn, principal.org_id)
    if report.errors:
        return _invalid(
            "invalid_entities",
            f"{len(report.errors)} invalid record(s); nothing was written.",
            [e.as_dict() for e in report.errors],
        )
    return ORJSONResponse(report.as_dict())
