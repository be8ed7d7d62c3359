"""The bench's HTTP client and load generator: HTTP/1.1 keep-alive on raw asyncio
protocols (pre-encoded requests, Content-Length or chunked responses), the same for
Tally and PostGraphile.

`throughput` runs `concurrency` connections in a closed loop for a fixed time. So that a
slow generator cannot pass for a slow server, `python -m bench.loadgen --static PORT`
serves a fixed response from a separate process and the bench reports what the generator
reaches against it (`calibrate`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass


class HttpError(RuntimeError):
    pass


def _head(buf: bytearray) -> tuple[int, int, int | None, bool] | None:
    """(status, header length, Content-Length, chunked) once the header is complete."""
    i = buf.find(b"\r\n\r\n")
    if i < 0:
        return None
    lines = bytes(buf[:i]).split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, chunked = None, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if length is None and not chunked:
        raise HttpError("response without Content-Length (keep-alive impossible)")
    return status, i + 4, length, chunked


def _chunks(buf: bytearray, at: int) -> tuple[bytes, int] | None:
    """The de-chunked body starting at `at` and where it ends, once complete."""
    parts = []
    while True:
        eol = buf.find(b"\r\n", at)
        if eol < 0:
            return None
        size = int(bytes(buf[at:eol]).split(b";")[0], 16)
        at = eol + 2
        if size == 0:
            if len(buf) < at + 2:
                return None
            return b"".join(parts), at + 2
        if len(buf) < at + size + 2:
            return None
        parts.append(bytes(buf[at : at + size]))
        at += size + 2


class _Client(asyncio.Protocol):
    """One request in flight at a time; the response is parsed as the bytes arrive."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.head: tuple[int, int, int | None, bool] | None = None
        self.waiter: asyncio.Future | None = None
        self.transport: asyncio.Transport | None = None
        self.lost: BaseException | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if self.waiter is None:
            return
        try:
            if self.head is None:
                self.head = _head(self.buf)
                if self.head is None:
                    return
            status, start, length, chunked = self.head
            if chunked:
                done = _chunks(self.buf, start)
                if done is None:
                    return
                body, end = done
            else:
                end = start + length
                if len(self.buf) < end:
                    return
                body = bytes(self.buf[start:end])
        except (HttpError, ValueError, IndexError) as e:
            self._finish(exc=e if isinstance(e, HttpError) else HttpError(f"bad response: {e}"))
            return
        del self.buf[:end]
        self.head = None
        self._finish((status, body))

    def _finish(self, result=None, exc: BaseException | None = None) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            if exc is not None:
                waiter.set_exception(exc)
            else:
                waiter.set_result(result)

    def connection_lost(self, exc: BaseException | None) -> None:
        self.lost = exc or ConnectionError("connection closed by the server")
        self._finish(exc=self.lost)


class Connection:
    """One keep-alive HTTP/1.1 connection (an asyncio Protocol: a stream reader's
    per-call overhead would cap the generator well below the servers measured)."""

    def __init__(self, proto: _Client, host: str):
        self.proto, self.host = proto, host

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        loop = asyncio.get_running_loop()
        _, proto = await loop.create_connection(_Client, host, port)
        return cls(proto, f"{host}:{port}")

    def encode(self, path: str, body: bytes, headers: dict[str, str]) -> bytes:
        head = [
            f"POST {path} HTTP/1.1",
            f"Host: {self.host}",
            "Content-Type: application/json",
            f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        return ("\r\n".join(head) + "\r\n\r\n").encode() + body

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """Send one pre-encoded request; return (status, body)."""
        proto = self.proto
        if proto.lost is not None:
            raise ConnectionError("connection closed by the server") from proto.lost
        proto.waiter = asyncio.get_running_loop().create_future()
        proto.transport.write(request)
        return await proto.waiter

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        return await self.send(self.encode(path, body, headers))

    def close(self) -> None:
        if self.proto.transport is not None:
            self.proto.transport.close()


@dataclass
class Target:
    """One HTTP endpoint and request body (a GraphQL operation on one server)."""

    host: str
    port: int
    path: str
    body: bytes
    headers: dict[str, str]
    check: Callable[[int, bytes], bool] = lambda status, body: (
        status == 200 and (b'"errors"' not in body)
    )


@dataclass
class Throughput:
    rps: float
    requests: int
    errors: int
    seconds: float
    concurrency: int


async def throughput(target: Target, concurrency: int, seconds: float) -> Throughput:
    """Closed loop: `concurrency` connections, each sending the next request as soon as
    the previous response is read, for `seconds`."""
    conns = [await Connection.open(target.host, target.port) for _ in range(concurrency)]
    request = conns[0].encode(target.path, target.body, target.headers)
    ok = errors = 0
    deadline = 0.0

    async def loop(conn: Connection) -> None:
        nonlocal ok, errors
        while time.perf_counter() < deadline:
            status, body = await conn.send(request)
            if target.check(status, body):
                ok += 1
            else:
                errors += 1

    # one untimed request per connection, so connection setup is not measured
    await asyncio.gather(*(c.send(request) for c in conns))
    t0 = time.perf_counter()
    deadline = t0 + seconds
    try:
        await asyncio.gather(*(loop(c) for c in conns))
    finally:
        elapsed = time.perf_counter() - t0
        for c in conns:
            c.close()
    return Throughput(ok / elapsed, ok, errors, elapsed, concurrency)


async def calibrate(port: int, concurrency: int, seconds: float) -> Throughput:
    """The generator's own ceiling: requests per second against a fixed response served
    by another process."""
    from bench.server import ensure_free

    ensure_free(port, "the static endpoint")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.loadgen", "--static", str(port)
    )
    try:
        for _ in range(100):
            try:
                conn = await Connection.open("127.0.0.1", port)
                conn.close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        target = Target("127.0.0.1", port, "/", b"{}", {})
        return await throughput(target, concurrency, seconds)
    finally:
        proc.terminate()
        await proc.wait()


_STATIC_BODY = b'{"data":{"__typename":"Query"}}'
STATIC = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
    len(_STATIC_BODY),
    _STATIC_BODY,
)


class _Static(asyncio.Protocol):
    def connection_made(self, transport) -> None:
        self.transport, self.buf = transport, bytearray()

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while (i := self.buf.find(b"\r\n\r\n")) >= 0:
            head = bytes(self.buf[:i]).lower()
            j = head.find(b"content-length:")
            n = int(head[j + 15 :].split(b"\r\n", 1)[0]) if j >= 0 else 0
            if len(self.buf) < i + 4 + n:
                return
            del self.buf[: i + 4 + n]
            self.transport.write(STATIC)


async def _serve_static(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(_Static, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.loadgen")
    p.add_argument("--static", type=int, metavar="PORT", required=True)
    args = p.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_static(args.static))
    return 0


if __name__ == "__main__":
    sys.exit(main())
