"""Signed links (verify / expiry / tamper), opening results, and email delivery through a
local fake SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import update

from gateway.config import Settings
from gateway.context import Context
from gateway.errors import NotFound
from gateway.jobs import service
from gateway.jobs.kinds import AMP_EXPORT, IBLAI_REPORT
from gateway.jobs.signing import (
    LinkInvalid,
    NotReady,
    ResultGone,
    open_export,
    open_result,
    open_signed_report,
    sign,
    signed_report_url,
    verify,
)
from gateway.jobs.worker import Worker
from gateway.models.jobs import Job
from tests.jobs.conftest import EXPECTED_CSV, MARCH

SETTINGS = Settings(secret="s3cret", public_base_url="https://tally.test")
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_signed_url_verifies_and_rejects_tampering_and_expiry():
    exp_at = NOW + timedelta(hours=24)
    url = signed_report_url(SETTINGS, "acme", "ai-mentor-users:rpt_abc", exp_at)
    parts = urlsplit(url)
    assert parts.path == "/dm/api/reports/platforms/acme/files/ai-mentor-users:rpt_abc"
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert q["expires"] == str(int(exp_at.timestamp()))
    assert q["signature"] == sign("s3cret", "acme", "ai-mentor-users:rpt_abc", int(q["expires"]))
    good = ("acme", "ai-mentor-users:rpt_abc", q["expires"], q["signature"])
    assert verify(SETTINGS, *good, now=NOW) == int(q["expires"])
    tampered = [
        ("acme", "ai-mentor-users:rpt_abd", q["expires"], q["signature"]),  # another job
        ("other", "ai-mentor-users:rpt_abc", q["expires"], q["signature"]),  # another org
        ("acme", "ai-mentor-users:rpt_abc", str(int(q["expires"]) + 3600), q["signature"]),
        ("acme", "ai-mentor-users:rpt_abc", q["expires"], "0" * 64),
    ]
    for args in tampered:
        with pytest.raises(LinkInvalid, match="signature is invalid"):
            verify(SETTINGS, *args, now=NOW)
    with pytest.raises(LinkInvalid, match="malformed"):
        verify(SETTINGS, "acme", "k", "tomorrow", q["signature"], now=NOW)
    other_secret = Settings(secret="another")
    with pytest.raises(LinkInvalid):
        verify(other_secret, *good, now=NOW)
    with pytest.raises(ResultGone, match="expired at") as gone:
        verify(SETTINGS, *good, now=exp_at + timedelta(seconds=1))
    assert gone.value.status == 410


def _job(**kw) -> Job:
    base = {"org_id": 1, "id": 1, "key": "exp_x", "kind": AMP_EXPORT, "status": "completed",
            "file_path": None, "expires_at": NOW + timedelta(hours=1), "error": None}  # fmt: skip
    return Job(**{**base, **kw})


def test_open_result_says_why_there_is_no_file(tmp_path):
    with pytest.raises(NotFound):
        open_result(None)
    with pytest.raises(NotReady, match="still processing") as e:
        open_result(_job(status="processing"), now=NOW)
    assert e.value.status == 409
    with pytest.raises(NotReady, match="failed: No mission"):
        open_result(_job(status="failed", error="No mission"), now=NOW)
    with pytest.raises(ResultGone, match="expired at 2026-03-01T11:00:00"):
        open_result(_job(expires_at=NOW - timedelta(hours=1)), now=NOW)
    with pytest.raises(ResultGone, match="no longer stored"):
        open_result(_job(file_path=str(tmp_path / "gone.csv")), now=NOW)
    f = tmp_path / "exp_x.csv"
    f.write_text("x")
    assert open_result(_job(file_path=str(f)), now=NOW) == f


async def test_export_download_and_presigned_report_end_to_end(amp, db, session, settings):
    from gateway.auth import load_principal

    async def ctx_of(who: str) -> Context:
        p = await load_principal(session, amp.users[who].org_id, amp.users[who].id)
        return Context(session=session, principal=p, settings=settings)

    member = await ctx_of("member")
    params = {"format": "csv", "period": MARCH, "include": ["content", "metrics", "costs"],
              "mission_ids": [], "email_to": None}  # fmt: skip
    job = await service.enqueue(session, org_id=amp.org.id, requested_by=amp.users["member"].id,
                                kind=AMP_EXPORT, params=params)  # fmt: skip
    with pytest.raises(NotReady):
        await open_export(member, job.key)
    await service.run_inline(member, job)
    got = await open_export(member, job.key)
    assert got.path.read_text() == EXPECTED_CSV
    assert (got.filename, got.media_type) == (f"{job.key}.csv", "text/csv; charset=utf-8")
    other = await ctx_of("other")
    with pytest.raises(NotFound, match=f"No export '{job.key}' in your organization"):
        await open_export(other, job.key)

    report = await service.enqueue(
        session, org_id=amp.org.id, requested_by=amp.users["admin"].id, kind=IBLAI_REPORT,
        params={"report_name": "ai-mentor-costs", "mentor": None, "usergroup_ids": [],
                "start_date": "2026-03-01", "end_date": "2026-03-31"},
    )  # fmt: skip
    await Worker(db, settings, listen=False).run_once()
    await session.refresh(report)
    url = signed_report_url(settings, amp.org.key, report.key, report.expires_at)
    q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    got = await open_signed_report(db, amp.org.key, report.key, q["expires"], q["signature"],
                                   settings=settings)  # fmt: skip
    assert got.filename == report.key.replace(":", "_") + ".csv"
    assert got.path.read_text().splitlines()[0] == (
        "dimension,key,cost_cents,llm_calls,tokens,sessions"
    )
    with pytest.raises(LinkInvalid):
        await open_signed_report(db, amp.other.key, report.key, q["expires"], q["signature"],
                                 settings=settings)  # fmt: skip
    # once expired (and swept), the link answers 410
    await session.execute(
        update(Job).where(Job.id == report.id).values(expires_at=datetime.now(UTC))
    )
    with pytest.raises(ResultGone):
        await open_signed_report(db, amp.org.key, report.key, q["expires"], q["signature"],
                                 settings=settings)  # fmt: skip


async def test_email_is_delivered_through_smtp(amp, db, tmp_path, smtp, monkeypatch):
    import gateway.app as app_module

    monkeypatch.setattr(app_module, "_routers", lambda: [])
    settings = Settings(
        data_dir=tmp_path,
        public_base_url="https://tally.test",
        smtp_url=f"smtp://127.0.0.1:{smtp.port}?from=exports@tally.test",
    )
    app = app_module.create_app(settings, database=db)
    transport = httpx.ASGITransport(app=app)
    query = """mutation($input: AnalyticsExportInput!) { createAnalyticsExport(input: $input) {
        key status deliveryMethod deliveryTo deliveryStatus deliveryMessage } }"""
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.post("/graphql", headers=amp.headers(), json={
            "query": query,
            "variables": {"input": {"period": MARCH, "emailTo": "user@example.com"}},
        })  # fmt: skip
        job = r.json()["data"]["createAnalyticsExport"]
        # an email is to be sent: queued, not inline
        assert (job["status"], job["deliveryMethod"], job["deliveryTo"],
                job["deliveryStatus"]) == ("PROCESSING", "email", "user@example.com",
                                           "PENDING")  # fmt: skip
        assert await Worker(db, settings, listen=False).run_once()
        r = await client.post("/graphql", headers=amp.headers(), json={
            "query": "query($k: String!) { exportJob(key: $k) { status deliveryStatus "
                     "deliveryMessage downloadUrl } }",
            "variables": {"k": job["key"]},
        })  # fmt: skip
    done = r.json()["data"]["exportJob"]
    assert (done["status"], done["deliveryStatus"]) == ("COMPLETED", "SENT")
    assert done["deliveryMessage"] == "Download link emailed to user@example.com."
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["rcpt"] == ["<user@example.com>"] and mail["from"] == "<exports@tally.test>"
    assert f"Subject: Analytics export {job['key']} is ready" in mail["data"]
    assert done["downloadUrl"] in mail["data"] and "(7 rows)" in mail["data"]


async def test_email_failure_is_reported_not_fatal(amp, db, tmp_path, session):
    settings = Settings(data_dir=tmp_path, smtp_url="smtp://127.0.0.1:1")  # nothing listens
    params = {"format": "csv", "period": MARCH, "include": ["metrics"], "mission_ids": [],
              "email_to": "user@example.com"}  # fmt: skip
    job = await service.enqueue(session, org_id=amp.org.id, requested_by=amp.users["member"].id,
                                kind=AMP_EXPORT, params=params)  # fmt: skip
    await Worker(db, settings, listen=False).run_once()
    await session.refresh(job)
    assert job.status == "completed"
    assert job.result["delivery_status"] == "failed"
    assert job.result["delivery_message"].startswith("Email to user@example.com could not be")
