"""Lists under a workspace: workflows, executions (of a workspace / of a workflow),
threads and their messages — totalCount, filters, orderBy with id tie-break, paging and
the bound on `first`."""

from __future__ import annotations

from .conftest import data, error

LISTS = """
query($uuid: String!, $first: Int, $after: String) {
  workspace(uuid: $uuid) {
    byName: workflows(orderBy: NAME_DESC) { totalCount nodes { name createdBy { username } } }
    search: workflows(search: "two") { totalCount nodes { name } }
    page: workflowExecutions(first: $first, after: $after, orderBy: DURATION_DESC) {
      totalCount
      edges { cursor node { status durationMs workflow { name } user { username } } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
    ok: workflowExecutions(filter: {status: SUCCEEDED}, orderBy: STARTED_AT_ASC) {
      totalCount nodes { startedAt durationMs }
    }
    threads(orderBy: TITLE_ASC) {
      totalCount
      nodes {
        title agentId user { username }
        messages { totalCount nodes { role content user { username } } }
        assistant: messages(role: ASSISTANT) { totalCount }
      }
    }
  }
}
"""


async def test_lists(gql, athena):
    got = data(await gql(athena.tokens["mark"], LISTS, uuid=athena.ws.uuid, first=2))["workspace"]
    assert got["byName"] == {
        "totalCount": 2,
        "nodes": [
            {"name": "Flow Two", "createdBy": {"username": "mark"}},
            {"name": "Flow One", "createdBy": {"username": "olivia"}},
        ],
    }
    assert got["search"] == {"totalCount": 1, "nodes": [{"name": "Flow Two"}]}
    page = got["page"]
    # W's 5 executions (F9 is in W2); by duration desc, running (null) last
    assert page["totalCount"] == 5
    assert [e["node"]["durationMs"] for e in page["edges"]] == [6000, 3000]
    assert page["edges"][0]["node"]["workflow"] == {"name": "Flow Two"}
    assert page["pageInfo"]["hasNextPage"] is True
    assert [n["durationMs"] for n in got["ok"]["nodes"]] == [1000, 2000, 6000]
    threads = got["threads"]["nodes"]
    assert [t["title"] for t in threads] == ["Hiring", "Pricing"]
    pricing = threads[1]
    assert pricing["user"] == {"username": "mark"}
    assert pricing["messages"]["totalCount"] == 3
    assert [m["role"] for m in pricing["messages"]["nodes"]] == ["USER", "ASSISTANT", "USER"]
    assert pricing["messages"]["nodes"][0]["user"] == {"username": "mark"}
    assert pricing["assistant"]["totalCount"] == 1
    assert pricing["agentId"] is not None


async def test_paging_to_the_end(gql, athena):
    first = data(await gql(athena.tokens["owner"], LISTS, uuid=athena.ws.uuid, first=2))
    cursor = first["workspace"]["page"]["pageInfo"]["endCursor"]
    second = data(
        await gql(athena.tokens["owner"], LISTS, uuid=athena.ws.uuid, first=10, after=cursor)
    )["workspace"]["page"]
    # then 2000, 1000, and the running execution (no duration) last
    assert [e["node"]["durationMs"] for e in second["edges"]] == [2000, 1000, None]
    assert second["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": second["edges"][-1]["cursor"],
    }
    assert second["totalCount"] == 5


async def test_past_the_end_keeps_total(gql, athena):
    q = """query($uuid: String!, $after: String) { workspace(uuid: $uuid) {
      workflows(first: 5, after: $after) { totalCount nodes { name } } } }"""
    from resolvers.connections import encode_cursor

    got = data(await gql(athena.tokens["owner"], q, uuid=athena.ws.uuid, after=encode_cursor(9)))
    assert got["workspace"]["workflows"] == {"totalCount": 2, "nodes": []}


async def test_first_is_bounded(gql, athena):
    err = error(await gql(athena.tokens["owner"], LISTS, uuid=athena.ws.uuid, first=101))
    assert err["message"] == "`first` must be between 0 and 100, got 101."
    assert err["extensions"]["code"] == "INVALID_INPUT"


async def test_workflow_executions_filters(gql, athena):
    q = """query($key: String!, $user: ID!) { workflow(key: $key) {
      executions(filter: {userId: $user}, orderBy: STARTED_AT_ASC) {
        totalCount nodes { status } }
      copiedFrom { name } } }"""
    got = data(
        await gql(athena.tokens["owner"], q, key=athena.flows["F1"].key, user=str(athena.owner.id))
    )["workflow"]
    # F1 by olivia: 03-02 ok, 03-02 failed, 03-18 running
    assert got["executions"] == {
        "totalCount": 3,
        "nodes": [{"status": "SUCCEEDED"}, {"status": "FAILED"}, {"status": "RUNNING"}],
    }
    assert got["copiedFrom"] is None
