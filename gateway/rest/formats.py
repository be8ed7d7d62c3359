"""Number and date formats the REST dialects share. Each dialect module names its own set
from these in one formatting block (AMP `rate` = `decimal`, ibl.ai `count` = `whole`, …)
and uses that set everywhere; formats only one dialect has (the agent platform's `"$1,234.56"`)
stay in its module."""

from __future__ import annotations

from datetime import UTC, datetime


def decimal(value: float | None, digits: int = 2) -> float | None:
    """`value` rounded to `digits` decimals; None stays None."""
    return None if value is None else round(value, digits)


def whole(value: float | None) -> int:
    """`value` rounded to an integer; None counts as 0."""
    return int(round(value or 0))


def whole_or_none(value: float | None) -> int | None:
    """`value` rounded to an integer; None stays None."""
    return None if value is None else int(round(value))


def utc(iso: str) -> datetime:
    """An ISO 8601 timestamp with an offset, in UTC."""
    return datetime.fromisoformat(iso).astimezone(UTC)


def utc_instant(iso: str | None) -> str | None:
    """An ISO 8601 timestamp as `yyyy-MM-ddTHH:mm:ssZ` (UTC, whole seconds)."""
    return None if iso is None else utc(iso).strftime("%Y-%m-%dT%H:%M:%SZ")
