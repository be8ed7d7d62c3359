"""Enums and input objects of the AMP analytics fields."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="Lifecycle of a mission.")
class MissionStatus(enum.Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"


@strawberry.enum(description="Lifecycle of a content item.")
class ContentStatus(enum.Enum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"


@strawberry.enum(description="Sort key of the missions connection (ties: by id).")
class MissionOrderField(enum.Enum):
    ID = "ID"
    START_DATE = "START_DATE"
    END_DATE = "END_DATE"
    NAME = "NAME"
    CREATED_AT = "CREATED_AT"


@strawberry.enum(
    description="Sort key of content lists. Metric keys are measured over the field's "
    "`period`; ties (and items without a value, listed last) are ordered by id."
)
class ContentOrderField(enum.Enum):
    PUBLISHED_AT = "PUBLISHED_AT"
    IMPRESSIONS = "IMPRESSIONS"
    ENGAGEMENTS = "ENGAGEMENTS"
    ENGAGEMENT_RATE = "ENGAGEMENT_RATE"
    CLICKS = "CLICKS"


CONTENT_ORDER_METRIC = {
    ContentOrderField.IMPRESSIONS: "content.impressions",
    ContentOrderField.ENGAGEMENTS: "content.engagements",
    ContentOrderField.ENGAGEMENT_RATE: "content.engagement_rate",
    ContentOrderField.CLICKS: "content.clicks",
}


@strawberry.enum(description="Group-bys of the `performance` field.")
class PerformanceBreakdown(enum.Enum):
    PLATFORM = "platform"
    TYPE = "type"
    PILLAR = "pillar"
    TOPIC = "topic"
    TIME = "time"


@strawberry.enum(description="Sort order of breakdown groups (descending; ties by key).")
class PerformanceSort(enum.Enum):
    ENGAGEMENT_RATE = "ENGAGEMENT_RATE"
    IMPRESSIONS = "IMPRESSIONS"
    CLICKS = "CLICKS"
    POSTS = "POSTS"


@strawberry.enum(description="How a KPI is tracking (see the thresholds on KpiProgress).")
class KpiStatus(enum.Enum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    EXCEEDED = "exceeded"


@strawberry.enum(description="What an optimization insight is about.")
class InsightType(enum.Enum):
    TIMING = "timing"
    CONTENT = "content"
    PLATFORM = "platform"


@strawberry.enum(description="Impressions per hour since publishing against the org median.")
class Velocity(enum.Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@strawberry.input(description="Restrict a content list. Omitted fields do not filter.")
class ContentFilterInput:
    mission_key: str | None = None
    platforms: list[str] | None = None
    types: list[str] | None = None
    pillars: list[str] | None = None
    statuses: list[ContentStatus] | None = None
