"""ibl.ai Data Reports: generate a CSV report in the background, poll it, download it from
its presigned URL. Reports are produced by the jobs worker (`gateway.jobs.iblai_report`
documents each report's CSV columns); org (platform) admins only.

POST /dm/api/reports/platforms/{org}/new   201
  body {"report_name": "ai-mentor-chat-history" | "ai-mentor-users" | "ai-mentor-costs" |
        "ai-mentor-courses", "mentor": "<mentor unique id>" (optional: org-wide),
        "usergroup_ids": [int], "start_date": "yyyy-MM-dd", "end_date": "yyyy-MM-dd" (both
        or neither = all time), "course_id": "<course key>" (ai-mentor-courses only),
        "query": "<username / name / email search>"}; empty strings count as absent.
  -> REPORT (status "processing")
GET /dm/api/reports/platforms/{org}/?mentor_id=<mentor db id>|mentor_unique_id=<id>
  -> {"count": int, "results": [REPORT, ...]} newest first (at most 100)
GET /dm/api/reports/platforms/{org}/{report_name}?mentor_unique_id=<id>  (slash optional)
  -> REPORT: the latest report of that name for the mentor (omitted: org-wide);
     404 when none was generated.
GET {REPORT.url} = /dm/api/reports/platforms/{org}/files/{key}?expires=&signature=
  -> the CSV (text/csv attachment), no Authorization header: the link is HMAC-signed and
     valid until `expires_at`. 403 bad signature, 404 unknown report, 409 still
     processing / failed, 410 expired.

REPORT = {"key": "<report_name>:rpt_…", "report_name", "status": "processing" |
  "completed" | "failed", "url": presigned link once completed (else null), "created_at",
  "finished_at", "expires_at" (ISO 8601), "rows": data rows in the CSV, "error" (why it
  failed), "mentor" (unique id or null), "mentor_id", "usergroup_ids", "start_date",
  "end_date", "course_id", "query"}.

The download is a plain route, not a shim API route: it runs no GraphQL operation (there
is no caller principal, the signature is the credential) and answers a file, so it is
kept out of the persisted-operation contract and of the OpenAPI JSON schemas.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import FileResponse, Response

from gateway.errors import NotFound
from gateway.jobs.signing import REPORT_DOWNLOAD_PATH, open_signed_report
from gateway.rest.apis.iblai.common import (
    ERRORS,
    PREFIX,
    TAG,
    CtxDep,
    blank,
    check_platform,
    parse_date,
)
from gateway.rest.routes import uses
from gateway.rest.runner import run_operation

router = APIRouter(prefix=PREFIX, tags=[TAG], responses=ERRORS)


class ReportOut(BaseModel):
    key: str = Field(description="`<report_name>:rpt_...`.")
    report_name: str
    status: str = Field(description="processing | completed | failed.")
    url: str | None = Field(description="Presigned CSV link once completed (no auth).")
    created_at: str
    finished_at: str | None
    expires_at: str | None = Field(description="When the link and file expire.")
    rows: int | None = Field(description="Data rows in the CSV.")
    error: str | None = Field(description="Why the report failed.")
    mentor: str | None = Field(description="Mentor unique id; null: org-wide.")
    mentor_id: int | None
    usergroup_ids: list[int]
    start_date: str | None
    end_date: str | None
    course_id: str | None
    query: str | None


class ReportsOut(BaseModel):
    count: int
    results: list[ReportOut] = Field(description="Newest first.")


class ReportRequest(BaseModel):
    report_name: str = Field(description="e.g. ai-mentor-chat-history.")
    mentor: str | None = Field(None, description="Mentor unique id (uuid); omit: org-wide.")
    usergroup_ids: list[int] | None = None
    start_date: str | None = Field(None, description="yyyy-MM-dd (with end_date).")
    end_date: str | None = Field(None, description="yyyy-MM-dd, inclusive.")
    course_id: str | None = Field(None, description="Course key (ai-mentor-courses).")
    query: str | None = Field(None, description="Search users by username/name/email.")


def _report(r: dict) -> dict[str, Any]:
    return {
        "key": r["key"],
        "report_name": r["reportName"],
        "status": r["status"].lower(),
        "url": r["url"],
        "created_at": r["createdAt"],
        "finished_at": r["finishedAt"],
        "expires_at": r["expiresAt"],
        "rows": r["rows"],
        "error": r["error"],
        "mentor": r["mentor"],
        "mentor_id": r["mentorId"],
        "usergroup_ids": r["usergroupIds"],
        "start_date": r["startDate"],
        "end_date": r["endDate"],
        "course_id": r["courseId"],
        "query": r["query"],
    }


@router.get("/reports/platforms/{org}/", response_model=ReportsOut)
@uses("iblai/DataReports")
async def list_reports(
    ctx: CtxDep,
    org: str,
    mentor_id: Annotated[int | None, Query(description="The mentor's database id.")] = None,
    mentor_unique_id: Annotated[str | None, Query(description="Or its unique id.")] = None,
) -> dict:
    """The org's data reports and their status."""
    check_platform(ctx, org)
    variables = {"mentor": blank(mentor_unique_id), "mentorId": mentor_id}
    reports = (await run_operation(ctx, "iblai/DataReports", variables))["dataReports"]
    return {"count": len(reports), "results": [_report(r) for r in reports]}


@router.post("/reports/platforms/{org}/new", response_model=ReportOut, status_code=201)
@uses("iblai/CreateDataReport")
async def create_report(ctx: CtxDep, org: str, body: ReportRequest) -> dict:
    """Generate a data report; poll it by name until completed."""
    check_platform(ctx, org)
    start, end = parse_date("start_date", body.start_date), parse_date("end_date", body.end_date)
    payload = {
        "reportName": body.report_name.strip(),
        "mentor": blank(body.mentor),
        "usergroupIds": body.usergroup_ids,
        "startDate": start.isoformat() if start else None,
        "endDate": end.isoformat() if end else None,
        "courseId": blank(body.course_id),
        "query": blank(body.query),
    }
    data = await run_operation(ctx, "iblai/CreateDataReport", {"input": payload})
    return _report(data["createDataReport"])


async def poll_report(
    ctx: CtxDep,
    org: str,
    report_name: str,
    mentor_unique_id: Annotated[str | None, Query(description="Omit: org-wide.")] = None,
) -> dict:
    """The latest report of that name: poll until `status` is completed, then GET `url`."""
    check_platform(ctx, org)
    mentor = blank(mentor_unique_id)
    variables = {"reportName": report_name, "mentor": mentor}
    report = (await run_operation(ctx, "iblai/DataReport", variables))["dataReport"]
    if report is None:
        scope = f"mentor '{mentor}'" if mentor else "the org"
        raise NotFound(
            f"No {report_name} report was generated for {scope}; POST "
            f"{PREFIX}/reports/platforms/{org}/new to generate one."
        )
    return _report(report)


poll_report = uses("iblai/DataReport")(poll_report)
for _path in ("/reports/platforms/{org}/{report_name}", "/reports/platforms/{org}/{report_name}/"):
    router.get(_path, response_model=ReportOut)(poll_report)


async def download_report(request: Request) -> Response:
    """The finished CSV behind a presigned link (see the module docstring)."""
    p, q = request.path_params, request.query_params
    found = await open_signed_report(
        request.app.state.db,
        p["org"],
        p["key"],
        q.get("expires", ""),
        q.get("signature", ""),
        settings=request.app.state.settings,
    )
    return FileResponse(found.path, media_type=found.media_type, filename=found.filename)


router.add_route(REPORT_DOWNLOAD_PATH.format(org="{org}", key="{key}"), download_report)
