"""Batching: 50 courses with metrics cost the same number of SQL statements as 1."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from gateway.ingest.writer import EventRow, asyncpg_connection, write_events
from gateway.models import Course, Enrollment

QUERY = """
query($first: Int) {
  learnerAnalytics(period: {start: "2026-03-01", end: "2026-03-30"}) {
    courses(first: $first) {
      totalCount
      nodes {
        key enrollments averageGrade averageProgress completionRate
        timeSpentSeconds activities activeLearners
        change(name: ACTIVITIES, period: {start: "2026-03-01", end: "2026-03-30"}) { current }
        series(metric: TIME_SPENT_SECONDS, period: {start: "2026-03-01", end: "2026-03-30"}) {
          total values
        }
      }
    }
  }
}"""


async def test_50_courses_same_statements_as_1(client, factory, session, sql_counter):
    org = await factory.org()
    admin = await factory.user(org, "boss", roles=("admin",))
    learner = await factory.user(org, "learner")
    token = await factory.token(admin)
    rows = []
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    for i in range(50):
        c = await factory.add(Course(org_id=org.id, key=f"course-{i:02d}", name=f"C{i}"))
        await factory.add(
            Enrollment(org_id=org.id, user_id=learner.id, course_id=c.id,
                       enrolled_at=start, grade=0.5, progress=0.5)
        )  # fmt: skip
        for d in range(3):
            ts = start + timedelta(days=d)
            rows.append(EventRow(org.id, f"b-{i}-{d}", "time_spent", "course", c.id,
                                 ts, learner.id, 60.0, "{}", "{}"))  # fmt: skip
            rows.append(EventRow(org.id, f"a-{i}-{d}", "activity", "course", c.id,
                                 ts, learner.id, 1.0,
                                 json.dumps({"activity": "video"}), "{}"))  # fmt: skip
    await write_events(await asyncpg_connection(session), rows)
    headers = {"Authorization": f"Bearer {token}"}

    async def run(first: int) -> tuple[int, list]:
        sql_counter.reset()
        r = await client.post("/graphql", json={"query": QUERY, "variables": {"first": first}},
                              headers=headers)  # fmt: skip
        body = r.json()
        assert "errors" not in body, body
        return sql_counter.count, body["data"]["learnerAnalytics"]["courses"]["nodes"]

    one, nodes1 = await run(1)
    fifty, nodes50 = await run(50)
    assert len(nodes1) == 1 and len(nodes50) == 50
    n = nodes50[49]
    assert n["key"] == "course-49" and n["timeSpentSeconds"] == 180.0 and n["activities"] == 3
    assert n["series"]["total"] == 180.0 and n["series"]["values"][:4] == [60.0, 60.0, 60.0, 0.0]
    assert n["change"]["current"] == 3 and n["activeLearners"] == 1 and n["enrollments"] == 1
    assert fifty == one, (one, fifty)
    print(f"statements: 1 course = {one}, 50 courses = {fifty}")
