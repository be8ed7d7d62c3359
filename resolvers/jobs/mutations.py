"""`createAnalyticsExport` (any org member, like the AMP reads) and `createDataReport`
(org admins: the ibl.ai platform admin). Both validate their input up front and answer
INVALID_INPUT / NOT_FOUND with a message saying what to send instead."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import strawberry
from sqlalchemy import update
from strawberry.types import Info

from gateway.access.missions import mission_by_key
from gateway.context import Context
from gateway.errors import NotFound, TallyError
from gateway.jobs import service
from gateway.jobs.email import delivery_on_enqueue
from gateway.jobs.kinds import AMP_EXPORT, IBLAI_REPORT
from gateway.jobs.params import export_params, report_params
from gateway.learners.loaders import CourseByKeyLoader, MentorByKeyLoader, UserGroupMembersLoader
from gateway.models.jobs import Job
from resolvers.jobs.inputs import AnalyticsExportInput, DataReportInput
from resolvers.jobs.types import DataReport, ExportJob
from resolvers.permissions import IsAuthenticated, IsOrgAdmin


async def _fail_inline(ctx: Context, job: Job, message: str) -> Job:
    return (
        await ctx.db.execute(
            update(Job)
            .where(Job.org_id == job.org_id, Job.id == job.id)
            .values(status="failed", error=message, finished_at=datetime.now(UTC))
            .returning(Job)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()


@strawberry.type
class JobsMutation:
    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="Export analytics as CSV or JSON (POST /v1/analytics/export). Small "
        "exports (at most 31 days and 10 missions, no email to send) complete at once; "
        "others answer PROCESSING with estimatedCompletion — poll exportJob(key).",
    )
    async def create_analytics_export(
        self, info: Info[Context, None], input: AnalyticsExportInput
    ) -> ExportJob:
        ctx = info.context
        params = export_params(
            format=input.format.value,
            period=input.period,
            include=input.include,
            mission_ids=input.mission_keys,
            email_to=input.email_to,
        )
        await asyncio.gather(*(mission_by_key(ctx, k) for k in params["mission_ids"]))
        smtp = ctx.settings.smtp_url
        result = delivery_on_enqueue(params["email_to"], smtp)
        n = await service.missions_in_scope(ctx, params)
        inline = service.export_runs_inline(params, n, bool(smtp))
        if not inline:
            eta = service.estimated_completion(params, n, datetime.now(UTC))
            result["estimated_completion"] = eta.isoformat()
        job = await service.enqueue(
            ctx.db,
            org_id=ctx.principal.org_id,
            requested_by=ctx.principal.user_id,
            kind=AMP_EXPORT,
            params=params,
            result=result,
        )
        if inline:
            try:
                job = await service.run_inline(ctx, job)
            except TallyError as exc:
                job = await _fail_inline(ctx, job, exc.message)
        return ExportJob.from_job(job, ctx)

    @strawberry.mutation(
        permission_classes=[IsAuthenticated, IsOrgAdmin],
        description="Generate an ibl.ai data report (POST …/reports/platforms/{org}/new) in "
        "the background; poll dataReport(reportName, mentor) until COMPLETED, then fetch "
        "its presigned `url`. Org admins only.",
    )
    async def create_data_report(
        self, info: Info[Context, None], input: DataReportInput
    ) -> DataReport:
        ctx = info.context
        params = report_params(
            report_name=input.report_name,
            mentor=input.mentor,
            mentor_id=None,
            usergroup_ids=input.usergroup_ids,
            start_date=input.start_date,
            end_date=input.end_date,
            course_id=input.course_id,
            query=input.query,
        )
        if input.mentor is not None:
            mentor = await ctx.loader(MentorByKeyLoader).load(input.mentor)
            if mentor is None:
                raise NotFound(f"No mentor with unique id {input.mentor!r} in this org.")
            params["mentor_id"] = mentor.id
        groups = params["usergroup_ids"]
        if groups:
            found = await ctx.loader(UserGroupMembersLoader).load_many(groups)
            missing = [g for g, members in zip(groups, found, strict=True) if members is None]
            if missing:
                raise NotFound(f"No user group(s) {missing} in this org.")
        if (
            params["course_id"]
            and await ctx.loader(CourseByKeyLoader).load(params["course_id"]) is None
        ):
            raise NotFound(f"No course {params['course_id']!r} in this org.")
        job = await service.enqueue(
            ctx.db,
            org_id=ctx.principal.org_id,
            requested_by=ctx.principal.user_id,
            kind=IBLAI_REPORT,
            params=params,
        )
        return DataReport.from_job(job, ctx)
