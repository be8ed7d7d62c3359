"""`tally` exits non-zero with one clear line (never a traceback) on bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gateway.db import make_engine


def tally(*args: str, database_url: str | None = None, cwd: str | None = None):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def assert_one_line_error(result, code: int, needle: str) -> None:
    assert result.returncode == code, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert needle in lines[0]


@pytest.mark.parametrize(
    "args, needle",
    [
        ((), "the following arguments are required: command"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
        (("seed",), "nothing to seed: pass --demo"),
        (("seed", "--demo", "--scale", "huge"), "invalid choice: 'huge'"),
        (("ingest", "/no/such/file.ndjson"), "no such file: /no/such/file.ndjson"),
        (("token", "revoke", "abc"), "invalid int value: 'abc'"),
    ],
)
def test_bad_usage_exits_2(args, needle):
    assert_one_line_error(tally(*args), 2, needle)


def test_export_schema_check_detects_a_stale_file(tmp_path):
    out = tmp_path / "schema.graphql"
    out.write_text("type Query { stale: Int }\n")
    assert_one_line_error(tally("export-schema", "--output", str(out), "--check"), 1, "stale")
    assert tally("export-schema", "--output", str(out)).returncode == 0
    assert tally("export-schema", "--output", str(out), "--check").returncode == 0


async def test_db_and_token_commands_against_a_real_database(scratch_database):
    up = tally("db", "upgrade", database_url=scratch_database)
    assert up.returncode == 0, up.stderr
    assert "database at revision 0003" in up.stdout

    bad = tally("token", "create", "--org", "nope", "--user", "x", database_url=scratch_database)
    assert_one_line_error(bad, 2, "no user 'x' in org 'nope'")
    assert_one_line_error(
        tally("token", "revoke", "999", database_url=scratch_database), 2, "no active token"
    )
    assert_one_line_error(
        tally("token", "list", "--org", "nope", database_url=scratch_database), 2, "no org 'nope'"
    )

    down = tally("db", "downgrade", database_url=scratch_database)
    assert down.returncode == 0, down.stderr
    assert "base (empty)" in down.stdout
    engine = make_engine(scratch_database, pool_size=1)
    await engine.dispose()


def test_unreachable_database_is_one_line():
    result = tally("db", "upgrade", database_url="postgresql://nobody@127.0.0.1:1/none")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
