"""`ingest_file` / `tally ingest FILE`: per-line semantics, chunking, exit code."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from subprocess import PIPE

import orjson
from sqlalchemy import text

from gateway.db import connect_raw, make_engine
from gateway.ingest import bulk
from gateway.ingest.bulk import ingest_file


def _event(i: int, **kw) -> dict:
    return {
        "event_id": f"f{i}",
        "type": "view",
        "subject": {"type": "publication", "key": "ai-research-studio"},
        "ts": "2026-03-01T10:15:00Z",
        **kw,
    }


def _write(path: Path, lines: list) -> Path:
    path.write_bytes(
        b"\n".join(x if isinstance(x, bytes) else orjson.dumps(x) for x in lines) + b"\n"
    )
    return path


async def _seed_studio(conn) -> None:
    """Org `acme`, its user `ada` and her publication `ai-research-studio`, committed."""
    org_id = await conn.fetchval(
        "INSERT INTO orgs (key, name) VALUES ('acme', 'Acme') RETURNING id"
    )
    user_id = await conn.fetchval(
        "INSERT INTO users (org_id, username, display_name) VALUES ($1, 'ada', 'Ada') RETURNING id",
        org_id,
    )
    await conn.execute(
        "INSERT INTO publications (org_id, custom_url, name, owner_id) "
        "VALUES ($1, 'ai-research-studio', 'Studio', $2)",
        org_id,
        user_id,
    )


def _file(tmp_path: Path, org_key: str) -> Path:
    return _write(
        tmp_path / "events.ndjson",
        [
            _event(1),  # line 1
            b"",  # line 2: blank, skipped
            b'{"event_id": "f3",',  # line 3: malformed
            _event(4, org="no-such-org"),  # line 4
            _event(5, type="like", actor="ada", org=org_key),  # line 5
            _event(6, type="explode"),  # line 6
            _event(7, ts="2026-03-01T11:00:00+01:00", value=2),  # line 7
        ],
    )


async def test_bad_lines_are_reported_and_valid_lines_loaded(
    tmp_path, db, session, world, monkeypatch
):
    monkeypatch.setattr(bulk, "CHUNK_LINES", 2)  # several chunks, same result
    path = _file(tmp_path, world.org.key)
    report = await ingest_file(db, path, org_key=world.org.key)
    assert not report.ok
    assert (report.lines, report.new, report.duplicates, report.error_count) == (6, 3, 0, 3)
    assert [e.index for e in report.errors] == [3, 4, 6]
    summary = report.summary()
    assert "line 3: malformed JSON" in summary
    assert "line 4: unknown org 'no-such-org'" in summary
    assert "line 6: unknown type 'explode'" in summary
    rows = (
        await session.execute(
            text("SELECT event_id, value FROM events WHERE org_id = :o ORDER BY 1"),
            {"o": world.org.id},
        )
    ).all()
    assert rows == [("f1", 1.0), ("f5", 1.0), ("f7", 2.0)]

    again = await ingest_file(db, path, org_key=world.org.key)
    assert (again.new, again.duplicates, again.error_count) == (0, 3, 3)


async def test_several_merges_keep_rollups_exact(tmp_path, db, session, world, monkeypatch):
    # chunks of 3 lines, a merge every 5 staged events: 4 merges for 17 lines, with a
    # duplicate id across merges (line 16 repeats line 2) and within one (lines 6, 7)
    monkeypatch.setattr(bulk, "CHUNK_LINES", 3)
    monkeypatch.setattr(bulk, "MERGE_EVENTS", 5)
    lines = [_event(i, ts=f"2026-03-0{1 + i % 3}T1{i % 4}:00:00Z", value=i) for i in range(15)]
    lines[7] = lines[6]
    lines.append(lines[2])
    lines.append(_event(99, value=4))
    report = await ingest_file(db, _write(tmp_path / "m.ndjson", lines), world.org.key)
    assert (report.lines, report.new, report.duplicates, report.ok) == (17, 15, 2, True)
    totals = (
        await session.execute(
            text("SELECT sum(n), sum(total) FROM rollup_daily_org WHERE org_id = :o"),
            {"o": world.org.id},
        )
    ).one()
    # values 0..14 without the repeated 7, plus 4
    assert tuple(totals) == (15, sum(range(15)) - 7 + 4)
    hourly = (
        await session.execute(
            text("SELECT sum(n), sum(total) FROM rollup_hourly WHERE org_id = :o"),
            {"o": world.org.id},
        )
    ).one()
    assert tuple(hourly) == tuple(totals)


async def test_lines_without_org_need_one(tmp_path, db, world):
    path = _write(tmp_path / "e.ndjson", [_event(1), _event(2, org=world.org.key)])
    report = await ingest_file(db, path, org_key=None)
    assert report.new == 1
    assert [e.index for e in report.errors] == [1]
    assert "--org" in report.errors[0].reason


async def test_more_than_twenty_errors_are_counted(tmp_path, db, world):
    path = _write(tmp_path / "e.ndjson", [_event(i, type="nope") for i in range(25)])
    report = await ingest_file(db, path, org_key=world.org.key)
    assert len(report.errors) == 20 and report.error_count == 25
    assert "... and 5 more invalid lines" in report.summary()


async def _tally(*args: str, env: dict) -> subprocess.CompletedProcess:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway.cli", *args, env=env, stdout=PIPE, stderr=PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return subprocess.CompletedProcess(args, proc.returncode, out.decode(), err.decode())


async def test_cli_exit_code(tmp_path, scratch_database):
    from gateway import migrate

    engine = make_engine(scratch_database, pool_size=1)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    conn = await connect_raw(scratch_database)
    try:
        await _seed_studio(conn)
        path = _file(tmp_path, "acme")
        env = {**os.environ, "DATABASE_URL": scratch_database}
        run = await _tally("ingest", str(path), "--org", "acme", env=env)
        assert run.returncode == 2, run
        assert "3 new" in run.stdout and "line 6:" in run.stdout
        assert "ingest events.ndjson" in run.stderr  # the progress bar
        assert await conn.fetchval("SELECT count(*) FROM events") == 3
        assert await conn.fetchval("SELECT sum(n) FROM rollup_hourly") == 3

        good = _write(tmp_path / "good.ndjson", [_event(1), _event(8)])
        run = await _tally("ingest", str(good), "--org", "acme", env=env)
        assert run.returncode == 0, run
        assert "1 new, 1 duplicates, 0 invalid" in run.stdout
    finally:
        await conn.close()


async def test_overlapping_merges_on_their_own_connections(tmp_path, scratch_database, monkeypatch):
    """The path `tally ingest` takes (no pinned session): chunks staged on alternating
    writer connections, merges in flight while the next chunks are validated. 40 lines
    in chunks of 3 and merges of at least 7 events: 5 merges over the 2 writers, with an
    id repeated within a chunk, across chunks of one merge and across merges."""
    from gateway import migrate
    from gateway.db import Database
    from gateway.ingest.rollups import LEVELS

    monkeypatch.setattr(bulk, "CHUNK_LINES", 3)
    monkeypatch.setattr(bulk, "MERGE_EVENTS", 7)
    engine = make_engine(scratch_database, pool_size=4)
    db = Database(engine)
    conn = await connect_raw(scratch_database)
    try:
        await migrate.upgrade(engine)
        await _seed_studio(conn)
        lines = [
            _event(i, ts=f"2026-03-0{1 + i % 3}T1{i % 4}:00:00Z", value=i, actor="ada")
            for i in range(37)
        ]
        lines[1] = lines[0]  # within a chunk
        lines[4] = lines[2]  # across chunks of the first merge
        lines.append(lines[5])  # across merges
        lines += [_event(100, value=4), _event(101, value=5)]
        report = await bulk.ingest_file(db, _write(tmp_path / "o.ndjson", lines), "acme")
        assert (report.lines, report.new, report.duplicates, report.ok) == (40, 37, 3, True)
        # values 0..36 without 1 and 4 (repeats), plus 4 and 5
        expected = (37, sum(range(37)) - 1 - 4 + 4 + 5)
        assert tuple(await conn.fetchrow("SELECT count(*), sum(value) FROM events")) == expected
        for level in LEVELS:
            got = await conn.fetchrow(f"SELECT sum(n)::int, sum(total) FROM {level.table}")
            # the actor level holds only events with an actor (not lines 100 and 101)
            want = (35, expected[1] - 9) if "actor" in level.table else expected
            assert tuple(got) == want, level.table
    finally:
        await conn.close()
        await engine.dispose()
