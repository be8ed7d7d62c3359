"""`exportJob(key)` (any org member), `dataReports(mentor, mentorId)` and
`dataReport(reportName, mentor)` (org admins)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.errors import InvalidInput, NotFound
from gateway.jobs import service
from gateway.jobs.kinds import AMP_EXPORT, IBLAI_REPORT
from gateway.jobs.params import REPORT_NAMES
from gateway.learners.loaders import MentorByKeyLoader
from resolvers.jobs.types import DataReport, ExportJob
from resolvers.permissions import IsAuthenticated, IsOrgAdmin

MAX_REPORTS = 100


async def _check_mentor(ctx: Context, mentor: str | None) -> None:
    if mentor is not None and await ctx.loader(MentorByKeyLoader).load(mentor) is None:
        raise NotFound(f"No mentor with unique id {mentor!r} in this org.")


@strawberry.type
class JobsQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="An analytics export of your org by its key (`exp_...`); null when "
        "there is none.",
    )
    async def export_job(self, info: Info[Context, None], key: str) -> ExportJob | None:
        ctx = info.context
        job = await service.get_job(ctx.db, ctx.principal.org_id, key, kind=AMP_EXPORT)
        return ExportJob.from_job(job, ctx) if job else None

    @strawberry.field(
        permission_classes=[IsAuthenticated, IsOrgAdmin],
        description=f"Data reports of your org, newest first (at most {MAX_REPORTS}); "
        "`mentor` (unique id) or `mentorId` (database id) narrows to one mentor's reports.",
    )
    async def data_reports(
        self, info: Info[Context, None], mentor: str | None = None, mentor_id: int | None = None
    ) -> list[DataReport]:
        ctx = info.context
        await _check_mentor(ctx, mentor)
        jobs = await service.list_jobs(
            ctx.db,
            ctx.principal.org_id,
            kind=IBLAI_REPORT,
            mentor=mentor,
            mentor_id=mentor_id,
            limit=MAX_REPORTS,
        )
        return [DataReport.from_job(j, ctx) for j in jobs]

    @strawberry.field(
        permission_classes=[IsAuthenticated, IsOrgAdmin],
        description="The latest data report of that name for `mentor` (unique id; omitted: "
        "the org-wide reports); null when none was generated.",
    )
    async def data_report(
        self, info: Info[Context, None], report_name: str, mentor: str | None = None
    ) -> DataReport | None:
        ctx = info.context
        if report_name not in REPORT_NAMES:
            raise InvalidInput(
                f"Unknown report_name {report_name!r}; choose from {list(REPORT_NAMES)}."
            )
        await _check_mentor(ctx, mentor)
        job = await service.latest_report(ctx.db, ctx.principal.org_id, report_name, mentor)
        return DataReport.from_job(job, ctx) if job else None
