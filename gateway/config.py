"""Settings read once from the environment (every variable is documented in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    data_dir: Path = PROJECT_ROOT / ".tally"
    host: str = "127.0.0.1"
    port: int = 8000
    redis_url: str | None = None
    smtp_url: str | None = None
    secret: str = "tally-dev-secret-change-me"
    public_base_url: str = "http://127.0.0.1:8000"
    ingest_max_events: int = 10_000
    ingest_max_bytes: int = 10 * 1024 * 1024
    statement_timeout_ms: int = 15_000
    request_timeout_s: float = 30.0
    max_query_depth: int = 12
    max_aliases: int = 50
    max_query_tokens: int = 5_000
    log_level: str = "INFO"
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("TALLY_DATA_DIR", str(PROJECT_ROOT / ".tally")))
        port = _int("TALLY_PORT", 8000)
        host = os.environ.get("TALLY_HOST", "127.0.0.1")
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            data_dir=data_dir,
            host=host,
            port=port,
            redis_url=os.environ.get("REDIS_URL") or None,
            smtp_url=os.environ.get("SMTP_URL") or None,
            secret=os.environ.get("TALLY_SECRET", cls.secret),
            public_base_url=os.environ.get("TALLY_PUBLIC_URL", f"http://{host}:{port}"),
            ingest_max_events=_int("TALLY_INGEST_MAX_EVENTS", 10_000),
            ingest_max_bytes=_int("TALLY_INGEST_MAX_BYTES", 10 * 1024 * 1024),
            statement_timeout_ms=_int("TALLY_STATEMENT_TIMEOUT_MS", 15_000),
            log_level=os.environ.get("TALLY_LOG_LEVEL", "INFO"),
        )
