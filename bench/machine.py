"""The machine line printed under the results: CPU, cores, RAM, PostgreSQL, Python,
dataset size, the load average when the run started (other work on a shared machine
shows there) and date."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def machine_line(pg_version: str, events: int, scale: str | None, load: float | None = None) -> str:
    ram = ram_gib()
    pg = pg_version.split(" on ")[0].split(",")[0]
    parts = [
        cpu_model(),
        f"{os.cpu_count()} cores",
        f"{ram:.0f} GiB RAM" if ram else "RAM unknown",
        pg,
        f"Python {platform.python_version()}",
        f"dataset {scale or 'demo'}: {events:,} events",
        *([f"load average {load:.1f} at start"] if load is not None else []),
        datetime.now(UTC).strftime("%Y-%m-%d"),
    ]
    return " · ".join(parts)
