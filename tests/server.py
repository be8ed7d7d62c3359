"""A real `tally serve` (uvicorn) in a subprocess, for tests that need real sockets:
dropped connections, resets, concurrent clients. One helper for every such test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx


def free_port() -> int:
    """A port the kernel picks (never a fixed one: the suite may run beside itself)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TallyServer:
    """`tally serve --host 127.0.0.1 --port PORT [args]` with `env` on top of this process's
    environment (`clean`: without its TALLY_* settings and REDIS_URL, so the server runs
    with its own defaults). Its data directory and log live in `root` (a new temporary
    directory by default)."""

    def __init__(
        self,
        port: int | None = None,
        env: dict[str, str] | None = None,
        *,
        root: Path | None = None,
        clean: bool = False,
        args: Sequence[str] = (),
    ) -> None:
        self.port = port if port is not None else free_port()
        self.env = env or {}
        self.root = root or Path(tempfile.mkdtemp(prefix="tally-test-server-"))
        self.clean = clean
        self.args = tuple(args)
        self.log = self.root / "server.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        """The server's environment (for `tally` commands run beside it)."""
        base = dict(os.environ)
        if self.clean:
            base = {k: v for k, v in base.items() if not k.startswith("TALLY_")}
            base.pop("REDIS_URL", None)
        return {
            **base,
            "TALLY_DATA_DIR": str(self.root / "data"),
            "TALLY_LOG_LEVEL": "WARNING",
            **self.env,
        }

    def start(self, timeout: float = 90.0) -> None:
        """Start and wait until /livez answers (the timeout only catches a stall)."""
        command = [sys.executable, "-m", "gateway.cli", "serve", "--host", "127.0.0.1"]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port), *self.args],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.environment(),
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tally serve exited:\n{self.tail()}")
            try:
                if httpx.get(f"{self.base_url}/livez", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"tally serve did not start:\n{self.tail()}")

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
