"""Fixtures for the ingestion tests: an org with an admin, a member and a publication."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gateway.models import Org, Publication, User
from tests.factories import Factory


@dataclass
class World:
    org: Org
    admin: User
    member: User
    pub: Publication
    headers: dict[str, str]
    member_headers: dict[str, str]


@pytest.fixture
async def world(factory: Factory) -> World:
    org = await factory.org()
    admin = await factory.user(org, "ada", roles=("admin",))
    member = await factory.user(org, "bob")
    pub = await factory.publication(admin, "ai-research-studio")
    return World(
        org,
        admin,
        member,
        pub,
        {"Authorization": f"Bearer {await factory.token(admin)}"},
        {"Authorization": f"Bearer {await factory.token(member)}"},
    )
