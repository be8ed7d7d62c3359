"""The demo principals: who they are, their fixed user ids and usernames, and their
deterministic tokens (derived from the seed, so `tally serve` can print them on every
start while only their hashes are stored)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import select

from gateway.auth import hash_token
from gateway.db import Database
from gateway.models import ApiToken, Org, User


@dataclass(frozen=True)
class DemoPrincipal:
    name: str
    role: str
    org: str
    username: str
    display_name: str
    user_id: int
    admin: bool = False


ACME = "acme"
GLOBEX = "globex"

PRINCIPALS: tuple[DemoPrincipal, ...] = (
    DemoPrincipal("org_admin", "org / platform admin", ACME, "ada.admin", "Ada Admin", 1, True),
    DemoPrincipal(
        "publication_owner", "owner of ai-research-studio", ACME, "olive.owner", "Olive Owner", 2
    ),
    DemoPrincipal(
        "co_creator", "co-creator of ai-research-studio", ACME, "cole.creator", "Cole Creator", 3
    ),
    DemoPrincipal("outsider", "member, no relations", ACME, "otto.outsider", "Otto Outsider", 4),
    DemoPrincipal(
        "workspace_owner", "owner of the example workspace", ACME, "wanda.owner", "Wanda Owner", 5
    ),
    DemoPrincipal(
        "workspace_member",
        "member of the example workspace",
        ACME,
        "will.member",
        "Will Member",
        123,
    ),
    DemoPrincipal("learner", "ibl.ai learner", ACME, "lena.learner", "Lena Learner", 6),
    DemoPrincipal("artist", "artist with agents + music", ACME, "nova.artist", "Nova Reyes", 7),
    DemoPrincipal(
        "other_org_admin", "admin of globex", GLOBEX, "gus.globex", "Gus Globex", 0, True
    ),
)
"""`user_id` 0 means "allocated after the acme users" (globex ids follow acme's)."""

BY_NAME = {p.name: p for p in PRINCIPALS}


def demo_token(seed: int, name: str) -> str:
    digest = hmac.new(f"tally-demo:{seed}".encode(), name.encode(), hashlib.sha256)
    return "tly_demo_" + digest.hexdigest()[:32]


def principal_json(p: DemoPrincipal, seed: int) -> dict:
    return {
        "name": p.name,
        "role": p.role,
        "org": p.org,
        "username": p.username,
        "scheme": "Bearer",  # `Authorization: Api-Token <token>` works as well
        "token": demo_token(seed, p.name),
    }


async def demo_principals_present(db: Database, *, seed: int = 42) -> list[dict]:
    """The demo principals whose token hash exists in `api_tokens` (for the banner)."""
    by_hash = {hash_token(demo_token(seed, p.name)): p for p in PRINCIPALS}
    async with db.session() as session:
        rows = await session.execute(
            select(ApiToken.token_hash, User.username, Org.key)
            .join(User, (User.org_id == ApiToken.org_id) & (User.id == ApiToken.user_id))
            .join(Org, Org.id == ApiToken.org_id)
            .where(ApiToken.token_hash.in_(list(by_hash)), ApiToken.revoked_at.is_(None))
        )
        found = {bytes(h) for h, username, org in rows if by_hash[bytes(h)].username == username}
    return [
        principal_json(p, seed) for p in PRINCIPALS if hash_token(demo_token(seed, p.name)) in found
    ]
