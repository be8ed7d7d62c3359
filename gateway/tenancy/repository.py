"""SQL for orgs and users. Every query is scoped by org_id."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from gateway.context import RequestSession
from gateway.models import Org, User


async def users_by_ids(db: RequestSession, org_id: int, ids: Sequence[int]) -> list[User]:
    return list(await db.scalars(select(User).where(User.org_id == org_id, User.id.in_(list(ids)))))


async def users_by_usernames(
    db: RequestSession, org_id: int, usernames: Sequence[str]
) -> list[User]:
    return list(
        await db.scalars(
            select(User).where(User.org_id == org_id, User.username.in_(list(usernames)))
        )
    )


async def orgs_by_ids(db: RequestSession, ids: Sequence[int]) -> list[Org]:
    return list(await db.scalars(select(Org).where(Org.id.in_(list(ids)))))
