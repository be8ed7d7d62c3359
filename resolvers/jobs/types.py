"""`ExportJob` and `DataReport` nodes, built from `gateway.models.jobs.Job` rows.

Status: a pending or running job is PROCESSING; COMPLETED has its link; FAILED its
`error`. Links: `ExportJob.downloadUrl` needs the org's Bearer token; `DataReport.url` is
presigned (no auth) and valid until `expiresAt` (see gateway/jobs/signing.py).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime

import strawberry

from gateway.context import Context
from gateway.jobs.email import delivery_on_enqueue
from gateway.jobs.kinds import AMP_EXPORT, IBLAI_REPORT
from gateway.jobs.service import jobs_by_ids
from gateway.jobs.signing import download_url
from gateway.models.jobs import Job
from gateway.response_cache import mark_volatile
from resolvers.node import Node, encode_id, register_node


@strawberry.enum(description="Where a job is: PROCESSING covers queued and running.")
class JobStatus(enum.Enum):
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


@strawberry.enum(description="File format of an analytics export.")
class ExportFormat(enum.Enum):
    CSV = "csv"
    JSON = "json"


@strawberry.enum(description="Email delivery of an export.")
class DeliveryStatus(enum.Enum):
    NOT_REQUESTED = "not_requested"
    NOT_CONFIGURED = "not_configured"
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def _status(job: Job) -> JobStatus:
    return {"completed": JobStatus.COMPLETED, "failed": JobStatus.FAILED}.get(
        job.status, JobStatus.PROCESSING
    )


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@strawberry.type(
    description="An AMP analytics export (POST /v1/analytics/export). `key` is the "
    "`export_id` (`exp_...`)."
)
class ExportJob(Node):
    id: strawberry.ID
    key: str
    status: JobStatus
    format: ExportFormat
    period: str = strawberry.field(description="As requested: 7d, 30d, 90d, ytd, all or a "
                                   "range YYYY-MM-DD/YYYY-MM-DD (UTC).")  # fmt: skip
    include: list[str]
    mission_keys: list[str]
    created_at: datetime
    estimated_completion: datetime | None = strawberry.field(
        description="While PROCESSING: when the export should be ready."
    )
    finished_at: datetime | None
    download_url: str | None = strawberry.field(
        description="Once COMPLETED: the file, downloaded with the org's Bearer token."
    )
    expires_at: datetime | None = strawberry.field(description="When the file is deleted.")
    delivery_method: str = strawberry.field(description="`email` when emailTo was given, "
                                            "else `download`.")  # fmt: skip
    delivery_to: str | None
    delivery_status: DeliveryStatus
    delivery_message: str | None = strawberry.field(
        description="Why email was (not) sent, e.g. that SMTP is not configured."
    )
    rows: int | None = strawberry.field(description="Data rows in the file (all sections).")
    bytes: int | None
    error: str | None = strawberry.field(description="Why the export FAILED.")

    @classmethod
    def from_job(cls, job: Job, ctx: Context) -> ExportJob:
        mark_volatile(ctx)  # the worker moves the job on without a data write
        p, r = job.params or {}, job.result or {}
        status = _status(job)
        if "delivery_status" not in r:  # rows written without it (e.g. the demo's exp_xxx)
            r = {**r, **delivery_on_enqueue(p.get("email_to"), ctx.settings.smtp_url)}
        return cls(
            id=encode_id("ExportJob", job.org_id, job.id),
            key=job.key,
            status=status,
            format=ExportFormat(p.get("format", "csv")),
            period=p.get("period", "30d"),
            include=list(p.get("include", [])),
            mission_keys=list(p.get("mission_ids", [])),
            created_at=job.created_at,
            estimated_completion=(
                _dt(r.get("estimated_completion")) if status == JobStatus.PROCESSING else None
            ),
            finished_at=job.finished_at,
            download_url=download_url(ctx.settings, ctx.principal.org_key, job),
            expires_at=job.expires_at,
            delivery_method="email" if p.get("email_to") else "download",
            delivery_to=p.get("email_to"),
            delivery_status=DeliveryStatus(r.get("delivery_status", "not_requested")),
            delivery_message=r.get("delivery_message"),
            rows=r.get("rows"),
            bytes=r.get("bytes"),
            error=job.error if status == JobStatus.FAILED else None,
        )


@strawberry.type(
    description="An ibl.ai data report (POST …/reports/platforms/{org}/new): a CSV produced "
    "in the background. `key` is `<reportName>:rpt_...`."
)
class DataReport(Node):
    id: strawberry.ID
    key: str
    report_name: str
    status: JobStatus
    url: str | None = strawberry.field(
        description="Once COMPLETED: presigned download link (no auth header), valid until "
        "`expiresAt`."
    )
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    rows: int | None
    error: str | None = strawberry.field(description="Why the report FAILED.")
    mentor: str | None = strawberry.field(description="Mentor unique id; null: org-wide.")
    mentor_id: int | None = strawberry.field(description="The mentor's database id.")
    usergroup_ids: list[int]
    start_date: date | None
    end_date: date | None
    course_id: str | None
    query: str | None

    @classmethod
    def from_job(cls, job: Job, ctx: Context) -> DataReport:
        mark_volatile(ctx)  # the worker moves the job on without a data write
        p, r = job.params or {}, job.result or {}
        status = _status(job)
        return cls(
            id=encode_id("DataReport", job.org_id, job.id),
            key=job.key,
            report_name=p.get("report_name", job.key.split(":", 1)[0]),
            status=status,
            url=download_url(ctx.settings, ctx.principal.org_key, job),
            created_at=job.created_at,
            finished_at=job.finished_at,
            expires_at=job.expires_at,
            rows=r.get("rows"),
            error=job.error if status == JobStatus.FAILED else None,
            mentor=p.get("mentor"),
            mentor_id=p.get("mentor_id"),
            usergroup_ids=list(p.get("usergroup_ids", [])),
            start_date=date.fromisoformat(p["start_date"]) if p.get("start_date") else None,
            end_date=date.fromisoformat(p["end_date"]) if p.get("end_date") else None,
            course_id=p.get("course_id"),
            query=p.get("query"),
        )


async def _fetch_exports(ctx: Context, pks: Sequence[int]) -> list[ExportJob | None]:
    jobs = await jobs_by_ids(ctx.db, ctx.principal.org_id, pks, AMP_EXPORT)
    return [ExportJob.from_job(j, ctx) if j else None for j in jobs]


async def _fetch_reports(ctx: Context, pks: Sequence[int]) -> list[DataReport | None]:
    if not ctx.principal.is_admin:  # data reports are for org admins only
        return [None] * len(pks)
    jobs = await jobs_by_ids(ctx.db, ctx.principal.org_id, pks, IBLAI_REPORT)
    return [DataReport.from_job(j, ctx) if j else None for j in jobs]


register_node("ExportJob", _fetch_exports)
register_node("DataReport", _fetch_reports)
