"""Per-resource metrics (`POST /v1/<resource>/metrics`), the agent leaderboard and the
workflow execution counts, with values computed by hand from the `athena` world (clock
frozen at 2026-03-18 10:30 UTC: 30d = 2026-02-17 .. 2026-03-18)."""

from __future__ import annotations

import pytest

from .conftest import DOC_UUID, assert_meta, body_of

LEADERBOARD = f"/api/v1/workspaces/{DOC_UUID}/agents/leaderboard"
COUNTS = f"/api/v1/workspaces/{DOC_UUID}/workflow-executions/counts"


@pytest.mark.parametrize(
    ("resource", "metric", "total"),
    [
        ("agents", "created", 2),  # A1 03-01, A2 03-04
        ("workflows", "created", 2),  # F1 03-01, F2 03-08
        ("workflow-executions", "executions", 3),  # F1 03-02 x2, 03-09 (F2 03-20 is later)
        ("threads", "created", 2),  # T1 03-02, T2 03-11
        ("messages", "messages", 5),  # T1 3 + T2 2
    ],
)
async def test_resource_totals(api, world, resource, metric, total):
    body = {"workspace_uuid": DOC_UUID, "filters": {"period": "30d"}}
    got = body_of(await api("POST", f"/v1/{resource}/metrics", body))
    data = got["data"]
    assert (data["entity"], data["metric"], data["aggregation"]) == (resource, metric, "count")
    assert (data["group_by"], data["granularity"], data["results"]) == (None, None, [])
    assert data["total"] == total and isinstance(data["total"], int)
    if resource == "workflow-executions":
        assert (data["succeeded"], data["failed"]) == (2, 1)
    else:
        assert "succeeded" not in data
    assert_meta(got["meta"], frm="2026-02-17")


async def test_execution_series_weekly(api, world):
    body = {"workspace_uuid": DOC_UUID, "group_by": "date", "granularity": "weekly"}
    data = body_of(await api("POST", "/v1/workflow-executions/metrics", body))["data"]
    # 30d default: weeks 2026-08 (02-16..) to 2026-12; 03-02 ok + failed (W10), 03-09 ok (W11)
    assert data["results"] == [
        {"date": "2026-08", "value": 0, "succeeded": 0, "failed": 0},
        {"date": "2026-09", "value": 0, "succeeded": 0, "failed": 0},
        {"date": "2026-10", "value": 2, "succeeded": 1, "failed": 1},
        {"date": "2026-11", "value": 1, "succeeded": 1, "failed": 0},
        {"date": "2026-12", "value": 0, "succeeded": 0, "failed": 0},
    ]
    assert (data["group_by"], data["granularity"], data["total"]) == ("date", "weekly", 3)


async def test_messages_daily_for_one_user_via_get(api, world):
    body = {"workspace_uuid": DOC_UUID, "group_by": "date", "granularity": "daily",
            "filters": {"period": "7d", "user_id": world.owner.id}}  # fmt: skip
    data = body_of(await api("GET", "/v1/messages/metrics", body))["data"]
    # olivia's messages: T2 03-11 x2 -> outside 7d (since 03-12)
    assert data["total"] == 0 and len(data["results"]) == 7
    assert all(set(r) == {"date", "value"} for r in data["results"])


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "workspace_uuid", "The workspace_uuid field is required."),
        ({"group_by": "user"}, "group_by", "The selected group_by is invalid: use date."),
        ({"group_by": "date"}, "granularity",
         "The granularity field is required when group_by is date."),
        ({"granularity": "hourly"}, "granularity",
         "The selected granularity is invalid: use daily, weekly or monthly."),
        ({"filters": {"period": "1d"}}, "filters.period",
         "The selected filters.period is invalid: use 7d, 30d, 90d or all."),
        ({"filters": {"user_id": [1]}}, "filters.user_id",
         "The filters.user_id field must be an integer (a user id)."),
        ({"filters": 7}, "filters", "The filters field must be an object."),
    ],
)  # fmt: skip
async def test_resource_validation(api, world, body, field, message):
    if field != "workspace_uuid":
        body = {"workspace_uuid": DOC_UUID, **body}
    got = body_of(await api("POST", "/v1/threads/metrics", body), 422)
    assert got == {"message": message, "errors": {field: [message]}}


async def test_resource_errors(api, world):
    r = await api("POST", "/v1/agents/metrics", content=b"{nope")
    assert body_of(r, 422)["errors"] == {"body": ["The request body must be valid JSON."]}
    body = {"workspace_uuid": DOC_UUID}
    assert body_of(await api("POST", "/v1/agents/metrics", body, who="mark"), 403) == {
        "message": "This action is unauthorized."
    }
    assert body_of(await api("POST", "/v1/agents/metrics", body, who="zed"), 404) == {
        "error": "Workspace not found"
    }
    assert body_of(await api("POST", "/v1/agents/metrics", body, who=None), 401) == {
        "message": "Unauthenticated."
    }


# --- agent leaderboard ------------------------------------------------------------------


async def test_leaderboard_get(api, world):
    got = body_of(await api("GET", LEADERBOARD))
    # 30d: A1 100+300+200+400 by olivia, mark x2, ursula; shared x2, copied x1;
    # A2 1000+500 by olivia; A3 never ran
    assert got["data"] == [
        {"rank": 1, "agent_uuid": world.agents["A1"].key, "agent_name": "Alpha",
         "agent_status": world.agents["A1"].status, "executions": 4, "avg_duration_ms": 250,
         "total_duration_ms": 1000, "shares": 2, "copies": 1, "unique_users": 3},
        {"rank": 2, "agent_uuid": world.agents["A2"].key, "agent_name": "Beta",
         "agent_status": world.agents["A2"].status, "executions": 2, "avg_duration_ms": 750,
         "total_duration_ms": 1500, "shares": 0, "copies": 0, "unique_users": 1},
        {"rank": 3, "agent_uuid": world.agents["A3"].key, "agent_name": "Gamma",
         "agent_status": world.agents["A3"].status, "executions": 0, "avg_duration_ms": None,
         "total_duration_ms": 0, "shares": 0, "copies": 0, "unique_users": 0},
    ]  # fmt: skip
    meta = got["meta"]
    assert (meta["order_by"], meta["order_dir"], meta["limit"]) == ("executions", "desc", 10)
    assert_meta(meta, frm="2026-02-17", unit="milliseconds")


async def test_leaderboard_query_and_body(api, world):
    params = {"order_by": "total_duration_ms", "limit": "1", "period": "7d"}
    got = body_of(await api("GET", LEADERBOARD, params=params))
    # since 03-12: A1 400 (ursula 03-16), A2 500 (olivia 03-17)
    assert [(e["agent_name"], e["total_duration_ms"]) for e in got["data"]] == [("Beta", 500)]
    got = body_of(await api("POST", LEADERBOARD, {"order_by": "name", "order_dir": "asc"}))
    assert [e["agent_name"] for e in got["data"]] == ["Alpha", "Beta", "Gamma"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": "101"}, "limit"), ({"limit": "0"}, "limit"), ({"limit": "x"}, "limit"),
     ({"order_by": "fame"}, "order_by"), ({"order_dir": "sideways"}, "order_dir"),
     ({"period": "2w"}, "period")],
)  # fmt: skip
async def test_leaderboard_validation(api, world, params, field):
    got = body_of(await api("GET", LEADERBOARD, params=params), 422)
    assert list(got["errors"]) == [field] and got["message"] == got["errors"][field][0]


async def test_leaderboard_access(api, world):
    assert body_of(await api("GET", LEADERBOARD, who="mark"), 403) == {
        "message": "This action is unauthorized."
    }
    other = "/api/v1/workspaces/00000000-0000-4000-8000-999999999999/agents/leaderboard"
    assert body_of(await api("GET", other), 404) == {"error": "Workspace not found"}
    assert body_of(await api("GET", LEADERBOARD, who=None), 401) == {"message": "Unauthenticated."}


# --- workflow execution counts ------------------------------------------------------------


async def test_execution_counts_get(api, world):
    got = body_of(await api("GET", COUNTS))
    # 30d: F1 03-02 ok, 03-02 failed, 03-09 ok; F1 running since 03-18 09:00
    assert got["data"] == {
        "total": 4,
        "completed": 3,
        "succeeded": 2,
        "failed": 1,
        "running": 1,
        "granularity": None,
        "results": [],
    }
    assert_meta(got["meta"], frm="2026-02-17")


async def test_execution_counts_monthly_post(api, world):
    got = body_of(await api("POST", COUNTS, {"period": "all", "granularity": "monthly"}))
    data = got["data"]
    assert data["results"] == [
        {"date": "2026-01", "completed": 0, "succeeded": 0, "failed": 0},
        {"date": "2026-02", "completed": 0, "succeeded": 0, "failed": 0},
        {"date": "2026-03", "completed": 3, "succeeded": 2, "failed": 1},
    ]
    assert data["granularity"] == "monthly" and data["total"] == 4
    assert_meta(got["meta"], frm="2026-01-01")


async def test_execution_counts_errors(api, world):
    got = body_of(await api("GET", COUNTS, params={"granularity": "hourly"}), 422)
    assert got["errors"] == {
        "granularity": ["The selected granularity is invalid: use daily, weekly or monthly."]
    }
    assert body_of(await api("GET", COUNTS, who="xavier"), 403) == {
        "message": "This action is unauthorized."
    }
    assert body_of(await api("GET", COUNTS, who="zed"), 404) == {"error": "Workspace not found"}
