"""The formulas of gateway.missions.service on hand-built numbers (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from pytest import approx

from gateway.missions import service
from gateway.missions.loaders import ContentStat
from gateway.models import Content

UTC_TZ = ZoneInfo("UTC")


def stat(cid, type_, platform, published, imp, eng, posts=1) -> ContentStat:
    c = Content(id=cid, key=f"cnt_{cid}", type=type_, platform=platform, published_at=published)
    return ContentStat(c, posts, float(imp), float(eng), 0.0)


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)  # March 2: Monday, 3: Tuesday


def test_insights_and_recommendations_from_types_and_platforms():
    stats = [
        # threads on twitter, Tuesday afternoon: 2 × (60 / 1000) = 120 / 2000 = 6 %
        stat(1, "thread", "twitter", at(3, 14), 1000, 60),
        stat(2, "thread", "twitter", at(3, 15), 1000, 60),
        # posts on linkedin, Monday morning: 3 × (20 / 1000) = 60 / 3000 = 2 %
        stat(3, "post", "linkedin", at(2, 9), 1000, 20),
        stat(4, "post", "linkedin", at(2, 10), 1000, 20),
        stat(5, "post", "linkedin", at(2, 11), 1000, 20),
    ]
    # overall 180 / 5000 = 3.6 %; Tuesday afternoon 6 % -> +66.67 %, n = 2 -> 2/7
    # threads 6 % vs posts 2 % -> 3.0x, n = min(2, 3) = 2; twitter vs linkedin the same
    assert service.optimization_insights(stats, UTC_TZ) == [
        service.Insight("timing", "Tuesday afternoon posts outperform the average by 67%", 0.29),
        service.Insight("content", "Threads get 3.0x the engagement rate of other types", 0.29),
        service.Insight("platform", "Twitter engagement rate is 200% above other platforms", 0.29),
    ]
    # thread 6 % vs the most published type (post, 3 items) 2 % -> +200 %;
    # Monday 2 % <= 80 % of 3.6 %
    assert service.recommendations(stats, UTC_TZ) == [
        "Increase thread frequency - they outperform posts by 200%",
        "Shift more posting to Tuesday afternoons",
        "Consider pausing Monday posts due to lower engagement",
    ]
    assert service.optimization_insights([], UTC_TZ) == []
    assert service.recommendations([], UTC_TZ) == []


def test_groups_are_ratios_of_sums():
    stats = [stat(1, "post", "x", at(3, 9), 1000, 10), stat(2, "post", "x", at(3, 9), 10, 5)]
    g = service.total(stats)
    # (10 + 5) / 1010, not (1 % + 50 %) / 2
    assert g.engagement_rate == approx(100 * 15 / 1010)
    assert g.avg_impressions == approx(505.0)
    assert service.total([]).engagement_rate is None
    assert service.best_time(stats, ZoneInfo("Asia/Kolkata")) == "14:00"  # 09:00 UTC + 5:30


def test_kpi_status_and_projections():
    assert service.kpi_status(None, 10, None) is None
    assert service.kpi_status(11, 10, 11) == "exceeded"
    assert service.kpi_status(10, 10, 10) == "on_track"
    assert service.kpi_status(5, 10, 10) == "on_track"
    assert service.kpi_status(5, 10, 8) == "at_risk"
    assert service.kpi_status(5, 10, 7.9) == "behind"
    assert service.project_summable(30, 0.25) == 120
    assert service.project_summable(30, 0) is None
    assert service.project_summable(30, 1) == 30
    # rate: 4 % so far over 40 % of the time, 5 % recently -> 4 × 0.4 + 5 × 0.6
    assert service.project_rate(4.0, 5.0, 0.4) == approx(4.6)
    assert service.project_rate(4.0, None, 0.4) == 4.0
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    assert service.elapsed_share(start, end, datetime(2026, 2, 1, tzinfo=UTC)) == 0
    assert service.elapsed_share(start, end, datetime(2026, 3, 16, 12, tzinfo=UTC)) == 0.5


def test_month_projection():
    now = datetime(2026, 4, 11, tzinfo=UTC)  # 10 days into a 30-day month
    # 100 / day -> 3000; no budget
    assert service.month_projection(1000, now, None) == service.Projection(3000.0, None, None)
    # budget 5000 not reached this month (day 50)
    assert service.month_projection(1000, now, 5000) == service.Projection(3000.0, None, None)
    # budget 1500 reached on day 15 -> April 16, 5 days from April 11
    p = service.month_projection(1000, now, 1500)
    assert p == service.Projection(3000.0, date(2026, 4, 16), 5)
    # already spent
    assert service.month_projection(1000, now, 800) == service.Projection(3000.0, now.date(), 0)


def test_velocity_and_compare_insights():
    pub = datetime(2026, 6, 10, 10, tzinfo=UTC)
    assert service.velocity(900, pub, datetime(2026, 6, 10, 12, tzinfo=UTC)) == 450
    assert service.velocity(60, pub, datetime(2026, 6, 10, 10, 30, tzinfo=UTC)) == 60
    assert service.velocity_class(5, 0) == "high" and service.velocity_class(0, 0) == "low"
    assert service.median([1, 3, 10]) == 3
    # the document's example: 4.2 % vs 3.5 % (+20 %), 30 posts / 245000 vs 28 / 198000
    assert service.compare_insights(20.0, 30, 28, 245000, 198000) == [
        "Engagement rate improved 20% period-over-period",
        "Publishing volume increased slightly with better efficiency",
    ]
    assert service.compare_insights(0.5, 10, 10, 100, 200) == [
        "Engagement rate held steady period-over-period",
        "Publishing volume held steady with lower efficiency",
    ]
