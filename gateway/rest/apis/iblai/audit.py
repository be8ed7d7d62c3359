"""ibl.ai Audit: the mentors' audit log (DRF limit/offset pagination).
Response contract: see the package docstring (`gateway.rest.apis.iblai`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from gateway.errors import Forbidden, InvalidInput
from gateway.rest.apis.iblai.common import (
    ERRORS,
    MAX_LIMIT,
    PREFIX,
    TAG,
    CtxDep,
    blank,
    check_platform,
    limit_offset,
    parse_date,
)
from gateway.rest.routes import uses
from gateway.rest.runner import run_operation

router = APIRouter(prefix=PREFIX, tags=[TAG], responses=ERRORS)

ACTIONS = {"0": ("CREATE", "create"), "1": ("UPDATE", "update"), "2": ("DELETE", "delete")}
ACTION_NAMES = {code: name for code, (_, name) in ACTIONS.items()}


class AuditRow(BaseModel):
    id: int
    timestamp: str = Field(description="ISO 8601.")
    action: int = Field(description="0 create, 1 update, 2 delete.")
    action_display: str = Field(description="create | update | delete.")
    actor_username: str | None
    actor_email: str | None
    mentor_unique_id: str | None
    mentor_name: str | None
    target_type: str = Field(description="What changed, e.g. mentor.")
    target_id: str | None
    changes: dict[str, Any] | list[Any] | None = Field(description="The recorded change.")


class AuditPage(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[AuditRow] = Field(description="Newest first.")


@router.get("/ai-mentor/orgs/{org}/users/{username}/mentors/audit-logs/", response_model=AuditPage)
@uses("iblai/AuditLog")
async def audit_logs(
    request: Request,
    ctx: CtxDep,
    org: str,
    username: str,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")] = 20,
    offset: Annotated[int, Query(ge=0, description="Entries to skip.")] = 0,
    mentor: Annotated[str | None, Query(description="A mentor unique id.")] = None,
    action: Annotated[str | None, Query(description="0 create | 1 update | 2 delete")] = None,
    actor_email: Annotated[str | None, Query(description="Exact actor email.")] = None,
    from_date: Annotated[str | None, Query(description="yyyy-MM-dd, inclusive.")] = None,
    to_date: Annotated[str | None, Query(description="yyyy-MM-dd, inclusive.")] = None,
) -> dict:
    """The audit log of the org's mentors (platform admins; `{username}` is you)."""
    check_platform(ctx, org)
    if username != ctx.principal.username:
        raise Forbidden("The {username} in the path must be your own username.")
    code = blank(action)
    if code is not None and code not in ACTIONS:
        raise InvalidInput(f"`action` must be 0 (create), 1 (update) or 2 (delete); got {code!r}.")
    start, end = parse_date("from_date", from_date), parse_date("to_date", to_date)
    if start and end and start > end:
        raise InvalidInput(f"from_date ({start}) is after to_date ({end}).")
    variables = {
        "mentor": blank(mentor),
        "action": ACTIONS[code][0] if code is not None else None,
        "actorEmail": blank(actor_email),
        "fromDate": start.isoformat() if start else None,
        "toDate": end.isoformat() if end else None,
        "limit": limit,
        "offset": offset,
    }
    data = await run_operation(ctx, "iblai/AuditLog", variables)
    conn = data["learnerAnalytics"]["auditLog"]
    rows = []
    for n in conn["nodes"]:
        actor, m = n["actor"] or {}, n["mentor"] or {}
        rows.append(
            {
                "id": int(n["id"]),
                "timestamp": n["ts"],
                "action": n["actionCode"],
                "action_display": ACTION_NAMES[str(n["actionCode"])],
                "actor_username": actor.get("username"),
                "actor_email": n["actorEmail"],
                "mentor_unique_id": m.get("key"),
                "mentor_name": m.get("name"),
                "target_type": n["targetType"],
                "target_id": n["targetId"],
                "changes": n["changes"],
            }
        )
    return limit_offset(request, limit, offset, conn["totalCount"], rows)
