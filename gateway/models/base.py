"""Declarative base and the column helpers every tenant-owned table shares.

Tenancy first: every tenant-owned table has `org_id` as the first column of its primary
key, and references to other tenant rows are composite `(org_id, x_id)` foreign keys, so
no row can point into another org (and the schema is ready for Citus with `org_id` as
distribution column).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKeyConstraint, Identity, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def org_id_pk() -> Mapped[int]:
    return mapped_column(BigInteger, primary_key=True)


def id_pk() -> Mapped[int]:
    return mapped_column(BigInteger, Identity(always=False), primary_key=True)


def created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def org_fk(
    columns: list[str], table: str, *, ondelete: str | None = "CASCADE"
) -> ForeignKeyConstraint:
    """A composite foreign key `(org_id, <col>) -> <table>(org_id, id)`."""
    return ForeignKeyConstraint(
        ["org_id", *columns], [f"{table}.org_id", f"{table}.id"], ondelete=ondelete
    )
