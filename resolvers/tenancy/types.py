"""GraphQL types for orgs and users."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.models import Org as OrgRow
from gateway.models import User as UserRow
from gateway.tenancy.loaders import OrgByIdLoader, UserByIdLoader
from resolvers.node import Node, encode_id, register_node


@strawberry.type(description="A tenant. `key` is also ibl.ai's `platform_key`.")
class Org(Node):
    key: str
    name: str

    @classmethod
    def from_row(cls, row: OrgRow) -> Org:
        return cls(id=encode_id("Org", row.id, row.id), key=row.key, name=row.name)


@strawberry.type(description="A person in one org: learner, creator, member, artist or admin.")
class User(Node):
    username: str
    display_name: str
    created_at: datetime
    pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: UserRow) -> User:
        return cls(
            id=encode_id("User", row.org_id, row.id),
            pk=row.id,
            username=row.username,
            display_name=row.display_name,
            created_at=row.created_at,
        )


@strawberry.type(description="The org you belong to and your roles in it.")
class OrgMembership:
    org: Org
    roles: list[str]


@strawberry.type(description="Who the caller is.")
class Viewer:
    user: User
    org: Org
    roles: list[str]
    orgs: list[OrgMembership]


async def _fetch_users(ctx, ids):
    rows = await ctx.loader(UserByIdLoader).load_many(list(ids))
    return [User.from_row(r) if r else None for r in rows]


async def _fetch_orgs(ctx, ids):
    rows = await ctx.loader(OrgByIdLoader).load_many(list(ids))
    # the loader is not org-scoped: only the caller's own org is visible
    return [Org.from_row(r) if r and r.id == ctx.principal.org_id else None for r in rows]


register_node("User", _fetch_users)
register_node("Org", _fetch_orgs)
