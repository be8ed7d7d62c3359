"""Enqueue, find and run jobs (the API the GraphQL mutations and the REST shims use).

Keys (public ids, unique per org):
  amp_export    `exp_<16 random [A-Za-z0-9]>`
  iblai_report  `<report_name>:rpt_<16 random>`, e.g. `ai-mentor-chat-history:rpt_Ab3…`.
                ibl.ai polls by name — `GET …/reports/platforms/{org}/{report_name}
                ?mentor_unique_id=…` — which is `latest_report(org, report_name, mentor)`:
                the newest job (created_at, then id) of that report name whose
                `params.mentor` equals the mentor unique id (None = org-wide reports only).

Statuses: pending -> processing -> completed | failed (GraphQL shows pending as
PROCESSING). `result` holds `rows`, `bytes`, `sections`, `estimated_completion`,
`delivery_status`, `delivery_message`.

"Small exports complete immediately" (`export_runs_inline`): an export runs inside the
request when no email is to be sent (no `email_to`, or SMTP not configured), its period is
at most INLINE_MAX_DAYS (31) days and it covers at most INLINE_MAX_MISSIONS (10) missions
(its `mission_ids`, else every mission of the org). Anything else is queued for the worker
and answered `processing` with `estimated_completion = now + 15 s + 1 s per 20
mission-days` (period "all" counts as 365 days).

Every function takes `db`: an AsyncSession or the request's `ctx.db` (anything with an
awaitable `execute`); none commits — the request (or the worker) does.
"""

from __future__ import annotations

import math
import secrets
import string
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text, update

from gateway.context import Context
from gateway.jobs.files import publish, result_path, write_tmp
from gateway.jobs.kinds import AMP_EXPORT, IBLAI_REPORT, Handler, extension, producer
from gateway.jobs.params import parse_period
from gateway.missions.repository import count_missions
from gateway.models.jobs import RETAIN, Job

RESULT_TTL = timedelta(hours=24)
INLINE_MAX_DAYS = 31
INLINE_MAX_MISSIONS = 10
NOTIFY_CHANNEL = "tally_jobs"
_ALPHABET = string.ascii_letters + string.digits


def _random(n: int = 16) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(n))


def new_export_key() -> str:
    return f"exp_{_random()}"


def new_report_key(report_name: str) -> str:
    return f"{report_name}:rpt_{_random()}"


async def enqueue(
    db: Any,
    *,
    org_id: int,
    requested_by: int,
    kind: str,
    params: dict,
    key: str | None = None,
    result: dict | None = None,
) -> Job:
    """Insert a pending job and NOTIFY the workers (delivered when the caller commits)."""
    if key is None:
        key = new_export_key() if kind == AMP_EXPORT else new_report_key(params["report_name"])
    job = (
        await db.execute(
            insert(Job)
            .values(
                org_id=org_id,
                key=key,
                kind=kind,
                status="pending",
                requested_by=requested_by,
                params=params,
                result=result or {},
            )
            .returning(Job)
        )
    ).scalar_one()
    await db.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
    return job


async def queue_stats(db: Any) -> list[tuple[str, int, float]]:
    """(kind, pending jobs, age in seconds of the oldest) for each kind with pending jobs."""
    age = func.extract("epoch", func.now() - func.min(Job.created_at))
    rows = await db.execute(
        select(Job.kind, func.count(), age).where(Job.status == "pending").group_by(Job.kind)
    )
    return [(kind, int(count), float(oldest or 0)) for kind, count, oldest in rows]


async def get_job(db: Any, org_id: int, key: str, *, kind: str | None = None) -> Job | None:
    stmt = select(Job).where(Job.org_id == org_id, Job.key == key)
    if kind is not None:
        stmt = stmt.where(Job.kind == kind)
    return (await db.execute(stmt)).scalar_one_or_none()


async def jobs_by_ids(db: Any, org_id: int, ids: Sequence[int], kind: str) -> list[Job | None]:
    rows = (
        await db.execute(
            select(Job).where(Job.org_id == org_id, Job.id.in_(list(ids)), Job.kind == kind)
        )
    ).scalars()
    by_id = {j.id: j for j in rows}
    return [by_id.get(i) for i in ids]


def _mentor_is(mentor: str | None):
    col = Job.params["mentor"].astext
    return col.is_(None) if mentor is None else col == mentor


async def list_jobs(
    db: Any,
    org_id: int,
    *,
    kind: str | None = None,
    mentor: str | None = None,
    mentor_id: int | None = None,
    limit: int = 100,
) -> list[Job]:
    """Newest first. `mentor` / `mentor_id` narrow reports to one mentor."""
    stmt = select(Job).where(Job.org_id == org_id)
    if kind is not None:
        stmt = stmt.where(Job.kind == kind)
    if mentor is not None:
        stmt = stmt.where(_mentor_is(mentor))
    if mentor_id is not None:
        stmt = stmt.where(Job.params["mentor_id"].astext == str(mentor_id))
    stmt = stmt.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
    return list((await db.execute(stmt)).scalars())


async def latest_report(db: Any, org_id: int, report_name: str, mentor: str | None) -> Job | None:
    stmt = (
        select(Job)
        .where(
            Job.org_id == org_id,
            Job.kind == IBLAI_REPORT,
            Job.params["report_name"].astext == report_name,
            _mentor_is(mentor),
        )
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(1)
    )
    return (await db.execute(stmt)).scalar_one_or_none()


# --- the inline rule -------------------------------------------------------------------


def export_runs_inline(params: dict, missions_in_scope: int, email_configured: bool) -> bool:
    emails = bool(params.get("email_to")) and email_configured
    days = parse_period(params["period"]).days
    return not emails and days <= INLINE_MAX_DAYS and missions_in_scope <= INLINE_MAX_MISSIONS


def estimated_completion(params: dict, missions_in_scope: int, now: datetime) -> datetime:
    days = parse_period(params["period"]).days
    days = 365 if math.isinf(days) else days
    return now + timedelta(seconds=15 + math.ceil(days * max(missions_in_scope, 1) / 20))


async def missions_in_scope(ctx: Context, params: dict) -> int:
    """How many missions an export covers: its `mission_ids`, else every mission of the
    caller's org."""
    if params.get("mission_ids"):
        return len(params["mission_ids"])
    return await count_missions(ctx.db, ctx.principal.org_id)


# --- running a job ---------------------------------------------------------------------


def completed_values(job: Job, final_path: str, summary: dict, now: datetime) -> dict:
    retained = bool((job.result or {}).get(RETAIN))
    return {
        "status": "completed",
        "file_path": final_path,
        "finished_at": now,
        "expires_at": None if retained else now + RESULT_TTL,
        "error": None,
        "result": {**(job.result or {}), **summary},
    }


async def run_inline(ctx: Context, job: Job, *, handler: Handler | None = None) -> Job:
    """Produce the job's file inside the request (as `ctx.principal`) and mark it completed
    in the request's transaction. The row is uncommitted, so no worker can see it."""
    handler = handler or producer(job.kind)
    final = result_path(ctx.settings, job.org_id, job.key, extension(job.kind, job.params))
    tmp, summary = await write_tmp(
        final, f"inline-{ctx.request_id}", lambda out: handler(ctx, job.params, out)
    )
    publish(tmp, final)
    now = datetime.now(UTC)
    values = completed_values(job, str(final), summary, now)
    return (
        await ctx.db.execute(
            update(Job)
            .where(Job.org_id == job.org_id, Job.id == job.id)
            .values(attempts=Job.attempts + 1, claimed_by="inline", claimed_at=now, **values)
            .returning(Job)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
