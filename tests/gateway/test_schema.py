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


def test_limits_rule_reports_depth_aliases_and_operation_count():
    from graphql import parse, validate

    from resolvers.limits import make_limits_rule

    rule = make_limits_rule(max_depth=3, max_aliases=2, max_operations=2)
    gql = schema._schema

    def errors(query: str) -> list[str]:
        return [e.message for e in validate(gql, parse(query), [rule])]

    assert errors("query Ok { viewer { orgs { org { key } } } }") == [
        "Operation 'Ok' is 4 levels deep; the limit is 3."
    ]
    assert errors("query A { a: viewer { roles } b: viewer { roles } c: viewer { roles } }") == [
        "Operation 'A' uses 3 aliases; the limit is 2."
    ]
    assert errors(
        "query A { viewer { roles } } query B { viewer { roles } } query C { viewer { roles } }"
    ) == ["A document may hold at most 2 operations, got 3."]
    assert errors("query Fine { viewer { user { username } } }") == []


async def test_aliases_over_the_limit_are_a_graphql_error(client, factory):
    org = await factory.org()
    token = await factory.token(await factory.user(org))
    query = "query Many { " + " ".join(f"a{i}: viewer {{ roles }}" for i in range(60)) + " }"
    r = await client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.json()["errors"][0]["message"] == "Operation 'Many' uses 60 aliases; the limit is 50."
