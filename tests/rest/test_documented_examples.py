"""Every documented example request of the five legacy documents
(`tests/rest/documented_examples.py`) answers with its documented status on the demo
dataset (the `tiny` scale, anchored at the current hour like `tally seed`), counts are
JSON integers in every dialect, and the documented example objects answer with non-zero
data. Timing is measured by running that module as a script (see its docstring), not here.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gateway import migrate
from gateway.config import Settings
from gateway.db import Database, drop_database, ensure_database, make_engine, with_database
from gateway.demo import DEFAULT_SEED, PRINCIPALS, demo_token, seed_demo
from gateway.jobs.worker import Worker
from tests.rest.documented_examples import EXAMPLES, WORKSPACE, Outcome, walk

# Keys that always hold a count (an integer) wherever they appear, in every dialect.
COUNT_KEYS = {
    "posts", "posts_published", "posts_scheduled", "posts_generated", "content_published",
    "missions_active", "impressions", "engagements", "clicks", "link_clicks",
    "total_impressions", "total_engagements", "total_link_clicks", "followers_gained",
    "current_impressions", "current_engagements", "requests", "tokens_used",
    "images_generated", "messages", "sessions", "errors", "count", "llm_calls", "tokens",
    "conversations", "users", "enrollments", "completed", "in_progress", "activities",
    "executions", "shares", "copies", "unique_users", "succeeded", "failed", "running",
    "total_views", "total_likes", "total_bookmarks", "total_shares", "total_comments",
    "total_appointments", "monthly_active_users", "followers_count", "following_count",
    "total_plays", "likes_count", "active_users", "saves_count", "AI_EXPERT", "AI_NOTE",
    "QUEST", "PODCAST", "message_count", "learners", "new_enrollments", "completions",
    "completions_in_period", "active_learners", "course_count", "time_spent_seconds",
    "pending", "superfans", "casual", "new", "monthlyListeners", "monthlyStreams",
    "thisWeek", "thisMonth", "today", "successful", "inactive", "rows",
}  # fmt: skip
# ... except under these parents (averages per point are not counts)
NOT_COUNTS_UNDER = {"averages", "changes"}


def non_integer_counts(body: Any, path: str = "") -> list[str]:
    """Paths of count keys whose value is a float (or any other non-integer)."""
    out: list[str] = []
    if isinstance(body, dict):
        for k, v in body.items():
            here = f"{path}.{k}"
            if k in NOT_COUNTS_UNDER:
                continue
            if k in COUNT_KEYS and not isinstance(v, dict | list):
                if v is not None and not isinstance(v, bool | int):  # (a flag is no count)
                    out.append(f"{here}={v!r}")
            else:
                out += non_integer_counts(v, here)
    elif isinstance(body, list):
        for i, v in enumerate(body[:50]):
            out += non_integer_counts(v, f"{path}[{i}]")
    return out


@pytest.fixture(scope="module")
async def demo(server_url: str, tmp_path_factory) -> AsyncIterator[tuple[Database, Settings]]:
    name = f"tally_examples_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await ensure_database(server_url, name)
    db = Database(make_engine(with_database(server_url, name), pool_size=3))
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("data"), database_url="postgresql://unused/unused"
    )
    try:
        await migrate.upgrade(db.engine)
        await seed_demo(db, scale="tiny", seed=DEFAULT_SEED, quiet=True)
        worker = Worker(db, settings, listen=False)
        while await worker.run_once():  # the demo's pending export exp_xxx
            pass
        yield db, settings
    finally:
        await db.dispose()
        await drop_database(server_url, name)


@pytest.fixture(scope="module")
async def outcomes(demo) -> list[Outcome]:
    from gateway.app import create_app

    db, settings = demo
    app = create_app(settings, database=db)
    tokens = {p.name: demo_token(DEFAULT_SEED, p.name) for p in PRINCIPALS}
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://tally.test") as c:
        return await walk(c, tokens)


def by_body(outcomes: list[Outcome], **body: Any) -> Outcome:
    """The example whose JSON body is exactly the workspace uuid plus `body`."""
    want = {"workspace_uuid": WORKSPACE, **body}
    found = [o for o in outcomes if o.example.json == want]
    assert found, body
    return found[0]


def by_label(outcomes: list[Outcome], fragment: str) -> Outcome:
    found = [o for o in outcomes if fragment in o.example.label()]
    assert found, fragment
    return found[0]


async def test_every_documented_example_answers_its_documented_status(outcomes):
    assert len(outcomes) == len(EXAMPLES)
    wrong = [
        f"{o.status} != {o.example.status}: {o.example.label()} -> {str(o.body)[:200]}"
        for o in outcomes
        if not o.ok
    ]
    assert not wrong, "\n".join(wrong)


async def test_counts_are_integers_in_every_dialect(outcomes):
    problems = [
        f"{o.example.label()}: {p}"
        for o in outcomes
        if o.status < 300
        for p in non_integer_counts(o.body)
    ]
    assert not problems, "\n".join(problems[:40])


def test_the_count_check_catches_floats():
    assert non_integer_counts({"summary": {"posts": 3.0}, "averages": {"messages": 0.5}}) == [
        ".summary.posts=3.0"
    ]
    assert non_integer_counts({"results": [{"sessions": 122}], "count": 1}) == []


async def test_documented_example_objects_have_data(outcomes):
    # the example export downloads (it does not expire)
    download = by_label(outcomes, "/v1/analytics/export/exp_xxx/download")
    assert download.status == 200 and download.body
    # Athena Quick Start: agents created in the last 30 days; shares by user
    created = by_body(outcomes, entity="agents", metric="created", aggregation="count")
    assert type(created.body["data"]["total"]) is int and created.body["data"]["total"] > 0
    shares = by_body(
        outcomes, entity="agents", metric="shares", aggregation="count", group_by="user",
        filters={"period": "30d"}, limit=10,
    )  # fmt: skip
    assert shares.body["data"]["total"] > 0 and shares.body["data"]["results"]
    assert sum(r["value"] for r in shares.body["data"]["results"]) == shares.body["data"]["total"]
    # agent platform "current" values are numbers 0-100
    perf = by_label(outcomes, "/api/metrics/performance/7")
    assert all(0 <= perf.body[k] <= 100 for k in ("cpu", "memory")), perf.body
    hist = by_label(outcomes, "/api/metrics/historical/7?range=24h")
    assert all(p["cpu"] is not None for p in hist.body["metrics"]), hist.body["metrics"][-3:]


def test_the_examples_name_the_documented_identifiers():
    paths = " ".join(e.label() for e in EXAMPLES)
    for ident in ("msn_2xK9mPqR4vN8sT3w", "exp_xxx", WORKSPACE, "ai-research-studio"):
        assert ident in paths
