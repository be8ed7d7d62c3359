"""GraphQL types for orgs and users."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from gateway.auth import Principal
from gateway.models import Org as OrgRow
from gateway.models import User as UserRow
from gateway.tenancy.loaders import OrgByIdLoader, UserByIdLoader
from resolvers.node import Node, encode_id, fill_from_row, register_node


@strawberry.type(description="A tenant. `key` is also ibl.ai's `platform_key`.")
class Org(Node):
    key: str
    name: str

    @classmethod
    def from_row(cls, row: OrgRow) -> Org:
        return fill_from_row(cls, row, id=encode_id("Org", row.id, row.id))


@strawberry.type(description="A person in one org: learner, creator, member, artist or admin.")
class User(Node):
    username: str
    display_name: str
    created_at: datetime
    pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: UserRow) -> User:
        return fill_from_row(cls, row)


@strawberry.type(description="The org you belong to and your roles in it.")
class OrgMembership:
    org: Org
    roles: list[str]


@strawberry.type(description="Who the caller is.")
class Viewer:
    principal: strawberry.Private[Principal]

    @strawberry.field
    async def user(self, info: Info) -> User:
        row = await info.context.loader(UserByIdLoader).load(self.principal.user_id)
        return User.from_row(row)

    @strawberry.field
    async def org(self, info: Info) -> Org:
        return await _org_of(info.context, self.principal)

    @strawberry.field
    def roles(self) -> list[str]:
        return sorted(self.principal.roles)

    @strawberry.field
    async def orgs(self, info: Info) -> list[OrgMembership]:
        org = await _org_of(info.context, self.principal)
        return [OrgMembership(org=org, roles=sorted(self.principal.roles))]


async def _org_of(ctx, principal: Principal) -> Org:
    """The caller's org: from the principal when it carries the name, else loaded."""
    if principal.org_name is not None:
        return Org(
            id=encode_id("Org", principal.org_id, principal.org_id),
            key=principal.org_key,
            name=principal.org_name,
        )
    return Org.from_row(await ctx.loader(OrgByIdLoader).load(principal.org_id))


async def _fetch_users(ctx, ids):
    rows = await ctx.loader(UserByIdLoader).load_many(list(ids))
    return [User.from_row(r) if r else None for r in rows]


async def _fetch_orgs(ctx, ids):
    rows = await ctx.loader(OrgByIdLoader).load_many(list(ids))
    # the loader is not org-scoped: only the caller's own org is visible
    return [Org.from_row(r) if r and r.id == ctx.principal.org_id else None for r in rows]


register_node("User", _fetch_users)
register_node("Org", _fetch_orgs)
