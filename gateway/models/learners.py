"""ibl.ai: chat sessions, courses, programs, enrollments and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Double,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gateway.models.base import Base, created_at, id_pk, org_fk, org_id_pk


class ChatSession(Base):
    __tablename__ = "chat_sessions"
    __table_args__ = (
        UniqueConstraint("org_id", "key"),
        org_fk(["agent_id"], "agents"),
        org_fk(["user_id"], "users"),
        Index("ix_chat_sessions_org_agent_started", "org_id", "agent_id", "started_at"),
        Index("ix_chat_sessions_org_user", "org_id", "user_id"),
    )
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    key: Mapped[str] = mapped_column(String(64))
    """The public session id (uuid)."""
    agent_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    topic: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (UniqueConstraint("org_id", "key"),)
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    key: Mapped[str] = mapped_column(String(200))
    """e.g. `course-v1:org+CS101+2026`."""
    name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()


class Program(Base):
    __tablename__ = "programs"
    __table_args__ = (UniqueConstraint("org_id", "key"),)
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()


class ProgramCourse(Base):
    __tablename__ = "program_courses"
    __table_args__ = (org_fk(["program_id"], "programs"), org_fk(["course_id"], "courses"))
    org_id: Mapped[int] = org_id_pk()
    program_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    course_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        org_fk(["user_id"], "users"),
        org_fk(["course_id"], "courses"),
        Index("ix_enrollments_org_course", "org_id", "course_id"),
    )
    org_id: Mapped[int] = org_id_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    course_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    grade: Mapped[float | None] = mapped_column(Double)
    """0.0 - 1.0."""
    progress: Mapped[float] = mapped_column(Double, server_default="0")
    """0.0 - 1.0."""
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_access_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


AUDIT_ACTIONS = {0: "create", 1: "update", 2: "delete"}


class AuditLogEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        org_fk(["agent_id"], "agents", ondelete="SET NULL"),
        Index("ix_audit_log_org_ts", "org_id", "ts"),
        Index("ix_audit_log_org_agent_ts", "org_id", "agent_id", "ts"),
    )
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_email: Mapped[str | None] = mapped_column(Text)
    action: Mapped[int] = mapped_column(SmallInteger)
    """0 create, 1 update, 2 delete (ibl.ai's `action` filter)."""
    agent_id: Mapped[int | None] = mapped_column(BigInteger)
    target_type: Mapped[str] = mapped_column(String(50))
    target_id: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict] = mapped_column(JSONB, server_default="{}")
    created_at: Mapped[datetime] = created_at()
