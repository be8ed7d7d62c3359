"""Durable background jobs (AMP exports, ibl.ai data reports), claimed by workers with
`FOR UPDATE SKIP LOCKED`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gateway.models.base import Base, created_at, id_pk, org_fk, org_id_pk

JOB_STATUSES = ("pending", "processing", "completed", "failed")


RETAIN = "retain"
"""`result.retain = true` (set by the demo for the documented example export `exp_xxx`,
never by a request): the finished file does not expire (`expires_at` stays null)."""


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("org_id", "key"),
        org_fk(["requested_by"], "users"),
        Index("ix_jobs_status_run_after", "status", "run_after"),
    )
    org_id: Mapped[int] = org_id_pk()
    id: Mapped[int] = id_pk()
    key: Mapped[str] = mapped_column(String(100))
    """Public id: `exp_...` for exports, the report name + id for data reports."""
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), server_default="pending")
    requested_by: Mapped[int] = mapped_column(BigInteger)
    params: Mapped[dict] = mapped_column(JSONB, server_default="{}")
    result: Mapped[dict] = mapped_column(JSONB, server_default="{}")
    error: Mapped[str | None] = mapped_column(Text)
    file_path: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    run_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default="now()")
    claimed_by: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()
