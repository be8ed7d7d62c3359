"""Entity ingestion: the collections `POST /v1/ingest/entities` accepts, declared as data.

The body is one JSON object `{"<collection>": [record, ...], ...}`. Records are upserted
by natural key within the caller's org (`ON CONFLICT ... DO UPDATE`); references to other
entities are natural keys of the same org (usernames, custom urls, keys, uuids). The
request is all-or-nothing: any bad record means a 422 listing every problem as
`{"collection", "index", "key", "reason"}` and nothing is written. The answer is
`{"created": {collection: n}, "updated": {collection: n}, "ids": {collection: [id, ...]}}`
(`ids` for the collections addressed by numeric id, in payload order).

Update semantics: required fields are always sent; an optional field that is left out
keeps its stored value on update (and gets its default on create); `null` clears it.
A child list (`roles`, `co_creators`, `kpis`, ...) replaces the stored list when sent and
is left alone when omitted. Collections are written in the order below, so a request can
create users and the publications they own together.

Collections addressed by numeric `id` (`user_groups`, `experiences`, `deployments`,
`skills`, `bookings`, `workflow_executions`, `threads`, `messages`, `audit_log`): send
`id` to update (or create with a chosen id); without `id` a new row is created every
time, and its id is returned under `ids`.

Timestamps are ISO-8601 with a UTC offset; dates `YYYY-MM-DD`; months `YYYY-MM`.
`*` = required.

Per collection: natural key, then fields.

users (username*)
    display_name (default: username), email, last_seen_at, created_at,
    roles: ["admin" | "member", ...]
user_groups (id)
    name*, members: [username, ...]
courses (key*)
    name*, created_at
programs (key*)
    name*, created_at, courses: [course key, ...]
workspaces (uuid*)
    name*, owner* (username), created_at,
    members: [username or {"user": username, "role": "member"}, ...]
publications (custom_url*)
    name*, owner* (username), allow_bookings, created_at, co_creators: [username, ...]
experiences (id)
    publication* (custom_url), type* (AI_EXPERT, AI_NOTE, QUEST, PODCAST), title*,
    created_at
follows (user* + publication*)
    user (username), publication (custom_url), created_at (default: now)
missions (key*)
    name*, start_date*, end_date*, status (draft, active, paused, completed),
    created_at, kpis: {metric: target} or [{"metric", "target"}, ...],
    budgets: [{"month": "2026-03", "limit_cents": 50000}, ...]
budgets (mission + month*)
    mission (key; omit it for the org-wide budget), month*, limit_cents*
content (key*)
    mission* (key), platform*, type*, pillar, topic, preview,
    status (draft, scheduled, published), published_at, scheduled_for, created_at
agents (key*)
    name*, owner* (username), kind (platform, mentor, athena; default platform),
    workspace (uuid), status (active, inactive, failed), storage_mb,
    copied_from (agent key), created_at
deployments (id)
    agent* (key), status* (successful, failed), created_at
skills (id)
    owner* (username), name*, active, created_at
bookings (id)
    artist* (username), status* (inquiry, pending, completed, cancelled),
    amount_cents, created_at
fans (artist* + fan_id*)
    artist (username), fan_id (integer, the actor_id of `stream` events),
    first_seen_at*
workflows (key*)
    workspace* (uuid), name*, created_by* (username), copied_from (workflow key),
    created_at
workflow_executions (id)
    workflow* (key), user* (username), status* (succeeded, failed, running),
    started_at*, duration_ms
threads (id)
    workspace* (uuid), user* (username), agent (key), title, created_at
chat_sessions (key*)
    agent* (key), user* (username), topic, started_at*, ended_at
messages (id)
    exactly one of thread (id) / session (chat session key), role* (user,
    assistant), content*, user (username), created_at
enrollments (user* + course*)
    user (username), course (key), enrolled_at (default: now), grade (0-1),
    progress (0-1), completed_at, last_access_at
audit_log (id)
    ts*, action* (create, update, delete, or 0-2), target_type*, target_id,
    actor (username), actor_email, agent (key), changes (object)

Lifecycle events: creating a record also writes the event metrics count, exactly once
(its event_id is deterministic, so re-sending never double counts):
`agent.created` / `workflow.created` (`entity:agent:<key>:created`, at created_at, actor
= owner / created_by); with `copied_from`, `agent.copied` / `workflow.copied` on the
*source* entity (`entity:agent:<copy key>:copied`, attrs.copy_id = the copy) plus a
`copies` row; `content.publish` at published_at when it is set and status is `published`
(`entity:content:<key>:publish`); `thread.created` (`entity:thread:<id>:created`, actor =
user).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg

from gateway.ingest.upsert import (
    Child,
    Collection,
    EntityError,
    EntityReport,
    F,
    Lifecycle,
    ingest_collections,
)
from gateway.models.agents import AGENT_KINDS, AGENT_STATUSES
from gateway.models.missions import CONTENT_STATUSES, MISSION_STATUSES
from gateway.models.publications import EXPERIENCE_TYPES
from gateway.models.tenancy import ROLES


def _now(_: dict) -> datetime:
    return datetime.now(UTC)


def _user(name: str = "user", *, required: bool = True, key: bool = False, column=None) -> F:
    return F(name, "ref", required, ref="user", key=key, column_=column)


ID = F("id", "int", key=True)
CREATED = F("created_at", "ts")


def _one_parent(values: dict) -> str | None:
    if (values.get("thread") is None) == (values.get("session") is None):
        return "a message needs exactly one of 'thread' (id) or 'session' (chat session key)"
    return None


def _is_published(row: dict) -> bool:
    return row["published_at"] is not None and row["status"] == "published"


def _is_copy(row: dict) -> bool:
    return row["copied_from_id"] is not None


COLLECTIONS: tuple[Collection, ...] = (
    Collection(
        "users",
        "users",
        (
            F("username", required=True, key=True),
            F("display_name", default=lambda v: v["username"]),
            F("email"),
            F("last_seen_at", "ts"),
            CREATED,
        ),
        children=(
            Child(
                "roles",
                "user_roles",
                "user_id",
                (F("role", "choice", True, choices=ROLES),),
                scalar="role",
            ),
        ),
    ),
    Collection(
        "user_groups",
        "user_groups",
        (ID, F("name", required=True), CREATED),
        children=(Child("members", "user_group_members", "group_id", (_user(),), scalar="user"),),
    ),
    Collection(
        "courses", "courses", (F("key", required=True, key=True), F("name", required=True), CREATED)
    ),
    Collection(
        "programs",
        "programs",
        (F("key", required=True, key=True), F("name", required=True), CREATED),
        children=(
            Child(
                "courses",
                "program_courses",
                "program_id",
                (F("course", "ref", True, ref="course"),),
                scalar="course",
            ),
        ),
    ),
    Collection(
        "workspaces",
        "workspaces",
        (F("uuid", required=True, key=True), F("name", required=True), _user("owner"), CREATED),
        children=(
            Child(
                "members",
                "workspace_members",
                "workspace_id",
                (_user(), F("role", default=lambda _: "member")),
                scalar="user",
            ),
        ),
    ),
    Collection(
        "publications",
        "publications",
        (
            F("custom_url", required=True, key=True),
            F("name", required=True),
            _user("owner"),
            F("allow_bookings", "bool"),
            CREATED,
        ),
        children=(
            Child(
                "co_creators", "publication_cocreators", "publication_id", (_user(),), scalar="user"
            ),
        ),
    ),
    Collection(
        "experiences",
        "experiences",
        (
            ID,
            F("publication", "ref", True, ref="publication"),
            F("type", "choice", True, choices=EXPERIENCE_TYPES),
            F("title", required=True),
            CREATED,
        ),
    ),
    Collection(
        "follows",
        "follows",
        (
            _user(key=True),
            F("publication", "ref", True, ref="publication", key=True),
            F("created_at", "ts", default=_now),
        ),
    ),
    Collection(
        "missions",
        "missions",
        (
            F("key", required=True, key=True),
            F("name", required=True),
            F("status", "choice", choices=MISSION_STATUSES),
            F("start_date", "date", True),
            F("end_date", "date", True),
            CREATED,
        ),
        children=(
            Child(
                "kpis",
                "mission_kpis",
                "mission_id",
                (F("metric", required=True), F("target", "float", True)),
                mapping=("metric", "target"),
            ),
            Child(
                "budgets",
                "budgets",
                "mission_id",
                (F("month", "month", True), F("limit_cents", "int", True)),
            ),
        ),
    ),
    Collection(
        "budgets",
        "budgets",
        (
            F("mission", "ref", ref="mission", key=True),
            F("month", "month", True, key=True),
            F("limit_cents", "int", True),
        ),
    ),
    Collection(
        "content",
        "content",
        (
            F("key", required=True, key=True),
            F("mission", "ref", True, ref="mission"),
            F("platform", required=True),
            F("type", required=True),
            F("pillar"),
            F("topic"),
            F("preview"),
            F("status", "choice", choices=CONTENT_STATUSES),
            F("published_at", "ts"),
            F("scheduled_for", "ts"),
            CREATED,
        ),
        lifecycle=(Lifecycle("content", "publish", "published_at", when=_is_published),),
    ),
    Collection(
        "agents",
        "agents",
        (
            F("key", required=True, key=True),
            F("name", required=True),
            _user("owner"),
            F("kind", "choice", choices=AGENT_KINDS, default=lambda _: "platform"),
            F("workspace", "ref", ref="workspace"),
            F("status", "choice", choices=AGENT_STATUSES),
            F("storage_mb", "int"),
            F("copied_from", "ref", ref="agent"),
            CREATED,
        ),
        lifecycle=(
            Lifecycle("agent", "created", "created_at", "owner_id"),
            Lifecycle("agent", "copied", "created_at", "owner_id", _is_copy, "copied_from_id"),
        ),
        copies="agent",
    ),
    Collection(
        "deployments",
        "deployments",
        (
            ID,
            F("agent", "ref", True, ref="agent"),
            F("status", "choice", True, choices=("successful", "failed")),
            CREATED,
        ),
    ),
    Collection(
        "skills",
        "skills",
        (ID, _user("owner"), F("name", required=True), F("active", "bool"), CREATED),
    ),
    Collection(
        "bookings",
        "bookings",
        (
            ID,
            _user("artist"),
            F("status", "choice", True, choices=("inquiry", "pending", "completed", "cancelled")),
            F("amount_cents", "int"),
            CREATED,
        ),
    ),
    Collection(
        "fans",
        "fans",
        (
            _user("artist", key=True),
            F("fan_id", "int", True, key=True),
            F("first_seen_at", "ts", True),
        ),
    ),
    Collection(
        "workflows",
        "workflows",
        (
            F("key", required=True, key=True),
            F("workspace", "ref", True, ref="workspace"),
            F("name", required=True),
            _user("created_by", column="created_by"),
            F("copied_from", "ref", ref="workflow"),
            CREATED,
        ),
        lifecycle=(
            Lifecycle("workflow", "created", "created_at", "created_by"),
            Lifecycle("workflow", "copied", "created_at", "created_by", _is_copy, "copied_from_id"),
        ),
        copies="workflow",
    ),
    Collection(
        "workflow_executions",
        "workflow_executions",
        (
            ID,
            F("workflow", "ref", True, ref="workflow"),
            _user(),
            F("status", "choice", True, choices=("succeeded", "failed", "running")),
            F("started_at", "ts", True),
            F("duration_ms", "int"),
        ),
    ),
    Collection(
        "threads",
        "threads",
        (
            ID,
            F("workspace", "ref", True, ref="workspace"),
            _user(),
            F("agent", "ref", ref="agent"),
            F("title"),
            CREATED,
        ),
        lifecycle=(Lifecycle("thread", "created", "created_at", "user_id"),),
    ),
    Collection(
        "chat_sessions",
        "chat_sessions",
        (
            F("key", required=True, key=True),
            F("agent", "ref", True, ref="agent"),
            _user(),
            F("topic"),
            F("started_at", "ts", True),
            F("ended_at", "ts"),
        ),
    ),
    Collection(
        "messages",
        "messages",
        (
            ID,
            F("thread", "ref", ref="thread"),
            F("session", "ref", ref="chat_session"),
            _user(required=False),
            F("role", "choice", True, choices=("user", "assistant")),
            F("content", required=True),
            CREATED,
        ),
        check=_one_parent,
    ),
    Collection(
        "enrollments",
        "enrollments",
        (
            _user(key=True),
            F("course", "ref", True, ref="course", key=True),
            F("enrolled_at", "ts", default=_now),
            F("grade", "float", bounds=(0.0, 1.0)),
            F("progress", "float", bounds=(0.0, 1.0)),
            F("completed_at", "ts"),
            F("last_access_at", "ts"),
        ),
    ),
    Collection(
        "audit_log",
        "audit_log",
        (
            ID,
            F("ts", "ts", True),
            F("action", "action", True),
            F("target_type", required=True),
            F("target_id"),
            _user("actor", required=False),
            F("actor_email"),
            F("agent", "ref", ref="agent"),
            F("changes", "json"),
            CREATED,
        ),
    ),
)

BY_NAME = {c.name: c for c in COLLECTIONS}


def record_count(payload: dict[str, Any]) -> int:
    return sum(len(v) for v in payload.values() if isinstance(v, list))


async def ingest_entities(
    conn: asyncpg.Connection, org_id: int, payload: dict[str, Any]
) -> EntityReport:
    """Validate and upsert `payload` for `org_id`; on any error nothing is written and
    `report.errors` lists every problem."""
    unknown = sorted(k for k in payload if k not in BY_NAME)
    if unknown:
        report = EntityReport()
        for name in unknown:
            report.errors.append(
                EntityError(
                    name,
                    -1,
                    None,
                    f"unknown collection {name!r}; collections: {', '.join(BY_NAME)}",
                )
            )
        return report
    return await ingest_collections(conn, org_id, COLLECTIONS, payload)
