"""Every example request of the five legacy documents (/work/shared/seeds, shown there as
curl lines, JSON bodies or "GET …" lines), with the demo principal that sends it and the
status the document gives it, as data.

`tests/rest/test_documented_examples.py` walks them on the `tiny` demo (statuses only).
Run as a script against a running `tally serve` on a seeded database to time them:

    .venv/bin/python -m tests.rest.documented_examples --base-url http://127.0.0.1:8141 \
        [--seed 42] [--limit-seconds 5]

It prints one line per request (status, seconds) and exits 1 when a status differs from
the documented one or a request takes longer than `--limit-seconds`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

ORG = "acme"
MISSION = "msn_2xK9mPqR4vN8sT3w"
WORKSPACE = "8360bf61-4604-4f22-99dc-2afa910fd8c7"
MENTOR = "mentor-ai-tutor"
ARTIST = "7"


@dataclass(frozen=True)
class Example:
    """One documented request. `path` / `params` may hold `{name}` placeholders filled from
    earlier answers (see `Walk.learn`)."""

    api: str
    method: str
    path: str
    principal: str
    status: int = 200
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    scheme: str = "Bearer"

    def label(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params.items())
        body = "" if self.json is None else " " + _short(self.json)
        return f"{self.method} {self.path}{'?' + query if query else ''}{body}"


def _short(body: Any) -> str:
    import json

    text = json.dumps(body, separators=(",", ":"))
    return text if len(text) <= 90 else text[:87] + "..."


# --- 000 AISquare -------------------------------------------------------------------------

AISQUARE = [
    Example("aisquare", "POST", "/api/v1/aistudios/metrics/", "publication_owner",
            json={"url": "ai-research-studio"}),
    Example("aisquare", "POST", "/api/v1/aistudios/metrics/", "co_creator",
            json={"url": "ai-research-studio"}),
    Example("aisquare", "POST", "/api/v1/aistudios/metrics/", "outsider", 403,
            json={"url": "ai-research-studio"}),
    Example("aisquare", "POST", "/api/v1/aistudios/metrics/", "publication_owner", 404,
            json={"url": "no-such-studio"}),
    Example("aisquare", "POST", "/api/v1/aistudios/metrics/", "publication_owner", 400,
            json={}),
    Example("aisquare", "POST", "/api/v1/aistudios/public-impact/", "outsider",
            json={"url": "ai-research-studio"}),
]  # fmt: skip

# --- 001 AMP ------------------------------------------------------------------------------

_PERIODS = ["7d", "30d", "90d", "ytd", "all"]
AMP = [
    Example("amp", "GET", "/v1/analytics", "org_admin"),
    *[Example("amp", "GET", "/v1/analytics", "org_admin", params={"period": p}) for p in _PERIODS],
    Example("amp", "GET", "/v1/analytics", "org_admin",
            params={"start_date": "2026-01-01", "end_date": "2026-01-31"}),
    Example("amp", "GET", "/v1/analytics", "org_admin", params={"platforms": "twitter,linkedin"}),
    *[Example("amp", "GET", "/v1/analytics", "org_admin", params={"granularity": g})
      for g in ("hour", "day", "week", "month")],
    Example("amp", "GET", f"/v1/analytics/missions/{MISSION}", "org_admin"),
    Example("amp", "GET", "/v1/analytics/missions/msn_xxx", "org_admin"),
    Example("amp", "GET", "/v1/analytics/missions/msn_yyy", "org_admin"),
    Example("amp", "GET", "/v1/analytics/performance", "org_admin",
            params={"period": "30d", "breakdown": "platform,type"}),
    Example("amp", "GET", "/v1/analytics/performance", "org_admin"),
    Example("amp", "GET", "/v1/analytics/performance", "org_admin",
            params={"mission_id": MISSION}),
    *[Example("amp", "GET", "/v1/analytics/performance", "org_admin",
              params={"breakdown": b, "sort_by": s})
      for b, s in (("pillar", "impressions"), ("topic", "clicks"), ("time", "engagement_rate"))],
    Example("amp", "GET", "/v1/analytics/costs", "org_admin"),
    *[Example("amp", "GET", "/v1/analytics/costs", "org_admin", params={"period": p})
      for p in _PERIODS],
    Example("amp", "POST", "/v1/analytics/export", "org_admin",
            json={"format": "csv", "period": "30d", "include": ["content", "metrics", "costs"],
                  "email_to": "user@example.com"}),
    Example("amp", "POST", "/v1/analytics/export", "org_admin",
            json={"format": "json", "period": "7d"}),
    Example("amp", "GET", "/v1/analytics/export/exp_xxx/download", "org_admin"),
    Example("amp", "GET", "/v1/analytics/compare", "org_admin",
            params={"period1": "2024-01-01/2024-01-15", "period2": "2023-12-15/2023-12-31"}),
    Example("amp", "GET", "/v1/analytics/compare", "org_admin",
            params={"period1": "7d", "period2": "30d"}),
    Example("amp", "GET", "/v1/analytics/realtime", "org_admin"),
    Example("amp", "GET", "/v1/analytics", "org_admin", 400, params={"period": "2weeks"}),
]  # fmt: skip

# --- 002 agent platform -------------------------------------------------------------------

AGENT_PLATFORM = [
    Example("agent_platform", "GET", "/api/metrics", "org_admin"),
    *[Example("agent_platform", "GET", f"/api/metrics/historical/{ARTIST}", "artist",
              params={"range": r}) for r in ("24h", "7d", "30d")],
    Example("agent_platform", "GET", f"/api/metrics/historical/{ARTIST}", "artist"),
    Example("agent_platform", "GET", f"/api/metrics/performance/{ARTIST}", "artist"),
    Example("agent_platform", "GET", f"/api/metrics/summary/{ARTIST}", "artist"),
    Example("agent_platform", "GET", f"/api/metrics/summary/{ARTIST}", "org_admin"),
]  # fmt: skip

# --- 003 ibl.ai ---------------------------------------------------------------------------

_A = "/dm/api/analytics"


def _ibl(path: str, status: int = 200, principal: str = "org_admin", **params: Any) -> Example:
    return Example("iblai", "GET", path, principal, status, params=params, scheme="Api-Token")


def _chart(path: str, **params: Any) -> list[Example]:
    """The chart org-wide, then scoped to the mentor (the document's two variants)."""
    base = {**params, "platform_key": ORG}
    return [_ibl(path, **base), _ibl(path, **base, mentor_unique_id=MENTOR)]


IBLAI = [
    *_chart(f"{_A}/topics/", date_filter="30d"),
    *_chart(f"{_A}/users/", metric="active_users_last_30d", date_filter="30d"),
    *[e for r in ("today", "7d", "30d", "90d") for e in _chart(f"{_A}/sessions/", date_filter=r)],
    *_chart(f"{_A}/sessions/", date_filter="custom", start_date="2026-01-01",
            end_date="2026-01-31"),
    *_chart(f"{_A}/topics/details/", date_filter="30d"),
    *_chart(f"{_A}/users/", metric="registered_users", date_filter="30d"),
    *_chart(f"{_A}/users/", metric="active_users", date_filter="7d"),
    *_chart(f"{_A}/users/", metric="currently_active", date_filter="today"),
    *_chart(f"{_A}/time/", date_filter="30d"),
    *_chart(f"{_A}/users/details/", date_filter="30d", page=1, limit=5, search=""),
    *_chart(f"{_A}/conversations", metric="conversations", date_filter="30d"),
    *_chart(f"{_A}/ratings/", date_filter="30d"),
    *_chart(f"{_A}/conversations", metric="headline"),
    *_chart(f"{_A}/messages/", search="", topic="", page=1, limit=20),
    *_chart(f"{_A}/messages/details/", session_id="{session_id}"),
    *_chart(f"{_A}/financial/", metric="weekly_costs", date_filter="all_time"),
    *_chart(f"{_A}/financial/", metric="monthly_costs", date_filter="all_time"),
    *_chart(f"{_A}/financial/", metric="total_costs", all_time="true"),
    *_chart(f"{_A}/financial/", metric="total_costs", date_filter="30d"),
    *_chart(f"{_A}/financial/details/", group_by="provider", date_filter="30d"),
    *_chart(f"{_A}/financial/details/", metrics="total_costs,sessions", group_by="username",
            date_filter="30d", page=1, limit=10, search=""),
    *_chart(f"{_A}/financial/details/", metric="total_costs", group_by="llm_model",
            date_filter="30d"),
    _ibl(f"{_A}/courses/details/", platform_key=ORG, date_filter="30d"),
    _ibl(f"{_A}/programs/details/", platform_key=ORG, date_filter="30d"),
    _ibl(f"{_A}/learners/", username="lena.learner", limit=10, page=1, start_date="",
         end_date="", date_filter="30d"),
    _ibl(f"{_A}/learners/", principal="learner", username="lena.learner", date_filter="90d"),
    _ibl(f"{_A}/learner/details", username="lena.learner", start_date="", end_date="",
         date_filter="30d", metrics="enrollment,grade,progress,completion,time_spent,engagement"),
    _ibl(f"/dm/api/ai-mentor/orgs/{ORG}/users/ada.admin/mentors/audit-logs/", limit=20,
         offset=0, mentor=MENTOR),
    _ibl(f"/dm/api/ai-mentor/orgs/{ORG}/users/ada.admin/mentors/audit-logs/", limit=20,
         offset=0, mentor=MENTOR, action=1, actor_email="", from_date="", to_date=""),
    _ibl(f"/dm/api/reports/platforms/{ORG}/", mentor_id="{mentor_id}"),
    Example("iblai", "POST", f"/dm/api/reports/platforms/{ORG}/new", "org_admin", 201,
            json={"report_name": "ai-mentor-chat-history", "mentor": MENTOR, "usergroup_ids": [],
                  "start_date": "2026-01-01", "end_date": "2026-01-31", "course_id": "",
                  "query": ""}, scheme="Api-Token"),
    _ibl(f"/dm/api/reports/platforms/{ORG}/ai-mentor-chat-history",
         mentor_unique_id=MENTOR),
    _ibl(f"{_A}/topics/", 401, principal="", date_filter="30d", platform_key=ORG),
    _ibl(f"{_A}/topics/", 403, principal="outsider", date_filter="30d", platform_key=ORG),
]  # fmt: skip

# --- 004 Athena ---------------------------------------------------------------------------

_WS = "/api/v1/workspaces/metrics"


def _ws(body: dict[str, Any], status: int = 200, method: str = "GET") -> Example:
    return Example("athena", method, _WS, "workspace_owner", status,
                   json={"workspace_uuid": WORKSPACE, **body})  # fmt: skip


_COUNT = {"aggregation": "count"}
ATHENA = [
    # Quick Start
    _ws({"entity": "agents", "metric": "created", **_COUNT}),
    _ws({"entity": "workflows", "metric": "executions", **_COUNT, "group_by": "user",
         "order_by": "value", "order_dir": "desc", "limit": 10}),
    _ws({"entity": "agents", "metric": "executions", **_COUNT, "group_by": "date",
         "granularity": "daily", "filters": {"period": "30d"}}),
    # Grouping options
    _ws({"entity": "workflows", "metric": "executions", **_COUNT, "group_by": "user",
         "limit": 5}),
    _ws({"entity": "agents", "metric": "executions", **_COUNT, "group_by": "date",
         "granularity": "daily"}),
    *[_ws({"entity": "agents", "metric": "executions", **_COUNT, "group_by": "date",
           "granularity": g}) for g in ("weekly", "monthly")],
    # Filtering
    *[_ws({"entity": "agents", "metric": "executions", **_COUNT, "filters": {"period": p}})
      for p in ("7d", "30d", "90d", "all")],
    _ws({"entity": "agents", "metric": "executions", **_COUNT, "group_by": "date",
         "granularity": "daily", "filters": {"period": "30d", "user_id": 123}}),
    # Sorting and limiting
    _ws({"entity": "workflows", "metric": "executions", **_COUNT, "group_by": "user",
         "order_by": "value", "order_dir": "desc", "limit": 5}),
    *[_ws({"entity": "workflows", "metric": "executions", **_COUNT, "group_by": "user",
           "order_by": o, "order_dir": "asc"}) for o in ("name", "value")],
    # Use cases
    _ws({"entity": "agents", "metric": "created", **_COUNT, "filters": {"period": "30d"}}),
    _ws({"entity": "workflows", "metric": "executions", **_COUNT, "filters": {"period": "30d"}}),
    _ws({"entity": "workflows", "metric": "avg_duration", "aggregation": "avg",
         "filters": {"period": "30d"}}),
    _ws({"entity": "agents", "metric": "executions", **_COUNT, "group_by": "date",
         "granularity": "weekly", "filters": {"period": "90d"}}),
    _ws({"entity": "workflows", "metric": "executions", **_COUNT, "group_by": "date",
         "granularity": "daily", "filters": {"period": "30d", "user_id": 123}}),
    _ws({"entity": "agents", "metric": "shares", **_COUNT, "group_by": "user",
         "filters": {"period": "30d"}, "limit": 10}),
    *[_ws({"entity": e, "metric": m, **_COUNT, "filters": {"period": "all"}})
      for e in ("agents", "workflows") for m in ("created", "copies", "shares")],
    # The request example (curl, GET with a JSON body)
    _ws({"entity": "agents", "metric": "executions", **_COUNT, "group_by": "user",
         "granularity": "daily", "filters": {"period": "30d", "user_id": 0},
         "order_by": "value", "order_dir": "desc", "limit": 10}),
    _ws({"entity": "agents", "metric": "executions", **_COUNT, "group_by": "user",
         "granularity": "daily", "filters": {"period": "30d", "user_id": 0},
         "order_by": "value", "order_dir": "desc", "limit": 10}, method="POST"),
    # Errors
    _ws({"metric": "created", **_COUNT}, 422),
    _ws({"entity": "agents", "metric": "avg_duration", "aggregation": "avg"}, 422),
    _ws({"entity": "workflows", "metric": "avg_duration", "aggregation": "avg",
         "group_by": "user"}, 422),
    _ws({"entity": "agents", "metric": "executions", **_COUNT, "group_by": "date"}, 422),
    Example("athena", "GET", _WS, "workspace_member", 403,
            json={"workspace_uuid": WORKSPACE, "entity": "agents", "metric": "created", **_COUNT}),
    Example("athena", "GET", _WS, "workspace_owner", 404,
            json={"workspace_uuid": "00000000-0000-4000-8000-000000000000", "entity": "agents",
                  "metric": "created", **_COUNT}),
    # The menu's per-resource metrics, leaderboard and execution counts
    *[Example("athena", "POST", f"/v1/{r}/metrics", "workspace_owner",
              json={"workspace_uuid": WORKSPACE, **extra})
      for r in ("agents", "workflows", "workflow-executions", "threads", "messages")
      for extra in ({}, {"group_by": "date", "granularity": "daily",
                         "filters": {"period": "30d"}})],
    Example("athena", "GET", f"/api/v1/workspaces/{WORKSPACE}/agents/leaderboard",
            "workspace_owner"),
    Example("athena", "GET", f"/api/v1/workspaces/{WORKSPACE}/agents/leaderboard",
            "workspace_owner", params={"period": "all", "order_by": "shares", "limit": 5}),
    Example("athena", "GET", f"/api/v1/workspaces/{WORKSPACE}/workflow-executions/counts",
            "workspace_owner"),
    Example("athena", "GET", f"/api/v1/workspaces/{WORKSPACE}/workflow-executions/counts",
            "workspace_owner", params={"period": "7d", "granularity": "daily"}),
]  # fmt: skip

EXAMPLES: list[Example] = [*AISQUARE, *AMP, *AGENT_PLATFORM, *IBLAI, *ATHENA]


# --- walking ------------------------------------------------------------------------------


@dataclass
class Outcome:
    example: Example
    status: int
    seconds: float
    body: Any

    @property
    def ok(self) -> bool:
        return self.status == self.example.status


@dataclass
class Walk:
    """Sends the examples in order with the principals' tokens; learns the placeholders
    (a transcript's session id, the mentor's database id) from earlier answers."""

    client: httpx.AsyncClient
    tokens: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)

    def learn(self, example: Example, body: Any) -> None:
        if not isinstance(body, dict):
            return
        if example.path.endswith("/analytics/messages/") and body.get("results"):
            self.values["session_id"] = str(body["results"][0]["session_id"])
        if example.path.endswith("/new") and body.get("mentor_id") is not None:
            self.values.setdefault("mentor_id", str(body["mentor_id"]))

    def _fill(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            return self.values.get(value[1:-1], "")
        return value

    async def send(self, example: Example) -> Outcome:
        headers = {}
        if example.principal:
            headers["Authorization"] = f"{example.scheme} {self.tokens[example.principal]}"
        params = {k: self._fill(v) for k, v in example.params.items()}
        started = time.perf_counter()
        try:
            r = await self.client.request(
                example.method, example.path, params=params, json=example.json, headers=headers
            )
        except httpx.TransportError:
            return Outcome(example, 0, time.perf_counter() - started, None)
        seconds = time.perf_counter() - started
        try:
            body = r.json()
        except ValueError:
            body = r.text
        self.learn(example, body)
        return Outcome(example, r.status_code, seconds, body)


def ordered(examples: list[Example]) -> list[Example]:
    """Report creation before the list that needs its mentor id."""
    creates = [e for e in examples if e.method == "POST" and e.path.endswith("/new")]
    rest = [e for e in examples if e not in creates]
    i = next((n for n, e in enumerate(rest) if "{mentor_id}" in e.params.values()), len(rest))
    return rest[:i] + creates + rest[i:]


async def walk(
    client: httpx.AsyncClient,
    tokens: dict[str, str],
    examples: list[Example] | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    w = Walk(client, tokens)
    out = []
    for e in ordered(examples or EXAMPLES):
        o = await w.send(e)
        if on_outcome:
            on_outcome(o)
        out.append(o)
    return out


def main(argv: list[str] | None = None) -> int:
    from gateway.demo import PRINCIPALS, demo_token

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--limit-seconds", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    tokens = {p.name: demo_token(args.seed, p.name) for p in PRINCIPALS}
    slow: list[Outcome] = []
    wrong: list[Outcome] = []

    def show(o: Outcome) -> None:
        flag = "" if o.ok else f"  != {o.example.status}"
        if o.seconds > args.limit_seconds:
            slow.append(o)
            flag += "  SLOW"
        if not o.ok:
            wrong.append(o)
        print(f"{o.status} {o.seconds:6.2f}s  {o.example.label()}{flag}", flush=True)

    async def run() -> list[Outcome]:
        timeout = httpx.Timeout(args.timeout)
        async with httpx.AsyncClient(base_url=args.base_url, timeout=timeout) as client:
            return await walk(client, tokens, on_outcome=show)

    started = time.perf_counter()
    outcomes = asyncio.run(run())
    worst = max(outcomes, key=lambda o: o.seconds)
    print(
        f"{len(outcomes)} requests in {time.perf_counter() - started:.1f}s; "
        f"{len(wrong)} with another status than documented, {len(slow)} over "
        f"{args.limit_seconds:g}s; slowest {worst.seconds:.2f}s: {worst.example.label()}"
    )
    return 1 if wrong or slow else 0


if __name__ == "__main__":
    sys.exit(main())
