"""The append-only events table and the rollups dashboards read.

`events` holds every counted fact once: the primary key `(org_id, event_id)` makes
ingestion idempotent. `dims` are the low-cardinality dimensions that rollups keep
(declared per event type in `gateway.vocabulary`); `attrs` is free metadata that is
stored but never grouped by.

Rollups are maintained in the same statement that inserts new events (only rows the
insert actually created are added), so they are exact under duplicates and late events
and there is no "live tail" to merge. Dashboards read the coarsest level that fits the
question (whole UTC days first, then whole hours, raw events only for partial hours):

* `rollup_daily`       (org, subject type, type, subject, UTC day, dims) -> n, total,
  and the day's 24 UTC hours as columns `n00`/`total00` .. `n23`/`total23` (NULL for an
  hour without events)
* `rollup_daily_org`   (org, subject type, type, UTC day, dims) -> the same — org-wide
  charts that need no per-subject rows
* `rollup_daily_actor` (org, type, subject, UTC day, actor) -> n, total  — per-user
  breakdowns, leaderboards and exact distinct active users.

The hours are read through two views (migration 0004), one row per hour with events:
`rollup_hourly` (org, type, subject type, subject, day, bucket, dims, n, total) over
`rollup_daily` and `rollup_hourly_org` over `rollup_daily_org` — partial-day edges,
hour-of-day questions, timezones whose days cut through UTC days. A reader filters
`day` as well as `bucket` (`hour_days`): only `day` is in the index. Keeping the hours in
the day's row rather than a row per hour means an event touches one row per level, not
two (ingestion's cost is rollup rows per event; a 30-day spread of events shares few
hours but many days).

Every rollup's primary key INCLUDEs (n, total) (migrations 0002 and 0003: SQLAlchemy
cannot declare INCLUDE on a primary key), so reads of whole days are index-only scans.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import BigInteger, Date, DateTime, Double, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, declarative_mixin, mapped_column

from gateway.models.base import Base, org_id_pk

HOURS = tuple(range(24))
"""UTC hours of a day; hour h of a daily rollup row is in columns `n<hh>` and `total<hh>`."""


def hour_columns(h: int) -> tuple[str, str]:
    """The (count, total) columns of UTC hour `h` in a daily rollup row."""
    return f"n{h:02d}", f"total{h:02d}"


def hour_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The first and last UTC day of the hours in [start, end) (end > start): the `day`
    range a reader of an hourly view adds to its `bucket` range, for the index."""
    last = end - timedelta(microseconds=1)
    return start.astimezone(UTC).date(), last.astimezone(UTC).date()


@declarative_mixin
class _Hours:
    """The 24 per-UTC-hour (n, total) column pairs of a daily rollup row."""


for _h in HOURS:
    _n, _t = hour_columns(_h)
    setattr(_Hours, _n, mapped_column(BigInteger, nullable=True))
    setattr(_Hours, _t, mapped_column(Double, nullable=True))


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


class RollupDaily(_Hours, Base):
    __tablename__ = "rollup_daily"
    org_id: Mapped[int] = org_id_pk()
    subject_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    type: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dims: Mapped[dict] = mapped_column(JSONB, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[float] = mapped_column(Double)


class RollupDailyOrg(_Hours, Base):
    __tablename__ = "rollup_daily_org"
    org_id: Mapped[int] = org_id_pk()
    subject_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    type: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dims: Mapped[dict] = mapped_column(JSONB, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[float] = mapped_column(Double)


__all__ = [
    "Event",
    "RollupDaily",
    "RollupDailyActor",
    "RollupDailyOrg",
    "HOURS",
    "hour_columns",
    "hour_days",
]
