"""Production mode and the signing secret: `tally serve` refuses to start without a
secret of its own, GraphiQL is off, no page carries a demo token, and every response
carries the security headers. In development the secret is random, kept in the data
directory, and TALLY_SECRET still wins."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import httpx
import pytest

from gateway.app import create_app
from gateway.config import Settings, SettingsError
from gateway.console import CONTENT_SECURITY_POLICY
from gateway.db import Database
from gateway.production import _data_dir_secret, signing_secret

DEMO_TOKEN = "tly_demo-token-that-must-not-leak"
PAGES = ("/graphql", "/dashboard", "/docs", "/redoc")
HTML = {"Accept": "text/html"}


def _serve(tmp_path, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("TALLY_") and k != "DATABASE_URL"
    }
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", "serve", "--port", "8112"],
        capture_output=True,
        text=True,
        # XDG_RUNTIME_DIR: without it platformdirs warns on stderr at import
        env={**base, "TALLY_DATA_DIR": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path), **env},
        timeout=120,
    )


@pytest.mark.parametrize(
    ("secret", "needle"),
    [(None, "required when TALLY_ENV=production"), ("tally-dev-secret-change-me", "public")],
)
def test_serve_refuses_to_start_in_production_without_a_secret(tmp_path, secret, needle):
    env = {"TALLY_ENV": "production"}
    if secret:
        env["TALLY_SECRET"] = secret
    result = _serve(tmp_path, **env)
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: TALLY_SECRET: ") and needle in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "pgdata").exists()  # refused before touching any database


def test_create_app_refuses_production_without_a_secret(tmp_path):
    with pytest.raises(SettingsError, match="TALLY_SECRET"):
        create_app(Settings(env="production", data_dir=tmp_path))


def _app(db: Database, tmp_path, **settings):
    app = create_app(
        Settings(
            data_dir=tmp_path,
            database_url="postgresql://unused/unused",
            rate_limit_enabled=False,
            **settings,
        ),
        database=db,
    )
    # what `tally serve` sets in demo mode; production must not show it anyway
    app.state.demo_principals = [
        {"name": "org_admin", "role": "admin", "username": "ada", "token": DEMO_TOKEN}
    ]
    return app


def _local_client(app) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=("127.0.0.1", 1))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")


def _assert_security_headers(response: httpx.Response, csp: str = CONTENT_SECURITY_POLICY):
    assert response.headers["content-security-policy"] == csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_production_has_no_graphiql_no_demo_token_and_security_headers(db, tmp_path):
    app = _app(db, tmp_path, env="production", secret="a-long-random-production-secret")
    async with _local_client(app) as client:
        r = await client.get("/graphql", headers=HTML)
        assert r.status_code == 404
        _assert_security_headers(r)
        for path in PAGES:
            r = await client.get(path, headers=HTML)
            assert DEMO_TOKEN not in r.text, path
            _assert_security_headers(r)
        for r in (
            await client.get("/livez"),
            await client.post("/graphql", json={"query": "{ __typename }"}),
            await client.get("/api/metrics"),  # a 401 in the agent platform's dialect
            await client.get("/no/such/route"),
        ):
            _assert_security_headers(r)


async def test_development_keeps_graphiql_and_demo_tokens_for_local_callers(db, tmp_path):
    app = _app(db, tmp_path)
    async with _local_client(app) as client:
        r = await client.get("/graphql", headers=HTML)
        assert r.status_code == 200
        assert DEMO_TOKEN in r.text  # demo mode, a local caller: the tabs carry it
        _assert_security_headers(r)


async def test_the_content_security_policy_is_configurable(db, tmp_path):
    app = _app(db, tmp_path, csp="default-src 'self'; frame-ancestors 'none'")
    async with _local_client(app) as client:
        r = await client.get("/livez")
        _assert_security_headers(r, "default-src 'self'; frame-ancestors 'none'")


def test_development_secret_is_random_kept_in_the_data_dir_and_overridable(tmp_path):
    first_dir, second_dir = tmp_path / "one", tmp_path / "two"
    first = signing_secret(Settings(data_dir=first_dir))
    assert len(first) >= 40 and first != "tally-dev-secret-change-me"
    path = first_dir / "secret"
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    _data_dir_secret.cache_clear()  # as a new process would
    assert signing_secret(Settings(data_dir=first_dir)) == first  # kept
    assert signing_secret(Settings(data_dir=second_dir)) != first  # per installation
    assert signing_secret(Settings(data_dir=first_dir, secret="chosen")) == "chosen"
    assert Settings.from_env(data_dir=first_dir).secret is None  # nothing public by default
