"""AISquare "AI Studios" metrics (seed 000): `POST /api/v1/aistudios/metrics/` and
`POST /api/v1/aistudios/public-impact/`, answered by the persisted operations
`aisquare/StudioMetrics` and `aisquare/PublicImpact`.

Contract where the document is silent:

* Auth: any valid Tally token, `Authorization: Bearer <t>` or `Authorization: Api-Token <t>`.
* Request body: a JSON object `{"url": "<custom url>"}`; `url` is the publication's custom
  url (a non-empty string of at most 255 printable characters, surrounding blanks
  ignored). Other keys are ignored.
* Errors are `{"detail": "<what went wrong and what to do>"}` (Django REST framework
  style) with status 400 (malformed JSON, body not an object, `url` missing / empty /
  not a string / too long / with control characters), 401 (missing or bad token), 403
  (metrics endpoint: not the owner or a co-creator), 404 (no publication with that url
  in the caller's org), 405 (wrong method), 500 / 503 (server faults only).
* `publication.id` is the publication's integer id; timestamps are ISO 8601 with offset.
* `POST /aistudios/metrics/` answers
  `{"publication": {id, name, custom_url, created_at, allow_bookings},
    "experience_counts": {AI_EXPERT, AI_NOTE, QUEST, PODCAST, total},
    "engagement": {total_views, total_likes, total_bookmarks, total_shares,
                   total_comments, total_appointments},       # all time
    "activity": {monthly_active_users},                       # last 30 days
    "social": {followers_count, following_count},
    "generated_at": "..."}`.
* `POST /aistudios/public-impact/` answers
  `{"publication": {id, name, custom_url},
    "metrics": {total_plays, likes_count, completion_rate, active_users, saves_count,
                influence_score},
    "time_period_days": 30, "generated_at": "..."}` over the last 30 UTC days including
  today. `completion_rate` is a percent (0-100, 2 decimals) and null when there were no
  plays; `influence_score` is 0-100 with one decimal (formula: gateway/publications/service.py).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from gateway.context import Context
from gateway.dialects import register_error_dialect
from gateway.errors import InvalidInput
from gateway.responses import ORJSONResponse
from gateway.rest.auth import context_for
from gateway.rest.routes import uses
from gateway.rest.runner import run_operation
from resolvers.node import decode_id

PREFIX = "/api/v1/aistudios"
MAX_URL_LENGTH = 255

router = APIRouter(prefix=PREFIX, tags=["AISquare AI Studios"])
CtxDep = Annotated[Context, Depends(context_for("aisquare"))]


# --- models (OpenAPI) -----------------------------------------------------------------


class StudioRequest(BaseModel):
    url: str = Field(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        description="The publication's custom url.",
        examples=["ai-research-studio"],
    )


class PublicationInfo(BaseModel):
    id: int
    name: str
    custom_url: str


class PublicationDetails(PublicationInfo):
    created_at: str = Field(description="ISO 8601")
    allow_bookings: bool


class ExperienceCounts(BaseModel):
    AI_EXPERT: int
    AI_NOTE: int
    QUEST: int
    PODCAST: int
    total: int


class Engagement(BaseModel):
    total_views: int
    total_likes: int
    total_bookmarks: int
    total_shares: int
    total_comments: int
    total_appointments: int


class Activity(BaseModel):
    monthly_active_users: int = Field(description="Distinct users, last 30 days")


class Social(BaseModel):
    followers_count: int
    following_count: int


class StudioMetricsResponse(BaseModel):
    publication: PublicationDetails
    experience_counts: ExperienceCounts
    engagement: Engagement = Field(description="All time")
    activity: Activity
    social: Social
    generated_at: str = Field(description="ISO 8601")


class ImpactMetrics(BaseModel):
    total_plays: int
    likes_count: int
    completion_rate: float | None = Field(description="Percent 0-100; null without plays")
    active_users: int
    saves_count: int
    influence_score: float = Field(description="0-100")


class PublicImpactResponse(BaseModel):
    publication: PublicationInfo
    metrics: ImpactMetrics
    time_period_days: int = Field(description="Always 30")
    generated_at: str = Field(description="ISO 8601")


class ErrorBody(BaseModel):
    detail: str


_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": StudioRequest.model_json_schema()}},
    }
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Invalid or missing `url`"),
        (401, "Missing or invalid token"),
        (404, "Publication not found"),
    )
}


# --- errors ---------------------------------------------------------------------------


def render_error(
    request: Request, status: int, code: str, message: str, details: dict | None
) -> Response:
    if status == 422:  # FastAPI's own validation: the caller's input, a 400 here
        status = 400
    return ORJSONResponse({"detail": message}, status_code=status)


register_error_dialect(PREFIX, render_error)


# --- parsing and reshaping ------------------------------------------------------------


async def studio_url(request: Request) -> str:
    """The `url` of the JSON body, or InvalidInput with a message saying what to send."""
    example = 'Send a JSON object like {"url": "ai-research-studio"}.'
    raw = await request.body()
    if not raw.strip():
        raise InvalidInput(f"Request body is empty. {example}", field="url")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(f"Request body is not valid JSON. {example}", field="url") from None
    if not isinstance(body, dict):
        raise InvalidInput(f"Request body must be a JSON object. {example}", field="url")
    if "url" not in body or body["url"] is None:
        raise InvalidInput(f"url: this field is required. {example}", field="url")
    url = body["url"]
    if not isinstance(url, str):
        raise InvalidInput(
            f"url: must be a string (the publication's custom url), got {type(url).__name__}.",
            field="url",
        )
    url = url.strip()
    if not url:
        raise InvalidInput("url: must not be blank.", field="url")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"url: at most {MAX_URL_LENGTH} characters.", field="url")
    if not url.isprintable():
        raise InvalidInput("url: must not contain control characters.", field="url")
    return url


UrlDep = Annotated[str, Depends(studio_url)]


def _pk(global_id: str) -> int:
    return decode_id(global_id)[2]


def _info(p: dict) -> dict[str, Any]:
    return {"id": _pk(p["id"]), "name": p["name"], "custom_url": p["customUrl"]}


# --- routes ---------------------------------------------------------------------------


@router.post(
    "/metrics/",
    response_model=StudioMetricsResponse,
    responses={**_ERRORS, 403: {"model": ErrorBody, "description": "Not owner or co-creator"}},
    openapi_extra=_BODY_DOC,
    summary="Owner / co-creator metrics of a publication",
)
@uses("aisquare/StudioMetrics")
async def studio_metrics(ctx: CtxDep, url: UrlDep) -> dict[str, Any]:
    p = (await run_operation(ctx, "aisquare/StudioMetrics", {"url": url}))["publication"]
    c, e = p["experienceCounts"], p["engagement"]
    return {
        "publication": {
            **_info(p),
            "created_at": p["createdAt"],
            "allow_bookings": p["allowBookings"],
        },
        "experience_counts": {
            "AI_EXPERT": c["aiExpert"],
            "AI_NOTE": c["aiNote"],
            "QUEST": c["quest"],
            "PODCAST": c["podcast"],
            "total": c["total"],
        },
        "engagement": {
            "total_views": e["totalViews"],
            "total_likes": e["totalLikes"],
            "total_bookmarks": e["totalBookmarks"],
            "total_shares": e["totalShares"],
            "total_comments": e["totalComments"],
            "total_appointments": e["totalAppointments"],
        },
        "activity": {"monthly_active_users": p["monthlyActiveUsers"]},
        "social": {
            "followers_count": p["followersCount"],
            "following_count": p["followingCount"],
        },
        "generated_at": p["generatedAt"],
    }


@router.post(
    "/public-impact/",
    response_model=PublicImpactResponse,
    responses=_ERRORS,
    openapi_extra=_BODY_DOC,
    summary="Public impact of a publication (last 30 days)",
)
@uses("aisquare/PublicImpact")
async def public_impact(ctx: CtxDep, url: UrlDep) -> dict[str, Any]:
    p = (await run_operation(ctx, "aisquare/PublicImpact", {"url": url}))["publication"]
    m = p["publicImpact"]
    return {
        "publication": _info(p),
        "metrics": {
            "total_plays": m["totalPlays"],
            "likes_count": m["likesCount"],
            "completion_rate": m["completionRate"],
            "active_users": m["activeUsers"],
            "saves_count": m["savesCount"],
            "influence_score": m["influenceScore"],
        },
        "time_period_days": m["timePeriodDays"],
        "generated_at": m["generatedAt"],
    }
