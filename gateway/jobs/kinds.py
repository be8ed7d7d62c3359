"""The job kinds, their result files, and where each kind's producer lives.

A producer is `async (ctx, params, out) -> summary`: it runs persisted GraphQL operations
as the requesting user, writes the file content to the text stream `out` and returns
`{"rows": n, "sections": {...}}` (gateway/jobs/handlers.py has the shared pieces).
Producers run on top of the schema, while the schema enqueues jobs and runs small exports
inline (gateway/jobs/service.py), so this module names each producer instead of importing
it: `producer(kind)` imports it on first use. Nothing the schema imports imports a
producer (tests/test_import_cycles.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import TextIO

from gateway.context import Context

Handler = Callable[[Context, dict, TextIO], Awaitable[dict]]

AMP_EXPORT = "amp_export"
IBLAI_REPORT = "iblai_report"
KINDS = (AMP_EXPORT, IBLAI_REPORT)

PRODUCERS = {
    AMP_EXPORT: "gateway.jobs.amp_export:produce_export",
    IBLAI_REPORT: "gateway.jobs.iblai_report:produce_report",
}
"""`module:function` of each kind's producer."""


def producer(kind: str) -> Handler:
    """The producer of `kind` (KeyError for an unknown kind)."""
    module, _, name = PRODUCERS[kind].partition(":")
    return getattr(importlib.import_module(module), name)


def default_handlers() -> dict[str, Handler]:
    """Every kind's producer, as the worker runs them."""
    return {kind: producer(kind) for kind in KINDS}


def extension(kind: str, params: dict) -> str:
    """The result file's extension: the export's format, CSV for reports."""
    return params.get("format", "csv") if kind == AMP_EXPORT else "csv"


def media_type(ext: str) -> str:
    return {"csv": "text/csv; charset=utf-8", "json": "application/json"}.get(
        ext, "application/octet-stream"
    )
