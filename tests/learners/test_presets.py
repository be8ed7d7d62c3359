"""Every field resolves with rolling presets (partial hours at the edges: rollups + raw
events), and the all-time numbers match the hand counts."""

from __future__ import annotations

EVERYTHING = """
query($period: PeriodInput, $mentor: String) {
  learnerAnalytics(period: $period, mentor: $mentor) {
    period { days }
    messages { current } topics { current } conversations { current }
    registeredUsers { current } activeUsers { current } activeUsersLast30d currentlyActive
    topicDetails { topic messages }
    accessHeatmap { total }
    users { totalCount }
    headline { conversations }
    ratings { count }
    transcripts { totalCount }
    costCents { current } totalCostCents
    weeklyCosts { total } monthlyCosts { total }
    costByProvider { key } costByModel { key } costByUser { totalCount }
    courses { totalCount } programs { totalCount }
    auditLog { totalCount }
  }
}"""


async def test_all_time_preset(gql):
    a = (await gql.data(EVERYTHING, period={"preset": "ALL"}))["learnerAnalytics"]
    assert a["messages"]["current"] == 9  # 8 in March + s0
    assert a["topics"]["current"] == 3
    assert a["conversations"]["current"] == 5
    assert a["registeredUsers"]["current"] == 4
    assert a["accessHeatmap"]["total"] == 9
    assert a["users"]["totalCount"] == 3
    assert a["transcripts"]["totalCount"] == 2
    assert a["costCents"]["current"] == 200.0 == a["totalCostCents"]
    assert a["weeklyCosts"]["total"] == 200.0 == a["monthlyCosts"]["total"]
    assert a["auditLog"]["totalCount"] == 4


async def test_rolling_presets_without_recent_events(gql):
    for preset in ("LAST_24H", "TODAY", "LAST_7D", "LAST_90D", "YTD"):
        for mentor in (None, "mentor-ai-tutor"):
            period = {"preset": preset, "timezone": "Europe/Berlin"}
            a = (await gql.data(EVERYTHING, period=period, mentor=mentor))["learnerAnalytics"]
            assert a["currentlyActive"] == 0
            assert a["totalCostCents"] == (200.0 if mentor is None else 170.0)
