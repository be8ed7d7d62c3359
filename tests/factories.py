"""Async builders for test data. Each returns the ORM row (flushed, so ids are set).
Names default to unique values; pass what the test's arithmetic depends on."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import create_token
from gateway.models import (
    Agent,
    Content,
    Mission,
    Org,
    Publication,
    User,
    UserRole,
    Workspace,
    WorkspaceMember,
)

_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


class Factory:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row):
        self.session.add(row)
        await self.session.flush()
        return row

    async def org(self, key: str | None = None, name: str | None = None) -> Org:
        n = _n()
        return await self.add(Org(key=key or f"org-{n}", name=name or f"Org {n}"))

    async def user(
        self, org: Org, username: str | None = None, *, roles: tuple[str, ...] = ()
    ) -> User:
        n = _n()
        user = await self.add(
            User(
                org_id=org.id,
                username=username or f"user{n}",
                display_name=(username or f"User {n}").title(),
                email=f"{username or f'user{n}'}@example.com",
            )
        )
        for role in roles:
            await self.add(UserRole(org_id=org.id, user_id=user.id, role=role))
        return user

    async def token(self, user: User, *, expires_at: datetime | None = None) -> str:
        _, token = await create_token(
            self.session,
            org_id=user.org_id,
            user_id=user.id,
            name="test",
            expires_at=expires_at,
        )
        return token

    async def publication(self, owner: User, custom_url: str | None = None, **kw) -> Publication:
        n = _n()
        return await self.add(
            Publication(
                org_id=owner.org_id,
                owner_id=owner.id,
                custom_url=custom_url or f"pub-{n}",
                name=kw.pop("name", f"Publication {n}"),
                **kw,
            )
        )

    async def mission(self, org: Org, key: str | None = None, **kw) -> Mission:
        n = _n()
        return await self.add(
            Mission(
                org_id=org.id,
                key=key or f"msn_test{n}",
                name=kw.pop("name", f"Mission {n}"),
                start_date=kw.pop("start_date", date(2026, 1, 1)),
                end_date=kw.pop("end_date", date(2026, 12, 31)),
                **kw,
            )
        )

    async def content(self, mission: Mission, key: str | None = None, **kw) -> Content:
        n = _n()
        return await self.add(
            Content(
                org_id=mission.org_id,
                mission_id=mission.id,
                key=key or f"cnt_test{n}",
                platform=kw.pop("platform", "twitter"),
                type=kw.pop("type", "post"),
                published_at=kw.pop("published_at", datetime(2026, 1, 1, tzinfo=UTC)),
                **kw,
            )
        )

    async def workspace(self, owner: User, uuid: str | None = None, **kw) -> Workspace:
        n = _n()
        return await self.add(
            Workspace(
                org_id=owner.org_id,
                owner_id=owner.id,
                uuid=uuid or f"00000000-0000-4000-8000-{n:012d}",
                name=kw.pop("name", f"Workspace {n}"),
                **kw,
            )
        )

    async def member(self, workspace: Workspace, user: User, role: str = "member"):
        return await self.add(
            WorkspaceMember(
                org_id=workspace.org_id, workspace_id=workspace.id, user_id=user.id, role=role
            )
        )

    async def agent(self, owner: User, key: str | None = None, **kw) -> Agent:
        n = _n()
        return await self.add(
            Agent(
                org_id=owner.org_id,
                owner_id=owner.id,
                key=key or f"agent-{n}",
                kind=kw.pop("kind", "platform"),
                name=kw.pop("name", f"Agent {n}"),
                **kw,
            )
        )
