"""Transcript list (search, topic, scope) and one transcript's ordered messages."""

from __future__ import annotations

from tests.learners.conftest import MARCH

LIST = """
query($period: PeriodInput, $search: String, $topic: String, $mentor: String) {
  learnerAnalytics(period: $period, mentor: $mentor) {
    transcripts(search: $search, topic: $topic) {
      totalCount
      nodes { sessionId topic startedAt messageCount user { username } mentor { key name } }
    }
  }
}"""

ONE = """
query($id: String!, $mentor: String) {
  learnerAnalytics(mentor: $mentor) {
    transcript(sessionId: $id) {
      id sessionId topic messageCount
      messages { totalCount nodes { role content createdAt } }
      page: messages(first: 1, after: "bzow") {
        totalCount pageInfo { hasNextPage } nodes { content }
      }
    }
  }
}"""


async def test_transcript_list(gql):
    t = (await gql.data(LIST, period=MARCH))["learnerAnalytics"]["transcripts"]
    # only s1 and s3 have stored messages; newest first
    assert t["totalCount"] == 2
    assert [(n["sessionId"], n["messageCount"]) for n in t["nodes"]] == [
        ("sess-s3", 3),
        ("sess-s1", 2),
    ]
    assert t["nodes"][0]["user"] == {"username": "bob"}
    assert t["nodes"][0]["mentor"] == {"key": "mentor-ai-tutor", "name": "AI Tutor"}
    by_user = (await gql.data(LIST, period=MARCH, search="ALI"))["learnerAnalytics"]
    assert [n["sessionId"] for n in by_user["transcripts"]["nodes"]] == ["sess-s1"]
    by_topic = (await gql.data(LIST, period=MARCH, topic="Science"))["learnerAnalytics"]
    assert [n["sessionId"] for n in by_topic["transcripts"]["nodes"]] == ["sess-s3"]
    m2 = (await gql.data(LIST, period=MARCH, mentor="mentor-two"))["learnerAnalytics"]
    assert m2["transcripts"]["totalCount"] == 0


async def test_one_transcript_is_ordered(gql):
    t = (await gql.data(ONE, id="sess-s3"))["learnerAnalytics"]["transcript"]
    assert t["sessionId"] == "sess-s3" and t["messageCount"] == 3
    # created_at order; "first" and "second" share an instant -> insertion (id) order
    assert [(m["role"], m["content"]) for m in t["messages"]["nodes"]] == [
        ("user", "first"),
        ("assistant", "second"),
        ("assistant", "third"),
    ]
    assert t["messages"]["nodes"][0]["createdAt"].startswith("2026-03-03T14:00:00")
    # after cursor "bzow" = offset 0 -> the second message
    assert t["page"] == {"totalCount": 3, "pageInfo": {"hasNextPage": True},
                         "nodes": [{"content": "second"}]}  # fmt: skip
    node = await gql.data("query($id: ID!) { node(id: $id) { ... on ChatSession { topic } } }",
                          id=t["id"])  # fmt: skip
    assert node["node"] == {"topic": "science"}


async def test_transcript_outside_scope_is_not_found(gql):
    body = await gql(ONE, id="sess-s3", mentor="mentor-two")
    assert body["errors"][0]["message"] == "No chat session 'sess-s3' in this scope."
    body = await gql(ONE, id="nope")
    assert "No chat session 'nope'" in body["errors"][0]["message"]
