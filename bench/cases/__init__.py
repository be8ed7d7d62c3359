"""The fixed dashboard cases: each is one GraphQL operation run end to end as a demo
principal, plus a hand-written asyncpg floor that computes the same numbers.

`extract` turns the GraphQL `data` into plain numbers; `floor` returns the same shape
from SQL; `bench.compare.assert_same` checks they are equal in every run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bench.env import BenchEnv


@dataclass(frozen=True)
class Case:
    name: str
    principal: str
    query: str
    variables: Callable[[BenchEnv], dict]
    extract: Callable[[dict], Any]
    floor: Callable[[BenchEnv], Awaitable[Any]]
    loose: frozenset[str] = frozenset()
    """Keys whose values depend on the request's `now` (compared with rel. tol. 1e-6)."""
    note: str = ""


def all_cases() -> list[Case]:
    from bench.cases import learners, missions, publications, workspaces

    return [publications.CASE, missions.CASE, learners.CASE, workspaces.CASE]
