"""Shared checks for identifiers, integers and days that callers send, used by every entry
point (GraphQL ids and dates, REST path and query parameters) so that a value PostgreSQL
or Python's calendar cannot hold is a clear 4xx instead of a database error or a 500."""

from __future__ import annotations

from datetime import date

from gateway.errors import InvalidInput

FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2100, 12, 31)
"""The days any date input may name (as for periods, `gateway.metrics.periods`)."""

PG_BIGINT_MAX = 2**63 - 1
"""Every primary key is a PostgreSQL bigint."""

PG_INT_MAX = 2**31 - 1


def parse_pk(text: str) -> int | None:
    """The primary key in `text` (ASCII digits, 1 … 2^63-1), or None for anything else."""
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= PG_BIGINT_MAX else None


def check_day(value: date, what: str) -> date:
    """`value`, when between FIRST_DAY and LAST_DAY; otherwise InvalidInput naming `what`
    (9999-12-31 plus a day is beyond Python's calendar)."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidInput(
            f"{what} ({value.isoformat()}) must be between {FIRST_DAY.isoformat()} and "
            f"{LAST_DAY.isoformat()}.",
            field=what,
        )
    return value
