"""The root field `learnerAnalytics(mentor, userGroupIds, period)`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.errors import InvalidInput, NotFound
from gateway.inputs import parse_pk
from gateway.learners.loaders import MentorByKeyLoader, UserGroupMembersLoader
from gateway.learners.scope import AnalyticsScope
from resolvers.common import PeriodInput, PeriodRange, period_of
from resolvers.learners.analytics import LearnerAnalytics
from resolvers.learners.types import MentorRef
from resolvers.permissions import IsAuthenticated


def _group_ids(ids: list[strawberry.ID]) -> list[int]:
    parsed = [parse_pk(str(i).strip()) for i in ids]
    if any(p is None for p in parsed):
        raise InvalidInput(
            f"userGroupIds must be numeric user group ids, got {[str(i) for i in ids]}."
        )
    return [p for p in parsed if p is not None]


@strawberry.type
class LearnersQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="ibl.ai analytics: one mentor (`mentor` = its unique id) or org-wide "
        "(omitted), narrowed to the members of `userGroupIds`, over `period` (default: "
        "the last 30 days). Analytics need the org admin role; `learner(username:)` is also "
        "open to that learner.",
    )
    async def learner_analytics(
        self,
        info: Info[Context, None],
        mentor: str | None = None,
        user_group_ids: list[strawberry.ID] | None = None,
        period: PeriodInput | None = None,
    ) -> LearnerAnalytics:
        ctx = info.context
        rp = period_of(info, period)
        mentor_row = None
        if mentor is not None:
            mentor_row = await ctx.loader(MentorByKeyLoader).load(mentor)
            if mentor_row is None:
                raise NotFound(f"No mentor with unique id '{mentor}' in this org.")
        actor_ids = None
        groups = _group_ids(user_group_ids or [])
        if groups:
            found = await ctx.loader(UserGroupMembersLoader).load_many(groups)
            missing = [g for g, members in zip(groups, found, strict=True) if members is None]
            if missing:
                raise NotFound(f"No user group(s) {missing} in this org.")
            actor_ids = tuple(sorted({u for members in found for u in members}))
        return LearnerAnalytics(
            scope=AnalyticsScope(
                org_id=ctx.principal.org_id,
                mentor_id=mentor_row.id if mentor_row else None,
                actor_ids=actor_ids,
            ),
            rp=rp,
            memo={},
            period=PeriodRange.of(rp),
            mentor=MentorRef(key=mentor_row.key, name=mentor_row.name) if mentor_row else None,
            user_group_ids=[strawberry.ID(str(g)) for g in groups],
        )
