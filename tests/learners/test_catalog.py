"""Course and program breakdowns (org-wide catalog), with and without a user group."""

from __future__ import annotations

from pytest import approx

from tests.learners.conftest import MARCH

FIELDS = """key enrollments completions learners newEnrollments completionsInPeriod
averageGrade averageProgress completionRate timeSpentSeconds activities activeLearners"""

CATALOG = f"""
query($period: PeriodInput, $groups: [ID!]) {{
  learnerAnalytics(period: $period, userGroupIds: $groups) {{
    courses {{ totalCount nodes {{ {FIELDS} }} }}
    programs {{ totalCount nodes {{ {FIELDS} courseCount courses {{ key }} }} }}
  }}
}}"""


def _by_key(nodes):
    return {n["key"].split("+")[1]: n for n in nodes}


async def test_courses_and_programs(gql):
    a = (await gql.data(CATALOG, period=MARCH))["learnerAnalytics"]
    c = _by_key(a["courses"]["nodes"])
    assert a["courses"]["totalCount"] == 2
    assert c["CS101"] == {
        "key": "course-v1:acme+CS101+2026",
        "enrollments": 2, "completions": 1, "learners": 2, "newEnrollments": 0,
        "completionsInPeriod": 1,
        "averageGrade": approx(0.8),  # (0.9 + 0.7) / 2
        "averageProgress": approx(0.75),  # (1.0 + 0.5) / 2
        "completionRate": 50.0,
        "timeSpentSeconds": 1800.0,  # alice 600 + bob 1200 (February's 100 excluded)
        "activities": 3, "activeLearners": 2,
    }  # fmt: skip
    assert c["DS201"]["averageGrade"] == approx(0.8)  # only carol graded
    assert c["DS201"]["averageProgress"] == approx(0.45)  # (0.3 + 0.6) / 2
    assert (c["DS201"]["newEnrollments"], c["DS201"]["timeSpentSeconds"]) == (2, 1200.0)
    assert c["DS201"]["activeLearners"] == 2  # alice (time) + carol
    p = _by_key(a["programs"]["nodes"])
    p1 = p["p1"]
    assert (p1["courseCount"], [x["key"].split("+")[1] for x in p1["courses"]]) == (
        2,
        ["CS101", "DS201"],
    )
    assert (p1["enrollments"], p1["completions"], p1["learners"]) == (4, 1, 3)
    assert p1["averageGrade"] == approx(0.8)  # (0.9 + 0.7 + 0.8) / 3
    assert p1["averageProgress"] == approx(0.6)  # (1 + 0.5 + 0.3 + 0.6) / 4
    assert (p1["timeSpentSeconds"], p1["activities"]) == (3000.0, 4)
    assert p1["activeLearners"] == 3  # alice is active in both courses: counted once
    assert p["p2"]["enrollments"] == 2 and p["p2"]["timeSpentSeconds"] == 1200.0


async def test_catalog_narrowed_to_a_user_group(gql, world):
    a = await gql.data(CATALOG, period=MARCH, groups=[str(world.group.id)])
    c = _by_key(a["learnerAnalytics"]["courses"]["nodes"])
    assert (c["CS101"]["enrollments"], c["CS101"]["timeSpentSeconds"]) == (1, 600.0)  # alice
    assert c["CS101"]["averageGrade"] == approx(0.9)
    p1 = _by_key(a["learnerAnalytics"]["programs"]["nodes"])["p1"]
    assert (p1["enrollments"], p1["learners"], p1["timeSpentSeconds"]) == (3, 2, 1800.0)


async def test_lookup_by_key_search_and_generic_metrics(gql):
    q = """{ learnerAnalytics(period: {start: "2026-03-01", end: "2026-03-31"}) {
      course(key: "course-v1:acme+CS101+2026") { name
        change(name: TIME_SPENT_SECONDS, period: {start: "2026-03-01", end: "2026-03-31"})
          { current previous } }
      program(key: "program-v1:acme+p2") { name }
      courses(search: "ds2") { totalCount nodes { name } }
    } }"""
    a = (await gql.data(q))["learnerAnalytics"]
    assert a["course"] == {"name": "CS", "change": {"current": 1800.0, "previous": 100.0}}
    assert a["program"] == {"name": "P Two"}
    assert a["courses"] == {"totalCount": 1, "nodes": [{"name": "DS"}]}
    body = await gql('{ learnerAnalytics { course(key: "nope") { name } } }')
    assert body["errors"][0]["message"] == "No course 'nope' in this org."
