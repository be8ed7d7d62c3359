"""User analytics (admin or self), the course / program breakdowns and the audit log."""

from __future__ import annotations

from pytest import approx

from tests.rest.iblai.conftest import MARCH

LEARNER_Q = "start_date=2026-03-01&end_date=2026-03-31&date_filter=custom"
AUDIT = "/ai-mentor/orgs/acme/users/admin/mentors/audit-logs/"


async def test_unified_learner_analytics(api):
    body = await api.ok(f"/analytics/learners/?username=alice&limit=10&page=1&{LEARNER_Q}")
    assert body["user"] == {
        "username": "alice", "name": "Alice", "email": "alice@example.com",
        "date_joined": "2026-01-10T00:00:00+00:00",
    }  # fmt: skip
    assert body["period"]["start_date"] == "2026-03-01"
    totals = {
        "enrollments": 2, "completed": 1, "in_progress": 1,
        "average_grade": approx(0.9), "average_progress": approx(0.65),
        "last_access": "2026-03-20T00:00:00+00:00",
        "time_spent_seconds": 900,  # c1 600 + c2 300 (February's 100 excluded)
        "engagement": 2, "messages": 4, "sessions": 2,
    }  # fmt: skip
    assert body["summary"] == totals
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    assert body["results"] == [
        {"platform_key": "acme", "platform_name": body["results"][0]["platform_name"], **totals}
    ]
    # the documented request with empty dates and a rolling filter; self access
    own = await api.ok(
        "/analytics/learners/?username=alice&limit=10&page=1&start_date=&end_date=&date_filter=30d",
        as_="alice",
    )
    assert own["summary"]["messages"] == 4 and own["period"]["date_filter"] == "30d"
    me = await api.ok("/analytics/learners/", as_="bob")
    assert me["user"]["username"] == "bob" and me["summary"]["time_spent_seconds"] == 1200


async def test_learner_reading_another_learner_is_forbidden(api):
    path = f"/analytics/learners/?username=bob&{LEARNER_Q}"
    detail = await api.error(path, 403, as_="alice")
    assert detail == "You do not have permission to perform this action."
    await api.error(f"/analytics/learner/details?username=bob&{LEARNER_Q}", 403, as_="alice")
    assert await api.error(f"/analytics/learners/?username=nobody&{LEARNER_Q}", 404) == (
        "No user 'nobody' in this org."
    )


async def test_learner_details_per_course(api):
    path = (
        f"/analytics/learner/details?username=alice&{LEARNER_Q}&metrics=grade,time_spent,engagement"
    )
    body = await api.ok(path)
    assert body["metrics"] == ["grade", "time_spent", "engagement"] and body["count"] == 2
    assert body["results"] == [
        {"course_id": "course-v1:acme+CS101+2026", "course_name": "CS", "grade": 0.9,
         "time_spent_seconds": 600, "activities": 2, "last_access": "2026-03-10T00:00:00+00:00"},
        {"course_id": "course-v1:acme+DS201+2026", "course_name": "DS", "grade": None,
         "time_spent_seconds": 300, "activities": 0, "last_access": "2026-03-20T00:00:00+00:00"},
    ]  # fmt: skip
    full = await api.ok(f"/analytics/learner/details/?username=alice&{LEARNER_Q}", as_="alice")
    row = full["results"][0]
    assert (row["completed"], row["progress"], row["enrolled_at"]) == (
        True, 1.0, "2026-01-05T00:00:00+00:00",
    )  # fmt: skip
    assert "metrics" in await api.error("/analytics/learner/details?metrics=grade,iq", 400)


async def test_course_breakdown(api):
    body = await api.ok(f"/analytics/courses/details/?{MARCH}")
    assert body["count"] == 2 and body["period"]["end_date"] == "2026-03-31"
    cs = body["results"][0]
    assert cs == {
        "course_id": "course-v1:acme+CS101+2026", "name": "CS", "enrollments": 2,
        "completions": 1, "learners": 2, "new_enrollments": 0, "completions_in_period": 1,
        "average_grade": approx(0.8), "average_progress": approx(0.75),
        "completion_rate": 50.0, "time_spent_seconds": 1800, "activities": 3,
        "active_learners": 2,
    }  # fmt: skip
    found = await api.ok(f"/analytics/courses/details/?{MARCH}&search=ds2")
    assert [c["name"] for c in found["results"]] == ["DS"]
    detail = await api.error(
        f"/analytics/courses/details/?{MARCH}&mentor_unique_id=mentor-two", 400
    )
    assert "org-wide" in detail


async def test_program_breakdown(api, world):
    body = await api.ok(f"/analytics/programs/details/?{MARCH}&page=1&limit=1")
    assert body["count"] == 2 and "page=2" in body["next"]
    p1 = body["results"][0]
    assert (p1["program_id"], p1["course_count"], p1["course_ids"]) == (
        "program-v1:acme+p1", 2, ["course-v1:acme+CS101+2026", "course-v1:acme+DS201+2026"],
    )  # fmt: skip
    assert (p1["enrollments"], p1["learners"], p1["time_spent_seconds"]) == (4, 3, 3000)
    g = await api.ok(f"/analytics/programs/details/?{MARCH}&usergroup_ids={world.group.id}")
    assert g["results"][0]["enrollments"] == 3  # alice c1 c2, carol c2


async def test_audit_log(api):
    body = await api.ok(f"{AUDIT}?limit=20")
    assert (body["count"], body["next"], body["previous"]) == (4, None, None)
    assert [e["target_id"] for e in body["results"]] == ["e4", "e3", "e2", "e1"]
    e3 = body["results"][1]
    assert e3 == {
        "id": e3["id"], "timestamp": "2026-03-06T09:00:00+00:00", "action": 2,
        "action_display": "delete", "actor_username": "admin",
        "actor_email": "admin@example.com", "mentor_unique_id": "mentor-two",
        "mentor_name": "Mentor Two", "target_type": "mentor", "target_id": "e3",
        "changes": {"entry": "e3"},
    }  # fmt: skip
    assert isinstance(e3["id"], int)
    page = await api.ok(f"{AUDIT}?limit=2&offset=1&mentor=mentor-ai-tutor")
    assert [e["target_id"] for e in page["results"]] == ["e2", "e1"] and page["count"] == 3
    assert page["next"] is None and "offset" not in page["previous"]
    first = await api.ok(f"{AUDIT}?limit=1&offset=0")
    assert "offset=1" in first["next"] and "limit=1" in first["next"]
    filtered = await api.ok(
        f"{AUDIT}?limit=20&action=1&actor_email=admin@example.com&from_date=2026-03-01&to_date=2026-03-07"
    )
    assert [e["target_id"] for e in filtered["results"]] == ["e4"]
    dated = await api.ok(f"{AUDIT}?from_date=2026-03-05&to_date=2026-03-06")
    assert [e["target_id"] for e in dated["results"]] == ["e3", "e2"]


async def test_audit_log_errors(api):
    assert "action" in await api.error(f"{AUDIT}?action=3", 400)
    assert "from_date" in await api.error(f"{AUDIT}?from_date=2026-03-07&to_date=2026-03-01", 400)
    assert "limit" in await api.error(f"{AUDIT}?limit=101", 400)
    assert "offset" in await api.error(f"{AUDIT}?offset=-1", 400)
    assert await api.error(f"{AUDIT}?mentor=ghost", 404) == (
        "No mentor with unique id 'ghost' in this org."
    )
    await api.error("/ai-mentor/orgs/other/users/admin/mentors/audit-logs/", 404)
    await api.error("/ai-mentor/orgs/acme/users/alice/mentors/audit-logs/", 403)
    await api.error("/ai-mentor/orgs/acme/users/alice/mentors/audit-logs/", 403, as_="alice")
