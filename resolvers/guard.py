"""`RequestGuard`: the schema extension that stands between a request and graphql-core.

It replaces strawberry's ParserCache / MaxTokensLimiter / ValidationCache with the same
caches plus the limits, in this order, each step only when the previous passed:

1. parse (cached by query text): graphql-core's `parse(..., max_tokens=...)`;
2. the document limits (`resolvers.limits`, measured once per document and cached);
3. the raw `variables` bounds (before graphql-core coerces anything);
4. graphql-core's validation rules (cached by query text, rules and whether suggestions
   are hidden) — they only ever see documents within the limits;
5. the cost estimate (`resolvers.cost`) against the caller's budget.

Every rejection is a GraphQL error with `extensions.code`; the router answers a request
that failed before execution with HTTP 400.

Every response reports `extensions.cost`: `estimated` (null when the request was refused
before the estimate), `actual` (what execution produced: `fields` + `metricValues`, see
`resolvers.cost.actual_cost`; 0 when nothing ran) and the caller's `budget`.

In production (`settings.env == "production"`) an anonymous caller gets no introspection
(`INTROSPECTION_DISABLED`) and no "Did you mean …?" suggestions; authenticated callers
keep both.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

from cachetools import LRUCache
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from gateway.config import Settings
from gateway.metrics.loader import MetricMeter
from resolvers.cost import estimate_cost, resolved_fields
from resolvers.limits import (
    DocumentShape,
    LimitExceeded,
    Limits,
    check_document,
    check_variables,
    measure,
    too_deep,
    too_many_tokens,
)

CACHE_CHARS = 200_000
"""The parse and the validation cache each hold documents of at most this many characters
in all (least recently used out first), and only documents within every document limit.
Cached syntax trees are long-lived objects that each full garbage collection walks while
the event loop (and `/livez`) waits: a flood of distinct hostile documents must not pile
them up (134 of them, 118,000 objects, made full collections take 0.1-0.6 s on a loaded
2-core machine). 200,000 characters are some 100 dashboard queries; what falls out is
parsed again, which the token limit keeps to milliseconds."""
OFFLOAD_CHARS = 2_048
"""Documents longer than this are parsed, measured and validated in a worker thread: the
event loop (health checks, every other request) keeps running while one large document
is checked, because the thread gives up the GIL every few milliseconds."""
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def limits_of(settings: Settings) -> Limits:
    return Limits(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_query_tokens,
    )


def _query_size(entry: tuple) -> int:
    return entry[-1]


_lock = threading.Lock()  # documents are prepared in worker threads too
_documents: LRUCache = LRUCache(maxsize=CACHE_CHARS, getsizeof=_query_size)
_validations: LRUCache = LRUCache(maxsize=CACHE_CHARS, getsizeof=_query_size)


def _prepare(
    query: str, max_tokens: int, max_nesting: int, limits: Limits | None = None
) -> tuple[DocumentNode, DocumentShape]:
    """The parsed document and its measure, from the cache when it was kept there (only
    documents within `limits` are)."""
    key = (query, max_tokens, max_nesting)
    with _lock:
        hit = _documents.get(key)
    if hit is not None:
        return hit[0], hit[1]
    limits = limits or Limits(max_tokens=max_tokens, max_nesting=max_nesting)
    document, shape = _parse(query, limits)
    if len(query) <= CACHE_CHARS and not check_document(shape, limits):
        with _lock:
            _documents[key] = (document, shape, len(query))
    return document, shape


def _parse(query: str, limits: Limits) -> tuple[DocumentNode, DocumentShape]:
    try:
        document = parse(query, max_tokens=limits.max_tokens)
    except GraphQLError as exc:
        if "tokens. Parsing aborted" in exc.message:
            raise too_many_tokens(limits) from None
        if "nested too deeply" in exc.message:
            raise too_deep(limits) from None
        exc.extensions = {**(exc.extensions or {}), "code": "GRAPHQL_PARSE_FAILED"}
        raise
    except RecursionError:
        # graphql-core's parser is recursive: only a nesting far beyond any limit gets here
        raise too_deep(limits) from None
    return document, measure(document)


def _validate(
    schema: GraphQLSchema,
    query: str,
    document: DocumentNode,
    rules: tuple[type, ...],
    hide_suggestions: bool,
) -> list[GraphQLError]:
    """graphql-core's validation of a document within the limits (cached by query text,
    rules and whether suggestions are hidden)."""
    key = (schema, query, rules, hide_suggestions)
    with _lock:
        hit = _validations.get(key)
    if hit is not None:
        return hit[0]
    errors = validate(
        schema,
        document,
        (*rules, MaybeNullValidationRule, OneOfInputValidationRule),
        hide_suggestions=hide_suggestions,
    )
    for e in errors:
        e.extensions = {**(e.extensions or {}), "code": "GRAPHQL_VALIDATION_FAILED"}
    if len(query) <= CACHE_CHARS:
        with _lock:
            _validations[key] = (errors, len(query))
    return errors


class RequestGuard(SchemaExtension):
    """Limits, caches and the cost budget (one instance per request: pass the class)."""

    default_settings = Settings()

    def __init__(self) -> None:
        super().__init__()
        self.cost: int | None = None
        self.budget: int | None = None
        self.document: DocumentNode | None = None
        self.shape: DocumentShape | None = None

    # --- who is asking ---------------------------------------------------------------

    def _settings(self) -> Settings:
        settings = getattr(self.execution_context.context, "settings", None)
        return settings if isinstance(settings, Settings) else self.default_settings

    def _anonymous(self) -> bool:
        return getattr(self.execution_context.context, "principal", None) is None

    def _locked_down(self) -> bool:
        """An anonymous caller in production: no introspection, no suggestions."""
        return self._anonymous() and self._settings().env == "production"

    # --- the hooks -----------------------------------------------------------------------

    def _budget(self) -> int:
        settings = self._settings()
        if self._anonymous():
            return settings.cost_budget_anonymous
        return settings.cost_budget_authenticated

    def on_operation(self) -> Iterator[None]:
        self.budget = self._budget()
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        hide = self._locked_down()
        for e in result.errors:
            if hide and "Did you mean" in e.message:
                e.message = _SUGGESTION.sub("", e.message)
            if e.path is None and not (e.extensions or {}).get("code"):
                # variable coercion and operation selection: the request's input
                e.extensions = {**(e.extensions or {}), "code": "BAD_USER_INPUT"}

    async def on_parse(self) -> AsyncIterator[None]:
        ec = self.execution_context
        limits = limits_of(self._settings())
        args = (ec.query, limits.max_tokens, limits.max_nesting, limits)
        if len(ec.query) > OFFLOAD_CHARS:
            self.document, self.shape = await asyncio.to_thread(_prepare, *args)
        else:
            self.document, self.shape = _prepare(*args)
        ec.graphql_document = self.document
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        ec = self.execution_context
        if len(ec.query) > OFFLOAD_CHARS:
            ec.pre_execution_errors = await asyncio.to_thread(self._check)
        else:
            ec.pre_execution_errors = self._check()
        yield

    def get_results(self) -> dict[str, Any]:
        if self.budget is None:
            return {}
        result = self.execution_context.result
        fields = resolved_fields(getattr(result, "data", None))
        context = self.execution_context.context
        values = context.loader(MetricMeter).values if hasattr(context, "loader") else 0
        return {
            "cost": {
                "estimated": self.cost,
                "actual": fields + values,
                "budget": self.budget,
                "fields": fields,
                "metricValues": values,
            }
        }

    # --- the checks ------------------------------------------------------------------------

    def _check(self) -> list[GraphQLError]:
        ec = self.execution_context
        settings = self._settings()
        limits = limits_of(settings)
        locked = self._locked_down()
        document, shape = self.document, self.shape
        if document is None or shape is None:  # parsed elsewhere (not through on_parse)
            document, shape = _prepare(ec.query, limits.max_tokens, limits.max_nesting, limits)
        errors: list[GraphQLError] = list(
            check_document(shape, limits, introspection_allowed=not locked)
        )
        if errors:
            return errors
        errors = list(check_variables(ec.variables, limits))
        if errors:
            return errors
        errors = _validate(
            ec.schema._schema, ec.query, document, tuple(ec.validation_rules), locked
        )
        if errors:
            return errors
        self.cost = estimate_cost(ec.schema._schema, document, ec.operation_name, ec.variables)
        self.budget = self._budget()
        if self.cost > self.budget:
            who = "an anonymous caller" if self._anonymous() else "an authenticated caller"
            return [
                LimitExceeded(
                    "COST_LIMIT_EXCEEDED",
                    f"This operation's estimated cost is {self.cost:,}; the budget for {who} "
                    f"is {self.budget:,}. Ask for fewer nodes, metrics or buckets (a shorter "
                    "period or a coarser granularity).",
                    limit=self.budget,
                    found=self.cost,
                )
            ]
        return []
