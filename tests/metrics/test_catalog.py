"""The catalog is consistent with the vocabulary and lists what the brief promises."""

import pytest

from gateway.errors import InvalidInput
from gateway.metrics import CATALOG, get_metric, metrics_catalog
from gateway.metrics.catalog import validate_catalog


def test_catalog_matches_vocabulary_and_covers_every_event_kind():
    assert validate_catalog() == []


def test_promised_metrics_exist():
    for name, aggregation in {
        "publication.views": "count",
        "publication.completion_rate": "ratio",
        "publication.active_users": "distinct_actors",
        "content.impressions": "sum",
        "content.engagement_rate": "ratio",
        "mission.requests": "count",
        "agent.avg_response_time_ms": "avg",
        "agent.success_rate": "ratio",
        "agent.uptime_percent": "avg",
        "org.platform_uptime_percent": "avg",
        "user.listeners": "distinct_actors",
        "course.active_learners": "distinct_actors",
    }.items():
        assert CATALOG[name].aggregation == aggregation, name
    assert len(CATALOG["publication.active_users"].event_types) == 8


def test_metrics_catalog_listing():
    listing = metrics_catalog()
    assert [m["name"] for m in listing] == sorted(CATALOG)
    views = next(m for m in listing if m["name"] == "publication.views")
    assert views | {"event_types": None} == {
        "name": "publication.views",
        "subject_type": "publication",
        "description": "Views of the publication",
        "unit": "count",
        "aggregation": "count",
        "summable": True,
        "event_types": None,
        "numerator": None,
        "denominator": None,
    }
    assert not CATALOG["content.engagement_rate"].summable


def test_unknown_metric_names_the_valid_ones():
    with pytest.raises(InvalidInput, match="agent.messages"):
        get_metric("agent.mesages")
    with pytest.raises(InvalidInput, match="metricsCatalog"):
        get_metric("nothing")
