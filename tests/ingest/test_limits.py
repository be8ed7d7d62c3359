"""413 on too many events / records and on too many bytes (small limits for this module)."""

from __future__ import annotations

import orjson
import pytest

from gateway.config import Settings

URL = "/v1/ingest/events"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url="postgresql://unused/unused",
        ingest_max_events=3,
        ingest_max_bytes=2_000,
    )


def view(i: int) -> dict:
    return {
        "event_id": f"v{i}",
        "type": "view",
        "subject": {"type": "publication", "key": "ai-research-studio"},
        "ts": "2026-03-01T10:15:00Z",
    }


async def test_at_the_event_limit_is_fine(client, world):
    r = await client.post(URL, json=[view(i) for i in range(3)], headers=world.headers)
    assert r.status_code == 200, r.text


async def test_too_many_events(client, world):
    r = await client.post(URL, json=[view(i) for i in range(4)], headers=world.headers)
    assert r.status_code == 413
    err = r.json()["error"]
    assert err["code"] == "payload_too_large"
    assert "4 events" in err["message"] and "limit is 3" in err["message"]


async def test_too_many_ndjson_lines(client, world):
    body = b"\n".join(orjson.dumps(view(i)) for i in range(4))
    headers = {**world.headers, "Content-Type": "application/x-ndjson"}
    r = await client.post(URL, content=body, headers=headers)
    assert r.status_code == 413


async def test_too_many_bytes_by_content_length(client, world):
    body = orjson.dumps([{**view(1), "attrs": {"pad": "x" * 3_000}}])
    r = await client.post(URL, content=body, headers=world.headers)
    assert r.status_code == 413
    assert "2,000-byte limit" in r.json()["error"]["message"]


async def test_too_many_bytes_streamed_without_content_length(client, world):
    async def chunks():
        for _ in range(5):
            yield b" " * 500  # whitespace: valid JSON padding, but too much of it
        yield orjson.dumps([view(1)])

    r = await client.post(URL, content=chunks(), headers=world.headers)
    assert r.status_code == 413


async def test_too_many_entity_records(client, world):
    users = [{"username": f"u{i}"} for i in range(4)]
    r = await client.post("/v1/ingest/entities", json={"users": users}, headers=world.headers)
    assert r.status_code == 413
    assert "4 records" in r.json()["error"]["message"]
