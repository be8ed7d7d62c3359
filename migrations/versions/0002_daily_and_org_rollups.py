"""daily and org-level rollups; covering rollup keys

Dashboards read whole UTC days from `rollup_daily` (per subject) or `rollup_daily_org`
(org-wide, no subject) and only the partial-day edges from the hourly tables, so a
dashboard's cost grows with days, not hours or events. Every rollup key INCLUDEs
(n, total) so reads are index-only scans once the visibility map is set (Tally runs
VACUUM ANALYZE after bulk loads).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW = {
    "rollup_daily": (
        "subject_id bigint NOT NULL, day date NOT NULL",
        "org_id, subject_type, type, subject_id, day, dims",
        """SELECT org_id, subject_type, type, subject_id, (ts AT TIME ZONE 'UTC')::date,
                  dims, count(*), sum(value)
           FROM events GROUP BY 1, 2, 3, 4, 5, 6""",
    ),
    "rollup_daily_org": (
        "day date NOT NULL",
        "org_id, subject_type, type, day, dims",
        """SELECT org_id, subject_type, type, (ts AT TIME ZONE 'UTC')::date, dims,
                  count(*), sum(value)
           FROM events GROUP BY 1, 2, 3, 4, 5""",
    ),
    "rollup_hourly_org": (
        "bucket timestamptz NOT NULL",
        "org_id, subject_type, type, bucket, dims",
        """SELECT org_id, subject_type, type, date_trunc('hour', ts, 'UTC'), dims,
                  count(*), sum(value)
           FROM events GROUP BY 1, 2, 3, 4, 5""",
    ),
}

_HOURLY_KEY = "org_id, type, subject_type, subject_id, bucket, dims"


def upgrade() -> None:
    # Filling the new levels from a populated events table takes minutes, not seconds.
    op.execute("SET LOCAL statement_timeout = 0")
    for table, (cols, key, fill) in _NEW.items():
        op.execute(
            f"""CREATE TABLE {table} (
                org_id bigint NOT NULL, subject_type varchar(20) NOT NULL,
                type varchar(40) NOT NULL, {cols}, dims jsonb NOT NULL,
                n bigint NOT NULL, total double precision NOT NULL,
                CONSTRAINT pk_{table} PRIMARY KEY ({key}) INCLUDE (n, total))"""
        )
        # Existing events (an upgrade of a populated database) are rolled up once.
        op.execute(f"INSERT INTO {table} ({key}, n, total) {fill}")
    op.execute(
        "ALTER TABLE rollup_hourly DROP CONSTRAINT pk_rollup_hourly, "
        f"ADD CONSTRAINT pk_rollup_hourly PRIMARY KEY ({_HOURLY_KEY}) INCLUDE (n, total)"
    )


def downgrade() -> None:
    op.execute("SET LOCAL statement_timeout = 0")
    op.execute(
        "ALTER TABLE rollup_hourly DROP CONSTRAINT pk_rollup_hourly, "
        f"ADD CONSTRAINT pk_rollup_hourly PRIMARY KEY ({_HOURLY_KEY})"
    )
    for table in reversed(_NEW):
        op.execute(f"DROP TABLE {table}")
