"""Enums and inputs of the agent platform's GraphQL surface."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="Which product an agent belongs to (one table for all three).")
class AgentKind(enum.Enum):
    PLATFORM = "platform"
    MENTOR = "mentor"
    ATHENA = "athena"


@strawberry.enum(description="An agent's state: running, stopped, or failed.")
class AgentStatus(enum.Enum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    FAILED = "failed"


@strawberry.enum(description="Sort key of the `agents` connection (ties broken by id).")
class AgentOrderField(enum.Enum):
    CREATED_AT = "CREATED_AT"
    NAME = "NAME"
    KEY = "KEY"
    STORAGE = "STORAGE"


@strawberry.enum(description="Sort direction of the `agents` connection.")
class AgentOrderDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(description="How to sort agents; default newest first.")
class AgentOrder:
    field: AgentOrderField = AgentOrderField.CREATED_AT
    direction: AgentOrderDirection = AgentOrderDirection.DESC
