"""ORM tables, one module per domain. Importing this package registers every table on
`Base.metadata` (Alembic's target metadata)."""

from gateway.models.agents import Agent, Booking, Deployment, Fan, Skill
from gateway.models.base import Base
from gateway.models.events import (
    Event,
    RollupDaily,
    RollupDailyActor,
    RollupDailyOrg,
)
from gateway.models.jobs import Job
from gateway.models.learners import (
    AuditLogEntry,
    ChatSession,
    Course,
    Enrollment,
    Program,
    ProgramCourse,
)
from gateway.models.missions import Budget, Content, Mission, MissionKpi
from gateway.models.publications import Experience, Follow, Publication, PublicationCoCreator
from gateway.models.tenancy import ApiToken, Org, User, UserGroup, UserGroupMember, UserRole
from gateway.models.workspaces import (
    Copy,
    Message,
    Share,
    Thread,
    Workflow,
    WorkflowExecution,
    Workspace,
    WorkspaceMember,
)

__all__ = [
    "Agent",
    "ApiToken",
    "AuditLogEntry",
    "Base",
    "Booking",
    "Budget",
    "ChatSession",
    "Content",
    "Copy",
    "Course",
    "Deployment",
    "Enrollment",
    "Event",
    "Experience",
    "Fan",
    "Follow",
    "Job",
    "Message",
    "Mission",
    "MissionKpi",
    "Org",
    "Program",
    "ProgramCourse",
    "Publication",
    "PublicationCoCreator",
    "RollupDaily",
    "RollupDailyActor",
    "RollupDailyOrg",
    "Share",
    "Skill",
    "Thread",
    "User",
    "UserGroup",
    "UserGroupMember",
    "UserRole",
    "Workflow",
    "WorkflowExecution",
    "Workspace",
    "WorkspaceMember",
]
