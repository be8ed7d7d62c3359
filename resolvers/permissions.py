"""Permission classes: authentication is checked on every root field here; the
per-object rules (owner, co-creator, workspace member, org admin, self) live in
`gateway.access` and are applied by the loaders and fetchers that produce objects."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info


class IsAuthenticated(BasePermission):
    message = "Authentication required: send 'Authorization: Bearer <token>'."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal is not None


class IsOrgAdmin(BasePermission):
    message = "This field requires the org admin role."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        return principal is not None and principal.is_admin
