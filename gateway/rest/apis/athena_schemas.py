"""OpenAPI models of the Athena routes (`gateway.rest.apis.athena`): request bodies and
responses as documented. They document; validation is `parse_metrics_request` & co., so
errors keep Athena's per-field 422 shape."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from gateway.rest.cache import DEFAULT_TTL
from gateway.workspaces.validation import MAX_LIMIT

PeriodName = Literal["7d", "30d", "90d", "all"]
GranularityName = Literal["daily", "weekly", "monthly"]


class Filters(BaseModel):
    period: PeriodName | None = Field(None, description="Default 30d.")
    user_id: int | None = Field(None, description="Only this user's events (0 = everyone).")


class WorkspaceMetricsBody(BaseModel):
    workspace_uuid: str
    entity: Literal["agents", "workflows"]
    metric: Literal["executions", "created", "copies", "shares", "avg_duration"]
    aggregation: Literal["count", "sum", "avg"]
    group_by: Literal["user", "date"] | None = None
    granularity: GranularityName | None = Field(None, description="Required with group_by date.")
    filters: Filters | None = None
    order_by: Literal["value", "name", "date"] | None = None
    order_dir: Literal["asc", "desc"] | None = None
    limit: int | None = Field(None, ge=1, le=MAX_LIMIT, description="Default 10.")


class ResourceMetricsBody(BaseModel):
    workspace_uuid: str
    group_by: Literal["date"] | None = None
    granularity: GranularityName | None = None
    filters: Filters | None = None


class PeriodOut(BaseModel):
    from_: str = Field(alias="from", description="YYYY-MM-DD")
    to: str = Field(description="YYYY-MM-DD")


class MetaOut(BaseModel):
    period: PeriodOut
    cached_at: str = Field(description="ISO 8601, when this response was generated.")
    cache_ttl: int = DEFAULT_TTL
    unit: str | None


class ResultOut(BaseModel):
    user_id: str | None = Field(None, description="group_by user")
    user_name: str | None = Field(None, description="group_by user")
    date: str | None = Field(None, description="group_by date: YYYY-MM-DD, YYYY-WW, YYYY-MM")
    value: float | int | None
    succeeded: int | None = Field(None, description="workflow-executions only")
    failed: int | None = Field(None, description="workflow-executions only")


class MetricsDataOut(BaseModel):
    entity: str
    metric: str
    aggregation: str
    group_by: str | None
    granularity: str | None
    total: float | int | None
    results: list[ResultOut]
    succeeded: int | None = Field(None, description="workflow-executions only")
    failed: int | None = Field(None, description="workflow-executions only")


class MetricsResponse(BaseModel):
    data: MetricsDataOut
    meta: MetaOut


class LeaderboardEntryOut(BaseModel):
    rank: int
    agent_uuid: str
    agent_name: str
    agent_status: str
    executions: int
    avg_duration_ms: float | None
    total_duration_ms: int | float
    shares: int
    copies: int
    unique_users: int


class LeaderboardMetaOut(MetaOut):
    order_by: str
    order_dir: str
    limit: int


class LeaderboardResponse(BaseModel):
    data: list[LeaderboardEntryOut]
    meta: LeaderboardMetaOut


class CountsResultOut(BaseModel):
    date: str
    completed: int
    succeeded: int
    failed: int


class CountsDataOut(BaseModel):
    total: int
    completed: int
    succeeded: int
    failed: int
    running: int
    granularity: str | None
    results: list[CountsResultOut]


class CountsResponse(BaseModel):
    data: CountsDataOut
    meta: MetaOut


class ValidationErrorOut(BaseModel):
    message: str
    errors: dict[str, list[str]]


class MessageOut(BaseModel):
    message: str


class NotFoundOut(BaseModel):
    error: str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": MessageOut, "description": "Missing or invalid Bearer token."},
    403: {"model": MessageOut, "description": "Not the workspace owner."},
    404: {"model": NotFoundOut, "description": "Unknown workspace (or another org's)."},
    422: {"model": ValidationErrorOut, "description": "Invalid request, per field."},
}


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its `$defs` inlined (for `openapi_extra`)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.rsplit("/", 1)[1]])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)


def body_doc(model: type[BaseModel], *, query: bool = False) -> dict[str, Any]:
    """OpenAPI for a body read by hand; `query` also lists the fields as query params."""
    schema = inline_schema(model)
    doc: dict[str, Any] = {
        "requestBody": {"required": False, "content": {"application/json": {"schema": schema}}}
    }
    if query:
        doc["parameters"] = [
            {"name": name, "in": "query", "required": False, "schema": sub}
            for name, sub in schema["properties"].items()
        ]
    return doc


class _FlatParams(BaseModel):
    period: PeriodName | None = Field(None, description="Default 30d.")


class LeaderboardParams(_FlatParams):
    order_by: (
        Literal[
            "executions",
            "avg_duration_ms",
            "total_duration_ms",
            "shares",
            "copies",
            "unique_users",
            "name",
        ]
        | None
    ) = Field(None, description="Default executions.")
    order_dir: Literal["asc", "desc"] | None = Field(None, description="Default desc.")
    limit: int | None = Field(None, ge=1, le=MAX_LIMIT, description="Default 10.")


class CountsParams(_FlatParams):
    granularity: GranularityName | None = None
