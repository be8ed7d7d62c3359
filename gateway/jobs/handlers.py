"""The job kinds and their content producers.

A handler is `async (ctx, params, out) -> summary`: it runs persisted GraphQL operations
(`gateway/rest/operations/jobs/`) as the requesting user (`ctx.principal`), writes the
file content to the text stream `out`, and returns `{"rows": n, "sections": {...}}`.
No SQL here: everything a job reads goes through the schema and its access rules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TextIO

from gateway.context import Context
from gateway.rest.runner import run_operation

Handler = Callable[[Context, dict, TextIO], Awaitable[dict]]

AMP_EXPORT = "amp_export"
IBLAI_REPORT = "iblai_report"
KINDS = (AMP_EXPORT, IBLAI_REPORT)


def extension(kind: str, params: dict) -> str:
    """The result file's extension: the export's format, CSV for reports."""
    return params.get("format", "csv") if kind == AMP_EXPORT else "csv"


def media_type(ext: str) -> str:
    return {"csv": "text/csv; charset=utf-8", "json": "application/json"}.get(
        ext, "application/octet-stream"
    )


def default_handlers() -> dict[str, Handler]:
    from gateway.jobs.amp_export import produce_export
    from gateway.jobs.iblai_report import produce_report

    return {AMP_EXPORT: produce_export, IBLAI_REPORT: produce_report}


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
