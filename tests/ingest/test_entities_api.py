"""POST /v1/ingest/entities: upserts by natural key, child lists, lifecycle events once."""

from __future__ import annotations

from sqlalchemy import text

URL = "/v1/ingest/entities"
WS = "8360bf61-4604-4f22-99dc-2afa910fd8c7"


def payload() -> dict:
    return {
        "users": [
            {"username": "carol", "email": "carol@example.com", "roles": ["admin"]},
            {"username": "dave", "display_name": "Dave D."},
        ],
        "workspaces": [{"uuid": WS, "name": "Lab", "owner": "carol", "members": ["dave"]}],
        "publications": [
            {"custom_url": "studio-2", "name": "Studio", "owner": "carol", "co_creators": ["dave"]}
        ],
        "missions": [
            {
                "key": "msn_1",
                "name": "Launch",
                "start_date": "2026-01-01",
                "end_date": "2026-06-30",
                "kpis": {"impressions": 10000, "engagement_rate": 0.05},
                "budgets": [{"month": "2026-03", "limit_cents": 50000}],
            }
        ],
        "content": [
            {
                "key": "cnt_1",
                "mission": "msn_1",
                "platform": "twitter",
                "type": "post",
                "published_at": "2026-03-02T09:00:00Z",
            },
            {
                "key": "cnt_2",
                "mission": "msn_1",
                "platform": "linkedin",
                "type": "post",
                "status": "draft",
            },
        ],
        "agents": [
            # the copy comes first: it waits for its source in the same batch
            {
                "key": "a2",
                "name": "Copy",
                "owner": "dave",
                "copied_from": "a1",
                "created_at": "2026-03-05T00:00:00Z",
            },
            {
                "key": "a1",
                "name": "Tutor",
                "owner": "carol",
                "workspace": WS,
                "kind": "mentor",
                "created_at": "2026-03-01T12:00:00Z",
            },
        ],
        "threads": [
            {"id": 900001, "workspace": WS, "user": "dave", "agent": "a1"},
            {"workspace": WS, "user": "carol"},
        ],
        "messages": [
            {"id": 800001, "thread": 900001, "role": "user", "content": "hi", "user": "dave"}
        ],
        "courses": [{"key": "course-v1:org+CS101+2026", "name": "CS101"}],
        "programs": [{"key": "p1", "name": "Program", "courses": ["course-v1:org+CS101+2026"]}],
        "enrollments": [{"user": "dave", "course": "course-v1:org+CS101+2026", "progress": 0.5}],
        "fans": [{"artist": "carol", "fan_id": 42, "first_seen_at": "2026-01-01T00:00:00Z"}],
        "audit_log": [
            {
                "id": 700001,
                "ts": "2026-03-01T00:00:00Z",
                "action": "update",
                "target_type": "agent",
                "actor": "carol",
                "agent": "a1",
                "changes": {"name": ["A", "Tutor"]},
            }
        ],
    }


async def _scalar(session, sql: str, **params):
    return (await session.execute(text(sql), params)).scalar()


async def test_create_then_resend_then_update(client, session, world):
    r = await client.post(URL, json=payload(), headers=world.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["created"] == {
        "users": 2,
        "workspaces": 1,
        "publications": 1,
        "missions": 1,
        "content": 2,
        "agents": 2,
        "threads": 2,
        "messages": 1,
        "courses": 1,
        "programs": 1,
        "enrollments": 1,
        "fans": 1,
        "audit_log": 1,
    }
    assert set(body["updated"].values()) == {0}
    thread_ids = body["ids"]["threads"]
    assert thread_ids[0] == 900001 and thread_ids[1] > 900001  # sequence kept ahead
    org = world.org.id

    events = """SELECT event_id, type, subject_type, subject_id, ts AT TIME ZONE 'UTC', actor_id
                FROM events WHERE org_id = :o ORDER BY event_id"""
    rows = (await session.execute(text(events), {"o": org})).all()
    ids = dict(
        (
            await session.execute(text("SELECT key, id FROM agents WHERE org_id = :o"), {"o": org})
        ).all()
    )
    users = dict(
        (
            await session.execute(
                text("SELECT username, id FROM users WHERE org_id = :o"), {"o": org}
            )
        ).all()
    )
    cnt1 = await _scalar(
        session, "SELECT id FROM content WHERE key = 'cnt_1' AND org_id = :o", o=org
    )
    assert [(r[0], r[1], r[2], r[3], r[4].isoformat(), r[5]) for r in rows] == [
        (
            "entity:agent:a1:created",
            "created",
            "agent",
            ids["a1"],
            "2026-03-01T12:00:00",
            users["carol"],
        ),
        (
            "entity:agent:a2:copied",
            "copied",
            "agent",
            ids["a1"],
            "2026-03-05T00:00:00",
            users["dave"],
        ),
        (
            "entity:agent:a2:created",
            "created",
            "agent",
            ids["a2"],
            "2026-03-05T00:00:00",
            users["dave"],
        ),
        ("entity:content:cnt_1:publish", "publish", "content", cnt1, "2026-03-02T09:00:00", None),
        *(
            (
                f"entity:thread:{tid}:created",
                "created",
                "thread",
                tid,
                rows[4 + i][4].isoformat(),
                uid,
            )
            for i, (tid, uid) in enumerate(
                zip(thread_ids, (users["dave"], users["carol"]), strict=True)
            )
        ),
    ]
    assert await _scalar(session, "SELECT count(*) FROM copies WHERE org_id = :o", o=org) == 1
    assert await _scalar(session, "SELECT count(*) FROM mission_kpis WHERE org_id = :o", o=org) == 2
    assert (
        await _scalar(
            session,
            "SELECT role FROM user_roles WHERE org_id = :o AND user_id = :u",
            o=org,
            u=users["carol"],
        )
        == "admin"
    )
    assert (
        await _scalar(
            session,
            "SELECT display_name FROM users WHERE org_id = :o AND username = 'carol'",
            o=org,
        )
        == "carol"
    )

    # same payload again: all updates (threads without id are new rows by design)
    again = payload()
    again["threads"] = again["threads"][:1]
    r = await client.post(URL, json=again, headers=world.headers)
    assert r.status_code == 200, r.text
    assert set(r.json()["created"].values()) == {0}
    assert r.json()["updated"]["agents"] == 2 and r.json()["updated"]["users"] == 2
    assert await _scalar(session, "SELECT count(*) FROM events WHERE org_id = :o", o=org) == 6
    assert await _scalar(session, "SELECT count(*) FROM copies WHERE org_id = :o", o=org) == 1
    assert await _scalar(session, "SELECT count(*) FROM budgets WHERE org_id = :o", o=org) == 1

    # partial update: omitted optional fields are kept, a sent child list replaces
    r = await client.post(
        URL,
        json={
            "users": [{"username": "dave", "email": "d@example.com"}],
            "publications": [
                {"custom_url": "studio-2", "name": "Studio 2", "owner": "carol", "co_creators": []}
            ],
        },
        headers=world.headers,
    )
    assert r.json()["updated"] == {"users": 1, "publications": 1}
    assert (
        await session.execute(
            text("SELECT display_name, email FROM users WHERE org_id = :o AND username = 'dave'"),
            {"o": org},
        )
    ).one() == ("Dave D.", "d@example.com")
    assert (
        await _scalar(
            session, "SELECT count(*) FROM publication_cocreators WHERE org_id = :o", o=org
        )
        == 0
    )


async def test_invalid_records_are_reported_and_nothing_is_written(client, session, world):
    bad = {
        "users": [{"username": "erin"}, {"username": "erin"}, {"email": "x"}],
        "publications": [
            {"custom_url": "p", "name": "P", "owner": "nobody"},
            {"custom_url": "q", "name": "Q", "owner": "erin", "color": "red"},
        ],
        "agents": [{"key": "k", "name": "K", "owner": "erin", "kind": "robot"}],
    }
    r = await client.post(URL, json=bad, headers=world.headers)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_entities"
    got = {(e["collection"], e["index"]): e["reason"] for e in err["errors"]}
    assert sorted(got) == [("agents", 0), ("publications", 1), ("users", 1), ("users", 2)]
    assert "duplicate of record 0" in got[("users", 1)]
    assert "'username' is required" in got[("users", 2)]
    assert "unknown field(s) 'color'" in got[("publications", 1)]
    assert "platform, mentor, athena" in got[("agents", 0)]

    # static checks pass; the owner reference does not resolve
    r = await client.post(
        URL,
        json={
            "users": [{"username": "erin"}],
            "publications": [{"custom_url": "p", "name": "P", "owner": "nobody"}],
        },
        headers=world.headers,
    )
    assert r.status_code == 422
    (only,) = r.json()["error"]["errors"]
    assert only == {
        "collection": "publications",
        "index": 0,
        "key": "p",
        "reason": "'owner': no user with username 'nobody' in this org",
    }
    n = await _scalar(session, "SELECT count(*) FROM users WHERE username = 'erin'")
    assert n == 0  # erin was valid but the request is all-or-nothing

    r = await client.post(URL, json={"planets": []}, headers=world.headers)
    assert r.status_code == 422 and "unknown collection 'planets'" in r.text


async def test_entities_require_admin(client, world):
    r = await client.post(URL, json={"users": []}, headers=world.member_headers)
    assert r.status_code == 403


async def test_budgets_for_org_and_mission_upsert(client, session, world):
    await client.post(
        URL,
        json={
            "missions": [
                {"key": "m", "name": "M", "start_date": "2026-01-01", "end_date": "2026-12-31"}
            ]
        },
        headers=world.headers,
    )
    body = {
        "budgets": [
            {"month": "2026-03", "limit_cents": 100},
            {"mission": "m", "month": "2026-03-01", "limit_cents": 50},
        ]
    }
    r = await client.post(URL, json=body, headers=world.headers)
    assert r.json()["created"] == {"budgets": 2}
    body["budgets"][0]["limit_cents"] = 300
    r = await client.post(URL, json=body, headers=world.headers)
    assert r.json()["updated"] == {"budgets": 2}
    rows = (
        await session.execute(
            text(
                "SELECT mission_id IS NULL, month::text, limit_cents FROM budgets "
                "WHERE org_id = :o ORDER BY 1"
            ),
            {"o": world.org.id},
        )
    ).all()
    assert rows == [(False, "2026-03-01", 50), (True, "2026-03-01", 300)]
    r = await client.post(URL, json={"budgets": [body["budgets"][0]] * 2}, headers=world.headers)
    assert r.status_code == 422 and "duplicate of record 0" in r.text
