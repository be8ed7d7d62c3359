"""ibl.ai user analytics (one learner: admin or self) and the org-wide catalog
breakdowns grouped by course and by program.
Response contracts: see the package docstring (`gateway.rest.apis.iblai`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from gateway.errors import InvalidInput
from gateway.rest.apis.iblai.common import (
    ERRORS,
    PREFIX,
    TAG,
    Chart,
    ChartDep,
    CtxDep,
    LimitQ,
    PageQ,
    PeriodOut,
    blank,
    check_platform,
    count,
    page_offset,
    paginated,
    parse_csv,
    percent,
    period_out,
    period_variable,
    run,
)
from gateway.rest.routes import uses
from gateway.rest.runner import run_operation

router = APIRouter(prefix=PREFIX, tags=[TAG], responses=ERRORS)

MAX_COURSE_PAGES = 50  # x 100 enrollments
DETAIL_METRICS = ("enrollment", "grade", "progress", "completion", "time_spent", "engagement")


def learner_params(
    ctx: CtxDep,
    date_filter: Annotated[str | None, Query(description="today|7d|30d|90d|custom")] = None,
    start_date: Annotated[str | None, Query(description="yyyy-MM-dd (custom).")] = None,
    end_date: Annotated[str | None, Query(description="yyyy-MM-dd, inclusive.")] = None,
    platform_key: Annotated[str | None, Query(description="Optional: your org key.")] = None,
    mentor_unique_id: Annotated[
        str | None, Query(description="Narrow chat numbers to one mentor.")
    ] = None,
) -> Chart:
    """The learner routes' parameters: like a chart's, but `platform_key` is optional
    (the documented requests do not send it)."""
    check_platform(ctx, platform_key, required=False)
    name, period = period_variable(date_filter, start_date, end_date)
    return Chart(name, {"period": period, "mentor": blank(mentor_unique_id), "groups": None})


LearnerDep = Annotated[Chart, Depends(learner_params)]
UsernameQ = Annotated[
    str | None, Query(description="The learner (default: you). Admin: any user of the org.")
]


class UserInfo(BaseModel):
    username: str
    name: str
    email: str | None
    date_joined: str | None = Field(None, description="ISO 8601.")


class LearnerTotals(BaseModel):
    enrollments: int
    completed: int = Field(description="Completed enrollments.")
    in_progress: int
    average_grade: float | None = Field(description="0.0-1.0 over graded enrollments.")
    average_progress: float | None = Field(description="0.0-1.0 over enrollments.")
    last_access: str | None = Field(description="Latest course access, ISO 8601.")
    time_spent_seconds: int = Field(description="Learning time in the period (s).")
    engagement: int = Field(description="Learning activities in the period.")
    messages: int = Field(description="Chat messages to mentors in the period.")
    sessions: int = Field(description="Chat sessions in the period.")


class PlatformResult(LearnerTotals):
    platform_key: str
    platform_name: str


class LearnersOut(BaseModel):
    user: UserInfo
    period: PeriodOut
    summary: LearnerTotals = Field(description="Across all of the learner's platforms.")
    count: int
    next: str | None
    previous: str | None
    results: list[PlatformResult] = Field(description="Per platform (org).")


def _totals(s: dict) -> dict[str, Any]:
    return {
        "enrollments": count(s["enrollments"]),
        "completed": count(s["completed"]),
        "in_progress": count(s["inProgress"]),
        "average_grade": s["averageGrade"],
        "average_progress": s["averageProgress"],
        "last_access": s["lastAccess"],
        "time_spent_seconds": count(s["timeSpentSeconds"]),
        "engagement": count(s["engagement"]),
        "messages": count(s["messages"]),
        "sessions": count(s["sessions"]),
    }


@router.get("/analytics/learners/", response_model=LearnersOut)
@uses("iblai/LearnerReport")
async def learners(
    request: Request,
    ctx: CtxDep,
    params: LearnerDep,
    username: UsernameQ = None,
    page: PageQ = 1,
    limit: LimitQ = 20,
) -> dict:
    """Unified user analytics: user info, summary metrics, per-platform results."""
    variables = {**params.variables, "username": blank(username) or ctx.principal.username}
    data = await run_operation(ctx, "iblai/LearnerReport", variables)
    learner, org = data["learnerAnalytics"]["learner"], data["viewer"]["org"]
    user = learner["user"]
    totals = _totals(learner["summary"])
    platforms = [{"platform_key": org["key"], "platform_name": org["name"], **totals}]
    window = platforms[page_offset(page, limit) : page_offset(page, limit) + limit]
    return {
        "user": {
            "username": user["username"],
            "name": user["displayName"],
            "email": learner["email"],
            "date_joined": user["createdAt"],
        },
        "period": period_out(params, data["learnerAnalytics"]["period"]),
        "summary": totals,
        **paginated(request, page, limit, len(platforms), window),
    }


class LearnerCourseRow(BaseModel):
    course_id: str = Field(description="Course key, e.g. course-v1:org+CS101+2026.")
    course_name: str
    enrolled_at: str | None = Field(None, description="enrollment: ISO 8601.")
    grade: float | None = Field(None, description="grade: 0.0-1.0 (null: not graded).")
    progress: float | None = Field(None, description="progress: 0.0-1.0.")
    completed: bool | None = Field(None, description="completion.")
    completed_at: str | None = Field(None, description="completion: ISO 8601.")
    time_spent_seconds: int | None = Field(None, description="time_spent: in the period.")
    activities: int | None = Field(None, description="engagement: activities in the period.")
    last_access: str | None = Field(None, description="engagement: ISO 8601.")


class LearnerDetailsOut(BaseModel):
    user: UserInfo
    period: PeriodOut
    metrics: list[str] = Field(description="The metric groups included in each result.")
    count: int
    results: list[LearnerCourseRow] = Field(description="Per course, by course key.")


def _course(c: dict, wanted: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"course_id": c["courseKey"], "course_name": c["courseName"]}
    if "enrollment" in wanted:
        row["enrolled_at"] = c["enrolledAt"]
    if "grade" in wanted:
        row["grade"] = c["grade"]
    if "progress" in wanted:
        row["progress"] = c["progress"]
    if "completion" in wanted:
        row["completed"] = c["completed"]
        row["completed_at"] = c["completedAt"]
    if "time_spent" in wanted:
        row["time_spent_seconds"] = count(c["timeSpentSeconds"])
    if "engagement" in wanted:
        row["activities"] = count(c["activities"])
        row["last_access"] = c["lastAccessAt"]
    return row


async def learner_details(
    ctx: CtxDep,
    params: LearnerDep,
    username: UsernameQ = None,
    metrics: Annotated[
        str | None, Query(description="Comma list of " + ", ".join(DETAIL_METRICS))
    ] = None,
) -> dict:
    """Per-course details of one learner (all their enrollments)."""
    wanted = parse_csv("metrics", metrics, DETAIL_METRICS)
    variables = {
        **params.variables,
        "username": blank(username) or ctx.principal.username,
        "after": None,
    }
    rows: list[dict] = []
    for _ in range(MAX_COURSE_PAGES):
        a = await run(ctx, "LearnerCourses", variables)
        learner = a["learner"]
        conn = learner["courses"]
        rows += [_course(c, wanted) for c in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        variables["after"] = conn["pageInfo"]["endCursor"]
    user = learner["user"]
    return {
        "user": {
            "username": user["username"],
            "name": user["displayName"],
            "email": learner["email"],
        },
        "period": period_out(params, a["period"]),
        "metrics": wanted,
        "count": len(rows),
        "results": rows,
    }


learner_details = uses("iblai/LearnerCourses")(learner_details)
for _path in ("/analytics/learner/details", "/analytics/learner/details/"):
    router.get(_path, response_model=LearnerDetailsOut, response_model_exclude_unset=True)(
        learner_details
    )


# --- catalog breakdowns -------------------------------------------------------------------


class CatalogFields(BaseModel):
    name: str
    enrollments: int = Field(description="All time, as of now.")
    completions: int = Field(description="All time.")
    learners: int = Field(description="Distinct enrolled learners, all time.")
    new_enrollments: int = Field(description="Enrollments made in the period.")
    completions_in_period: int
    average_grade: float | None = Field(description="0.0-1.0 over graded enrollments.")
    average_progress: float | None = Field(description="0.0-1.0.")
    completion_rate: float | None = Field(description="Percent: 100 x completions/enrollments.")
    time_spent_seconds: int = Field(description="Learning time in the period (s).")
    activities: int = Field(description="Learning activities in the period.")
    active_learners: int = Field(description="Learners active in the period.")


class CourseRow(CatalogFields):
    course_id: str = Field(description="Course key.")


class ProgramRow(CatalogFields):
    program_id: str = Field(description="Program key.")
    course_count: int
    course_ids: list[str]


class CoursesPage(BaseModel):
    period: PeriodOut
    count: int
    next: str | None
    previous: str | None
    results: list[CourseRow] = Field(description="By course key.")


class ProgramsPage(CoursesPage):
    results: list[ProgramRow] = Field(description="By program key.")  # type: ignore[assignment]


def _catalog(n: dict) -> dict[str, Any]:
    rate = n["completionRate"]
    return {
        "name": n["name"],
        "enrollments": count(n["enrollments"]),
        "completions": count(n["completions"]),
        "learners": count(n["learners"]),
        "new_enrollments": count(n["newEnrollments"]),
        "completions_in_period": count(n["completionsInPeriod"]),
        "average_grade": n["averageGrade"],
        "average_progress": n["averageProgress"],
        "completion_rate": percent(rate),
        "time_spent_seconds": count(n["timeSpentSeconds"]),
        "activities": count(n["activities"]),
        "active_learners": count(n["activeLearners"]),
    }


async def _catalog_page(
    request: Request, ctx, chart: Chart, op: str, field: str, page, limit, search
) -> dict:
    if chart.variables["mentor"] is not None:
        raise InvalidInput("Course and program breakdowns are org-wide: drop `mentor_unique_id`.")
    variables = {
        **chart.variables,
        "search": blank(search),
        "first": limit,
        "offset": page_offset(page, limit),
    }
    a = await run(ctx, op, variables)
    conn = a[field]
    rows = []
    for n in conn["nodes"]:
        if field == "courses":
            rows.append({"course_id": n["key"], **_catalog(n)})
        else:
            ids = [c["key"] for c in n["courses"]]
            rows.append(
                {"program_id": n["key"], **_catalog(n), "course_count": n["courseCount"],
                 "course_ids": ids}
            )  # fmt: skip
    body = paginated(request, page, limit, conn["totalCount"], rows)
    return {"period": period_out(chart, a["period"]), **body}


SearchQ = Annotated[str | None, Query(description="Key or name contains.")]


@router.get("/analytics/courses/details/", response_model=CoursesPage)
@uses("iblai/Courses")
async def courses(
    request: Request, ctx: CtxDep, chart: ChartDep, page: PageQ = 1, limit: LimitQ = 20,
    search: SearchQ = None,
) -> dict:  # fmt: skip
    """The catalog grouped by course (org-wide; `usergroup_ids` narrow the learners)."""
    return await _catalog_page(request, ctx, chart, "Courses", "courses", page, limit, search)


@router.get("/analytics/programs/details/", response_model=ProgramsPage)
@uses("iblai/Programs")
async def programs(
    request: Request, ctx: CtxDep, chart: ChartDep, page: PageQ = 1, limit: LimitQ = 20,
    search: SearchQ = None,
) -> dict:  # fmt: skip
    """The catalog grouped by program (each aggregating its courses)."""
    return await _catalog_page(request, ctx, chart, "Programs", "programs", page, limit, search)
