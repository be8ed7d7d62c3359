"""A real `tally serve` (uvicorn) in a subprocess, on a port of the test's choosing, for
tests that need real sockets: dropped connections and resets only show up there."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


class TallyServer:
    def __init__(self, port: int, env: dict[str, str]) -> None:
        self.port = port
        self.env = env
        self.root = Path(tempfile.mkdtemp(prefix="tally-faults-app-"))
        self.log = self.root / "server.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> None:
        env = {
            **os.environ,
            "TALLY_DATA_DIR": str(self.root / "data"),
            "TALLY_LOG_LEVEL": "WARNING",
            # these tests are about reaching the database: no answer from the response cache
            "TALLY_RESPONSE_CACHE_TTL": "0",
            **self.env,
        }
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gateway.cli", "serve", "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
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
