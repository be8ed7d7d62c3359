"""`/metrics` (Prometheus text format) after a few requests: their counts, latencies,
SQL per request, cache lookups and the job queue."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from gateway.jobs.service import enqueue
from gateway.observability import operation_label
from gateway.rest.cache import ResponseCache
from tests.factories import Factory


async def scrape(client) -> dict[tuple[str, tuple], float]:
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_count_requests_latency_and_sql(client, factory: Factory):
    org = await factory.org()
    user = await factory.user(org)
    token = await factory.token(user)
    before = await scrape(client)
    for _ in range(3):
        r = await client.post(
            "/graphql",
            json={"query": "query Probe { viewer { user { username } } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200
    await client.get("/livez")
    await client.get("/livez")
    assert (await client.get("/no/such/page")).status_code == 404
    after = await scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    probe = {"route": "/graphql", "operation": "Probe"}
    assert delta("tally_requests_total", **probe, method="POST", status="200") == 3
    assert delta("tally_request_duration_seconds_count", **probe) == 3
    assert delta("tally_request_duration_seconds_sum", **probe) > 0
    assert delta("tally_request_duration_seconds_bucket", **probe, le="+Inf") == 3
    live = {"route": "/livez", "operation": "", "method": "GET", "status": "200"}
    assert delta("tally_requests_total", **live) == 2
    miss = {"route": "unmatched", "operation": "", "method": "GET", "status": "404"}
    assert delta("tally_requests_total", **miss) == 1
    # each Probe authenticates (SQL); /livez runs none
    sql = delta("tally_request_sql_statements_sum", route="/graphql")
    assert delta("tally_request_sql_statements_count", route="/graphql") == 3
    assert sql >= 3
    assert delta("tally_request_sql_seconds_count", route="/graphql") == 3
    assert delta("tally_request_sql_statements_sum", route="/livez") == 0


async def test_metrics_show_cache_lookups_and_the_job_queue(client, db, factory: Factory):
    before = await scrape(client)
    cache = ResponseCache()
    await cache.get_or_compute("k", lambda: _value(1))
    await cache.get_or_compute("k", lambda: _value(2))
    await cache.get_or_compute("k", lambda: _value(3))

    org = await factory.org()
    user = await factory.user(org)
    async with db.session() as session:
        for _ in range(2):
            await enqueue(
                session,
                org_id=org.id,
                requested_by=user.id,
                kind="amp_export",
                params={"format": "json"},
            )
        await session.commit()
    after = await scrape(client)
    hits = value(after, "tally_cache_requests_total", cache="athena", result="hit")
    misses = value(after, "tally_cache_requests_total", cache="athena", result="miss")
    assert hits - value(before, "tally_cache_requests_total", cache="athena", result="hit") == 2
    assert misses - value(before, "tally_cache_requests_total", cache="athena", result="miss") == 1
    assert value(after, "tally_jobs_queued", kind="amp_export") == 2
    assert value(after, "tally_jobs_oldest_queued_age_seconds", kind="amp_export") >= 0


async def _value(n: int) -> int:
    return n


def test_operation_labels_are_bounded():
    assert operation_label("Dashboard") == "Dashboard"
    assert operation_label(None) == ""
    assert operation_label("x" * 65) == "invalid"
    assert operation_label("drop table; --") == "invalid"
