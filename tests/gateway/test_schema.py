"""schema.graphql is generated from the code; this fails when it is stale."""

from __future__ import annotations

from gateway.config import PROJECT_ROOT
from resolvers.schema import schema


def test_schema_graphql_is_current():
    committed = (PROJECT_ROOT / "schema.graphql").read_text()
    assert committed == schema.as_str() + "\n", (
        "schema.graphql is stale: run `tally export-schema` (or `make schema`) and commit it"
    )


async def test_graphiql_is_served(client):
    r = await client.get("/graphql", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "graphiql" in r.text.lower()


async def test_health(client):
    assert (await client.get("/livez")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ok"}
