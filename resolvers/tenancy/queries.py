"""`viewer`: who am I, my org and roles. The org and roles come with the principal, so
`viewer { org { key name } roles }` reads nothing; `user` is loaded when selected."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.context import Context
from resolvers.permissions import IsAuthenticated
from resolvers.tenancy.types import Viewer


@strawberry.type
class TenancyQuery:
    @strawberry.field(permission_classes=[IsAuthenticated], description="The caller.")
    async def viewer(self, info: Info[Context, None]) -> Viewer:
        return Viewer(principal=info.context.principal)
