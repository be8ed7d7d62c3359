"""Validation of Athena's workspace metrics request (seed 004, `GET /api/v1/workspaces/metrics`).

One function, `parse_metrics_request(body)`, checks a request given as the legacy JSON
body (strings: `"entity": "agents"`, `"filters": {"period": "30d"}`, ...) against every
rule of the document and returns a `MetricsRequest`, or raises `ValidationFailed` with
ALL problems per field, Laravel style, so the REST shim can answer Athena's 422
`{"message": ..., "errors": {field: [..]}}` and GraphQL can show the same messages in
`extensions` (`code: "VALIDATION_FAILED"`, `errors: {...}`).

The document's rules:
  1. entity is required and must be agents or workflows
  2. metric is required and must be a supported metric for the entity
  3. aggregation is required and must be count, sum, or avg
  4. granularity is required when group_by is date
  5. avg_duration metric does not support group_by
  6. avg_duration metric is only available for workflows
plus the documented value sets of group_by, granularity, filters.period, order_by,
order_dir, and limit 1-100.

Defaults (document: period 30d, order_by value, order_dir desc, limit 10), with one
documented refinement for date series, which are read in time order: when group_by is
date and order_by is not given, results are ordered by date ascending and every bucket
is returned unless `limit` is given. `order_dir` defaults to asc whenever the effective
order is by date (or name), desc when it is by value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.errors import InvalidInput

ENTITIES = ("agents", "workflows")
METRICS = ("executions", "created", "copies", "shares", "avg_duration")
METRICS_BY_ENTITY = {"agents": METRICS[:4], "workflows": METRICS}
AGGREGATIONS = ("count", "sum", "avg")
GROUP_BYS = ("user", "date")
GRANULARITIES = ("daily", "weekly", "monthly")
PERIODS = ("7d", "30d", "90d", "all")
ORDER_BYS = ("value", "name", "date")
ORDER_DIRS = ("asc", "desc")
MAX_LIMIT = 100
DEFAULT_LIMIT = 10


class ValidationFailed(InvalidInput):
    """Invalid request, with every problem listed per field (`errors`)."""

    code = "validation_failed"
    status = 422

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first_field = next(iter(errors))
        first = errors[first_field][0]
        more = sum(len(v) for v in errors.values()) - 1
        message = first if not more else f"{first} (and {more} more error{'s' * (more > 1)})"
        super().__init__(message, field=first_field)
        self.errors = errors

    @property
    def details(self) -> dict[str, Any]:
        return {"errors": self.errors}

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": "VALIDATION_FAILED", "errors": self.errors}


@dataclass(frozen=True)
class MetricsRequest:
    """A valid metrics request (legacy lowercase values)."""

    entity: str
    metric: str
    aggregation: str
    group_by: str | None = None
    granularity: str | None = None
    period: str = "30d"
    user_id: int | None = None
    order_by: str | None = None
    order_dir: str | None = None
    limit: int | None = None

    @property
    def effective_order_by(self) -> str:
        if self.order_by is not None:
            return self.order_by
        return "date" if self.group_by == "date" else "value"

    @property
    def effective_order_dir(self) -> str:
        if self.order_dir is not None:
            return self.order_dir
        return "desc" if self.effective_order_by == "value" else "asc"

    @property
    def effective_limit(self) -> int | None:
        """None = every bucket of a date series."""
        if self.limit is not None:
            return self.limit
        return None if self.group_by == "date" else DEFAULT_LIMIT

    @property
    def unit(self) -> str | None:
        """`milliseconds` when the value is a duration, else None (a count)."""
        durations = self.metric in ("executions", "avg_duration")
        return "milliseconds" if durations and self.aggregation != "count" else None


def _listing(values: tuple[str, ...]) -> str:
    return ", ".join(values[:-1]) + " or " + values[-1]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def parse_metrics_request(
    body: Mapping[str, Any], *, require_workspace: bool = False
) -> MetricsRequest:
    """Check `body` against the document's rules; raise ValidationFailed listing every
    problem. `require_workspace` also checks `workspace_uuid` (the REST body has it)."""
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    def choice(field: str, allowed: tuple[str, ...], *, required: bool) -> str | None:
        value = body.get(field)
        if _blank(value):
            if required:
                err(field, f"The {field} field is required.")
            return None
        if not isinstance(value, str) or value not in allowed:
            err(field, f"The selected {field} is invalid: use {_listing(allowed)}.")
            return None
        return value

    if require_workspace and _blank(body.get("workspace_uuid")):
        err("workspace_uuid", "The workspace_uuid field is required.")
    entity = choice("entity", ENTITIES, required=True)
    metric = choice("metric", METRICS, required=True)
    aggregation = choice("aggregation", AGGREGATIONS, required=True)
    group_by = choice("group_by", GROUP_BYS, required=False)
    granularity = choice("granularity", GRANULARITIES, required=False)
    order_by = choice("order_by", ORDER_BYS, required=False)
    order_dir = choice("order_dir", ORDER_DIRS, required=False)

    if metric == "avg_duration" and entity == "agents":
        err("metric", "The avg_duration metric is only available for workflows.")
    if group_by == "date" and granularity is None and "granularity" not in errors:
        err("granularity", "The granularity field is required when group_by is date.")
    if metric == "avg_duration" and group_by is not None:
        err("group_by", "The avg_duration metric does not support group_by: leave it out.")

    limit = None
    if not _blank(body.get("limit")):
        limit = _as_int(body.get("limit"))
        if limit is None or not 1 <= limit <= MAX_LIMIT:
            err("limit", f"The limit field must be an integer between 1 and {MAX_LIMIT}.")
            limit = None

    filters = body.get("filters") or {}
    period, user_id = "30d", None
    if not isinstance(filters, Mapping):
        err("filters", "The filters field must be an object.")
        filters = {}
    raw_period = filters.get("period")
    if not _blank(raw_period):
        if raw_period in PERIODS:
            period = raw_period
        else:
            err(
                "filters.period",
                f"The selected filters.period is invalid: use {_listing(PERIODS)}.",
            )
    if filters.get("user_id") is not None:
        user_id = _as_int(filters.get("user_id"))
        if user_id is None:
            err("filters.user_id", "The filters.user_id field must be an integer (a user id).")

    if errors:
        raise ValidationFailed(errors)
    assert entity and metric and aggregation
    return MetricsRequest(
        entity=entity,
        metric=metric,
        aggregation=aggregation,
        group_by=group_by,
        granularity=granularity,
        period=period,
        user_id=user_id,
        order_by=order_by,
        order_dir=order_dir,
        limit=limit,
    )
