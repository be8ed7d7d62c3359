"""Migrations apply on an empty database, roll back to nothing, and apply again; the
result matches the ORM models (no autogenerate diff)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from gateway import migrate
from gateway.db import make_engine
from gateway.models import Base


async def _tables(engine) -> set[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        )
        return {r[0] for r in rows}


async def test_upgrade_downgrade_upgrade(scratch_database):
    engine = make_engine(scratch_database, pool_size=1)
    try:
        await migrate.upgrade(engine)
        model_tables = set(Base.metadata.tables)
        assert model_tables <= await _tables(engine)
        assert await migrate.current_revision(engine) is not None

        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
            )
        assert diff == [], f"models and migrations differ: {diff}"

        await migrate.downgrade(engine)
        assert await _tables(engine) <= {"alembic_version"}
        assert await migrate.current_revision(engine) is None

        await migrate.upgrade(engine)
        assert model_tables <= await _tables(engine)
    finally:
        await engine.dispose()


async def test_every_tenant_table_keys_on_org_id(engine):
    """Tenancy first: every table with an org_id column has it first in its primary key."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                """
                SELECT c.relname, a.attname
                FROM pg_index i
                JOIN pg_class c ON c.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
                WHERE i.indisprimary
                """
            )
        )
        first_pk_col = dict(rows.all())
        with_org = {
            r[0]
            for r in await conn.execute(
                text(
                    "SELECT c.table_name FROM information_schema.columns c"
                    " JOIN information_schema.tables t USING (table_schema, table_name)"
                    " WHERE c.table_schema = 'public' AND c.column_name = 'org_id'"
                    " AND t.table_type = 'BASE TABLE'"
                )
            )
        }
    assert with_org, "no tenant tables found"
    assert {t: first_pk_col[t] for t in with_org} == {t: "org_id" for t in with_org}


_HOURS_BY_SUBJECT = text(
    "SELECT subject_id, extract(hour FROM bucket AT TIME ZONE 'UTC')::int, n, total"
    " FROM rollup_hourly ORDER BY 1, 2"
)


async def test_0004_moves_the_hours_into_the_daily_rows_and_back(scratch_database):
    """Hourly rollups written before 0004 read the same through its views, and a
    downgrade restores the hourly tables row for row."""
    engine = make_engine(scratch_database, pool_size=1)
    hourly = [  # (subject, bucket hour on 2026-03-29 UTC, n, total)
        (1, 0, 2, 3.0),
        (1, 23, 1, 0.0),
        (2, 5, 4, 8.5),
    ]
    try:
        await migrate.upgrade(engine, "0003")
        async with engine.begin() as conn:
            for subject, hour, n, total in hourly:
                bucket = datetime(2026, 3, 29, hour, tzinfo=UTC)
                await conn.execute(
                    text(
                        "INSERT INTO rollup_hourly VALUES"
                        " (1, 'view', 'publication', :s, :b, '{}', :n, :t)"
                    ),
                    {"s": subject, "b": bucket, "n": n, "t": total},
                )
                await conn.execute(
                    text(
                        "INSERT INTO rollup_hourly_org VALUES"
                        " (1, 'publication', 'view', :b, '{}', :n, :t)"
                    ),
                    {"b": bucket, "n": n, "t": total},
                )
                for table, cols in (("rollup_daily", ", subject_id"), ("rollup_daily_org", "")):
                    await conn.execute(
                        text(
                            f"INSERT INTO {table} (org_id, subject_type, type{cols}, day, dims,"
                            f" n, total) VALUES (1, 'publication', 'view'{', :s' if cols else ''},"
                            " '2026-03-29', '{}', :n, :t) ON CONFLICT ON CONSTRAINT"
                            f" pk_{table} DO UPDATE SET n = {table}.n + EXCLUDED.n,"
                            f" total = {table}.total + EXCLUDED.total"
                        ),
                        {"s": subject, "n": n, "t": total},
                    )
        await migrate.upgrade(engine)
        async with engine.connect() as conn:
            assert [tuple(r) for r in await conn.execute(_HOURS_BY_SUBJECT)] == hourly
            org = await conn.execute(
                text(
                    "SELECT extract(hour FROM bucket AT TIME ZONE 'UTC')::int, n, total"
                    " FROM rollup_hourly_org ORDER BY 1"
                )
            )
            assert [tuple(r) for r in org] == [(0, 2, 3.0), (5, 4, 8.5), (23, 1, 0.0)]
            one = await conn.execute(
                text(
                    "SELECT n, n00, total00, n05, n23, total23 FROM rollup_daily"
                    " WHERE subject_id = 1"
                )
            )
            assert tuple(one.one()) == (3, 2, 3.0, None, 1, 0.0)
        await migrate.downgrade(engine, "0003")
        async with engine.connect() as conn:
            assert [tuple(r) for r in await conn.execute(_HOURS_BY_SUBJECT)] == hourly
            assert "rollup_hourly" in await _tables(engine)
    finally:
        await engine.dispose()
