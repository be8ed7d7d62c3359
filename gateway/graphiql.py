"""GraphiQL as Tally serves it: strawberry's page, opened on a useful dashboard query
(and, when the demo dataset is loaded, with the demo org admin's token prefilled)."""

from __future__ import annotations

import json
import re

from fastapi import Request
from fastapi.responses import HTMLResponse
from strawberry.fastapi import GraphQLRouter

DEFAULT_QUERY = """# Tally — one GraphQL schema over five analytics APIs.
# Send your token in the Headers tab: {"Authorization": "Bearer <token>"}
# (`make run` prints the demo tokens). Browse every metric with `metricsCatalog`.

query Dashboard($period: PeriodInput = {preset: LAST_30D, timezone: "UTC"}) {
  viewer { user { username } org { key name } roles }
  metricsCatalog(subjectType: "publication") { name unit aggregation summable }
}
"""

_EXAMPLE = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.S)


class TallyGraphQLRouter(GraphQLRouter):
    def __init__(self, *args, default_query: str = DEFAULT_QUERY, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        literal = json.dumps(default_query)
        html = _EXAMPLE.sub(lambda _: f"const EXAMPLE_QUERY = {literal};", self.graphql_ide_html)
        self._ide_html = html

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        html = self._ide_html
        headers = getattr(request.app.state, "graphiql_headers", None)
        if headers:
            html = html.replace(
                "React.useState(parameters.headers)",
                f"React.useState(parameters.headers || {json.dumps(headers)})",
            )
        return HTMLResponse(html)
