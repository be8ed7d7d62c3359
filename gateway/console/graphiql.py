"""GraphiQL at GET /graphql, served from the package's own assets: one tab per example
operation (the dashboard query first) and, in demo mode for a local caller, each tab's
headers carrying its demo principal's token."""

from __future__ import annotations

import hashlib
import json

from fastapi import Request
from fastapi.responses import HTMLResponse
from strawberry.fastapi import GraphQLRouter

from gateway.console.demo import demo_tokens
from gateway.console.examples import DEFAULT_PRINCIPAL, examples
from gateway.console.pages import render
from gateway.graphql_http import BoundedGraphQLHTTP


def _headers(token: str | None) -> str:
    return json.dumps({"Authorization": f"Bearer {token}"}, indent=2) if token else ""


def graphiql_config(request: Request) -> dict:
    tokens = demo_tokens(request)
    tabs = [
        {"name": e.name, "query": e.query, "headers": _headers(tokens.get(e.demo_principal))}
        for e in examples()
    ]
    return {
        "endpoint": str(request.url.path),
        "tabs": tabs,
        "defaultHeaders": _headers(tokens.get(DEFAULT_PRINCIPAL)),
        "demo": bool(tokens),
        "version": hashlib.sha256("".join(t["query"] for t in tabs).encode()).hexdigest()[:12],
    }


class TallyGraphQLRouter(BoundedGraphQLHTTP, GraphQLRouter):
    """strawberry's router with Tally's own GraphiQL page (and bounded request bodies,
    see `gateway.graphql_http`)."""

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return render("graphiql.html", graphiql_config(request))
