"""Request-scoped loaders of the learners domain (always within the caller's org). Each
batches the `.load()`s of one tick into one statement and answers in key order."""

from __future__ import annotations

from gateway.learners import repository as repo
from gateway.loaders import RequestLoader, in_key_order


class _OrgLoader(RequestLoader):
    @property
    def org_id(self) -> int:
        return self.ctx.principal.org_id


class MentorByKeyLoader(_OrgLoader):
    """Mentor unique id -> Agent (kind `mentor`) or None."""

    async def batch_load_fn(self, keys):
        rows = await repo.mentors_by_keys(self.ctx.db, self.org_id, keys)
        return in_key_order(keys, rows, lambda a: a.key)


class AgentByIdLoader(_OrgLoader):
    async def batch_load_fn(self, keys):
        rows = await repo.agents_by_ids(self.ctx.db, self.org_id, keys)
        return in_key_order(keys, rows, lambda a: a.id)


class ChatSessionByIdLoader(_OrgLoader):
    async def batch_load_fn(self, keys):
        rows = await repo.sessions_by_ids(self.ctx.db, self.org_id, keys)
        return in_key_order(keys, rows, lambda s: s.id)


class ChatSessionByKeyLoader(_OrgLoader):
    async def batch_load_fn(self, keys):
        rows = await repo.sessions_by_keys(self.ctx.db, self.org_id, keys)
        return in_key_order(keys, rows, lambda s: s.key)


class MessageCountBySessionLoader(_OrgLoader):
    """Session id -> number of stored transcript messages."""

    async def batch_load_fn(self, keys):
        counts = await repo.message_counts(self.ctx.db, self.org_id, keys)
        return [counts.get(k, 0) for k in keys]


class MessagesBySessionLoader(_OrgLoader):
    """Session id -> one page of its messages; create with `ctx.loader(cls, offset, limit)`
    (returns up to `limit + 1` rows so the caller knows whether a next page exists)."""

    async def batch_load_fn(self, keys):
        offset, limit = self.args
        found = await repo.messages_of_sessions(self.ctx.db, self.org_id, keys, offset, limit)
        return [found.get(k, []) for k in keys]


class CourseByIdLoader(_OrgLoader):
    async def batch_load_fn(self, keys):
        rows = await repo.courses_by_ids(self.ctx.db, self.org_id, keys)
        return in_key_order(keys, rows, lambda c: c.id)


class CourseByKeyLoader(_OrgLoader):
    async def batch_load_fn(self, keys):
        rows = await repo.courses_by_keys(self.ctx.db, self.org_id, keys)
        return in_key_order(keys, rows, lambda c: c.key)


class ProgramByIdLoader(_OrgLoader):
    async def batch_load_fn(self, keys):
        rows = await repo.programs_by_ids(self.ctx.db, self.org_id, keys)
        return in_key_order(keys, rows, lambda p: p.id)


class ProgramByKeyLoader(_OrgLoader):
    async def batch_load_fn(self, keys):
        rows = await repo.programs_by_keys(self.ctx.db, self.org_id, keys)
        return in_key_order(keys, rows, lambda p: p.key)


class CoursesByProgramLoader(_OrgLoader):
    """Program id -> its courses (by key)."""

    async def batch_load_fn(self, keys):
        found = await repo.courses_of_programs(self.ctx.db, self.org_id, keys)
        return [found.get(k, []) for k in keys]


class CourseEnrollmentStatsLoader(_OrgLoader):
    """Course id -> enrollment aggregates row (or None when nobody enrolled); create with
    `ctx.loader(cls, actor_ids, period)`."""

    by = "course"

    async def batch_load_fn(self, keys):
        actor_ids, period = self.args
        found = await repo.enrollment_stats(
            self.ctx.db, self.org_id, self.by, keys, actor_ids, period
        )
        return [found.get(k) for k in keys]


class ProgramEnrollmentStatsLoader(CourseEnrollmentStatsLoader):
    """Program id -> aggregates over the enrollments of its courses."""

    by = "program"


class EnrollmentsByUserLoader(_OrgLoader):
    """User id -> [(Enrollment, Course)] by course key."""

    async def batch_load_fn(self, keys):
        found = await repo.enrollments_of_users(self.ctx.db, self.org_id, keys)
        return [found.get(k, []) for k in keys]


class UserGroupMembersLoader(_OrgLoader):
    """User group id -> the user ids of its members, or None when the group is not in the
    caller's org."""

    async def batch_load_fn(self, keys):
        found, by_group = await repo.group_members(self.ctx.db, self.org_id, keys)
        return [sorted(by_group.get(k, ())) if k in found else None for k in keys]
