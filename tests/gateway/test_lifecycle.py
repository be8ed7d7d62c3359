"""`tally serve` life cycle on the embedded PostgreSQL: SIGTERM and SIGINT drain and stop
the server's PostgreSQL, a crash leaves nothing that blocks the next start, a taken port
is one line before anything starts."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.gateway.test_cli import assert_one_line_error, tally
from tests.server import free_port

START_TIMEOUT_S = 180  # initdb + migrations on a loaded 2-core machine
STOP_TIMEOUT_S = 60


def postgres_of(pgdata: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and str(pgdata) in " ".join(cmdline):
            found.append(proc)
    return found


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(TALLY_DATA_DIR=str(data_dir), TALLY_PORT=str(self.port))
        self.log = open(data_dir / f"serve-{self.port}-{time.monotonic_ns()}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                live = httpx.get(f"{self.url}/livez", timeout=2).status_code == 200
            except httpx.HTTPError:
                live = False
            # our server answers only while it runs and its PostgreSQL does
            if live and self.proc.poll() is None and postgres_of(self.data_dir / "pgdata"):
                return
            time.sleep(0.5)
        raise AssertionError(f"tally serve did not start:\n{self.output()}")

    def stop(self, sig: int) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(STOP_TIMEOUT_S)
        finally:
            self.log.close()

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return Path(self.log.name).read_text()[-4000:]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture
def data_dir():
    # not under pytest's tmp_path: when the tests run as root the embedded server runs as
    # another system user, who must be able to reach the directory
    path = Path(tempfile.mkdtemp(prefix="tally-lifecycle-"))
    path.chmod(0o755)
    yield path
    for proc in postgres_of(path / "pgdata"):  # never leave a server behind
        proc.kill()
    shutil.rmtree(path, ignore_errors=True)


def test_sigterm_and_sigint_stop_the_embedded_postgres(data_dir):
    pgdata = data_dir / "pgdata"
    first = Server(data_dir)
    try:
        first.wait_ready()
        assert postgres_of(pgdata), "the embedded PostgreSQL should be running"
        assert httpx.get(f"{first.url}/readyz", timeout=10).status_code == 200
        assert first.stop(signal.SIGTERM) == 0, first.output()
    finally:
        first.kill()
    assert postgres_of(pgdata) == [], first.output()
    assert not (pgdata / "postmaster.pid").exists()
    assert not (pgdata / ".handle_pids.json").exists()

    # the next start works, and Ctrl-C (SIGINT) stops it as cleanly
    second = Server(data_dir)
    try:
        second.wait_ready()
        assert httpx.get(f"{second.url}/readyz", timeout=10).status_code == 200
        assert second.stop(signal.SIGINT) in (0, 130), second.output()
    finally:
        second.kill()
    assert postgres_of(pgdata) == []
    assert not (pgdata / "postmaster.pid").exists()


def test_a_crashed_server_is_recovered_on_the_next_start(data_dir):
    pgdata = data_dir / "pgdata"
    crashed = Server(data_dir)
    try:
        crashed.wait_ready()
    finally:
        crashed.kill()  # SIGKILL: no clean-up at all
    assert postgres_of(pgdata), "PostgreSQL outlives a killed server"
    assert str(crashed.proc.pid) in (pgdata / ".handle_pids.json").read_text()

    again = Server(data_dir)
    try:
        again.wait_ready()
        assert httpx.get(f"{again.url}/readyz", timeout=10).status_code == 200
        assert again.stop(signal.SIGTERM) == 0, again.output()
    finally:
        again.kill()
    assert postgres_of(pgdata) == [], again.output()
    assert not (pgdata / ".handle_pids.json").exists()


def test_a_taken_port_is_one_line_before_anything_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = tally("serve", "--port", str(port), database_url="postgresql://x@127.0.0.1:1/x")
    assert_one_line_error(result, 1, f"port {port} on 127.0.0.1 is already in use")
    assert result.stdout == ""  # no banner
