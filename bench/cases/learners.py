"""`learner_overview`: the org-wide ibl.ai overview as `org_admin` — messages, topics,
conversations and active users against the previous 30 days, sessions per day, the top
10 topics and the weekday × hour heatmap.

Floor: two statements — one pass over the mentors' hourly rollups of both periods with
GROUPING SETS (per topic, per day, per weekday × hour), and the distinct senders of each
period from `rollup_daily_actor`."""

from __future__ import annotations

from datetime import datetime, timedelta

from bench.cases import Case
from bench.env import BenchEnv
from gateway.metrics.engine import change

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
SELECT GROUPING(topic, day, dow, hour) AS g, cur, type, topic, day, dow, hour,
       sum(n)::bigint AS n
FROM (
    SELECT r.type, r.n, r.dims ->> 'topic' AS topic, r.bucket >= $3 AS cur,
           (r.bucket AT TIME ZONE 'UTC')::date AS day,
           extract(isodow FROM r.bucket AT TIME ZONE 'UTC')::int AS dow,
           extract(hour FROM r.bucket AT TIME ZONE 'UTC')::int AS hour
    FROM rollup_hourly r
    WHERE r.org_id = $1 AND r.subject_type = 'agent'
      AND r.subject_id IN (SELECT id FROM agents WHERE org_id = $1 AND kind = 'mentor')
      AND r.type IN ('message', 'session') AND r.bucket >= $2 AND r.bucket < $4
) s
GROUP BY GROUPING SETS ((cur, type, topic), (cur, type, day), (cur, type, dow, hour))
"""
BY_TOPIC, BY_DAY, BY_CELL = 0b0111, 0b1011, 0b1100

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
    p0 = env.t0 - timedelta(days=days)
    rows = await env.floor.fetch(ROLLUP_SQL, env.org_id, p0, env.t0, env.t1)
    users = await env.floor.fetchrow(
        USERS_SQL, env.org_id, env.start - timedelta(days=days), env.start, env.end
    )
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


CASE = Case(
    name="learner_overview",
    principal="org_admin",
    query=QUERY,
    variables=variables,
    extract=extract,
    floor=floor,
)
