"""`tally` exits non-zero with one clear line (never a traceback) on bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from alembic.script import ScriptDirectory

from gateway import migrate
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
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert f"database at revision {head}" in up.stdout

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
    assert_one_line_error(result, 1, "cannot connect to PostgreSQL")
    assert "check DATABASE_URL" in result.stderr


def test_a_missing_database_says_what_to_fix(server_url):
    from gateway.db import with_database

    missing = with_database(server_url, "tally_no_such_database")
    result = tally("db", "upgrade", database_url=missing)
    assert_one_line_error(result, 1, 'database "tally_no_such_database" does not exist')
    assert "check DATABASE_URL" in result.stderr


def test_a_database_url_that_is_not_postgresql_is_refused():
    result = tally("db", "upgrade", database_url="mysql://root@localhost/tally")
    assert_one_line_error(result, 2, "DATABASE_URL: expected a PostgreSQL URL")


def test_version():
    from importlib.metadata import version

    result = tally("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"tally {version('tally')}"


def test_every_flag_has_help_text():
    import argparse

    from gateway.cli import build_parser

    missing = []

    def walk(parser: argparse.ArgumentParser) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    if not any(c.dest == name for c in action._choices_actions):
                        missing.append(f"{parser.prog} {name}")
                    walk(sub)
            elif not action.help:
                missing.append(f"{parser.prog} {'/'.join(action.option_strings) or action.dest}")

    walk(build_parser())
    assert missing == []
