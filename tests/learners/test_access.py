"""Authorization (admin / learner self-access / other org) and bad input."""

from __future__ import annotations

OWN = '{ learnerAnalytics { learner(username: "alice") { summary { enrollments } } } }'


def _error(body) -> tuple[str | None, str]:
    e = body["errors"][0]
    return (e.get("extensions") or {}).get("code"), e["message"]


async def test_admin_reads_analytics(gql):
    data = await gql.data("{ learnerAnalytics { messages { current } } }")
    assert data["learnerAnalytics"]["messages"]["current"] == 0  # nothing in the last 30 days


async def test_learner_reads_only_own_data(gql):
    ok = await gql.data(OWN, as_="alice")
    assert ok["learnerAnalytics"]["learner"]["summary"]["enrollments"] == 2
    body = await gql('{ learnerAnalytics { learner(username: "bob") { email } } }', "alice")
    assert _error(body) == (
        "FORBIDDEN",
        "You can read only your own learner data (or be an org admin).",
    )
    for field in (
        "messages { current }",
        "users { totalCount }",
        'transcript(sessionId: "sess-s1") { topic }',
        "courses { totalCount }",
        "auditLog { totalCount }",
        "costByProvider { key }",
    ):
        body = await gql(f"{{ learnerAnalytics {{ {field} }} }}", "alice")
        code, message = _error(body)
        assert code == "FORBIDDEN", field
        assert "org admin role" in message


async def test_node_access(gql, world):
    q = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    from resolvers.node import encode_id

    s1 = encode_id("ChatSession", world.org.id, world.sessions["s1"].id)  # alice's
    c1 = encode_id("Course", world.org.id, world.courses["c1"].id)
    p1 = encode_id("Program", world.org.id, world.programs["p1"].id)
    assert all((await gql.data(q, ids=[s1, c1, p1]))["nodes"])  # admin sees all
    alice = (await gql.data(q, "alice", ids=[s1, c1, p1]))["nodes"]
    assert [n is not None for n in alice] == [True, False, False]  # own session only
    assert (await gql.data(q, "bob", ids=[s1]))["nodes"] == [None]
    assert (await gql.data(q, "other_admin", ids=[s1, c1, p1]))["nodes"] == [None, None, None]


async def test_other_org_is_not_found(gql, world):
    other = "other_admin"
    # the other org has its own mentor-ai-tutor (no events) and its own "alice"
    data = await gql.data(
        '{ learnerAnalytics(mentor: "mentor-ai-tutor", period: {start: "2026-03-01",'
        ' end: "2026-03-31"}) { messages { current } mentor { name } } }',
        other,
    )
    assert data["learnerAnalytics"] == {
        "messages": {"current": 0},
        "mentor": {"name": "Other Tutor"},
    }
    body = await gql('{ learnerAnalytics(mentor: "mentor-two") { messages { current } } }', other)
    assert _error(body)[1] == "No mentor with unique id 'mentor-two' in this org."
    body = await gql('{ learnerAnalytics { learner(username: "bob") { email } } }', other)
    assert _error(body)[1] == "No user 'bob' in this org."
    body = await gql('{ learnerAnalytics { transcript(sessionId: "sess-s1") { topic } } }', other)
    assert "No chat session" in _error(body)[1]
    group = str(world.group.id)
    body = await gql(
        "query($g: [ID!]) { learnerAnalytics(userGroupIds: $g) { messages { current } } }",
        other,
        g=[group],
    )
    assert _error(body)[1] == f"No user group(s) [{group}] in this org."
    body = await gql(
        '{ learnerAnalytics { course(key: "course-v1:acme+CS101+2026") { name } } }', other
    )
    assert "No course" in _error(body)[1]


async def test_unauthenticated(gql):
    body = await gql("{ learnerAnalytics { period { days } } }", as_=None)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_bad_input_messages(gql):
    cases = {
        '{ learnerAnalytics { users(first: 101) { totalCount } } }':
            "`first` must be between 0 and 100, got 101.",
        '{ learnerAnalytics { topicDetails(limit: 0) { topic } } }':
            "`limit` must be between 1 and 100, got 0.",
        '{ learnerAnalytics(period: {start: "2026-03-05", end: "2026-03-01"}) { userGroupIds } }':
            "The period start (2026-03-05) must be before its end (2026-03-01).",
        '{ learnerAnalytics(period: {preset: LAST_7D, timezone: "Mars/Base"}) { userGroupIds } }':
            "Unknown timezone 'Mars/Base'",
        '{ learnerAnalytics(userGroupIds: ["abc"]) { period { days } } }':
            "userGroupIds must be numeric user group ids",
        '{ learnerAnalytics { users(after: "zzz") { totalCount } } }':
            "'zzz' is not a valid cursor.",
        '{ learnerAnalytics { series(metric: VIEWS) { total } } }':
            "VIEWS",
    }  # fmt: skip
    for query, message in cases.items():
        body = await gql(query)
        assert message in body["errors"][0]["message"], (query, body)
        assert body["errors"][0]["message"] != "Internal error."
