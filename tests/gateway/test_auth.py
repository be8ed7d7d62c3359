"""Tokens: both schemes, hashing, expiry, revocation, and the 401 messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gateway.auth import AuthError, authenticate, hash_token, parse_authorization, revoke_token
from gateway.models import ApiToken

VIEWER = {"query": "{ viewer { user { username } roles } }"}


@pytest.fixture
async def alice(factory):
    org = await factory.org(key="acme")
    user = await factory.user(org, "alice", roles=("admin",))
    return user, await factory.token(user)


@pytest.mark.parametrize("scheme", ["Bearer", "Api-Token", "bearer", "api-token"])
async def test_both_schemes_resolve_to_the_same_principal(client, alice, scheme):
    _, token = alice
    r = await client.post("/graphql", json=VIEWER, headers={"Authorization": f"{scheme} {token}"})
    assert r.status_code == 200
    assert r.json()["data"]["viewer"] == {"user": {"username": "alice"}, "roles": ["admin"]}


async def test_only_the_hash_is_stored(session, alice):
    user, token = alice
    row = (await session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))).one()
    assert row.token_hash == hash_token(token)
    assert token.encode() not in row.token_hash
    assert row.prefix == token[:12]


@pytest.mark.parametrize(
    "header, message",
    [
        ("Bearer tly_nope", "Invalid token."),
        ("Basic abc", "Malformed Authorization header"),
        ("Bearer", "Malformed Authorization header"),
    ],
)
async def test_bad_credentials_get_401_in_graphql_dialect(client, alice, header, message):
    r = await client.post("/graphql", json=VIEWER, headers={"Authorization": header})
    assert r.status_code == 401
    body = r.json()
    assert body["data"] is None
    assert body["errors"][0]["message"].startswith(message)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_missing_token_is_a_field_error_not_a_crash(client):
    r = await client.post("/graphql", json=VIEWER)
    assert r.status_code == 200
    assert r.json()["errors"][0]["message"].startswith("Authentication required")


async def test_expired_token(client, factory):
    org = await factory.org()
    user = await factory.user(org)
    token = await factory.token(user, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    r = await client.post("/graphql", json=VIEWER, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert r.json()["errors"][0]["message"] == "Token has expired."


async def test_revoked_token(client, session, alice):
    user, token = alice
    token_id = (await session.scalars(select(ApiToken.id).where(ApiToken.user_id == user.id))).one()
    assert await revoke_token(session, token_id) is True
    assert await revoke_token(session, token_id) is False  # already revoked
    r = await client.post("/graphql", json=VIEWER, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert r.json()["errors"][0]["message"] == "Token has been revoked."


async def test_authenticate_returns_org_and_roles(session, alice):
    user, token = alice
    principal = await authenticate(session, token)
    assert (principal.org_key, principal.user_id, principal.is_admin) == ("acme", user.id, True)
    with pytest.raises(AuthError):
        await authenticate(session, token + "x")


def test_parse_authorization():
    assert parse_authorization("Api-Token  abc ") == ("api-token", "abc")
    with pytest.raises(AuthError, match="not provided"):
        parse_authorization("")
