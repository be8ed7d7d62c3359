"""The one strawberry schema: every domain's query type merged, plus the schema-wide
extensions (the request guard — parse/validation caches, limits, cost budget — and error
masking)."""

from __future__ import annotations

import functools
import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.tools import merge_types

from gateway.apq import PersistedQueries
from gateway.errors import TallyError
from gateway.graphql_log import RecordOperation
from gateway.response_cache import DataChangeNotice
from resolvers import arguments
from resolvers.agents.queries import AgentsQuery
from resolvers.common import CatalogQuery
from resolvers.execution import TallyExecutionContext
from resolvers.faults import DatabaseFaults, TallySchema
from resolvers.guard import RequestGuard
from resolvers.jobs.mutations import JobsMutation
from resolvers.jobs.queries import JobsQuery
from resolvers.learners.queries import LearnersQuery
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


class CachedNameConverter(NameConverter):
    """strawberry's name converter, memoized: it runs for every argument and input field
    of every resolved field (`to_camel_case` on each), per request."""

    @functools.lru_cache(maxsize=4_096)  # noqa: B019 - one converter for the process
    def apply_naming_config(self, name: str) -> str:
        return super().apply_naming_config(name)


def build_schema() -> TallySchema:
    arguments.install()
    Query = merge_types("Query", QUERY_TYPES)
    return TallySchema(
        query=Query,
        config=StrawberryConfig(name_converter=CachedNameConverter()),
        execution_context_class=TallyExecutionContext,
        mutation=merge_types("Mutation", MUTATION_TYPES),
        types=EXTRA_TYPES,
        extensions=[
            PersistedQueries,  # first: it supplies the query the others parse
            RecordOperation,
            DataChangeNotice,
            RequestGuard,
            DatabaseFaults,
            MaskErrors(should_mask_error=_should_mask, error_message="Internal error."),
        ],
    )


schema = build_schema()
