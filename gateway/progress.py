"""Progress bars for long CLI work (seeding, bulk loads), drawn by `rich` on stderr.

On a terminal the bar shows done/total, a rate in `unit`s per second, elapsed and
remaining time; elsewhere (a log file, CI) rich prints the final state once, when the
work ends. The API is small on purpose: `Progress(total, label, unit=...)`, `advance(n)`,
`finish()` (jump to the total), `close()`, or use it as a context manager.
"""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as _RichProgress
from rich.text import Text


class _Rate(ProgressColumn):
    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None and task.elapsed:
            speed = task.completed / task.elapsed
        return Text(f"{speed:,.0f} {self.unit}/s" if speed else f"- {self.unit}/s")


class Progress:
    def __init__(self, total: int, label: str, *, unit: str = "items", stream: Any = None):
        self.total = max(int(total), 1)
        self.label = label
        console = Console(file=stream or sys.stderr, highlight=False)
        if not console.is_terminal:
            console.width = 120  # one unwrapped final line in a log file
        self._bar = _RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.completed:,.0f}/{task.total:,.0f}"),
            _Rate(unit),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._bar.add_task(label, total=self.total)
        self._bar.start()
        self._closed = False

    @property
    def done(self) -> int:
        return int(self._bar.tasks[0].completed)

    @done.setter
    def done(self, value: int) -> None:
        self._bar.update(self._task, completed=min(self.total, value))

    def advance(self, n: int = 1) -> None:
        self.done = self.done + n

    def finish(self) -> None:
        """The work is complete, whatever the estimate of the total was."""
        self.done = self.total

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._bar.stop()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
