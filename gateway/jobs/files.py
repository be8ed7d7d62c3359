"""Where job results live, and how they are written: exactly one complete file or none.

`<data_dir>/jobs/<org_id>/<key>.<ext>` is the result. A worker writes
`<key>.<ext>.tmp-<worker_id>`, fsyncs it, and `os.replace`s it onto the final name while it
still holds the job's claim; before writing it removes every older `tmp-*` of the job (a
crashed worker's leftovers), so a reclaimed job ends with one final file and no tmp.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from gateway.config import Settings


def result_path(settings: Settings, org_id: int, key: str, ext: str) -> Path:
    return Path(settings.data_dir) / "jobs" / str(org_id) / f"{key}.{ext}"


def tmp_path(final: Path, worker_id: str) -> Path:
    return final.with_name(f"{final.name}.tmp-{worker_id}")


def clean_tmp(final: Path) -> int:
    """Remove every tmp file of this result; returns how many there were."""
    n = 0
    for leftover in final.parent.glob(f"{final.name}.tmp-*"):
        leftover.unlink(missing_ok=True)
        n += 1
    return n


async def write_tmp(
    final: Path, worker_id: str, produce: Callable[[TextIO], Awaitable[dict]]
) -> tuple[Path, dict]:
    """Run `produce(out)` into a fresh tmp file; return (tmp path, summary + bytes).
    On an exception the tmp file is removed."""
    final.parent.mkdir(parents=True, exist_ok=True)
    clean_tmp(final)
    tmp = tmp_path(final, worker_id)
    try:
        with tmp.open("w", newline="", encoding="utf-8") as out:
            summary = await produce(out)
            out.flush()
            os.fsync(out.fileno())
    except Exception:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, {**summary, "bytes": tmp.stat().st_size}


def publish(tmp: Path, final: Path) -> None:
    """Atomically make the tmp file the result."""
    os.replace(tmp, final)


def remove_result(path: str | os.PathLike | None) -> None:
    if path:
        Path(path).unlink(missing_ok=True)
