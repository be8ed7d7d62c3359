"""AMP: missions, their KPI targets and budgets, and the content they publish."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Double,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gateway.models.base import Base, created_at, id_pk, org_fk, org_id_pk

MISSION_STATUSES = ("draft", "active", "paused", "completed")
CONTENT_STATUSES = ("draft", "scheduled", "published")


class Mission(Base):
    __tablename__ = "missions"
    __table_args__ = (UniqueConstraint("org_id", "key"),)
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    key: Mapped[str] = mapped_column(String(64))
    """The public id, e.g. `msn_2xK9mPqR4vN8sT3w`."""
    name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), server_default="active")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at()


class MissionKpi(Base):
    __tablename__ = "mission_kpis"
    __table_args__ = (org_fk(["mission_id"], "missions"),)
    org_id: Mapped[int] = org_id_pk()
    mission_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    metric: Mapped[str] = mapped_column(String(50), primary_key=True)
    target: Mapped[float] = mapped_column(Double)


class Budget(Base):
    """A monthly AI-generation budget for the org (mission_id NULL) or one mission."""

    __tablename__ = "budgets"
    __table_args__ = (
        org_fk(["mission_id"], "missions"),
        UniqueConstraint("org_id", "mission_id", "month", postgresql_nulls_not_distinct=True),
    )
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    mission_id: Mapped[int | None] = mapped_column(BigInteger)
    month: Mapped[date] = mapped_column(Date)
    limit_cents: Mapped[int] = mapped_column(BigInteger)


class Content(Base):
    __tablename__ = "content"
    __table_args__ = (
        UniqueConstraint("org_id", "key"),
        org_fk(["mission_id"], "missions"),
        Index("ix_content_org_mission", "org_id", "mission_id"),
        Index("ix_content_org_scheduled", "org_id", "scheduled_for"),
    )
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    key: Mapped[str] = mapped_column(String(64))
    """The public id, e.g. `cnt_...`."""
    mission_id: Mapped[int] = mapped_column(BigInteger)
    platform: Mapped[str] = mapped_column(String(30))
    type: Mapped[str] = mapped_column(String(30))
    pillar: Mapped[str | None] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(Text)
    preview: Mapped[str] = mapped_column(Text, server_default="")
    status: Mapped[str] = mapped_column(String(20), server_default="published")
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    scheduled_for: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()
