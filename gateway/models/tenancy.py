"""Orgs, users, roles, API tokens and user groups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gateway.models.base import Base, created_at, id_pk, org_fk, org_id_pk

ROLES = ("admin", "member")
"""Org-level roles. `admin` is the org (ibl.ai platform) admin; everything else is
relational: publication owner / co-creator, workspace owner / member, self-access."""


class Org(Base):
    __tablename__ = "orgs"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    """The org's public key; it is also ibl.ai's `platform_key`."""
    name: Mapped[str] = mapped_column(Text)
    storage_total_mb: Mapped[int] = mapped_column(BigInteger, server_default="10240")
    created_at: Mapped[datetime] = created_at()


class User(Base):
    """A person within one org: learner, creator, workspace member, artist, admin."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("org_id", "username"),
        Index("ix_users_org_email", "org_id", "email"),
    )
    org_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = id_pk()
    username: Mapped[str] = mapped_column(String(150))
    email: Mapped[str | None] = mapped_column(Text)
    display_name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (org_fk(["user_id"], "users"),)
    org_id: Mapped[int] = org_id_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class ApiToken(Base):
    """Only the SHA-256 of a token is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"
    __table_args__ = (org_fk(["user_id"], "users"),)
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    user_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = created_at()
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserGroup(Base):
    """ibl.ai user groups (`usergroup_ids` narrows charts and reports)."""

    __tablename__ = "user_groups"
    org_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = id_pk()
    name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()


class UserGroupMember(Base):
    __tablename__ = "user_group_members"
    __table_args__ = (org_fk(["group_id"], "user_groups"), org_fk(["user_id"], "users"))
    org_id: Mapped[int] = org_id_pk()
    group_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
