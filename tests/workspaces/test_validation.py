"""The document's validation rules: per-field errors, in Python (for the REST shim's 422)
and through GraphQL (`extensions.code = VALIDATION_FAILED`, `extensions.errors`)."""

from __future__ import annotations

import pytest

from gateway.workspaces.validation import ValidationFailed, parse_metrics_request

from .conftest import MARCH, error

OK = {"entity": "agents", "metric": "created", "aggregation": "count"}


def errors_of(body: dict) -> tuple[str, dict]:
    with pytest.raises(ValidationFailed) as exc:
        parse_metrics_request(body)
    return exc.value.message, exc.value.errors


def test_valid_request_and_defaults():
    req = parse_metrics_request({**OK, "filters": {"period": "7d", "user_id": "123"}})
    assert (req.period, req.user_id, req.effective_limit) == ("7d", 123, 10)
    assert (req.effective_order_by, req.effective_order_dir) == ("value", "desc")
    series = parse_metrics_request({**OK, "group_by": "date", "granularity": "daily"})
    assert (series.effective_order_by, series.effective_order_dir) == ("date", "asc")
    assert series.effective_limit is None


def test_rule_1_entity_required_and_known():
    msg, errs = errors_of({"metric": "created", "aggregation": "count"})
    assert msg == "The entity field is required."
    assert errs == {"entity": ["The entity field is required."]}
    _, errs = errors_of({**OK, "entity": "robots"})
    assert errs == {"entity": ["The selected entity is invalid: use agents or workflows."]}


def test_rule_2_metric_required_and_known():
    _, errs = errors_of({"entity": "agents", "aggregation": "count"})
    assert errs == {"metric": ["The metric field is required."]}
    _, errs = errors_of({**OK, "metric": "views"})
    assert list(errs) == ["metric"]
    assert "executions, created, copies, shares or avg_duration" in errs["metric"][0]


def test_rule_3_aggregation():
    _, errs = errors_of({"entity": "agents", "metric": "created"})
    assert errs == {"aggregation": ["The aggregation field is required."]}
    _, errs = errors_of({**OK, "aggregation": "median"})
    assert errs == {"aggregation": ["The selected aggregation is invalid: use count, sum or avg."]}


def test_rule_4_granularity_required_for_date():
    _, errs = errors_of({**OK, "group_by": "date"})
    assert errs == {"granularity": ["The granularity field is required when group_by is date."]}


def test_rule_5_avg_duration_no_group_by():
    body = {"entity": "workflows", "metric": "avg_duration", "aggregation": "avg"}
    _, errs = errors_of({**body, "group_by": "user"})
    assert list(errs) == ["group_by"]


def test_rule_6_avg_duration_workflows_only():
    _, errs = errors_of({"entity": "agents", "metric": "avg_duration", "aggregation": "avg"})
    assert errs == {"metric": ["The avg_duration metric is only available for workflows."]}


@pytest.mark.parametrize("limit", [0, 101, "ten", -1])
def test_limit_range(limit):
    _, errs = errors_of({**OK, "limit": limit})
    assert errs == {"limit": ["The limit field must be an integer between 1 and 100."]}


def test_filters_and_several_errors_at_once():
    msg, errs = errors_of(
        {"metric": "created", "aggregation": "count", "filters": {"period": "1y", "user_id": "x"}}
    )
    assert list(errs) == ["entity", "filters.period", "filters.user_id"]
    assert msg == "The entity field is required. (and 2 more errors)"


def test_workspace_uuid_for_the_rest_body():
    with pytest.raises(ValidationFailed) as exc:
        parse_metrics_request(OK, require_workspace=True)
    assert exc.value.errors == {"workspace_uuid": ["The workspace_uuid field is required."]}


Q = """
query($uuid: String!, $q: WorkspaceMetricsInput!) {
  workspace(uuid: $uuid) { workspaceMetrics(query: $q) { total } }
}
"""


@pytest.mark.parametrize(
    ("q", "field"),
    [
        ({"entity": "AGENTS", "metric": "AVG_DURATION", "aggregation": "AVG"}, "metric"),
        (
            {"entity": "AGENTS", "metric": "CREATED", "aggregation": "COUNT", "groupBy": "DATE"},
            "granularity",
        ),  # fmt: skip
        (
            {
                "entity": "WORKFLOWS",
                "metric": "AVG_DURATION",
                "aggregation": "AVG",
                "groupBy": "USER",
            },
            "group_by",
        ),  # fmt: skip
        ({"entity": "AGENTS", "metric": "CREATED", "aggregation": "COUNT", "limit": 101}, "limit"),
        (
            {
                "entity": "AGENTS",
                "metric": "CREATED",
                "aggregation": "COUNT",
                "filters": {"period": "D7", "dateRange": MARCH},
            },
            "filters.period",
        ),  # fmt: skip
    ],
)
async def test_graphql_reports_validation_errors(gql, athena, q, field):
    body = await gql(athena.tokens["owner"], Q, uuid=athena.ws.uuid, q=q)
    err = error(body)
    assert err["extensions"]["code"] == "VALIDATION_FAILED"
    assert list(err["extensions"]["errors"]) == [field]
    assert err["message"] == err["extensions"]["errors"][field][0]
    assert body["data"]["workspace"] == {"workspaceMetrics": None}


async def test_graphql_bad_enum_and_missing_field_are_client_errors(gql, athena):
    bad = {"entity": "ROBOTS", "metric": "CREATED", "aggregation": "COUNT"}
    body = await gql(athena.tokens["owner"], Q, uuid=athena.ws.uuid, q=bad)
    assert "ROBOTS" in error(body)["message"]
    missing = {"metric": "CREATED", "aggregation": "COUNT"}
    body = await gql(athena.tokens["owner"], Q, uuid=athena.ws.uuid, q=missing)
    assert "entity" in error(body)["message"]


async def test_resource_metrics_granularity_rule(gql, athena):
    q = """query($uuid: String!) { workspace(uuid: $uuid) {
      resourceMetrics(query: {resource: THREADS, groupBy: DATE}) { total } } }"""
    err = error(await gql(athena.tokens["owner"], q, uuid=athena.ws.uuid))
    assert err["extensions"]["errors"] == {
        "granularity": ["The granularity field is required when group_by is date."]
    }


async def test_bad_user_id_filter(gql, athena):
    q = {"entity": "AGENTS", "metric": "CREATED", "aggregation": "COUNT",
         "filters": {"userId": "not-a-user"}}  # fmt: skip
    err = error(await gql(athena.tokens["owner"], Q, uuid=athena.ws.uuid, q=q))
    assert err["extensions"]["code"] == "INVALID_INPUT"
    assert "filters.userId must be a User id" in err["message"]
