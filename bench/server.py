"""A real `tally serve` for the bench: spawned with its defaults on the bench port against
the bench database, measured over HTTP like the peer, stopped at the end."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.loadgen import Connection, HttpError


class ServerFailed(RuntimeError):
    pass


def tally_command() -> list[str]:
    script = Path(sys.executable).with_name("tally")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from gateway.cli import main; sys.exit(main())"]


def default_workers() -> int:
    """The worker count `tally serve` runs with by default: one per core where it takes
    `--workers` (its default), else one process."""
    r = subprocess.run([*tally_command(), "serve", "--help"], capture_output=True, text=True)
    return (os.cpu_count() or 1) if "--workers" in r.stdout else 1


@dataclass
class Server:
    process: asyncio.subprocess.Process
    port: int
    workers: int

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


def ensure_free(port: int, name: str) -> None:
    """Refuse a port another process listens on (the bench would measure that server)."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError as e:
            raise ServerFailed(f"port {port} for {name} is in use; pick another") from e


def free_port() -> int:
    """A port nothing listens on now (for tests that run beside other servers)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_ready(proc: asyncio.subprocess.Process, port: int, name: str, seconds=60) -> None:
    """Until POST /graphql `{ __typename }` answers 200 (or the process exits)."""
    body = b'{"query":"{ __typename }"}'
    for _ in range(int(seconds * 10)):
        if proc.returncode is not None:
            raise ServerFailed(f"{name} exited with {proc.returncode} before answering")
        try:
            conn = await Connection.open("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        try:
            status, _ = await asyncio.wait_for(conn.post("/graphql", body, {}), 10)
            if status == 200:
                return
        except (OSError, HttpError, TimeoutError):
            pass
        finally:
            conn.close()
        await asyncio.sleep(0.1)
    raise ServerFailed(f"{name} did not answer on port {port} within {seconds} s")


async def start(database_url: str, port: int, log_path: Path) -> Server:
    """`tally serve --host 127.0.0.1 --port PORT` with DATABASE_URL = the bench database
    (a plain postgresql:// URL) and every other setting at its default."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALLY_")}
    env["DATABASE_URL"] = database_url.replace("postgresql+asyncpg://", "postgresql://")
    env.pop("REDIS_URL", None)
    env["TALLY_RATE_LIMIT_ENABLED"] = "false"  # the bench measures throughput, not limits
    ensure_free(port, "tally serve")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    proc = await asyncio.create_subprocess_exec(
        *tally_command(),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    server = Server(proc, port, default_workers())
    try:
        await wait_ready(proc, port, "tally serve")
    except BaseException:
        await server.stop()
        raise
    return server
