"""Field permissions of learner analytics, over the rules in `gateway.access.learners`."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from gateway.access.learners import may_read_analytics, may_read_learner


class CanReadLearnerAnalytics(BasePermission):
    """Org-wide and mentor-scoped analytics: the org admin (ibl.ai platform admin)."""

    message = (
        "Learner analytics (org-wide or per mentor) require the org admin role; a learner "
        "can read only their own data with `learner(username: <your username>)`."
    )
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return may_read_analytics(info.context.principal)


class CanReadLearner(BasePermission):
    """`IsPlatformAdminOfUser | IsSelfAccess`: the org admin, or the learner themself."""

    message = "You can read only your own learner data (or be an org admin)."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return may_read_learner(info.context.principal, kwargs.get("username"))
