"""A learner's own data and the audit log."""

from __future__ import annotations

from pytest import approx

LEARNER = """
query($u: String!) {
  learnerAnalytics(period: {start: "2026-03-01", end: "2026-03-31"}) {
    learner(username: $u) {
      user { username } email period { startDate }
      summary { enrollments completed inProgress averageGrade averageProgress lastAccess
                timeSpentSeconds engagement messages sessions }
      courses { totalCount nodes { courseKey grade progress completed timeSpentSeconds
                                   activities lastAccessAt } }
    }
  }
}"""


async def test_learner_own_data(gql):
    r = (await gql.data(LEARNER, as_="alice", u="alice"))["learnerAnalytics"]["learner"]
    assert r["user"] == {"username": "alice"} and r["email"] == "alice@example.com"
    assert r["summary"] == {
        "enrollments": 2, "completed": 1, "inProgress": 1,
        "averageGrade": approx(0.9),  # only c1 graded
        "averageProgress": approx(0.65),  # (1.0 + 0.3) / 2
        "lastAccess": "2026-03-20T00:00:00+00:00",
        "timeSpentSeconds": 900.0,  # c1 600 + c2 300 (February's 100 excluded)
        "engagement": 2,  # two activities in c1
        "messages": 4, "sessions": 2,  # s1, s2
    }  # fmt: skip
    courses = r["courses"]
    assert courses["totalCount"] == 2
    assert [
        (n["courseKey"].split("+")[1], n["timeSpentSeconds"], n["activities"], n["completed"])
        for n in courses["nodes"]
    ] == [("CS101", 600.0, 2, True), ("DS201", 300.0, 0, False)]


async def test_admin_reads_any_learner(gql):
    r = (await gql.data(LEARNER, u="bob"))["learnerAnalytics"]["learner"]
    assert r["summary"]["timeSpentSeconds"] == 1200.0 and r["summary"]["messages"] == 3
    body = await gql(LEARNER, u="nobody")
    assert body["errors"][0]["message"] == "No user 'nobody' in this org."


AUDIT = """
query($user: String, $mentor: String, $action: AuditAction, $email: String,
      $from: Date, $to: Date, $first: Int, $limit: Int, $offset: Int) {
  learnerAnalytics {
    auditLog(user: $user, mentor: $mentor, action: $action, actorEmail: $email,
             fromDate: $from, toDate: $to, first: $first, limit: $limit, offset: $offset) {
      totalCount pageInfo { hasNextPage }
      nodes { targetId action actionCode actorEmail actor { username } mentor { key }
              changes }
    }
  }
}"""


async def _ids(gql, **kw):
    log = (await gql.data(AUDIT, **kw))["learnerAnalytics"]["auditLog"]
    return [n["targetId"] for n in log["nodes"]], log["totalCount"]


async def test_audit_log_filters(gql):
    log = (await gql.data(AUDIT))["learnerAnalytics"]["auditLog"]
    assert [n["targetId"] for n in log["nodes"]] == ["e4", "e3", "e2", "e1"]  # newest first
    assert log["nodes"][1] == {
        "targetId": "e3", "action": "DELETE", "actionCode": 2, "actorEmail": "admin@example.com",
        "actor": {"username": "admin"}, "mentor": {"key": "mentor-two"},
        "changes": {"entry": "e3"},
    }  # fmt: skip
    assert await _ids(gql, mentor="mentor-ai-tutor") == (["e4", "e2", "e1"], 3)
    assert await _ids(gql, action="UPDATE") == (["e4", "e2"], 2)
    assert await _ids(gql, user="alice") == (["e2"], 1)
    assert await _ids(gql, email="ADMIN@example.com") == (["e4", "e3", "e1"], 3)
    assert await _ids(gql, **{"from": "2026-03-05", "to": "2026-03-06"}) == (["e3", "e2"], 2)
    assert await _ids(gql, limit=2, offset=1) == (["e3", "e2"], 4)
    assert await _ids(gql, first=1, offset=3) == (["e1"], 4)


async def test_audit_log_bad_input(gql):
    body = await gql(AUDIT, first=101)
    assert body["errors"][0]["message"] == "`first` must be between 0 and 100, got 101."
    body = await gql(AUDIT, offset=-1)
    assert "`offset` must be 0 or more" in body["errors"][0]["message"]
    body = await gql(AUDIT, mentor="ghost")
    assert body["errors"][0]["message"] == "No mentor with unique id 'ghost' in this org."
    body = await gql(AUDIT, **{"from": "2026-03-07", "to": "2026-03-01"})
    assert "is after `toDate`" in body["errors"][0]["message"]
    body = await gql("{ learnerAnalytics { auditLog(action: REMOVE) { totalCount } } }")
    assert "REMOVE" in body["errors"][0]["message"]
