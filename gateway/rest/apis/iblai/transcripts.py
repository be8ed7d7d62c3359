"""ibl.ai Transcripts: the transcript list and one transcript.
Response contracts: see the package docstring (`gateway.rest.apis.iblai`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from gateway.errors import InvalidInput
from gateway.rest.apis.iblai.common import (
    ERRORS,
    PREFIX,
    TAG,
    ChartDep,
    CtxDep,
    LimitQ,
    PageQ,
    blank,
    count,
    page_offset,
    paginated,
    run,
)
from gateway.rest.routes import uses

router = APIRouter(prefix=PREFIX, tags=[TAG], responses=ERRORS)

MAX_TRANSCRIPT_PAGES = 100  # x 100 messages: a transcript of up to 10,000 messages


class SessionRow(BaseModel):
    session_id: str = Field(description="Pass to /analytics/messages/details/.")
    username: str | None
    name: str | None
    mentor_unique_id: str | None
    mentor_name: str | None
    topic: str | None
    message_count: int = Field(description="Stored transcript messages.")
    started_at: str = Field(description="ISO 8601.")
    ended_at: str | None = Field(description="ISO 8601; null while open.")


class TranscriptsPage(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[SessionRow] = Field(description="Newest first.")


def _session(s: dict) -> dict:
    user, mentor = s["user"] or {}, s["mentor"] or {}
    return {
        "session_id": s["sessionId"],
        "username": user.get("username"),
        "name": user.get("displayName"),
        "mentor_unique_id": mentor.get("key"),
        "mentor_name": mentor.get("name"),
        "topic": s["topic"],
        "message_count": count(s["messageCount"]),
        "started_at": s["startedAt"],
        "ended_at": s["endedAt"],
    }


@router.get("/analytics/messages/", response_model=TranscriptsPage)
@uses("iblai/Transcripts")
async def transcripts(
    request: Request,
    ctx: CtxDep,
    chart: ChartDep,
    search: Annotated[str | None, Query(description="The user's username/name/email.")] = None,
    topic: Annotated[str | None, Query(description="Exact topic.")] = None,
    page: PageQ = 1,
    limit: LimitQ = 20,
) -> dict:
    """Chat sessions with a stored transcript started in the period, newest first."""
    variables = {
        **chart.variables,
        "search": blank(search),
        "topic": blank(topic),
        "first": limit,
        "offset": page_offset(page, limit),
    }
    conn = (await run(ctx, "Transcripts", variables))["transcripts"]
    rows = [_session(s) for s in conn["nodes"]]
    return paginated(request, page, limit, conn["totalCount"], rows)


class MessageRow(BaseModel):
    role: str = Field(description="user | assistant.")
    content: str
    created_at: str = Field(description="ISO 8601.")


class TranscriptOut(SessionRow):
    messages: list[MessageRow] = Field(description="The whole transcript, oldest first.")


@router.get("/analytics/messages/details/", response_model=TranscriptOut)
@uses("iblai/Transcript")
async def transcript(
    ctx: CtxDep,
    chart: ChartDep,
    session_id: Annotated[str | None, Query(description="From the transcript list.")] = None,
) -> dict:
    """One transcript (any date: `date_filter` does not narrow a single session)."""
    sid = blank(session_id)
    if sid is None:
        raise InvalidInput("`session_id` is required (a session id from /analytics/messages/).")
    variables = {**chart.variables, "sessionId": sid, "after": None}
    messages: list[dict] = []
    for _ in range(MAX_TRANSCRIPT_PAGES):
        t = (await run(ctx, "Transcript", variables))["transcript"]
        conn = t["messages"]
        messages += [
            {"role": m["role"], "content": m["content"], "created_at": m["createdAt"]}
            for m in conn["nodes"]
        ]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        variables["after"] = conn["pageInfo"]["endCursor"]
    return {**_session(t), "messages": messages}
