"""ibl.ai data reports (`iblai_report`): one CSV per report, read through persisted
operations as the requesting admin, scoped like the analytics (mentor or org-wide,
narrowed to `usergroup_ids`, over `start_date`..`end_date` or all time).

Reports and their CSV columns (a header row, then one row per record):

  ai-mentor-chat-history  one row per transcript message of the chat sessions with a
      stored transcript (like the Transcripts page), sessions newest first and messages
      oldest first. `query` matches the user's username / name / email.
      session_id, session_started_at, session_ended_at, mentor_unique_id, mentor_name,
      username, user_display_name, topic, message_index (1-based), role (user|assistant),
      content, message_created_at
  ai-mentor-users  users with chat activity in the period, most messages first (`query`
      filters): username, name, email, messages, sessions, cost_cents, last_active
  ai-mentor-costs  LLM cost in the period: rows with dimension `provider`, then `model`
      (highest cost first, at most 100 each), then `user` (highest cost first, `query`
      filters): dimension, key, cost_cents (USD cents), llm_calls, tokens, sessions
      (llm_calls/tokens are empty on user rows, sessions on provider/model rows)
  ai-mentor-courses  catalog courses (org-wide; `mentor` does not apply; `course_id`
      narrows to one course, `query` searches): course_id, name, enrollments,
      completions, learners, new_enrollments, completions_in_period, average_grade
      (0-1), average_progress (0-1), completion_rate (percent), time_spent_seconds,
      activities

Timestamps are ISO 8601 UTC; empty cells are nulls.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from gateway.context import Context
from gateway.jobs.handlers import cell, paged
from gateway.jobs.params import report_period
from gateway.rest.runner import run_operation

CHAT_COLUMNS = (
    "session_id", "session_started_at", "session_ended_at", "mentor_unique_id",
    "mentor_name", "username", "user_display_name", "topic", "message_index", "role",
    "content", "message_created_at",
)  # fmt: skip
USER_COLUMNS = ("username", "name", "email", "messages", "sessions", "cost_cents", "last_active")
COST_COLUMNS = ("dimension", "key", "cost_cents", "llm_calls", "tokens", "sessions")
COURSE_COLUMNS = (
    "course_id", "name", "enrollments", "completions", "learners", "new_enrollments",
    "completions_in_period", "average_grade", "average_progress", "completion_rate",
    "time_spent_seconds", "activities",
)  # fmt: skip
COURSE_FIELDS = (
    "key", "name", "enrollments", "completions", "learners", "newEnrollments",
    "completionsInPeriod", "averageGrade", "averageProgress", "completionRate",
    "timeSpentSeconds", "activities",
)  # fmt: skip


def _scope(params: dict) -> dict[str, Any]:
    groups = params.get("usergroup_ids") or []
    return {
        "mentor": params.get("mentor"),
        "groups": [str(g) for g in groups] or None,
        "period": report_period(params),
    }


async def _chat_history(ctx: Context, params: dict):
    variables = {**_scope(params), "search": params.get("query")}
    path = ("learnerAnalytics", "transcripts")
    async for s in paged(ctx, "ReportChatSessions", variables, path):
        user, mentor = s["user"] or {}, s["mentor"] or {}
        head = (
            s["sessionId"], s["startedAt"], s["endedAt"], mentor.get("key"), mentor.get("name"),
            user.get("username"), user.get("displayName"), s["topic"],
        )  # fmt: skip
        messages = list(s["messages"]["nodes"])
        info = s["messages"]["pageInfo"]
        while info["hasNextPage"]:
            more = await run_operation(
                ctx,
                "jobs/ReportTranscriptMessages",
                {"mentor": params.get("mentor"), "sessionId": s["sessionId"],
                 "after": info["endCursor"]},
            )  # fmt: skip
            conn = more["learnerAnalytics"]["transcript"]["messages"]
            messages += conn["nodes"]
            info = conn["pageInfo"]
        if not messages:
            yield (*head, None, None, None, None)
        for i, m in enumerate(messages, 1):
            yield (*head, i, m["role"], m["content"], m["createdAt"])


async def _users(ctx: Context, params: dict):
    variables = {**_scope(params), "search": params.get("query")}
    async for u in paged(ctx, "ReportUsers", variables, ("learnerAnalytics", "users")):
        yield (u["username"], u["name"], u["email"], u["messages"], u["sessions"],
               u["costCents"], u["lastActive"])  # fmt: skip


async def _costs(ctx: Context, params: dict):
    scope = _scope(params)
    data = (await run_operation(ctx, "jobs/ReportCostGroups", scope))["learnerAnalytics"]
    for dimension, field in (("provider", "costByProvider"), ("model", "costByModel")):
        for g in data[field]:
            yield (dimension, g["key"], g["costCents"], g["llmCalls"], g["tokens"], None)
    variables = {**scope, "search": params.get("query")}
    async for u in paged(ctx, "ReportCostByUser", variables, ("learnerAnalytics", "costByUser")):
        yield ("user", u["username"], u["costCents"], None, None, u["sessions"])


async def _courses(ctx: Context, params: dict):
    scope = _scope(params)
    del scope["mentor"]  # the catalog is org-wide
    if params.get("course_id"):
        data = await run_operation(ctx, "jobs/ReportCourse", {**scope, "key": params["course_id"]})
        courses: Iterable[dict] = [data["learnerAnalytics"]["course"]]
        for c in courses:
            yield tuple(c[f] for f in COURSE_FIELDS)
        return
    variables = {**scope, "search": params.get("query")}
    async for c in paged(ctx, "ReportCourses", variables, ("learnerAnalytics", "courses")):
        yield tuple(c[f] for f in COURSE_FIELDS)


REPORTS = {
    "ai-mentor-chat-history": (CHAT_COLUMNS, _chat_history),
    "ai-mentor-users": (USER_COLUMNS, _users),
    "ai-mentor-costs": (COST_COLUMNS, _costs),
    "ai-mentor-courses": (COURSE_COLUMNS, _courses),
}


async def produce_report(ctx: Context, params: dict, out: TextIO) -> dict:
    columns, rows_of = REPORTS[params["report_name"]]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    n = 0
    async for row in rows_of(ctx, params):
        writer.writerow([cell(v) for v in row])
        n += 1
    return {"rows": n, "sections": {params["report_name"]: n}}
