"""Which subjects a metric query covers and how they are grouped (`Scope`, `Via`).

Subjects are rows of the metrics' subject type, chosen by

* `ids`: explicit subject ids -> one result per id (or one combined result with
  `total=True`);
* neither `ids` nor `via`: every subject of the org -> one org-wide result (key `None`);
* `via`: an entity table mapping subjects to a group key, e.g. the content of missions
  `Via("content", group_col="mission_id", where={"mission_id": [1, 2]})` -> one result per
  mission, or `Via("content", group_col="platform")` -> one per platform. With
  `group_col=None` the via table only filters (one result, key `None`).

Optional filters: `dims={"provider": "openai"}` (a value or a list of values per key; keys
must be dims of the metrics' event kinds) and `actor_ids=[...]` (only events by those
actors, e.g. an ibl.ai user group; events without an actor never match).

Subject ids (or via `where` values) may also be a `Lookup`: rows a repository selects in
the same statement as the metrics (a page of entities, an entity and its access check),
whose `id` column names the subjects — the metrics of a lookup's rows need no statement
of their own (`gateway.metrics.batch`).

Scopes are frozen and hashable (lists and dicts are normalized to sorted tuples; a
`Lookup` by identity), so a scope can be part of a dataloader key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from gateway.errors import InvalidInput


class Lookup:
    """A repository's SELECT read in the request's metric statement (once, as a CTE), so
    that metric queries of the same statement can take their subjects from its rows.

    `build(params)` returns the SELECT, binding every value through `params`
    (`compile.Params`); it has an `id` column (bigint: the subject id the row stands for,
    NULL where the row names none, e.g. one the caller may not read metrics of) and an
    `o` column (the row's rank). Send it with `MetricBatch.run_lookup`, which returns each
    row as the JSON text of the whole row, in `o` order; once the statement ran, `ids`
    holds the non-null ids (the subjects of scopes that use the lookup)."""

    def __init__(self, build: Callable[[Any], str]) -> None:
        self.build = build
        self.ids: list[int] | None = None


def values_of(v: Any) -> list:
    """The values of a scope's id list or via `where` entry (a lookup's ids once read)."""
    if isinstance(v, Lookup):
        return list(v.ids or ())
    return list(v)


def _norm_values(v: Any) -> Any:
    if isinstance(v, Lookup):
        return v
    if isinstance(v, (str, int, float)):
        return (v,)
    return tuple(sorted(set(v)))


def _norm_map(m: Mapping | Iterable | None) -> tuple[tuple[str, tuple], ...]:
    if not m:
        return ()
    items = m.items() if isinstance(m, Mapping) else m
    return tuple(sorted((str(k), _norm_values(v)) for k, v in items))


@dataclass(frozen=True)
class Via:
    """Subjects reached through entity table `table` (`id_col` = the subject id)."""

    table: str
    group_col: str | None = None
    where: Any = ()
    id_col: str = "id"

    def __post_init__(self) -> None:
        object.__setattr__(self, "where", _norm_map(self.where))

    def with_where(self, col: str, values: Iterable) -> Via:
        where = dict(self.where)
        where[col] = tuple(values)
        return replace(self, where=where)


@dataclass(frozen=True)
class Scope:
    ids: Any = None
    via: Via | None = None
    dims: Any = ()
    actor_ids: Any = None
    total: bool = False

    def __post_init__(self) -> None:
        if self.ids is not None and not isinstance(self.ids, Lookup):
            object.__setattr__(self, "ids", tuple(sorted({int(i) for i in self.ids})))
        if self.actor_ids is not None:
            object.__setattr__(self, "actor_ids", tuple(sorted({int(i) for i in self.actor_ids})))
        object.__setattr__(self, "dims", _norm_map(self.dims))
        if self.ids is not None and self.via is not None and self.via.group_col:
            raise InvalidInput("A metric scope takes either subject ids or a grouping via table.")

    @property
    def grouping(self) -> str:
        """`subject`, `via` or `total` — what a result's group key is."""
        if self.via is not None and self.via.group_col:
            return "via"
        if self.ids is not None and not self.total:
            return "subject"
        return "total"

    def without_ids(self) -> Scope:
        return replace(self, ids=None)
