"""The worker on a committed database: enqueue -> claim -> one complete file; a worker
that dies mid-export is replaced after the lease; SKIP LOCKED keeps two workers apart."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from gateway.context import RequestFinished
from gateway.jobs import service
from gateway.jobs.amp_export import produce_export
from gateway.jobs.kinds import AMP_EXPORT, IBLAI_REPORT
from gateway.jobs.params import export_params
from gateway.jobs.worker import Worker
from gateway.models.jobs import Job
from tests.jobs.conftest import EXPECTED_CSV, MARCH, read


def _params(**kw) -> dict:
    base = {"format": "csv", "period": MARCH, "include": None, "mission_ids": None,
            "email_to": None}  # fmt: skip
    return export_params(**{**base, **kw})


async def _enqueue(db, world, **kw) -> Job:
    async with db.session() as s:
        job = await service.enqueue(
            s, org_id=world.org.id, requested_by=world.users["member"].id, kind=AMP_EXPORT,
            params=_params(**kw),
        )  # fmt: skip
        await s.commit()
        return job


async def _job(db, job_id: int) -> Job:
    async with db.session() as s:
        return (await s.execute(select(Job).where(Job.id == job_id))).scalar_one()


async def test_enqueue_then_worker_writes_one_complete_csv(
    committed_db, committed_world, job_settings
):
    job = await _enqueue(committed_db, committed_world)
    assert job.key.startswith("exp_") and len(job.key) == 20 and job.status == "pending"
    worker = Worker(committed_db, job_settings, worker_id="w1", listen=False)
    assert await worker.run_once() is True
    done = await _job(committed_db, job.id)
    assert done.status == "completed" and done.attempts == 1 and done.error is None
    folder = job_settings.data_dir / "jobs" / str(committed_world.org.id)
    assert sorted(p.name for p in folder.iterdir()) == [f"{job.key}.csv"]
    assert done.file_path == str(folder / f"{job.key}.csv")
    content = (folder / f"{job.key}.csv").read_text()
    assert content == EXPECTED_CSV
    assert done.result["rows"] == 3 + 2 + 2
    assert done.result["sections"] == {"content": 3, "metrics": 2, "costs": 2}
    assert done.result["bytes"] == len(EXPECTED_CSV.encode())
    assert done.expires_at - done.finished_at == timedelta(hours=24)
    assert await worker.run_once() is False  # nothing left


async def test_json_export_one_object_per_section(committed_db, committed_world, job_settings):
    job = await _enqueue(
        committed_db, committed_world, format="json", include=["costs", "metrics"],
        mission_ids=["msn_b"],
    )  # fmt: skip
    await Worker(committed_db, job_settings, listen=False).run_once()
    done = await _job(committed_db, job.id)
    doc = json.loads(read(done.file_path))
    assert list(doc) == ["period", "metrics", "costs"]
    assert doc["metrics"] == [
        {"mission_id": "msn_b", "mission_name": "Beta", "status": "completed",
         "posts_published": 1, "impressions": 200, "engagements": 30, "clicks": 2,
         "engagement_rate": 15.0, "followers_gained": 0}
    ]  # fmt: skip
    assert doc["costs"] == [
        {"mission_id": "msn_b", "mission_name": "Beta", "cost_cents": 50, "requests": 1,
         "tokens": 0, "images": 0}
    ]  # fmt: skip


async def test_a_finished_job_sends_no_more_statements(committed_db, committed_world, job_settings):
    job = await _enqueue(committed_db, committed_world)
    seen = []

    async def export(ctx, params, out):
        seen.append(ctx)
        return await produce_export(ctx, params, out)

    worker = Worker(committed_db, job_settings, listen=False, handlers={AMP_EXPORT: export})
    assert await worker.run_once() is True
    assert (await _job(committed_db, job.id)).status == "completed"
    with pytest.raises(RequestFinished):  # e.g. from a field still running: no connection
        await seen[0].db.execute(text("SELECT 1"))


class SimulatedCrash(BaseException):
    """Stands in for the process dying: nothing in the worker catches it."""


async def test_worker_restarted_mid_export_still_one_complete_file(
    committed_db, committed_world, job_settings
):
    job = await _enqueue(committed_db, committed_world)

    async def dies_halfway(ctx, params, out):
        out.write("# content\ncontent_id,mission_id\ncnt_b1,")  # a partial file
        out.flush()
        raise SimulatedCrash

    first = Worker(committed_db, job_settings, worker_id="w1", listen=False,
                   handlers={AMP_EXPORT: dies_halfway})  # fmt: skip
    with pytest.raises(SimulatedCrash):
        await first.run_once()
    folder = job_settings.data_dir / "jobs" / str(committed_world.org.id)
    assert [p.name for p in folder.iterdir()] == [f"{job.key}.csv.tmp-w1"]
    crashed = await _job(committed_db, job.id)
    assert (crashed.status, crashed.claimed_by, crashed.attempts) == ("processing", "w1", 1)

    second = Worker(committed_db, job_settings, worker_id="w2", listen=False)
    assert await second.run_once() is False  # the lease (60 s) has not expired yet
    async with committed_db.session() as s:  # ... now it has
        await s.execute(
            update(Job).where(Job.id == job.id).values(claimed_at=Job.claimed_at - timedelta(
                seconds=61))
        )  # fmt: skip
        await s.commit()
    assert await second.run_once() is True
    done = await _job(committed_db, job.id)
    assert (done.status, done.claimed_by, done.attempts) == ("completed", "w2", 2)
    assert [p.name for p in folder.iterdir()] == [f"{job.key}.csv"]
    assert (folder / f"{job.key}.csv").read_text() == EXPECTED_CSV


async def test_a_worker_that_lost_its_claim_discards_its_result(
    committed_db, committed_world, job_settings
):
    job = await _enqueue(committed_db, committed_world)
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow(ctx, params, out):
        started.set()
        await release.wait()
        return await produce_export(ctx, params, out)

    slow_worker = Worker(committed_db, job_settings, worker_id="slow", listen=False,
                         handlers={AMP_EXPORT: slow})  # fmt: skip
    task = asyncio.create_task(slow_worker.run_once())
    await started.wait()
    async with committed_db.session() as s:  # the slow worker's lease runs out ...
        await s.execute(
            update(Job).where(Job.id == job.id).values(claimed_at=Job.claimed_at - timedelta(
                seconds=61))
        )  # fmt: skip
        await s.commit()
    fast = Worker(committed_db, job_settings, worker_id="fast", listen=False)
    assert await fast.run_once() is True  # ... and another worker finishes the job
    release.set()
    await task
    done = await _job(committed_db, job.id)
    assert (done.status, done.claimed_by, done.attempts) == ("completed", "fast", 2)
    folder = job_settings.data_dir / "jobs" / str(committed_world.org.id)
    assert [p.name for p in folder.iterdir()] == [f"{job.key}.csv"]


async def test_skip_locked_two_connections_never_claim_the_same_job(
    committed_db, committed_world, job_settings
):
    first = await _enqueue(committed_db, committed_world)
    second = await _enqueue(committed_db, committed_world)
    w1 = Worker(committed_db, job_settings, worker_id="w1", listen=False)
    w2 = Worker(committed_db, job_settings, worker_id="w2", listen=False)
    async with committed_db.session() as s1, committed_db.session() as s2:
        got1 = await w1.claim_in(s1)  # s1 keeps the row locked (not committed)
        got2 = await w2.claim_in(s2)
        async with committed_db.session() as s3:
            assert await Worker(committed_db, job_settings, listen=False).claim_in(s3) is None
        await s1.commit()
        await s2.commit()
    assert {got1.id, got2.id} == {first.id, second.id}
    assert got1.claimed_by == "w1" and got2.claimed_by == "w2"


async def test_two_workers_in_parallel_run_each_job_once(
    committed_db, committed_world, job_settings
):
    jobs = [await _enqueue(committed_db, committed_world, include=["metrics"]) for _ in range(4)]
    runs: list[str] = []

    def counting(worker_id):
        async def handler(ctx, params, out):
            runs.append(worker_id)
            await asyncio.sleep(0)
            return await produce_export(ctx, params, out)

        return {AMP_EXPORT: handler}

    async def drain(worker):
        while await worker.run_once():
            pass

    await asyncio.gather(*(
        drain(Worker(committed_db, job_settings, worker_id=w, listen=False, handlers=counting(w)))
        for w in ("w1", "w2")
    ))  # fmt: skip
    assert len(runs) == 4
    for job in jobs:
        done = await _job(committed_db, job.id)
        assert (done.status, done.attempts) == ("completed", 1)


async def test_a_bad_input_fails_at_once_with_a_readable_error(
    committed_db, committed_world, job_settings
):
    job = await _enqueue(committed_db, committed_world, mission_ids=["msn_gone"])
    await Worker(committed_db, job_settings, listen=False).run_once()
    done = await _job(committed_db, job.id)
    assert (done.status, done.attempts) == ("failed", 1)
    assert done.error == "No mission(s) ['msn_gone'] in your organization."
    assert list((job_settings.data_dir / "jobs").rglob("*")) == [
        job_settings.data_dir / "jobs" / str(committed_world.org.id)
    ]


async def test_unexpected_errors_are_retried_then_fail(committed_db, committed_world, job_settings):
    job = await _enqueue(committed_db, committed_world)

    async def broken(ctx, params, out):
        raise RuntimeError("boom: SELECT secret FROM somewhere")

    worker = Worker(committed_db, job_settings, listen=False, max_attempts=2,
                    handlers={AMP_EXPORT: broken})  # fmt: skip
    await worker.run_once()
    retry = await _job(committed_db, job.id)
    assert (retry.status, retry.attempts) == ("pending", 1)
    async with committed_db.session() as s:
        await s.execute(update(Job).where(Job.id == job.id).values(run_after=Job.created_at))
        await s.commit()
    await worker.run_once()
    failed = await _job(committed_db, job.id)
    assert (failed.status, failed.attempts) == ("failed", 2)
    assert failed.error == (
        "Internal error while producing the export (RuntimeError) on attempt 2 of 2; the "
        "server log has details."
    )
    assert "SELECT" not in failed.error


async def test_sweep_fails_jobs_whose_last_attempt_died(
    committed_db, committed_world, job_settings
):
    job = await _enqueue(committed_db, committed_world)
    async with committed_db.session() as s:
        await s.execute(
            update(Job).where(Job.id == job.id).values(
                status="processing", attempts=3, claimed_by="dead",
                claimed_at=Job.created_at - timedelta(minutes=5),
            )
        )  # fmt: skip
        await s.commit()
    worker = Worker(committed_db, job_settings, listen=False)
    assert await worker.run_once() is False
    assert await worker.sweep() == (1, 0)
    failed = await _job(committed_db, job.id)
    assert failed.status == "failed" and "interrupted 3 times" in failed.error


async def test_report_kind_unknown_handler_is_reported(committed_db, committed_world, job_settings):
    async with committed_db.session() as s:
        job = await service.enqueue(
            s, org_id=committed_world.org.id, requested_by=committed_world.users["admin"].id,
            kind=IBLAI_REPORT, params={"report_name": "ai-mentor-users", "mentor": None},
        )  # fmt: skip
        await s.commit()
    await Worker(committed_db, job_settings, listen=False, handlers={}).run_once()
    failed = await _job(committed_db, job.id)
    assert failed.status == "failed" and failed.error == "Unknown job kind 'iblai_report'."
