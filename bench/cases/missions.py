"""`mission_dashboard`: one mission (`msn_2xK9mPqR4vN8sT3w`) over 30 days — summary, KPI
progress (over the mission's own range), content performance by pillar and by type,
optimization insights and the daily content series — as `org_admin`.

Floor: three statements — the mission with its KPIs and scheduled count; per-content sums
and per-day sums of the window in one GROUPING SETS pass over `rollup_daily` (the window
is whole UTC days); the KPI atoms over the mission range and its recent half (daily
rollups for whole days, hourly rollups for whole hours, raw events for the partial hours
at the edges). The derived values
(groups, best day/time, insights, projections) reuse the pure functions of
`gateway.missions.service`, so the floor measures data access, not a re-derivation.

PostGraphile: the mission with its KPIs and content through the foreign keys, and two
`groupedAggregates` over the content's daily rollups of the window (per content and
type, per day and type); the same pure functions derive groups, best day/time and
insights from them. Compared: summary, content performance, insights and the daily
series. Not compared: KPI progress and mission progress (they need the mission's own
range to the minute, with raw events for the partial hours, which PostGraphile's
aggregates cannot express without a custom function)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from bench.cases import Case, PeerQuery
from bench.env import BenchEnv
from gateway.metrics.catalog import CATALOG
from gateway.missions import service
from gateway.missions.loaders import ContentStat

MISSION = "msn_2xK9mPqR4vN8sT3w"
UTC_ZONE = ZoneInfo("UTC")

GROUP = "key posts contentItems impressions engagements clicks engagementRate"
GROUP_FIELDS = (GROUP + " avgImpressionsPerPost").split()
SUMMARY_FIELDS = [
    "postsPublished",
    "postsScheduled",
    "totalImpressions",
    "totalEngagements",
    "engagementRate",
    "linkClicks",
    "bestPerformingDay",
    "bestPerformingTime",
]
KPI_FIELDS = ["metric", "target", "current", "progressPercent", "status", "projectedFinal"]
SERIES_FIELDS = ["impressions", "engagements", "posts", "clicks", "engagementRate"]

QUERY = f"""
query MissionDashboard($key: String!, $period: PeriodInput!) {{
  mission(key: $key) {{
    analytics(period: $period) {{
      progressPercent
      summary {{ {" ".join(SUMMARY_FIELDS)} }}
      kpiProgress {{ {" ".join(KPI_FIELDS)} }}
      contentPerformance {{
        byPillar {{ {" ".join(GROUP_FIELDS)} }}
        byType {{ {" ".join(GROUP_FIELDS)} }}
      }}
      optimizationInsights {{ type insight confidence }}
      timeSeries(granularity: DAY) {{ buckets {" ".join(SERIES_FIELDS)} }}
    }}
  }}
}}
"""

MISSION_SQL = """
SELECT m.id, m.start_date, m.end_date,
       (SELECT coalesce(json_agg(json_build_array(k.metric, k.target) ORDER BY k.metric), '[]')
        FROM mission_kpis k WHERE k.org_id = m.org_id AND k.mission_id = m.id) AS kpis,
       (SELECT count(*) FROM content c WHERE c.org_id = m.org_id AND c.mission_id = m.id
          AND c.status = 'scheduled') AS scheduled
FROM missions m WHERE m.org_id = $1 AND m.key = $2
"""

CONTENT_SQL = """
SELECT GROUPING(c.id, day) AS g, c.id, c.type, c.pillar, c.platform, c.published_at, day,
       coalesce(sum(n) FILTER (WHERE r.type = 'publish'), 0)::bigint AS posts,
       coalesce(sum(total) FILTER (WHERE r.type = 'impression'), 0) AS impressions,
       coalesce(sum(total) FILTER (WHERE r.type = 'engagement'), 0) AS engagements,
       coalesce(sum(total) FILTER (WHERE r.type = 'click'), 0) AS clicks
FROM content c
JOIN LATERAL (
    SELECT type, n, total, day FROM rollup_daily
    WHERE org_id = c.org_id AND subject_type = 'content' AND subject_id = c.id
      AND type IN ('publish', 'impression', 'engagement', 'click')
      AND day >= $3 AND day <= $4
) r ON true
WHERE c.org_id = $1 AND c.mission_id = $2
GROUP BY GROUPING SETS ((c.id, c.type, c.pillar, c.platform, c.published_at), (day))
"""

# Atoms of the KPI metrics per segment: whole UTC days [da, db) from rollup_daily, whole
# hours [ha, hb) from the view rollup_hourly (bounded by day too, its index column), the
# partial hours at the edges [a, b) from raw events (the pieces are computed in Python).
KPI_SQL = """
WITH subj AS (
    SELECT 'content'::text AS st, id FROM content WHERE org_id = $1 AND mission_id = $2
    UNION ALL SELECT 'mission', $2
), rows AS (
    SELECT d.s, r.type, r.n, r.total
    FROM unnest($3::int[], $4::date[], $5::date[]) d(s, da, db)
    CROSS JOIN subj
    CROSS JOIN LATERAL (
        SELECT r.type, r.n, r.total FROM rollup_daily r
        WHERE r.org_id = $1 AND r.subject_type = subj.st AND r.subject_id = subj.id
          AND r.type = ANY($12::text[]) AND r.day >= d.da AND r.day < d.db
    ) r
    UNION ALL
    SELECT h.s, r.type, r.n, r.total
    FROM unnest($6::int[], $7::timestamptz[], $8::timestamptz[]) h(s, ha, hb)
    CROSS JOIN LATERAL (
        SELECT r.type, r.n, r.total FROM rollup_hourly r
        JOIN subj ON subj.st = r.subject_type AND subj.id = r.subject_id
        WHERE r.org_id = $1 AND r.type = ANY($12::text[])
          AND r.bucket >= h.ha AND r.bucket < h.hb
          AND r.day >= (h.ha AT TIME ZONE 'UTC')::date
          AND r.day <= ((h.hb - interval '1 microsecond') AT TIME ZONE 'UTC')::date
    ) r
    UNION ALL
    SELECT e.s, ev.type, 1, ev.value
    FROM unnest($9::int[], $10::timestamptz[], $11::timestamptz[]) e(s, a, b)
    CROSS JOIN LATERAL (
        SELECT ev.type, ev.value FROM events ev
        JOIN subj ON subj.st = ev.subject_type AND subj.id = ev.subject_id
        WHERE ev.org_id = $1 AND ev.subject_type IN ('content', 'mission')
          AND ev.type = ANY($12::text[]) AND ev.ts >= e.a AND ev.ts < e.b
    ) ev
)
SELECT s, type, sum(n)::bigint AS n, sum(total) AS total FROM rows GROUP BY 1, 2
"""
KPI_TYPES = ["publish", "impression", "engagement", "click", "follower_gain"]
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def _split(segs: list[tuple[int, datetime, datetime]]) -> tuple[list, list, list]:
    """Whole UTC days, whole-hour remainders and partial-hour edges of each segment."""
    days, rest = [], []
    for s, a, b in segs:
        fa = datetime.combine(a.date(), time(), UTC)
        da = fa if fa == a else fa + DAY
        db = datetime.combine(b.date(), time(), UTC)
        if da >= db:
            rest.append((s, a, b))
            continue
        days.append((s, da.date(), db.date()))
        if a < da:
            rest.append((s, a, da))
        if db < b:
            rest.append((s, db, b))
    hours, edges = [], []
    for s, a, b in rest:
        fa = a.replace(minute=0, second=0, microsecond=0)
        ha = fa if fa == a else fa + HOUR
        hb = b.replace(minute=0, second=0, microsecond=0)
        if ha >= hb:
            edges.append((s, a, b))
            continue
        hours.append((s, ha, hb))
        if a < ha:
            edges.append((s, a, ha))
        if hb < b:
            edges.append((s, hb, b))
    return days, hours, edges


def _columns(rows: list[tuple]) -> list[list]:
    return [list(c) for c in zip(*rows, strict=True)] if rows else [[], [], []]


def variables(env: BenchEnv) -> dict:
    return {"key": MISSION, "period": env.period()}


def extract(data: dict) -> dict:
    a = data["mission"]["analytics"]
    cp = a["contentPerformance"]
    ts = a["timeSeries"]
    return {
        "progressPercent": a["progressPercent"],
        "summary": [a["summary"][f] for f in SUMMARY_FIELDS],
        "kpis": [[k[f] for f in KPI_FIELDS] for k in a["kpiProgress"]],
        "byPillar": [[g[f] for f in GROUP_FIELDS] for g in cp["byPillar"]],
        "byType": [[g[f] for f in GROUP_FIELDS] for g in cp["byType"]],
        "insights": [[i["type"], i["insight"], i["confidence"]] for i in a["optimizationInsights"]],
        "buckets": [datetime.fromisoformat(b) for b in ts["buckets"]],
        "series": [ts[f] for f in SERIES_FIELDS],
    }


def _group_rows(groups) -> list[list]:
    return [
        [
            None if g.key is None else str(g.key),
            g.posts,
            g.items,
            g.impressions,
            g.engagements,
            g.clicks,
            g.engagement_rate,
            g.avg_impressions,
        ]
        for g in groups
    ]


def _metric_value(name: str, atoms: dict[str, tuple[int, float]]):
    m = CATALOG[name]
    if m.aggregation == "ratio":
        num = _metric_value(m.numerator, atoms)
        den = _metric_value(m.denominator, atoms)
        return m.offset + m.scale * num / den if den else None
    n, total = atoms.get(m.event_types[0], (0, 0.0))
    return n if m.aggregation == "count" else total * m.scale


async def floor(env: BenchEnv) -> dict:
    now = datetime.now(UTC)
    m = await env.floor.fetchrow(MISSION_SQL, env.org_id, MISSION)
    mid = m["id"]
    rows = await env.floor.fetch(CONTENT_SQL, env.org_id, mid, env.start, env.end)
    ms = datetime.combine(m["start_date"], time(), UTC)
    me = datetime.combine(m["end_date"] + timedelta(days=1), time(), UTC)
    share = service.elapsed_share(ms, me, now)
    segs = [(0, ms, me)]
    if 0 < share < 1:
        segs.append((1, ms + (now - ms) / 2, now))
    days_, hours, edges = _split(segs)
    kpi_rows = await env.floor.fetch(
        KPI_SQL, env.org_id, mid, *_columns(days_), *_columns(hours), *_columns(edges), KPI_TYPES
    )
    atoms: dict[int, dict[str, tuple[int, float]]] = {0: {}, 1: {}}
    for s, type_, n, total in kpi_rows:
        atoms[s][type_] = (n, total)

    stats, days = [], {d.date(): i for i, d in enumerate(env.day_starts())}
    series = [[0.0] * len(days), [0.0] * len(days), [0] * len(days), [0.0] * len(days)]
    for r in rows:
        if r["g"] == 0b01:  # per content
            content = SimpleNamespace(
                id=r["id"],
                type=r["type"],
                pillar=r["pillar"],
                platform=r["platform"],
                published_at=r["published_at"],
            )
            stats.append(
                ContentStat(content, r["posts"], r["impressions"], r["engagements"], r["clicks"])
            )
        else:
            i = days[r["day"]]
            series[0][i], series[1][i] = r["impressions"], r["engagements"]
            series[2][i], series[3][i] = r["posts"], r["clicks"]
    stats.sort(key=lambda s: s.content.id)
    total = service.total(stats)
    summary = [
        total.posts,
        m["scheduled"],
        total.impressions,
        total.engagements,
        total.engagement_rate,
        total.clicks,
        service.best_day(stats, UTC_ZONE),
        service.best_time(stats, UTC_ZONE),
    ]
    kpis = []
    for metric, target in json.loads(m["kpis"]):
        name = service.KPI_METRICS.get(metric)
        if name is None:
            kpis.append([metric, target, None, None, None, None])
            continue
        current = _metric_value(name, atoms[0])
        if CATALOG[name].summable:
            projected = service.project_summable(current, share)
        else:
            recent = _metric_value(name, atoms[1]) if 1 in {s for s, *_ in segs} else None
            projected = service.project_rate(current, recent, share)
        status = service.kpi_status(current, target, projected)
        kpis.append(
            [
                metric,
                target,
                current,
                service.progress_percent(current, target),
                status.upper() if status else None,
                projected,
            ]
        )
    by_pillar = service.group_by(stats, lambda s: s.content.pillar)
    by_type = service.group_by(stats, lambda s: s.content.type)
    rate = [service.rate(e, i) for e, i in zip(series[1], series[0], strict=True)]
    return {
        "progressPercent": 100.0 * share,
        "summary": summary,
        "kpis": kpis,
        "byPillar": _group_rows(service.sorted_groups(by_pillar.values())),
        "byType": _group_rows(service.sorted_groups(by_type.values(), "POSTS")),
        "insights": [
            [i.type.upper(), i.insight, i.confidence]
            for i in service.optimization_insights(stats, UTC_ZONE)
        ],
        "buckets": env.day_starts(),
        "series": [*series, rate],
    }


PEER_QUERY = """
query MissionDashboard($org: BigInt!, $key: String!, $ids: [BigInt!]!, $d0: Date!,
                       $d1: Date!) {
  missionByOrgIdAndKey(orgId: $org, key: $key) {
    id startDate endDate
    missionKpisByOrgIdAndMissionIdList { metric target }
    contentsByOrgIdAndMissionIdList { id type pillar platform status publishedAt }
  }
  rollups: allRollupDailies(filter: {
    orgId: {equalTo: $org}, subjectType: {equalTo: "content"},
    type: {in: ["publish", "impression", "engagement", "click"]}, subjectId: {in: $ids},
    day: {greaterThanOrEqualTo: $d0, lessThanOrEqualTo: $d1}
  }) {
    perContent: groupedAggregates(groupBy: [SUBJECT_ID, TYPE]) { keys sum { n total } }
    perDay: groupedAggregates(groupBy: [DAY, TYPE]) { keys sum { n total } }
  }
}
"""


async def peer_variables(env: BenchEnv) -> dict:
    ids = await env.floor.conn.fetch(
        "SELECT c.id FROM content c JOIN missions m ON m.org_id = c.org_id"
        " AND m.id = c.mission_id WHERE c.org_id = $1 AND m.key = $2",
        env.org_id,
        MISSION,
    )
    return {
        "org": str(env.org_id),
        "key": MISSION,
        "ids": [str(r[0]) for r in ids],
        "d0": env.start.isoformat(),
        "d1": env.end.isoformat(),
    }


def _sums(keys_sum: dict) -> tuple[int, float]:
    return int(keys_sum["n"]), keys_sum["total"]


def peer_extract(data: dict, env: BenchEnv) -> dict:
    m = data["missionByOrgIdAndKey"]
    contents = {c["id"]: c for c in m["contentsByOrgIdAndMissionIdList"]}
    per: dict[str, dict[str, tuple[int, float]]] = {}
    for g in data["rollups"]["perContent"]:
        cid, type_ = g["keys"]
        per.setdefault(cid, {})[type_] = _sums(g["sum"])
    stats = []
    for cid, sums in per.items():
        c = contents[cid]
        published = c["publishedAt"] and datetime.fromisoformat(c["publishedAt"])
        content = SimpleNamespace(
            id=int(cid),
            type=c["type"],
            pillar=c["pillar"],
            platform=c["platform"],
            published_at=published,
        )
        stats.append(
            ContentStat(
                content,
                sums.get("publish", (0, 0.0))[0],
                sums.get("impression", (0, 0.0))[1],
                sums.get("engagement", (0, 0.0))[1],
                sums.get("click", (0, 0.0))[1],
            )
        )
    stats.sort(key=lambda s: s.content.id)
    days = {d.date().isoformat(): i for i, d in enumerate(env.day_starts())}
    series = [[0.0] * len(days), [0.0] * len(days), [0] * len(days), [0.0] * len(days)]
    slot = {"impression": 0, "engagement": 1, "publish": 2, "click": 3}
    for g in data["rollups"]["perDay"]:
        day, type_ = g["keys"]
        n, total = _sums(g["sum"])
        series[slot[type_]][days[day]] = n if type_ == "publish" else total
    scheduled = sum(1 for c in contents.values() if c["status"] == "scheduled")
    return _derived(stats, scheduled, env, series)


def _derived(stats: list, scheduled: int, env: BenchEnv, series: list) -> dict:
    """What the peer is compared on, derived by the same pure functions as the floor."""
    total = service.total(stats)
    by_pillar = service.group_by(stats, lambda s: s.content.pillar)
    by_type = service.group_by(stats, lambda s: s.content.type)
    rate = [service.rate(e, i) for e, i in zip(series[1], series[0], strict=True)]
    return {
        "summary": [
            total.posts,
            scheduled,
            total.impressions,
            total.engagements,
            total.engagement_rate,
            total.clicks,
            service.best_day(stats, UTC_ZONE),
            service.best_time(stats, UTC_ZONE),
        ],
        "byPillar": _group_rows(service.sorted_groups(by_pillar.values())),
        "byType": _group_rows(service.sorted_groups(by_type.values(), "POSTS")),
        "insights": [
            [i.type.upper(), i.insight, i.confidence]
            for i in service.optimization_insights(stats, UTC_ZONE)
        ],
        "buckets": env.day_starts(),
        "series": [*series, rate],
    }


def peer_project(numbers: dict) -> dict:
    return {k: v for k, v in numbers.items() if k not in ("progressPercent", "kpis")}


CASE = Case(
    name="mission_dashboard",
    principal="org_admin",
    query=QUERY,
    variables=variables,
    extract=extract,
    floor=floor,
    peer=PeerQuery(PEER_QUERY, peer_variables, peer_extract, peer_project),
    loose=frozenset({"progressPercent", "kpis"}),
)
