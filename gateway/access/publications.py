"""Access rules for AISquare publications (AI Studios).

* A publication of another org does not exist for the caller (every lookup is scoped by
  the caller's org, so it is simply not found).
* Any authenticated member of the org sees a publication's details, its experiences and
  its public impact.
* Owner / co-creator metrics (experience counts, engagement, monthly active users,
  social counts and the generic `metric/metrics/change/series` fields) are for the
  publication's owner and co-creators only; anyone else gets a FORBIDDEN error.

`publication_roles` is batched: it is called once for a whole page of publications, and
the role is kept on each GraphQL object so that the field permission is a plain check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from gateway.context import Context
from gateway.publications.loaders import PublicationRoleByIdLoader
from gateway.publications.repository import CO_CREATOR, OWNER

METRIC_ROLES = frozenset({OWNER, CO_CREATOR})
FORBIDDEN_MESSAGE = "You are not an owner or co-creator of this publication."


async def publication_roles(ctx: Context, ids: Sequence[int]) -> dict[int, str | None]:
    """publication id -> the caller's role ("OWNER", "CO_CREATOR" or None for another
    member of the org), for the publications of the caller's org among `ids`; ids of
    other orgs or unknown ids are absent (not found). One statement per batch."""
    if ctx.principal is None or not ids:
        return {}
    roles = await ctx.loader(PublicationRoleByIdLoader).load_many(list(ids))
    return dict(zip(ids, roles, strict=True))


def can_see_publication(ctx: Context) -> bool:
    """Publication details and public impact: any authenticated member of the org (the
    org scoping of every lookup does the rest)."""
    return ctx.principal is not None


def can_read_owner_metrics(role: str | None) -> bool:
    return role in METRIC_ROLES


class IsPublicationOwnerOrCoCreator(BasePermission):
    """Field permission for owner / co-creator metrics. The source must carry the
    caller's role as `viewer_role_key` (set by the publication resolvers from
    `publication_roles`)."""

    message = FORBIDDEN_MESSAGE
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if info.context.principal is None:
            return False
        return can_read_owner_metrics(getattr(source, "viewer_role_key", None))
