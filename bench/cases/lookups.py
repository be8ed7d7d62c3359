"""The per-request probes: `trivial_lookup` (Tally's `viewer { org }` as `org_admin`,
PostGraphile's `orgById`, floor: the org row by id) and `typename` (`{ __typename }`,
no data read, no floor). They measure what a request costs before any dashboard work."""

from __future__ import annotations

from bench.cases import Case, PeerQuery
from bench.env import BenchEnv

ORG_SQL = "SELECT key, name FROM orgs WHERE id = $1"


async def org_floor(env: BenchEnv) -> list:
    row = await env.floor.fetchrow(ORG_SQL, env.org_id)
    return [row["key"], row["name"]]


async def org_variables(env: BenchEnv) -> dict:
    return {"id": str(env.org_id)}


async def no_variables(env: BenchEnv) -> dict:
    return {}


TRIVIAL = Case(
    name="trivial_lookup",
    principal="org_admin",
    query="query Viewer { viewer { org { key name } } }",
    variables=lambda env: {},
    extract=lambda data: [data["viewer"]["org"]["key"], data["viewer"]["org"]["name"]],
    floor=org_floor,
    peer=PeerQuery(
        query="query Org($id: BigInt!) { orgById(id: $id) { key name } }",
        variables=org_variables,
        extract=lambda data, env: [data["orgById"]["key"], data["orgById"]["name"]],
    ),
    dashboard=False,
)

TYPENAME = Case(
    name="typename",
    principal="org_admin",
    query="{ __typename }",
    variables=lambda env: {},
    extract=lambda data: data["__typename"],
    floor=None,
    peer=PeerQuery(
        query="{ __typename }", variables=no_variables, extract=lambda d, env: d["__typename"]
    ),
    dashboard=False,
)
