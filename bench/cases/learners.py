"""`learner_overview`: the org-wide ibl.ai overview as `org_admin` — messages, topics,
conversations and active users against the previous 30 days, sessions per day, the top
10 topics and the weekday × hour heatmap.

Floor: two statements — the mentors' daily rollups of both periods with GROUPING SETS
(per topic, per day) beside the hours of the current period per weekday × hour (the only
hour-of-day question: the daily rows' hour columns summed per day, then one row per
hour), and the distinct senders of each period from `rollup_daily_actor`.

PostGraphile: `groupedAggregates` over the mentors' daily rollups of both periods (per
type and dims, per type and day), over their hourly message rollups of the current
period per hour (the view `rollup_hourly` of the daily rows' hour columns, filtered by
`day` too, the column its index has; the client folds dims into topics and hours into
the weekday × hour heatmap) and the distinct actors of each period from
`rollup_daily_actor`. Every number is compared."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bench.cases import Case, PeerQuery
from bench.env import BenchEnv
from gateway.metrics.engine import change
from gateway.models.events import HOURS, hour_columns, hour_days

TOPICS = 10

QUERY = """
query LearnerOverview($period: PeriodInput!, $topics: Int!) {
  learnerAnalytics(period: $period) {
    messages { current previous change changePercent direction }
    topics { current previous change changePercent direction }
    conversations { current previous change changePercent direction }
    activeUsers { current previous change changePercent direction }
    sessionsOverTime(granularity: DAY) { buckets values }
    topicDetails(orderBy: MESSAGES, limit: $topics) { topic messages sessions }
    accessHeatmap { matrix total }
  }
}
"""

ROLLUP_SQL = """
WITH mentors AS (SELECT id FROM agents WHERE org_id = $1 AND kind = 'mentor')
SELECT GROUPING(topic, day) AS g, cur, type, topic, day, NULL::int AS dow, NULL::int AS hour,
       sum(n)::bigint AS n
FROM (
    SELECT r.type, r.n, r.dims ->> 'topic' AS topic, r.day >= $3 AS cur, r.day
    FROM rollup_daily r
    WHERE r.org_id = $1 AND r.subject_type = 'agent' AND r.subject_id IN (SELECT id FROM mentors)
      AND r.type IN ('message', 'session') AND r.day >= $2 AND r.day <= $4
) d
GROUP BY GROUPING SETS ((cur, type, topic), (cur, type, day))
UNION ALL
SELECT 12, true, 'message', NULL, NULL, extract(isodow FROM h.day)::int, u.hour,
       sum(u.n)::bigint
FROM (
    SELECT day, {sums} FROM rollup_daily
    WHERE org_id = $1 AND type = 'message' AND subject_type = 'agent'
      AND subject_id IN (SELECT id FROM mentors) AND day >= $7 AND day <= $8
    GROUP BY day
) h CROSS JOIN LATERAL (VALUES {hours}) AS u(hour, n)
WHERE u.n IS NOT NULL AND (h.day + make_interval(hours => u.hour)) AT TIME ZONE 'UTC' >= $5
  AND (h.day + make_interval(hours => u.hour)) AT TIME ZONE 'UTC' < $6
GROUP BY 6, 7
""".format(
    sums=", ".join(f"sum({hour_columns(h)[0]}) AS {hour_columns(h)[0]}" for h in HOURS),
    hours=", ".join(f"({h}, {hour_columns(h)[0]})" for h in HOURS),
)
BY_TOPIC, BY_DAY, BY_CELL = 0b01, 0b10, 12

USERS_SQL = """
SELECT count(DISTINCT actor_id) FILTER (WHERE day >= $3) AS cur,
       count(DISTINCT actor_id) FILTER (WHERE day < $3) AS prev
FROM rollup_daily_actor
WHERE org_id = $1 AND subject_type = 'agent' AND type = 'message'
  AND subject_id IN (SELECT id FROM agents WHERE org_id = $1 AND kind = 'mentor')
  AND day >= $2 AND day <= $4
"""

CHANGE = ("current", "previous", "change", "changePercent", "direction")


def variables(env: BenchEnv) -> dict:
    return {"period": env.period(), "topics": TOPICS}


def extract(data: dict) -> dict:
    a = data["learnerAnalytics"]
    s = a["sessionsOverTime"]
    return {
        **{k: [a[k][f] for f in CHANGE] for k in ("messages", "topics", "conversations")},
        "activeUsers": [a["activeUsers"][f] for f in CHANGE],
        "sessions": ([datetime.fromisoformat(b) for b in s["buckets"]], s["values"]),
        "topicDetails": [[t["topic"], t["messages"], t["sessions"]] for t in a["topicDetails"]],
        "heatmap": (a["accessHeatmap"]["matrix"], a["accessHeatmap"]["total"]),
    }


def _change(cur, prev) -> list:
    c = change(cur, prev)
    return [c.current, c.previous, c.change, c.change_percent, c.direction.upper()]


async def floor(env: BenchEnv) -> dict:
    days = len(env.day_starts())
    d0 = env.start - timedelta(days=days)
    h0, h1 = hour_days(env.t0, env.t1)
    rows = await env.floor.fetch(
        ROLLUP_SQL, env.org_id, d0, env.start, env.end, env.t0, env.t1, h0, h1
    )
    users = await env.floor.fetchrow(USERS_SQL, env.org_id, d0, env.start, env.end)
    totals = {(c, t): 0 for c in (True, False) for t in ("message", "session")}
    topics = {True: 0, False: 0}
    per_topic: dict[str | None, list[int]] = {}
    day_index = {d.date(): i for i, d in enumerate(env.day_starts())}
    sessions = [0] * days
    matrix = [[0] * 24 for _ in range(7)]
    for g, cur, type_, topic, day, dow, hour, n in rows:
        if g == BY_TOPIC:
            totals[cur, type_] += n
            if type_ == "message" and topic:
                topics[cur] += 1
            if cur:
                per_topic.setdefault(topic, [0, 0])[type_ == "session"] += n
        elif g == BY_DAY and cur and type_ == "session":
            sessions[day_index[day]] += n
        elif g == BY_CELL and cur and type_ == "message":
            matrix[dow - 1][hour] += n
    ranked = sorted(per_topic.items(), key=lambda kv: (-kv[1][0], kv[0] is None, kv[0] or ""))
    return {
        "messages": _change(totals[True, "message"], totals[False, "message"]),
        "topics": _change(topics[True], topics[False]),
        "conversations": _change(totals[True, "session"], totals[False, "session"]),
        "activeUsers": _change(users["cur"], users["prev"]),
        "sessions": (env.day_starts(), sessions),
        "topicDetails": [[t, m, s] for t, (m, s) in ranked[:TOPICS]],
        "heatmap": (matrix, sum(map(sum, matrix))),
    }


PEER_QUERY = """
query LearnerOverview($org: BigInt!, $ids: [BigInt!]!, $t0: Datetime!, $t1: Datetime!,
                      $h0: Date!, $h1: Date!, $d0: Date!, $d1: Date!, $d2: Date!) {
  current: allRollupDailies(filter: {
    orgId: {equalTo: $org}, subjectType: {equalTo: "agent"}, type: {in: ["message", "session"]},
    subjectId: {in: $ids}, day: {greaterThanOrEqualTo: $d1, lessThanOrEqualTo: $d2}
  }) {
    byDims: groupedAggregates(groupBy: [TYPE, DIMS]) { keys sum { n } }
    byDay: groupedAggregates(groupBy: [TYPE, DAY]) { keys sum { n } }
  }
  previous: allRollupDailies(filter: {
    orgId: {equalTo: $org}, subjectType: {equalTo: "agent"}, type: {in: ["message", "session"]},
    subjectId: {in: $ids}, day: {greaterThanOrEqualTo: $d0, lessThan: $d1}
  }) { byDims: groupedAggregates(groupBy: [TYPE, DIMS]) { keys sum { n } } }
  hours: allRollupHourlies(filter: {
    orgId: {equalTo: $org}, type: {equalTo: "message"}, subjectType: {equalTo: "agent"},
    subjectId: {in: $ids}, bucket: {greaterThanOrEqualTo: $t0, lessThan: $t1},
    day: {greaterThanOrEqualTo: $h0, lessThanOrEqualTo: $h1}
  }) { groupedAggregates(groupBy: [BUCKET_TRUNCATED_TO_HOUR]) { keys sum { n } } }
  usersCurrent: allRollupDailyActors(filter: {
    orgId: {equalTo: $org}, type: {equalTo: "message"}, subjectType: {equalTo: "agent"},
    subjectId: {in: $ids}, day: {greaterThanOrEqualTo: $d1, lessThanOrEqualTo: $d2}
  }) { aggregates { distinctCount { actorId } } }
  usersPrevious: allRollupDailyActors(filter: {
    orgId: {equalTo: $org}, type: {equalTo: "message"}, subjectType: {equalTo: "agent"},
    subjectId: {in: $ids}, day: {greaterThanOrEqualTo: $d0, lessThan: $d1}
  }) { aggregates { distinctCount { actorId } } }
}
"""


async def peer_variables(env: BenchEnv) -> dict:
    ids = await env.floor.conn.fetch(
        "SELECT id FROM agents WHERE org_id = $1 AND kind = 'mentor'", env.org_id
    )
    days = len(env.day_starts())
    h0, h1 = hour_days(env.t0, env.t1)
    return {
        "org": str(env.org_id),
        "ids": [str(r[0]) for r in ids],
        "t0": env.t0.isoformat(),
        "t1": env.t1.isoformat(),
        "h0": h0.isoformat(),
        "h1": h1.isoformat(),
        "d0": (env.start - timedelta(days=days)).isoformat(),
        "d1": env.start.isoformat(),
        "d2": env.end.isoformat(),
    }


def _by_topic(groups: list[dict]) -> dict[tuple[str, str | None], int]:
    out: dict[tuple[str, str | None], int] = {}
    for g in groups:
        type_, dims = g["keys"]
        key = (type_, json.loads(dims).get("topic"))
        out[key] = out.get(key, 0) + int(g["sum"]["n"])
    return out


def peer_extract(data: dict, env: BenchEnv) -> dict:
    cur, prev = _by_topic(data["current"]["byDims"]), _by_topic(data["previous"]["byDims"])

    def total(groups, type_):
        return sum(n for (t, _), n in groups.items() if t == type_)

    def topics(groups):
        return sum(1 for (t, topic), _ in groups.items() if t == "message" and topic)

    per_topic: dict[str | None, list[int]] = {}
    for (type_, topic), n in cur.items():
        per_topic.setdefault(topic, [0, 0])[type_ == "session"] += n
    ranked = sorted(per_topic.items(), key=lambda kv: (-kv[1][0], kv[0] is None, kv[0] or ""))
    day_index = {d.date().isoformat(): i for i, d in enumerate(env.day_starts())}
    sessions = [0] * len(day_index)
    for g in data["current"]["byDay"]:
        type_, day = g["keys"]
        if type_ == "session":
            sessions[day_index[day]] += int(g["sum"]["n"])
    matrix = [[0] * 24 for _ in range(7)]
    for g in data["hours"]["groupedAggregates"]:
        h = datetime.fromisoformat(g["keys"][0])
        matrix[h.isoweekday() - 1][h.hour] += int(g["sum"]["n"])
    users = [
        int(data[k]["aggregates"]["distinctCount"]["actorId"] or 0)
        for k in ("usersCurrent", "usersPrevious")
    ]
    return {
        "messages": _change(total(cur, "message"), total(prev, "message")),
        "topics": _change(topics(cur), topics(prev)),
        "conversations": _change(total(cur, "session"), total(prev, "session")),
        "activeUsers": _change(*users),
        "sessions": (env.day_starts(), sessions),
        "topicDetails": [[t, m, s] for t, (m, s) in ranked[:TOPICS]],
        "heatmap": (matrix, sum(map(sum, matrix))),
    }


CASE = Case(
    name="learner_overview",
    principal="org_admin",
    query=QUERY,
    variables=variables,
    extract=extract,
    floor=floor,
    peer=PeerQuery(PEER_QUERY, peer_variables, peer_extract),
)
