"""Email delivery of finished exports over SMTP (`SMTP_URL`, e.g.
`smtp://user:pass@host:587`; `smtps://` for implicit TLS; `?from=addr` sets the sender,
default `tally@<host>`). `smtp://` upgrades with STARTTLS when the server offers it.

Delivery states stored in `jobs.result.delivery_status` (with `delivery_message`):
  not_requested   no `email_to`
  not_configured  `email_to` given but SMTP_URL is unset: never a silent drop, the API
                  response and the job say so and the file is downloadable instead
  pending         queued, sent when the export completes
  sent / failed   after the attempt (a failed send does not fail the export)
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

NOT_CONFIGURED_MESSAGE = (
    "Email delivery is not configured on this server (SMTP_URL is unset); nothing was "
    "emailed. Download the export from its download_url instead."
)


def delivery_on_enqueue(email_to: str | None, smtp_url: str | None) -> dict:
    if not email_to:
        return {"delivery_status": "not_requested", "delivery_message": None}
    if not smtp_url:
        return {"delivery_status": "not_configured", "delivery_message": NOT_CONFIGURED_MESSAGE}
    return {
        "delivery_status": "pending",
        "delivery_message": f"The download link will be emailed to {email_to} when ready.",
    }


def _send_sync(smtp_url: str, to: str, subject: str, body: str) -> None:
    url = urlsplit(smtp_url)
    if url.scheme not in ("smtp", "smtps"):
        raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, got {url.scheme}://")
    host = url.hostname or "localhost"
    port = url.port or (465 if url.scheme == "smtps" else 25)
    sender = parse_qs(url.query).get("from", [f"tally@{host}"])[0]
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg.set_content(body)
    cls = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with cls(host, port, timeout=30) as smtp:
        if url.scheme == "smtp":
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls()
                smtp.ehlo()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(msg)


async def send_export_email(
    smtp_url: str, to: str, *, key: str, download_url: str, expires_at: str, rows: int
) -> dict:
    """Send the download link; return the delivery state to store on the job."""
    body = (
        f"Your analytics export {key} is ready ({rows} rows).\n\n"
        f"Download: {download_url}\n"
        "(send your API key as 'Authorization: Bearer <key>')\n\n"
        f"The link expires at {expires_at}.\n"
    )
    try:
        await asyncio.to_thread(_send_sync, smtp_url, to, f"Analytics export {key} is ready", body)
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        return {
            "delivery_status": "failed",
            "delivery_message": f"Email to {to} could not be sent ({type(exc).__name__}: "
            f"{exc}); download the export from its download_url.",
        }
    return {"delivery_status": "sent", "delivery_message": f"Download link emailed to {to}."}
