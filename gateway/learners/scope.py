"""`AnalyticsScope`: what one `learnerAnalytics(...)` call covers — one mentor or every
mentor of the org, optionally narrowed to the members of some user groups — and the
metric-engine scopes that express it."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.metrics import Scope, Via

MENTOR_KIND = "mentor"

ALL_MENTORS = Via("agents", where={"kind": [MENTOR_KIND]})
"""Org-wide = the events of every agent of kind `mentor` (the org's other agents — agent
platform and Athena agents — are not ibl.ai mentors)."""


@dataclass(frozen=True)
class AnalyticsScope:
    org_id: int
    mentor_id: int | None = None
    """One mentor (agent id), or None for every mentor of the org."""
    actor_ids: tuple[int, ...] | None = None
    """Members of the requested user groups, or None when not narrowed."""

    @property
    def agent_group(self) -> int | None:
        """The metric loaders' `group` for `agent.*` metrics."""
        return self.mentor_id

    @property
    def agent_scope(self) -> Scope:
        """The metric loaders' scope for `agent.*` metrics (with `agent_group`)."""
        via = None if self.mentor_id is not None else ALL_MENTORS
        return Scope(via=via, actor_ids=self.actor_ids)

    @property
    def course_scope(self) -> Scope:
        """The scope for `course.*` metrics (the catalog is org-wide: no mentor)."""
        return Scope(actor_ids=self.actor_ids)

    @property
    def breakdown_scope(self) -> Scope:
        """The scope for engine breakdowns of `agent.*` metrics (no loader group)."""
        if self.mentor_id is not None:
            return Scope(ids=[self.mentor_id], actor_ids=self.actor_ids, total=True)
        return Scope(via=ALL_MENTORS, actor_ids=self.actor_ids)
