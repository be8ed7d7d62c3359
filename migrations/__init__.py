"""Alembic migrations. Run through `tally db upgrade|downgrade` (see gateway.migrate)."""
