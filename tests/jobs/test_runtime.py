"""The worker as it runs for real: in the app lifespan (background task, LISTEN/NOTIFY)
and as `tally worker`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from gateway.config import PROJECT_ROOT
from gateway.jobs import service
from gateway.jobs.kinds import AMP_EXPORT
from gateway.models.jobs import Job
from tests.jobs.conftest import MARCH


def _worker_tasks() -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "tally-job-worker"]


async def test_lifespan_skips_the_worker_for_an_injected_database(app):
    async with app.router.lifespan_context(app):
        assert _worker_tasks() == []


async def test_lifespan_worker_runs_queued_jobs(committed_db, committed_world, job_settings,
                                                monkeypatch):  # fmt: skip
    import gateway.app as app_module

    monkeypatch.setattr(app_module, "_routers", lambda: [])
    app = app_module.create_app(job_settings, database=committed_db)
    app.state.run_worker = True
    params = {"format": "csv", "period": MARCH, "include": ["metrics"], "mission_ids": [],
              "email_to": None}  # fmt: skip
    async with app.router.lifespan_context(app):
        assert len(_worker_tasks()) == 1
        async with committed_db.session() as s:
            job = await service.enqueue(
                s, org_id=committed_world.org.id,
                requested_by=committed_world.users["member"].id, kind=AMP_EXPORT, params=params,
            )  # fmt: skip
            await s.commit()
        status = None
        for _ in range(200):  # wait for the background worker (bounded, not timed)
            async with committed_db.session() as s:
                status = await s.scalar(select(Job.status).where(Job.id == job.id))
            if status == "completed":
                break
            await asyncio.sleep(0.05)
        assert status == "completed"
    assert _worker_tasks() == []


@pytest.mark.skipif(
    not os.environ.get("TALLY_SLOW_TESTS"), reason="spawns the CLI (~5 s); TALLY_SLOW_TESTS=1"
)
def test_tally_worker_once(committed_url):
    env = {**os.environ, "DATABASE_URL": committed_url.replace("+asyncpg", "")}
    out = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "worker", "--once"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "no job to run"
