"""ibl.ai data reports: hand-checked CSV content of each report kind.

World (March 2026, mentor `m-tutor` "Tutor"; `m-other` with one session of carol):
  s1 alice "math"    03-02 10:00-10:05  messages: user "hi" 10:00, assistant "hello" 10:01
                                        cost openai/gpt-4o 100 cents
  s2 bob   "science" 03-03 14:00-14:05  no stored transcript (2 message events)
                                        cost anthropic/claude 40 cents
  s3 carol "history" 03-04 09:00 on m-other, 1 message event, cost openai/gpt-4o 7 cents
"""

from __future__ import annotations

import csv
import io

import pytest

from gateway.ingest.writer import asyncpg_connection, write_events
from gateway.jobs import service
from gateway.jobs.kinds import IBLAI_REPORT
from gateway.jobs.params import report_params
from gateway.jobs.worker import Worker
from gateway.models import ChatSession, Course, Message
from tests.jobs.conftest import ev, read, utc


@pytest.fixture
async def chat(factory, session):
    org = await factory.org()
    admin = await factory.user(org, roles=("admin",))
    users = {n: await factory.user(org, f"{n}{org.id}") for n in ("alice", "bob", "carol")}
    m1 = await factory.agent(admin, "m-tutor", kind="mentor", name="Tutor")
    m2 = await factory.agent(admin, "m-other", kind="mentor", name="Other")
    rows = []
    plan = [
        ("s1", "alice", m1, "math", utc(2026, 3, 2, 10), 2, ("openai", "gpt-4o", 100)),
        ("s2", "bob", m1, "science", utc(2026, 3, 3, 14), 2, ("anthropic", "claude", 40)),
        ("s3", "carol", m2, "history", utc(2026, 3, 4, 9), 1, ("openai", "gpt-4o", 7)),
    ]
    sessions = {}
    for key, who, mentor, topic, start, n, (prov, model, cents) in plan:
        uid = users[who].id
        end = start.replace(minute=5)
        sessions[key] = await factory.add(ChatSession(
            org_id=org.id, key=f"{key}-{org.id}", agent_id=mentor.id, user_id=uid, topic=topic,
            started_at=start, ended_at=end))  # fmt: skip
        rows.append(ev(org.id, "session", "agent", mentor.id, start, dims={"topic": topic},
                       actor=uid))  # fmt: skip
        rows += [ev(org.id, "message", "agent", mentor.id, start.replace(minute=i),
                    dims={"topic": topic}, actor=uid) for i in range(n)]  # fmt: skip
        dims = {"provider": prov, "provider_type": "llm", "model": model, "stage": "chat"}
        rows.append(ev(org.id, "cost", "agent", mentor.id, end, cents, dims, actor=uid))
    for role, text, minute in (("user", "hi", 0), ("assistant", "hello, world", 1)):
        at = utc(2026, 3, 2, 10, minute)
        s1 = sessions["s1"].id
        await factory.add(
            Message(org_id=org.id, session_id=s1, role=role, content=text, created_at=at)
        )
    await factory.add(Course(org_id=org.id, key="course-v1:x+CS1", name="CS One"))
    await write_events(await asyncpg_connection(session), rows)
    return {"org": org, "admin": admin, "users": users, "sessions": sessions}


async def _report(chat, db, session, settings, **kw) -> list[list[str]]:
    base = {"mentor": None, "mentor_id": None, "usergroup_ids": None,
            "start_date": "2026-03-01", "end_date": "2026-03-31", "course_id": None,
            "query": None}  # fmt: skip
    params = report_params(**{**base, **kw})
    job = await service.enqueue(session, org_id=chat["org"].id, requested_by=chat["admin"].id,
                                kind=IBLAI_REPORT, params=params)  # fmt: skip
    assert await Worker(db, settings, listen=False).run_once()
    await session.refresh(job)
    assert job.status == "completed", job.error
    rows = list(csv.reader(io.StringIO(read(job.file_path))))
    assert job.result["rows"] == len(rows) - 1
    return rows


async def test_chat_history_one_row_per_message(chat, db, session, settings):
    rows = await _report(chat, db, session, settings, report_name="ai-mentor-chat-history",
                         mentor="m-tutor")  # fmt: skip
    org = chat["org"].id
    alice = chat["users"]["alice"]
    assert rows == [  # s2 has no stored transcript: not a chat-history row
        ["session_id", "session_started_at", "session_ended_at", "mentor_unique_id",
         "mentor_name", "username", "user_display_name", "topic", "message_index", "role",
         "content", "message_created_at"],
        [f"s1-{org}", "2026-03-02T10:00:00+00:00", "2026-03-02T10:05:00+00:00", "m-tutor",
         "Tutor", alice.username, alice.display_name, "math", "1", "user", "hi",
         "2026-03-02T10:00:00+00:00"],
        [f"s1-{org}", "2026-03-02T10:00:00+00:00", "2026-03-02T10:05:00+00:00", "m-tutor",
         "Tutor", alice.username, alice.display_name, "math", "2", "assistant", "hello, world",
         "2026-03-02T10:01:00+00:00"],
    ]  # fmt: skip


async def test_users_and_costs_reports(chat, db, session, settings):
    alice, bob, carol = (chat["users"][n] for n in ("alice", "bob", "carol"))
    rows = await _report(chat, db, session, settings, report_name="ai-mentor-users")
    assert rows[0] == ["username", "name", "email", "messages", "sessions", "cost_cents",
                       "last_active"]  # fmt: skip
    by_user = {r[0]: r[3:6] for r in rows[1:]}
    assert by_user == {alice.username: ["2", "1", "100"], bob.username: ["2", "1", "40"],
                       carol.username: ["1", "1", "7"]}  # fmt: skip
    rows = await _report(chat, db, session, settings, report_name="ai-mentor-costs",
                         mentor="m-tutor")  # fmt: skip
    assert rows[1:] == [
        ["provider", "openai", "100", "1", "0", ""],  # one cost record each, no tokens
        ["provider", "anthropic", "40", "1", "0", ""],
        ["model", "gpt-4o", "100", "1", "0", ""],
        ["model", "claude", "40", "1", "0", ""],
        ["user", alice.username, "100", "", "", "1"],
        ["user", bob.username, "40", "", "", "1"],
    ]
    rows = await _report(chat, db, session, settings, report_name="ai-mentor-users",
                         query="bob")  # fmt: skip
    assert [r[0] for r in rows[1:]] == [bob.username]


async def test_courses_report_narrowed_to_one_course(chat, db, session, settings):
    rows = await _report(chat, db, session, settings, report_name="ai-mentor-courses",
                         course_id="course-v1:x+CS1")  # fmt: skip
    assert rows == [
        ["course_id", "name", "enrollments", "completions", "learners", "new_enrollments",
         "completions_in_period", "average_grade", "average_progress", "completion_rate",
         "time_spent_seconds", "activities"],
        ["course-v1:x+CS1", "CS One", "0", "0", "0", "0", "0", "", "", "", "0", "0"],
    ]  # fmt: skip
