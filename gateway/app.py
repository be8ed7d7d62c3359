"""The FastAPI application: GraphQL at /graphql (with GraphiQL), health checks, the
ingestion API, the legacy REST routers and the console pages (gateway.console), one error
handler per caller dialect. Request dependencies are in `gateway.dependencies`, error
dialects in `gateway.dialects`: routers import those, never this module."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, Request, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from gateway import logs
from gateway.apq import PersistedQueryStore
from gateway.config import Settings
from gateway.console import CONTENT_SECURITY_POLICY
from gateway.db import Database, DatabaseUnavailable, open_database
from gateway.dbfaults import UNAVAILABLE_MESSAGE, is_db_fault
from gateway.dbfaults import describe as describe_fault
from gateway.dependencies import (
    SessionDep,
    get_context,
    get_principal,
    get_session,
    require_principal,
)
from gateway.dialects import register_error_dialect, render_error
from gateway.errors import ServiceUnavailable, TallyError
from gateway.guards import (
    DeadlineMiddleware,
    RateLimitMiddleware,
    SecurityHeadersMiddleware,
    freeze_startup_heap,
)
from gateway.middleware import RequestMiddleware
from gateway.principals import PrincipalCache
from gateway.production import check_production
from gateway.ratelimit import Policy, build_buckets
from gateway.response_cache import build_cache, listener_dsn
from gateway.responses import JSONResponse, ORJSONResponse
from gateway.statistics import keep_fresh

log = logging.getLogger("tally")

RATE_LIMIT_EXEMPT = ("/livez", "/readyz", "/metrics", "/console/static/")
"""Paths that take no rate-limit token: health checks, metrics scrapes, static assets."""


# --- the app --------------------------------------------------------------------------


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the app. `database` is injected by tests; otherwise one is made at startup
    from DATABASE_URL (or the embedded PostgreSQL)."""
    settings = settings or Settings.from_env()
    check_production(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = app.state.db is None
        if owned:
            app.state.db = await open_database(settings)
        worker = None
        if app.state.run_worker if app.state.run_worker is not None else owned:
            from gateway.jobs.worker import start_background

            worker = start_background(app.state.db, settings)
        stats = asyncio.ensure_future(keep_fresh(app.state.db)) if owned else None
        await app.state.graphql_cache.start(listener_dsn(app.state.db))
        if owned:
            freeze_startup_heap()
        try:
            yield
        finally:
            await app.state.graphql_cache.close()
            if stats is not None:
                stats.cancel()
            buckets = getattr(app.state, "rate_limit_buckets", None)
            if buckets is not None and hasattr(buckets, "close"):
                await buckets.close()
            if worker is not None:
                await worker.stop()
            await app.state.persisted_queries.close()
            await app.state.principals.close()
            if owned:
                await app.state.db.dispose()

    app = FastAPI(
        title="Tally",
        description="GraphQL analytics gateway with REST compatibility routes for five "
        "legacy analytics APIs.",
        version="0.1.0",
        lifespan=lifespan,
        default_response_class=ORJSONResponse,
        docs_url=None,  # /docs and /redoc are the console's self-hosted pages
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.run_worker = None  # the job worker: None = only when the app owns the db
    app.state.demo_principals = None  # set by `tally serve` when demo tokens exist

    # added first = innermost: rate limits, the deadline, gzip, CORS, the request middleware,
    # then security headers (outermost)
    if settings.rate_limit_enabled:
        app.state.rate_limit_buckets = build_buckets(settings.redis_url)
        app.add_middleware(
            RateLimitMiddleware,
            buckets=app.state.rate_limit_buckets,
            per_token=Policy(settings.rate_limit_token_rps, settings.rate_limit_token_burst),
            per_address=Policy(
                settings.rate_limit_anonymous_rps, settings.rate_limit_anonymous_burst
            ),
            render=render_error,
            exempt=RATE_LIMIT_EXEMPT,
        )
    app.add_middleware(
        DeadlineMiddleware, timeout_s=settings.request_timeout_s, render=render_error
    )
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_min_bytes, compresslevel=5)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
        expose_headers=["X-Request-Id", "Retry-After"],
        max_age=600,
    )
    app.add_middleware(RequestMiddleware)
    app.state.persisted_queries = PersistedQueryStore(settings.redis_url)
    app.state.graphql_cache = build_cache(settings)
    app.state.principals = PrincipalCache(
        settings.principal_cache_ttl_s, redis_url=settings.redis_url
    )
    app.add_middleware(
        SecurityHeadersMiddleware,
        content_security_policy=settings.csp or CONTENT_SECURITY_POLICY,
    )
    _install_error_handlers(app)
    _install_health(app)

    from gateway.console import install_console
    from gateway.console.graphiql import TallyGraphQLRouter
    from gateway.graphql_endpoint import GraphQLPostRoute
    from resolvers.schema import schema

    install_console(app)
    app.state.graphql_schema = schema
    app.router.routes.insert(0, GraphQLPostRoute())  # POST /graphql: matched first
    graphql = TallyGraphQLRouter(
        schema,
        path="/graphql",
        context_getter=get_context,
        graphql_ide=None if settings.production else "graphiql",  # off in production
    )
    app.include_router(graphql, include_in_schema=False)

    for router in _routers():
        app.include_router(router)
    return app


def _routers() -> list[Any]:
    """Every REST router (ingestion, legacy APIs). Imported lazily to keep startup cheap."""
    import importlib

    from gateway.ingest.endpoints import router as ingest_router
    from gateway.rest.apis import ROUTER_MODULES

    return [ingest_router, *(importlib.import_module(m).router for m in ROUTER_MODULES)]


def _install_health(app: FastAPI) -> None:
    @app.get("/livez", include_in_schema=False)
    async def livez() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        from gateway.observability import exposition

        body, content_type = await exposition(request.app.state.db)
        return Response(body, media_type=content_type)

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> Response:
        """Ready when a pooled connection answers `SELECT 1` within TALLY_READY_TIMEOUT_S.
        The probe runs as its own task so that its cleanup (a frozen server never
        answers) happens after the answer, not before it."""
        bound = request.app.state.settings.ready_timeout_s
        probe = asyncio.ensure_future(_probe(request.app.state.db))
        done, _ = await asyncio.wait({probe}, timeout=bound)
        if not done:
            probe.cancel()
            _probes.add(probe)
            probe.add_done_callback(_probes.discard)
            probe.add_done_callback(lambda t: t.cancelled() or t.exception())
            reason = f"the database did not answer within {bound:g} s"
        elif probe.exception() is not None:
            reason = "the database is unreachable"
        else:
            return ORJSONResponse({"status": "ok"})
        return render_error(request, 503, ServiceUnavailable.code, f"Not ready: {reason}.")


_probes: set[asyncio.Task] = set()


async def _probe(db: Database) -> None:
    async with db.session() as session:
        try:
            await session.execute(text("SELECT 1"))
        except asyncio.CancelledError:
            await session.invalidate()
            raise


def _install_error_handlers(app: FastAPI) -> None:
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    @app.exception_handler(TallyError)
    async def tally_error(request: Request, exc: TallyError) -> Response:
        return render_error(request, exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where}: {first.get('msg', 'invalid request')}" if where else "Invalid request."
        return render_error(request, 422, "invalid_request", message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return render_error(request, exc.status_code, code, str(exc.detail))

    async def unexpected(request: Request, exc: Exception) -> Response:
        rid = getattr(request.state, "request_id", "-")
        if is_db_fault(exc):
            log.warning("database unavailable (request %s): %s", rid, describe_fault(exc))
            return render_error(request, 503, ServiceUnavailable.code, UNAVAILABLE_MESSAGE)
        logs.log_unexpected(f"unexpected error (request {rid})", exc)
        return render_error(request, 500, "internal_error", f"Internal error (request id {rid}).")

    # The driver's and the network's exception families get the handler in the inner
    # exception middleware too, so an outage is answered there (503) instead of
    # reaching the server-error middleware, which would log a traceback per request.
    for family in (
        Exception,
        OSError,
        SQLAlchemyError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
        DatabaseUnavailable,
    ):
        app.add_exception_handler(family, unexpected)


# Request dependencies and error dialects live in gateway.dependencies and gateway.dialects
# (routers import them from there); the names stay importable from here too.
__all__ = [
    "JSONResponse",
    "SessionDep",
    "create_app",
    "get_context",
    "get_principal",
    "get_session",
    "register_error_dialect",
    "render_error",
    "require_principal",
]
