"""The ibl.ai error dialect: every error is `{"detail": "..."}` with DRF's statuses and
wording (401, 403, 404) and an actionable 400 for each kind of bad parameter."""

from __future__ import annotations

import pytest

from tests.rest.iblai.conftest import MARCH, ORG

TOPICS = f"/analytics/topics/?date_filter=30d&{ORG}"


async def test_401_missing_wrong_scheme_and_bad_token(api):
    r = await api.get(TOPICS, as_=None)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Api-Token"
    assert r.json() == {"detail": "Authentication credentials were not provided."}
    token = api.world.tokens["admin"]
    r = await api.client.get("/dm/api" + TOPICS, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and "Api-Token" in r.json()["detail"]
    r = await api.client.get("/dm/api" + TOPICS, headers={"Authorization": "Api-Token nope"})
    assert r.status_code == 401 and r.json() == {"detail": "Invalid token."}


@pytest.mark.parametrize(
    "path",
    [
        TOPICS,
        f"/analytics/users/?metric=registered_users&{MARCH}",
        f"/analytics/users/details/?{MARCH}",
        f"/analytics/financial/?metric=total_costs&{MARCH}",
        f"/analytics/courses/details/?{MARCH}",
        f"/analytics/messages/details/?session_id=sess-s1&{ORG}",
        "/ai-mentor/orgs/acme/users/alice/mentors/audit-logs/",
    ],
)
async def test_403_for_a_learner_on_org_analytics(api, path):
    detail = await api.error(path, 403, as_="alice")
    assert detail == "You do not have permission to perform this action."


async def test_404_platform_mentor_group_and_route(api, world):
    assert await api.error("/analytics/topics/?date_filter=30d&platform_key=nope", 404) == (
        "No platform 'nope'."
    )
    # another org's key is "not found" too
    assert await api.error("/analytics/topics/?date_filter=30d&platform_key=other", 404)
    await api.error(TOPICS, 404, as_="other_admin")  # our key, asked by the other org
    detail = await api.error(f"{TOPICS}&mentor_unique_id=ghost", 404)
    assert detail == "No mentor with unique id 'ghost' in this org."
    assert "9999999" in await api.error(f"{TOPICS}&usergroup_ids=9999999", 404)
    assert await api.error("/analytics/nothing-here/", 404) == "Not found."
    r = await api.client.post("/dm/api" + TOPICS, headers=api.headers("admin"))
    assert r.status_code == 405 and list(r.json()) == ["detail"]


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("date_filter=1y", "date_filter"),
        ("date_filter=custom&start_date=2026-03-01", "both start_date and end_date"),
        ("date_filter=custom&end_date=2026-03-01", "both start_date and end_date"),
        ("date_filter=custom&start_date=2026-03-31&end_date=2026-03-01", "after"),
        ("date_filter=custom&start_date=03/01/2026&end_date=2026-03-31", "yyyy-MM-dd"),
        ("date_filter=custom&start_date=2026-02-30&end_date=2026-03-31", "start_date"),
        ("date_filter=30d&start_date=yesterday", "start_date"),
        ("all_time=maybe", "all_time"),
        ("date_filter=7d&all_time=true", "not both"),
        ("date_filter=custom&start_date=1990-01-01&end_date=2026-03-31", "10 years"),
    ],
)
async def test_400_bad_periods(api, query, needle):
    assert needle in await api.error(f"/analytics/topics/?{query}&{ORG}", 400)


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("/analytics/topics/?date_filter=30d", "platform_key"),
        (f"/analytics/users/?{MARCH}", "metric"),
        (f"/analytics/users/?metric=everyone&{MARCH}", "registered_users"),
        (f"/analytics/conversations?metric=words&{MARCH}", "headline"),
        (f"/analytics/financial/?metric=yearly_costs&{MARCH}", "weekly_costs"),
        (f"/analytics/financial/details/?{MARCH}", "group_by"),
        (f"/analytics/financial/details/?group_by=country&{MARCH}", "group_by"),
        (f"/analytics/financial/details/?group_by=provider&metric=tokens&{MARCH}", "metric"),
        (f"/analytics/financial/details/?group_by=username&metrics=cost&{MARCH}", "metrics"),
        (f"/analytics/users/details/?limit=101&{MARCH}", "limit"),
        (f"/analytics/users/details/?limit=0&{MARCH}", "limit"),
        (f"/analytics/users/details/?page=0&{MARCH}", "page"),
        (f"/analytics/users/details/?page=two&{MARCH}", "page"),
        (f"/analytics/messages/?limit=1000&{MARCH}", "limit"),
        (f"/analytics/topics/details/?limit=500&{MARCH}", "limit"),
        (f"/analytics/sessions/?granularity=year&{MARCH}", "granularity"),
        (f"/analytics/topics/?{MARCH}&usergroup_ids=a,b", "usergroup_ids"),
        ("/analytics/learners/?date_filter=forever", "date_filter"),
    ],
)
async def test_400_bad_parameters(api, path, needle):
    assert needle in await api.error(path, 400)
