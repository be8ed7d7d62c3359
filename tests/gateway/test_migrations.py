"""Migrations apply on an empty database, roll back to nothing, and apply again; the
result matches the ORM models (no autogenerate diff)."""

from __future__ import annotations

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
                    "SELECT table_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND column_name = 'org_id'"
                )
            )
        }
    assert with_org, "no tenant tables found"
    assert {t: first_pk_col[t] for t in with_org} == {t: "org_id" for t in with_org}
