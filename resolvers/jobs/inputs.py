"""Inputs of the job mutations (validated in gateway/jobs/params.py)."""

from __future__ import annotations

from datetime import date

import strawberry

from resolvers.jobs.types import ExportFormat


@strawberry.input(description="An AMP analytics export (POST /v1/analytics/export).")
class AnalyticsExportInput:
    format: ExportFormat = ExportFormat.CSV
    period: str = strawberry.field(
        default="30d",
        description="7d, 30d, 90d, ytd, all, or YYYY-MM-DD/YYYY-MM-DD (UTC, inclusive).",
    )
    include: list[str] | None = strawberry.field(
        default=None, description="Any of content, metrics, costs (default: all three)."
    )
    mission_keys: list[str] | None = strawberry.field(
        default=None, description="Mission keys (`msn_...`); default: every mission."
    )
    email_to: str | None = strawberry.field(
        default=None, description="Email the download link to this address when ready."
    )


@strawberry.input(description="An ibl.ai data report (POST …/reports/platforms/{org}/new).")
class DataReportInput:
    report_name: str = strawberry.field(
        description="ai-mentor-chat-history, ai-mentor-users, ai-mentor-costs or ai-mentor-courses."
    )
    mentor: str | None = strawberry.field(
        default=None, description="Mentor unique id; omitted: org-wide."
    )
    usergroup_ids: list[int] | None = None
    start_date: date | None = strawberry.field(
        default=None, description="With endDate (inclusive, UTC); both omitted: all time."
    )
    end_date: date | None = None
    course_id: str | None = strawberry.field(
        default=None, description="A course key; only for ai-mentor-courses."
    )
    query: str | None = strawberry.field(
        default=None, description="Search users by username / name / email."
    )
