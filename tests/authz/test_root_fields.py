"""The authorization matrix over the demo principals: every root field of the schema
(and the owner-only sub-fields) asked by every demo principal and anonymously, against
the outcome the documented access rules give (`gateway/access/__init__.py` and the
domain modules):

* publications: details and public impact for any org member; owner metrics for the
  owner and co-creators only (not even the org admin);
* missions (AMP) and the agent platform: any org member; a user's agent metrics for that
  user or an org admin;
* learners: analytics for the org admin; a learner's own report for that learner too;
* workspaces: the owner and members see the workspace, only the owner its metrics;
  anyone else in the org is FORBIDDEN;
* jobs: AMP exports for any org member, ibl.ai data reports for the org admin;
* anything of the other org is not found; no token at all is UNAUTHENTICATED.

Outcomes: OK = data returned (non-null) without error; FB = error FORBIDDEN and the field
is null; NF = error NOT_FOUND or plain null; UA = error UNAUTHENTICATED and null.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import text

from resolvers.node import decode_id
from resolvers.schema import schema
from tests.authz.helpers import PRINCIPAL_COLUMNS, outcome

WS_UUID = "8360bf61-4604-4f22-99dc-2afa910fd8c7"
WS_METRICS = "{entity: WORKFLOWS, metric: EXECUTIONS, aggregation: COUNT}"
WORKFLOW = "wf_q9tjwnyvzt01"  # a workflow of the example workspace
PUB = 'publication(customUrl: "ai-research-studio")'
LA = "learnerAnalytics(period: {preset: ALL})"


@dataclass(frozen=True)
class Probe:
    name: str
    root: str
    document: str
    path: tuple[str | int, ...]
    """Where the probed value sits in `data` (must be non-null for OK, null otherwise)."""


def _probe(name: str, selection: str, path: tuple[str | int, ...]) -> Probe:
    root = name.split(".")[0]
    document = selection if selection.startswith(("query", "mutation")) else "{ " + selection + " }"
    return Probe(name, root, document, path)


# One row per probe: the root field (or root.subfield) and its expected outcome for
#   org_admin, publication_owner, co_creator, outsider, workspace_owner,
#   workspace_member, learner, artist, other_org_admin, anonymous.
# `$pubId` is the global id of acme's `ai-research-studio`.
MATRIX: list[tuple[Probe, str]] = [
    (
        _probe("node", "query($pubId: ID!) { node(id: $pubId) { id } }", ("node",)),
        "OK OK OK OK OK OK OK OK NF UA",
    ),
    (
        _probe("nodes", "query($pubId: ID!) { nodes(ids: [$pubId]) { id } }", ("nodes", 0)),
        "OK OK OK OK OK OK OK OK NF UA",
    ),
    (
        _probe("viewer", "viewer { user { username } org { key } }", ("viewer",)),
        "OK OK OK OK OK OK OK OK OK UA",
    ),
    (
        _probe("metricsCatalog", "metricsCatalog { name }", ("metricsCatalog",)),
        "OK OK OK OK OK OK OK OK OK UA",
    ),
    (
        _probe(
            "publication",
            PUB + " { id name publicImpact { totalPlays } }",
            ("publication", "publicImpact"),
        ),
        "OK OK OK OK OK OK OK OK OK UA",  # other_org_admin: globex's own ai-research-studio
    ),
    (
        _probe(
            "publication.engagement",
            PUB + " { engagement { totalViews } }",
            ("publication", "engagement"),
        ),
        "FB OK OK FB FB FB FB FB FB UA",
    ),
    (
        _probe(
            "publication.experienceCounts",
            PUB + " { experienceCounts { total } }",
            ("publication", "experienceCounts"),
        ),
        "FB OK OK FB FB FB FB FB FB UA",
    ),
    (
        _probe("publication.metric", PUB + " { metric(name: VIEWS) }", ("publication", "metric")),
        "FB OK OK FB FB FB FB FB FB UA",
    ),
    (
        _probe("publications", "publications(first: 5) { totalCount }", ("publications",)),
        "OK OK OK OK OK OK OK OK OK UA",
    ),
    (
        _probe("agent", 'agent(key: "agt-booking-assistant-1") { id name }', ("agent",)),
        "OK OK OK OK OK OK OK OK NF UA",
    ),
    (
        _probe(
            "agent.metric",
            'agent(key: "mentor-ai-tutor") { metric(name: MESSAGES) }',
            ("agent", "metric"),
        ),  # fmt: skip
        "OK OK OK OK OK OK OK OK NF UA",
    ),
    (
        _probe("agents", "agents(first: 5) { totalCount }", ("agents",)),
        "OK OK OK OK OK OK OK OK OK UA",
    ),
    (
        _probe("agentPlatform", "agentPlatform { agents { total } }", ("agentPlatform",)),
        "OK OK OK OK OK OK OK OK OK UA",
    ),
    (
        _probe(
            "agentUserMetrics",
            'agentUserMetrics(user: "nova.artist") { userId performance { requests } }',
            ("agentUserMetrics",),
        ),
        "OK FB FB FB FB FB FB OK NF UA",
    ),
    (
        _probe("workspace", f'workspace(uuid: "{WS_UUID}") {{ id name }}', ("workspace",)),
        "FB FB FB FB OK OK FB FB NF UA",
    ),
    (
        _probe(
            "workspace.workspaceMetrics",
            f'workspace(uuid: "{WS_UUID}") {{ workspaceMetrics(query: {WS_METRICS}) {{ total }} }}',
            ("workspace", "workspaceMetrics"),
        ),
        "FB FB FB FB OK FB FB FB NF UA",
    ),
    (
        _probe(
            "workspace.executionCounts",
            f'workspace(uuid: "{WS_UUID}") {{ executionCounts {{ total }} }}',
            ("workspace", "executionCounts"),
        ),
        "FB FB FB FB OK FB FB FB NF UA",
    ),
    (
        _probe("workspaces", "workspaces(first: 5) { totalCount }", ("workspaces",)),
        "OK OK OK OK OK OK OK OK OK UA",
    ),
    (
        _probe("workflow", f'workflow(key: "{WORKFLOW}") {{ id name }}', ("workflow",)),
        "FB FB FB FB OK OK FB FB NF UA",
    ),
    (
        _probe(
            "workflow.metric",
            f'workflow(key: "{WORKFLOW}") {{ metric(name: EXECUTIONS) }}',
            ("workflow", "metric"),
        ),
        "FB FB FB FB OK FB FB FB NF UA",
    ),
    (
        _probe("mission", 'mission(key: "msn_2xK9mPqR4vN8sT3w") { id name }', ("mission",)),
        "OK OK OK OK OK OK OK OK NF UA",
    ),
    (
        _probe("missions", "missions(first: 5) { totalCount }", ("missions",)),
        "OK OK OK OK OK OK OK OK OK UA",
    ),
    (
        _probe("content", 'content(key: "cnt_xxx") { id }', ("content",)),
        "OK OK OK OK OK OK OK OK NF UA",
    ),
    (
        _probe("contents", "contents(first: 5) { totalCount }", ("contents",)),
        "OK OK OK OK OK OK OK OK OK UA",
    ),
    (
        _probe(
            "missionAnalytics",
            "missionAnalytics { period { days } summary { __typename } }",
            ("missionAnalytics",),
        ),
        "OK OK OK OK OK OK OK OK OK UA",
    ),
    (
        _probe("performance", "performance { period { days } }", ("performance",)),
        "OK OK OK OK OK OK OK OK OK UA",
    ),
    (
        _probe("costs", "costs { period { days } }", ("costs",)),
        "OK OK OK OK OK OK OK OK OK UA",
    ),
    (
        _probe(
            "comparePeriods",
            "comparePeriods(period1: {preset: LAST_7D}, period2: {preset: LAST_30D}) { insights }",
            ("comparePeriods",),
        ),
        "OK OK OK OK OK OK OK OK OK UA",
    ),
    (
        _probe("realtime", "realtime { asOf }", ("realtime",)),
        "OK OK OK OK OK OK OK OK OK UA",
    ),
    (
        _probe("exportJob", 'exportJob(key: "exp_xxx") { id key }', ("exportJob",)),
        "OK OK OK OK OK OK OK OK NF UA",
    ),
    (
        _probe(
            "createAnalyticsExport",
            'mutation { createAnalyticsExport(input: {period: "90d", include: ["metrics"],'
            ' missionKeys: ["msn_2xK9mPqR4vN8sT3w"]}) { id key } }',
            ("createAnalyticsExport",),
        ),
        # 90 days: queued, not run inline (cheap); globex: the acme mission is not found
        "OK OK OK OK OK OK OK OK NF UA",
    ),
    (
        _probe("dataReports", "dataReports { key }", ("dataReports",)),
        "OK FB FB FB FB FB FB FB OK UA",
    ),
    (
        _probe(
            "dataReports.mentor", 'dataReports(mentor: "mentor-ai-tutor") { key }', ("dataReports",)
        ),
        "OK FB FB FB FB FB FB FB NF UA",
    ),
    (
        _probe(
            "dataReport", 'dataReport(reportName: "ai-mentor-users") { id key }', ("dataReport",)
        ),  # fmt: skip
        "OK FB FB FB FB FB FB FB OK UA",  # each admin gets their org's report (`reports`)
    ),
    (
        _probe(
            "createDataReport",
            'mutation { createDataReport(input: {reportName: "ai-mentor-costs",'
            ' mentor: "mentor-ai-tutor"}) { id key } }',
            ("createDataReport",),
        ),
        "OK FB FB FB FB FB FB FB NF UA",
    ),
    (
        _probe("learnerAnalytics", LA + " { messages { current } }", ("learnerAnalytics",)),
        "OK FB FB FB FB FB FB FB OK UA",
    ),
    (
        _probe(
            "learnerAnalytics.mentor",
            'learnerAnalytics(mentor: "mentor-ai-tutor") { messages { current } }',
            ("learnerAnalytics",),
        ),
        "OK FB FB FB FB FB FB FB NF UA",
    ),
    (
        _probe(
            "learnerAnalytics.learner",
            LA + ' { learner(username: "lena.learner") { user { username } } }',
            ("learnerAnalytics", "learner"),
        ),
        "OK FB FB FB FB FB OK FB NF UA",
    ),
    (
        _probe(
            "learnerAnalytics.course",
            LA + ' { course(key: "course-v1:acme+CS101+2026") { id } }',
            ("learnerAnalytics", "course"),
        ),
        "OK FB FB FB FB FB FB FB NF UA",
    ),
    (
        _probe(
            "learnerAnalytics.transcripts",
            LA + " { transcripts(first: 1) { totalCount } }",
            ("learnerAnalytics",),
        ),
        "OK FB FB FB FB FB FB FB OK UA",
    ),
]


def _expected(row: str) -> dict[str | None, str]:
    codes = row.split()
    assert len(codes) == len(PRINCIPAL_COLUMNS), row
    return dict(zip(PRINCIPAL_COLUMNS, codes, strict=True))


def test_every_root_field_is_in_the_matrix() -> None:
    """A new root field (query or mutation) must get a row here before it ships."""
    gql_schema = schema._schema
    roots = set(gql_schema.query_type.fields)
    if gql_schema.mutation_type is not None:
        roots |= set(gql_schema.mutation_type.fields)
    if gql_schema.subscription_type is not None:
        roots |= set(gql_schema.subscription_type.fields)
    covered = {probe.root for probe, _ in MATRIX}
    assert sorted(roots - covered) == [], "root fields missing from the authz matrix"
    assert sorted(covered - roots) == [], "matrix rows for fields that no longer exist"
    assert len({probe.name for probe, _ in MATRIX}) == len(MATRIX)


@pytest.mark.parametrize("principal", PRINCIPAL_COLUMNS, ids=lambda p: p or "anonymous")
async def test_root_field_matrix(gql, refs, reports, principal: str | None) -> None:
    mismatches = []
    for probe, row in MATRIX:
        want = _expected(row)[principal]
        body = await gql(principal, probe.document, pubId=refs["acme_pub"])
        got, detail = outcome(body, probe.path)
        if got != want:
            mismatches.append(f"{probe.name}: expected {want}, got {got} ({detail})")
    assert mismatches == [], "\n".join(mismatches)


async def test_natural_keys_resolve_within_the_callers_org(gql, demo_db, refs) -> None:
    """globex has its own `ai-research-studio`: the same url gives each org its own
    publication, and lists / counts never include the other org's rows."""
    acme = await gql("publication_owner", "{ " + PUB + " { id owner { username } } }")
    globex = await gql("other_org_admin", "{ " + PUB + " { id owner { username } } }")
    acme_pub, globex_pub = acme["data"]["publication"], globex["data"]["publication"]
    assert decode_id(acme_pub["id"])[1] == refs["org"]["acme"]
    assert decode_id(globex_pub["id"])[1] == refs["org"]["globex"]
    assert acme_pub["owner"]["username"] == "olive.owner"
    assert globex_pub["owner"]["username"] != "olive.owner"

    lists = (
        "{ viewer { org { key } } publications(first: 100) { totalCount nodes { id } }"
        " agents(first: 100) { totalCount nodes { id } }"
        " missions(first: 100) { totalCount nodes { id } }"
        " contents(first: 100) { totalCount nodes { id } } }"
    )
    tables = {"publications": "publications", "agents": "agents", "missions": "missions",
              "contents": "content"}  # fmt: skip
    async with demo_db.engine.connect() as conn:
        counts = {
            (field, org): n
            for field, table in tables.items()
            for org, n in await conn.execute(
                text(f"SELECT org_id, count(*) FROM {table} GROUP BY org_id")  # noqa: S608
            )
        }
    for principal, org in (("outsider", "acme"), ("other_org_admin", "globex")):
        data = (await gql(principal, lists))["data"]
        assert data["viewer"]["org"]["key"] == org
        org_id = refs["org"][org]
        for field in tables:
            assert data[field]["totalCount"] == counts[(field, org_id)], (principal, field)
            assert {decode_id(n["id"])[1] for n in data[field]["nodes"]} == {org_id}


async def test_workspace_lists_show_only_own_workspaces(gql) -> None:
    query = "{ workspaces(first: 10) { totalCount nodes { uuid viewerRole } } }"
    seen = {}
    for principal in ("workspace_owner", "workspace_member", "outsider", "org_admin",
                      "other_org_admin"):  # fmt: skip
        data = (await gql(principal, query))["data"]["workspaces"]
        seen[principal] = {(n["uuid"], n["viewerRole"]) for n in data["nodes"]}
        assert data["totalCount"] == len(seen[principal])
    assert seen["workspace_owner"] == {(WS_UUID, "OWNER")}
    assert seen["workspace_member"] == {(WS_UUID, "MEMBER")}
    assert seen["outsider"] == seen["org_admin"] == seen["other_org_admin"] == set()
