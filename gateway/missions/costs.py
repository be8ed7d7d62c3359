"""AI-generation cost breakdowns (mission `cost` / `tokens` / `image` events) read through
the metric engine.

`by_provider`: rows per (provider, provider type). The engine groups by one dimension per
statement, so this runs 1 + (number of provider types, e.g. llm and image) + 2
statements: cost and requests by `provider_type`, then by `provider` within each type,
then tokens and images by `provider` (tokens are attributed to the provider's `llm` row,
images to its `image` row; a provider without such a row gets one with zero cost).
Rows are ordered by cost descending, then provider and type.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.metrics import ResolvedPeriod, Scope, breakdown

COST = ["mission.cost_cents", "mission.requests"]


@dataclass
class ProviderCost:
    provider: str | None
    type: str | None
    cost_cents: float = 0.0
    requests: int = 0
    tokens_used: float = 0.0
    images_generated: float = 0.0


@dataclass(frozen=True)
class KeyedCost:
    key: object
    cost_cents: float
    requests: int


async def by_provider(db, org_id: int, rp: ResolvedPeriod) -> list[ProviderCost]:
    rows: dict[tuple, ProviderCost] = {}
    types = await breakdown(db, org_id, COST, Scope(), rp, "dim:provider_type", limit=1000)
    for t in types:
        scope = Scope(dims={"provider_type": t.key}) if t.key is not None else None
        if scope is None:
            continue  # cost without a provider type: counted in totals, not attributable
        for p in await breakdown(db, org_id, COST, scope, rp, "dim:provider", limit=1000):
            rows[(p.key, t.key)] = ProviderCost(
                p.key, t.key, p.values["mission.cost_cents"], p.values["mission.requests"]
            )
    for metric, kind, attr in (
        ("mission.tokens", "llm", "tokens_used"),
        ("mission.images", "image", "images_generated"),
    ):
        for p in await breakdown(db, org_id, [metric], Scope(), rp, "dim:provider", limit=1000):
            if not p.values[metric]:
                continue
            row = rows.setdefault((p.key, kind), ProviderCost(p.key, kind))
            setattr(row, attr, p.values[metric])
    return sorted(rows.values(), key=lambda r: (-r.cost_cents, str(r.provider), str(r.type)))


async def by_dim(db, org_id: int, rp: ResolvedPeriod, by: str) -> list[KeyedCost]:
    """Cost and requests grouped by `by` ("subject" = mission id, or "dim:<key>"),
    cost descending, ties by key."""
    rows = await breakdown(db, org_id, COST, Scope(), rp, by, limit=1000)
    return [
        KeyedCost(r.key, r.values["mission.cost_cents"], r.values["mission.requests"])
        for r in rows
        if r.values["mission.cost_cents"] or r.values["mission.requests"]
    ]
