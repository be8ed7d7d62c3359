"""`workspace_leaderboard`: the example workspace's agent leaderboard over 30 days (top
10 by executions, ties by agent id), as `workspace_owner`.

Floor: one statement — the workspace's agents joined to their daily rollups (executions,
durations, shares, copies) and to `rollup_daily_actor` (distinct users), ranked in SQL.

PostGraphile: the workspace's agents through the foreign key, `groupedAggregates` of
the agents' daily rollups per (agent, type) and the distinct actors per agent from
`rollup_daily_actor`; the client ranks (PostGraphile cannot order groups). Every
number is compared."""

from __future__ import annotations

from bench.cases import Case, PeerQuery
from bench.env import BenchEnv

WORKSPACE = "8360bf61-4604-4f22-99dc-2afa910fd8c7"
LIMIT = 10

QUERY = """
query Leaderboard($uuid: String!, $period: PeriodInput!, $limit: Int!) {
  workspace(uuid: $uuid) {
    agentLeaderboard(dateRange: $period, orderBy: EXECUTIONS, limit: $limit) {
      entries {
        rank agentKey name status executions avgDurationMs totalDurationMs
        shares copies uniqueUsers
      }
    }
  }
}
"""

FLOOR_SQL = """
WITH a AS (
    SELECT a.id, a.key, a.name, a.status FROM agents a
    JOIN workspaces w ON w.org_id = a.org_id AND w.id = a.workspace_id
    WHERE a.org_id = $1 AND w.uuid::text = $2
), h AS (
    SELECT subject_id,
           sum(n) FILTER (WHERE type = 'execution') AS executions,
           sum(total) FILTER (WHERE type = 'execution') AS duration,
           sum(n) FILTER (WHERE type = 'share') AS shares,
           sum(n) FILTER (WHERE type = 'copied') AS copies
    FROM rollup_daily
    WHERE org_id = $1 AND subject_type = 'agent' AND subject_id IN (SELECT id FROM a)
      AND type IN ('execution', 'share', 'copied') AND day >= $3 AND day <= $4
    GROUP BY 1
), u AS (
    SELECT subject_id, count(DISTINCT actor_id) AS users
    FROM rollup_daily_actor
    WHERE org_id = $1 AND subject_type = 'agent' AND subject_id IN (SELECT id FROM a)
      AND type = 'execution' AND day >= $3 AND day <= $4
    GROUP BY 1
)
SELECT a.key, a.name, a.status, coalesce(h.executions, 0) AS executions,
       h.duration / nullif(h.executions, 0) AS avg_ms, coalesce(h.duration, 0) AS total_ms,
       coalesce(h.shares, 0) AS shares, coalesce(h.copies, 0) AS copies,
       coalesce(u.users, 0) AS users
FROM a LEFT JOIN h ON h.subject_id = a.id LEFT JOIN u ON u.subject_id = a.id
ORDER BY 4 DESC, a.id
LIMIT $5
"""

FIELDS = [
    "agentKey",
    "name",
    "status",
    "executions",
    "avgDurationMs",
    "totalDurationMs",
    "shares",
    "copies",
    "uniqueUsers",
]


def variables(env: BenchEnv) -> dict:
    return {"uuid": WORKSPACE, "period": env.period(), "limit": LIMIT}


def extract(data: dict) -> list:
    entries = data["workspace"]["agentLeaderboard"]["entries"]
    return [[e["rank"], *(e[f] for f in FIELDS)] for e in entries]


async def floor(env: BenchEnv) -> list:
    rows = await env.floor.fetch(FLOOR_SQL, env.org_id, WORKSPACE, env.start, env.end, LIMIT)
    return [[i + 1, *r.values()] for i, r in enumerate(rows)]


PEER_QUERY = """
query Leaderboard($org: BigInt!, $uuid: String!, $ids: [BigInt!]!, $d0: Date!,
                  $d1: Date!) {
  workspaceByOrgIdAndUuid(orgId: $org, uuid: $uuid) {
    agentsByOrgIdAndWorkspaceIdList { id key name status }
  }
  rollups: allRollupDailies(filter: {
    orgId: {equalTo: $org}, subjectType: {equalTo: "agent"},
    type: {in: ["execution", "share", "copied"]}, subjectId: {in: $ids},
    day: {greaterThanOrEqualTo: $d0, lessThanOrEqualTo: $d1}
  }) { groupedAggregates(groupBy: [SUBJECT_ID, TYPE]) { keys sum { n total } } }
  users: allRollupDailyActors(filter: {
    orgId: {equalTo: $org}, type: {equalTo: "execution"}, subjectType: {equalTo: "agent"},
    subjectId: {in: $ids}, day: {greaterThanOrEqualTo: $d0, lessThanOrEqualTo: $d1}
  }) { groupedAggregates(groupBy: [SUBJECT_ID]) { keys distinctCount { actorId } } }
}
"""


async def peer_variables(env: BenchEnv) -> dict:
    ids = await env.floor.conn.fetch(
        "SELECT a.id FROM agents a JOIN workspaces w ON w.org_id = a.org_id"
        " AND w.id = a.workspace_id WHERE a.org_id = $1 AND w.uuid::text = $2",
        env.org_id,
        WORKSPACE,
    )
    return {
        "org": str(env.org_id),
        "uuid": WORKSPACE,
        "ids": [str(r[0]) for r in ids],
        "d0": env.start.isoformat(),
        "d1": env.end.isoformat(),
    }


def peer_extract(data: dict, env: BenchEnv) -> list:
    agents = data["workspaceByOrgIdAndUuid"]["agentsByOrgIdAndWorkspaceIdList"]
    sums: dict[tuple[str, str], dict] = {}
    for g in data["rollups"]["groupedAggregates"]:
        sums[tuple(g["keys"])] = g["sum"]
    users = {
        g["keys"][0]: int(g["distinctCount"]["actorId"]) for g in data["users"]["groupedAggregates"]
    }
    rows = []
    for a in agents:
        ex = sums.get((a["id"], "execution"), {"n": 0, "total": None})
        n = int(ex["n"])
        rows.append(
            [
                int(a["id"]),
                a["key"],
                a["name"],
                a["status"],
                n,
                ex["total"] / n if n else None,
                ex["total"] or 0,
                int(sums.get((a["id"], "share"), {"n": 0})["n"]),
                int(sums.get((a["id"], "copied"), {"n": 0})["n"]),
                users.get(a["id"], 0),
            ]
        )
    rows.sort(key=lambda r: (-r[4], r[0]))
    return [[i + 1, *r[1:]] for i, r in enumerate(rows[:LIMIT])]


CASE = Case(
    name="workspace_leaderboard",
    principal="workspace_owner",
    query=QUERY,
    variables=variables,
    extract=extract,
    floor=floor,
    peer=PeerQuery(PEER_QUERY, peer_variables, peer_extract),
)
