"""`viewer`: who am I, my org and roles."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.tenancy.loaders import OrgByIdLoader, UserByIdLoader
from resolvers.permissions import IsAuthenticated
from resolvers.tenancy.types import Org, OrgMembership, User, Viewer


@strawberry.type
class TenancyQuery:
    @strawberry.field(permission_classes=[IsAuthenticated], description="The caller.")
    async def viewer(self, info: Info[Context, None]) -> Viewer:
        ctx = info.context
        p = ctx.principal
        user_row = await ctx.loader(UserByIdLoader).load(p.user_id)
        org_row = await ctx.loader(OrgByIdLoader).load(p.org_id)
        org = Org.from_row(org_row)
        roles = sorted(p.roles)
        return Viewer(
            user=User.from_row(user_row),
            org=org,
            roles=roles,
            orgs=[OrgMembership(org=org, roles=roles)],
        )
