"""Declarative base and the column helpers every tenant-owned table shares.

Tenancy first: every tenant-owned table has `org_id` as the first column of its primary
key, and references to other tenant rows are composite `(org_id, x_id)` foreign keys, so
no row can point into another org (and the schema is ready for Citus with `org_id` as
distribution column).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Identity,
    MetaData,
    Numeric,
    func,
)
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


M = TypeVar("M", bound=Base)


def from_json(model: type[M], text: str | dict[str, Any]) -> M:
    """A transient `model` instance from the `row_to_json` of one of its table's rows (a
    row read inside another statement, e.g. the request's metric statement; the JSON
    text or its parsed object), with the values asyncpg would have given: timestamps in
    UTC, dates, floats, decimals."""
    doc: dict[str, Any] = json.loads(text, parse_float=Decimal) if isinstance(text, str) else text
    values: dict[str, Any] = {}
    for col in model.__table__.columns:
        if col.name not in doc:
            continue
        v = doc[col.name]
        if v is not None:
            if isinstance(col.type, DateTime):
                v = datetime.fromisoformat(v)
                v = v.astimezone(UTC) if v.tzinfo is not None else v
            elif isinstance(col.type, Date):
                v = date.fromisoformat(v)
            elif isinstance(col.type, Float):
                v = float(v)
            elif isinstance(col.type, Numeric):
                v = Decimal(v)
        values[col.key] = v
    return model(**values)


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
