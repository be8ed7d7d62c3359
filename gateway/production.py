"""Production mode (`TALLY_ENV=production`) and the signing secret.

* The secret that signs download links (`gateway.jobs.signing`) is `TALLY_SECRET` when
  set. In development without it, a random secret is made once and kept in
  `$TALLY_DATA_DIR/secret` (mode 0600), so no two installations share a key and none is
  public. In production Tally refuses to start without `TALLY_SECRET` — or with the
  public value earlier versions used as their default.
* Production also turns GraphiQL off (GET /graphql is a 404), never puts a demo token in
  a page, and turns off anonymous introspection and field suggestions
  (`resolvers/limits.py` reads `Settings.production`).
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from gateway.config import Settings, SettingsError

PUBLIC_DEFAULT_SECRETS = frozenset({"tally-dev-secret-change-me"})
"""Values that must never sign anything in production: they were published as defaults."""

SECRET_FILE = "secret"


def check_production(settings: Settings) -> None:
    """Raise SettingsError (one line) when production settings are unsafe."""
    if not settings.production:
        return
    if not settings.secret:
        raise SettingsError(
            "TALLY_SECRET: required when TALLY_ENV=production (a long random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
    if settings.secret in PUBLIC_DEFAULT_SECRETS:
        raise SettingsError(
            "TALLY_SECRET: the public default value cannot be used when "
            "TALLY_ENV=production; set a long random value"
        )


def signing_secret(settings: Settings) -> str:
    """The key for signed download links (see the module docstring)."""
    if settings.secret:
        return settings.secret
    check_production(settings)
    return _data_dir_secret(Path(settings.data_dir))


@lru_cache(maxsize=8)
def _data_dir_secret(data_dir: Path) -> str:
    path = data_dir / SECRET_FILE
    try:
        existing = path.read_text().strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    try:  # O_EXCL: when two processes race, the first one's secret wins
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


__all__ = ["PUBLIC_DEFAULT_SECRETS", "check_production", "signing_secret"]
