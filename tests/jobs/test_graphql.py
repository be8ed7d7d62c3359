"""createAnalyticsExport / exportJob / createDataReport / dataReport(s): the inline rule,
auth, validation messages, node lookups."""

from __future__ import annotations

from pathlib import Path

from gateway.jobs.worker import Worker
from tests.jobs.conftest import EXPECTED_CSV, MARCH, error

EXPORT = """
mutation($input: AnalyticsExportInput!) {
  createAnalyticsExport(input: $input) {
    id key status format period include missionKeys createdAt estimatedCompletion
    downloadUrl expiresAt deliveryMethod deliveryTo deliveryStatus deliveryMessage rows bytes
    error
  }
}"""
EXPORT_JOB = """query($key: String!) { exportJob(key: $key) { key status downloadUrl rows } }"""
REPORT = """
mutation($input: DataReportInput!) {
  createDataReport(input: $input) {
    id key reportName status url createdAt finishedAt expiresAt rows error mentor mentorId
    usergroupIds startDate endDate courseId query
  }
}"""
LATEST = """query($name: String!, $mentor: String) {
  dataReport(reportName: $name, mentor: $mentor) { key status url rows mentor } }"""


async def test_small_export_completes_in_the_request(gql, amp, settings):
    data = await gql.data(EXPORT, input={"period": MARCH})
    job = data["createAnalyticsExport"]
    assert job["status"] == "COMPLETED" and job["key"].startswith("exp_")
    assert job["format"] == "CSV" and job["include"] == ["content", "metrics", "costs"]
    assert job["downloadUrl"] == (
        f"{settings.public_base_url}/v1/analytics/export/{job['key']}/download"
    )
    assert job["estimatedCompletion"] is None and job["expiresAt"]
    assert (job["deliveryMethod"], job["deliveryTo"], job["deliveryStatus"]) == (
        "download", None, "NOT_REQUESTED")  # fmt: skip
    assert job["rows"] == 7 and job["bytes"] == len(EXPECTED_CSV.encode())
    path = Path(settings.data_dir) / "jobs" / str(amp.org.id) / f"{job['key']}.csv"
    assert path.read_text() == EXPECTED_CSV
    again = await gql.data(EXPORT_JOB, key=job["key"])
    assert again["exportJob"] == {"key": job["key"], "status": "COMPLETED",
                                  "downloadUrl": job["downloadUrl"], "rows": 7}  # fmt: skip
    node = await gql.data("query($id: ID!) { node(id: $id) { ... on ExportJob { key } } }",
                          id=job["id"])  # fmt: skip
    assert node["node"] == {"key": job["key"]}


async def test_large_export_is_queued_then_the_worker_completes_it(gql, amp, db, settings):
    data = await gql.data(EXPORT, input={"period": "90d", "format": "JSON",
                                         "include": ["metrics"]})  # fmt: skip
    job = data["createAnalyticsExport"]
    assert job["status"] == "PROCESSING" and job["downloadUrl"] is None
    assert job["estimatedCompletion"] > job["createdAt"]
    assert await Worker(db, settings, listen=False).run_once() is True
    done = (await gql.data(EXPORT_JOB, key=job["key"]))["exportJob"]
    assert done["status"] == "COMPLETED" and done["rows"] == 2
    assert done["downloadUrl"].endswith(f"/v1/analytics/export/{job['key']}/download")


async def test_email_without_smtp_is_stated_not_dropped(gql, amp):
    data = await gql.data(EXPORT, input={"period": "7d", "emailTo": "user@example.com"})
    job = data["createAnalyticsExport"]
    assert job["status"] == "COMPLETED"  # nothing to wait for: it runs inline
    assert (job["deliveryMethod"], job["deliveryTo"], job["deliveryStatus"]) == (
        "email", "user@example.com", "NOT_CONFIGURED")  # fmt: skip
    assert "not configured" in job["deliveryMessage"]
    assert "download_url" in job["deliveryMessage"]


async def test_export_validation_messages(gql, amp):
    cases = [
        ({"period": "45d"}, "INVALID_INPUT", "period must be one of 7d, 30d, 90d, ytd, all"),
        ({"period": "2026-03-31/2026-03-01"}, "INVALID_INPUT", "is after its end"),
        ({"period": "2026-02-30/2026-03-01"}, "INVALID_INPUT", "period start must be a date"),
        ({"include": ["content", "likes"]}, "INVALID_INPUT", "unknown value(s) ['likes']"),
        ({"include": []}, "INVALID_INPUT", "at least one of"),
        ({"missionKeys": ["msn_other"]}, "NOT_FOUND", "No mission with id 'msn_other'"),
        ({"emailTo": "not-an-address"}, "INVALID_INPUT", "email_to must be one email"),
    ]
    for variables, code, message in cases:
        body = await gql(EXPORT, input=variables)
        got_code, got_message = error(body)
        assert got_code == code and message in got_message, (variables, body)
    body = await gql(EXPORT, input={"format": "XML"})
    assert "ExportFormat" in body["errors"][0]["message"]


async def test_exports_need_a_token_and_stay_in_their_org(gql, amp):
    assert error(await gql(EXPORT, as_=None, input={}))[0] == "UNAUTHENTICATED"
    job = (await gql.data(EXPORT, input={"period": "7d"}))["createAnalyticsExport"]
    assert (await gql.data(EXPORT_JOB, as_="other", key=job["key"]))["exportJob"] is None
    assert (await gql.data(EXPORT_JOB, key="exp_doesnotexist")) == {"exportJob": None}


async def test_data_report_lifecycle(gql, amp, db, settings, factory):
    mentor = await factory.agent(amp.users["admin"], "mentor-x", kind="mentor")
    inp = {"reportName": "ai-mentor-users", "mentor": "mentor-x", "startDate": "2026-03-01",
           "endDate": "2026-03-31", "query": "ali"}  # fmt: skip
    rep = (await gql.data(REPORT, as_="admin", input=inp))["createDataReport"]
    assert rep["key"].startswith("ai-mentor-users:rpt_") and rep["status"] == "PROCESSING"
    assert (rep["mentor"], rep["mentorId"], rep["startDate"], rep["query"], rep["url"]) == (
        "mentor-x", mentor.id, "2026-03-01", "ali", None)  # fmt: skip
    latest = await gql.data(LATEST, as_="admin", name="ai-mentor-users", mentor="mentor-x")
    assert latest["dataReport"]["key"] == rep["key"]
    # org-wide reports are another series
    assert (await gql.data(LATEST, as_="admin", name="ai-mentor-users"))["dataReport"] is None
    await Worker(db, settings, listen=False).run_once()
    done = await gql.data(LATEST, as_="admin", name="ai-mentor-users", mentor="mentor-x")
    got = done["dataReport"]
    assert got["status"] == "COMPLETED" and got["rows"] == 0
    org_key = amp.org.key
    assert got["url"].startswith(
        f"{settings.public_base_url}/dm/api/reports/platforms/{org_key}/files/{rep['key']}?expires="
    )
    listed = await gql.data(
        """query($id: Int) { a: dataReports { key } b: dataReports(mentor: "mentor-x")
        { key } c: dataReports(mentorId: $id) { key } }""",
        as_="admin",
        id=mentor.id,
    )
    assert listed == {"a": [{"key": rep["key"]}], "b": [{"key": rep["key"]}],
                      "c": [{"key": rep["key"]}]}  # fmt: skip
    node = await gql("query($id: ID!) { node(id: $id) { ... on DataReport { key } } }",
                     as_="member", id=rep["id"])  # fmt: skip
    assert node["data"]["node"] is None  # reports are for admins only


async def test_data_report_auth_and_validation(gql, amp, factory):
    ok = {"reportName": "ai-mentor-chat-history"}
    assert error(await gql(REPORT, as_=None, input=ok))[0] == "UNAUTHENTICATED"
    assert error(await gql(REPORT, as_="member", input=ok)) == (
        "FORBIDDEN", "This field requires the org admin role.")  # fmt: skip
    assert error(await gql(LATEST, as_="member", name="ai-mentor-users"))[0] == "FORBIDDEN"
    cases = [
        ({"reportName": "ai-mentor-everything"}, "INVALID_INPUT", "choose from"),
        ({**ok, "mentor": "nobody"}, "NOT_FOUND", "No mentor with unique id 'nobody'"),
        ({**ok, "startDate": "2026-03-01"}, "INVALID_INPUT", "give both (yyyy-MM-dd) or neither"),
        (
            {**ok, "startDate": "2026-03-05", "endDate": "2026-03-01"},
            "INVALID_INPUT",
            "start_date 2026-03-05 is after end_date 2026-03-01",
        ),
        ({**ok, "courseId": "course-v1:x"}, "INVALID_INPUT", "course_id applies only"),
        ({"reportName": "ai-mentor-courses", "courseId": "nope"}, "NOT_FOUND", "No course"),
        ({**ok, "usergroupIds": [999999]}, "NOT_FOUND", "No user group(s) [999999]"),
    ]
    for variables, code, message in cases:
        body = await gql(REPORT, as_="admin", input=variables)
        got_code, got_message = error(body)
        assert got_code == code and message in got_message, (variables, body)
    body = await gql(LATEST, as_="admin", name="nope")
    assert error(body)[0] == "INVALID_INPUT"
