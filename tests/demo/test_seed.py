"""The demo dataset: deterministic for a seed and an anchor, every documented example
identifier present, demo principals authenticate with hashed tokens only, and a second
seed of the same database is refused. Uses the internal `tiny` scale (the CLI's `small`
is measured, not tested)."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from gateway import migrate
from gateway.auth import authenticate
from gateway.db import Database, drop_database, ensure_database, make_engine, with_database
from gateway.demo import PRINCIPALS, AlreadySeeded, demo_principals_present, demo_token, seed_demo
from gateway.demo.seed import fingerprint
from gateway.errors import CliError
from gateway.vocabulary import EVENT_KINDS, SUBJECT_TYPES

ANCHOR = datetime(2026, 3, 10, 15, tzinfo=UTC)


async def _seeded(server_url: str, seed: int):
    name = f"tally_demo_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await ensure_database(server_url, name)
    db = Database(make_engine(with_database(server_url, name), pool_size=2))
    await migrate.upgrade(db.engine)
    result = await seed_demo(db, scale="tiny", seed=seed, quiet=True, anchor=ANCHOR)
    return name, db, result


@pytest.fixture(scope="module")
async def seeded(server_url: str) -> AsyncIterator[tuple[Database, object]]:
    name, db, result = await _seeded(server_url, 42)
    yield db, result
    await db.dispose()
    await drop_database(server_url, name)


async def _fetch(db: Database, sql: str, *args):
    async with db.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        return await raw.fetch(sql, *args)


async def test_same_seed_and_anchor_give_identical_data(seeded, server_url):
    db, first = seeded
    name, other, second = await _seeded(server_url, 42)
    try:
        assert second.counts == first.counts
        assert second.checksum == first.checksum
        assert first.counts["events"] > 20_000
        # the checksum is computed from the stored rows, not from the generator
        async with db.engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            async with raw.transaction():
                await raw.execute("SET LOCAL TimeZone = 'UTC'")
                assert await fingerprint(raw) == (first.counts, first.checksum)
    finally:
        await other.dispose()
        await drop_database(server_url, name)


async def test_another_seed_gives_other_data(seeded, server_url):
    _, first = seeded
    name, other, result = await _seeded(server_url, 7)
    try:
        assert result.checksum != first.checksum
        assert result.principals_json()[0]["token"] != first.principals_json()[0]["token"]
    finally:
        await other.dispose()
        await drop_database(server_url, name)


async def test_every_documented_example_identifier_exists(seeded):
    db, _ = seeded
    [row] = await _fetch(
        db,
        """SELECT p.name, o.username AS owner, array_agg(c.username) AS cocreators
           FROM publications p JOIN orgs g ON g.id = p.org_id
           JOIN users o ON (o.org_id, o.id) = (p.org_id, p.owner_id)
           JOIN publication_cocreators pc ON (pc.org_id, pc.publication_id) = (p.org_id, p.id)
           JOIN users c ON (c.org_id, c.id) = (pc.org_id, pc.user_id)
           WHERE g.key = 'acme' AND p.custom_url = 'ai-research-studio'
           GROUP BY 1, 2""",
    )
    assert row["owner"] == "olive.owner" and "cole.creator" in row["cocreators"]
    types = await _fetch(
        db,
        """SELECT DISTINCT e.type FROM experiences e JOIN publications p
           ON (p.org_id, p.id) = (e.org_id, e.publication_id)
           WHERE p.org_id = 1 AND p.custom_url = 'ai-research-studio' ORDER BY 1""",
    )
    assert [r["type"] for r in types] == ["AI_EXPERT", "AI_NOTE", "PODCAST", "QUEST"]

    missions = {
        r["key"]: (r["name"], r["status"])
        for r in await _fetch(db, "SELECT key, name, status FROM missions WHERE org_id = 1")
    }
    assert missions["msn_2xK9mPqR4vN8sT3w"] == ("Q1 Developer Outreach", "active")
    assert missions["msn_yyy"] == ("Product Launch", "active")
    assert "msn_xxx" in missions

    content = {
        r["key"]: r
        for r in await _fetch(
            db,
            """SELECT c.key, c.platform, c.preview, c.status, c.scheduled_for, m.key AS mission
               FROM content c JOIN missions m ON (m.org_id, m.id) = (c.org_id, c.mission_id)
               WHERE c.org_id = 1 AND c.key IN ('cnt_xxx', 'cnt_yyy')""",
        )
    }
    assert content["cnt_xxx"]["platform"] == "twitter"
    assert content["cnt_xxx"]["preview"] == "APIs shouldn't feel like puzzles..."
    assert content["cnt_xxx"]["status"] == "published"
    assert content["cnt_yyy"]["platform"] == "linkedin"
    assert content["cnt_yyy"]["status"] == "scheduled"
    assert content["cnt_yyy"]["scheduled_for"] > ANCHOR

    [ws] = await _fetch(
        db,
        """SELECT u.username AS owner FROM workspaces w
           JOIN users u ON (u.org_id, u.id) = (w.org_id, w.owner_id)
           WHERE w.org_id = 1 AND w.uuid = '8360bf61-4604-4f22-99dc-2afa910fd8c7'""",
    )
    assert ws["owner"] == "wanda.owner"
    [member] = await _fetch(
        db,
        """SELECT u.id, u.username FROM workspace_members m
           JOIN workspaces w ON (w.org_id, w.id) = (m.org_id, m.workspace_id)
           JOIN users u ON (u.org_id, u.id) = (m.org_id, m.user_id)
           WHERE w.uuid = '8360bf61-4604-4f22-99dc-2afa910fd8c7' AND u.id = 123""",
    )
    assert member["username"] == "will.member"
    [n] = await _fetch(
        db,
        """SELECT count(*) FROM events WHERE org_id = 1 AND actor_id = 123
           AND type = 'execution' AND subject_type IN ('agent', 'workflow')""",
    )
    assert n[0] > 0  # the docs' drilldown `"user_id": 123` has data

    [mentor] = await _fetch(
        db, "SELECT kind FROM agents WHERE org_id = 1 AND key = $1", "mentor-ai-tutor"
    )
    assert mentor["kind"] == "mentor"
    orgs = [r["key"] for r in await _fetch(db, "SELECT key FROM orgs ORDER BY id")]
    assert orgs == ["acme", "globex"]
    assert await _fetch(db, "SELECT 1 FROM jobs WHERE org_id = 1 AND key = 'exp_xxx'")
    assert await _fetch(
        db, "SELECT 1 FROM courses WHERE org_id = 1 AND key = 'course-v1:acme+CS101+2026'"
    )
    # globex reuses the publication url: lookups must be scoped by org
    assert await _fetch(
        db, "SELECT 1 FROM publications WHERE org_id = 2 AND custom_url = 'ai-research-studio'"
    )


async def test_principals_authenticate_and_only_hashes_are_stored(seeded):
    db, result = seeded
    entries = result.principals_json()
    assert [e["name"] for e in entries] == [p.name for p in PRINCIPALS]
    stored = await _fetch(db, "SELECT * FROM api_tokens")
    assert len(stored) == len(PRINCIPALS)
    dump = "\n".join(str(dict(r)) for r in stored)
    async with db.session() as session:
        for p, entry in zip(PRINCIPALS, entries, strict=True):
            token = entry["token"]
            assert token == demo_token(42, p.name) and token.startswith("tly_demo_")
            assert entry["scheme"] == "Bearer" and entry["org"] == p.org
            assert token not in dump and token[12:] not in dump
            assert any(
                bytes(r["token_hash"]) == hashlib.sha256(token.encode()).digest() for r in stored
            )
            principal = await authenticate(session, token)
            assert (principal.org_key, principal.username) == (p.org, p.username)
            expected = {"admin", "member"} if p.admin else {"member"}
            assert set(principal.roles) == expected
    assert await demo_principals_present(db, seed=42) == entries
    assert await demo_principals_present(db, seed=43) == []


async def test_events_follow_the_vocabulary_and_point_at_real_entities(seeded):
    db, _ = seeded
    kinds = await _fetch(
        db,
        """SELECT subject_type, type, array_agg(DISTINCT k) FILTER (WHERE k IS NOT NULL) AS keys,
                  bool_or(actor_id IS NULL) AS null_actor,
                  max(ts) AS last
           FROM events LEFT JOIN LATERAL jsonb_object_keys(dims) k ON true
           GROUP BY 1, 2""",
    )
    seen = {(r["subject_type"], r["type"]) for r in kinds}
    assert seen == set(EVENT_KINDS)  # every kind, and nothing else
    for r in kinds:
        kind = EVENT_KINDS[(r["subject_type"], r["type"])]
        assert set(r["keys"] or ()) <= set(kind.dims), (kind, r["keys"])
        if kind.actor == "required":
            assert not r["null_actor"], kind
        assert r["last"] < ANCHOR
    for subject_type, ref in SUBJECT_TYPES.items():
        table = ref.split(".")[0]
        [orphans] = await _fetch(
            db,
            f"""SELECT count(*) FROM events e WHERE e.subject_type = $1 AND NOT EXISTS (
                SELECT 1 FROM {table} t WHERE t.id = e.subject_id
                AND {"t.id = e.org_id" if table == "orgs" else "t.org_id = e.org_id"})""",
            subject_type,
        )
        assert orphans[0] == 0, subject_type
    [recent] = await _fetch(
        db,
        """SELECT count(*) FROM events WHERE org_id = 1 AND type = 'view'
           AND ts >= $1::timestamptz - interval '30 days'""",
        ANCHOR,
    )
    assert recent[0] > 0


async def test_seeding_a_non_empty_database_is_refused(seeded):
    db, result = seeded
    with pytest.raises(AlreadySeeded, match="not empty"):
        await seed_demo(db, scale="tiny", quiet=True, anchor=ANCHOR)
    [n] = await _fetch(db, "SELECT count(*) FROM events")
    assert n[0] == result.counts["events"]


async def test_unknown_scale_is_bad_input(seeded):
    db, _ = seeded
    with pytest.raises(CliError) as err:
        await seed_demo(db, scale="huge", quiet=True)
    assert err.value.exit_code == 2
