"""The bench's peer: PostGraphile 4 with `@graphile/pg-aggregates` and
`postgraphile-plugin-connection-filter`, installed from npm into `bench/peer/node_modules`
(versions pinned by the committed `bench/peer/package-lock.json`, `npm ci` when missing)
and run as a subprocess against the bench database as the read-only role `tally_peer`.

The role may read only the tables the bench questions need (`--no-ignore-rbac` then
exposes only those) and every transaction it opens is read-only
(`default_transaction_read_only`). The options are the ones PostGraphile's documentation
recommends for production: dynamic JSON, no nulls in setof functions, no default
mutations, no query log, no GraphiQL; simple list collections beside the Relay
connections; `--cluster-workers` matching Tally's worker count.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import asyncpg

from gateway.db import connect_raw

PEER_DIR = Path(__file__).resolve().parent / "peer"
BIN = PEER_DIR / "node_modules" / ".bin" / "postgraphile"
ROLE = "tally_peer"
READ_ONLY = "default_transaction_read_only=on"
PLUGINS = "@graphile/pg-aggregates,postgraphile-plugin-connection-filter"
TABLES = (
    "orgs",
    "users",
    "publications",
    "publication_cocreators",
    "missions",
    "mission_kpis",
    "content",
    "agents",
    "workspaces",
    "rollup_hourly",
    "rollup_daily_actor",
    "rollup_daily",
    "rollup_daily_org",
    "rollup_hourly_org",
)


class PeerUnavailable(RuntimeError):
    """Node/npm are missing or the install failed: the bench runs without the peer."""


def node_missing() -> str | None:
    """Why the peer cannot run here, or None."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not on PATH (PostGraphile needs Node.js and npm)"
    return None


def version(package: str) -> str:
    lock = json.loads((PEER_DIR / "package-lock.json").read_text())
    return lock["packages"][f"node_modules/{package}"]["version"]


def install(log=print) -> None:
    """`npm ci` into bench/peer/node_modules when it is missing or older than the lock."""
    why = node_missing()
    if why:
        raise PeerUnavailable(why)
    stamp = PEER_DIR / "node_modules" / ".package-lock.json"
    lock = PEER_DIR / "package-lock.json"
    if BIN.exists() and stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    log("installing PostGraphile for the bench (npm ci, once)")
    r = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PEER_DIR,
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        raise PeerUnavailable(f"npm ci failed: {r.stderr.strip()[-400:]}")


async def grant(url: str) -> None:
    """Create the read-only role (once per server) and let it read the bench tables (and
    the hourly views) that exist in this database (idempotent)."""
    raw = await connect_raw(url)
    try:
        config = await raw.fetchrow(
            "SELECT r.rolname, s.setconfig FROM pg_roles r LEFT JOIN pg_db_role_setting s"
            " ON s.setrole = r.oid AND s.setdatabase = 0 WHERE r.rolname = $1",
            ROLE,
        )
        # Several test runs may get here at once: a role created or altered meanwhile is fine.
        if config is None:
            with contextlib.suppress(asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
                await raw.execute(f"CREATE ROLE {ROLE} LOGIN")
        if config is None or READ_ONLY not in (config["setconfig"] or []):
            with contextlib.suppress(asyncpg.InternalServerError):
                await raw.execute(f"ALTER ROLE {ROLE} SET default_transaction_read_only = on")
        present = await raw.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v')"
            " AND c.relname = ANY($1::text[])",
            list(TABLES),
        )
        db = await raw.fetchval("SELECT current_database()")
        await raw.execute(f'GRANT CONNECT ON DATABASE "{db}" TO {ROLE}')
        await raw.execute(f"GRANT USAGE ON SCHEMA public TO {ROLE}")
        names = ", ".join(f'"{r["relname"]}"' for r in present)
        await raw.execute(f"GRANT SELECT ON {names} TO {ROLE}")
    finally:
        await raw.close()


def node_url(url: str) -> str:
    """The bench database URL for node-postgres, as the read-only role."""
    parts = urlsplit(url.replace("+asyncpg", ""))
    query = dict(parse_qsl(parts.query))
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    db = parts.path.lstrip("/")
    suffix = f"?host={quote(query['host'])}" if "host" in query else ""
    return f"postgres://{ROLE}@{host}{port}/{db}{suffix}"


@dataclass
class Peer:
    process: asyncio.subprocess.Process
    port: int
    workers: int
    versions: dict[str, str]

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def start(url: str, port: int, workers: int, log=print) -> Peer:
    """Install (if needed), grant, start PostGraphile on 127.0.0.1:`port` and wait until it
    answers `{ __typename }`."""
    from bench.server import ServerFailed, ensure_free, wait_ready

    install(log)
    await grant(url)
    try:
        ensure_free(port, "PostGraphile")
    except ServerFailed as e:
        raise PeerUnavailable(str(e)) from e
    args = [
        str(BIN),
        "--connection",
        node_url(url),
        "--schema",
        "public",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--dynamic-json",
        "--no-setof-functions-contain-nulls",
        "--disable-default-mutations",
        "--simple-collections",
        "both",
        "--no-ignore-rbac",
        "--append-plugins",
        PLUGINS,
        "--disable-query-log",
        "--disable-graphiql",
    ]
    if workers > 1:
        args += ["--cluster-workers", str(workers)]
    env = {**os.environ, "NODE_ENV": "production"}
    proc = await asyncio.create_subprocess_exec(
        *args,
        cwd=PEER_DIR,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    peer = Peer(
        proc,
        port,
        workers,
        {
            p: version(p)
            for p in (
                "postgraphile",
                "@graphile/pg-aggregates",
                "postgraphile-plugin-connection-filter",
            )
        },
    )
    try:
        await wait_ready(proc, port, "PostGraphile")
    except ServerFailed as e:
        err = b""
        if proc.returncode is not None and proc.stderr is not None:
            err = await proc.stderr.read()
        await peer.stop()
        raise PeerUnavailable(f"{e}: {err.decode(errors='replace')[-800:]}") from e
    asyncio.get_running_loop().create_task(_drain(proc))
    return peer


async def _drain(proc: asyncio.subprocess.Process) -> None:
    """Keep PostGraphile's stderr flowing (a full pipe would block it); echo errors."""
    assert proc.stderr is not None
    async for line in proc.stderr:
        text = line.decode(errors="replace").rstrip()
        if text:
            print(f"[postgraphile] {text}", file=sys.stderr)
