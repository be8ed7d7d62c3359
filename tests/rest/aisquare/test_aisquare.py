"""AISquare REST routes (seed 000): the documented example requests, every documented
field with its type, values computed by hand in conftest, and the error cases in the
`{"detail": ...}` dialect."""

from __future__ import annotations

from datetime import datetime

import pytest

METRICS = "/api/v1/aistudios/metrics/"
IMPACT = "/api/v1/aistudios/public-impact/"
EXAMPLE = {"url": "ai-research-studio"}
FORBIDDEN = "You are not an owner or co-creator of this publication."


def assert_detail(r, status: int, *needles: str) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert list(body) == ["detail"] and isinstance(body["detail"], str), body
    for needle in needles:
        assert needle in body["detail"], body
    assert "Traceback" not in r.text and "SELECT" not in r.text
    return body["detail"]


def assert_types(obj: dict, types: dict[str, type | tuple[type, ...]]) -> None:
    assert set(obj) == set(types), obj
    for key, t in types.items():
        assert isinstance(obj[key], t), (key, obj[key])
        if t is int:
            assert not isinstance(obj[key], bool), key


async def test_metrics_example_request(client, studio):
    r = await client.post(METRICS, json=EXAMPLE, headers=studio.bearer["owner"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {
        "publication",
        "experience_counts",
        "engagement",
        "activity",
        "social",
        "generated_at",
    }
    pub = body["publication"]
    assert_types(
        pub,
        {"id": int, "name": str, "custom_url": str, "created_at": str, "allow_bookings": bool},
    )
    assert pub == {
        "id": studio.pub.id,
        "name": "AI Research Studio",
        "custom_url": "ai-research-studio",
        "created_at": pub["created_at"],
        "allow_bookings": True,
    }
    assert datetime.fromisoformat(pub["created_at"]) == datetime.fromisoformat(
        "2026-01-01T00:00:00+00:00"
    )
    counts = body["experience_counts"]
    assert_types(counts, dict.fromkeys(("AI_EXPERT", "AI_NOTE", "QUEST", "PODCAST", "total"), int))
    assert counts == {"AI_EXPERT": 2, "AI_NOTE": 1, "QUEST": 3, "PODCAST": 1, "total": 7}
    engagement = body["engagement"]
    names = ("views", "likes", "bookmarks", "shares", "comments", "appointments")
    assert_types(engagement, {f"total_{n}": int for n in names})
    # all time: the January and the March events
    assert engagement == {
        "total_views": 5,
        "total_likes": 3,
        "total_bookmarks": 2,
        "total_shares": 1,
        "total_comments": 3,
        "total_appointments": 2,
    }
    assert_types(body["activity"], {"monthly_active_users": int})
    assert body["activity"] == {"monthly_active_users": 4}  # 2004..2007
    assert_types(body["social"], {"followers_count": int, "following_count": int})
    assert body["social"] == {"followers_count": 2, "following_count": 1}
    assert datetime.fromisoformat(body["generated_at"]).isoformat() == "2026-03-18T10:30:00+00:00"


async def test_metrics_for_a_cocreator_with_an_api_token(client, studio):
    r = await client.post(METRICS, json=EXAMPLE, headers=studio.api_token["cocreator"])
    assert r.status_code == 200, r.text
    assert r.json()["experience_counts"]["total"] == 7


async def test_metrics_forbidden_for_another_member(client, studio):
    r = await client.post(METRICS, json=EXAMPLE, headers=studio.bearer["outsider"])
    assert assert_detail(r, 403) == FORBIDDEN


@pytest.mark.parametrize("path", [METRICS, IMPACT])
@pytest.mark.parametrize(
    "who, url",
    [("owner", "no-such-studio"), ("stranger", "ai-research-studio"), ("owner", "secret-studio")],
)
async def test_not_found(client, studio, path, who, url):
    r = await client.post(path, json={"url": url}, headers=studio.bearer[who])
    assert_detail(r, 404, f"No publication with custom url '{url}'")


async def test_public_impact_example_request(client, studio):
    # any member of the org: olga is neither owner nor co-creator
    r = await client.post(IMPACT, json=EXAMPLE, headers=studio.bearer["outsider"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"publication", "metrics", "time_period_days", "generated_at"}
    assert body["publication"] == {
        "id": studio.pub.id,
        "name": "AI Research Studio",
        "custom_url": "ai-research-studio",
    }
    m = body["metrics"]
    assert_types(
        m,
        {
            "total_plays": int,
            "likes_count": int,
            "completion_rate": float,
            "active_users": int,
            "saves_count": int,
            "influence_score": float,
        },
    )
    assert m == {
        "total_plays": 4,
        "likes_count": 1,
        "completion_rate": 75.0,  # percent: 3 completions / 4 plays
        "active_users": 4,
        "saves_count": 2,
        "influence_score": 31.0,
    }
    assert body["time_period_days"] == 30 and isinstance(body["time_period_days"], int)
    assert datetime.fromisoformat(body["generated_at"]).isoformat() == "2026-03-18T10:30:00+00:00"


async def test_public_impact_without_plays_has_null_completion_rate(client, studio, factory):
    owner_headers = studio.bearer["owner"]
    other = await factory.publication(studio.owner, "quiet-studio", name="Quiet")
    r = await client.post(IMPACT, json={"url": other.custom_url}, headers=owner_headers)
    assert r.status_code == 200, r.text
    m = r.json()["metrics"]
    assert m["completion_rate"] is None
    assert (m["total_plays"], m["influence_score"], m["active_users"]) == (0, 0.0, 0)


async def test_url_is_trimmed(client, studio):
    r = await client.post(
        IMPACT, json={"url": "  ai-research-studio "}, headers=studio.bearer["owner"]
    )
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("path", [METRICS, IMPACT])
@pytest.mark.parametrize(
    "content, needle",
    [
        (b"", "Request body is empty"),
        (b'{"url": ', "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b'["ai-research-studio"]', "must be a JSON object"),
        (b'"ai-research-studio"', "must be a JSON object"),
        (b"{}", "url: this field is required"),
        (b'{"custom_url": "ai-research-studio"}', "url: this field is required"),
        (b'{"url": null}', "url: this field is required"),
        (b'{"url": 42}', "url: must be a string"),
        (b'{"url": ["ai-research-studio"]}', "url: must be a string"),
        (b'{"url": ""}', "url: must not be blank"),
        (b'{"url": "   "}', "url: must not be blank"),
        (b'{"url": "' + b"x" * 256 + b'"}', "url: at most 255 characters"),
        (b'{"url": "ai-research\\u0000studio"}', "url: must not contain control characters"),
        (b'{"url": "ai\\nresearch"}', "url: must not contain control characters"),
    ],
)
async def test_invalid_or_missing_url_is_400(client, studio, path, content, needle):
    headers = {**studio.bearer["owner"], "Content-Type": "application/json"}
    r = await client.post(path, content=content, headers=headers)
    assert_detail(r, 400, needle)


@pytest.mark.parametrize("path", [METRICS, IMPACT])
@pytest.mark.parametrize(
    "headers, needle",
    [
        ({}, "Authorization"),
        ({"Authorization": "Bearer not-a-token"}, ""),
        ({"Authorization": "Api-Token not-a-token"}, ""),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "Authorization"),
    ],
)
async def test_missing_or_bad_credentials_are_401(client, studio, path, headers, needle):
    r = await client.post(path, json=EXAMPLE, headers=headers)
    assert_detail(r, 401, needle)


async def test_credentials_are_checked_before_the_body(client, studio):
    r = await client.post(METRICS, content=b"{", headers={"Content-Type": "application/json"})
    assert_detail(r, 401)


async def test_wrong_method_and_unknown_path_stay_in_the_dialect(client, studio):
    r = await client.get(METRICS, headers=studio.bearer["owner"])
    assert_detail(r, 405)
    r = await client.post("/api/v1/aistudios/nope/", json=EXAMPLE, headers=studio.bearer["owner"])
    assert_detail(r, 404)
