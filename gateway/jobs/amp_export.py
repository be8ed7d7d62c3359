"""AMP analytics export (`amp_export`): content, mission metrics and AI costs of the
export period, as CSV or JSON, read through persisted operations as the requester.

Sections (in this order, those named by `include`):

  content  one row per content item of the selected missions (any status), newest first:
           content_id, mission_id, platform, type, pillar, topic, status, published_at
           (ISO 8601 UTC, empty if unpublished), impressions, engagements, clicks,
           engagement_rate (percent, 2 decimals, empty without impressions) — metrics are
           the events of the period.
  metrics  one row per selected mission (by mission id): mission_id, mission_name,
           status, posts_published, impressions, engagements, clicks, engagement_rate
           (percent, 2 decimals), followers_gained — over the period.
  costs    one row per selected mission: mission_id, mission_name, cost_cents (USD
           cents), requests, tokens, images — over the period.

CSV: each section is a line `# <section>`, a header row with the columns above, the data
rows, and an empty line. JSON: `{"period": "<as requested>", "<section>": [ {column:
value, ...}, ... ], ...}` with the same columns as keys (null for empty cells).
"""

from __future__ import annotations

import csv
from typing import Any, TextIO

import orjson

from gateway.context import Context
from gateway.errors import InvalidInput
from gateway.jobs.handlers import cell, paged
from gateway.jobs.params import parse_period

CONTENT_COLUMNS = (
    "content_id", "mission_id", "platform", "type", "pillar", "topic", "status",
    "published_at", "impressions", "engagements", "clicks", "engagement_rate",
)  # fmt: skip
METRICS_COLUMNS = (
    "mission_id", "mission_name", "status", "posts_published", "impressions", "engagements",
    "clicks", "engagement_rate", "followers_gained",
)  # fmt: skip
COSTS_COLUMNS = ("mission_id", "mission_name", "cost_cents", "requests", "tokens", "images")
COLUMNS = {"content": CONTENT_COLUMNS, "metrics": METRICS_COLUMNS, "costs": COSTS_COLUMNS}


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _num(value: float | None) -> float | int:
    value = value or 0
    return int(value) if float(value).is_integer() else value


async def _missions(ctx: Context, period: dict, keys: list[str]) -> list[dict]:
    found = [m async for m in paged(ctx, "ExportMissions", {"period": period}, ("missions",))]
    if not keys:
        return found
    by_key = {m["key"]: m for m in found}
    missing = [k for k in keys if k not in by_key]
    if missing:
        raise InvalidInput(f"No mission(s) {missing} in your organization.", field="mission_ids")
    wanted = set(keys)
    return [m for m in found if m["key"] in wanted]


def _mission_rows(missions: list[dict]) -> tuple[list[tuple], list[tuple]]:
    metrics, costs = [], []
    for m in missions:
        posts, imp, eng, clicks, rate, followers, cost, req, tok, img = (
            v["value"] for v in m["metrics"]
        )
        metrics.append(
            (m["key"], m["name"], m["status"].lower(), _num(posts), _num(imp), _num(eng),
             _num(clicks), _rate(rate), _num(followers))
        )  # fmt: skip
        costs.append((m["key"], m["name"], _num(cost), _num(req), _num(tok), _num(img)))
    return metrics, costs


async def _content_rows(ctx: Context, period: dict, keys: list[str]) -> list[tuple]:
    filters: list[dict | None] = [{"missionKey": k} for k in keys] or [None]
    rows = []
    for flt in filters:
        variables = {"filter": flt, "period": period}
        async for c in paged(ctx, "ExportContents", variables, ("contents",)):
            imp, eng, clicks, rate = (v["value"] for v in c["metrics"])
            rows.append(
                (c["key"], (c["mission"] or {}).get("key"), c["platform"], c["type"],
                 c["pillar"], c["topic"], c["status"].lower(), c["publishedAt"], _num(imp),
                 _num(eng), _num(clicks), _rate(rate))
            )  # fmt: skip
    return rows


async def produce_export(ctx: Context, params: dict, out: TextIO) -> dict:
    period = parse_period(params["period"]).variables
    keys = params.get("mission_ids") or []
    include = params["include"]
    sections: dict[str, list[tuple]] = {}
    if "metrics" in include or "costs" in include or keys:
        missions = await _missions(ctx, period, keys)
        metrics, costs = _mission_rows(missions)
        if "content" in include:
            sections["content"] = await _content_rows(ctx, period, keys)
        if "metrics" in include:
            sections["metrics"] = metrics
        if "costs" in include:
            sections["costs"] = costs
    else:
        sections["content"] = await _content_rows(ctx, period, [])
    if params["format"] == "json":
        doc: dict[str, Any] = {"period": params["period"]}
        for name, rows in sections.items():
            doc[name] = [dict(zip(COLUMNS[name], row, strict=True)) for row in rows]
        out.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
    else:
        writer = csv.writer(out, lineterminator="\n")
        for name, rows in sections.items():
            writer.writerow([f"# {name}"])
            writer.writerow(COLUMNS[name])
            writer.writerows([cell(v) for v in row] for row in rows)
            writer.writerow([])
    counts = {name: len(rows) for name, rows in sections.items()}
    return {"rows": sum(counts.values()), "sections": counts}
