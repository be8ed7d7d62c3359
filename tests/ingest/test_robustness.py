"""Hostile input gets a 4xx with a message, never a 500."""

from __future__ import annotations

import pytest

EV = {
    "event_id": "e",
    "type": "view",
    "subject": {"type": "publication", "key": "ai-research-studio"},
    "ts": "2026-03-01T10:15:00Z",
}


@pytest.mark.parametrize(
    "event",
    [
        {**EV, "subject": {"type": "publication", "id": 2**64 - 1}},
        {**EV, "actor_id": -(2**63) - 1},
        {**EV, "dims": {"experience_type": {"nested": 1}}},
        {**EV, "attrs": {"x": "a\u0000b"}},
        {**EV, "event_id": "a\u0000b"},
        {**EV, "subject": {"type": "publication", "key": "x" * 10_000}},
        {**EV, "ts": "0001-01-01T00:00:00+05:00"},
        {**EV, "value": True},
        {**EV, "subject": "ai-research-studio"},
        {**EV, "subject": {"type": "thread", "id": True}},
        {**EV, "dims": []},
        {**EV, "attrs": "x"},
    ],
)
async def test_bad_events_are_422(client, world, event):
    r = await client.post("/v1/ingest/events", json=[event], headers=world.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["errors"][0]["reason"]


@pytest.mark.parametrize(
    "body",
    [
        {"users": "carol"},
        {"users": [{"username": "a\u0000"}]},
        {"users": [{"username": "x" * 151}]},
        {"users": [{"username": "ok", "roles": ["root"]}]},
        {"users": [{"username": "ok", "roles": ["admin", "admin"]}]},
        {"agents": [{"key": "k", "name": "n", "owner": "ada", "storage_mb": 2**70}]},
        {"agents": [{"key": "k", "name": "n", "owner": "ada", "copied_from": "k"}]},
        {"missions": [{"key": "m", "name": "n", "start_date": "soon", "end_date": "2026-01-01"}]},
        {
            "missions": [
                {
                    "key": "m",
                    "name": "n",
                    "start_date": "2026-01-01",
                    "end_date": "2026-01-01",
                    "kpis": {"x": "high"},
                }
            ]
        },
        {"messages": [{"role": "user", "content": "hi"}]},
        {"threads": [{"id": 1, "workspace": "nope", "user": "ada"}]},
        {"enrollments": [{"user": "ada", "course": "c", "grade": 7}]},
        {"audit_log": [{"ts": "2026-01-01T00:00:00Z", "action": "explode", "target_type": "x"}]},
        {"users": [[]]},
    ],
)
async def test_bad_entities_are_422(client, world, body):
    r = await client.post("/v1/ingest/entities", json=body, headers=world.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["errors"][0]["reason"]


async def test_non_object_entities_body_is_400(client, world):
    r = await client.post("/v1/ingest/entities", json=[1], headers=world.headers)
    assert r.status_code == 400
