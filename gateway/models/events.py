"""The append-only events table and the rollups dashboards read.

`events` holds every counted fact once: the primary key `(org_id, event_id)` makes
ingestion idempotent. `dims` are the low-cardinality dimensions that rollups keep
(declared per event type in `gateway.vocabulary`); `attrs` is free metadata that is
stored but never grouped by.

Rollups are maintained in the same statement that inserts new events (only rows the
insert actually created are added), so they are exact under duplicates and late events
and there is no "live tail" to merge. Dashboards read the coarsest level that fits the
question (whole UTC days first, then whole hours, raw events only for partial hours):

* `rollup_daily`       (org, subject type, type, subject, UTC day, dims) -> n, total
* `rollup_daily_org`   (org, subject type, type, UTC day, dims) -> n, total  — org-wide
  charts that need no per-subject rows
* `rollup_hourly`      (org, type, subject, UTC hour, dims) -> n, total  — partial-day
  edges, hour-of-day questions, timezones whose days cut through UTC days
* `rollup_hourly_org`  (org, subject type, type, UTC hour, dims) -> n, total
* `rollup_daily_actor` (org, type, subject, UTC day, actor) -> n, total  — per-user
  breakdowns, leaderboards and exact distinct active users.

Every rollup's primary key INCLUDEs (n, total) (migrations 0002 and 0003: SQLAlchemy
cannot declare INCLUDE on a primary key), so reads are index-only scans.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Double, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gateway.models.base import Base, org_id_pk


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_org_subject_type_ts", "org_id", "subject_type", "type", "ts"),
        Index("ix_events_ts_brin", "ts", postgresql_using="brin"),
    )
    org_id: Mapped[int] = org_id_pk()
    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    value: Mapped[float] = mapped_column(Double, server_default="1")
    dims: Mapped[dict] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    attrs: Mapped[dict] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class RollupHourly(Base):
    __tablename__ = "rollup_hourly"
    org_id: Mapped[int] = org_id_pk()
    type: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    bucket: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    dims: Mapped[dict] = mapped_column(JSONB, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[float] = mapped_column(Double)


class RollupDailyActor(Base):
    __tablename__ = "rollup_daily_actor"
    __table_args__ = (Index("ix_rollup_daily_actor_org_actor", "org_id", "actor_id", "day"),)
    org_id: Mapped[int] = org_id_pk()
    type: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    actor_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[float] = mapped_column(Double)


class RollupDaily(Base):
    __tablename__ = "rollup_daily"
    org_id: Mapped[int] = org_id_pk()
    subject_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    type: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dims: Mapped[dict] = mapped_column(JSONB, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[float] = mapped_column(Double)


class RollupDailyOrg(Base):
    __tablename__ = "rollup_daily_org"
    org_id: Mapped[int] = org_id_pk()
    subject_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    type: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dims: Mapped[dict] = mapped_column(JSONB, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[float] = mapped_column(Double)


class RollupHourlyOrg(Base):
    __tablename__ = "rollup_hourly_org"
    org_id: Mapped[int] = org_id_pk()
    subject_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    type: Mapped[str] = mapped_column(String(40), primary_key=True)
    bucket: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    dims: Mapped[dict] = mapped_column(JSONB, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[float] = mapped_column(Double)


__all__ = [
    "Event",
    "RollupDaily",
    "RollupDailyActor",
    "RollupDailyOrg",
    "RollupHourly",
    "RollupHourlyOrg",
]
