"""The bench's HTTP client and load generator: HTTP/1.1 keep-alive over raw asyncio
streams (pre-encoded requests, Content-Length or chunked responses), the same for Tally
and PostGraphile.

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


class Connection:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str):
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port, limit=1 << 22)
        return cls(reader, writer, f"{host}:{port}")

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
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, chunked = None, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                parts.append(await self.reader.readexactly(size + 2))
            return status, b"".join(p[:-2] for p in parts)
        if length is None:
            raise HttpError("response without Content-Length (keep-alive impossible)")
        return status, await self.reader.readexactly(length)

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        return await self.send(self.encode(path, body, headers))

    def close(self) -> None:
        self.writer.close()


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


async def _serve_static(port: int) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                if length:
                    await reader.readexactly(length)
                writer.write(STATIC)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
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
