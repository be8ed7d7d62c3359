"""Batching: the same query for 1 workspace and for 50 runs the same number of SQL
statements (metrics, series, per-resource metrics, execution counts and lists)."""

from __future__ import annotations

from .conftest import MARCH, data, error, utc

Q = """
query($first: Int!, $p: PeriodInput) {
  workspaces(first: $first, orderBy: NAME_ASC) {
    totalCount
    nodes {
      uuid
      created: workspaceMetrics(query: {entity: AGENTS, metric: CREATED, aggregation: COUNT,
                                        filters: {dateRange: $p}}) { total }
      runs: workspaceMetrics(query: {entity: WORKFLOWS, metric: EXECUTIONS, aggregation: AVG,
                                     filters: {dateRange: $p}}) { total unit }
      daily: workspaceMetrics(query: {entity: AGENTS, metric: EXECUTIONS, aggregation: COUNT,
                                      groupBy: DATE, granularity: DAILY,
                                      filters: {dateRange: $p}}) { total results { date value } }
      newThreads: resourceMetrics(query: {resource: THREADS, filters: {dateRange: $p}}) { total }
      messages: resourceMetrics(query: {resource: MESSAGES, groupBy: DATE, granularity: WEEKLY,
                                        filters: {dateRange: $p}}) { total results { value } }
      executionCounts(dateRange: $p, granularity: DAILY) { total running series { completed } }
      metrics(names: [AGENT_EXECUTIONS, WORKFLOW_EXECUTIONS, THREAD_MESSAGES], period: $p) {
        name value
      }
      workflows(first: 3) { totalCount nodes { name createdBy { username } } }
      threads(first: 3) { totalCount nodes { title messages(first: 2) { totalCount } } }
    }
  }
}
"""


async def test_fifty_workspaces_cost_the_same_as_one(gql, athena, factory, build, sql_counter):
    owner = athena.owner
    for i in range(49):
        ws = await factory.workspace(owner, name=f"Z{i:02d}", created_at=utc(2026, 1, 1, 9))
        agent = await factory.agent(owner, kind="athena", workspace_id=ws.id)
        flow = await build.workflow(ws, owner)
        thread = await build.thread(ws, owner, "t", agent, utc(2026, 3, 5, 9))
        build.ev(ws.org_id, "execution", "agent", agent.id, utc(2026, 3, 4, 9), owner.id, 10)
        build.ev(ws.org_id, "execution", "workflow", flow.id, utc(2026, 3, 4, 9), owner.id, 20,
                 {"status": "succeeded"})  # fmt: skip
        build.ev(ws.org_id, "message", "thread", thread.id, utc(2026, 3, 5, 9), owner.id)
    await build.flush_events()
    token = athena.tokens["owner"]

    sql_counter.reset()
    one = data(await gql(token, Q, first=1, p=MARCH))["workspaces"]
    count_one = sql_counter.count

    sql_counter.reset()
    many = data(await gql(token, Q, first=50, p=MARCH))["workspaces"]
    count_many = sql_counter.count

    assert len(one["nodes"]) == 1 and len(many["nodes"]) == 50
    assert one["totalCount"] == many["totalCount"] == 51
    acme = one["nodes"][0]  # "Acme Ops" sorts first
    assert acme["uuid"] == athena.ws.uuid
    assert acme["created"]["total"] == 2 and acme["runs"]["total"] == 3000
    assert acme["daily"]["total"] == 6 and len(acme["daily"]["results"]) == 31
    assert acme["executionCounts"]["total"] == 5
    assert many["nodes"][0] == acme
    z = many["nodes"][-1]
    assert z["runs"]["total"] == 20 and z["messages"]["total"] == 1
    assert z["threads"]["nodes"][0]["messages"]["totalCount"] == 0
    # measured: 14 statements for 1 and for 50 (auth 2, workspaces 1, lists 4, users 1,
    # running executions 1, metric engine 5)
    assert count_many == count_one, (count_one, count_many)


LEADERBOARD = """
query($uuid: String!, $p: PeriodInput, $legacy: WorkspacePeriod) {
  workspace(uuid: $uuid) {
    name
    agentLeaderboard(dateRange: $p, period: $legacy) { entries { name executions uniqueUsers } }
  }
}
"""


async def test_a_workspace_and_its_leaderboard_are_one_statement(gql, athena, sql_counter):
    """The lookup reads the leaderboard's agents and values with the workspace (the
    field's period does not depend on the workspace); all time (which starts at the
    workspace's creation) reads them after it."""
    token = athena.tokens["owner"]
    sql_counter.reset()
    data(await gql(token, "{ __typename }"))
    auth = sql_counter.count

    sql_counter.reset()
    got = data(await gql(token, LEADERBOARD, uuid=athena.ws.uuid, p=MARCH))["workspace"]
    assert sql_counter.count == auth + 1, sql_counter.statements
    entries = got["agentLeaderboard"]["entries"]
    assert [(e["name"], e["executions"], e["uniqueUsers"]) for e in entries] == [
        ("Alpha", 4, 3),
        ("Beta", 2, 1),
        ("Gamma", 0, 0),
    ]

    sql_counter.reset()
    every = data(await gql(token, LEADERBOARD, uuid=athena.ws.uuid, legacy="ALL"))["workspace"]
    assert sql_counter.count == auth + 2
    assert [e["name"] for e in every["agentLeaderboard"]["entries"]] == ["Alpha", "Beta", "Gamma"]


async def test_the_leaderboard_read_ahead_keeps_the_access_rules(gql, athena):
    q, ws = LEADERBOARD, athena.ws.uuid
    body = await gql(athena.tokens["mark"], q, uuid=ws, p=MARCH)  # member
    assert error(body)["extensions"]["code"] == "FORBIDDEN"
    assert body["data"]["workspace"] == {"name": athena.ws.name, "agentLeaderboard": None}
    body = await gql(athena.tokens["xavier"], q, uuid=ws, p=MARCH)  # same org, not a member
    assert error(body)["message"] == "This action is unauthorized."
    assert body["data"]["workspace"] is None
    body = await gql(athena.tokens["zed"], q, uuid=ws, p=MARCH)  # another org
    assert error(body)["message"] == "Workspace not found."
    assert body["data"]["workspace"] is None
