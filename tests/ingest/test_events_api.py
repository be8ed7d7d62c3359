"""POST /v1/ingest/events: idempotency, exact rollups, validation, auth, NDJSON."""

from __future__ import annotations

import orjson
from sqlalchemy import text

from gateway.ingest.rollups import rebuild_on
from gateway.ingest.writer import asyncpg_connection

URL = "/v1/ingest/events"


def view(i: int, ts: str = "2026-03-01T10:15:00Z", **kw) -> dict:
    return {
        "event_id": f"v{i}",
        "type": "view",
        "subject": {"type": "publication", "key": "ai-research-studio"},
        "ts": ts,
        **kw,
    }


async def _counts(session, org_id: int) -> dict:
    q = lambda sql: session.execute(text(sql), {"o": org_id})  # noqa: E731
    events = (await q("SELECT count(*) FROM events WHERE org_id = :o")).scalar()
    hourly = (
        await q(
            "SELECT type, bucket, dims::text, n, total FROM rollup_hourly WHERE org_id = :o "
            "ORDER BY 1, 2, 3"
        )
    ).all()
    daily = (
        await q(
            "SELECT type, day, actor_id, n, total FROM rollup_daily_actor WHERE org_id = :o "
            "ORDER BY 1, 2, 3"
        )
    ).all()
    return {"events": events, "hourly": hourly, "daily": daily}


async def test_same_batch_twice_is_idempotent(client, session, world):
    batch = [view(1, actor="ada"), view(2, actor="bob"), view(3, ts="2026-03-01T10:59:59+00:00")]
    r = await client.post(URL, json=batch, headers=world.headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"received": 3, "new": 3, "duplicates": 0}
    first = await _counts(session, world.org.id)

    r = await client.post(URL, json=batch, headers=world.headers)
    assert r.json() == {"received": 3, "new": 0, "duplicates": 3}
    second = await _counts(session, world.org.id)
    assert second == first
    assert first["events"] == 3
    # all three in the 10:00 UTC hour, no dims
    assert [(row.n, row.total) for row in first["hourly"]] == [(3, 3.0)]
    assert sorted(row.actor_id for row in first["daily"]) == sorted(
        [world.admin.id, world.member.id]
    )


async def test_duplicates_inside_one_batch_count_once(client, world):
    r = await client.post(URL, json=[view(1), view(1), view(2)], headers=world.headers)
    assert r.json() == {"received": 3, "new": 2, "duplicates": 1}


async def test_rollups_equal_raw_events_after_late_and_duplicate_events(client, session, world):
    mission = await _mission(session, world)
    cost = lambda i, ts, v, model: {  # noqa: E731
        "event_id": f"c{i}",
        "type": "cost",
        "subject": {"type": "mission", "key": mission},
        "ts": ts,
        "value": v,
        "dims": {"provider": "openai", "model": model},
    }
    first = [
        view(1),
        view(2, ts="2026-03-02T08:00:00+02:00"),
        cost(1, "2026-03-02T06:10:00Z", 12.5, "a"),
    ]
    late = [view(3, ts="2026-02-20T23:30:00-05:00"), cost(2, "2026-02-27T01:00:00Z", 7, "b")]
    dupes = [*first, *late, cost(1, "2026-03-02T06:10:00Z", 999, "a")]  # c1 again: ignored
    for batch in (first, late, dupes):
        r = await client.post(URL, json=batch, headers=world.headers)
        assert r.status_code == 200, r.text
    assert r.json() == {"received": 6, "new": 0, "duplicates": 6}

    per_type = """
        SELECT type, sum(n)::bigint, sum(total) FROM rollup_hourly WHERE org_id = :o
        GROUP BY type ORDER BY type
    """
    raw = """
        SELECT type, count(*)::bigint, sum(value) FROM events WHERE org_id = :o
        GROUP BY type ORDER BY type
    """
    rolled = (await session.execute(text(per_type), {"o": world.org.id})).all()
    counted = (await session.execute(text(raw), {"o": world.org.id})).all()
    assert rolled == counted == [("cost", 2, 19.5), ("view", 3, 3.0)]

    # the late view (2026-02-21 04:30 UTC) sits in its own old bucket
    buckets = (
        await session.execute(
            text(
                "SELECT bucket AT TIME ZONE 'UTC' FROM rollup_hourly WHERE org_id = :o "
                "AND type = 'view' ORDER BY 1"
            ),
            {"o": world.org.id},
        )
    ).scalars()
    assert [b.isoformat() for b in buckets] == [
        "2026-02-21T04:00:00",
        "2026-03-01T10:00:00",
        "2026-03-02T06:00:00",
    ]

    before = await _counts(session, world.org.id)
    assert await rebuild_on(await asyncpg_connection(session), world.org.id) == 5
    assert await _counts(session, world.org.id) == before


async def _mission(session, world) -> str:
    from tests.factories import Factory

    m = await Factory(session).mission(world.org, "msn_2xK9mPqR4vN8sT3w")
    return m.key


async def test_invalid_events_are_all_reported_and_nothing_is_written(client, session, world):
    batch = [
        view(0),  # fine
        view(1, type="vieww"),
        view(2, dims={"country": "NL"}),
        {**view(3), "subject": {"type": "publication", "key": "nope"}},
        view(4, ts="2026-03-01T10:15:00"),
        view(5, value="1"),
        {
            "type": "play",
            "subject": {"type": "publication", "key": "ai-research-studio"},
            "ts": "2026-03-01T10:15:00Z",
            "event_id": "p6",
        },
        view(7, actor="ghost"),
        "not an object",
        view(9, ts="yesterday"),
        {**view(10), "event_id": "x" * 201},
    ]
    r = await client.post(URL, json=batch, headers=world.headers)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_events"
    assert "nothing was written" in err["message"]
    reasons = {e["index"]: e["reason"] for e in err["errors"]}
    assert sorted(reasons) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert "unknown type 'vieww'" in reasons[1] and "view, like, bookmark" in reasons[1]
    assert "'country'" in reasons[2] and "experience_type" in reasons[2]
    assert "attrs" in reasons[2]
    assert "no publication with custom_url 'nope'" in reasons[3]
    assert "no UTC offset" in reasons[4]
    assert "'value' must be a number" in reasons[5]
    assert "actor is required" in reasons[6]
    assert "no user 'ghost'" in reasons[7]
    assert "JSON object" in reasons[8]
    assert "not an ISO-8601" in reasons[9]
    assert "limit is 200" in reasons[10]
    assert err["errors"][0]["event_id"] == "v1"
    n = (await session.execute(text("SELECT count(*) FROM events"))).scalar()
    assert n == 0


async def test_subject_by_id_thread_and_actor_id(client, world):
    batch = [
        {**view(1), "subject": {"type": "publication", "id": world.pub.id}},
        {
            "event_id": "s1",
            "type": "stream",
            "subject": {"type": "user", "key": "ada"},
            "ts": "2026-03-01T00:00:00Z",
            "actor_id": 987654,
            "dims": {"platform": "spotify"},
        },
        {
            "event_id": "t1",
            "type": "message",
            "subject": {"type": "thread", "key": "x"},
            "ts": "2026-03-01T00:00:00Z",
        },
    ]
    r = await client.post(URL, json=batch, headers=world.headers)
    assert r.status_code == 422
    (only,) = r.json()["error"]["errors"]
    assert only["index"] == 2 and "addressed by 'id'" in only["reason"]
    r = await client.post(URL, json=batch[:2], headers=world.headers)
    assert r.json()["new"] == 2


async def test_other_orgs_subjects_are_not_found(client, factory, world):
    other = await factory.org()
    owner = await factory.user(other)
    theirs = await factory.publication(owner, "theirs")
    batch = [
        {**view(1), "subject": {"type": "publication", "id": theirs.id}},
        {**view(2), "org": other.key},
    ]
    r = await client.post(URL, json=batch, headers=world.headers)
    errors = r.json()["error"]["errors"]
    assert [e["index"] for e in errors] == [0, 1]
    assert f"no publication with id {theirs.id}" in errors[0]["reason"]
    assert "caller's org" in errors[1]["reason"]


async def test_ndjson_body(client, session, world):
    body = b"\n".join(orjson.dumps(view(i)) for i in range(3)) + b"\n\n"
    headers = {**world.headers, "Content-Type": "application/x-ndjson"}
    r = await client.post(URL, content=body, headers=headers)
    assert r.json() == {"received": 3, "new": 3, "duplicates": 0}
    bad = orjson.dumps(view(9)) + b"\n{oops\n"
    r = await client.post(URL, content=bad, headers=headers)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "malformed_json"
    assert "line 2" in r.json()["error"]["message"]


async def test_malformed_json_array(client, world):
    r = await client.post(URL, content=b'[{"event_id": "a",\n ]', headers=world.headers)
    assert r.status_code == 400
    msg = r.json()["error"]["message"]
    assert "line 2, column" in msg
    r = await client.post(URL, json={"event_id": "a"}, headers=world.headers)
    assert r.status_code == 400 and "JSON array" in r.json()["error"]["message"]


async def test_auth(client, world):
    r = await client.post(URL, json=[view(1)])
    assert r.status_code == 401
    r = await client.post(URL, json=[view(1)], headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    r = await client.post(URL, json=[view(1)], headers=world.member_headers)
    assert r.status_code == 403
    assert "admin role" in r.json()["error"]["message"]


async def test_keys_are_resolved_in_one_round_trip(client, world, monkeypatch):
    from gateway.ingest import validate

    calls: list[list[str]] = []
    real = validate.resolve_many

    async def counting(conn, lookups):
        calls.append([entity for entity, _, _ in lookups])
        return await real(conn, lookups)

    monkeypatch.setattr(validate, "resolve_many", counting)
    uptime = lambda i: {  # noqa: E731
        "event_id": f"u{i}",
        "type": "uptime",
        "subject": {"type": "org", "key": world.org.key},
        "ts": f"2026-03-01T{i:02d}:00:00Z",
        "value": 0.99,
    }
    batch = [*(view(i, actor="bob") for i in range(40)), *(uptime(i) for i in range(20))]
    r = await client.post(URL, json=batch, headers=world.headers)
    assert r.json() == {"received": 60, "new": 60, "duplicates": 0}
    # one statement for both subject types and the actors
    assert len(calls) == 1 and sorted(calls[0]) == ["org", "publication", "user"]
