"""Which demo tokens a console page may carry: only in demo mode (`tally serve` found the
demo principals' tokens in the database and put them on `app.state.demo_principals`) and
only for a request made on this machine to a loopback host name. Everywhere else a page
carries no token and the user types one."""

from __future__ import annotations

from ipaddress import ip_address

from fastapi import Request

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


def is_local(request: Request) -> bool:
    """The client is a loopback address and the page was asked for by a loopback name
    (a reverse proxy on this machine that forwards public traffic without
    X-Forwarded-For still shows the public Host name)."""
    client = request.client.host if request.client else ""
    try:
        loopback = ip_address(client).is_loopback
    except ValueError:
        return False
    host = (request.headers.get("host") or "").lower()
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return loopback and name in LOOPBACK_HOSTS


def demo_tokens(request: Request) -> dict[str, str]:
    """Demo principal name -> token, or {} outside demo mode or for a remote caller."""
    settings = getattr(request.app.state, "settings", None)
    if getattr(settings, "production", False):
        return {}  # never a token in a page in production
    principals = getattr(request.app.state, "demo_principals", None) or []
    if not principals or not is_local(request):
        return {}
    return {p["name"]: p["token"] for p in principals}
