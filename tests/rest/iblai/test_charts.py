"""Overview / Users / Topics charts, each requested as seed 003 shows it, with numbers
hand-counted from the learners world (see tests/learners/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

from gateway.ingest.writer import asyncpg_connection, write_events
from tests.learners.conftest import ev
from tests.rest.iblai.conftest import MARCH, NOW, ORG, nonzero

PERIOD_30D = {
    "date_filter": "30d", "start_date": "2026-03-02", "end_date": "2026-03-31",
    "timezone": "UTC",
}  # fmt: skip


def _kpi(value, previous, pct, direction="up"):
    return {
        "value": value, "previous_value": previous, "change": value - previous,
        "change_percentage": pct, "direction": direction,
    }  # fmt: skip


async def test_overview_kpis_org_wide_and_per_mentor(api):
    body = await api.ok(f"/analytics/topics/?date_filter=30d&{ORG}")
    assert body["period"] == PERIOD_30D
    assert body["mentor_unique_id"] is None
    # messages s1 2 + s2 2 + s3 3 + s4 1 (bot excluded) vs s0 1
    assert body["messages"] == _kpi(8, 1, 700.0)
    assert body["topics"] == _kpi(3, 1, 200.0)  # math, science, history | math
    assert body["conversations"] == _kpi(4, 1, 300.0)
    assert all(isinstance(body[k]["value"], int) for k in ("messages", "topics"))
    body = await api.ok(f"/analytics/topics/?date_filter=30d&{ORG}&mentor_unique_id=mentor-two")
    assert body["mentor_unique_id"] == "mentor-two"
    assert body["messages"] == _kpi(1, 0, None)  # s4; previous 0 -> no percentage
    assert body["conversations"]["value"] == 1


async def test_users_metrics(api):
    q = f"date_filter=30d&{ORG}"
    body = await api.ok(f"/analytics/users/?metric=registered_users&{q}")
    # created before 03-31 12:00: admin alice bob carol; before 03-02: not carol
    assert body == {"metric": "registered_users", "period": PERIOD_30D, **_kpi(4, 3, 33.33)}
    body = await api.ok(f"/analytics/users/?metric=active_users&{q}")
    assert body["value"] == 3 and body["previous_value"] == 1  # alice bob carol | alice
    body = await api.ok(f"/analytics/users/?metric=active_users_last_30d&{q}")
    assert (body["value"], body["previous_value"], body["direction"]) == (3, None, None)
    body = await api.ok(f"/analytics/users/?metric=currently_active&date_filter=today&{ORG}")
    assert body["value"] == 0 and body["period"]["date_filter"] == "today"


async def test_currently_active_counts_the_last_15_minutes(api, world, session):
    w = world
    rows = [
        ev(w.org.id, "message", "agent", w.mentors["m1"].id, NOW - timedelta(minutes=5),
           w.users["bob"].id),
        ev(w.org.id, "message", "agent", w.mentors["m1"].id, NOW - timedelta(minutes=20),
           w.users["carol"].id),
    ]  # fmt: skip
    await write_events(await asyncpg_connection(session), rows)
    body = await api.ok(f"/analytics/users/?metric=currently_active&date_filter=today&{ORG}")
    assert body["value"] == 1  # bob 5 min ago; carol's 20 min is too old


async def test_sessions_line_chart(api):
    body = await api.ok(f"/analytics/sessions/?date_filter=30d&{ORG}")
    assert (body["metric"], body["unit"], body["granularity"]) == ("sessions", "sessions", "day")
    assert body["total"] == 4 and len(body["results"]) == 30
    assert body["results"][0] == {"date": "2026-03-02", "value": 1}
    assert nonzero(body["results"]) == {
        "2026-03-02": 1, "2026-03-03": 1, "2026-03-04": 1, "2026-03-09": 1,
    }  # fmt: skip
    weekly = await api.ok(f"/analytics/sessions/?{MARCH}&granularity=week")
    # weeks from Monday 02-23: 03-02 week has s1 s3 s4, 03-09 week s2
    assert nonzero(weekly["results"]) == {"2026-03-02": 3, "2026-03-09": 1}


async def test_topics_bar_chart(api):
    body = await api.ok(f"/analytics/topics/details/?date_filter=30d&{ORG}")
    assert body["count"] == 3
    assert body["results"] == [
        {"topic": "math", "messages": 4, "sessions": 2},
        {"topic": "science", "messages": 3, "sessions": 1},
        {"topic": "history", "messages": 1, "sessions": 1},
    ]
    top = await api.ok(f"/analytics/topics/details/?date_filter=30d&{ORG}&limit=1")
    assert [t["topic"] for t in top["results"]] == ["math"]


async def test_access_time_heatmap(api):
    body = await api.ok(f"/analytics/time/?date_filter=30d&{ORG}")
    assert body["timezone"] == "UTC" and body["total"] == 8
    assert len(body["matrix"]) == 7 and all(len(r) == 24 for r in body["matrix"])
    # Mon 03-02 10h s1 2 + Mon 03-09 10h s2 2; Tue 03-03 14h s3 3; Wed 03-04 09h s4 1
    assert body["matrix"][0][10] == 4
    assert body["results"] == [
        {"day_of_week": 1, "day": "monday", "hour": 10, "messages": 4},
        {"day_of_week": 2, "day": "tuesday", "hour": 14, "messages": 3},
        {"day_of_week": 3, "day": "wednesday", "hour": 9, "messages": 1},
    ]


async def test_users_table_pages(api):
    path = f"/analytics/users/details/?date_filter=30d&page=1&limit=2&search=&{ORG}"
    body = await api.ok(path)
    assert body["count"] == 3 and body["previous"] is None
    assert body["next"].startswith("http://tally.test/dm/api/analytics/users/details/?")
    assert "page=2" in body["next"] and "limit=2" in body["next"]
    assert body["results"][0] == {
        "username": "alice", "name": "Alice", "email": "alice@example.com",
        "messages": 4, "sessions": 2, "total_costs": 1.0,  # 100 cents
        "last_active": "2026-03-09T10:35:00+00:00",
    }  # fmt: skip
    assert [(u["username"], u["total_costs"]) for u in body["results"]] == [
        ("alice", 1.0),
        ("bob", 0.5),
    ]
    page2 = await api.ok(path.replace("page=1", "page=2"))
    assert [u["username"] for u in page2["results"]] == ["carol"]
    assert page2["next"] is None and "page=" not in page2["previous"]
    found = await api.ok(f"/analytics/users/details/?date_filter=30d&search=bob&{ORG}")
    assert [u["username"] for u in found["results"]] == ["bob"]
    assert await api.error(path.replace("page=1", "page=3"), 404) == "Invalid page."


async def test_conversations_and_headline(api):
    body = await api.ok(f"/analytics/conversations?metric=conversations&date_filter=30d&{ORG}")
    assert body["metric"] == "conversations"
    assert (body["value"], body["previous_value"], body["direction"]) == (4, 1, "up")
    assert nonzero(body["results"])["2026-03-09"] == 1 and len(body["results"]) == 30
    slash = await api.ok(f"/analytics/conversations/?metric=conversations&date_filter=30d&{ORG}")
    assert slash == body
    head = await api.ok(f"/analytics/conversations?metric=headline&{ORG}")
    assert head == {
        "metric": "headline", "period": PERIOD_30D, "conversations": 4, "messages": 8,
        "users": 3, "average_messages_per_conversation": 2.0, "average_rating": 4.0,
    }  # fmt: skip


async def test_ratings(api):
    body = await api.ok(f"/analytics/ratings/?date_filter=30d&{ORG}")
    assert body["average_rating"] == 4.0 and body["count"] == 3  # 5, 3, 4
    assert body["distribution"] == [
        {"rating": r, "count": n} for r, n in ((1, 0), (2, 0), (3, 1), (4, 1), (5, 1))
    ]
    m1 = await api.ok(f"/analytics/ratings/?date_filter=30d&{ORG}&mentor_unique_id=mentor-ai-tutor")
    assert (m1["average_rating"], m1["count"]) == (4.0, 2)  # (5 + 3) / 2


async def test_user_groups_narrow_a_chart(api, world):
    g = world.group.id  # alice, carol
    body = await api.ok(f"/analytics/topics/?{MARCH}&usergroup_ids={g}")
    assert body["messages"]["value"] == 5 and body["conversations"]["value"] == 3
    body = await api.ok(f"/analytics/topics/?{MARCH}&usergroup_ids={g},{g}")
    assert body["messages"]["value"] == 5


async def test_counts_are_integers_in_every_chart(api):
    """JSON integers, not 4.0: the sessions chart, conversations, heatmap, topics, users."""
    sessions = await api.ok(f"/analytics/sessions/?date_filter=30d&{ORG}")
    assert type(sessions["total"]) is int and sessions["total"] == 4
    assert {type(p["value"]) for p in sessions["results"]} == {int}
    assert sum(p["value"] for p in sessions["results"]) == 4
    conv = await api.ok(f"/analytics/conversations?metric=conversations&date_filter=30d&{ORG}")
    assert {type(p["value"]) for p in conv["results"]} == {int}
    assert (conv["value"], type(conv["value"])) == (4, int)
    heat = await api.ok(f"/analytics/time/?date_filter=30d&{ORG}")
    assert (heat["total"], type(heat["total"])) == (8, int)  # 2 + 2 + 3 + 1 messages
    assert {type(v) for row in heat["matrix"] for v in row} == {int}
    by_user = await api.ok(
        f"/analytics/financial/details/?metrics=total_costs,sessions&group_by=username"
        f"&date_filter=30d&{ORG}"
    )
    assert {type(r["sessions"]) for r in by_user["results"]} == {int}
