"""Athena workspace metrics (seed 004) on the REST shim.

Auth: `Authorization: Bearer <token>` only. Every route runs a persisted operation of
`operations/athena/` and answers through the response cache (`gateway.rest.cache`, 300 s,
keyed by route + validated request + the caller's org / user / roles). OpenAPI models
live in `athena_schemas.py`.

Parameters are read like Laravel's `$request->input()`: the JSON body merged over the
query string (nested keys as `filters[period]=7d`), on GET and POST alike. Validation
runs before the workspace is looked up, so an invalid request is a 422 whoever sends it.

`GET|POST /api/v1/workspaces/metrics` — the document's endpoint, exactly as published
  (rules: `gateway.workspaces.validation`; meaning of each metric:
  `gateway.workspaces.service`). Where the document is silent: `total` and count values
  are integers, `sum` values are whole milliseconds when whole, `avg` values are rounded
  to 2 decimals (null without events); `results[].user_id` is the user id as a string
  (the documented type), `filters.user_id` 0 means "every user" (ids start at 1, and the
  document's example sends 0); `granularity` is echoed as sent even without group_by date.

`GET|POST /v1/{agents|workflows|workflow-executions|threads|messages}/metrics` — per
  resource counts in the same request style. Body: `workspace_uuid` (required),
  `group_by` (`date` or absent), `granularity` (daily|weekly|monthly, required with
  group_by date), `filters.period` (7d|30d|90d|all, default 30d), `filters.user_id`.
  Other fields are ignored. Response as the workspace endpoint: `data.entity` = the
  resource, `data.metric` = what is counted (agents / workflows / threads: `created`,
  workflow-executions: `executions`, messages: `messages`), `data.aggregation` =
  `count`, `data.total`, `data.results` = `[{date, value}]` (zero-filled, in date order)
  when grouped by date; workflow-executions add `succeeded` and `failed` to `data` and
  to every result. `meta` as documented (`unit` null: counts).

`GET|POST /api/v1/workspaces/{uuid}/agents/leaderboard` — every agent of the workspace
  ranked over the period. Parameters: `period` (7d|30d|90d|all, default 30d),
  `order_by` (executions | avg_duration_ms | total_duration_ms | shares | copies |
  unique_users | name; default executions), `order_dir` (desc default | asc), `limit`
  (1-100, default 10). `data` = `[{rank, agent_uuid, agent_name, agent_status,
  executions, avg_duration_ms, total_duration_ms, shares, copies, unique_users}]` (ties by
  agent age; null averages last), `meta` = period, order_by, order_dir, limit, cached_at,
  cache_ttl, unit ("milliseconds", for the duration columns).

`GET|POST /api/v1/workspaces/{uuid}/workflow-executions/counts` — parameters `period`
  (default 30d) and `granularity` (optional). `data` = `{total, completed, succeeded,
  failed, running, granularity, results: [{date, completed, succeeded, failed}]}`:
  completed = succeeded + failed (finished in the period), running = still running and
  started in the period, total = completed + running; results only with a granularity.

Errors (all routes): 422 `{"message", "errors": {field: [..]}}` for every validation
problem, malformed JSON and wrong types; 401 `{"message": "Unauthenticated."}`; 403
`{"message": "This action is unauthorized."}` (not the owner); 404
`{"error": "Workspace not found"}` (unknown uuid, or another organization's).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, replace
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request, Response

from gateway.context import Context
from gateway.dialects import register_error_dialect
from gateway.errors import NotFound
from gateway.responses import ORJSONResponse
from gateway.rest.apis.athena_schemas import (
    ERROR_RESPONSES,
    CountsParams,
    CountsResponse,
    LeaderboardParams,
    LeaderboardResponse,
    MetricsResponse,
    ResourceMetricsBody,
    WorkspaceMetricsBody,
    body_doc,
)
from gateway.rest.auth import context_for
from gateway.rest.cache import DEFAULT_TTL, ResponseCache, response_cache
from gateway.rest.routes import uses
from gateway.rest.runner import OperationFailed, run_operation
from gateway.workspaces.validation import (
    GRANULARITIES,
    MAX_LIMIT,
    ORDER_DIRS,
    PERIODS,
    MetricsRequest,
    ValidationFailed,
    parse_metrics_request,
)

router = APIRouter(tags=["Athena workspace metrics"])
ContextDep = Annotated[Context, Depends(context_for("athena"))]
CacheDep = Annotated[ResponseCache, Depends(response_cache)]

RESOURCES = {
    "agents": "AGENTS",
    "workflows": "WORKFLOWS",
    "workflow-executions": "WORKFLOW_EXECUTIONS",
    "threads": "THREADS",
    "messages": "MESSAGES",
}
LEADERBOARD_ORDERS = (
    "executions",
    "avg_duration_ms",
    "total_duration_ms",
    "shares",
    "copies",
    "unique_users",
    "name",
)
_PERIOD_ENUM = {"7d": "D7", "30d": "D30", "90d": "D90", "all": "ALL"}
PREFIXES = ("/api/v1/workspaces", *(f"/v1/{r}" for r in RESOURCES))
WORKSPACE_NOT_FOUND = "workspace_not_found"


# --- error dialect ----------------------------------------------------------------------


def render_athena_error(
    request: Request, status: int, code: str, message: str, details: dict | None
) -> Response:
    """Laravel-style bodies, as the document shows them."""
    if status == 401:
        body: dict[str, Any] = {"message": "Unauthenticated."}
        return ORJSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    if status == 403:
        return ORJSONResponse({"message": "This action is unauthorized."}, status_code=403)
    if status == 404 and code == WORKSPACE_NOT_FOUND:
        return ORJSONResponse({"error": "Workspace not found"}, status_code=404)
    if status in (400, 422):
        errors = (details or {}).get("errors") or {"request": [message]}
        return ORJSONResponse({"message": message, "errors": errors}, status_code=422)
    if status == 405:
        message = f"The {request.method} method is not supported for this route."
    return ORJSONResponse({"message": message}, status_code=status)


for _prefix in PREFIXES:
    register_error_dialect(_prefix, render_athena_error)


# --- request parsing --------------------------------------------------------------------


def _listing(values: tuple[str, ...]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed({field: [message]})


def _query_input(request: Request) -> dict[str, Any]:
    """The query string as nested input: `filters[period]=7d` -> {"filters": {"period"}}."""
    out: dict[str, Any] = {}
    for name, value in request.query_params.multi_items():
        if "[" in name and name.endswith("]"):
            head, _, rest = name.partition("[")
            inner = out.setdefault(head, {})
            if isinstance(inner, dict):
                inner[rest[:-1]] = value
        else:
            out[name] = value
    return out


async def request_input(request: Request) -> dict[str, Any]:
    """The JSON body merged over the query string; 422 for a body that is not a JSON
    object."""
    raw = await request.body()
    body: Any = {}
    if raw.strip():
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise _invalid("body", "The request body must be valid JSON.") from None
        if not isinstance(body, dict):
            raise _invalid("body", "The request body must be a JSON object.")
    merged = _query_input(request)
    for key, value in body.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _workspace_uuid(body: Mapping[str, Any]) -> str:
    value = body.get("workspace_uuid")
    if not isinstance(value, str) or not value.strip():
        message = (
            "The workspace_uuid field is required."
            if value is None or isinstance(value, str)
            else "The workspace_uuid field must be a string."
        )
        raise _invalid("workspace_uuid", message)
    return value.strip().lower()


def _choice(
    body: Mapping[str, Any], field: str, allowed: tuple[str, ...], default: str | None
) -> str | None:
    value = body.get(field)
    if value is None or value == "":
        return default
    if not isinstance(value, str) or value not in allowed:
        raise _invalid(field, f"The selected {field} is invalid: use {_listing(allowed)}.")
    return value


def _limit(body: Mapping[str, Any], default: int) -> int:
    value = body.get("limit")
    if value is None or value == "":
        return default
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise _invalid("limit", f"The limit field must be an integer between 1 and {MAX_LIMIT}.")
    return value


def _filters(body: Mapping[str, Any]) -> Mapping[str, Any]:
    filters = body.get("filters")
    if filters is None:
        return {}
    if not isinstance(filters, Mapping):
        raise _invalid("filters", "The filters field must be an object.")
    return filters


def parse_resource_request(body: Mapping[str, Any]) -> dict[str, Any]:
    """The per-resource request (see the module docstring), every problem per field."""
    errors: dict[str, list[str]] = {}
    checks: list[Callable[[], Any]] = [
        lambda: _workspace_uuid(body),
        lambda: _choice(body, "group_by", ("date",), None),
        lambda: _choice(body, "granularity", GRANULARITIES, None),
        lambda: _filters(body),
    ]
    values = []
    for check in checks:
        try:
            values.append(check())
        except ValidationFailed as exc:
            errors.update(exc.errors)
            values.append(None)
    uuid, group_by, granularity, filters = values
    filters = filters or {}
    period = user_id = None
    try:
        period = _choice(filters, "period", PERIODS, "30d")
    except ValidationFailed:
        errors["filters.period"] = [
            f"The selected filters.period is invalid: use {_listing(PERIODS)}."
        ]
    raw_user = filters.get("user_id")
    if raw_user is not None:
        if isinstance(raw_user, str) and raw_user.strip().isdigit():
            raw_user = int(raw_user)
        if isinstance(raw_user, bool) or not isinstance(raw_user, int) or raw_user < 0:
            errors["filters.user_id"] = [
                "The filters.user_id field must be an integer (a user id)."
            ]
        else:
            user_id = raw_user or None
    if group_by == "date" and granularity is None and "granularity" not in errors:
        errors["granularity"] = ["The granularity field is required when group_by is date."]
    if errors:
        raise ValidationFailed(errors)
    return {
        "workspace_uuid": uuid,
        "group_by": group_by,
        "granularity": granularity,
        "period": period,
        "user_id": user_id,
    }


# --- shaping helpers ----------------------------------------------------------------------


def _number(value: float | None, aggregation: str) -> int | float | None:
    if value is None:
        return None
    if aggregation == "count" or (aggregation == "sum" and float(value).is_integer()):
        return int(value)
    return round(float(value), 2)


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


def _meta(period: Mapping[str, Any], cached_at: str, unit: str | None, **extra) -> dict:
    return {
        "period": {"from": period["startDate"], "to": period["endDate"]},
        "cached_at": cached_at,
        "cache_ttl": DEFAULT_TTL,
        "unit": unit,
        **extra,
    }


async def _workspace(ctx: Context, operation: str, field: str, variables: dict) -> dict:
    """Run `operation`; its `workspace.<field>` result (the workspace 404 in Athena's form)."""
    try:
        data = await run_operation(ctx, operation, variables)
    except OperationFailed as exc:
        if exc.status == 404:
            raise NotFound("Workspace not found", code=WORKSPACE_NOT_FOUND) from exc
        raise
    return data["workspace"][field]


async def _cached(
    cache: ResponseCache,
    ctx: Context,
    route: str,
    request: Mapping[str, Any],
    compute: Callable[[], Any],
    shape: Callable[[Any, str], dict],
) -> ORJSONResponse:
    entry = await cache.get_or_compute(cache.key(route, request, ctx.principal), compute)
    return ORJSONResponse(shape(entry.value, entry.cached_at_iso))


def _add(path: str, endpoint: Callable, name: str, **kw: Any) -> None:
    """Serve `endpoint` on GET and POST (distinct OpenAPI operation ids)."""
    for method in ("GET", "POST"):
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            name=f"{name}_{method.lower()}",
            operation_id=f"athena_{name}_{method.lower()}",
            responses=ERROR_RESPONSES,
            **kw,
        )


# --- GET /api/v1/workspaces/metrics -------------------------------------------------------


def _metrics_variables(uuid: str, req: MetricsRequest) -> dict[str, Any]:
    def up(value: str | None) -> str | None:
        return value.upper() if value is not None else None

    filters: dict[str, Any] = {"period": _PERIOD_ENUM[req.period]}
    if req.user_id:
        filters["userId"] = str(req.user_id)
    query = {
        "entity": up(req.entity),
        "metric": up(req.metric),
        "aggregation": up(req.aggregation),
        "groupBy": up(req.group_by),
        "granularity": up(req.granularity),
        "filters": filters,
        "orderBy": up(req.order_by),
        "orderDir": up(req.order_dir),
        "limit": req.limit,
    }
    return {"uuid": uuid, "query": query}


def _metrics_row(row: Mapping[str, Any], req: MetricsRequest) -> dict[str, Any]:
    value = _number(row["value"], req.aggregation)
    if req.group_by == "user":
        user_id = row["userId"]
        return {
            "user_id": str(user_id) if user_id is not None else None,
            "user_name": row["userName"],
            "value": value,
        }
    return {"date": row["date"], "value": value}


def _parse_metrics(body: Mapping[str, Any]) -> tuple[MetricsRequest, str]:
    """`parse_metrics_request` plus the type of `workspace_uuid`, all errors together."""
    errors: dict[str, list[str]] = {}
    uuid = ""
    try:
        uuid = _workspace_uuid(body)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        req = parse_metrics_request(body, require_workspace=True)
    except ValidationFailed as exc:
        errors = {**errors, **exc.errors} if errors else exc.errors
    if errors:
        raise ValidationFailed(errors)
    if req.user_id == 0:  # the document's example sends 0: no user filter
        req = replace(req, user_id=None)
    return req, uuid


@uses("athena/WorkspaceMetrics")
async def workspace_metrics(request: Request, ctx: ContextDep, cache: CacheDep) -> Response:
    body = await request_input(request)
    req, uuid = _parse_metrics(body)
    variables = _metrics_variables(uuid, req)

    async def compute() -> dict:
        return await _workspace(ctx, "athena/WorkspaceMetrics", "workspaceMetrics", variables)

    def shape(got: dict, cached_at: str) -> dict:
        data = {
            "entity": req.entity,
            "metric": req.metric,
            "aggregation": req.aggregation,
            "group_by": req.group_by,
            "granularity": req.granularity,
            "total": _number(got["total"], req.aggregation),
            "results": [_metrics_row(r, req) for r in got["results"]],
        }
        return {"data": data, "meta": _meta(got["period"], cached_at, got["unit"])}

    request_key = {"workspace_uuid": uuid, **asdict(req)}
    return await _cached(cache, ctx, "athena/workspace-metrics", request_key, compute, shape)


_add(
    "/api/v1/workspaces/metrics",
    workspace_metrics,
    "workspace_metrics",
    summary="Get Workspaces Metrics",
    response_model=MetricsResponse,
    openapi_extra=body_doc(WorkspaceMetricsBody),
)


# --- POST /v1/<resource>/metrics ------------------------------------------------------------


def _resource_endpoint(resource: str) -> Callable:
    enum_name = RESOURCES[resource]
    executions = resource == "workflow-executions"

    @uses("athena/ResourceMetrics")
    async def resource_metrics(request: Request, ctx: ContextDep, cache: CacheDep) -> Response:
        req = parse_resource_request(await request_input(request))
        filters: dict[str, Any] = {"period": _PERIOD_ENUM[req["period"]]}
        if req["user_id"]:
            filters["userId"] = str(req["user_id"])
        query = {
            "resource": enum_name,
            "groupBy": "DATE" if req["group_by"] else None,
            "granularity": req["granularity"].upper() if req["granularity"] else None,
            "filters": filters,
        }
        variables = {"uuid": req["workspace_uuid"], "query": query}

        async def compute() -> dict:
            return await _workspace(ctx, "athena/ResourceMetrics", "resourceMetrics", variables)

        def shape(got: dict, cached_at: str) -> dict:
            def point(p: Mapping[str, Any]) -> dict[str, Any]:
                row = {"date": p["date"], "value": p["value"]}
                if executions:
                    row.update(succeeded=p["succeeded"], failed=p["failed"])
                return row

            data: dict[str, Any] = {
                "entity": resource,
                "metric": got["metric"],
                "aggregation": "count",
                "group_by": req["group_by"],
                "granularity": req["granularity"],
                "total": got["total"],
                "results": [point(p) for p in got["results"]],
            }
            if executions:
                data.update(succeeded=got["succeeded"], failed=got["failed"])
            return {"data": data, "meta": _meta(got["period"], cached_at, None)}

        route = f"athena/{resource}-metrics"
        return await _cached(cache, ctx, route, req, compute, shape)

    return resource_metrics


for _resource in RESOURCES:
    _add(
        f"/v1/{_resource}/metrics",
        _resource_endpoint(_resource),
        f"{_resource.replace('-', '_')}_metrics",
        summary=f"Get {_resource.replace('-', ' ').title()} Metrics",
        response_model=MetricsResponse,
        openapi_extra=body_doc(ResourceMetricsBody),
    )


# --- agent leaderboard and execution counts ------------------------------------------------


def _path_uuid(uuid: str) -> str:
    return uuid.strip().lower()


@uses("athena/AgentLeaderboard")
async def agent_leaderboard(
    uuid: str, request: Request, ctx: ContextDep, cache: CacheDep
) -> Response:
    body = await request_input(request)
    req = {
        "workspace_uuid": _path_uuid(uuid),
        "period": _choice(body, "period", PERIODS, "30d"),
        "order_by": _choice(body, "order_by", LEADERBOARD_ORDERS, "executions"),
        "order_dir": _choice(body, "order_dir", ORDER_DIRS, "desc"),
        "limit": _limit(body, 10),
    }
    variables = {
        "uuid": req["workspace_uuid"],
        "period": _PERIOD_ENUM[req["period"]],
        "orderBy": req["order_by"].upper(),
        "orderDir": req["order_dir"].upper(),
        "limit": req["limit"],
    }

    async def compute() -> dict:
        return await _workspace(ctx, "athena/AgentLeaderboard", "agentLeaderboard", variables)

    def shape(got: dict, cached_at: str) -> dict:
        entries = [
            {
                "rank": e["rank"],
                "agent_uuid": e["agentKey"],
                "agent_name": e["name"],
                "agent_status": e["status"],
                "executions": e["executions"],
                "avg_duration_ms": _number(e["avgDurationMs"], "avg"),
                "total_duration_ms": _whole(e["totalDurationMs"]),
                "shares": e["shares"],
                "copies": e["copies"],
                "unique_users": e["uniqueUsers"],
            }
            for e in got["entries"]
        ]
        extra = {k: req[k] for k in ("order_by", "order_dir", "limit")}
        return {"data": entries, "meta": _meta(got["period"], cached_at, "milliseconds", **extra)}

    return await _cached(cache, ctx, "athena/agent-leaderboard", req, compute, shape)


@uses("athena/ExecutionCounts")
async def execution_counts(
    uuid: str, request: Request, ctx: ContextDep, cache: CacheDep
) -> Response:
    body = await request_input(request)
    req = {
        "workspace_uuid": _path_uuid(uuid),
        "period": _choice(body, "period", PERIODS, "30d"),
        "granularity": _choice(body, "granularity", GRANULARITIES, None),
    }
    variables = {
        "uuid": req["workspace_uuid"],
        "period": _PERIOD_ENUM[req["period"]],
        "granularity": req["granularity"].upper() if req["granularity"] else None,
    }

    async def compute() -> dict:
        return await _workspace(ctx, "athena/ExecutionCounts", "executionCounts", variables)

    def shape(got: dict, cached_at: str) -> dict:
        data = {k: got[k] for k in ("total", "completed", "succeeded", "failed", "running")}
        data["granularity"] = req["granularity"]
        data["results"] = [
            {k: p[k] for k in ("date", "completed", "succeeded", "failed")} for p in got["series"]
        ]
        return {"data": data, "meta": _meta(got["period"], cached_at, None)}

    return await _cached(cache, ctx, "athena/execution-counts", req, compute, shape)


_add(
    "/api/v1/workspaces/{uuid}/agents/leaderboard",
    agent_leaderboard,
    "agent_leaderboard",
    summary="Get Agent Leaderboard",
    response_model=LeaderboardResponse,
    openapi_extra=body_doc(LeaderboardParams, query=True),
)
_add(
    "/api/v1/workspaces/{uuid}/workflow-executions/counts",
    execution_counts,
    "workflow_execution_counts",
    summary="Get Workflow Execution Counts",
    response_model=CountsResponse,
    openapi_extra=body_doc(CountsParams, query=True),
)
