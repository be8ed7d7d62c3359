"""`uses(...)`: declare which persisted operations a shim endpoint runs. A test checks that
every shim route declares at least one and that all are in the persisted allow-list."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


def uses(*operation_names: str) -> Callable[[F], F]:
    def mark(fn: F) -> F:
        fn.__operations__ = tuple(operation_names)  # type: ignore[attr-defined]
        return fn

    return mark
