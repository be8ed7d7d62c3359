"""The job worker: claims jobs with `SELECT … FOR UPDATE SKIP LOCKED`, runs their handler
as the requesting user and publishes exactly one complete result file.

Claiming (one short transaction): the oldest runnable job that is `pending` (and
`run_after <= now()`), or `processing` with a claim older than the lease (its worker died)
and `attempts < max_attempts`; it becomes `processing`, `claimed_by = <worker id>`,
`claimed_at = now()`, `attempts + 1`. SKIP LOCKED lets any number of workers (the
in-process one of each app replica and `tally worker` processes) poll the same table
without ever claiming the same job twice. A running job's claim is refreshed every
lease/3 (heartbeat), so only a dead worker's job is reclaimed.

Publishing: the handler writes `<key>.<ext>.tmp-<worker id>` (older tmp files of the job
are removed first), then — holding the job row locked and only if the claim is still this
worker's — the tmp file is `os.replace`d onto `<key>.<ext>` and the job is marked
`completed` (`file_path`, `expires_at` = now + 24 h, `result.rows/bytes/sections`). A
worker that lost its claim discards its tmp file.

Failures: a `TallyError` (bad input, e.g. a mission deleted since) fails the job at once
with its message; anything else is retried (run_after + 5 s × attempts) and fails after
`max_attempts` with a readable message (details only in the log). Jobs whose worker died
on the last attempt are failed by the sweep. Finished files are deleted once expired.

Run it with `tally worker`, or in-process: the app lifespan starts one as a background
task (`start_background`) unless `TALLY_INPROCESS_WORKER=0`, or when tests inject the
database (then only when `app.state.run_worker = True`). New jobs are picked up within
`poll_interval` (1 s) or at once through LISTEN/NOTIFY on channel `tally_jobs`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import load_principal
from gateway.config import Settings
from gateway.context import Context
from gateway.db import Database, connect_raw
from gateway.errors import TallyError
from gateway.jobs.email import send_export_email
from gateway.jobs.files import publish, remove_result, result_path, write_tmp
from gateway.jobs.kinds import AMP_EXPORT, Handler, default_handlers, extension
from gateway.jobs.service import NOTIFY_CHANNEL, completed_values
from gateway.models.jobs import Job

log = logging.getLogger("tally.jobs")

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 3
SWEEP_EVERY = 60  # polls between sweeps of stale claims and expired files


def new_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class Worker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        worker_id: str | None = None,
        lease: timedelta = LEASE,
        max_attempts: int = MAX_ATTEMPTS,
        poll_interval: float = 1.0,
        handlers: dict[str, Handler] | None = None,
        listen: bool = True,
    ) -> None:
        self.db = db
        self.settings = settings
        self.worker_id = worker_id or new_worker_id()
        self.lease = lease
        self.max_attempts = max_attempts
        self.poll_interval = poll_interval
        self.handlers = handlers if handlers is not None else default_handlers()
        self.listen = listen
        self._wake = asyncio.Event()

    # --- claiming --------------------------------------------------------------------

    async def claim_in(self, session: AsyncSession) -> Job | None:
        """Claim one job inside the caller's transaction (the row stays locked until it
        ends). `claim()` is this plus the commit."""
        stale = func.now() - self.lease
        runnable = ((Job.status == "pending") & (Job.run_after <= func.now())) | (
            (Job.status == "processing")
            & (Job.claimed_at < stale)
            & (Job.attempts < self.max_attempts)
        )
        found = (
            await session.execute(
                select(Job.org_id, Job.id)
                .where(runnable)
                .order_by(Job.run_after, Job.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
        ).one_or_none()
        if found is None:
            return None
        return (
            await session.execute(
                update(Job)
                .where(Job.org_id == found.org_id, Job.id == found.id)
                .values(
                    status="processing",
                    claimed_by=self.worker_id,
                    claimed_at=func.now(),
                    attempts=Job.attempts + 1,
                )
                .returning(Job)
                .execution_options(populate_existing=True)
            )
        ).scalar_one()

    async def claim(self) -> Job | None:
        async with self.db.session() as session:
            job = await self.claim_in(session)
            await session.commit()
            return job

    # --- running ---------------------------------------------------------------------

    async def run_once(self) -> bool:
        """Claim and run one job; False when there was nothing to do."""
        job = await self.claim()
        if job is None:
            return False
        await self.run_job(job)
        return True

    async def run_job(self, job: Job) -> None:
        final = result_path(self.settings, job.org_id, job.key, extension(job.kind, job.params))
        heartbeat = asyncio.create_task(self._heartbeat(job))
        try:
            tmp, summary = await self._produce(job, final)
        except Exception as exc:
            heartbeat.cancel()
            await self._fail_or_retry(job, exc)
            return
        finally:
            heartbeat.cancel()
        done = await self._complete(job, tmp, final, summary)
        if done is not None and job.kind == AMP_EXPORT and job.params.get("email_to"):
            await self._email(done)

    async def _produce(self, job: Job, final: Path) -> tuple[Path, dict]:
        handler = self.handlers.get(job.kind)
        if handler is None:
            raise TallyError(f"Unknown job kind {job.kind!r}.")
        async with self.db.session() as session:
            principal = await load_principal(session, job.org_id, job.requested_by)
            if principal is None:
                raise TallyError("The user who requested this job no longer exists.")
            ctx = Context(
                session=session,
                principal=principal,
                settings=self.settings,
                request_id=f"job-{job.id}",
            )
            try:
                result = await write_tmp(
                    final, self.worker_id, lambda out: handler(ctx, job.params, out)
                )
                await session.rollback()  # handlers only read
                return result
            finally:
                ctx.db.finish()  # a statement left running by the handler opens nothing

    async def _complete(self, job: Job, tmp: Path, final: Path, summary: dict) -> Job | None:
        async with self.db.session() as session:
            mine = (
                await session.execute(
                    select(Job)
                    .where(
                        Job.org_id == job.org_id,
                        Job.id == job.id,
                        Job.status == "processing",
                        Job.claimed_by == self.worker_id,
                    )
                    .with_for_update()
                    .execution_options(populate_existing=True)
                )
            ).scalar_one_or_none()
            if mine is None:
                remove_result(tmp)
                log.warning("job %s: claim lost to another worker; result discarded", job.key)
                return None
            publish(tmp, final)
            values = completed_values(mine, str(final), summary, datetime.now(UTC))
            done = (
                await session.execute(
                    update(Job)
                    .where(Job.org_id == job.org_id, Job.id == job.id)
                    .values(**values)
                    .returning(Job)
                    .execution_options(populate_existing=True)
                )
            ).scalar_one()
            await session.commit()
            return done

    async def _fail_or_retry(self, job: Job, exc: Exception) -> None:
        what = "export" if job.kind == AMP_EXPORT else "report"
        if isinstance(exc, TallyError):
            retry, message = False, exc.message
        else:
            log.error("job %s attempt %s failed", job.key, job.attempts, exc_info=exc)
            retry = job.attempts < self.max_attempts
            message = (
                f"Internal error while producing the {what} ({type(exc).__name__}) on "
                f"attempt {job.attempts} of {self.max_attempts}; the server log has details."
            )
        now = datetime.now(UTC)
        values: dict = {"error": message, "claimed_by": None}
        if retry:
            values.update(status="pending", run_after=now + timedelta(seconds=5 * job.attempts))
        else:
            values.update(status="failed", finished_at=now)
        async with self.db.session() as session:
            await session.execute(
                update(Job)
                .where(Job.org_id == job.org_id, Job.id == job.id, Job.claimed_by == self.worker_id)
                .values(**values)
            )
            await session.commit()

    async def _heartbeat(self, job: Job) -> None:
        interval = max(self.lease.total_seconds() / 3, 0.05)
        while True:
            await asyncio.sleep(interval)
            try:
                async with self.db.session() as session:
                    await session.execute(
                        update(Job)
                        .where(
                            Job.org_id == job.org_id,
                            Job.id == job.id,
                            Job.claimed_by == self.worker_id,
                        )
                        .values(claimed_at=func.now())
                    )
                    await session.commit()
            except Exception as exc:  # the completion check still guards the result
                log.warning("job %s: heartbeat failed: %s", job.key, exc)

    async def _email(self, job: Job) -> None:
        from gateway.jobs.email import delivery_on_enqueue
        from gateway.jobs.signing import export_download_url

        to = job.params["email_to"]
        if not self.settings.smtp_url:
            state = delivery_on_enqueue(to, None)
        else:
            state = await send_export_email(
                self.settings.smtp_url,
                to,
                key=job.key,
                download_url=export_download_url(self.settings, job.key),
                expires_at=job.expires_at.isoformat() if job.expires_at else "",
                rows=int((job.result or {}).get("rows", 0)),
            )
        async with self.db.session() as session:
            await session.execute(
                update(Job)
                .where(Job.org_id == job.org_id, Job.id == job.id)
                .values(result=Job.result.op("||")(func.jsonb_build_object(
                    "delivery_status", state["delivery_status"],
                    "delivery_message", state["delivery_message"],
                )))
            )  # fmt: skip
            await session.commit()

    # --- housekeeping ----------------------------------------------------------------

    async def sweep(self) -> tuple[int, int]:
        """Fail jobs whose worker died on their last attempt; delete expired files.
        Returns (jobs failed, files deleted)."""
        async with self.db.session() as session:
            failed = await session.execute(
                update(Job)
                .where(
                    Job.status == "processing",
                    Job.claimed_at < func.now() - self.lease,
                    Job.attempts >= self.max_attempts,
                )
                .values(
                    status="failed",
                    finished_at=func.now(),
                    claimed_by=None,
                    error=f"The job was interrupted {self.max_attempts} times (its worker "
                    "stopped before finishing); create it again.",
                )
            )
            expired = (
                await session.execute(
                    select(Job.org_id, Job.id, Job.file_path)
                    .where(
                        Job.status == "completed",
                        Job.expires_at < func.now(),
                        Job.file_path.is_not(None),
                    )
                    .limit(500)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in expired:
                remove_result(row.file_path)
                await session.execute(
                    update(Job)
                    .where(Job.org_id == row.org_id, Job.id == row.id)
                    .values(file_path=None)
                )
            await session.commit()
        return failed.rowcount, len(expired)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Work until `stop` is set."""
        stop = stop or asyncio.Event()
        listener = await self._listen() if self.listen else None
        polls = 0
        try:
            while not stop.is_set():
                try:
                    if polls % SWEEP_EVERY == 0:
                        await self.sweep()
                    polls += 1
                    if await self.run_once():
                        continue
                except Exception as exc:  # e.g. the database is down: keep polling
                    log.warning("job worker %s: %s", self.worker_id, exc)
                self._wake.clear()
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(
                    self._wake.wait())]  # fmt: skip
                await asyncio.wait(waiters, timeout=self.poll_interval,
                                   return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
                for w in waiters:
                    w.cancel()
        finally:
            if listener is not None:
                with contextlib.suppress(Exception):
                    await listener.close()

    async def _listen(self):
        try:
            url = self.db.engine.url.render_as_string(hide_password=False)
            conn = await connect_raw(url)
            await conn.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
            return conn
        except Exception as exc:
            log.info("job worker: LISTEN unavailable (%s); polling only", exc)
            return None


class BackgroundWorker:
    """A Worker running as an asyncio task of the app (see `start_background`)."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self._stop = asyncio.Event()
        self.task = asyncio.create_task(worker.run(self._stop), name="tally-job-worker")

    async def stop(self) -> None:
        self._stop.set()
        try:
            await asyncio.wait_for(self.task, timeout=10)
        except (TimeoutError, asyncio.CancelledError):
            self.task.cancel()


def start_background(db: Database, settings: Settings) -> BackgroundWorker | None:
    if not settings.inprocess_worker:
        return None
    return BackgroundWorker(Worker(db, settings))


__all__ = ["LEASE", "MAX_ATTEMPTS", "BackgroundWorker", "Worker", "start_background"]
