"""Agents (one table for agent-platform agents, ibl.ai mentors and Athena agents),
deployments, skills, and the music-industry side of the agent platform (bookings, fans)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.models.base import Base, created_at, id_pk, org_fk, org_id_pk

AGENT_STATUSES = ("active", "inactive", "failed")
AGENT_KINDS = ("platform", "mentor", "athena")


class Agent(Base):
    __tablename__ = "agents"
    __table_args__ = (
        UniqueConstraint("org_id", "key"),
        org_fk(["owner_id"], "users"),
        org_fk(["workspace_id"], "workspaces"),
        org_fk(["copied_from_id"], "agents", ondelete="SET NULL"),
        Index("ix_agents_org_workspace", "org_id", "workspace_id"),
        Index("ix_agents_org_owner", "org_id", "owner_id"),
    )
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    key: Mapped[str] = mapped_column(String(100))
    """Public id: the ibl.ai mentor unique id, the Athena agent uuid, or a slug."""
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(BigInteger)
    workspace_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), server_default="active")
    storage_mb: Mapped[int] = mapped_column(BigInteger, server_default="0")
    copied_from_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = created_at()


class Deployment(Base):
    __tablename__ = "deployments"
    __table_args__ = (org_fk(["agent_id"], "agents"),)
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    agent_id: Mapped[int] = mapped_column(BigInteger, index=True)
    status: Mapped[str] = mapped_column(String(20))
    """`successful` or `failed`."""
    created_at: Mapped[datetime] = created_at()


class Skill(Base):
    __tablename__ = "skills"
    __table_args__ = (org_fk(["owner_id"], "users"),)
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    owner_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    created_at: Mapped[datetime] = created_at()


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (org_fk(["artist_id"], "users"),)
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    artist_id: Mapped[int] = mapped_column(BigInteger, index=True)
    status: Mapped[str] = mapped_column(String(20))
    """`inquiry`, `pending`, `completed` or `cancelled`."""
    amount_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    created_at: Mapped[datetime] = created_at()


class Fan(Base):
    __tablename__ = "fans"
    __table_args__ = (org_fk(["artist_id"], "users"),)
    org_id: Mapped[int] = org_id_pk()
    artist_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    fan_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    """A listener; events `stream` carry it as actor_id. Not necessarily a Tally user."""
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
