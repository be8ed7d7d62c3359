"""Bad REST input is a 4xx in the legacy API's own dialect (here ibl.ai's DRF
`{"detail": ...}`), never a 500 or a database error: huge page numbers, NUL bytes,
out-of-range dates, over-long strings."""

from __future__ import annotations

import pytest

from tests.rest.iblai.conftest import Api, frozen_now, world  # noqa: F401

USERS = "/analytics/users/details/?platform_key=acme"


@pytest.fixture
def api(client, world) -> Api:  # noqa: F811
    return Api(client, world)


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("&page=376610873", 404, "Invalid page."),
        ("&page=99999999999999999999999999", 404, "Invalid page."),
        ("&page=0", 400, "page"),
        ("&page=abc", 400, "page"),
        ("&limit=99999999999999999999", 400, "limit"),
        ("&search=a%00b", 400, "NUL"),
        ("&search=" + "x" * 10_001, 400, "10,000"),
        (
            "&date_filter=custom&start_date=0001-01-01&end_date=9999-12-31",
            400,
            "between 1970-01-01 and 2100-12-31",
        ),
        ("&date_filter=custom&start_date=2026-02-30&end_date=2026-03-01", 400, "start_date"),
        ("&usergroup_ids=99999999999999999999999", 400, ""),
    ],
)
async def test_bad_parameters_are_4xx_in_the_detail_dialect(api, query, status, says):
    detail = await api.error(USERS + query, status)
    assert says in detail
    assert "Internal error" not in detail


async def test_a_valid_page_still_answers(api):
    body = await api.ok(USERS + "&page=1&limit=2")
    assert body["count"] >= len(body["results"])
