"""Timing and reporting: run a case N times, report p50/p95, SQL statements per request,
response bytes, and the ratio to the asyncpg floor measured in the same run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass
class Measurement:
    name: str
    p50_ms: float
    p95_ms: float
    statements: int
    response_bytes: int
    floor_p50_ms: float
    floor_statements: int

    @property
    def ratio(self) -> float:
        return self.p50_ms / self.floor_p50_ms if self.floor_p50_ms else float("nan")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def time_it(fn: Callable[[], Awaitable[object]], runs: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        await fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def table(rows: list[Measurement]) -> str:
    head = (
        "| query | p50 ms | p95 ms | SQL stmts | bytes | floor p50 ms | floor stmts | ratio |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for m in rows:
        lines.append(
            f"| {m.name} | {m.p50_ms:.1f} | {m.p95_ms:.1f} | {m.statements} | "
            f"{m.response_bytes:,} | {m.floor_p50_ms:.1f} | {m.floor_statements} | "
            f"{m.ratio:.2f}× |"
        )
    return "\n".join(lines)


def median(samples: list[float]) -> float:
    return statistics.median(samples)
