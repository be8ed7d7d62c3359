"""`publications_50`: 50 publications × 6 metrics over 30 days + each one's daily views
(compact series), as `bench.analyst` (co-creator of the first 50 publications).

Floor: one statement over `rollup_daily` (the window is whole UTC days) — totals per
(publication, type), with views also per day.

PostGraphile: the user's co-created publications through the foreign keys, and two
`groupedAggregates` over `rollup_daily` filtered to those publications and the window:
sums per (publication, type) and the views per (publication, day). Every number is
compared."""

from __future__ import annotations

from datetime import datetime

from bench.cases import Case, PeerQuery
from bench.env import BENCH_PRINCIPAL, BENCH_USER, PUBLICATIONS, BenchEnv

METRICS = {
    "VIEWS": "view",
    "LIKES": "like",
    "BOOKMARKS": "bookmark",
    "SHARES": "share",
    "COMMENTS": "comment",
    "PLAYS": "play",
}

QUERY = """
query Publications50($period: PeriodInput!, $first: Int!) {
  publications(first: $first, filter: {viewerRoles: [CO_CREATOR]}) {
    nodes {
      customUrl
      metrics(names: [VIEWS, LIKES, BOOKMARKS, SHARES, COMMENTS, PLAYS], period: $period) {
        name
        value
      }
      series(metric: VIEWS, granularity: DAY, period: $period) { buckets values }
    }
  }
}
"""

FLOOR_SQL = """
SELECT p.custom_url, r.type,
       CASE WHEN r.type = 'view' THEN r.day END AS day,
       sum(r.n)::bigint AS n
FROM publication_cocreators c
JOIN users u ON u.org_id = c.org_id AND u.id = c.user_id
JOIN publications p ON p.org_id = c.org_id AND p.id = c.publication_id
LEFT JOIN rollup_daily r
       ON r.org_id = c.org_id AND r.subject_type = 'publication' AND r.subject_id = p.id
      AND r.type = ANY($3::text[]) AND r.day >= $4 AND r.day <= $5
WHERE c.org_id = $1 AND u.username = $2
GROUP BY 1, 2, 3
"""


def variables(env: BenchEnv) -> dict:
    return {"period": env.period(), "first": PUBLICATIONS}


def extract(data: dict) -> dict:
    out = {}
    for node in data["publications"]["nodes"]:
        s = node["series"]
        out[node["customUrl"]] = {
            "metrics": [m["value"] for m in node["metrics"]],
            "buckets": [datetime.fromisoformat(b) for b in s["buckets"]],
            "views": s["values"],
        }
    return out


async def floor(env: BenchEnv) -> dict:
    days = env.day_starts()
    index = {d.date(): i for i, d in enumerate(days)}
    rows = await env.floor.fetch(
        FLOOR_SQL, env.org_id, BENCH_USER, list(METRICS.values()), env.start, env.end
    )
    by_type = {t: m for m, t in METRICS.items()}
    out: dict[str, dict] = {}
    for url, type_, day, n in rows:
        o = out.get(url)
        if o is None:
            o = out[url] = {
                "metrics": dict.fromkeys(METRICS, 0),
                "buckets": days,
                "views": [0] * len(days),
            }
        if type_ is None:  # a publication without events in the window
            continue
        o["metrics"][by_type[type_]] += n
        if day is not None:
            o["views"][index[day]] += n
    for o in out.values():
        o["metrics"] = list(o["metrics"].values())  # in the order asked
    return out


PEER_QUERY = """
query Publications50($org: BigInt!, $user: BigInt!, $ids: [BigInt!]!, $types: [String!]!,
                     $d0: Date!, $d1: Date!) {
  userByOrgIdAndId(orgId: $org, id: $user) {
    publicationCocreatorsByOrgIdAndUserIdList {
      publicationByOrgIdAndPublicationId { id customUrl }
    }
  }
  totals: allRollupDailies(filter: {
    orgId: {equalTo: $org}, subjectType: {equalTo: "publication"}, type: {in: $types},
    subjectId: {in: $ids}, day: {greaterThanOrEqualTo: $d0, lessThanOrEqualTo: $d1}
  }) { groupedAggregates(groupBy: [SUBJECT_ID, TYPE]) { keys sum { n } } }
  views: allRollupDailies(filter: {
    orgId: {equalTo: $org}, subjectType: {equalTo: "publication"}, type: {equalTo: "view"},
    subjectId: {in: $ids}, day: {greaterThanOrEqualTo: $d0, lessThanOrEqualTo: $d1}
  }) { groupedAggregates(groupBy: [SUBJECT_ID, DAY]) { keys sum { n } } }
}
"""


async def peer_variables(env: BenchEnv) -> dict:
    user = await env.floor.conn.fetchval(
        "SELECT id FROM users WHERE org_id = $1 AND username = $2", env.org_id, BENCH_USER
    )
    ids = await env.floor.conn.fetch(
        "SELECT publication_id FROM publication_cocreators WHERE org_id = $1 AND user_id = $2",
        env.org_id,
        user,
    )
    return {
        "org": str(env.org_id),
        "user": str(user),
        "ids": [str(r[0]) for r in ids],
        "types": list(METRICS.values()),
        "d0": env.start.isoformat(),
        "d1": env.end.isoformat(),
    }


def peer_extract(data: dict, env: BenchEnv) -> dict:
    days = env.day_starts()
    index = {d.date().isoformat(): i for i, d in enumerate(days)}
    links = data["userByOrgIdAndId"]["publicationCocreatorsByOrgIdAndUserIdList"]
    url = {}
    for link in links:
        p = link["publicationByOrgIdAndPublicationId"]
        url[p["id"]] = p["customUrl"]
    out = {
        u: {
            "metrics": dict.fromkeys(METRICS.values(), 0),
            "buckets": days,
            "views": [0] * len(days),
        }
        for u in url.values()
    }
    for g in data["totals"]["groupedAggregates"]:
        pid, type_ = g["keys"]
        out[url[pid]]["metrics"][type_] = int(g["sum"]["n"])
    for g in data["views"]["groupedAggregates"]:
        pid, day = g["keys"]
        out[url[pid]]["views"][index[day]] = int(g["sum"]["n"])
    for o in out.values():
        o["metrics"] = list(o["metrics"].values())
    return out


CASE = Case(
    name="publications_50",
    principal=BENCH_PRINCIPAL,
    query=QUERY,
    variables=variables,
    extract=extract,
    floor=floor,
    peer=PeerQuery(PEER_QUERY, peer_variables, peer_extract),
)
