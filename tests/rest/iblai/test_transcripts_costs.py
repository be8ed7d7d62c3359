"""Transcripts (list and one) and Costs (USD), requested as seed 003 shows them."""

from __future__ import annotations

from tests.rest.iblai.conftest import MARCH, ORG, nonzero


async def test_transcript_list(api):
    body = await api.ok(
        f"/analytics/messages/?search=&topic=&page=1&limit=20&date_filter=30d&{ORG}"
    )
    # sessions with stored messages: s3 (03-03) then s1 (03-02), newest first
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert body["results"][0] == {
        "session_id": "sess-s3", "username": "bob", "name": "Bob",
        "mentor_unique_id": "mentor-ai-tutor", "mentor_name": "AI Tutor", "topic": "science",
        "message_count": 3, "started_at": "2026-03-03T14:00:00+00:00",
        "ended_at": "2026-03-03T14:05:00+00:00",
    }  # fmt: skip
    assert body["results"][1]["session_id"] == "sess-s1"
    alice = await api.ok(f"/analytics/messages/?search=alice&page=1&limit=20&date_filter=30d&{ORG}")
    assert [s["session_id"] for s in alice["results"]] == ["sess-s1"]
    science = await api.ok(f"/analytics/messages/?topic=science&date_filter=30d&{ORG}")
    assert [s["session_id"] for s in science["results"]] == ["sess-s3"]
    paged = await api.ok(f"/analytics/messages/?page=2&limit=1&date_filter=30d&{ORG}")
    assert [s["session_id"] for s in paged["results"]] == ["sess-s1"]
    assert paged["next"] is None and paged["previous"] is not None


async def test_one_transcript(api):
    body = await api.ok(f"/analytics/messages/details/?session_id=sess-s3&{ORG}")
    assert body["session_id"] == "sess-s3" and body["message_count"] == 3
    # inserted third, first, second; first and second share an instant: ties by id
    assert [(m["role"], m["content"]) for m in body["messages"]] == [
        ("user", "first"), ("assistant", "second"), ("assistant", "third"),
    ]  # fmt: skip
    assert body["messages"][2]["created_at"] == "2026-03-03T14:02:00+00:00"
    # another mentor's session is not in a mentor's scope
    path = f"/analytics/messages/details/?session_id=sess-s4&{ORG}&mentor_unique_id=mentor-ai-tutor"
    assert await api.error(path, 404) == "No chat session 'sess-s4' in this scope."
    assert "session_id" in await api.error(f"/analytics/messages/details/?{ORG}", 400)


async def test_costs_weekly_monthly_total_all_time(api):
    weekly = await api.ok(f"/analytics/financial/?metric=weekly_costs&date_filter=all_time&{ORG}")
    assert (weekly["unit"], weekly["all_time"], weekly["granularity"]) == ("USD", True, "week")
    assert weekly["total"] == 2.0  # 20 + 100 + 50 + 30 cents
    assert nonzero(weekly["results"]) == {"2026-02-16": 0.2, "2026-03-02": 1.8}
    monthly = await api.ok(f"/analytics/financial/?metric=monthly_costs&date_filter=all_time&{ORG}")
    assert nonzero(monthly["results"]) == {"2026-02-01": 0.2, "2026-03-01": 1.8}
    total = await api.ok(f"/analytics/financial/?metric=total_costs&all_time=true&{ORG}")
    assert (total["total"], total["results"], total["granularity"]) == (2.0, [], None)
    assert total["previous_total"] is None


async def test_cost_per_day(api):
    body = await api.ok(f"/analytics/financial/?metric=total_costs&date_filter=30d&{ORG}")
    assert (body["all_time"], body["granularity"], body["unit"]) == (False, "day", "USD")
    assert (body["total"], body["previous_total"]) == (1.8, 0.2)  # March | s0 02-20
    assert body["change_percentage"] == 800.0
    assert nonzero(body["results"]) == {"2026-03-02": 1.0, "2026-03-03": 0.5, "2026-03-04": 0.3}
    weekly = await api.ok(f"/analytics/financial/?metric=weekly_costs&{MARCH}")
    assert weekly["granularity"] == "week" and nonzero(weekly["results"]) == {"2026-03-02": 1.8}


async def test_costs_by_provider_user_and_model(api):
    body = await api.ok(f"/analytics/financial/details/?group_by=provider&date_filter=30d&{ORG}")
    assert (body["group_by"], body["unit"], body["count"]) == ("provider", "USD", 2)
    assert body["results"] == [
        {"provider": "openai", "total_costs": 1.3, "llm_calls": 2, "tokens": 1000},
        {"provider": "anthropic", "total_costs": 0.5, "llm_calls": 1, "tokens": 0},
    ]
    path = (
        "/analytics/financial/details/?metrics=total_costs,sessions&group_by=username"
        f"&date_filter=30d&page=1&limit=2&search=&{ORG}"
    )
    users = await api.ok(path)
    assert users["count"] == 3 and "page=2" in users["next"]
    assert users["results"] == [
        {"username": "alice", "name": "Alice", "email": "alice@example.com",
         "total_costs": 1.0, "sessions": 2},
        {"username": "bob", "name": "Bob", "email": "bob@example.com",
         "total_costs": 0.5, "sessions": 1},
    ]  # fmt: skip
    only = await api.ok(path.replace("total_costs,sessions", "sessions"))
    assert "total_costs" not in only["results"][0] and only["results"][0]["sessions"] == 2
    models = await api.ok(
        f"/analytics/financial/details/?metric=total_costs&group_by=llm_model&date_filter=30d&{ORG}"
    )
    assert [(m["llm_model"], m["total_costs"]) for m in models["results"]] == [
        ("gpt-4o", 1.0), ("claude-sonnet-4", 0.5), ("gpt-4o-mini", 0.3),
    ]  # fmt: skip


async def test_all_time_starts_at_the_orgs_first_cost(api):
    # the first cost is s0 on 2026-02-20 (a Friday, week of Monday 02-16); now = 03-31
    weekly = await api.ok(f"/analytics/financial/?metric=weekly_costs&date_filter=all_time&{ORG}")
    assert [p["date"] for p in weekly["results"]] == [
        "2026-02-16", "2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23",
        "2026-03-30",
    ]  # fmt: skip
    assert weekly["period"]["start_date"] == "2026-02-20"
    assert weekly["period"]["end_date"] == "2026-03-31"
    monthly = await api.ok(f"/analytics/financial/?metric=monthly_costs&date_filter=all_time&{ORG}")
    assert [p["date"] for p in monthly["results"]] == ["2026-02-01", "2026-03-01"]
    assert [p["value"] for p in monthly["results"]] == [0.2, 1.8]
