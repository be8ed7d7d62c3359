"""A dependency-free progress bar for long CLI work (drawn on stderr when it is a TTY,
otherwise one line every 10%)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str, *, stream=None) -> None:
        self.total = max(total, 1)
        self.label = label
        self.done = 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self._last_decile = -1

    def advance(self, n: int = 1) -> None:
        self.done = min(self.total, self.done + n)
        self._draw()

    def _draw(self, final: bool = False) -> None:
        frac = self.done / self.total
        elapsed = time.monotonic() - self.started
        if self.tty:
            width = 30
            filled = int(width * frac)
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(
                f"\r{self.label} [{bar}] {frac:6.1%} {self.done:,}/{self.total:,} {elapsed:5.1f}s"
            )
            if final:
                self.stream.write("\n")
            self.stream.flush()
        else:
            decile = int(frac * 10)
            if decile != self._last_decile or final:
                self._last_decile = decile
                self.stream.write(f"{self.label}: {frac:.0%} ({self.done:,}/{self.total:,})\n")
                self.stream.flush()

    def close(self) -> None:
        self._draw(final=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
