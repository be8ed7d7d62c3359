"""A corpus of hostile requests against a real `tally serve` (uvicorn) on a real
PostgreSQL: every one is refused with a 4xx or a coded GraphQL error (the code is
asserted), `/livez` keeps answering within 1 s while the corpus runs (probed from a
separate process, a new connection each time, as a health checker would), and five
legitimate dashboard queries — one per domain, on data inserted here — still give their
expected values.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.config import PROJECT_ROOT
from gateway.db import make_engine
from gateway.ingest.writer import EventRow, asyncpg_connection, write_events
from tests.factories import Factory

MAX_BYTES = 262_144  # the default TALLY_GRAPHQL_MAX_BYTES
LIVEZ_BOUND_S = 1.0
"""/livez answers in milliseconds on an idle loop, and a single fragment bomb used to stall
it for 19 s. What remained were full garbage collections, each walking the whole heap
(0.3-0.85 s with the app's startup objects and the cached hostile documents); with the
startup heap frozen (`gateway.guards.freeze_startup_heap`) and only documents within the
limits cached (`resolvers.guard.CACHE_CHARS`), the longest event-loop stall of the corpus
is ~40 ms. The probe runs in its own process so the test's own event loop and garbage
collections do not count against the server."""

PROBE = r"""
import http.client, json, select, sys, time
port, latencies, bad = int(sys.argv[1]), [], []
while not select.select([sys.stdin], [], [], 0.05)[0]:
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/livez")
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            bad.append(response.status)
    except OSError as exc:
        bad.append(repr(exc))
    finally:
        conn.close()
    latencies.append(time.perf_counter() - t0)
print(json.dumps({"latencies": latencies, "bad": bad}))
"""
"""/livez probed every 50 ms, each time on a new connection, until stdin has input."""
WORKSPACE_UUID = "5f3c2b1a-0000-4000-8000-00000000c0de"
MARCH = '{start: "2026-03-01", end: "2026-03-31"}'


@dataclass
class Case:
    name: str
    codes: set[str]
    payload: Any = None  # JSON-encoded as the body
    raw: bytes | None = None  # sent as is
    auth: bool = False
    who: str = "owner"  # whose token, when `auth`
    headers: dict[str, str] = field(default_factory=dict)


def gid(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def q(query: str, variables: dict | None = None, operation: str | None = None) -> dict:
    return {"query": query, "variables": variables, "operationName": operation}


def bomb(levels: int, fan: int, *, inline: bool = False, alias: bool = False) -> str:
    def spreads(i: int) -> str:
        one = f"...F{i + 1}"
        if inline:
            one = f"... on Query {{ {one} }}"
        return " ".join(one for _ in range(fan))

    leaf = "x: __typename" if alias else "__typename"
    frags = " ".join(f"fragment F{i} on Query {{ {spreads(i)} }}" for i in range(levels))
    return f"query {{ ...F0 }} {frags} fragment F{levels} on Query {{ {leaf} }}"


SHAPE = {
    "FIELD_LIMIT_EXCEEDED",
    "SELECTION_LIMIT_EXCEEDED",
    "FRAGMENT_DEPTH_LIMIT_EXCEEDED",
    "ALIAS_LIMIT_EXCEEDED",
    "TOKEN_LIMIT_EXCEEDED",
}


def corpus() -> list[Case]:
    cases: list[Case] = []
    add = cases.append
    # fragment bombs of several shapes
    for levels in range(10, 31):
        add(Case(f"bomb2x{levels}", SHAPE, q(bomb(levels, 2))))
    for fan, top in ((3, 12), (4, 12), (8, 8)):
        for levels in range(5, top + 1):
            add(Case(f"bomb{fan}x{levels}", SHAPE, q(bomb(levels, fan))))
    for levels in (10, 16, 22):
        add(Case(f"inline-bomb{levels}", SHAPE, q(bomb(levels, 2, inline=True))))
        add(Case(f"alias-bomb{levels}", SHAPE, q(bomb(levels, 2, alias=True)), auth=True))
    for levels in range(15, 25):
        frags = " ".join(
            f"fragment V{i} on Viewer {{ ...V{i + 1} ...V{i + 1} }}" for i in range(levels)
        )
        doc = f"{{ viewer {{ ...V0 }} }} {frags} fragment V{levels} on Viewer {{ roles }}"
        add(Case(f"bomb-in-field-{levels}", SHAPE, q(doc), auth=True))
    for levels in (5, 10, 15):
        doc = "{ " + "... on Query { " * levels + "a: __typename " * 60 + "}" * levels + " }"
        add(
            Case(
                f"inline-nest-aliases-{levels}",
                {"ALIAS_LIMIT_EXCEEDED", "SELECTION_LIMIT_EXCEEDED"},
                q(doc),
            )
        )
    for n in (2, 3, 4):
        ops = " ".join(
            f"query Q{j} {{ " + " ".join(f"a{i}: __typename" for i in range(51)) + " }"
            for j in range(n)
        )
        add(
            Case(
                f"aliases-in-{n}-operations",
                {"ALIAS_LIMIT_EXCEEDED", "SELECTION_LIMIT_EXCEEDED"},
                q(ops, operation="Q1"),
            )
        )
    for first in (100, 60, 40):
        hourly = "series(metric: VIEWS, granularity: HOUR) { values }"
        nested = (
            f"publications(first: {first}) {{ nodes {{ experiences(first: 100) {{ nodes {{ "
            f"title publication {{ {hourly} }} }} }} }} }}"
        )
        add(
            Case(
                f"cost-nested-connections-{first}",
                {"COST_LIMIT_EXCEEDED"},
                q(f"{{ {nested} }}"),
                auth=True,
            )
        )
    # the issue's repro, anonymous and authenticated, and named IntrospectionQuery
    add(Case("issue-bomb", SHAPE, q(bomb(22, 2))))
    add(Case("issue-bomb-auth", SHAPE, q(bomb(22, 2)), auth=True))
    named = bomb(22, 2).replace("query {", "query IntrospectionQuery {", 1)
    add(Case("bomb-named-introspection", SHAPE, q(named)))
    # aliases, no name exempt
    for n in (51, 80, 150, 300):
        for name in ("IntrospectionQuery", "Dashboard"):
            body = " ".join(f"a{i}: viewer {{ roles }}" for i in range(n))
            add(
                Case(
                    f"aliases-{name}-{n}",
                    {"ALIAS_LIMIT_EXCEEDED"},
                    q(f"query {name} {{ {body} }}"),
                    auth=True,
                )
            )
    frag = "fragment A on Query { " + " ".join(f"a{i}: __typename" for i in range(30)) + " }"
    add(Case("aliases-in-fragments", {"ALIAS_LIMIT_EXCEEDED"}, q(f"{{ ...A ...A }} {frag}")))
    # depth and nesting
    for depth in (13, 20, 30, 40, 60, 200, 2000):
        doc = "{ " + "viewer { " * depth + "roles" + " }" * depth + " }"
        add(Case(f"depth-{depth}", {"DEPTH_LIMIT_EXCEEDED", "NESTING_LIMIT_EXCEEDED"}, q(doc)))
    for depth in (70, 500, 2400):
        value = "[" * depth + "1" + "]" * depth
        add(
            Case(
                f"nested-list-literal-{depth}",
                {"NESTING_LIMIT_EXCEEDED"},
                q(f"{{ nodes(ids: {value}) {{ id }} }}"),
            )
        )
    # multi-operation documents with operationName
    for n in (6, 10, 20, 50):
        ops = " ".join(f"query Q{i} {{ __typename }}" for i in range(n))
        add(Case(f"operations-{n}", {"OPERATION_LIMIT_EXCEEDED"}, q(ops, operation="Q0")))
    for levels in (16, 22, 28):
        doc = "query Fine { __typename } " + bomb(levels, 2).replace("query {", "query Bad {", 1)
        add(Case(f"fine-op-next-to-bomb-{levels}", SHAPE, q(doc, operation="Fine")))
    # directive floods
    for n in (51, 100, 300, 800):
        add(
            Case(
                f"directives-{n}",
                {"DIRECTIVE_LIMIT_EXCEEDED", "TOKEN_LIMIT_EXCEEDED"},
                q("{ __typename " + "@skip(if: false) " * n + "}"),
            )
        )
        add(
            Case(
                f"directives-on-fields-{n}",
                {"DIRECTIVE_LIMIT_EXCEEDED", "ALIAS_LIMIT_EXCEEDED", "TOKEN_LIMIT_EXCEEDED"},
                q("{ " + " ".join(f"a{i}: __typename @include(if: true)" for i in range(n)) + " }"),
            )
        )
    # introspection floods
    for n in (4, 10, 50, 200):
        body = " ".join(f"s{i}: __schema {{ types {{ name }} }}" for i in range(n))
        add(
            Case(
                f"schema-x{n}",
                {"INTROSPECTION_LIMIT_EXCEEDED", "ALIAS_LIMIT_EXCEEDED"},
                q(f"{{ {body} }}"),
            )
        )
    for n in (10, 100, 500):
        body = " ".join(f'__type(name: "T{i}") {{ name }}' for i in range(n))
        add(
            Case(
                f"type-args-x{n}",
                {
                    "INTROSPECTION_LIMIT_EXCEEDED",
                    "SELECTION_LIMIT_EXCEEDED",
                    "TOKEN_LIMIT_EXCEEDED",
                },
                q(f"{{ {body} }}"),
            )
        )
    for nest in (3, 5, 8):
        inner = "name"
        for _ in range(nest):
            inner = f"fields {{ type {{ {inner} }} }}"
        add(
            Case(
                f"introspection-depth-{nest}",
                {"INTROSPECTION_DEPTH_EXCEEDED", "DEPTH_LIMIT_EXCEEDED"},
                q(f"{{ __schema {{ types {{ {inner} }} }} }}"),
            )
        )
    add(
        Case(
            "introspection-in-fragments",
            {"INTROSPECTION_LIMIT_EXCEEDED"},
            q("{ ...I ...I ...I ...I } fragment I on Query { __schema { queryType { name } } }"),
        )
    )
    # the same field thousands of times
    for n in (101, 500, 1000, 2400, 4000):
        add(
            Case(
                f"repeated-field-{n}",
                {"SELECTION_LIMIT_EXCEEDED", "FIELD_LIMIT_EXCEEDED", "TOKEN_LIMIT_EXCEEDED"},
                q("{ " + "__typename " * n + "}"),
            )
        )
    for n in (101, 600):
        add(
            Case(
                f"repeated-object-{n}",
                {"SELECTION_LIMIT_EXCEEDED", "FIELD_LIMIT_EXCEEDED", "TOKEN_LIMIT_EXCEEDED"},
                q("{ " + "viewer { roles } " * n + "}"),
                auth=True,
            )
        )
    # object fields sharing one response path: graphql-core compares every pair of them
    # and the fields below (100 `viewer`s validated for ~2 s before the limit)
    repeated = {"REPEATED_FIELD_LIMIT_EXCEEDED"}
    for n in (11, 30, 100):
        doc = "{ " + "viewer { roles user { username } } " * n + "}"
        add(Case(f"same-object-field-{n}", repeated, q(doc)))
    for outer, inner in ((10, 10), (4, 4), (20, 5), (3, 4)):
        doc = "{ " + ("viewer { " + "user { username } " * inner + "} ") * outer + "}"
        add(Case(f"merged-path-{outer}x{inner}", repeated, q(doc), auth=True))
    frag = "fragment V on Query { " + "viewer { roles } " * 6 + "}"
    add(Case("same-object-field-in-fragments", repeated, q("{ ...V ...V } " + frag)))
    inline = "{ " + "... on Query { viewer { roles } } " * 12 + "}"
    add(Case("same-object-field-in-inline-fragments", repeated, q(inline)))
    # tokens
    for n in (5001, 8000, 20000):
        add(
            Case(
                f"tokens-{n}",
                {"TOKEN_LIMIT_EXCEEDED"},
                q("{ __typename " + "," * 0 + "a " * n + "}"),
            )
        )
    # huge input objects and deep variable JSON
    for n in (5001, 20000):
        add(
            Case(
                f"variables-object-{n}",
                {"INPUT_OBJECT_LIMIT_EXCEEDED"},
                q(
                    "query($f: PublicationFilterInput) { publications(filter: $f) { totalCount } }",
                    {"f": {f"k{i}": i for i in range(n)}},
                ),
                auth=True,
            )
        )
        add(
            Case(
                f"variables-many-{n}",
                {"VARIABLES_LIMIT_EXCEEDED"},
                q("{ __typename }", {f"v{i}": i for i in range(n)}),
            )
        )
    for depth in (11, 50, 500, 900):
        deep: Any = "x"
        for _ in range(depth):
            deep = {"a": deep}
        add(
            Case(
                f"deep-variables-{depth}",
                {"VARIABLES_DEPTH_EXCEEDED"},
                q("query($p: PeriodInput) { __typename }", {"p": deep}),
            )
        )
    for depth in (1100, 5000):
        raw = (
            b'{"query": "{ __typename }", "variables": {"p": ' + b"[" * depth + b"]" * depth + b"}}"
        )
        add(Case(f"deep-json-{depth}", {"BAD_REQUEST"}, raw=raw))
    literal = "{" + ", ".join(f"k{i}: {i}" for i in range(300)) + "}"
    add(
        Case(
            "huge-input-literal",
            {"INPUT_OBJECT_LIMIT_EXCEEDED"},
            q(f"{{ publications(filter: {literal}) {{ totalCount }} }}"),
        )
    )
    # huge lists
    for n in (101, 1000, 10000, 25000):
        add(
            Case(
                f"ids-variable-{n}",
                {"LIST_LIMIT_EXCEEDED"},
                q(
                    "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                    {"ids": [gid(f"Publication:1:{i}") for i in range(n)]},
                ),
                auth=True,
            )
        )
    for n in (101, 500, 1500):
        ids = ", ".join(f'"x{i}"' for i in range(n))
        add(
            Case(
                f"ids-literal-{n}",
                {"LIST_LIMIT_EXCEEDED"},
                q(f"{{ nodes(ids: [{ids}]) {{ id }} }}"),
                auth=True,
            )
        )
    add(
        Case(
            "names-variable-1000",
            {"LIST_LIMIT_EXCEEDED"},
            q(
                'query($n: [PublicationMetric!]!) { publication(customUrl: "corpus-studio") '
                "{ metrics(names: $n) { value } } }",
                {"n": ["VIEWS"] * 1000},
            ),
            auth=True,
        )
    )
    # long strings
    for n in (10_001, 50_000, 200_000):
        add(
            Case(
                f"long-string-variable-{n}",
                {"STRING_LIMIT_EXCEEDED"},
                q("query($u: String!) { publication(customUrl: $u) { id } }", {"u": "x" * n}),
                auth=True,
            )
        )
    add(
        Case(
            "long-string-literal",
            {"STRING_LIMIT_EXCEEDED"},
            q('{ publication(customUrl: "' + "y" * 12_000 + '") { id } }'),
            auth=True,
        )
    )
    # NUL bytes in string arguments (literal and variable)
    for field_ in (
        'publication(customUrl: "a\\u0000")',
        'mission(key: "msn\\u0000")',
        'agent(key: "\\u0000")',
        'workspace(uuid: "\\u0000x")',
        'agentPlatform(timezone: "UTC\\u0000")',
    ):
        add(
            Case(
                f"nul-literal-{field_[:8]}",
                {"INVALID_INPUT"},
                q(f"{{ {field_} {{ __typename }} }}"),
                auth=True,
            )
        )
    for var, query in (
        ("u", "query($u: String!) { publication(customUrl: $u) { id } }"),
        ("u", "query($u: String!) { mission(key: $u) { id } }"),
        ("u", "query($u: String!) { workspace(uuid: $u) { id } }"),
        ("u", "query($u: ID!) { node(id: $u) { id } }"),
        ("u", "query($u: String!) { agentPlatform(timezone: $u) { timezone } }"),
    ):
        add(
            Case(
                f"nul-variable-{query[20:34]}",
                {"INVALID_INPUT"},
                q(query, {var: "ok\x00no"}),
                auth=True,
            )
        )
    # bad ids
    for raw_id in (
        gid("Publication:1:9223372036854775808"),
        gid("Publication:1:" + "9" * 40),
        gid("Mission:" + "9" * 30 + ":1"),
        gid("Publication:1:-1"),
        gid("Publication:1:0"),
        gid("Publication:1"),
        gid("::"),
        "%%%",
        "ünïcode",
        "A" * 3000,
        gid("Publication:1:1e9"),
        gid("Publication: 1:2"),
    ):
        add(
            Case(
                f"bad-id-{raw_id[:10]}",
                {"INVALID_INPUT"},
                q("query($i: ID!) { node(id: $i) { id } }", {"i": raw_id}),
                auth=True,
            )
        )
    # bad dates and periods
    platform = "query($p: PeriodInput) { agentPlatform(period: $p) { timezone } }"
    for period in (
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"start": "9999-12-30", "end": "9999-12-31"},
        {"start": "0001-01-01", "end": "0001-01-01"},
        {"start": "2026-02-30", "end": "2026-03-01"},
        {"start": "2026-03-01", "end": "not a date"},
        {"start": "2026-03-01"},
        {"preset": "LAST_7D", "start": "2026-03-01", "end": "2026-03-02"},
        {"start": "1970-01-01", "end": "2100-12-31"},
    ):
        add(
            Case(
                f"bad-period-{period}",
                {"INVALID_INPUT", "BAD_USER_INPUT"},
                q(platform, {"p": period}),
                auth=True,
            )
        )
    # dates beyond the calendar's edge (9999-12-31 + 1 day used to be an internal error)
    for args in ('toDate: "9999-12-31"', 'fromDate: "0001-01-01"', 'toDate: "2101-01-01"'):
        add(
            Case(
                f"audit-log-{args[:15]}",
                {"INVALID_INPUT"},
                q(f"{{ learnerAnalytics {{ auditLog({args}) {{ totalCount }} }} }}"),
                auth=True,
                who="admin",
            )
        )
    # bad timezones
    for tz in (
        "A" * 300,
        "Europe/" + "B" * 300,
        "../../../etc/passwd",
        "Nowhere/Special",
        "",
        " UTC",
    ):
        add(
            Case(
                f"bad-tz-{tz[:12]}",
                {"INVALID_INPUT"},
                q(platform, {"p": {"preset": "LAST_7D", "timezone": tz}}),
                auth=True,
            )
        )
    # huge integers
    for value in (2**31, 2**63, -(2**40)):
        add(
            Case(
                f"huge-int-{value}",
                {"BAD_USER_INPUT"},
                q("query($n: Int) { publications(first: $n) { totalCount } }", {"n": value}),
                auth=True,
            )
        )
    add(
        Case(
            "first-over-100",
            {"INVALID_INPUT"},
            q("{ publications(first: 101) { totalCount } }"),
            auth=True,
        )
    )
    # cost budget
    series = " ".join(f"s{i}: series(metric: VIEWS) {{ values }}" for i in range(45))
    add(
        Case(
            "cost-100-nodes-45-series",
            {"COST_LIMIT_EXCEEDED"},
            q(
                "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Publication { "
                + series
                + " } } }",
                {"ids": [gid(f"Publication:1:{i}") for i in range(1, 101)]},
            ),
            auth=True,
        )
    )
    hourly = " ".join(
        f"h{i}: series(metric: VIEWS, granularity: HOUR, period: {{preset: YTD}}) {{ values }}"
        for i in range(40)
    )
    add(
        Case(
            "cost-hourly-ytd",
            {"COST_LIMIT_EXCEEDED"},
            q(f"{{ publications(first: 100) {{ nodes {{ {hourly} }} }} }}"),
            auth=True,
        )
    )
    add(
        Case(
            "cost-anonymous",
            {"COST_LIMIT_EXCEEDED"},
            q(
                "{ publications(first: 100) { nodes { "
                + " ".join(f"{c}: customUrl" for c in "abcdefghij")
                + " } } }"
            ),
        )
    )
    # batched arrays
    for n in (1, 2, 10, 100, 1000):
        add(Case(f"batch-{n}", {"BATCH_NOT_SUPPORTED"}, [q("{ __typename }")] * n))
    # bodies that are not UTF-8, not JSON, too large
    for raw in (b'{"query":"\xff"}', b'{"query":"{ __typename }\xc3\x28"}', b"\xfe\xff\x00{"):
        add(Case(f"bad-utf8-{raw[:6]!r}", {"BAD_REQUEST"}, raw=raw))
    for raw in (b'{"query": ', b"{'query': '{ __typename }'}", b"NaN", b""):
        add(Case(f"bad-json-{raw[:6]!r}", {"BAD_REQUEST"}, raw=raw))
    for size in (300_000, 2_000_000):
        add(
            Case(
                f"body-{size}",
                {"PAYLOAD_TOO_LARGE"},
                raw=b'{"query": "{ __typename }", "x": "' + b"z" * size + b'"}',
            )
        )
    return cases


# --- the server -------------------------------------------------------------------------


async def seed(url: str) -> dict[str, str]:
    """Committed rows one domain each: returns the tokens."""
    from gateway import migrate

    engine = make_engine(url, pool_size=1)
    await migrate.upgrade(engine)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        f = Factory(session)
        org = await f.org("corpus")
        admin = await f.user(org, "corpus.admin", roles=("org_admin", "admin"))
        owner = await f.user(org, "corpus.owner")
        pub = await f.publication(owner, "corpus-studio", name="Corpus Studio")
        await f.mission(org, "msn_corpus", name="Corpus Mission")
        await f.agent(owner, "agent-corpus", name="Corpus Agent")
        await f.workspace(owner, WORKSPACE_UUID, name="Corpus Workspace")
        # 3 views of the studio in March 2026
        rows = [
            EventRow(
                org.id,
                f"corpus-v{i}",
                "view",
                "publication",
                pub.id,
                datetime(2026, 3, 10 + i, 12, tzinfo=UTC),
                None,
                1.0,
                "{}",
                "{}",
            )
            for i in range(3)
        ]
        await write_events(await asyncpg_connection(session), rows)
        tokens = {"admin": await f.token(admin), "owner": await f.token(owner)}
        await session.commit()
    await engine.dispose()
    return tokens


def free_port() -> int:
    """A port the kernel just handed out (other test runs may serve on fixed ones)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def server(scratch_database, tmp_path):
    tokens = await seed(scratch_database)
    env = {
        **os.environ,
        "DATABASE_URL": scratch_database,
        "TALLY_DATA_DIR": str(tmp_path),
        "TALLY_INPROCESS_WORKER": "false",
        "TALLY_RATE_LIMIT_ENABLED": "false",  # the corpus is about the guard, not the limiter
        "TALLY_LOG_LEVEL": "CRITICAL",  # the corpus is about refusals, not their log
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tally = Path(sys.executable).with_name("tally")
    proc = subprocess.Popen(  # noqa: ASYNC220 (started once; waited on with a poll loop)
        [str(tally), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as c:
            for _ in range(1200):  # up to ~2 minutes on a loaded machine
                try:
                    if (await c.get("/livez")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None:
                    pytest.fail("tally serve exited")
                await asyncio.sleep(0.1)
            else:
                pytest.fail("tally serve did not start")
        yield base, port, tokens
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def codes_of(r: httpx.Response) -> list[str]:
    try:
        body = r.json()
    except ValueError:
        return []
    errors = body.get("errors") or [] if isinstance(body, dict) else []
    return [str((e.get("extensions") or {}).get("code")) for e in errors]


LEGIT = [
    (
        "owner",
        '{ publication(customUrl: "corpus-studio") { customUrl '
        f"metric(name: VIEWS, period: {MARCH}) }} }}",
        {"publication": {"customUrl": "corpus-studio", "metric": 3.0}},
    ),
    (
        "owner",
        '{ mission(key: "msn_corpus") { key name } missions { totalCount } }',
        {"mission": {"key": "msn_corpus", "name": "Corpus Mission"}, "missions": {"totalCount": 1}},
    ),
    (
        "owner",
        '{ agent(key: "agent-corpus") { key name } agents(kind: null) { totalCount } }',
        {"agent": {"key": "agent-corpus", "name": "Corpus Agent"}, "agents": {"totalCount": 1}},
    ),
    (
        "owner",
        f'{{ workspace(uuid: "{WORKSPACE_UUID}") {{ uuid name }} }}',
        {"workspace": {"uuid": WORKSPACE_UUID, "name": "Corpus Workspace"}},
    ),
    (
        "admin",
        f"{{ learnerAnalytics(period: {MARCH}) {{ period {{ startDate endDate }} }} }}",
        {"learnerAnalytics": {"period": {"startDate": "2026-03-01", "endDate": "2026-03-31"}}},
    ),
]


async def test_hostile_corpus_is_refused_while_the_server_stays_live(server):
    cases = corpus()
    assert len(cases) >= 200
    base, port, tokens = server

    async def legit(c: httpx.AsyncClient) -> None:
        for who, query, expected in LEGIT:
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            r = await c.post("/graphql", json={"query": query}, headers=headers)
            assert r.status_code == 200, r.text
            assert r.json().get("errors") is None, r.text
            assert r.json()["data"] == expected

    timings: list[tuple[float, str]] = []
    requests = []  # encoded up front: the client should not compete with the server
    for case in cases:
        headers = {"Content-Type": "application/json", **case.headers}
        if case.auth:
            headers["Authorization"] = f"Bearer {tokens[case.who]}"
        body = case.raw if case.raw is not None else json.dumps(case.payload).encode()
        requests.append((case, headers, body))
    prober = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        PROBE,
        str(port),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    failures = []
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            await legit(c)
            for i, (case, headers, body) in enumerate(requests):
                t0 = time.perf_counter()
                r = await c.post("/graphql", content=body, headers=headers)
                timings.append((time.perf_counter() - t0, case.name))
                got = codes_of(r)
                # past the body limit nothing else is looked at
                expected = {"PAYLOAD_TOO_LARGE"} if len(body) > MAX_BYTES else case.codes
                if r.status_code >= 500 or not (set(got) & expected):
                    failures.append((case.name, r.status_code, r.text[:300]))
                if i % 50 == 0:
                    await legit(c)  # dashboards keep working in between
            await legit(c)
    finally:
        out, _ = await prober.communicate(b"stop\n")
    probed = json.loads(out)
    latencies = probed["latencies"]
    assert failures == [], "\n".join(map(str, failures))
    assert probed["bad"] == []  # every /livez answered 200
    slowest = sorted(timings)[-5:]
    # a probe every 50 ms: on an idle machine the whole corpus takes under a second
    assert len(latencies) >= 5 and max(latencies) < LIVEZ_BOUND_S, (
        sorted(latencies)[-5:],
        slowest,
    )
