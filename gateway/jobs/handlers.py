"""What the job producers (gateway/jobs/amp_export.py, iblai_report.py) share: reading a
connection page after page through a persisted operation, and CSV cells.

The producers run persisted GraphQL operations (`gateway/rest/operations/jobs/`) as the
requesting user (`ctx.principal`), so they sit above the schema: the schema side (the job
service, the resolvers) never imports them; it finds them by kind through
`gateway.jobs.kinds.producer`. No SQL here: everything a job reads goes through the
schema and its access rules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from gateway.context import Context
from gateway.rest.runner import run_operation


async def paged(
    ctx: Context, operation: str, variables: dict, path: tuple[str, ...]
) -> AsyncIterator[dict]:
    """Every node of the connection at `path` in `operation`'s data, page after page."""
    after: str | None = None
    while True:
        data: Any = await run_operation(ctx, f"jobs/{operation}", {**variables, "after": after})
        for part in path:
            data = data[part]
        for node in data["nodes"]:
            yield node
        info = data["pageInfo"]
        if not info["hasNextPage"]:
            return
        after = info["endCursor"]


def cell(value: Any) -> Any:
    """A CSV cell: empty for null, numbers without a trailing `.0` when whole."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value
