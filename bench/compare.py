"""Deep equality of the GraphQL numbers and the floor's numbers (floats compared with a
relative tolerance for summation order; `loose` keys with 1e-6 for `now`-dependent
values)."""

from __future__ import annotations

import math
from typing import Any


class Mismatch(AssertionError):
    pass


def assert_same(graphql: Any, floor: Any, loose: frozenset[str] = frozenset(), path="") -> None:
    if isinstance(graphql, dict) and isinstance(floor, dict):
        if graphql.keys() != floor.keys():
            missing = sorted(map(str, graphql.keys() ^ floor.keys()))[:5]
            raise Mismatch(f"{path}: keys differ, e.g. {missing}")
        for k in graphql:
            tol = loose if k not in loose else frozenset({"*"})
            assert_same(graphql[k], floor[k], tol, f"{path}.{k}")
        return
    if isinstance(graphql, list | tuple) and isinstance(floor, list | tuple):
        if len(graphql) != len(floor):
            raise Mismatch(f"{path}: {len(graphql)} items vs floor {len(floor)}")
        for i, (a, b) in enumerate(zip(graphql, floor, strict=True)):
            assert_same(a, b, loose, f"{path}[{i}]")
        return
    if _num(graphql) and _num(floor):
        rel = 1e-6 if "*" in loose else 1e-9
        if not math.isclose(graphql, floor, rel_tol=rel, abs_tol=1e-9):
            raise Mismatch(f"{path}: GraphQL {graphql!r} != floor {floor!r}")
        return
    if graphql != floor:
        raise Mismatch(f"{path}: GraphQL {graphql!r} != floor {floor!r}")


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)
