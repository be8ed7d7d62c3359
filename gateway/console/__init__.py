"""Tally's console: the pages a person opens in a browser, all served from assets shipped
inside this package (no CDN, no network): GraphiQL at /graphql (see `graphiql`), Swagger
UI at /docs, ReDoc at /redoc and the dashboard at /dashboard. Third-party assets are
pinned in `static/vendor/` (versions and how to update them: README.md here)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from gateway.console.demo import demo_tokens
from gateway.console.openapi import install_security
from gateway.console.pages import STATIC_PREFIX, render

STATIC_DIR = Path(__file__).parent / "static"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
"""The strictest policy the console pages run under (no inline or eval'd script; GraphiQL,
Swagger UI and ReDoc set inline styles, inline fonts and images as data: URLs, and ReDoc
starts its search worker from a blob:). The browser tests load every page under it."""
DASHBOARD_PRINCIPALS = {
    "default": "org_admin",
    "publications": "publication_owner",
    "workspaces": "workspace_owner",
}
"""Demo mode: the principal whose token each dashboard section uses until the user enters
a token of their own (the org admin sees neither a studio's owner metrics nor a
workspace's metrics)."""


def install_console(app: FastAPI) -> None:
    """Mount the static assets and the /docs, /redoc and /dashboard pages. Create the
    app with `docs_url=None, redoc_url=None` so these pages replace FastAPI's."""
    install_security(app)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="console-static")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return render("swagger.html", {"openapiUrl": openapi_url})

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return render("redoc.html", {}, openapi_url=openapi_url)

    @app.get("/dashboard", include_in_schema=False)
    async def dashboard(request: Request) -> HTMLResponse:
        tokens = demo_tokens(request)
        config = {
            "endpoint": "/graphql",
            "demo": bool(tokens),
            "tokens": {
                section: {"principal": name, "token": tokens[name]}
                for section, name in DASHBOARD_PRINCIPALS.items()
                if name in tokens
            },
        }
        return render("dashboard.html", config)
