"""All SQL of the learners domain (ibl.ai, seed 003). Every statement is filtered by
`org_id`; lookups of many keys are one `= ANY(...)` statement.

Entity reads (mentors, sessions, messages, courses, programs, enrollments, audit log) are
SQLAlchemy Core. The event aggregations the metric engine has no shape for (distinct
topics, the day x hour heatmap, the rating distribution, the per-user table) are text
SQL that reads rollups for the aligned interior and raw events for the edges, like the
engine does (`gateway.metrics.compile.split`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, literal_column, or_, select, text

from gateway.context import RequestSession
from gateway.learners.scope import MENTOR_KIND, AnalyticsScope
from gateway.metrics.batch import MetricBatch
from gateway.metrics.buckets import HOUR, offsets_multiple_of
from gateway.metrics.compile import DAY, Params, split, split_levels
from gateway.metrics.periods import ResolvedPeriod
from gateway.models import (
    Agent,
    AuditLogEntry,
    ChatSession,
    Course,
    Enrollment,
    Message,
    Program,
    ProgramCourse,
    User,
    UserGroup,
    UserGroupMember,
)
from gateway.models.events import HOURS, hour_columns, hour_days

# --- helpers --------------------------------------------------------------------------


def like_pattern(search: str) -> str:
    """`search` as a case-insensitive substring pattern (LIKE wildcards escaped)."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class _Params:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __call__(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return ":" + name


def _ranges(p: _Params, col: str, intervals: Sequence[tuple[Any, Any]]) -> str:
    """An OR of `col` ranges; for an hourly view's `bucket` each also bounds `day`, the
    column its index has (`gateway.models.events.hour_days`)."""
    if not intervals:
        return "false"
    ranges = []
    for a, b in intervals:
        r = f"{col} >= {p(a)} AND {col} < {p(b)}"
        if col == "bucket":
            first, last = hour_days(a, b)
            r += f" AND day >= {p(first)} AND day <= {p(last)}"
        ranges.append(f"({r})")
    return "(" + " OR ".join(ranges) + ")"


def _agent_where(p: _Params, s: AnalyticsScope, types: Sequence[str], *, actors: bool) -> str:
    """org + agent subject (one mentor or every mentor) + event types (+ user groups)."""
    org = p(s.org_id)
    w = f"org_id = {org} AND subject_type = 'agent' AND type = ANY({p(list(types))})"
    if s.mentor_id is not None:
        w += f" AND subject_id = {p(s.mentor_id)}"
    else:
        w += (
            # ARRAY(...) runs once and drives the index, statistics or not
            # (gateway.metrics.compile.Params.any_of)
            f" AND subject_id = ANY(ARRAY(SELECT a.id FROM agents a WHERE a.org_id = {org}"
            f" AND a.kind = {p(MENTOR_KIND)}))"
        )
    if actors and s.actor_ids is not None:
        w += f" AND actor_id = ANY({p(list(s.actor_ids))})"
    return w


def _rollup_rows(
    p: _Params,
    s: AnalyticsScope,
    types: Sequence[str],
    segments: list[ResolvedPeriod],
    *,
    hours: bool = False,
) -> str:
    """Rows (ts, type, dims, actor_id, n, total) covering `segments` exactly once: whole
    UTC days from `rollup_daily` (unless `hours`: the caller groups by local hour), the
    remaining whole hours from `rollup_hourly`, raw events for the partial hours (the
    engine's levels, `gateway.metrics.compile.split_levels`). With `hours`, the hour rows
    are summed over the mentors and dims first (`_hour_sums`; dims NULL): the caller
    groups by time only. With a user-group filter, raw events only (the n/total rollups
    keep no actor)."""
    if s.actor_ids is not None:
        return _raw_rows(p, s, types, [(g.start, g.end) for g in segments])
    levels = [(HOUR, "rollup_hourly", "bucket")]
    if not hours:
        levels.insert(0, (DAY, "rollup_daily", "day"))
    per_level, raw = split_levels(segments, [step for step, _, _ in levels])
    parts = []
    for (_, table, col), intervals in zip(levels, per_level, strict=True):
        if not intervals:
            continue
        if hours:
            parts.append(_hour_sums(p, s, types, intervals))
            continue
        if col == "day":
            ts = "CAST(day AS timestamp) AT TIME ZONE 'UTC'"
            intervals = [(a.date(), b.date()) for a, b in intervals]
        else:
            ts = "bucket"
        parts.append(
            f"SELECT {ts} AS ts, type, dims, CAST(NULL AS bigint) AS actor_id, n, total"
            f" FROM {table} WHERE {_agent_where(p, s, types, actors=False)}"
            f" AND {_ranges(p, col, intervals)}"
        )
    if raw or not parts:
        parts.append(_raw_rows(p, s, types, raw))
    return " UNION ALL ".join(parts)


def _hour_sums(
    p: _Params, s: AnalyticsScope, types: Sequence[str], intervals: Sequence[tuple]
) -> str:
    """The whole UTC hours `intervals` as rows (ts, type, NULL dims, NULL actor, n,
    total): the daily rows' hour columns summed per (type, day) first, then one row per
    hour with events. Expanding every (mentor, day, dims) row into its 24 hours through
    the `rollup_hourly` view costs 6x more on the large demo's 30-day heatmap."""
    days = [hour_days(a, b) for a, b in intervals]
    day_ranges = _ranges(p, "day", [(first, last + DAY) for first, last in days])
    sums = ", ".join(f"sum({c}) AS {c}" for h in HOURS for c in hour_columns(h))
    values = ", ".join(f"({h}, d.{n}, d.{t})" for h in HOURS for n, t in [hour_columns(h)])
    return (
        "SELECT ts, type, CAST(NULL AS jsonb) AS dims, CAST(NULL AS bigint) AS actor_id,"
        " n, total FROM (SELECT d.type, (d.day + make_interval(hours => u.hour))"
        " AT TIME ZONE 'UTC' AS ts, u.n, u.total FROM ("
        f"SELECT type, day, {sums} FROM rollup_daily"
        f" WHERE {_agent_where(p, s, types, actors=False)} AND {day_ranges}"
        f" GROUP BY type, day) d CROSS JOIN LATERAL (VALUES {values}) AS u(hour, n, total)"
        f" WHERE u.n IS NOT NULL) x WHERE {_ranges(p, 'ts', intervals)}"
    )


def _raw_rows(
    p: _Params, s: AnalyticsScope, types: Sequence[str], intervals: Sequence[tuple]
) -> str:
    return (
        "SELECT ts, type, dims, actor_id, CAST(1 AS bigint) AS n, value AS total FROM events"
        f" WHERE {_agent_where(p, s, types, actors=True)} AND {_ranges(p, 'ts', intervals)}"
    )


def _daily_actor_rows(
    p: _Params, s: AnalyticsScope, types: Sequence[str], period: ResolvedPeriod
) -> str:
    """Rows (type, actor_id, n, total): `rollup_daily_actor` for whole UTC days, raw events
    for partial days."""
    rollup, raw = split([period], DAY)
    parts = []
    if rollup:
        days = [(a.date(), b.date()) for a, b in rollup]
        parts.append(
            "SELECT type, actor_id, n, total FROM rollup_daily_actor"
            f" WHERE {_agent_where(p, s, types, actors=True)} AND {_ranges(p, 'day', days)}"
        )
    if raw or not rollup:
        parts.append(
            "SELECT type, actor_id, CAST(1 AS bigint) AS n, value AS total FROM events"
            f" WHERE {_agent_where(p, s, types, actors=True)} AND actor_id IS NOT NULL"
            f" AND {_ranges(p, 'ts', raw)}"
        )
    return " UNION ALL ".join(parts)


def _mentor_clause(s: AnalyticsScope, agent_col) -> Any:
    if s.mentor_id is not None:
        return agent_col == s.mentor_id
    mentors = select(Agent.id).where(Agent.org_id == s.org_id, Agent.kind == MENTOR_KIND)
    return agent_col.in_(mentors)


async def _page(db: RequestSession, stmt: Select, offset: int, limit: int) -> tuple[list, int]:
    """Rows of one page (at most `limit + 1`) and the total count, in one statement
    (a second one only when the page is past the end)."""
    counted = stmt.add_columns(func.count().over().label("_total"))
    rows = list((await db.execute(counted.offset(offset).limit(limit + 1))).all())
    if rows:
        return rows, int(rows[0]._total)
    if offset == 0:
        return [], 0
    total = await db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return [], int(total or 0)


# --- mentors, user groups -------------------------------------------------------------


async def mentors_by_keys(db: RequestSession, org_id: int, keys: Sequence[str]) -> list[Agent]:
    stmt = select(Agent).where(
        Agent.org_id == org_id, Agent.kind == MENTOR_KIND, Agent.key.in_(list(keys))
    )
    return list(await db.scalars(stmt))


async def agents_by_ids(db: RequestSession, org_id: int, ids: Sequence[int]) -> list[Agent]:
    return list(
        await db.scalars(select(Agent).where(Agent.org_id == org_id, Agent.id.in_(list(ids))))
    )


async def group_members(
    db: RequestSession, org_id: int, group_ids: Sequence[int]
) -> tuple[set[int], dict[int, set[int]]]:
    """(the group ids that exist in the org, {group id: member user ids})."""
    member = and_(
        UserGroupMember.org_id == UserGroup.org_id, UserGroupMember.group_id == UserGroup.id
    )
    stmt = (
        select(UserGroup.id, UserGroupMember.user_id)
        .outerjoin(UserGroupMember, member)
        .where(UserGroup.org_id == org_id, UserGroup.id.in_(list(group_ids)))
    )
    found: set[int] = set()
    members: dict[int, set[int]] = {}
    for gid, uid in (await db.execute(stmt)).all():
        found.add(gid)
        if uid is not None:
            members.setdefault(gid, set()).add(uid)
    return found, members


# --- users ----------------------------------------------------------------------------


async def registered_users(
    db: RequestSession, s: AnalyticsScope, ends: Sequence[datetime]
) -> list[int]:
    """How many users were registered before each instant of `ends` (one statement).
    Org-wide: users of the org created before it; one mentor: users whose first chat
    session with the mentor started before it. Narrowed to user-group members if set."""
    if s.mentor_id is None:
        since = User.created_at
        base = select(User.id.label("uid"), since.label("since")).where(User.org_id == s.org_id)
        if s.actor_ids is not None:
            base = base.where(User.id.in_(list(s.actor_ids)))
    else:
        base = (
            select(
                ChatSession.user_id.label("uid"), func.min(ChatSession.started_at).label("since")
            )
            .where(ChatSession.org_id == s.org_id, ChatSession.agent_id == s.mentor_id)
            .group_by(ChatSession.user_id)
        )
        if s.actor_ids is not None:
            base = base.where(ChatSession.user_id.in_(list(s.actor_ids)))
    sub = base.subquery()
    cols = [func.count().filter(sub.c.since < end) for end in ends]
    row = (await db.execute(select(*cols).select_from(sub))).one()
    return [int(v) for v in row]


async def actor_table(
    db: RequestSession,
    s: AnalyticsScope,
    period: ResolvedPeriod,
    *,
    search: str | None,
    order: str,
    only_cost: bool,
    offset: int,
    limit: int,
) -> tuple[list[Any], int]:
    """One page of the per-user table: users with chat activity (messages or sessions;
    with `only_cost`, LLM cost) in `period` and scope, with their messages, sessions, cost
    (USD cents) in the period and last activity (latest session end/start in scope, any
    time). `order`: messages | sessions | cost | last_active | username; ties by user id."""
    p = _Params()
    rows = _daily_actor_rows(p, s, ("message", "session", "cost"), period)
    org = p(s.org_id)
    if s.mentor_id is not None:
        cs_scope = f"cs.agent_id = {p(s.mentor_id)}"
    else:
        cs_scope = (
            f"cs.agent_id = ANY(ARRAY(SELECT a.id FROM agents a WHERE a.org_id = {org}"
            f" AND a.kind = {p(MENTOR_KIND)}))"
        )
    where = "a.cost > 0" if only_cost else "(a.messages > 0 OR a.sessions > 0)"
    if search:
        q = p(like_pattern(search))
        where += (
            f" AND (u.username ILIKE {q} OR u.display_name ILIKE {q}"
            f" OR coalesce(u.email, '') ILIKE {q})"
        )
    order_sql = {
        "messages": "a.messages DESC",
        "sessions": "a.sessions DESC",
        "cost": "a.cost DESC",
        "last_active": "last_active DESC NULLS LAST",
        "username": "u.username ASC",
    }[order]
    sql = (
        "WITH src AS (" + rows + "), a AS ("
        " SELECT actor_id,"
        " coalesce(sum(n) FILTER (WHERE type = 'message'), 0) AS messages,"
        " coalesce(sum(n) FILTER (WHERE type = 'session'), 0) AS sessions,"
        " coalesce(sum(total) FILTER (WHERE type = 'cost'), 0) AS cost"
        " FROM src GROUP BY actor_id)"
        " SELECT u.id, u.username, u.display_name, u.email, u.created_at,"
        " a.messages, a.sessions, a.cost,"
        " (SELECT max(coalesce(cs.ended_at, cs.started_at)) FROM chat_sessions cs"
        f" WHERE cs.org_id = {org} AND cs.user_id = u.id AND {cs_scope}) AS last_active,"
        " count(*) OVER () AS total"
        f" FROM a JOIN users u ON u.org_id = {org} AND u.id = a.actor_id WHERE {where}"
        f" ORDER BY {order_sql}, u.id ASC LIMIT {p(limit + 1)} OFFSET {p(offset)}"
    )
    found = list((await db.execute(text(sql), p.values)).all())
    if found or offset == 0:
        return found, int(found[0].total) if found else 0
    # past the end: count alone
    again = await actor_table(
        db, s, period, search=search, order=order, only_cost=only_cost, offset=0, limit=0
    )
    return [], again[1]


# --- topics, heatmap, ratings ---------------------------------------------------------


async def distinct_topics(
    db: RequestSession, s: AnalyticsScope, periods: Sequence[ResolvedPeriod]
) -> list[int]:
    """Distinct non-empty `topic`s of message events in each of `periods`, read in the
    request's metric statement (`MetricBatch.run_raw`)."""

    def build(p: Params) -> str:
        rows = _rollup_rows(p, s, ("message",), list(periods))
        counts = ", ".join(
            f"count(DISTINCT dims ->> 'topic') FILTER (WHERE ts >= {p(r.start)}"
            f" AND ts < {p(r.end)} AND coalesce(dims ->> 'topic', '') <> '')"
            for r in periods
        )
        return f"SELECT CAST(NULL AS text) AS g, ARRAY[{counts}] AS v FROM ({rows}) s"

    ((_, values),) = await MetricBatch.of(db).run_raw(build)
    return [int(v) for v in values]


async def message_heatmap(
    db: RequestSession, s: AnalyticsScope, period: ResolvedPeriod
) -> dict[tuple[int, int], int]:
    """Messages by (ISO day of week 1 = Monday .. 7, hour 0..23) local to the period's
    timezone, read in the request's metric statement (`MetricBatch.run_raw`). Hourly
    rollups serve the interior when the zone's offset is a whole number of hours
    throughout the period (each UTC hour is then one local hour)."""

    def build(p: Params) -> str:
        if offsets_multiple_of(period, HOUR):
            rows = _rollup_rows(p, s, ("message",), [period], hours=True)
        else:
            rows = _raw_rows(p, s, ("message",), [(period.start, period.end)])
        tz = p(period.timezone)
        cells = (
            f"SELECT CAST(extract(isodow FROM ts AT TIME ZONE {tz}) AS int) AS dow,"
            f" CAST(extract(hour FROM ts AT TIME ZONE {tz}) AS int) AS hour, sum(n) AS n"
            f" FROM ({rows}) s GROUP BY 1, 2"
        )
        return f"SELECT CAST(NULL AS text) AS g, ARRAY[dow, hour, n] AS v FROM ({cells}) c"

    rows = await MetricBatch.of(db).run_raw(build)
    return {(int(dow), int(hour)): int(n) for _, (dow, hour, n) in rows}


async def rating_distribution(
    db: RequestSession, s: AnalyticsScope, period: ResolvedPeriod
) -> dict[int, int]:
    """Ratings given in the period by rounded value (1..5). Raw events: a rollup keeps only
    the sum of values, not their distribution."""
    p = _Params()
    rows = _raw_rows(p, s, ("rating",), [(period.start, period.end)])
    sql = f"SELECT CAST(round(total) AS int) AS rating, count(*) AS n FROM ({rows}) s GROUP BY 1"
    return {r.rating: int(r.n) for r in (await db.execute(text(sql), p.values)).all()}


async def first_event_at(db: RequestSession, org_id: int, type_: str) -> datetime | None:
    """The hour of the org's first agent event of `type_` (for all-time series): the
    first hour of the first day with any (the org-wide rollup's index finds the day)."""
    sql = (
        "SELECT min(bucket) FROM rollup_hourly_org WHERE org_id = :org"
        " AND subject_type = 'agent' AND type = :type AND day = ("
        "SELECT min(day) FROM rollup_daily_org WHERE org_id = :org"
        " AND subject_type = 'agent' AND type = :type)"
    )
    return await db.scalar(text(sql), {"org": org_id, "type": type_})


# --- chat sessions and transcripts ----------------------------------------------------


async def sessions_by_ids(db: RequestSession, org_id: int, ids: Sequence[int]) -> list[ChatSession]:
    stmt = select(ChatSession).where(ChatSession.org_id == org_id, ChatSession.id.in_(list(ids)))
    return list(await db.scalars(stmt))


async def sessions_by_keys(
    db: RequestSession, org_id: int, keys: Sequence[str]
) -> list[ChatSession]:
    stmt = select(ChatSession).where(ChatSession.org_id == org_id, ChatSession.key.in_(list(keys)))
    return list(await db.scalars(stmt))


async def transcripts_page(
    db: RequestSession,
    s: AnalyticsScope,
    period: ResolvedPeriod,
    *,
    search: str | None,
    topic: str | None,
    offset: int,
    limit: int,
) -> tuple[list[ChatSession], int]:
    """Sessions started in `period` (in scope) that have a stored transcript, newest first
    (ties by id); `search` matches the user's username / name / email, `topic` the topic
    (case-insensitive, exact)."""
    has_messages = (
        select(literal_column("1"))
        .where(Message.org_id == ChatSession.org_id, Message.session_id == ChatSession.id)
        .exists()
    )
    stmt = (
        select(ChatSession)
        .join(User, and_(User.org_id == ChatSession.org_id, User.id == ChatSession.user_id))
        .where(
            ChatSession.org_id == s.org_id,
            ChatSession.started_at >= period.start,
            ChatSession.started_at < period.end,
            _mentor_clause(s, ChatSession.agent_id),
            has_messages,
        )
        .order_by(ChatSession.started_at.desc(), ChatSession.id.desc())
    )
    if s.actor_ids is not None:
        stmt = stmt.where(ChatSession.user_id.in_(list(s.actor_ids)))
    if topic:
        stmt = stmt.where(func.lower(ChatSession.topic) == topic.lower())
    if search:
        q = like_pattern(search)
        stmt = stmt.where(
            or_(
                User.username.ilike(q),
                User.display_name.ilike(q),
                func.coalesce(User.email, "").ilike(q),
            )
        )
    rows, total = await _page(db, stmt, offset, limit)
    return [r[0] for r in rows], total


async def message_counts(db: RequestSession, org_id: int, session_ids: Sequence[int]) -> dict:
    stmt = (
        select(Message.session_id, func.count())
        .where(Message.org_id == org_id, Message.session_id.in_(list(session_ids)))
        .group_by(Message.session_id)
    )
    return {sid: int(n) for sid, n in (await db.execute(stmt)).all()}


async def messages_of_sessions(
    db: RequestSession, org_id: int, session_ids: Sequence[int], offset: int, limit: int
) -> dict[int, list[Message]]:
    """For each session, messages `offset .. offset + limit` (inclusive of one extra row to
    tell whether there is a next page) in (created_at, id) order — one statement."""
    rn = (
        func.row_number()
        .over(partition_by=Message.session_id, order_by=(Message.created_at, Message.id))
        .label("rn")
    )
    inner = (
        select(Message.id, rn)
        .where(Message.org_id == org_id, Message.session_id.in_(list(session_ids)))
        .subquery()
    )
    stmt = (
        select(Message)
        .join(inner, and_(Message.org_id == org_id, Message.id == inner.c.id))
        .where(inner.c.rn > offset, inner.c.rn <= offset + limit + 1)
        .order_by(Message.session_id, inner.c.rn)
    )
    out: dict[int, list[Message]] = {}
    for m in await db.scalars(stmt):
        out.setdefault(m.session_id, []).append(m)
    return out


# --- courses and programs -------------------------------------------------------------


async def courses_by_ids(db: RequestSession, org_id: int, ids: Sequence[int]) -> list[Course]:
    return list(
        await db.scalars(select(Course).where(Course.org_id == org_id, Course.id.in_(list(ids))))
    )


async def courses_by_keys(db: RequestSession, org_id: int, keys: Sequence[str]) -> list[Course]:
    return list(
        await db.scalars(select(Course).where(Course.org_id == org_id, Course.key.in_(list(keys))))
    )


async def programs_by_ids(db: RequestSession, org_id: int, ids: Sequence[int]) -> list[Program]:
    return list(
        await db.scalars(select(Program).where(Program.org_id == org_id, Program.id.in_(list(ids))))
    )


async def programs_by_keys(db: RequestSession, org_id: int, keys: Sequence[str]) -> list[Program]:
    stmt = select(Program).where(Program.org_id == org_id, Program.key.in_(list(keys)))
    return list(await db.scalars(stmt))


async def catalog_page(
    db: RequestSession,
    model: type[Course] | type[Program],
    org_id: int,
    *,
    search: str | None,
    order: str,
    offset: int,
    limit: int,
) -> tuple[list[Any], int]:
    """A page of courses or programs; `search` matches key or name; `order`: key | name."""
    col = model.name if order == "name" else model.key
    stmt = select(model).where(model.org_id == org_id).order_by(col, model.id)
    if search:
        q = like_pattern(search)
        stmt = stmt.where(or_(model.key.ilike(q), model.name.ilike(q)))
    rows, total = await _page(db, stmt, offset, limit)
    return [r[0] for r in rows], total


async def courses_of_programs(
    db: RequestSession, org_id: int, program_ids: Sequence[int]
) -> dict[int, list[Course]]:
    stmt = (
        select(ProgramCourse.program_id, Course)
        .join(
            Course,
            and_(Course.org_id == ProgramCourse.org_id, Course.id == ProgramCourse.course_id),
        )
        .where(ProgramCourse.org_id == org_id, ProgramCourse.program_id.in_(list(program_ids)))
        .order_by(ProgramCourse.program_id, Course.key, Course.id)
    )
    out: dict[int, list[Course]] = {}
    for pid, course in (await db.execute(stmt)).all():
        out.setdefault(pid, []).append(course)
    return out


def _enrollment_stats_cols(period: ResolvedPeriod) -> list[Any]:
    e = Enrollment
    in_period = and_(e.enrolled_at >= period.start, e.enrolled_at < period.end)
    done_in_period = and_(e.completed_at >= period.start, e.completed_at < period.end)
    return [
        func.count().label("enrollments"),
        func.count(e.completed_at).label("completions"),
        func.count(func.distinct(e.user_id)).label("learners"),
        func.sum(e.grade).label("grade_sum"),
        func.count(e.grade).label("graded"),
        func.sum(e.progress).label("progress_sum"),
        func.count().filter(in_period).label("new_enrollments"),
        func.count().filter(done_in_period).label("completions_in_period"),
    ]


async def enrollment_stats(
    db: RequestSession,
    org_id: int,
    by: str,
    ids: Sequence[int],
    actor_ids: Sequence[int] | None,
    period: ResolvedPeriod,
) -> dict[int, Any]:
    """Enrollment aggregates per course (`by="course"`) or per program (`by="program"`,
    over the enrollments of its courses), optionally only of `actor_ids`."""
    e = Enrollment
    if by == "course":
        key = e.course_id
        stmt = select(key.label("k"), *_enrollment_stats_cols(period)).where(
            e.org_id == org_id, e.course_id.in_(list(ids))
        )
    else:
        key = ProgramCourse.program_id
        stmt = (
            select(key.label("k"), *_enrollment_stats_cols(period))
            .join(
                ProgramCourse,
                and_(ProgramCourse.org_id == e.org_id, ProgramCourse.course_id == e.course_id),
            )
            .where(e.org_id == org_id, ProgramCourse.program_id.in_(list(ids)))
        )
    if actor_ids is not None:
        stmt = stmt.where(e.user_id.in_(list(actor_ids)))
    return {r.k: r for r in (await db.execute(stmt.group_by(key))).all()}


async def enrollments_of_users(
    db: RequestSession, org_id: int, user_ids: Sequence[int]
) -> dict[int, list[tuple[Enrollment, Course]]]:
    """Each user's enrollments with their course, by course key."""
    stmt = (
        select(Enrollment, Course)
        .join(Course, and_(Course.org_id == Enrollment.org_id, Course.id == Enrollment.course_id))
        .where(Enrollment.org_id == org_id, Enrollment.user_id.in_(list(user_ids)))
        .order_by(Enrollment.user_id, Course.key, Course.id)
    )
    out: dict[int, list[tuple[Enrollment, Course]]] = {}
    for enrollment, course in (await db.execute(stmt)).all():
        out.setdefault(enrollment.user_id, []).append((enrollment, course))
    return out


# --- audit log ------------------------------------------------------------------------


async def audit_page(
    db: RequestSession,
    org_id: int,
    *,
    mentor_id: int | None,
    actor_id: int | None,
    action: int | None,
    actor_email: str | None,
    since: datetime | None,
    until: datetime | None,
    offset: int,
    limit: int,
) -> tuple[list[AuditLogEntry], int]:
    """Audit entries, newest first (ties by id, newest first). `until` is exclusive."""
    a = AuditLogEntry
    stmt = select(a).where(a.org_id == org_id).order_by(a.ts.desc(), a.id.desc())
    if mentor_id is not None:
        stmt = stmt.where(a.agent_id == mentor_id)
    if actor_id is not None:
        stmt = stmt.where(a.actor_id == actor_id)
    if action is not None:
        stmt = stmt.where(a.action == action)
    if actor_email:
        stmt = stmt.where(func.lower(a.actor_email) == actor_email.lower())
    if since is not None:
        stmt = stmt.where(a.ts >= since)
    if until is not None:
        stmt = stmt.where(a.ts < until)
    rows, total = await _page(db, stmt, offset, limit)
    return [r[0] for r in rows], total
