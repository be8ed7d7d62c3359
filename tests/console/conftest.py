"""Fixtures of the console tests: one database with the `tiny` demo dataset for the whole
run (anchored at now, so rolling periods have data), and — for the browser tests — a
real `tally serve` on it (uvicorn, demo mode) and Debian's Chromium driven by Playwright.

Where Chromium or Playwright is missing the browser tests are skipped with the reason;
with TALLY_BROWSER_TESTS=required (set by .ci/run) they fail instead."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from gateway import migrate
from gateway.config import PROJECT_ROOT, Settings
from gateway.db import Database, drop_database, ensure_database, make_engine, with_database
from gateway.demo import DEFAULT_SEED, demo_token, seed_demo

CHROMIUM = os.environ.get("TALLY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / ".artifacts" / "browser"
PORTS = range(8131, 8140)
"""Tried in order for the test server; an ephemeral port when all are taken."""


def token(name: str) -> str:
    return demo_token(DEFAULT_SEED, name)


@pytest.fixture(scope="session")
async def demo_database_url(server_url: str) -> AsyncIterator[str]:
    name = f"tally_console_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await ensure_database(server_url, name)
    url = with_database(server_url, name)
    db = Database(make_engine(url, pool_size=2))
    try:
        await migrate.upgrade(db.engine)
        await seed_demo(db, scale="tiny", seed=DEFAULT_SEED, quiet=True)
    finally:
        await db.dispose()
    yield url
    await drop_database(server_url, name)


@pytest.fixture
async def demo_client(demo_database_url: str, tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    """The app (in process) on the demo database."""
    from gateway.app import create_app

    db = Database(make_engine(demo_database_url, pool_size=2))
    app = create_app(
        Settings(data_dir=tmp_path, database_url=demo_database_url, rate_limit_enabled=False),
        database=db,
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
        yield c
    await db.dispose()


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser_unavailable() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="session")
def browser_available() -> None:
    reason = browser_unavailable()
    if reason is None:
        return
    if os.environ.get("TALLY_BROWSER_TESTS") == "required":
        pytest.fail(f"browser tests are required (TALLY_BROWSER_TESTS=required): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_server(browser_available, demo_database_url: str, tmp_path_factory) -> Iterator[str]:
    """`tally serve` (uvicorn, demo mode) on the demo database; yields its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": demo_database_url,
        "TALLY_DATA_DIR": str(tmp_path_factory.mktemp("serve")),
        "TALLY_LOG_LEVEL": "WARNING",
    }
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gateway.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # startup is a few seconds; this only catches a stall
        while True:
            if proc.poll() is not None:
                pytest.fail(f"tally serve exited with {proc.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"tally serve did not become ready:\n{log.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
async def browser(browser_available) -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        await b.close()


class PageProbe:
    """What a page did: requests it tried to send off this machine (all aborted),
    uncaught errors and console errors."""

    def __init__(self) -> None:
        self.blocked: list[str] = []
        self.errors: list[str] = []


@pytest.fixture
async def page(browser, live_server, request) -> AsyncIterator[object]:
    """A fresh page with every request to a host other than 127.0.0.1 / localhost
    aborted. After the test: a screenshot in .artifacts/browser/ and a check that the
    page tried no outside request and raised no error."""
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    probe = PageProbe()

    async def only_local(route) -> None:
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            await route.continue_()
        else:
            probe.blocked.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_local)
    pg = await context.new_page()
    pg.on("pageerror", lambda exc: probe.errors.append(f"uncaught: {exc}"))

    def on_console(msg) -> None:
        # a failed load is reported (with its URL) by on_response
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            probe.errors.append(f"console: {msg.text}")

    def on_response(response) -> None:
        if response.status >= 400 and not getattr(pg, "expect_client_errors", False):
            body = (response.request.post_data or "")[:200]
            probe.errors.append(f"HTTP {response.status} {response.url} {body}")

    pg.on("console", on_console)
    pg.on("response", on_response)
    pg.probe = probe
    pg.base = live_server
    yield pg
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    await context.close()
    assert probe.blocked == [], f"the page tried to reach the network: {probe.blocked}"
    assert probe.errors == [], f"the page logged errors: {probe.errors}"
