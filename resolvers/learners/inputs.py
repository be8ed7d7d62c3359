"""Enums and inputs of the learner analytics fields."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="Agent (mentor) metrics of `learnerAnalytics`.")
class LearnerMetric(enum.Enum):
    MESSAGES = "agent.messages"
    SESSIONS = "agent.sessions"
    ACTIVE_USERS = "agent.active_users"
    SESSION_USERS = "agent.session_users"
    RATINGS = "agent.ratings"
    AVG_RATING = "agent.avg_rating"
    COST_CENTS = "agent.cost_cents"
    LLM_CALLS = "agent.llm_calls"
    TOKENS = "agent.tokens"


@strawberry.enum(description="Order of `topicDetails` (ties by topic).")
class TopicOrder(enum.Enum):
    MESSAGES = "agent.messages"
    SESSIONS = "agent.sessions"
    TOPIC = "key"


@strawberry.enum(description="Order of the per-user tables (ties by user id).")
class LearnerUserOrder(enum.Enum):
    MESSAGES = "messages"
    SESSIONS = "sessions"
    COST = "cost"
    LAST_ACTIVE = "last_active"
    USERNAME = "username"


@strawberry.enum(description="Order of courses / programs (ties by id).")
class CatalogOrder(enum.Enum):
    KEY = "key"
    NAME = "name"


@strawberry.enum(description="An audit log action (ibl.ai `action` 0 / 1 / 2).")
class AuditAction(enum.Enum):
    CREATE = 0
    UPDATE = 1
    DELETE = 2
