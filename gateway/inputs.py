"""Shared checks for identifiers and integers that callers send, used by every entry point
(GraphQL ids, REST path and query parameters) so that a value PostgreSQL cannot hold is a
clear 4xx instead of a database error."""

from __future__ import annotations

PG_BIGINT_MAX = 2**63 - 1
"""Every primary key is a PostgreSQL bigint."""

PG_INT_MAX = 2**31 - 1


def parse_pk(text: str) -> int | None:
    """The primary key in `text` (ASCII digits, 1 … 2^63-1), or None for anything else."""
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= PG_BIGINT_MAX else None
