"""Download links of finished jobs, and opening their files.

Two kinds of link:
  AMP export   `{public_base_url}/v1/analytics/export/{key}/download` — not signed; the AMP
               shim route requires the org's Bearer token and calls `open_export(ctx, key)`.
  ibl.ai report (the "presigned URL", no auth header):
               `{public_base_url}/dm/api/reports/platforms/{org_key}/files/{key}
               ?expires=<unix seconds>&signature=<hex>` where signature =
               HMAC-SHA256(signing secret, "{org_key}\\n{key}\\n{expires}"), `expires` =
               the job's `expires_at`. The ibl.ai shim route calls
               `open_signed_report(request.app.state.db, org_key, key, expires, signature)`.

Errors (all `TallyError`, rendered in each shim's dialect):
  NotFound 404        no such job in the org (or the signature names another org)
  LinkInvalid 403     bad / tampered signature or malformed `expires`
  NotReady 409        still pending/processing, or failed (message carries the error)
  ResultGone 410      expired (`expires_at` passed) or the file is no longer stored
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from sqlalchemy import select

from gateway.config import Settings
from gateway.context import Context
from gateway.errors import Forbidden, NotFound, TallyError
from gateway.jobs.kinds import AMP_EXPORT, IBLAI_REPORT, media_type
from gateway.models import Org
from gateway.models.jobs import Job
from gateway.production import signing_secret

EXPORT_DOWNLOAD_PATH = "/v1/analytics/export/{key}/download"
REPORT_DOWNLOAD_PATH = "/dm/api/reports/platforms/{org}/files/{key}"


class LinkInvalid(Forbidden):
    code = "invalid_signature"


class NotReady(TallyError):
    code = "not_ready"
    status = 409


class ResultGone(TallyError):
    code = "gone"
    status = 410


@dataclass(frozen=True)
class DownloadFile:
    """What a download route streams: `FileResponse(path, media_type=..., filename=...)`."""

    path: Path
    filename: str
    media_type: str


def _what(job: Job) -> str:
    return f"export {job.key}" if job.kind == AMP_EXPORT else f"report {job.key}"


def sign(secret: str, org_key: str, key: str, expires: int) -> str:
    msg = f"{org_key}\n{key}\n{expires}".encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def export_download_url(settings: Settings, key: str) -> str:
    return settings.public_base_url.rstrip("/") + EXPORT_DOWNLOAD_PATH.format(key=quote(key))


def signed_report_url(settings: Settings, org_key: str, key: str, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    path = REPORT_DOWNLOAD_PATH.format(org=quote(org_key, safe=""), key=quote(key, safe=":"))
    query = urlencode(
        {"expires": expires, "signature": sign(signing_secret(settings), org_key, key, expires)}
    )
    return f"{settings.public_base_url.rstrip('/')}{path}?{query}"


def download_url(settings: Settings, org_key: str, job: Job) -> str | None:
    """The job's link once completed (also after expiry: downloading then answers 410)."""
    if job.status != "completed" or job.expires_at is None:
        return None
    if job.kind == IBLAI_REPORT:
        return signed_report_url(settings, org_key, job.key, job.expires_at)
    return export_download_url(settings, job.key)


def verify(
    settings: Settings,
    org_key: str,
    key: str,
    expires: str | int,
    signature: str,
    *,
    now: datetime | None = None,
) -> int:
    """Check a presigned link; return `expires` (unix seconds). Raises LinkInvalid for a
    bad signature, ResultGone once `expires` has passed."""
    try:
        exp = int(expires)
    except (TypeError, ValueError):
        raise LinkInvalid(
            "The download link is malformed: `expires` must be a unix time."
        ) from None
    good = sign(signing_secret(settings), org_key, key, exp)
    if not hmac.compare_digest(good, (signature or "").lower()):
        raise LinkInvalid("The download link's signature is invalid; request a new link.")
    now = now or datetime.now(UTC)
    if now.timestamp() >= exp:
        at = datetime.fromtimestamp(exp, UTC).isoformat()
        raise ResultGone(f"The download link expired at {at}; generate the report again.")
    return exp


def open_result(job: Job | None, *, now: datetime | None = None) -> Path:
    """The finished file of `job`, or the error that says why there is none."""
    if job is None:
        raise NotFound("No such export or report in your organization.")
    if job.status in ("pending", "processing"):
        raise NotReady(f"The {_what(job)} is still processing; poll its status and download it "
                       "once completed.")  # fmt: skip
    if job.status == "failed":
        raise NotReady(f"The {_what(job)} failed: {job.error or 'unknown error'}. Create it again.")
    now = now or datetime.now(UTC)
    if job.expires_at is not None and job.expires_at <= now:
        raise ResultGone(
            f"The {_what(job)} expired at {job.expires_at.isoformat()}; create it again."
        )
    if not job.file_path or not Path(job.file_path).is_file():
        raise ResultGone(f"The file of the {_what(job)} is no longer stored; create it again.")
    return Path(job.file_path)


def _download(job: Job, path: Path) -> DownloadFile:
    ext = path.suffix.lstrip(".")
    name = job.key.replace(":", "_") + f".{ext}"
    return DownloadFile(path, name, media_type(ext))


async def open_export(ctx: Context, key: str) -> DownloadFile:
    """The AMP export `key` of the caller's org (any member may download it)."""
    if ctx.principal is None:
        from gateway.errors import Unauthenticated

        raise Unauthenticated("Authentication credentials were not provided.")
    from gateway.jobs.service import get_job

    job = await get_job(ctx.db, ctx.principal.org_id, key, kind=AMP_EXPORT)
    if job is None:
        raise NotFound(f"No export {key!r} in your organization.")
    return _download(job, open_result(job))


async def open_signed_report(
    db, org_key: str, key: str, expires: str | int, signature: str, *, settings: Settings
) -> DownloadFile:
    """The report behind a presigned link (`db`: a gateway.db.Database)."""
    verify(settings, org_key, key, expires, signature)
    async with db.session() as session:
        job = (
            await session.execute(
                select(Job)
                .join(Org, Org.id == Job.org_id)
                .where(Org.key == org_key, Job.key == key, Job.kind == IBLAI_REPORT)
            )
        ).scalar_one_or_none()
    if job is None:
        raise NotFound(f"No report {key!r} in platform {org_key!r}.")
    return _download(job, open_result(job))
