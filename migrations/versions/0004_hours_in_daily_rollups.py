"""hours kept in the daily rollup rows; the hourly levels become views

`rollup_daily` and `rollup_daily_org` get one (n, total) column pair per UTC hour
(`n00`/`total00` .. `n23`/`total23`, NULL for an hour without events), filled from the
hourly tables, which are then replaced by views of the same names and columns (plus
`day`, the column a reader filters for the index). An event then touches one rollup row
per level instead of a daily and an hourly one: with timestamps spread over a month, a
batch shares few hours but many days, and the hourly upserts were most of ingestion's
rollup work.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HOURS = range(24)
# daily table -> (hourly view, the key columns they share besides day/bucket)
_LEVELS = {
    "rollup_daily": ("rollup_hourly", "org_id, type, subject_type, subject_id"),
    "rollup_daily_org": ("rollup_hourly_org", "org_id, subject_type, type"),
}
_HOURLY_KEYS = {
    "rollup_hourly": "org_id, type, subject_type, subject_id, bucket, dims",
    "rollup_hourly_org": "org_id, subject_type, type, bucket, dims",
}


def _n(h: int) -> str:
    return f"n{h:02d}"


def _t(h: int) -> str:
    return f"total{h:02d}"


def _view_sql(view: str, daily: str, keys: str) -> str:
    values = ", ".join(f"({h}, d.{_n(h)}, d.{_t(h)})" for h in _HOURS)
    cols = ", ".join(f"d.{c.strip()}" for c in keys.split(","))
    return (
        f"CREATE VIEW {view} AS SELECT {cols}, d.day,"
        " (d.day + make_interval(hours => u.hour)) AT TIME ZONE 'UTC' AS bucket,"
        f" d.dims, u.n, u.total FROM {daily} d"
        f" CROSS JOIN LATERAL (VALUES {values}) AS u(hour, n, total)"
        " WHERE u.n IS NOT NULL"
    )


def upgrade() -> None:
    op.execute("SET LOCAL statement_timeout = 0")
    for daily, (view, keys) in _LEVELS.items():
        add = ", ".join(
            f"ADD COLUMN {_n(h)} bigint, ADD COLUMN {_t(h)} double precision" for h in _HOURS
        )
        op.execute(f"ALTER TABLE {daily} {add}")
        hour = "extract(hour FROM bucket AT TIME ZONE 'UTC')"
        pivot = ", ".join(
            f"sum(n) FILTER (WHERE {hour} = {h}) AS {_n(h)},"
            f" sum(total) FILTER (WHERE {hour} = {h}) AS {_t(h)}"
            for h in _HOURS
        )
        sets = ", ".join(f"{_n(h)} = p.{_n(h)}, {_t(h)} = p.{_t(h)}" for h in _HOURS)
        match = " AND ".join(f"d.{c.strip()} = p.{c.strip()}" for c in keys.split(","))
        op.execute(
            f"UPDATE {daily} d SET {sets} FROM ("
            f"SELECT {keys}, (bucket AT TIME ZONE 'UTC')::date AS day, dims, {pivot}"
            f" FROM {view} GROUP BY {keys}, (bucket AT TIME ZONE 'UTC')::date, dims) p"
            f" WHERE {match} AND d.day = p.day AND d.dims = p.dims"
        )
        op.execute(f"DROP TABLE {view}")
        op.execute(_view_sql(view, daily, keys))


def downgrade() -> None:
    op.execute("SET LOCAL statement_timeout = 0")
    for daily, (view, _) in _LEVELS.items():
        key = _HOURLY_KEYS[view]
        op.execute(
            f"CREATE TABLE {view}_table AS SELECT {key}, n, total FROM {view} ORDER BY {key}"
        )
        op.execute(f"DROP VIEW {view}")
        op.execute(f"ALTER TABLE {view}_table RENAME TO {view}")
        for col in key.split(", "):
            op.execute(f"ALTER TABLE {view} ALTER COLUMN {col} SET NOT NULL")
        op.execute(f"ALTER TABLE {view} ALTER COLUMN n SET NOT NULL")
        op.execute(f"ALTER TABLE {view} ALTER COLUMN total SET NOT NULL")
        op.execute(
            f"ALTER TABLE {view} ADD CONSTRAINT pk_{view} PRIMARY KEY ({key}) INCLUDE (n, total)"
        )
        drop = ", ".join(f"DROP COLUMN {_n(h)}, DROP COLUMN {_t(h)}" for h in _HOURS)
        op.execute(f"ALTER TABLE {daily} {drop}")
