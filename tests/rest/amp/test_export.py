"""POST /v1/analytics/export and GET /v1/analytics/export/{id}/download, on the jobs
API (gateway/jobs): small exports complete inside the request; the file is streamed to
the same org's Bearer token; 404 unknown, 409 processing, 410 expired."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from sqlalchemy import select, update

from gateway.models.jobs import Job
from gateway.rest.apis.amp_schemas import ExportResponse

PATH = "/v1/analytics/export"
MARCH = "2026-03-01/2026-03-31"


def z(value: str) -> datetime:
    assert value.endswith("Z") and len(value) == 20, value
    return datetime.fromisoformat(value)


async def test_documented_request_without_smtp(world, client):
    body = {
        "format": "csv",
        "period": "30d",
        "include": ["content", "metrics", "costs"],
        "email_to": "user@example.com",
    }
    r = await client.post(PATH, headers=world.headers, json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    ExportResponse.model_validate(out)
    # 30 days, 2 missions, no SMTP configured: completed at once, and the note says why
    # nothing was emailed.
    assert out["status"] == "completed"
    assert out["export_id"].startswith("exp_")
    assert out["download_url"].endswith(f"/v1/analytics/export/{out['export_id']}/download")
    expires = z(out["expires_at"])
    assert timedelta(hours=23) < expires - datetime.now(UTC) <= timedelta(hours=24)
    assert "SMTP" in out["note"] or "not configured" in out["note"]
    assert set(out) == {"export_id", "status", "download_url", "expires_at", "note"}


async def test_download_csv_and_json(world, client):
    r = await client.post(
        PATH, headers=world.headers, json={"format": "csv", "period": MARCH, "include": ["content"]}
    )
    out = r.json()
    assert set(out) == {"export_id", "status", "download_url", "expires_at"}
    r = await client.get(f"{PATH}/{out['export_id']}/download", headers=world.headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert out["export_id"] in r.headers["content-disposition"]
    lines = r.text.splitlines()
    assert lines[0] == "# content"
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    c1 = next(row for row in rows if row["content_id"] == "cnt_c1")
    assert (c1["mission_id"], c1["impressions"], c1["engagements"]) == ("msn_alpha", "1000", "50")
    assert float(c1["engagement_rate"]) == 5.0  # 50 / 1000

    r = await client.post(
        PATH,
        headers=world.headers,
        json={"format": "json", "period": MARCH, "include": ["costs"], "mission_ids": ["msn_beta"]},
    )
    key = r.json()["export_id"]
    r = await client.get(f"{PATH}/{key}/download", headers=world.headers)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    data = orjson.loads(r.content)
    # Beta's March cost: 50 + 150 cents.
    assert [(m["mission_id"], m["cost_cents"]) for m in data["costs"]] == [("msn_beta", 200)]


async def test_large_or_emailed_exports_are_processing(world, client, app, settings):
    r = await client.post(PATH, headers=world.headers, json={"period": "all"})
    out = r.json()
    assert r.status_code == 200 and out["status"] == "processing"
    assert set(out) == {
        "export_id",
        "status",
        "estimated_completion",
        "delivery_method",
        "delivery_to",
    }
    assert (out["delivery_method"], out["delivery_to"]) == ("download", None)
    assert z(out["estimated_completion"]) > datetime.now(UTC) - timedelta(seconds=5)
    r = await client.get(f"{PATH}/{out['export_id']}/download", headers=world.headers)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "not_ready"

    app.state.settings = settings.model_copy(update={"smtp_url": "smtp://mail.invalid:2525"})
    r = await client.post(
        PATH, headers=world.headers, json={"format": "json", "email_to": "user@example.com"}
    )
    out = r.json()
    assert out["status"] == "processing"
    assert (out["delivery_method"], out["delivery_to"]) == ("email", "user@example.com")
    assert "note" not in out


async def test_download_other_org_unknown_and_expired(world, client, session):
    r = await client.post(PATH, headers=world.headers, json={"period": MARCH})
    key = r.json()["export_id"]
    for headers, k in ((world.other_headers, key), (world.headers, "exp_unknown")):
        r = await client.get(f"{PATH}/{k}/download", headers=headers)
        assert r.status_code == 404
        assert r.json() == {"error": {"code": "not_found", "message": f"Export {k} not found."}}

    await session.execute(
        update(Job).where(Job.key == key).values(expires_at=datetime.now(UTC) - timedelta(hours=1))
    )
    assert (await session.scalar(select(Job.status).where(Job.key == key))) == "completed"
    r = await client.get(f"{PATH}/{key}/download", headers=world.headers)
    assert r.status_code == 410
    assert r.json()["error"]["code"] == "gone"


@pytest.mark.parametrize(
    ("payload", "code", "needle"),
    [
        (b'{"format": "csv",', "invalid_parameter", "Malformed JSON"),
        (b"[1, 2]", "invalid_parameter", "object"),
        (b'{"format": "xml"}', "invalid_parameter", "format"),
        (b'{"include": "content"}', "invalid_parameter", "include"),
        (b'{"include": ["content", "tweets"]}', "invalid_parameter", "tweets"),
        (b'{"mission_ids": [7]}', "invalid_parameter", "mission_ids"),
        (b'{"email_to": "not-an-address"}', "invalid_parameter", "email"),
        (b'{"formatt": "csv"}', "invalid_parameter", "formatt"),
        (b'{"period": "14d"}', "invalid_period", "Invalid period format"),
    ],
)
async def test_bad_bodies(world, client, payload, code, needle):
    headers = {**world.headers, "Content-Type": "application/json"}
    r = await client.post(PATH, headers=headers, content=payload)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert set(error) == {"code", "message"}
    assert error["code"] == code
    assert needle.lower() in error["message"].lower(), error


async def test_unknown_mission_is_not_found(world, client):
    r = await client.post(PATH, headers=world.headers, json={"mission_ids": ["msn_foreign"]})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("public_url", "expected_base"),
    [
        # TALLY_PORT says 8000 but `tally serve --port 8147` listens on 8147
        (None, "http://127.0.0.1:8147"),
        # an explicit TALLY_PUBLIC_URL (a proxy in front) is kept as it is
        ("https://analytics.example.com", "https://analytics.example.com"),
    ],
)
async def test_download_url_uses_the_port_the_server_listens_on(
    world, db, tmp_path, monkeypatch, public_url, expected_base
):
    import httpx

    import gateway.rest.apis as apis
    from gateway.app import create_app
    from gateway.config import Settings
    from gateway.serve import listening_settings

    monkeypatch.setattr(apis, "ROUTER_MODULES", ("gateway.rest.apis.amp",))
    monkeypatch.setenv("TALLY_PORT", "8000")
    if public_url is None:
        monkeypatch.delenv("TALLY_PUBLIC_URL", raising=False)
    else:
        monkeypatch.setenv("TALLY_PUBLIC_URL", public_url)
    env = Settings.from_env(data_dir=tmp_path, database_url="postgresql://unused/unused")
    assert env.port == 8000
    app = create_app(listening_settings(env, None, 8147), database=db)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://tally.test") as c:
        r = await c.post(PATH, headers=world.headers, json={"format": "json", "period": MARCH})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["download_url"] == f"{expected_base}/v1/analytics/export/{out['export_id']}/download"
