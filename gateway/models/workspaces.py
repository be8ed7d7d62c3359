"""Athena: workspaces, members, workflows, executions, threads, messages, shares, copies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gateway.models.base import Base, created_at, id_pk, org_fk, org_id_pk


class Workspace(Base):
    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("org_id", "uuid"), org_fk(["owner_id"], "users"))
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    uuid: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = created_at()


class WorkspaceMember(Base):
    __tablename__ = "workspace_members"
    __table_args__ = (org_fk(["workspace_id"], "workspaces"), org_fk(["user_id"], "users"))
    org_id: Mapped[int] = org_id_pk()
    workspace_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    role: Mapped[str] = mapped_column(String(20), server_default="member")


class Workflow(Base):
    __tablename__ = "workflows"
    __table_args__ = (
        UniqueConstraint("org_id", "key"),
        org_fk(["workspace_id"], "workspaces"),
        org_fk(["created_by"], "users"),
        org_fk(["copied_from_id"], "workflows", ondelete="SET NULL"),
        Index("ix_workflows_org_workspace", "org_id", "workspace_id"),
    )
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    key: Mapped[str] = mapped_column(String(100))
    workspace_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(BigInteger)
    copied_from_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = created_at()


class WorkflowExecution(Base):
    __tablename__ = "workflow_executions"
    __table_args__ = (
        org_fk(["workflow_id"], "workflows"),
        org_fk(["user_id"], "users"),
        Index("ix_workflow_executions_org_workflow_started", "org_id", "workflow_id", "started_at"),
    )
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    workflow_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))
    """`succeeded`, `failed` or `running`."""
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)


class Thread(Base):
    __tablename__ = "threads"
    __table_args__ = (
        org_fk(["workspace_id"], "workspaces"),
        org_fk(["agent_id"], "agents"),
        org_fk(["user_id"], "users"),
        Index("ix_threads_org_workspace", "org_id", "workspace_id"),
    )
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = mapped_column(BigInteger)
    agent_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime] = created_at()


class Message(Base):
    """A message in an Athena thread or an ibl.ai chat session (exactly one of the two)."""

    __tablename__ = "messages"
    __table_args__ = (
        org_fk(["thread_id"], "threads"),
        org_fk(["session_id"], "chat_sessions"),
        CheckConstraint("(thread_id IS NULL) <> (session_id IS NULL)", name="one_parent"),
        Index("ix_messages_org_session", "org_id", "session_id", "created_at"),
        Index("ix_messages_org_thread", "org_id", "thread_id", "created_at"),
    )
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    session_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(20))
    """`user` or `assistant`."""
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()


class Share(Base):
    __tablename__ = "shares"
    __table_args__ = (
        org_fk(["shared_by"], "users"),
        Index("ix_shares_org_entity", "org_id", "entity_type", "entity_id"),
    )
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    shared_by: Mapped[int] = mapped_column(BigInteger)
    shared_with: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()


class Copy(Base):
    __tablename__ = "copies"
    __table_args__ = (
        org_fk(["copied_by"], "users"),
        Index("ix_copies_org_source", "org_id", "entity_type", "source_id"),
    )
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    entity_type: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int] = mapped_column(BigInteger)
    copy_id: Mapped[int] = mapped_column(BigInteger)
    copied_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = created_at()
