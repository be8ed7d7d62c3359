"""The one strawberry schema: every domain's query type merged, plus the schema-wide
extensions (parser/validation caches, limits, error masking)."""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.add_validation_rules import AddValidationRules
from strawberry.tools import merge_types

from gateway.apq import PersistedQueries
from gateway.config import Settings
from gateway.errors import TallyError
from gateway.graphql_log import RecordOperation
from resolvers.agents.queries import AgentsQuery
from resolvers.common import CatalogQuery
from resolvers.faults import DatabaseFaults, TallySchema
from resolvers.jobs.mutations import JobsMutation
from resolvers.jobs.queries import JobsQuery
from resolvers.learners.queries import LearnersQuery
from resolvers.limits import make_limits_rule
from resolvers.missions.queries import MissionQuery
from resolvers.node import NodeQuery
from resolvers.publications.queries import PublicationsQuery
from resolvers.tenancy.queries import TenancyQuery
from resolvers.tenancy.types import Org, User
from resolvers.workspaces.queries import WorkspacesQuery

log = logging.getLogger("tally.graphql")

QUERY_TYPES: tuple[type, ...] = (
    NodeQuery,
    TenancyQuery,
    CatalogQuery,
    PublicationsQuery,
    AgentsQuery,
    WorkspacesQuery,
    MissionQuery,
    LearnersQuery,
    JobsQuery,
)
MUTATION_TYPES: tuple[type, ...] = (JobsMutation,)
EXTRA_TYPES: list[type] = [Org, User]


def _should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None:
        return False  # validation / parse errors are for the client
    if isinstance(original, TallyError):
        return False
    from strawberry.exceptions import StrawberryGraphQLError

    # unexpected: masked here, logged once per request by LoggingSchema.process_errors
    return not isinstance(original, StrawberryGraphQLError | PermissionError | GraphQLError)


def build_schema(settings: Settings | None = None) -> TallySchema:
    settings = settings or Settings()
    limits = make_limits_rule(settings.max_query_depth, settings.max_aliases)
    Query = merge_types("Query", QUERY_TYPES)
    return TallySchema(
        query=Query,
        mutation=merge_types("Mutation", MUTATION_TYPES),
        types=EXTRA_TYPES,
        extensions=[
            PersistedQueries,  # first: it supplies the query the others parse
            RecordOperation,
            lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
            lambda: ParserCache(maxsize=256),
            AddValidationRules([limits]),
            lambda: ValidationCache(maxsize=256),
            DatabaseFaults,
            MaskErrors(should_mask_error=_should_mask, error_message="Internal error."),
        ],
    )


schema = build_schema()
