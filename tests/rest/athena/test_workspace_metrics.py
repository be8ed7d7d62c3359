"""`GET /api/v1/workspaces/metrics` (seed 004): every documented request, with values
computed by hand from the `athena` world (see tests/workspaces/conftest.py; request
clock frozen at 2026-03-18 10:30 UTC, so 30d = 2026-02-17 .. 2026-03-18)."""

from __future__ import annotations

import pytest

from .conftest import DOC_UUID, METRICS, assert_meta, body_of

DOC_EXAMPLE = {
    "workspace_uuid": DOC_UUID,
    "entity": "agents",
    "metric": "executions",
    "aggregation": "count",
    "group_by": "user",
    "granularity": "daily",
    "filters": {"period": "30d", "user_id": 0},
    "order_by": "value",
    "order_dir": "desc",
    "limit": 10,
}


async def test_document_request_example(api, world):
    got = body_of(await api("GET", METRICS, DOC_EXAMPLE))
    data = got["data"]
    assert (data["entity"], data["metric"], data["aggregation"]) == (
        "agents",
        "executions",
        "count",
    )
    assert (data["group_by"], data["granularity"]) == ("user", "daily")
    # agent executions in W since 02-17: olivia 3 (A1 100, A2 1000, A2 500), mark 2, ursula 1
    assert data["total"] == 6 and isinstance(data["total"], int)
    assert data["results"] == [
        {"user_id": str(world.owner.id), "user_name": "Olivia", "value": 3},
        {"user_id": str(world.mark.id), "user_name": "Mark", "value": 2},
        {"user_id": str(world.ursula.id), "user_name": "Ursula", "value": 1},
    ]
    assert_meta(got["meta"], frm="2026-02-17")
    assert got["meta"]["cached_at"] == "2026-03-18T10:30:00.123Z"


async def test_post_is_accepted_too(api, world):
    got = body_of(await api("POST", METRICS, DOC_EXAMPLE))
    assert got["data"]["total"] == 6


async def test_simple_count_stat_card(api, world):
    body = {"workspace_uuid": DOC_UUID, "entity": "agents", "metric": "created",
            "aggregation": "count"}  # fmt: skip
    got = body_of(await api("GET", METRICS, body))
    # A1 03-01 and A2 03-04 (A3 02-10 is before 02-17; A9 belongs to W2)
    assert got["data"] == {
        "entity": "agents",
        "metric": "created",
        "aggregation": "count",
        "group_by": None,
        "granularity": None,
        "total": 2,
        "results": [],
    }
    assert_meta(got["meta"], frm="2026-02-17")


async def test_leaderboard_top_users(api, world):
    body = {"workspace_uuid": DOC_UUID, "entity": "workflows", "metric": "executions",
            "aggregation": "count", "group_by": "user", "order_by": "value",
            "order_dir": "desc", "limit": 10}  # fmt: skip
    data = body_of(await api("GET", METRICS, body))["data"]
    # F1: olivia 03-02 x2, mark 03-09 (F2's 03-20 run is after now, F9 is W2's)
    assert data["total"] == 3
    assert [(r["user_name"], r["value"]) for r in data["results"]] == [("Olivia", 2), ("Mark", 1)]
    assert all(set(r) == {"user_id", "user_name", "value"} for r in data["results"])
    assert all(isinstance(r["user_id"], str) for r in data["results"])


async def test_limit_cuts_results_not_total(api, world):
    body = {**DOC_EXAMPLE, "limit": 1}
    data = body_of(await api("GET", METRICS, body))["data"]
    assert data["total"] == 6 and [r["value"] for r in data["results"]] == [3]


async def test_daily_time_series(api, world):
    body = {"workspace_uuid": DOC_UUID, "entity": "agents", "metric": "executions",
            "aggregation": "count", "group_by": "date", "granularity": "daily",
            "filters": {"period": "30d"}}  # fmt: skip
    got = body_of(await api("GET", METRICS, body))
    results = got["data"]["results"]
    assert len(results) == 30  # 02-17 .. 03-18, zero filled, in date order
    assert results[0] == {"date": "2026-02-17", "value": 0}
    assert results[-1]["date"] == "2026-03-18"
    nonzero = {r["date"]: r["value"] for r in results if r["value"]}
    assert nonzero == {
        "2026-03-02": 2,
        "2026-03-03": 1,
        "2026-03-10": 1,
        "2026-03-16": 1,
        "2026-03-17": 1,
    }
    assert got["data"]["total"] == 6
    assert_meta(got["meta"], frm="2026-02-17")


async def test_weekly_series_90d(api, world):
    body = {"workspace_uuid": DOC_UUID, "entity": "agents", "metric": "executions",
            "aggregation": "count", "group_by": "date", "granularity": "weekly",
            "filters": {"period": "90d"}}  # fmt: skip
    got = body_of(await api("GET", METRICS, body))
    results = got["data"]["results"]
    # 2025-12-19 is in ISO week 2025-51; 2026-03-18 in 2026-12
    assert results[0]["date"] == "2025-51" and results[-1]["date"] == "2026-12"
    nonzero = {r["date"]: r["value"] for r in results if r["value"]}
    assert nonzero == {"2026-10": 3, "2026-11": 1, "2026-12": 2}
    assert_meta(got["meta"], frm="2025-12-19")


async def test_monthly_series_all(api, world):
    body = {"workspace_uuid": DOC_UUID, "entity": "workflows", "metric": "created",
            "aggregation": "count", "group_by": "date", "granularity": "monthly",
            "filters": {"period": "all"}}  # fmt: skip
    got = body_of(await api("GET", METRICS, body))
    # F1 03-01, F2 03-08; W was created 2026-01-01
    assert got["data"]["results"] == [
        {"date": "2026-01", "value": 0},
        {"date": "2026-02", "value": 0},
        {"date": "2026-03", "value": 2},
    ]
    assert_meta(got["meta"], frm="2026-01-01")


async def test_period_7d(api, world):
    body = {"workspace_uuid": DOC_UUID, "entity": "agents", "metric": "executions",
            "aggregation": "count", "filters": {"period": "7d"}}  # fmt: skip
    got = body_of(await api("GET", METRICS, body))
    assert got["data"]["total"] == 2  # 03-16 ursula, 03-17 olivia (since 03-12)
    assert_meta(got["meta"], frm="2026-03-12")


async def test_average_workflow_duration(api, world):
    body = {"workspace_uuid": DOC_UUID, "entity": "workflows", "metric": "avg_duration",
            "aggregation": "avg", "filters": {"period": "30d"}}  # fmt: skip
    got = body_of(await api("GET", METRICS, body))
    assert got["data"]["total"] == 2000  # (1000 + 3000 + 2000) / 3
    assert_meta(got["meta"], frm="2026-02-17", unit="milliseconds")


async def test_sum_of_durations_is_whole_milliseconds(api, world):
    body = {"workspace_uuid": DOC_UUID, "entity": "workflows", "metric": "executions",
            "aggregation": "sum"}  # fmt: skip
    got = body_of(await api("GET", METRICS, body))
    assert got["data"]["total"] == 6000 and isinstance(got["data"]["total"], int)
    assert got["meta"]["unit"] == "milliseconds"


async def test_employee_drilldown(api, world):
    body = {"workspace_uuid": DOC_UUID, "entity": "workflows", "metric": "executions",
            "aggregation": "count", "group_by": "date", "granularity": "daily",
            "filters": {"period": "30d", "user_id": world.owner.id}}  # fmt: skip
    data = body_of(await api("GET", METRICS, body))["data"]
    assert data["total"] == 2
    assert {r["date"]: r["value"] for r in data["results"] if r["value"]} == {"2026-03-02": 2}


async def test_adoption_shares_by_user(api, world):
    body = {"workspace_uuid": DOC_UUID, "entity": "agents", "metric": "shares",
            "aggregation": "count", "group_by": "user", "filters": {"period": "30d"},
            "limit": 10}  # fmt: skip
    data = body_of(await api("GET", METRICS, body))["data"]
    # A1 shared by mark (03-05) and olivia (03-06); tie broken by ascending user id
    assert data["total"] == 2
    assert [(r["user_name"], r["value"]) for r in data["results"]] == [("Olivia", 1), ("Mark", 1)]


async def test_query_string_input(api, world):
    params = {"workspace_uuid": DOC_UUID, "entity": "agents", "metric": "created",
              "aggregation": "count", "filters[period]": "all"}  # fmt: skip
    data = body_of(await api("GET", METRICS, params=params))["data"]
    assert data["total"] == 3  # A1, A2 and A3 (02-10) since W was created


# --- errors ---------------------------------------------------------------------------

BASE = {"workspace_uuid": DOC_UUID, "entity": "agents", "metric": "created",
        "aggregation": "count"}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"entity": None}, "entity", "The entity field is required."),
        ({"entity": "prompts"}, "entity",
         "The selected entity is invalid: use agents or workflows."),
        ({"metric": None}, "metric", "The metric field is required."),
        ({"aggregation": "median"}, "aggregation",
         "The selected aggregation is invalid: use count, sum or avg."),
        ({"group_by": "date"}, "granularity",
         "The granularity field is required when group_by is date."),
        ({"entity": "workflows", "metric": "avg_duration", "aggregation": "avg",
          "group_by": "user"}, "group_by",
         "The avg_duration metric does not support group_by: leave it out."),
        ({"metric": "avg_duration", "aggregation": "avg"}, "metric",
         "The avg_duration metric is only available for workflows."),
        ({"workspace_uuid": None}, "workspace_uuid", "The workspace_uuid field is required."),
        ({"workspace_uuid": 123}, "workspace_uuid", "The workspace_uuid field must be a string."),
        ({"limit": 0}, "limit", "The limit field must be an integer between 1 and 100."),
        ({"limit": 101}, "limit", "The limit field must be an integer between 1 and 100."),
        ({"limit": "ten"}, "limit", "The limit field must be an integer between 1 and 100."),
        ({"filters": {"period": "1y"}}, "filters.period",
         "The selected filters.period is invalid: use 7d, 30d, 90d or all."),
        ({"filters": "30d"}, "filters", "The filters field must be an object."),
        ({"filters": {"user_id": "bob"}}, "filters.user_id",
         "The filters.user_id field must be an integer (a user id)."),
        ({"entity": 5}, "entity", "The selected entity is invalid: use agents or workflows."),
        ({"order_dir": "up"}, "order_dir", "The selected order_dir is invalid: use asc or desc."),
    ],
)  # fmt: skip
async def test_validation_rules(api, world, change, field, message):
    body = {k: v for k, v in {**BASE, **change}.items() if v is not None}
    got = body_of(await api("GET", METRICS, body), 422)
    assert got == {"message": message, "errors": {field: [message]}}


async def test_every_problem_is_listed(api, world):
    got = body_of(await api("GET", METRICS, {}), 422)
    assert got["message"] == "The workspace_uuid field is required. (and 3 more errors)"
    assert got["errors"] == {
        "workspace_uuid": ["The workspace_uuid field is required."],
        "entity": ["The entity field is required."],
        "metric": ["The metric field is required."],
        "aggregation": ["The aggregation field is required."],
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"entity": "agents",', "The request body must be valid JSON."),
        (b'["agents"]', "The request body must be a JSON object."),
    ],
)
async def test_malformed_body(api, world, content, message):
    got = body_of(await api("GET", METRICS, content=content), 422)
    assert got == {"message": message, "errors": {"body": [message]}}


async def test_non_owner_is_forbidden(api, world):
    # mark is a member of W (lists, not metrics); xavier is in the org but not in W
    for who in ("mark", "xavier"):
        got = body_of(await api("GET", METRICS, BASE, who=who), 403)
        assert got == {"message": "This action is unauthorized."}


async def test_unknown_or_foreign_workspace_is_not_found(api, world):
    unknown = {**BASE, "workspace_uuid": "00000000-0000-4000-8000-999999999999"}
    assert body_of(await api("GET", METRICS, unknown), 404) == {"error": "Workspace not found"}
    # zed (org B) asking for org A's workspace
    got = body_of(await api("GET", METRICS, BASE, who="zed"), 404)
    assert got == {"error": "Workspace not found"}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Api-Token whatever"}],
)
async def test_unauthenticated(api, world, headers):
    got = body_of(await api("GET", METRICS, BASE, who=None, headers=headers), 401)
    assert got == {"message": "Unauthenticated."}


async def test_api_token_scheme_is_refused(api, world):
    token = world.tokens["owner"]
    r = await api("GET", METRICS, BASE, who=None, headers={"Authorization": f"Api-Token {token}"})
    assert body_of(r, 401) == {"message": "Unauthenticated."}


async def test_other_method_in_dialect(api, world):
    got = body_of(await api("PUT", METRICS, BASE), 405)
    assert got == {"message": "The PUT method is not supported for this route."}
