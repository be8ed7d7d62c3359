"""Entity rows collected in memory (with explicit ids) and loaded with COPY in
foreign-key order; identity sequences are bumped afterwards so later inserts don't
collide with the explicit ids."""

from __future__ import annotations

from collections import defaultdict

import asyncpg

COLUMNS: dict[str, tuple[str, ...]] = {
    "orgs": ("id", "key", "name", "storage_total_mb", "created_at"),
    "users": ("org_id", "id", "username", "email", "display_name", "created_at", "last_seen_at"),
    "user_roles": ("org_id", "user_id", "role"),
    "user_groups": ("org_id", "id", "name", "created_at"),
    "user_group_members": ("org_id", "group_id", "user_id"),
    "publications": (
        "org_id",
        "id",
        "custom_url",
        "name",
        "owner_id",
        "allow_bookings",
        "created_at",
    ),
    "publication_cocreators": ("org_id", "publication_id", "user_id"),
    "experiences": ("org_id", "id", "publication_id", "type", "title", "created_at"),
    "follows": ("org_id", "user_id", "publication_id", "created_at"),
    "missions": (
        "org_id",
        "id",
        "key",
        "name",
        "status",
        "start_date",
        "end_date",
        "created_at",
    ),
    "mission_kpis": ("org_id", "mission_id", "metric", "target"),
    "budgets": ("org_id", "id", "mission_id", "month", "limit_cents"),
    "content": (
        "org_id",
        "id",
        "key",
        "mission_id",
        "platform",
        "type",
        "pillar",
        "topic",
        "preview",
        "status",
        "published_at",
        "scheduled_for",
        "created_at",
    ),
    "workspaces": ("org_id", "id", "uuid", "name", "owner_id", "created_at"),
    "workspace_members": ("org_id", "workspace_id", "user_id", "role"),
    "agents": (
        "org_id",
        "id",
        "key",
        "kind",
        "name",
        "owner_id",
        "workspace_id",
        "status",
        "storage_mb",
        "copied_from_id",
        "created_at",
    ),
    "deployments": ("org_id", "id", "agent_id", "status", "created_at"),
    "skills": ("org_id", "id", "owner_id", "name", "active", "created_at"),
    "bookings": ("org_id", "id", "artist_id", "status", "amount_cents", "created_at"),
    "fans": ("org_id", "artist_id", "fan_id", "first_seen_at"),
    "workflows": (
        "org_id",
        "id",
        "key",
        "workspace_id",
        "name",
        "created_by",
        "copied_from_id",
        "created_at",
    ),
    "workflow_executions": (
        "org_id",
        "id",
        "workflow_id",
        "user_id",
        "status",
        "started_at",
        "duration_ms",
    ),
    "threads": ("org_id", "id", "workspace_id", "agent_id", "user_id", "title", "created_at"),
    "chat_sessions": (
        "org_id",
        "id",
        "key",
        "agent_id",
        "user_id",
        "topic",
        "started_at",
        "ended_at",
    ),
    "messages": (
        "org_id",
        "id",
        "thread_id",
        "session_id",
        "user_id",
        "role",
        "content",
        "created_at",
    ),
    "shares": (
        "org_id",
        "id",
        "entity_type",
        "entity_id",
        "shared_by",
        "shared_with",
        "created_at",
    ),
    "copies": (
        "org_id",
        "id",
        "entity_type",
        "source_id",
        "copy_id",
        "copied_by",
        "created_at",
    ),
    "courses": ("org_id", "id", "key", "name", "created_at"),
    "programs": ("org_id", "id", "key", "name", "created_at"),
    "program_courses": ("org_id", "program_id", "course_id"),
    "enrollments": (
        "org_id",
        "user_id",
        "course_id",
        "enrolled_at",
        "grade",
        "progress",
        "completed_at",
        "last_access_at",
    ),
    "audit_log": (
        "org_id",
        "id",
        "ts",
        "actor_id",
        "actor_email",
        "action",
        "agent_id",
        "target_type",
        "target_id",
        "changes",
        "created_at",
    ),
    "jobs": (
        "org_id",
        "id",
        "key",
        "kind",
        "status",
        "requested_by",
        "params",
        "result",
        "created_at",
        "finished_at",
        "expires_at",
    ),
}
"""Load order (parents first) and the columns the generator sets."""

IDENTITY_TABLES = tuple(t for t, cols in COLUMNS.items() if "id" in cols)


class Tables:
    """Rows per table plus an id allocator per identity table."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = defaultdict(list)
        self._next: dict[str, int] = defaultdict(lambda: 1)
        self.reserved: dict[str, set[int]] = defaultdict(set)

    def new_id(self, table: str) -> int:
        n = self._next[table]
        while n in self.reserved[table]:
            n += 1
        self._next[table] = n + 1
        return n

    def add(self, table: str, *row) -> None:
        self.rows[table].append(row)

    def counts(self) -> dict[str, int]:
        return {t: len(self.rows[t]) for t in COLUMNS}


async def load(conn: asyncpg.Connection, tables: Tables) -> None:
    for table, cols in COLUMNS.items():
        rows = tables.rows.get(table)
        if rows:
            await conn.copy_records_to_table(table, records=rows, columns=cols)
    for table in IDENTITY_TABLES:
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" greatest((SELECT max(id) FROM {table}), 1))"
        )
