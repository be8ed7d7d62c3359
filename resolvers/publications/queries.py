"""Root fields: `publication(customUrl:)` and `publications(...)`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.errors import InvalidInput, NotFound
from gateway.publications.loaders import (
    PublicationByCustomUrlLoader,
    PublicationPageKey,
    PublicationPageLoader,
    load_page_with_metrics,
)
from gateway.publications.repository import PublicationFilter
from resolvers.connections import Connection, page_args, paginate
from resolvers.permissions import IsAuthenticated
from resolvers.publications.inputs import (
    DEFAULT_PUBLICATION_ORDER,
    PublicationFilterInput,
    PublicationOrder,
)
from resolvers.publications.types import Publication, build_publications


@strawberry.type
class PublicationsQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="A publication (AI Studio) of your org by its custom url. "
        "NOT_FOUND when there is none.",
    )
    async def publication(self, info: Info[Context, None], custom_url: str) -> Publication:
        url = custom_url.strip()
        if not url:
            raise InvalidInput("customUrl must not be empty.", field="customUrl")
        row = await info.context.loader(PublicationByCustomUrlLoader).load(url)
        pub = (await build_publications(info.context, [row]))[0] if row is not None else None
        if pub is None:
            raise NotFound(f"No publication with custom url {url!r}.", field="customUrl")
        return pub

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Publications of your org (any member may list them).",
    )
    async def publications(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        order_by: PublicationOrder | None = None,
        filter: PublicationFilterInput | None = None,
    ) -> Connection[Publication]:
        ctx = info.context
        page = page_args(first, after)
        where = filter.to_filter() if filter else PublicationFilter()
        order = order_by.to_ordering() if order_by else DEFAULT_PUBLICATION_ORDER

        # the metric fields of the page's nodes are read with the page (one statement)
        asks = [
            *Publication.metric_asks(info, ("nodes",)),
            *Publication.metric_asks(info, ("edges", "node")),
        ]

        async def fetch(*, offset: int, limit: int):
            key = PublicationPageKey(where, order, offset, limit)
            if asks:
                rows, total = await load_page_with_metrics(ctx, key, asks)
            else:
                rows, total = await ctx.loader(PublicationPageLoader).load(key)
            return await build_publications(ctx, rows), total

        return await paginate(page, fetch)
