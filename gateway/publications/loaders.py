"""Request-scoped loaders for publications (always within the caller's org): each batches
every `.load()` of one tick into one statement and returns results in key order."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, NamedTuple

from gateway.context import Context
from gateway.loaders import RequestLoader, in_key_order
from gateway.metrics.loader import MetricAsk, read_ahead
from gateway.publications import repository
from gateway.publications.repository import Ordering


class PublicationByIdLoader(RequestLoader):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[Any]:
        rows = await repository.publications_by_ids(self.ctx.db, self.ctx.principal.org_id, keys)
        return in_key_order(keys, rows, lambda p: p.id)


class PublicationByCustomUrlLoader(RequestLoader):
    async def batch_load_fn(self, keys: Sequence[str]) -> list[Any]:
        rows = await repository.publications_by_custom_urls(
            self.ctx.db, self.ctx.principal.org_id, keys
        )
        return in_key_order(keys, rows, lambda p: p.custom_url)


class PublicationRoleByIdLoader(RequestLoader):
    """publication id -> the caller's role on it: "OWNER", "CO_CREATOR" or None. Use
    through `gateway.access.publications`, which owns the rule."""

    async def batch_load_fn(self, keys: Sequence[int]) -> list[Any]:
        p = self.ctx.principal
        roles = await repository.roles_of_user(self.ctx.db, p.org_id, p.user_id, keys)
        return [roles.get(k) for k in keys]


class CoCreatorIdsByPublicationLoader(RequestLoader):
    """publication id -> co-creator user ids (ascending)."""

    async def batch_load_fn(self, keys: Sequence[int]) -> list[Any]:
        found = await repository.cocreator_ids(self.ctx.db, self.ctx.principal.org_id, keys)
        return [found.get(k, []) for k in keys]


class ExperienceCountsByPublicationLoader(RequestLoader):
    """publication id -> {experience type: count}."""

    async def batch_load_fn(self, keys: Sequence[int]) -> list[Any]:
        found = await repository.experience_counts(self.ctx.db, self.ctx.principal.org_id, keys)
        return [found.get(k, {}) for k in keys]


class SocialCountsByPublicationLoader(RequestLoader):
    """publication id -> (followers_count, following_count)."""

    async def batch_load_fn(self, keys: Sequence[int]) -> list[Any]:
        found = await repository.social_counts(self.ctx.db, self.ctx.principal.org_id, keys)
        return [found.get(k, (0, 0)) for k in keys]


class ExperienceByIdLoader(RequestLoader):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[Any]:
        rows = await repository.experiences_by_ids(self.ctx.db, self.ctx.principal.org_id, keys)
        return in_key_order(keys, rows, lambda e: e.id)


class ExperiencePageKey(NamedTuple):
    publication_id: int
    type: str | None
    order: Ordering
    offset: int
    limit: int


class ExperiencePageByPublicationLoader(RequestLoader):
    """`ExperiencePageKey` -> (rows, total). Keys with the same type/order/page share one
    statement whatever the number of publications."""

    async def batch_load_fn(self, keys: Sequence[ExperiencePageKey]) -> list[Any]:
        parts: dict[tuple, list[int]] = {}
        for k in keys:
            parts.setdefault((k.type, k.order, k.offset, k.limit), []).append(k.publication_id)
        found: dict[ExperiencePageKey, tuple[list, int]] = {}
        for (type_, order, offset, limit), pub_ids in parts.items():
            pages = await repository.experience_pages(
                self.ctx.db, self.ctx.principal.org_id, pub_ids, type_, order, offset, limit
            )
            for pid in pub_ids:
                found[ExperiencePageKey(pid, type_, order, offset, limit)] = pages.get(pid, ([], 0))
        return [found[k] for k in keys]


class PublicationPageKey(NamedTuple):
    filter: repository.PublicationFilter
    order: Ordering
    offset: int
    limit: int


class PublicationPageLoader(RequestLoader):
    """`PublicationPageKey` -> (rows, total) of the caller's org (the caller's user id
    serves the `viewer_roles` filter). The page's statement also reads the caller's role
    on each row and primes `PublicationRoleByIdLoader` with it, so building the page's
    nodes costs no further statement."""

    async def batch_load_fn(self, keys: Sequence[PublicationPageKey]) -> list[Any]:
        p = self.ctx.principal
        roles = self.ctx.loader(PublicationRoleByIdLoader)
        out = []
        for k in keys:
            rows, total, role_of = await repository.list_publications(
                self.ctx.db, p.org_id, p.user_id, k.filter, k.order, k.offset, k.limit
            )
            for pid, role in role_of.items():
                roles.prime(pid, role)
            out.append((rows, total))
        return out


async def load_page_with_metrics(
    ctx: Context, key: PublicationPageKey, asks: Sequence[MetricAsk]
) -> tuple[list, int]:
    """`PublicationPageLoader.load(key)` together with the metric reads `asks` of its
    rows' fields, in one statement: the page is the lookup the metrics take their
    subjects from (the rows the caller owns or co-creates), and the page, role and
    metric loaders are primed, so building the nodes and their metric fields sends
    nothing more."""
    p = ctx.principal
    f, order, offset, limit = key
    lookup = repository.page_lookup(p.org_id, p.user_id, f, order, offset, limit)
    (rows, total, role_of), _ = await asyncio.gather(
        repository.read_page_lookup(ctx.db, lookup, p.org_id, p.user_id, f, offset, limit),
        read_ahead(ctx, asks, lookup),
    )
    roles = ctx.loader(PublicationRoleByIdLoader)
    for pid, role in role_of.items():
        roles.prime(pid, role)
    ctx.loader(PublicationPageLoader).prime(key, (rows, total))
    return rows, total
