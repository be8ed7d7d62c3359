"""`node(id:)` / `nodes(ids:)` against the access rules, over EVERY entity of every node
type in the demo dataset.

The oracle is computed here from the database with the documented rules, independently
of the resolvers:
  * anything of another org: null;
  * Workspace, Workflow, WorkflowExecution, Thread: the workspace's owner and members;
  * ChatSession: the org admin and the session's own user;
  * Course, Program (catalog analytics), DataReport (ibl.ai reports): the org admin;
  * everything else (User, Org, Agent, Publication, Experience, Mission, Content,
    ExportJob): any member of the org.
Forged ids (another org's primary key under the caller's org id) must give null too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from resolvers.node import MAX_NODES, decode_id, encode_id
from resolvers.schema import schema
from tests.authz.helpers import PRINCIPAL_COLUMNS

WS_UUID = "8360bf61-4604-4f22-99dc-2afa910fd8c7"
PRINCIPALS = [p for p in PRINCIPAL_COLUMNS if p is not None]

# (node type, SQL giving org_id, id and the key its rule looks at)
ENTITIES = {
    "Org": "SELECT id, id, NULL FROM orgs",
    "User": "SELECT org_id, id, NULL FROM users",
    "Agent": "SELECT org_id, id, NULL FROM agents",
    "Publication": "SELECT org_id, id, NULL FROM publications",
    "Experience": "SELECT org_id, id, NULL FROM experiences",
    "Mission": "SELECT org_id, id, NULL FROM missions",
    "Content": "SELECT org_id, id, NULL FROM content",
    "Course": "SELECT org_id, id, NULL FROM courses",
    "Program": "SELECT org_id, id, NULL FROM programs",
    "ChatSession": "SELECT org_id, id, user_id FROM chat_sessions",
    "Workspace": "SELECT org_id, id, id FROM workspaces",
    "Workflow": "SELECT org_id, id, workspace_id FROM workflows",
    "WorkflowExecution": "SELECT e.org_id, e.id, w.workspace_id FROM workflow_executions e"
    " JOIN workflows w ON (w.org_id, w.id) = (e.org_id, e.workflow_id)",
    "Thread": "SELECT org_id, id, workspace_id FROM threads",
    "ExportJob": "SELECT org_id, id, NULL FROM jobs WHERE kind = 'amp_export'",
    "DataReport": "SELECT org_id, id, NULL FROM jobs WHERE kind = 'iblai_report'",
}
WORKSPACE_TYPES = {"Workspace", "Workflow", "WorkflowExecution", "Thread"}
ADMIN_TYPES = {"Course", "Program", "DataReport"}


@dataclass(frozen=True)
class Entity:
    type: str
    org_id: int
    pk: int
    key: int | None

    @property
    def gid(self) -> str:
        return encode_id(self.type, self.org_id, self.pk)


@dataclass(frozen=True)
class Me:
    org_id: int
    user_id: int
    admin: bool
    workspaces: frozenset[int]


def may_see(me: Me, e: Entity) -> bool:
    """The documented rules (see the module docstring)."""
    if e.org_id != me.org_id:
        return False
    if e.type in WORKSPACE_TYPES:
        return e.key in me.workspaces
    if e.type == "ChatSession":
        return me.admin or e.key == me.user_id
    if e.type in ADMIN_TYPES:
        return me.admin
    return True


@pytest.fixture(scope="module")
async def world(demo_db, reports) -> tuple[list[Entity], dict[str, Me]]:
    from gateway.demo.principals import BY_NAME

    async with demo_db.engine.connect() as conn:
        entities = [
            Entity(type_name, *row)
            for type_name, sql in ENTITIES.items()
            for row in (await conn.execute(text(sql))).all()
        ]
        me = {}
        for name in PRINCIPALS:
            p = BY_NAME[name]
            org_id, user_id = (
                await conn.execute(
                    text(
                        "SELECT u.org_id, u.id FROM users u JOIN orgs o ON o.id = u.org_id"
                        " WHERE o.key = :org AND u.username = :username"
                    ),
                    {"org": p.org, "username": p.username},
                )
            ).one()
            spaces = (
                await conn.execute(
                    text(
                        "SELECT id FROM workspaces WHERE org_id = :o AND owner_id = :u UNION"
                        " SELECT workspace_id FROM workspace_members"
                        " WHERE org_id = :o AND user_id = :u"
                    ),
                    {"o": org_id, "u": user_id},
                )
            ).scalars()
            me[name] = Me(org_id, user_id, p.admin, frozenset(spaces))
    return entities, me


def _chunks(items: list[str], size: int = MAX_NODES) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


def test_every_node_type_has_an_oracle() -> None:
    gql_schema = schema._schema
    node_types = {t.name for t in gql_schema.get_possible_types(gql_schema.get_type("Node"))}
    assert node_types == set(ENTITIES)


def test_the_demo_exercises_every_rule(world) -> None:
    """Guard against a vacuous matrix: each principal sees some and misses some nodes,
    and the restricted types are visible to someone and hidden from someone in acme."""
    entities, me = world
    for m in me.values():
        seen = [may_see(m, e) for e in entities]
        assert any(seen) and not all(seen)
    acme = me["org_admin"].org_id
    for type_name in WORKSPACE_TYPES | ADMIN_TYPES | {"ChatSession"}:
        rows = [e for e in entities if e.type == type_name and e.org_id == acme]
        assert any(may_see(m, e) for m in me.values() for e in rows), type_name
        assert not all(may_see(m, e) for m in me.values() for e in rows), type_name
    assert me["workspace_member"].workspaces == me["workspace_owner"].workspaces


@pytest.mark.parametrize("principal", PRINCIPALS)
async def test_nodes_of_every_entity(gql, world, principal: str) -> None:
    entities, me = world
    m = me[principal]
    ids = [e.gid for e in entities]
    got: list[dict | None] = []
    for chunk in _chunks(ids):
        body = await gql(principal, NODES, ids=chunk)
        assert "errors" not in body, body["errors"]
        got.extend(body["data"]["nodes"])
    wrong = []
    for e, node in zip(entities, got, strict=True):
        if node is not None and (node["id"], node["__typename"]) != (e.gid, e.type):
            wrong.append(f"{e}: asked {e.gid}, got {node}")
        elif (node is not None) != may_see(m, e):
            wrong.append(f"{e}: expected {'visible' if may_see(m, e) else 'null'}, got {node}")
    assert wrong == [], f"{len(wrong)} wrong node lookups:\n" + "\n".join(wrong[:40])


@pytest.mark.parametrize("principal", PRINCIPALS)
async def test_forged_ids_under_the_callers_org_are_null(gql, world, principal: str) -> None:
    """Another org's primary key with the caller's org id in the global id: null (the
    fetchers must scope by org themselves, not trust the id)."""
    entities, me = world
    org_id = me[principal].org_id
    forged = [encode_id(e.type, org_id, e.pk) for e in entities if e.org_id != org_id]
    own = {(e.type, e.pk) for e in entities if e.org_id == org_id}
    assert not any(decode_id(i)[0::2] in own for i in forged)  # no accidental collision
    leaked = []
    for chunk in _chunks(forged):
        body = await gql(principal, NODES, ids=chunk)
        assert "errors" not in body, body["errors"]
        leaked.extend(n for n in body["data"]["nodes"] if n is not None)
    assert leaked == []


async def test_ids_as_seen_by_their_owners_are_the_entity_ids(gql, world) -> None:
    """The ids the API hands out (to each entity's rightful reader) are the ids checked
    above, and each owner's `node(id:)` returns the same object."""
    entities, _ = world
    known = {e.gid: e for e in entities}
    reads = {
        "org_admin": '{ viewer { user { id } org { id } } exportJob(key: "exp_xxx") { id }'
        " dataReports { id }"
        ' agent(key: "agt-booking-assistant-1") { id }'
        ' mission(key: "msn_2xK9mPqR4vN8sT3w") { id } content(key: "cnt_xxx") { id }'
        " learnerAnalytics(period: {preset: ALL}) { courses(first: 1) { nodes { id } }"
        " programs(first: 1) { nodes { id } } transcripts(first: 1) { nodes { id } } } }",
        "publication_owner": '{ publication(customUrl: "ai-research-studio") { id'
        " experiences(first: 1) { nodes { id } } } }",
        "workspace_owner": f'{{ workspace(uuid: "{WS_UUID}") {{ id'
        " workflows(first: 1) { nodes { id } }"
        " workflowExecutions(first: 1) { nodes { id } } threads(first: 1) { nodes { id } } } }",
        "other_org_admin": "{ viewer { user { id } org { id } } dataReports { id }"
        ' publication(customUrl: "ai-research-studio") { id'
        " experiences(first: 1) { nodes { id } } }"
        " agents(first: 1) { nodes { id } } missions(first: 1) { nodes { id } }"
        " contents(first: 1) { nodes { id } }"
        " learnerAnalytics(period: {preset: ALL}) { courses(first: 1) { nodes { id } }"
        " programs(first: 1) { nodes { id } } transcripts(first: 1) { nodes { id } } } }",
    }
    types_seen: dict[str, set[str]] = {}
    for principal, query in reads.items():
        body = await gql(principal, query)
        assert "errors" not in body, body["errors"]
        ids = list(_ids(body["data"]))
        assert ids and all(i in known for i in ids), ids
        types_seen[principal] = {known[i].type for i in ids}
        nodes = (await gql(principal, NODES, ids=ids))["data"]["nodes"]
        assert [n and n["id"] for n in nodes] == ids
    acme = types_seen["org_admin"] | types_seen["publication_owner"] | types_seen["workspace_owner"]
    assert acme == set(ENTITIES)


def _ids(data) -> Iterable[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "id" and isinstance(value, str):
                yield value
            else:
                yield from _ids(value)
    elif isinstance(data, list):
        for item in data:
            yield from _ids(item)


@pytest.mark.parametrize("principal", PRINCIPALS)
async def test_single_node_lookups(gql, world, principal: str) -> None:
    """`node(id:)` (one field per id, aliased): one entity of each type and org, the one
    closest to the principal (their own chat session, their workspace), null exactly
    where the rules say."""
    entities, me = world
    m = me[principal]
    picks: dict[tuple[str, int], Entity] = {}
    for e in sorted(entities, key=lambda e: (not may_see(m, e), e.pk)):
        picks.setdefault((e.type, e.org_id), e)
    chosen = list(picks.values())
    fields = " ".join(f'n{i}: node(id: "{e.gid}") {{ id }}' for i, e in enumerate(chosen))
    body = await gql(principal, "{ " + fields + " }")
    assert "errors" not in body, body["errors"]
    got = {e.type + f"@{e.org_id}": body["data"][f"n{i}"] is not None for i, e in enumerate(chosen)}
    want = {e.type + f"@{e.org_id}": may_see(m, e) for e in chosen}
    assert got == want
