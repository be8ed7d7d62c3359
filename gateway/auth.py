"""Authentication: API tokens (stored as SHA-256 hashes) resolved to a `Principal`.

`Authorization: Bearer <t>` and `Authorization: Api-Token <t>` both resolve to the same
principal. Unknown, expired and revoked tokens are rejected with distinct messages.
Authorization *decisions* live in `gateway.access`, not here.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ARRAY, String, bindparam, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.models import ApiToken, Org, User, UserRole

TOKEN_PREFIX = "tly_"
SCHEMES = ("bearer", "api-token")


class AuthError(Exception):
    """A credential problem; `str(exc)` is safe to show the caller."""


@dataclass(frozen=True)
class Principal:
    org_id: int
    org_key: str
    user_id: int
    username: str
    roles: frozenset[str] = field(default_factory=frozenset)
    token_id: int | None = None
    org_name: str | None = None  # known when resolved from a token (`viewer { org }`)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def parse_authorization(header: str | None) -> tuple[str, str]:
    """`"Bearer abc"` -> `("bearer", "abc")`. Raises AuthError when absent or malformed."""
    if not header or not header.strip():
        raise AuthError("Authentication credentials were not provided.")
    scheme, _, token = header.strip().partition(" ")
    scheme = scheme.lower()
    token = token.strip()
    if scheme not in SCHEMES or not token:
        raise AuthError(
            "Malformed Authorization header: use 'Bearer <token>' or 'Api-Token <token>'."
        )
    return scheme, token


async def create_token(
    session: AsyncSession,
    *,
    org_id: int,
    user_id: int,
    name: str,
    expires_at: datetime | None = None,
    token: str | None = None,
) -> tuple[ApiToken, str]:
    """Store a new token's hash and return (row, plaintext). `token` may be supplied
    (the deterministic demo tokens); otherwise a random one is made."""
    token = token or new_token()
    row = ApiToken(
        org_id=org_id,
        user_id=user_id,
        name=name,
        token_hash=hash_token(token),
        prefix=token[:12],
        expires_at=expires_at,
    )
    session.add(row)
    await session.flush()
    return row, token


_REVOKE_LISTENERS: list[Callable[[int], None]] = []


def on_revoke(listener: Callable[[int], None]) -> None:
    """Call `listener(token_id)` whenever this process revokes a token (the principal
    caches of `gateway.principals` forget it)."""
    _REVOKE_LISTENERS.append(listener)


async def revoke_token(session: AsyncSession, token_id: int) -> bool:
    """Revoke token `token_id`; this process's principal caches forget it at once (other
    processes within their TTL, sooner through Redis: `gateway.principals`)."""
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    for listener in _REVOKE_LISTENERS:
        listener(token_id)
    return result.rowcount > 0


_ROLES = (
    select(func.coalesce(func.array_agg(UserRole.role), literal([], ARRAY(String))))
    .where(UserRole.org_id == User.org_id, UserRole.user_id == User.id)
    .scalar_subquery()
)
_LOOKUP = (
    select(
        ApiToken.id,
        ApiToken.expires_at,
        ApiToken.revoked_at,
        User.org_id,
        User.id,
        User.username,
        Org.key,
        Org.name,
        _ROLES,
    )
    .join(User, (User.org_id == ApiToken.org_id) & (User.id == ApiToken.user_id))
    .join(Org, Org.id == User.org_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


async def lookup_token(
    session: AsyncSession, token: str, token_hash: bytes | None = None
) -> tuple[Principal, datetime | None]:
    """A plaintext token's principal and the token's expiry (one statement). Raises
    AuthError for an unknown, revoked or expired token."""
    token_hash = token_hash if token_hash is not None else hash_token(token)
    row = (await session.execute(_LOOKUP, {"token_hash": token_hash})).one_or_none()
    if row is None:
        raise AuthError("Invalid token.")
    token_id, expires_at, revoked_at, org_id, user_id, username, org_key, org_name, roles = row
    if revoked_at is not None:
        raise AuthError("Token has been revoked.")
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise AuthError("Token has expired.")
    principal = Principal(
        org_id=org_id,
        org_key=org_key,
        user_id=user_id,
        username=username,
        roles=frozenset(roles or ()),
        token_id=token_id,
        org_name=org_name,
    )
    return principal, expires_at


async def authenticate(session: AsyncSession, token: str) -> Principal:
    """Resolve a plaintext token to its principal (one statement, never cached)."""
    return (await lookup_token(session, token))[0]


async def load_principal(session: AsyncSession, org_id: int, user_id: int) -> Principal | None:
    """The principal of user `user_id` of org `org_id` without a token (background jobs
    run as the user who requested them); None when the user no longer exists."""
    row = (
        await session.execute(
            select(User.username, Org.key)
            .join(Org, Org.id == User.org_id)
            .where(User.org_id == org_id, User.id == user_id)
        )
    ).one_or_none()
    if row is None:
        return None
    roles = (
        await session.scalars(
            select(UserRole.role).where(UserRole.org_id == org_id, UserRole.user_id == user_id)
        )
    ).all()
    return Principal(
        org_id=org_id, org_key=row[1], user_id=user_id, username=row[0], roles=frozenset(roles)
    )
