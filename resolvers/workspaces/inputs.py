"""GraphQL enums and inputs of the Athena domain. Enum values are the legacy API's
lowercase strings (`WorkspaceEntity.AGENTS.value == "agents"`), so an input converts to
the legacy request body checked by `gateway.workspaces.validation`."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import strawberry

from gateway.errors import InvalidInput
from gateway.inputs import parse_pk
from resolvers.common import PeriodInput
from resolvers.node import decode_id


@strawberry.enum(description="What the workspace metrics count: `agents` or `workflows`.")
class WorkspaceEntity(enum.Enum):
    AGENTS = "agents"
    WORKFLOWS = "workflows"


@strawberry.enum(
    description="EXECUTIONS (runs), CREATED, COPIES (times copied), SHARES, AVG_DURATION "
    "(workflows only, no groupBy; milliseconds)."
)
class WorkspaceMetricName(enum.Enum):
    EXECUTIONS = "executions"
    CREATED = "created"
    COPIES = "copies"
    SHARES = "shares"
    AVG_DURATION = "avg_duration"


@strawberry.enum(
    description="COUNT = number of events; SUM = sum of event values (executions: total "
    "duration ms; created/copies/shares: equals COUNT); AVG = average event value "
    "(executions: average duration ms; created/copies/shares: 1)."
)
class WorkspaceAggregation(enum.Enum):
    COUNT = "count"
    SUM = "sum"
    AVG = "avg"


@strawberry.enum(description="USER: a leaderboard of users; DATE: a time series.")
class WorkspaceGroupBy(enum.Enum):
    USER = "user"
    DATE = "date"


@strawberry.enum(description="Date labels: DAILY YYYY-MM-DD, WEEKLY ISO YYYY-WW, MONTHLY YYYY-MM.")
class WorkspaceGranularity(enum.Enum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@strawberry.enum(
    description="The legacy periods: the last 7 / 30 / 90 days including today, or ALL "
    "(since the workspace was created)."
)
class WorkspacePeriod(enum.Enum):
    D7 = "7d"
    D30 = "30d"
    D90 = "90d"
    ALL = "all"


@strawberry.enum(description="VALUE (default), NAME (user name) or DATE.")
class WorkspaceOrderBy(enum.Enum):
    VALUE = "value"
    NAME = "name"
    DATE = "date"


@strawberry.enum(description="ASC or DESC.")
class WorkspaceOrderDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.enum(description="What a per-resource metric counts (see resourceMetrics).")
class WorkspaceResource(enum.Enum):
    AGENTS = "agents"
    WORKFLOWS = "workflows"
    WORKFLOW_EXECUTIONS = "workflow_executions"
    THREADS = "threads"
    MESSAGES = "messages"


@strawberry.enum(description="Per-resource metrics are a total, or a series with DATE.")
class WorkspaceResourceGroupBy(enum.Enum):
    DATE = "date"


@strawberry.enum(description="Agent leaderboard columns.")
class AgentLeaderboardOrder(enum.Enum):
    EXECUTIONS = "executions"
    AVG_DURATION_MS = "avg_duration_ms"
    TOTAL_DURATION_MS = "total_duration_ms"
    SHARES = "shares"
    COPIES = "copies"
    UNIQUE_USERS = "unique_users"
    NAME = "name"


@strawberry.input(
    description="Filters: `period` (legacy preset, default D30) or `dateRange` (any "
    "PeriodInput, e.g. fixed dates and a timezone), not both; `userId` keeps one user's "
    "events (a numeric user id or a User global id)."
)
class WorkspaceMetricsFilters:
    period: WorkspacePeriod | None = None
    date_range: PeriodInput | None = None
    user_id: strawberry.ID | None = None


@strawberry.input(
    description="The Workspace Metrics API request (seed 004). Rules: AVG_DURATION is for "
    "WORKFLOWS only and takes no groupBy; granularity is required with groupBy DATE; "
    "limit 1-100 (default 10; a DATE series returns every bucket unless limit is given). "
    "orderBy defaults to VALUE (DATE for a DATE series); orderDir defaults to DESC for "
    "VALUE and ASC for NAME/DATE."
)
class WorkspaceMetricsInput:
    entity: WorkspaceEntity
    metric: WorkspaceMetricName
    aggregation: WorkspaceAggregation
    group_by: WorkspaceGroupBy | None = None
    granularity: WorkspaceGranularity | None = None
    filters: WorkspaceMetricsFilters | None = None
    order_by: WorkspaceOrderBy | None = None
    order_dir: WorkspaceOrderDirection | None = None
    limit: int | None = None

    def to_body(self) -> dict[str, Any]:
        """The legacy JSON body (for `parse_metrics_request`)."""
        f = self.filters
        user = user_pk(f.user_id, "filters.userId") if f and f.user_id is not None else None
        return {
            "entity": self.entity.value,
            "metric": self.metric.value,
            "aggregation": self.aggregation.value,
            "group_by": self.group_by.value if self.group_by else None,
            "granularity": self.granularity.value if self.granularity else None,
            "order_by": self.order_by.value if self.order_by else None,
            "order_dir": self.order_dir.value if self.order_dir else None,
            "limit": self.limit,
            "filters": {"period": f.period.value if f and f.period else None, "user_id": user},
        }


@strawberry.input(
    description="A per-resource metric request: a total, or with groupBy DATE (and a "
    "granularity) a zero-filled series."
)
class ResourceMetricsInput:
    resource: WorkspaceResource
    group_by: WorkspaceResourceGroupBy | None = None
    granularity: WorkspaceGranularity | None = None
    filters: WorkspaceMetricsFilters | None = None


# --- list inputs ------------------------------------------------------------------------


@strawberry.enum(description="Workspaces you own or are a member of.")
class WorkspaceRole(enum.Enum):
    OWNER = "owner"
    MEMBER = "member"


@strawberry.enum
class WorkspaceSort(enum.Enum):
    CREATED_AT_DESC = ("created_at", True)
    CREATED_AT_ASC = ("created_at", False)
    NAME_ASC = ("name", False)
    NAME_DESC = ("name", True)


@strawberry.enum
class WorkflowSort(enum.Enum):
    CREATED_AT_DESC = ("created_at", True)
    CREATED_AT_ASC = ("created_at", False)
    NAME_ASC = ("name", False)
    NAME_DESC = ("name", True)


@strawberry.enum(description="Execution orderings; running executions (no duration) sort last.")
class WorkflowExecutionSort(enum.Enum):
    STARTED_AT_DESC = ("started_at", True)
    STARTED_AT_ASC = ("started_at", False)
    DURATION_DESC = ("duration", True)
    DURATION_ASC = ("duration", False)


@strawberry.enum
class ThreadSort(enum.Enum):
    CREATED_AT_DESC = ("created_at", True)
    CREATED_AT_ASC = ("created_at", False)
    TITLE_ASC = ("title", False)
    TITLE_DESC = ("title", True)


@strawberry.enum
class ThreadMessageSort(enum.Enum):
    CREATED_AT_ASC = ("created_at", False)
    CREATED_AT_DESC = ("created_at", True)


@strawberry.enum
class WorkflowExecutionStatus(enum.Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RUNNING = "running"


@strawberry.enum
class ThreadMessageRole(enum.Enum):
    USER = "user"
    ASSISTANT = "assistant"


@strawberry.input(description="Keep executions matching every given field.")
class WorkflowExecutionFilter:
    status: WorkflowExecutionStatus | None = None
    workflow_id: strawberry.ID | None = None
    user_id: strawberry.ID | None = None
    started_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    started_before: datetime | None = strawberry.field(default=None, description="Exclusive.")

    def pairs(self) -> tuple[tuple[str, Any], ...]:
        return (
            ("status", self.status.value if self.status else None),
            ("workflow_id", pk_or_none(self.workflow_id, "Workflow", "filter.workflowId")),
            ("user_id", pk_or_none(self.user_id, "User", "filter.userId")),
            ("started_from", self.started_from),
            ("started_before", self.started_before),
        )


def pk_of(value: str, type_name: str, field: str) -> int:
    """A numeric id, or the pk inside a global id of `type_name`."""
    text = str(value).strip()
    if text.isdigit():
        kind, pk = type_name, parse_pk(text)
    else:
        try:
            kind, _, pk = decode_id(text)
        except InvalidInput:
            kind, pk = None, 0
    if pk is None:
        kind = None
    if kind != type_name:
        raise InvalidInput(
            f"{field} must be a {type_name} id (a number or a {type_name} global id), got "
            f"{value!r}.",
            field=field,
        )
    return pk


def user_pk(value: str, field: str) -> int:
    return pk_of(value, "User", field)


def pk_or_none(value: str | None, type_name: str, field: str) -> int | None:
    return None if value is None else pk_of(value, type_name, field)
