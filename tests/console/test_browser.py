"""The console in real Chromium against a real `tally serve` (uvicorn) on the tiny demo
dataset, with every request to another host aborted (so "works offline" is what is
tested; the `page` fixture fails a test whose page tried to leave the machine or logged
an error). Screenshots land in .artifacts/browser/."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from gateway.console import CONTENT_SECURITY_POLICY
from gateway.console.examples import examples
from tests.console.conftest import token

TIMEOUT = 90_000  # ms; separates "works" from "stalls" on a loaded machine, not a speed limit


def _graphql_response(page, operation: str):
    """The answer to the `operation` POST /graphql, or to any that is not a 200 (so a
    failed run is reported at once, with what was sent)."""

    def matches(response) -> bool:
        request = response.request
        if request.method != "POST" or not response.url.endswith("/graphql"):
            return False
        sent = json.loads(request.post_data or "{}").get("operationName")
        return response.status != 200 or sent == operation

    return page.expect_response(matches, timeout=TIMEOUT)


async def _answer(page, name: str, run) -> dict:
    """The JSON answer to the `name` operation that `run()` makes the page send."""
    async with _graphql_response(page, name) as info:
        await run()
    response = await info.value
    # GraphiQL's execute button stops a run still in flight: wait until it has taken the
    # answer in, so the next click runs instead of stopping
    await page.locator('.graphiql-execute-button[aria-label^="Execute"]').wait_for(timeout=TIMEOUT)
    sent = json.loads(response.request.post_data or "{}")
    assert response.status == 200 and sent.get("operationName") == name, (
        name,
        response.status,
        response.request.post_data,
        await response.text(),
    )
    return await response.json()


async def _run_tab(page, name: str) -> dict:
    title = re.compile(rf"^\s*{name}\s*$")
    await page.locator(".graphiql-tab-button", has_text=title).click()
    active = page.locator(".graphiql-tab-active .graphiql-tab-button", has_text=title)
    await active.wait_for(timeout=TIMEOUT)
    await page.locator(".graphiql-query-editor .CodeMirror", has_text=name).wait_for()
    return await _answer(page, name, page.locator(".graphiql-execute-button").click)


SWITCH_AND_RUN = """(name) => {
    Array.from(document.querySelectorAll(".graphiql-tab-button"))
        .find(b => b.textContent.trim() === name).click();
    requestAnimationFrame(() => document.querySelector(".graphiql-execute-button").click());
}"""
"""Opens a tab and runs it at the next frame: GraphiQL has put the tab's query in the
editor but not yet (100 ms debounce) its operation name. (Clicked in the same task, the
button could be one React was replacing: the click was lost and no request was sent.)"""


async def test_graphiql_runs_the_default_query_and_shows_data(page):
    await page.goto(f"{page.base}/graphql")
    await page.wait_for_selector(".graphiql-execute-button", timeout=TIMEOUT)
    tabs = await page.locator(".graphiql-tab-button").all_inner_texts()
    assert [t.strip() for t in tabs] == [e.name for e in examples()]
    body = await _run_tab(page, "Dashboard")
    assert "errors" not in body, body
    assert body["data"]["viewer"]["user"]["username"] == "ada.admin"
    assert body["data"]["missionAnalytics"]["summary"]["totalImpressions"] > 0
    result = page.locator(".result-window")
    await result.get_by_text("ada.admin").wait_for(timeout=TIMEOUT)
    await page.locator('button[aria-label="Show Documentation Explorer"]').click()
    await page.locator(".graphiql-doc-explorer").get_by_text("Query", exact=True).first.click()
    await page.locator(".graphiql-doc-explorer").get_by_text("missionAnalytics").first.wait_for()


async def test_graphiql_runs_every_example_without_errors(page):
    await page.goto(f"{page.base}/graphql")
    await page.wait_for_selector(".graphiql-execute-button", timeout=TIMEOUT)
    for example in examples():
        body = await _run_tab(page, example.name)
        assert "errors" not in body, (example.name, body)
        assert all(v is not None for v in body["data"].values()), example.name


async def test_graphiql_runs_a_tab_opened_a_moment_before(page):
    """Run at once after a switch, each tab still sends its own operation name (GraphiQL
    alone sends the previous tab's, which the server rejects as an unknown operation)."""
    await page.goto(f"{page.base}/graphql")
    await page.wait_for_selector(".graphiql-execute-button", timeout=TIMEOUT)
    names = [e.name for e in examples()]
    for name in names[1:] + names[:1]:
        body = await _answer(page, name, lambda n=name: page.evaluate(SWITCH_AND_RUN, n))
        assert "errors" not in body, (name, body)


async def test_swagger_authorize_then_try_it_out_answers_200(page):
    await page.goto(f"{page.base}/docs")
    await page.wait_for_selector(".opblock", timeout=TIMEOUT)
    await page.locator(".btn.authorize").first.click()
    bearer = page.locator(".auth-container").filter(has_text="bearer").first
    await bearer.locator("input").fill(token("org_admin"))
    await bearer.locator("button.authorize").click()
    await page.locator(".modal-ux .btn-done").first.click()

    op = page.locator("#operations-agent-platform-platform_metrics_api_metrics_get")
    if await op.count() == 0:
        op = page.locator('.opblock-get:has(.opblock-summary-path[data-path="/api/metrics"])')
    await op.locator(".opblock-summary").first.click()
    await op.locator(".try-out__btn").click()
    async with page.expect_response(
        lambda r: r.url.split("?")[0].endswith("/api/metrics"), timeout=TIMEOUT
    ) as info:
        await op.locator(".execute").click()
    response = await info.value
    assert response.status == 200
    assert response.request.headers["authorization"] == f"Bearer {token('org_admin')}"
    status = op.locator(".live-responses-table tbody .response-col_status").first
    assert (await status.inner_text()).strip().startswith("200")


async def test_redoc_renders_the_api_reference(page):
    await page.goto(f"{page.base}/redoc")
    heading = page.locator("h2", has_text="Ingest events (JSON array or NDJSON), idempotent")
    await heading.first.wait_for(timeout=TIMEOUT)
    assert await page.locator("text=Authorizations").count() > 0


async def _dashboard_state(page) -> dict:
    return await page.evaluate(
        """() => Array.from(document.querySelectorAll("section.domain")).map(s => ({
            id: s.id,
            state: s.dataset.state,
            error: (s.querySelector(".error") || {}).textContent || null,
            cards: Array.from(s.querySelectorAll(".card .value")).map(c => c.textContent),
            charts: Array.from(s.querySelectorAll("[data-chart]")).map(c => ({
                kind: c.dataset.chart, points: +c.dataset.points, total: +c.dataset.total,
                canvas: c.dataset.chart !== "series" || !!c.querySelector("canvas"),
            })),
        }))"""
    )


async def _wait_loaded(page, generation: int) -> None:
    await page.wait_for_selector(f'body[data-loaded="{generation}"]', timeout=TIMEOUT)
    await page.wait_for_function(
        "() => document.querySelectorAll('.chart canvas').length >= 5", timeout=TIMEOUT
    )


async def test_dashboard_renders_every_chart_with_data_and_follows_the_period(page):
    await page.goto(f"{page.base}/dashboard")
    await _wait_loaded(page, 1)
    sections = await _dashboard_state(page)
    assert [s["id"] for s in sections] == [
        "section-missions",
        "section-learners",
        "section-agents",
        "section-publications",
        "section-workspaces",
    ]
    for s in sections:
        assert s["state"] == "ready", s
        assert len(s["cards"]) == 4 and all(c != "–" for c in s["cards"]), s
        kinds = {c["kind"] for c in s["charts"]}
        assert {"series", "breakdown", "leaderboard"} <= kinds, s
        for chart in s["charts"]:
            assert chart["points"] > 0 and chart["total"] > 0 and chart["canvas"], (s["id"], chart)
    series_30 = [next(c for c in s["charts"] if c["kind"] == "series") for s in sections]
    assert {c["points"] for c in series_30} == {30 * 2, 30}  # daily buckets, 1 or 2 lines

    await page.locator('#presets button[data-preset="LAST_7D"]').click()
    await _wait_loaded(page, 2)
    after = await _dashboard_state(page)
    assert all(s["state"] == "ready" for s in after), after
    series_7 = [next(c for c in s["charts"] if c["kind"] == "series") for s in after]
    assert [c["points"] for c in series_7] == [c["points"] * 7 // 30 for c in series_30]
    assert [s["cards"] for s in after] != [s["cards"] for s in sections]
    period = json.loads(await page.get_attribute("body", "data-period"))
    assert period["preset"] == "LAST_7D"

    await page.select_option("#timezone", "Asia/Tokyo")
    await _wait_loaded(page, 3)
    period = json.loads(await page.get_attribute("body", "data-period"))
    assert period == {"preset": "LAST_7D", "timezone": "Asia/Tokyo"}
    assert all(s["state"] == "ready" for s in await _dashboard_state(page))

    await page.locator('#presets button[data-preset="CUSTOM"]').click()
    end = date.today()
    start = end - timedelta(days=9)
    await page.fill("#start", start.isoformat())
    await page.fill("#end", end.isoformat())
    await page.locator("#apply-range").click()
    await _wait_loaded(page, 4)
    custom = await _dashboard_state(page)
    period = json.loads(await page.get_attribute("body", "data-period"))
    assert period == {"start": start.isoformat(), "end": end.isoformat(), "timezone": "Asia/Tokyo"}
    series_10 = [next(c for c in s["charts"] if c["kind"] == "series") for s in custom]
    assert [c["points"] for c in series_10] == [c["points"] * 10 // 30 for c in series_30]

    # the period is in the URL: a reload shows the same view
    fragment = await page.evaluate("() => location.hash")
    assert f"start={start.isoformat()}" in fragment and "tz=Asia%2FTokyo" in fragment
    await page.reload()
    await _wait_loaded(page, 1)
    period = json.loads(await page.get_attribute("body", "data-period"))
    assert period == {"start": start.isoformat(), "end": end.isoformat(), "timezone": "Asia/Tokyo"}
    assert await page.input_value("#timezone") == "Asia/Tokyo"
    await page.screenshot(path=str(_artifact("dashboard-full.png")), full_page=True)


def _artifact(name: str):
    from tests.console.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


async def test_every_page_runs_under_the_console_content_security_policy(page):
    """Pages served with CONTENT_SECURITY_POLICY (added here when the server sends none):
    a violation is a console error, which the `page` fixture fails on."""

    async def with_csp(route) -> None:
        if route.request.resource_type != "document":
            await route.fallback()  # to the fixture's local-only handler
            return
        response = await route.fetch()
        headers = dict(response.headers)
        if "text/html" in headers.get("content-type", ""):
            headers.setdefault("content-security-policy", CONTENT_SECURITY_POLICY)
        await route.fulfill(response=response, headers=headers)

    await page.route(f"{page.base}/**", with_csp)
    for path, ready in [
        ("/dashboard", 'body[data-loaded="1"]'),
        ("/graphql", ".graphiql-execute-button"),
        ("/docs", ".opblock"),
        ("/redoc", "h2"),
    ]:
        response = await page.goto(f"{page.base}{path}")
        assert response.headers["content-security-policy"]
        await page.wait_for_selector(ready, timeout=TIMEOUT)
