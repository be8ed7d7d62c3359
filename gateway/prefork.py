"""`tally serve --workers N`: N forked uvicorn workers accepting on one listening socket.

The parent binds the socket, builds the app once (the workers share its memory
copy-on-write), forks the workers and then only supervises:

* a worker that dies unexpectedly is replaced (its live Prometheus gauges dropped); one
  that dies within `CRASH_WINDOW_S` of its start `MAX_QUICK_CRASHES` times in a row
  stops the server (exit 1) rather than fork forever;
* SIGTERM or SIGINT is passed on to every worker, which drains in-flight requests (at
  most `grace_s`) and runs the app's shutdown; the parent waits for all of them (killing
  what is left after `grace_s` + `KILL_MARGIN_S`) and returns, so the caller can stop
  the embedded PostgreSQL. SIGTERM returns normally; SIGINT raises KeyboardInterrupt.

Workers leave with `os._exit`: the atexit handlers they inherited (the embedded server's
own) belong to the parent. uvicorn picks uvloop and httptools when they are installed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import time
from typing import Any

log = logging.getLogger("tally.serve")

CRASH_WINDOW_S = 5.0
MAX_QUICK_CRASHES = 5
KILL_MARGIN_S = 5.0


class _Stop(BaseException):
    def __init__(self, signum: int) -> None:
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise _Stop(signum)


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def run_workers(app: Any, config_kwargs: dict[str, Any], workers: int, grace_s: float) -> None:
    import uvicorn

    config = uvicorn.Config(app, **config_kwargs)
    sock = config.bind_socket()
    children: dict[int, float] = {}  # pid -> started (monotonic)
    previous = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGINT)}
    received: int | None = None
    quick_crashes = 0
    try:
        for _ in range(workers):
            _spawn(app, config_kwargs, sock, children, previous)
        log.info("serving with %d workers (pids %s)", workers, sorted(children))
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            started = children.pop(pid, None)
            if started is None:
                continue
            _dead(pid)
            code = os.waitstatus_to_exitcode(status)
            quick_crashes = quick_crashes + 1 if time.monotonic() - started < CRASH_WINDOW_S else 0
            if quick_crashes >= MAX_QUICK_CRASHES:
                log.error("workers keep exiting at start (last: %s); stopping", code)
                _terminate_all(children, grace_s)
                raise SystemExit(1)
            log.warning("worker %d exited (%s); starting another", pid, code)
            _spawn(app, config_kwargs, sock, children, previous)
    except _Stop as stop:
        received = stop.signum
        # the signals that follow (a second Ctrl-C) must not interrupt the wait
        for s in previous:
            signal.signal(s, signal.SIG_IGN)
        _terminate_all(children, grace_s)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        sock.close()
    if received == signal.SIGINT:
        raise KeyboardInterrupt


def _spawn(
    app: Any,
    config_kwargs: dict[str, Any],
    sock: Any,
    children: dict[int, float],
    previous: dict[int, Any],
) -> None:
    pid = os.fork()
    if pid:
        children[pid] = time.monotonic()
        return
    code = 0
    try:
        for s in previous:
            signal.signal(s, signal.SIG_DFL)
        _serve(app, config_kwargs, sock)
    except _Stop:
        pass
    except BaseException:  # logged, then the parent replaces this worker
        log.exception("worker %d failed", os.getpid())
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
            logging.shutdown()
        os._exit(code)


def _serve(app: Any, config_kwargs: dict[str, Any], sock: Any) -> None:
    import uvicorn

    # uvicorn restores these handlers after its graceful shutdown and re-raises the signal
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server = uvicorn.Server(uvicorn.Config(app, **config_kwargs))
    server.run(sockets=[sock])


def _terminate_all(children: dict[int, float], grace_s: float) -> None:
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    give_up = time.monotonic() + grace_s + KILL_MARGIN_S
    while children and time.monotonic() < give_up:
        for pid in list(children):
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                children.pop(pid)
                _dead(pid)
        time.sleep(0.05)
    for pid in list(children):
        log.warning("worker %d did not stop within %.0f s; killed", pid, grace_s)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        children.pop(pid)
        _dead(pid)


def _dead(pid: int) -> None:
    from gateway.observability import process_exited

    process_exited(pid)


__all__ = ["default_workers", "run_workers"]
