"""Authorization: owner (metrics), member (node and lists, metrics FORBIDDEN), same-org
outsider (FORBIDDEN, node null), other org and unknown uuid (NOT_FOUND)."""

from __future__ import annotations

import pytest

from .conftest import MARCH, data, error

WS = """
query($uuid: String!) {
  workspace(uuid: $uuid) {
    id uuid name viewerRole owner { username }
    workflows { totalCount }
  }
}
"""
METRICS = """
query($uuid: String!) {
  workspace(uuid: $uuid) {
    uuid
    workspaceMetrics(query: {entity: AGENTS, metric: CREATED, aggregation: COUNT}) { total }
  }
}
"""
OWNER_FIELDS = {
    "workspaceMetrics": "workspaceMetrics(query: {entity: AGENTS, metric: CREATED, "
    "aggregation: COUNT}) { total }",
    "resourceMetrics": "resourceMetrics(query: {resource: THREADS}) { total }",
    "agentLeaderboard": "agentLeaderboard { entries { name } }",
    "executionCounts": "executionCounts { total }",
    "metric": "metric(name: AGENT_EXECUTIONS)",
}


async def test_owner_sees_everything(gql, athena):
    got = data(await gql(athena.tokens["owner"], WS, uuid=athena.ws.uuid))["workspace"]
    assert got["viewerRole"] == "OWNER"
    assert got["owner"] == {"username": "olivia"}
    assert got["workflows"]["totalCount"] == 2
    got = data(await gql(athena.tokens["owner"], METRICS, uuid=athena.ws.uuid))
    assert got["workspace"]["workspaceMetrics"]["total"] == 2


async def test_member_sees_node_and_lists_not_metrics(gql, athena):
    got = data(await gql(athena.tokens["mark"], WS, uuid=athena.ws.uuid))["workspace"]
    assert got["viewerRole"] == "MEMBER"
    assert got["workflows"]["totalCount"] == 2
    body = await gql(athena.tokens["mark"], METRICS, uuid=athena.ws.uuid)
    err = error(body)
    assert err["extensions"]["code"] == "FORBIDDEN"
    assert err["message"].startswith("This action is unauthorized")
    assert body["data"]["workspace"]["uuid"] == athena.ws.uuid  # the node itself is fine


@pytest.mark.parametrize("field", list(OWNER_FIELDS))
async def test_every_metric_field_is_owner_only(gql, athena, field):
    q = f"query($uuid: String!) {{ workspace(uuid: $uuid) {{ {OWNER_FIELDS[field]} }} }}"
    err = error(await gql(athena.tokens["mark"], q, uuid=athena.ws.uuid))
    assert err["extensions"]["code"] == "FORBIDDEN"
    assert err["path"][-1] == field


async def test_outsider_in_org_is_forbidden(gql, athena):
    body = await gql(athena.tokens["xavier"], WS, uuid=athena.ws.uuid)
    err = error(body)
    assert err["extensions"]["code"] == "FORBIDDEN"
    assert err["message"] == "This action is unauthorized."
    assert body["data"]["workspace"] is None


async def test_other_org_and_unknown_uuid_are_not_found(gql, athena):
    for token, uuid in (
        (athena.tokens["zed"], athena.ws.uuid),
        (athena.tokens["owner"], "8360bf61-4604-4f22-99dc-000000000000"),
        (athena.tokens["owner"], "not a uuid"),
    ):
        err = error(await gql(token, WS, uuid=uuid))
        assert err["extensions"]["code"] == "NOT_FOUND"
        assert err["message"] == "Workspace not found."


async def test_node_fetchers_follow_the_same_rules(gql, athena):
    wid = data(await gql(athena.tokens["owner"], WS, uuid=athena.ws.uuid))["workspace"]["id"]
    q = """query($id: ID!) { node(id: $id) { ... on Workspace { uuid viewerRole } } }"""
    assert data(await gql(athena.tokens["owner"], q, id=wid))["node"]["viewerRole"] == "OWNER"
    assert data(await gql(athena.tokens["mark"], q, id=wid))["node"]["viewerRole"] == "MEMBER"
    assert data(await gql(athena.tokens["xavier"], q, id=wid))["node"] is None
    assert data(await gql(athena.tokens["zed"], q, id=wid))["node"] is None


async def test_workflow_lookup_and_node(gql, athena):
    q = """query($key: String!) { workflow(key: $key) { id name workspace { uuid } } }"""
    key = athena.flows["F1"].key
    got = data(await gql(athena.tokens["mark"], q, key=key))["workflow"]
    assert got["name"] == "Flow One" and got["workspace"]["uuid"] == athena.ws.uuid
    assert error(await gql(athena.tokens["xavier"], q, key=key))["extensions"]["code"] == (
        "FORBIDDEN"
    )
    assert error(await gql(athena.tokens["zed"], q, key=key))["extensions"]["code"] == "NOT_FOUND"
    node = """query($id: ID!) { node(id: $id) { ... on Workflow { key } } }"""
    assert data(await gql(athena.tokens["xavier"], node, id=got["id"]))["node"] is None
    assert data(await gql(athena.tokens["mark"], node, id=got["id"]))["node"] == {"key": key}


async def test_workflow_metrics_owner_only(gql, athena):
    q = """query($key: String!, $p: PeriodInput) {
      workflow(key: $key) { metric(name: EXECUTIONS, period: $p) } }"""
    key = athena.flows["F1"].key
    got = data(await gql(athena.tokens["owner"], q, key=key, p=MARCH))
    assert got["workflow"]["metric"] == 3  # F1: three executions in March
    err = error(await gql(athena.tokens["mark"], q, key=key, p=MARCH))
    assert err["extensions"]["code"] == "FORBIDDEN"


async def test_workspaces_list_is_owned_or_member(gql, athena):
    q = """query($role: WorkspaceRole) {
      workspaces(role: $role, orderBy: NAME_ASC) { totalCount nodes { name viewerRole } } }"""
    owner = data(await gql(athena.tokens["owner"], q))["workspaces"]
    assert owner["totalCount"] == 2
    assert [n["name"] for n in owner["nodes"]] == ["Acme Ops", "Other"]
    mark = data(await gql(athena.tokens["mark"], q))["workspaces"]
    assert mark["nodes"] == [{"name": "Acme Ops", "viewerRole": "MEMBER"}]
    assert data(await gql(athena.tokens["mark"], q, role="OWNER"))["workspaces"]["totalCount"] == 0
    assert data(await gql(athena.tokens["xavier"], q))["workspaces"]["totalCount"] == 0
    assert data(await gql(athena.tokens["zed"], q))["workspaces"]["totalCount"] == 0


async def test_unauthenticated(gql, athena):
    err = error(await gql(None, WS, uuid=athena.ws.uuid))
    assert err["extensions"]["code"] == "UNAUTHENTICATED"
