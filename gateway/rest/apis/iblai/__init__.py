"""ibl.ai analytics (seed 003) on Tally: the documented `/dm/api/...` paths, each answered by
persisted GraphQL operations (`gateway/rest/operations/iblai/`) over `learnerAnalytics`.

Auth: `Authorization: Api-Token <token>` only. Analytics, catalog and audit need the org
admin role (ibl.ai platform admin); `/analytics/learners/` and `/analytics/learner/details`
are also open to the learner themself (`IsPlatformAdminOfUser | IsSelfAccess`).

Errors (DRF style, always `{"detail": "..."}`):
  400  bad / unknown parameter value (`date_filter`, `metric`, `group_by`, `metrics`,
       `action`, `granularity`), `custom` without both dates, malformed dates (yyyy-MM-dd),
       start after end, `limit` outside 1..100, `page` < 1, non-numeric `usergroup_ids`,
       missing `platform_key` on a chart, missing `session_id`, malformed JSON body.
  401  "Authentication credentials were not provided." (no or non-Api-Token header) /
       "Invalid token." (also "Token has expired." / "Token has been revoked.");
       `WWW-Authenticate: Api-Token`.
  403  "You do not have permission to perform this action." (not an admin; a learner
       reading another learner; the audit path's `{username}` is not the caller).
  404  unknown `platform_key` / `{org}` (another org's key is unknown too), mentor, user,
       user group, session, report; "Invalid page." past the last page.

Chart parameters (every `/analytics/...` chart): `date_filter` = today | 7d | 30d | 90d |
custom (default 30d; `custom` needs `start_date` and `end_date`, yyyy-MM-dd, both
inclusive; with a preset the dates are ignored but must be valid), `all_time=true` or
`date_filter=all_time` (the whole history), `platform_key` (required: your org key),
`mentor_unique_id` (agent scope; omit for org-wide), `usergroup_ids` (comma list).
Days are UTC days. Every chart echoes `period`:
`{"date_filter": "30d", "start_date": "2026-03-01", "end_date": "2026-03-30", "timezone": "UTC"}`.

Conventions: snake_case; counts are integers; money is USD as a decimal number (6 decimal
places; the unit is also named by `unit: "USD"` where a response carries money);
timestamps ISO 8601 with offset; dates yyyy-MM-dd. A KPI is
`{"value", "previous_value", "change", "change_percentage" (2 decimals, null when the
previous value is 0), "direction": "up"|"down"|"flat"}` against the previous period of
equal length. Series points are `{"date": "yyyy-MM-dd" (bucket start; ISO datetime for
hourly buckets), "value"}`, zero-filled, oldest first. Paged lists are DRF page-number
pages `{"count", "next", "previous", "results"}` (`page` from 1, `limit` 1..100, absolute
`next`/`previous` links or null); the audit log is DRF limit/offset.

Responses:

GET /dm/api/analytics/topics/
  {"period", "mentor_unique_id": str|null, "messages": KPI, "topics": KPI,
   "conversations": KPI}   (topics = distinct topics; conversations = sessions started)
GET /dm/api/analytics/users/?metric=
      registered_users | active_users | active_users_last_30d | currently_active
  {"metric", "period", "value": int, "previous_value", "change", "change_percentage",
   "direction"}   (the last four are null for active_users_last_30d — the last 30 days
   whatever the date_filter — and currently_active — the last 15 minutes)
GET /dm/api/analytics/sessions/[?granularity=hour|day|week|month]
  {"metric": "sessions", "unit": "sessions", "granularity": "day", "period", "total": int,
   "results": [{"date", "value": int}]}
GET /dm/api/analytics/topics/details/[?limit=10]
  {"period", "count", "results": [{"topic", "messages": int, "sessions": int}]}  (most
   messages first, ties by topic)
GET /dm/api/analytics/time/
  {"period", "timezone", "total": int, "days": ["monday", ..., "sunday"],
   "matrix": 7 x 24 ints (matrix[iso_weekday - 1][hour]),
   "results": [{"day_of_week": 1..7, "day", "hour": 0..23, "messages": int}]} (non-zero)
GET /dm/api/analytics/users/details/?page&limit&search
  page of {"username", "name", "email", "messages", "sessions", "total_costs" (USD),
   "last_active" (ISO)}  (users with chat activity in the period, most messages first)
GET /dm/api/analytics/conversations?metric=conversations  (also with a trailing slash)
  {"metric": "conversations", "period", KPI fields..., "granularity": "day",
   "results": [{"date", "value": int}]}
GET /dm/api/analytics/conversations?metric=headline
  {"metric": "headline", "period", "conversations", "messages", "users",
   "average_messages_per_conversation": float|null, "average_rating": float|null}
GET /dm/api/analytics/ratings/
  {"period", "average_rating": float|null (2 decimals), "count": int,
   "distribution": [{"rating": 1..5, "count": int}]}
GET /dm/api/analytics/messages/?search&topic&page&limit
  page of {"session_id", "username", "name", "mentor_unique_id", "mentor_name", "topic",
   "message_count", "started_at", "ended_at"}  (newest first)
GET /dm/api/analytics/messages/details/?session_id=
  one of the above plus "messages": [{"role": "user"|"assistant", "content",
   "created_at"}]  (the whole transcript, oldest first; any date)
GET /dm/api/analytics/financial/?metric=total_costs|weekly_costs|monthly_costs
  {"metric", "unit": "USD", "all_time": bool, "granularity": "day"|"week"|"month"|null,
   "period", "total": USD, "previous_total": USD|null, "change_percentage",
   "results": [{"date", "value": USD}]}  total_costs = cost per day over the period;
   weekly/monthly = per week (Monday) / month; with all_time: weekly/monthly over the
   whole history (from the org's first LLM cost: `period` starts that day), and
   total_costs is the all-time total alone (results []).
GET /dm/api/analytics/financial/details/?group_by=provider|llm_model[&metric=total_costs&limit]
  {"group_by", "unit": "USD", "period", "count",
   "results": [{"provider"|"llm_model", "total_costs": USD, "llm_calls": int,
   "tokens": int}]}  (highest cost first)
GET /dm/api/analytics/financial/details/?group_by=username
      &metrics=total_costs,sessions&page&limit&search
  page of {"username", "name", "email", "total_costs": USD, "sessions": int} (only the
   requested metrics; highest cost first)
GET /dm/api/analytics/learners/?username&limit&page&start_date&end_date&date_filter
  {"user": {"username", "name", "email", "date_joined"}, "period",
   "summary": TOTALS, "count", "next", "previous",
   "results": [{"platform_key", "platform_name", **TOTALS}]}
   TOTALS = {"enrollments", "completed", "in_progress", "average_grade" (0-1),
   "average_progress" (0-1), "last_access", "time_spent_seconds", "engagement"
   (activities), "messages", "sessions"} — the period applies to time, engagement and
   chat; enrollments are as of now. `username` defaults to the caller.
GET /dm/api/analytics/learner/details?username&start_date&end_date&date_filter&metrics
  {"user", "period", "metrics": [...], "count", "results": [{"course_id" (course key),
   "course_name", + per metric group: enrollment: "enrolled_at"; grade: "grade";
   progress: "progress"; completion: "completed", "completed_at"; time_spent:
   "time_spent_seconds"; engagement: "activities", "last_access"}]}
   `metrics` = comma list of enrollment, grade, progress, completion, time_spent,
   engagement (default all).
GET /dm/api/analytics/courses/details/?page&limit&search   (course breakdown)
GET /dm/api/analytics/programs/details/?page&limit&search  (program breakdown)
  {"period", "count", "next", "previous", "results": [{"course_id" | "program_id"
   (key), "name", "enrollments", "completions", "learners" (all time), "new_enrollments",
   "completions_in_period", "average_grade" (0-1), "average_progress" (0-1),
   "completion_rate" (percent), "time_spent_seconds", "activities", "active_learners"
   (in the period), programs also "course_count", "course_ids"}]}  org-wide:
   `mentor_unique_id` is a 400; `usergroup_ids` narrows the learners counted.
GET /dm/api/ai-mentor/orgs/{org}/users/{username}/mentors/audit-logs/
      ?limit=20&offset&mentor&action=0|1|2&actor_email&from_date&to_date
  {"count", "next", "previous", "results": [{"id", "timestamp", "action": 0|1|2,
   "action_display": "create"|"update"|"delete", "actor_username", "actor_email",
   "mentor_unique_id", "mentor_name", "target_type", "target_id", "changes"}]}
   (newest first; from/to dates inclusive UTC days)

Data reports (POST …/reports/platforms/{org}/new, list, poll, presigned CSV download):
see `gateway.rest.apis.iblai.reports`.
"""

from __future__ import annotations

from fastapi import APIRouter

from gateway.dialects import register_error_dialect
from gateway.rest.apis.iblai import audit, charts, costs, learners, reports, transcripts
from gateway.rest.apis.iblai.common import PREFIX, TAG, render_error

# The sub-routers carry the prefix and tag; their routes are copied (not nested with
# include_router) so `router.routes` lists every APIRoute for the shim catalog.
router = APIRouter(tags=[TAG])
for _module in (charts, transcripts, costs, learners, audit, reports):
    router.routes.extend(_module.router.routes)

register_error_dialect(PREFIX + "/", render_error)
