"""`tally serve`: prepare the database (migrate, optionally seed the demo) and run uvicorn.

`--workers N` (default: the CPUs this process may use) forks N uvicorn workers sharing
one listening socket (`gateway.prefork`); the embedded PostgreSQL is started once, by
this process, and the workers connect to it as to any server. With 1 the server runs in
this process.

Life cycle: a taken port fails before anything else, with one line. SIGTERM and SIGINT
both let uvicorn drain in-flight requests (at most `SHUTDOWN_GRACE_S`), run the app's
shutdown in every worker (the job worker stops, the pool closes) and then stop the
embedded PostgreSQL; SIGTERM exits 0, SIGINT 130.
"""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
import signal
import socket
import sys
from pathlib import Path

from gateway.config import Settings

SHUTDOWN_GRACE_S = 30


class PortInUse(RuntimeError):
    """The address `tally serve` should listen on is taken (message: one line)."""


class Terminated(BaseException):
    """SIGTERM arrived: unwind (finally blocks and atexit run) and exit 0."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def check_port(host: str, port: int) -> None:
    """Fail early, with one line, when `host:port` cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(
                    f"port {port} on {host} is already in use: stop the other server or "
                    "choose another port with --port or TALLY_PORT"
                ) from None
            raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror}") from None


async def prepare(settings: Settings, *, seed_demo_if_empty: bool) -> list[dict]:
    """Migrate; seed the demo when asked and the database has no org. Returns the demo
    principals whose tokens are present (for the banner)."""
    from sqlalchemy import func, select

    from gateway import migrate
    from gateway.db import open_database, verify
    from gateway.demo import DEFAULT_SEED, demo_principals_present, seed_demo
    from gateway.models import Org

    db = await open_database(settings)
    try:
        await verify(db, settings)
        await migrate.upgrade(db.engine)
        async with db.session() as session:
            orgs = await session.scalar(select(func.count()).select_from(Org))
        if orgs == 0 and seed_demo_if_empty:
            print("Seeding the demo dataset (small scale)…", file=sys.stderr)
            await seed_demo(db, scale="small", seed=DEFAULT_SEED)
        return await demo_principals_present(db, seed=DEFAULT_SEED)
    finally:
        await db.dispose()


def banner(settings: Settings, host: str, port: int, principals: list[dict]) -> str:
    base = f"http://{host}:{port}"
    where = (
        "DATABASE_URL"
        if settings.database_url
        else f"embedded PostgreSQL in {settings.data_dir / 'pgdata'}"
    )
    query = '{"query": "{ viewer { user { username } roles org { key name } } }"}'
    lines = [
        "",
        f"Tally is serving — open the dashboard: {base}/dashboard",
        f"  GraphiQL   {base}/graphql",
        f"  OpenAPI    {base}/docs  {base}/redoc",
        f"  health     {base}/livez  {base}/readyz",
        f"  database   {where}",
    ]
    if principals:
        lines.append("")
        lines.append("Demo principals (Authorization: Bearer <token> or Api-Token <token>):")
        widths = [max(len(p[k]) for p in principals) for k in ("name", "role", "username")]
        for p in principals:
            lines.append(
                f"  {p['name']:<{widths[0]}}  {p['role']:<{widths[1]}}  "
                f"{p['username']:<{widths[2]}}  {p['token']}"
            )
        admin = next((p for p in principals if p["name"] == "org_admin"), principals[0])
        lines += [
            "",
            "Try:",
            f"  curl -s {base}/graphql -H 'Authorization: Bearer {admin['token']}' \\",
            f"       -H 'Content-Type: application/json' -d '{query}'",
        ]
    lines.append("")
    return "\n".join(lines)


def prepare_metrics_dir(data_dir: Path) -> Path:
    """Empty the directory the server's processes share Prometheus metrics through and
    select it (prometheus-client reads PROMETHEUS_MULTIPROC_DIR when it is first imported,
    so this runs before anything imports gateway.observability)."""
    directory = Path(data_dir) / "prometheus"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    return directory


def listening_settings(settings: Settings, host: str | None, port: int | None) -> Settings:
    """`settings` for a server listening on `host`:`port` (`--host` / `--port`, else the
    settings' own): links Tally hands out (export downloads, report links) point where
    this server actually listens, unless TALLY_PUBLIC_URL set another base."""
    host = host or settings.host
    port = port or settings.port
    if (host, port) != (settings.host, settings.port) and not settings.is_set("public_base_url"):
        settings = settings.model_copy(
            update={"host": host, "port": port, "public_base_url": f"http://{host}:{port}"}
        )
    return settings


def serve(
    settings: Settings,
    *,
    seed_demo_if_empty: bool,
    host: str | None,
    port: int | None,
    workers: int | None = None,
) -> None:
    host = host or settings.host
    port = port or settings.port
    check_port(host, port)
    settings = listening_settings(settings, host, port)
    prepare_metrics_dir(settings.data_dir)
    # uvicorn restores this handler after its graceful shutdown and re-raises SIGTERM;
    # without it the process would die there, skipping the embedded server's stop
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        _run(settings, host, port, seed_demo_if_empty, workers)
    except Terminated:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if not settings.database_url:
            from gateway.db import stop_embedded

            stop_embedded(settings.data_dir)


def _run(
    settings: Settings, host: str, port: int, seed_demo_if_empty: bool, workers: int | None
) -> None:
    import uvicorn

    from gateway.app import create_app
    from gateway.prefork import default_workers, run_workers
    from gateway.production import check_production

    check_production(settings)  # before touching the database: one line, exit 2
    principals = asyncio.run(prepare(settings, seed_demo_if_empty=seed_demo_if_empty))
    print(banner(settings, host, port, principals), flush=True)
    workers = workers or default_workers()
    app_settings = settings
    if workers > 1 and not settings.database_url:
        # the workers use the embedded server this process started, never their own
        from gateway.db import DEFAULT_DB_NAME, start_embedded, with_database

        url = with_database(start_embedded(settings.data_dir), DEFAULT_DB_NAME)
        app_settings = settings.model_copy(update={"database_url": url})
    app = create_app(app_settings)
    if not settings.production:  # console pages prefill these for local callers
        app.state.demo_principals = principals
    # log_config=None: uvicorn's loggers go through Tally's handler (gateway/logs.py);
    # the access line is Tally's own (gateway/middleware.py)
    config = {
        "host": host,
        "port": port,
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": SHUTDOWN_GRACE_S,
    }
    if workers > 1:
        run_workers(app, config, workers, SHUTDOWN_GRACE_S)
    else:
        uvicorn.run(app, **config)
