"""The base class for request-scoped dataloaders (`<Entity>By<Key>Loader`).

A loader is created per request by `Context.loader(cls)`, batches every `.load()` of one
tick into a single `= ANY(:keys)` statement, and returns results in key order.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, TypeVar

from aiodataloader import DataLoader

from gateway.context import Context

K = TypeVar("K", bound=Hashable)


class RequestLoader(DataLoader):
    def __init__(self, ctx: Context, *args: Any) -> None:
        super().__init__(max_batch_size=5000)
        self.ctx = ctx
        self.args = args

    async def batch_load_fn(self, keys: Sequence[Any]) -> list[Any]:
        raise NotImplementedError


def in_key_order(keys: Sequence[K], rows: Iterable[Any], key_of) -> list[Any]:
    """Arrange rows to match `keys` (None where a key has no row)."""
    by_key = {key_of(row): row for row in rows}
    return [by_key.get(k) for k in keys]
