"""`learner(username)`: one learner's own data (self-access or org admin): user info, a
summary over the period and per-course details."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.learners.loaders import EnrollmentsByUserLoader
from gateway.learners.scope import AnalyticsScope
from gateway.learners.service import ratio
from gateway.metrics import ResolvedPeriod, Scope, load_total
from resolvers.common import PeriodRange
from resolvers.connections import Connection, page_args, paginate, window
from resolvers.node import encode_id
from resolvers.tenancy.types import User


@strawberry.type(description="A learner's enrollment in one course, with activity in the period.")
class LearnerCourse:
    course_pk: strawberry.Private[int]
    user_pk: strawberry.Private[int]
    rp: strawberry.Private[ResolvedPeriod]
    course_id: strawberry.ID = strawberry.field(description="The Course's global id.")
    course_key: str
    course_name: str
    enrolled_at: datetime
    grade: float | None = strawberry.field(description="0.0-1.0.")
    progress: float = strawberry.field(description="0.0-1.0.")
    completed: bool
    completed_at: datetime | None
    last_access_at: datetime | None

    async def _metric(self, info: Info[Context, None], name: str):
        scope = Scope(actor_ids=[self.user_pk])
        return await load_total(info.context, name, self.course_pk, self.rp, scope)

    @strawberry.field(description="Time spent in the course in the period (seconds).")
    async def time_spent_seconds(self, info: Info[Context, None]) -> float:
        return await self._metric(info, "course.time_spent_seconds")

    @strawberry.field(description="Learning activities in the course in the period.")
    async def activities(self, info: Info[Context, None]) -> int:
        return await self._metric(info, "course.activities")


@strawberry.type(description="A learner's totals.")
class LearnerSummary:
    enrollments: int
    completed: int
    in_progress: int
    average_grade: float | None = strawberry.field(
        description="sum(grade) / graded enrollments, 0.0-1.0."
    )
    average_progress: float | None = strawberry.field(
        description="sum(progress) / enrollments, 0.0-1.0."
    )
    last_access: datetime | None = strawberry.field(description="Latest course access.")
    time_spent_seconds: float = strawberry.field(description="Learning time in the period (s).")
    engagement: int = strawberry.field(description="Learning activities in the period.")
    messages: int = strawberry.field(description="Chat messages in the period (mentor scope).")
    sessions: int = strawberry.field(description="Chat sessions in the period (mentor scope).")


@strawberry.type(description="One learner's own analytics.")
class LearnerReport:
    user_pk: strawberry.Private[int]
    scope: strawberry.Private[AnalyticsScope]
    rp: strawberry.Private[ResolvedPeriod]
    user: User
    email: str | None
    period: PeriodRange

    async def _courses(self, info: Info[Context, None]) -> list[LearnerCourse]:
        rows = await info.context.loader(EnrollmentsByUserLoader).load(self.user_pk)
        return [
            LearnerCourse(
                course_pk=c.id,
                user_pk=self.user_pk,
                rp=self.rp,
                course_id=encode_id("Course", c.org_id, c.id),
                course_key=c.key,
                course_name=c.name,
                enrolled_at=e.enrolled_at,
                grade=e.grade,
                progress=e.progress,
                completed=e.completed_at is not None,
                completed_at=e.completed_at,
                last_access_at=e.last_access_at,
            )
            for e, c in rows
        ]

    @strawberry.field
    async def summary(self, info: Info[Context, None]) -> LearnerSummary:
        ctx, me = info.context, [self.user_pk]
        chat = replace(self.scope, actor_ids=tuple(me))
        courses, spent, engagement, messages, sessions = await asyncio.gather(
            self._courses(info),
            load_total(ctx, "course.time_spent_seconds", None, self.rp, Scope(actor_ids=me)),
            load_total(ctx, "course.activities", None, self.rp, Scope(actor_ids=me)),
            load_total(ctx, "agent.messages", chat.agent_group, self.rp, chat.agent_scope),
            load_total(ctx, "agent.sessions", chat.agent_group, self.rp, chat.agent_scope),
        )
        graded = [c.grade for c in courses if c.grade is not None]
        accesses = [c.last_access_at for c in courses if c.last_access_at is not None]
        done = sum(c.completed for c in courses)
        return LearnerSummary(
            enrollments=len(courses),
            completed=done,
            in_progress=len(courses) - done,
            average_grade=ratio(sum(graded), len(graded)),
            average_progress=ratio(sum(c.progress for c in courses), len(courses)),
            last_access=max(accesses, default=None),
            time_spent_seconds=spent,
            engagement=engagement,
            messages=messages,
            sessions=sessions,
        )

    @strawberry.field(description="Per-course details, by course key.")
    async def courses(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[LearnerCourse]:
        page = page_args(first, after)
        return await paginate(page, window(await self._courses(info)))
