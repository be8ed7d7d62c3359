"""GraphQL types for publications: `Publication` (details, co-creators, experiences, the
caller's role, owner / co-creator metrics, public impact, and the generic
`metric/metrics/change/series` fields) and `Experience`.

Owner metrics carry the `IsPublicationOwnerOrCoCreator` permission (FORBIDDEN for other
members of the org); everything else is visible to any authenticated org member. Metric
reads go through the engine's request loaders, so a page of 50 publications costs the
same statements as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from gateway.access.publications import IsPublicationOwnerOrCoCreator, publication_roles
from gateway.context import Context
from gateway.metrics import MetricKey, MetricTotalsLoader, PeriodSpec, Preset, resolve_period
from gateway.metrics.loader import RequestClock
from gateway.models import Experience as ExperienceRow
from gateway.models import Publication as PublicationRow
from gateway.publications import service
from gateway.publications.loaders import (
    CoCreatorIdsByPublicationLoader,
    ExperienceByIdLoader,
    ExperienceCountsByPublicationLoader,
    ExperiencePageByPublicationLoader,
    ExperiencePageKey,
    PublicationByIdLoader,
    SocialCountsByPublicationLoader,
)
from gateway.tenancy.loaders import UserByIdLoader
from resolvers.common import MetricTarget, PeriodInput, PeriodRange, metric_fields
from resolvers.connections import Connection, page_args, paginate
from resolvers.node import Node, fill_from_row, register_node
from resolvers.publications.inputs import (
    DEFAULT_EXPERIENCE_ORDER,
    ExperienceOrder,
    ExperienceType,
    PublicationRole,
)
from resolvers.tenancy.types import User

OWNER_ONLY = [IsPublicationOwnerOrCoCreator]
ALL_TIME = PeriodSpec(preset=Preset.ALL)
LAST_30D = PeriodSpec(preset=Preset.LAST_30D)


@strawberry.type(description="Experiences of a publication by type.")
class ExperienceCounts:
    ai_expert: int
    ai_note: int
    quest: int
    podcast: int
    total: int


@strawberry.type(
    description="Engagement counts (events) over `period` (default: all time). "
    "For the owner and co-creators."
)
class PublicationEngagement:
    period: PeriodRange
    total_views: int
    total_likes: int
    total_bookmarks: int
    total_shares: int
    total_comments: int
    total_appointments: int


@strawberry.type(
    description="Public engagement over a fixed 30-day window (the last 30 UTC days "
    "including today). Formulas: see gateway/publications/service.py."
)
class PublicImpact:
    time_period_days: int = strawberry.field(description="Always 30.")
    period: PeriodRange
    total_plays: int
    likes_count: int
    saves_count: int = strawberry.field(description="Bookmarks.")
    shares_count: int
    comments_count: int
    completions_count: int
    completion_rate: float | None = strawberry.field(
        description="Percent (0-100, 2 decimals): 100 × completions / plays; null when "
        "there were no plays."
    )
    active_users: int = strawberry.field(
        description="Distinct users with any event on the publication in the window."
    )
    influence_score: float = strawberry.field(
        description="0-100, 1 decimal: log-scaled weighted engagement × completion factor."
    )
    generated_at: datetime


PublicationMetricFields = metric_fields(
    "Publication", {"publication": MetricTarget()}, permission_classes=OWNER_ONLY
)


def _role(key: str | None) -> PublicationRole | None:
    return PublicationRole(key) if key else None


@strawberry.type(
    description="An AISquare publication (AI Studio). Owner metrics (experienceCounts, "
    "engagement, monthlyActiveUsers, followersCount, followingCount, generatedAt, "
    "metric/metrics/change/series) need the owner or co-creator role; publicImpact is "
    "for any member of the org."
)
class Publication(Node, PublicationMetricFields):
    name: str
    custom_url: str
    created_at: datetime
    allow_bookings: bool
    viewer_role: PublicationRole | None = strawberry.field(
        description="Your role on this publication; null when you are neither owner nor co-creator."
    )
    pk: strawberry.Private[int]
    owner_id: strawberry.Private[int]
    viewer_role_key: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: PublicationRow, role: str | None) -> Publication:
        return fill_from_row(cls, row, viewer_role=_role(role), viewer_role_key=role)

    @strawberry.field(description="The owner.")
    async def owner(self, info: Info[Context, None]) -> User:
        return User.from_row(await info.context.loader(UserByIdLoader).load(self.owner_id))

    @strawberry.field(description="Co-creators, by user id.")
    async def co_creators(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[User]:
        page = page_args(first, after)
        ctx = info.context

        async def fetch(*, offset: int, limit: int):
            ids = await ctx.loader(CoCreatorIdsByPublicationLoader).load(self.pk)
            rows = await ctx.loader(UserByIdLoader).load_many(ids[offset : offset + limit])
            return [r for r in rows if r is not None], len(ids)

        return await paginate(page, fetch, User.from_row)

    @strawberry.field(description="The publication's experiences.")
    async def experiences(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        type: ExperienceType | None = None,
        order_by: ExperienceOrder | None = None,
    ) -> Connection[Experience]:
        page = page_args(first, after)
        order = order_by.to_ordering() if order_by else DEFAULT_EXPERIENCE_ORDER
        kind = type.value if type else None

        def fetch(*, offset: int, limit: int):
            key = ExperiencePageKey(self.pk, kind, order, offset, limit)
            return info.context.loader(ExperiencePageByPublicationLoader).load(key)

        return await paginate(page, fetch, Experience.from_row)

    @strawberry.field(
        permission_classes=OWNER_ONLY, description="Experiences by type (owner metrics)."
    )
    async def experience_counts(self, info: Info[Context, None]) -> ExperienceCounts | None:
        by_type = await info.context.loader(ExperienceCountsByPublicationLoader).load(self.pk)
        c = service.experience_counts(by_type)
        return ExperienceCounts(
            ai_expert=c["AI_EXPERT"],
            ai_note=c["AI_NOTE"],
            quest=c["QUEST"],
            podcast=c["PODCAST"],
            total=c["total"],
        )

    @strawberry.field(
        permission_classes=OWNER_ONLY,
        description="Engagement totals over `period` (default ALL: all time).",
    )
    async def engagement(
        self, info: Info[Context, None], period: PeriodInput | None = None
    ) -> PublicationEngagement | None:
        ctx = info.context
        rp = resolve_period(ctx, period.to_spec() if period else ALL_TIME)
        names = list(service.ENGAGEMENT_METRICS.values())
        loader = ctx.loader(MetricTotalsLoader, ctx.principal.org_id)
        values = await loader.load_many([MetricKey(m, self.pk, rp) for m in names])
        got = {
            field: int(v or 0) for field, v in zip(service.ENGAGEMENT_METRICS, values, strict=True)
        }
        return PublicationEngagement(period=PeriodRange.of(rp), **got)

    @strawberry.field(
        permission_classes=OWNER_ONLY,
        description="Distinct users with any event on the publication in the last 30 days.",
    )
    async def monthly_active_users(self, info: Info[Context, None]) -> int | None:
        ctx = info.context
        rp = resolve_period(ctx, LAST_30D)
        loader = ctx.loader(MetricTotalsLoader, ctx.principal.org_id)
        return int(await loader.load(MetricKey(service.ACTIVE_USERS, self.pk, rp)) or 0)

    @strawberry.field(permission_classes=OWNER_ONLY, description="Users following it.")
    async def followers_count(self, info: Info[Context, None]) -> int | None:
        return (await info.context.loader(SocialCountsByPublicationLoader).load(self.pk))[0]

    @strawberry.field(permission_classes=OWNER_ONLY, description="Publications its owner follows.")
    async def following_count(self, info: Info[Context, None]) -> int | None:
        return (await info.context.loader(SocialCountsByPublicationLoader).load(self.pk))[1]

    @strawberry.field(
        permission_classes=OWNER_ONLY, description="When these numbers were computed."
    )
    def generated_at(self, info: Info[Context, None]) -> datetime | None:
        return info.context.loader(RequestClock).now

    @strawberry.field(
        description="Public engagement over the last 30 days (any member of the org)."
    )
    async def public_impact(self, info: Info[Context, None]) -> PublicImpact:
        ctx = info.context
        rp = resolve_period(ctx, LAST_30D)
        loader = ctx.loader(MetricTotalsLoader, ctx.principal.org_id)
        names = service.PUBLIC_IMPACT_METRICS
        values = await loader.load_many([MetricKey(m, self.pk, rp) for m in names])
        pi = service.public_impact(dict(zip(names, values, strict=True)))
        return PublicImpact(
            time_period_days=service.PUBLIC_IMPACT_DAYS,
            period=PeriodRange.of(rp),
            total_plays=pi.total_plays,
            likes_count=pi.likes_count,
            saves_count=pi.saves_count,
            shares_count=pi.shares_count,
            comments_count=pi.comments_count,
            completions_count=pi.completions,
            completion_rate=pi.completion_rate,
            active_users=pi.active_users,
            influence_score=pi.influence_score,
            generated_at=ctx.loader(RequestClock).now,
        )


@strawberry.type(
    description="Something a publication offers: an AI expert, note, quest or podcast."
)
class Experience(Node):
    type: ExperienceType
    title: str
    created_at: datetime
    pk: strawberry.Private[int]
    publication_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: ExperienceRow) -> Experience:
        return fill_from_row(cls, row, type=ExperienceType(row.type))

    @strawberry.field(description="The publication offering it.")
    async def publication(self, info: Info[Context, None]) -> Publication:
        return (await publications_by_ids(info.context, [self.publication_id]))[0]


async def build_publications(
    ctx: Context, rows: Sequence[PublicationRow | None]
) -> list[Publication | None]:
    """GraphQL objects for rows of the caller's org, with the caller's role (one batched
    access check for all rows)."""
    roles = await publication_roles(ctx, [r.id for r in rows if r is not None])
    return [
        Publication.from_row(r, roles.get(r.id)) if r is not None and r.id in roles else None
        for r in rows
    ]


async def publications_by_ids(ctx: Context, ids: Sequence[int]) -> list[Publication | None]:
    rows = await ctx.loader(PublicationByIdLoader).load_many(list(ids))
    return await build_publications(ctx, rows)


async def _fetch_experiences(ctx: Context, ids: Sequence[int]) -> list[Any]:
    rows = await ctx.loader(ExperienceByIdLoader).load_many(list(ids))
    return [Experience.from_row(r) if r is not None else None for r in rows]


register_node("Publication", publications_by_ids)
register_node("Experience", _fetch_experiences)
