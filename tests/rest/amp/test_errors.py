"""AMP's error dialect: 401 without a Bearer token, the document's `invalid_period`, and
`invalid_parameter` for every malformed, wrong-typed or unknown value; 404/405 under the
prefix. Every error body is exactly `{"error": {"code", "message"}}`."""

from __future__ import annotations

import pytest

from gateway.rest.apis.amp_params import PERIOD_HELP
from gateway.rest.apis.amp_schemas import AmpErrorBody

ROUTES = [
    ("GET", "/v1/analytics"),
    ("GET", "/v1/analytics/missions/msn_alpha"),
    ("GET", "/v1/analytics/performance"),
    ("GET", "/v1/analytics/costs"),
    ("GET", "/v1/analytics/compare?period1=7d&period2=30d"),
    ("GET", "/v1/analytics/realtime"),
    ("POST", "/v1/analytics/export"),
    ("GET", "/v1/analytics/export/exp_x/download"),
]


def error(body: dict, code: str) -> str:
    AmpErrorBody.model_validate(body)
    assert body["error"]["code"] == code, body
    return body["error"]["message"]


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_credentials_are_required(world, client, method, path):
    token = world.headers["Authorization"].split()[1]
    for headers in ({}, {"Authorization": f"Api-Token {token}"}, {"Authorization": "Bearer nope"}):
        r = await client.request(method, path, headers=headers, json={"format": "csv"})
        assert r.status_code == 401, (headers, r.text)
        assert r.headers["www-authenticate"] == "Bearer"
        error(r.json(), "unauthorized")


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/analytics", {"period": "14d"}),
        ("/v1/analytics", {"period": ""}),
        ("/v1/analytics", {"period": "2024-01-01"}),
        ("/v1/analytics", {"period": "2024-01-01/2024-02-30"}),
        ("/v1/analytics/performance", {"period": "last week"}),
        ("/v1/analytics/costs", {"period": "30"}),
        ("/v1/analytics/missions/msn_alpha", {"period": "1y"}),
    ],
)
async def test_invalid_period_is_the_documented_error(world, get, path, params):
    body = await get(path, world.headers, status=400, **params)
    assert body == {"error": {"code": "invalid_period", "message": PERIOD_HELP}}


async def test_period_ranges_must_be_ordered_and_bounded(world, get):
    body = await get("/v1/analytics", world.headers, 400, period="2024-02-01/2024-01-01")
    assert "after end" in error(body, "invalid_period")
    body = await get("/v1/analytics/costs", world.headers, 400, period="2000-01-01/2024-01-01")
    assert "10 years" in error(body, "invalid_period")
    body = await get(
        "/v1/analytics", world.headers, 400, start_date="2024-02-01", end_date="2024-01-01"
    )
    error(body, "invalid_period")


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"start_date": "2024-01-01"}, "end_date"),
        ({"end_date": "2024-01-01"}, "start_date"),
        ({"start_date": "2024-13-01", "end_date": "2024-12-31"}, "start_date"),
        ({"start_date": "01/02/2024", "end_date": "2024-12-31"}, "YYYY-MM-DD"),
        ({"platforms": "twitter,,linkedin"}, "platforms"),
        ({"platforms": ""}, "platforms"),
        ({"platforms": "twit ter"}, "platform"),
        ({"platforms": ",".join(f"p{i}" for i in range(21))}, "20"),
        ({"granularity": "minute"}, "hour, day, week, month"),
        ({"granularity": "hour", "period": "ytd"}, "coarser"),
        ({"granularity": "day", "period": "all"}, "coarser"),
    ],
)
async def test_overview_bad_parameters(world, get, params, needle):
    body = await get("/v1/analytics", world.headers, 400, **params)
    assert needle in error(body, "invalid_parameter")


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"breakdown": "platform,colour"}, "colour"),
        ({"breakdown": ""}, "breakdown"),
        ({"sort_by": "likes"}, "engagement_rate, impressions, clicks"),
        ({"mission_id": ""}, "mission_id"),
        ({"mission_id": "msn_" + "x" * 100}, "mission_id"),
    ],
)
async def test_performance_bad_parameters(world, get, params, needle):
    body = await get("/v1/analytics/performance", world.headers, 400, **params)
    assert needle in error(body, "invalid_parameter")


async def test_compare_needs_both_periods(world, get):
    body = await get("/v1/analytics/compare", world.headers, 400, period1="7d")
    assert "period2" in error(body, "invalid_parameter")
    body = await get("/v1/analytics/compare", world.headers, 400)
    assert "period1" in error(body, "invalid_parameter")
    body = await get(
        "/v1/analytics/compare", world.headers, 400, period1="7d", period2="2024-01-01/x"
    )
    assert error(body, "invalid_period") == f"{PERIOD_HELP} (period2)"


async def test_unknown_path_and_method_in_the_dialect(world, client):
    r = await client.get("/v1/analytics/nope", headers=world.headers)
    assert r.status_code == 404
    error(r.json(), "not_found")
    r = await client.delete("/v1/analytics", headers=world.headers)
    assert r.status_code == 405
    error(r.json(), "method_not_allowed")
