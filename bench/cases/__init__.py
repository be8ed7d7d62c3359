"""The fixed cases: each is one GraphQL operation run end to end as a demo principal,
a hand-written asyncpg floor that computes the same numbers, and the PostGraphile query
that answers the same question.

`extract` turns the GraphQL `data` into plain numbers; `floor` returns the same shape
from SQL; `bench.compare.assert_same` checks they are equal in every run. The peer's
`extract` turns PostGraphile's `data` into the shape `project` makes of the floor's
numbers (all of them where PostGraphile can answer them, see each case).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bench.env import BenchEnv


@dataclass(frozen=True)
class PeerQuery:
    """The PostGraphile side of a case. `variables` may look up entity ids once (the
    peer gets them as variables: a dashboard that already listed its entities)."""

    query: str
    variables: Callable[[BenchEnv], Awaitable[dict]]
    extract: Callable[[dict, BenchEnv], Any]
    project: Callable[[Any], Any] = lambda numbers: numbers
    note: str = ""


@dataclass(frozen=True)
class Case:
    name: str
    principal: str
    query: str
    variables: Callable[[BenchEnv], dict]
    extract: Callable[[dict], Any]
    floor: Callable[[BenchEnv], Awaitable[Any]] | None
    """None: nothing to read (`{ __typename }`); the case has no floor."""
    peer: PeerQuery | None = None
    dashboard: bool = True
    """A dashboard case (the issue's ratios apply) rather than a per-request probe."""
    loose: frozenset[str] = frozenset()
    """Keys whose values depend on the request's `now` (compared with rel. tol. 1e-6)."""
    note: str = ""


def all_cases() -> list[Case]:
    from bench.cases import learners, lookups, missions, publications, workspaces

    return [
        publications.CASE,
        missions.CASE,
        learners.CASE,
        workspaces.CASE,
        lookups.TRIVIAL,
        lookups.TYPENAME,
    ]
