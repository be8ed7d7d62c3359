from tests.factories import Factory


async def test_viewer_roundtrip(client, factory: Factory):
    org = await factory.org(key="acme")
    user = await factory.user(org, "alice", roles=("admin",))
    token = await factory.token(user)
    r = await client.post(
        "/graphql",
        json={"query": "{ viewer { user { username } roles org { key } } }"},
        headers={"Authorization": f"Api-Token {token}"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["viewer"] == {
        "user": {"username": "alice"},
        "roles": ["admin"],
        "org": {"key": "acme"},
    }
