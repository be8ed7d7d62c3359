"""Access rules of the learners domain (ibl.ai):

* org-wide and mentor-scoped analytics (KPIs, users, topics, transcripts, ratings, costs,
  the course / program catalog, the audit log) need the org admin role (ibl.ai platform
  admin);
* a learner may read their own data (`IsPlatformAdminOfUser | IsSelfAccess`) and their
  own chat sessions;
* anything of another org is not found (every read is filtered by the caller's org).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.auth import Principal


def may_read_analytics(principal: Principal | None) -> bool:
    """Org-wide / mentor-scoped analytics and the catalog: the org admin."""
    return principal is not None and principal.is_admin


def may_read_learner(principal: Principal | None, username: str | None) -> bool:
    """One learner's data: the org admin, or that learner (self-access)."""
    if principal is None:
        return False
    return principal.is_admin or (username is not None and username == principal.username)


def visible_sessions(principal: Principal | None, rows: Sequence[Any]) -> list[Any]:
    """Chat sessions (rows of the caller's org) the caller may read: all for the admin,
    their own for a learner; None in place of the others."""
    if principal is None:
        return [None] * len(rows)
    return [
        r if r is not None and (principal.is_admin or r.user_id == principal.user_id) else None
        for r in rows
    ]


def visible_catalog(principal: Principal | None, rows: Sequence[Any]) -> list[Any]:
    """Courses / programs with their analytics: the org admin only."""
    ok = may_read_analytics(principal)
    return [r if ok else None for r in rows]
