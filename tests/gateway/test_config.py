"""Settings: environment names, validation errors as one line, the log level applied."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from gateway import logs
from gateway.config import Settings, SettingsError
from tests.gateway.test_cli import assert_one_line_error, tally


def test_from_env_reads_the_documented_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example:5432/tally")
    monkeypatch.setenv("TALLY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TALLY_HOST", "0.0.0.0")
    monkeypatch.setenv("TALLY_PORT", "8123")
    monkeypatch.setenv("TALLY_SECRET", "s3cret")
    monkeypatch.setenv("TALLY_INGEST_MAX_EVENTS", "7")
    monkeypatch.setenv("TALLY_LOG_LEVEL", "debug")
    monkeypatch.setenv("REDIS_URL", "")
    s = Settings.from_env()
    assert s.database_url == "postgresql://u@db.example:5432/tally"
    assert s.data_dir == Path(tmp_path)
    assert (s.host, s.port, s.secret) == ("0.0.0.0", 8123, "s3cret")
    assert s.public_base_url == "http://0.0.0.0:8123"  # derived when TALLY_PUBLIC_URL unset
    assert s.ingest_max_events == 7
    assert s.log_level == "DEBUG"
    assert s.redis_url is None  # empty means unset


def test_keyword_construction_ignores_the_environment(monkeypatch):
    monkeypatch.setenv("TALLY_SECRET", "from-env")
    monkeypatch.setenv("TALLY_PORT", "not-a-number")
    s = Settings(public_base_url="https://tally.test")
    assert (s.secret, s.port, s.public_base_url) == (
        None,
        8000,
        "https://tally.test",
    )
    assert Settings.from_env(port=9001, secret="x").port == 9001


@pytest.mark.parametrize(
    "variable, value, expected",
    [
        ("TALLY_PORT", "eighty", "TALLY_PORT: expected a valid integer (got 'eighty')"),
        ("TALLY_PORT", "70000", "TALLY_PORT: expected less than or equal to 65535"),
        ("TALLY_INGEST_MAX_BYTES", "0", "TALLY_INGEST_MAX_BYTES: expected greater than 0"),
        ("TALLY_LOG_LEVEL", "loud", "TALLY_LOG_LEVEL: expected one of DEBUG, INFO, WARNING"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL: expected a PostgreSQL URL"),
        ("TALLY_INPROCESS_WORKER", "maybe", "TALLY_INPROCESS_WORKER: expected a valid boolean"),
    ],
)
def test_a_bad_value_names_the_variable(monkeypatch, variable, value, expected):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as info:
        Settings.from_env()
    assert str(info.value).startswith(expected)
    assert "\n" not in str(info.value)


def test_the_cli_reports_a_bad_setting_in_one_line(monkeypatch):
    monkeypatch.setenv("TALLY_STATEMENT_TIMEOUT_MS", "soon")
    assert_one_line_error(tally("operations", "list"), 2, "TALLY_STATEMENT_TIMEOUT_MS: expected")


def test_the_log_level_is_applied(monkeypatch):
    root = logging.getLogger()
    before = root.level
    try:
        monkeypatch.setenv("TALLY_LOG_LEVEL", "ERROR")
        Settings.from_env().apply_logging(default_level="WARNING")
        assert root.level == logging.ERROR
        monkeypatch.delenv("TALLY_LOG_LEVEL")
        Settings.from_env().apply_logging(default_level="WARNING")  # the command's default
        assert root.level == logging.WARNING
    finally:
        logs.unconfigure()
        root.setLevel(before)
