"""Data reports: generate (POST …/new with the documented body), list, poll, run (the
jobs service, inline), download the CSV from the presigned URL; and their errors."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from urllib.parse import urlsplit

from gateway.auth import authenticate
from gateway.context import Context
from gateway.jobs import service
from gateway.jobs.signing import signed_report_url

NEW = "/reports/platforms/acme/new"


async def _post(api, body, as_="admin", path=NEW, **kw):
    return await api.client.post("/dm/api" + path, headers=api.headers(as_), json=body, **kw)


async def _run(session, settings, world, key: str):
    principal = await authenticate(session, world.tokens["admin"])
    ctx = Context(session=session, principal=principal, settings=settings)
    job = await service.get_job(ctx.db, world.org.id, key)
    return await service.run_inline(ctx, job)


async def test_generate_poll_and_download_a_report(api, world, session, settings):
    body = {
        "report_name": "ai-mentor-chat-history",
        "mentor": "mentor-ai-tutor",
        "usergroup_ids": [world.group.id],
        "start_date": "2026-03-01",
        "end_date": "2026-03-31",
        "course_id": "",
        "query": "alice",
    }
    r = await _post(api, body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["key"].startswith("ai-mentor-chat-history:rpt_")
    assert (created["status"], created["url"], created["rows"]) == ("processing", None, None)
    assert (created["mentor"], created["usergroup_ids"]) == ("mentor-ai-tutor", [world.group.id])
    assert (created["start_date"], created["end_date"], created["course_id"]) == (
        "2026-03-01", "2026-03-31", None,
    )  # fmt: skip
    poll = "/reports/platforms/acme/ai-mentor-chat-history?mentor_unique_id=mentor-ai-tutor"
    assert (await api.ok(poll))["status"] == "processing"
    listed = await api.ok(f"/reports/platforms/acme/?mentor_id={world.mentors['m1'].id}")
    assert listed["count"] == 1 and listed["results"][0]["key"] == created["key"]
    assert (await api.ok(f"/reports/platforms/acme/?mentor_id={world.mentors['m2'].id}")) == {
        "count": 0, "results": [],
    }  # fmt: skip

    await _run(session, settings, world, created["key"])
    done = await api.ok(poll + "&")
    assert done["status"] == "completed" and done["finished_at"] and done["expires_at"]
    # alice (in G1) with mentor-ai-tutor in March: s1's 2 stored messages (s2 has none
    # stored, so it is not a transcript)
    assert done["rows"] == 2
    url = urlsplit(done["url"])
    assert url.path == f"/dm/api/reports/platforms/acme/files/{created['key']}"
    r = await api.client.get(f"{url.path}?{url.query}")  # no Authorization header
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(x["session_id"], x["role"], x["content"]) for x in rows] == [
        ("sess-s1", "user", "hi"), ("sess-s1", "assistant", "hello"),
    ]  # fmt: skip

    tampered = f"{url.path}?{url.query[:-1]}{'0' if url.query[-1] != '0' else '1'}"
    r = await api.client.get(tampered)
    assert r.status_code == 403 and "signature" in r.json()["detail"]
    past = signed_report_url(settings, "acme", created["key"], datetime(2026, 1, 1, tzinfo=UTC))
    past_url = urlsplit(past)
    r = await api.client.get(f"{past_url.path}?{past_url.query}")
    assert r.status_code == 410 and "expired" in r.json()["detail"]


async def test_report_errors(api, world):
    ok = {"report_name": "ai-mentor-users"}
    headers = {**api.headers("admin"), "content-type": "application/json"}
    r = await api.client.post("/dm/api" + NEW, headers=headers, content=b"{not json")
    assert r.status_code == 400 and list(r.json()) == ["detail"]
    r = await _post(api, {"mentor": "mentor-two"})
    assert r.status_code == 400 and "report_name" in r.json()["detail"]
    r = await _post(api, {"report_name": "everything"})
    assert r.status_code == 400 and "ai-mentor-chat-history" in r.json()["detail"]
    r = await _post(api, {**ok, "start_date": "2026-13-01", "end_date": "2026-03-31"})
    assert r.status_code == 400 and "start_date" in r.json()["detail"]
    r = await _post(api, {**ok, "start_date": "2026-03-01"})
    assert r.status_code == 400 and "together" in r.json()["detail"]
    r = await _post(api, {**ok, "usergroup_ids": "3"})
    assert r.status_code == 400 and "usergroup_ids" in r.json()["detail"]
    r = await _post(api, {**ok, "mentor": "ghost"})
    assert r.status_code == 404 and "ghost" in r.json()["detail"]
    r = await _post(api, ok, path="/reports/platforms/other/new")
    assert r.status_code == 404
    r = await _post(api, ok, as_="alice")
    assert r.status_code == 403
    assert r.json() == {"detail": "You do not have permission to perform this action."}
    detail = await api.error("/reports/platforms/acme/ai-mentor-costs", 404)
    assert "POST /dm/api/reports/platforms/acme/new" in detail
    assert "report_name" in await api.error("/reports/platforms/acme/nope/", 400)
    await api.error("/reports/platforms/acme/?mentor_id=abc", 400)
    await api.error("/reports/platforms/acme/", 403, as_="alice")
    r = await api.client.get("/dm/api/reports/platforms/acme/files/x:rpt_1?expires=1&signature=0")
    assert r.status_code == 403
