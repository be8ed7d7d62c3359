"""The metric catalog: every metric Tally serves, declared once.

A metric is named `<subject_type>.<name>` (e.g. `publication.views`) and counts events of
one subject type (see `gateway.vocabulary`). Aggregations:

* `count`            number of events (sum of rollup `n`)                  -> int
* `sum`              sum of event `value` × `scale`                        -> float
* `avg`              sum(value) / count over the whole range × `scale`; None with no events
* `distinct_actors`  distinct `actor_id`s over the whole range (exact)     -> int
* `ratio`            `offset + scale × numerator / denominator`, both other catalog metrics
                     aggregated over the same range and group (a ratio of sums, never an
                     average of ratios); None when the denominator is 0. `offset` gives
                     complements such as `agent.success_rate = 100 - 100 × errors/requests`.

`summable` says whether values of different subjects or buckets may be added up (true for
`count` and `sum` only). `dims` optionally restricts a metric to events with those
dimension values (e.g. `workflow.failed_executions`).

Domain teams add metrics by adding `Metric(...)` entries to `_METRICS` below; a test checks
every entry against the vocabulary and that every event kind is covered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gateway.errors import InvalidInput
from gateway.vocabulary import EVENT_KINDS

Aggregation = Literal["sum", "count", "avg", "distinct_actors", "ratio"]
AGGREGATIONS: tuple[str, ...] = ("sum", "count", "avg", "distinct_actors", "ratio")


@dataclass(frozen=True)
class Metric:
    name: str
    """Dotted catalog name, `<subject_type>.<metric>`."""
    description: str
    unit: str
    aggregation: Aggregation
    event_types: tuple[str, ...] = ()
    scale: float = 1.0
    numerator: str | None = None
    denominator: str | None = None
    offset: float = 0.0
    dims: tuple[tuple[str, str], ...] = ()

    @property
    def subject_type(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def summable(self) -> bool:
        return self.aggregation in ("sum", "count")

    @property
    def integral(self) -> bool:
        """Values are whole numbers (returned as int)."""
        return self.aggregation in ("count", "distinct_actors")


def _m(name, aggregation, event_types, unit, description, **kw) -> Metric:
    if isinstance(event_types, str):
        event_types = (event_types,)
    return Metric(name, description, unit, aggregation, tuple(event_types), **kw)


def _count(name, type_, description, unit="count", **kw) -> Metric:
    return _m(name, "count", type_, unit, description, **kw)


def _sum(name, type_, unit, description, **kw) -> Metric:
    return _m(name, "sum", type_, unit, description, **kw)


def _avg(name, type_, unit, description, **kw) -> Metric:
    return _m(name, "avg", type_, unit, description, **kw)


def _distinct(name, types, description, unit="users") -> Metric:
    return _m(name, "distinct_actors", types, unit, description)


def _ratio(name, num, den, description, scale=100.0, unit="percent", offset=0.0) -> Metric:
    return Metric(name, description, unit, "ratio", (), scale, num, den, offset)


_PUBLICATION_KINDS = tuple(t for (s, t) in EVENT_KINDS if s == "publication")

_METRICS: list[Metric] = [
    # publications (AISquare, 000)
    _count("publication.views", "view", "Views of the publication"),
    _count("publication.likes", "like", "Likes"),
    _count("publication.bookmarks", "bookmark", "Saves (bookmarks)"),
    _count("publication.shares", "share", "Shares"),
    _count("publication.comments", "comment", "Comments"),
    _count("publication.appointments", "appointment", "Appointments booked"),
    _count("publication.plays", "play", "Plays of an experience"),
    _count("publication.completions", "completion", "Completed plays"),
    _ratio(
        "publication.completion_rate",
        "publication.completions",
        "publication.plays",
        "Completions per 100 plays",
    ),
    _distinct(
        "publication.active_users",
        _PUBLICATION_KINDS,
        "Distinct users who did anything on the publication",
    ),
    # content and missions (AMP, 001)
    _count("content.posts", "publish", "Content items that went live"),
    _sum("content.impressions", "impression", "impressions", "Impressions"),
    _sum("content.engagements", "engagement", "engagements", "Engagements"),
    _sum("content.clicks", "click", "clicks", "Link clicks"),
    _ratio(
        "content.engagement_rate",
        "content.engagements",
        "content.impressions",
        "Engagements per 100 impressions",
    ),
    _ratio(
        "content.click_through_rate",
        "content.clicks",
        "content.impressions",
        "Clicks per 100 impressions",
    ),
    _sum("mission.followers_gained", "follower_gain", "followers", "Followers gained"),
    _sum("mission.cost_cents", "cost", "USD cents", "AI generation cost"),
    _count("mission.requests", "cost", "AI generation requests (cost records)"),
    _sum("mission.tokens", "tokens", "tokens", "LLM tokens used"),
    _sum("mission.images", "image", "images", "Images generated"),
    # agents (002 platform agents, ibl.ai mentors, Athena agents)
    _count("agent.messages", "message", "Messages processed"),
    _count("agent.sessions", "session", "Chat sessions started"),
    _distinct("agent.active_users", "message", "Distinct users who sent messages"),
    _distinct("agent.session_users", "session", "Distinct users who started sessions"),
    _count("agent.ratings", "rating", "Ratings given"),
    _avg("agent.avg_rating", "rating", "rating 1-5", "Average rating"),
    _count("agent.requests", "request", "Requests answered"),
    _avg("agent.avg_response_time_ms", "request", "ms", "Average response time"),
    _count("agent.errors", "error", "Errors"),
    _ratio("agent.error_rate", "agent.errors", "agent.requests", "Errors per 100 requests"),
    _ratio(
        "agent.success_rate",
        "agent.errors",
        "agent.requests",
        "100 minus the error rate",
        scale=-100.0,
        offset=100.0,
    ),
    _avg("agent.uptime_percent", "uptime", "percent", "Average uptime", scale=100.0),
    _avg("agent.cpu_percent", "cpu", "percent", "Average CPU usage"),
    _avg("agent.memory_percent", "memory", "percent", "Average memory usage"),
    _count("agent.executions", "execution", "Executions"),
    _avg("agent.avg_execution_ms", "execution", "ms", "Average execution duration"),
    _count("agent.created", "created", "Agents created"),
    _count("agent.copies", "copied", "Times the agent was copied"),
    _count("agent.shares", "share", "Times the agent was shared"),
    _sum("agent.total_execution_ms", "execution", "ms", "Total execution duration"),
    _distinct("agent.execution_users", "execution", "Distinct users who ran the agent"),
    _sum("agent.cost_cents", "cost", "USD cents", "LLM cost"),
    _count("agent.llm_calls", "cost", "LLM calls (cost records)"),
    _sum("agent.tokens", "tokens", "tokens", "LLM tokens used"),
    _avg("org.platform_uptime_percent", "uptime", "percent", "Platform uptime", scale=100.0),
    # workflows and threads (Athena, 004)
    _count("workflow.executions", "execution", "Workflow executions"),
    _count(
        "workflow.failed_executions",
        "execution",
        "Failed workflow executions",
        dims=(("status", "failed"),),
    ),
    _avg("workflow.avg_duration_ms", "execution", "ms", "Average execution duration"),
    _sum("workflow.total_duration_ms", "execution", "ms", "Total execution duration"),
    _count(
        "workflow.succeeded_executions",
        "execution",
        "Succeeded workflow executions",
        dims=(("status", "succeeded"),),
    ),
    _count("workflow.created", "created", "Workflows created"),
    _count("workflow.copies", "copied", "Times the workflow was copied"),
    _count("workflow.shares", "share", "Times the workflow was shared"),
    _count("thread.created", "created", "Threads created"),
    _count("thread.messages", "message", "Messages in threads"),
    # artists (agent platform music summary, 002): subject = the artist user
    _count("user.streams", "stream", "Streams"),
    _distinct("user.listeners", "stream", "Distinct listeners (fans who streamed)"),
    _sum("user.revenue_cents", "revenue", "USD cents", "Revenue"),
    # learning (ibl.ai, 003)
    _sum("course.time_spent_seconds", "time_spent", "seconds", "Time spent learning"),
    _count("course.activities", "activity", "Learning activities"),
    _distinct(
        "course.active_learners",
        ("time_spent", "activity"),
        "Distinct learners who spent time or did an activity",
        unit="learners",
    ),
]

CATALOG: dict[str, Metric] = {m.name: m for m in _METRICS}


def get_metric(name: str) -> Metric:
    """The catalog entry for `name`, or InvalidInput listing close names."""
    found = CATALOG.get(name)
    if found is not None:
        return found
    subject = name.split(".", 1)[0]
    same = sorted(n for n in CATALOG if n.startswith(subject + "."))
    hint = (
        f" Metrics of {subject!r}: {', '.join(same)}."
        if same
        else (" Use the metricsCatalog query to list metric names (e.g. 'publication.views').")
    )
    raise InvalidInput(f"Unknown metric {name!r}.{hint}", field="metric")


def base_metrics(metric: Metric) -> list[Metric]:
    """The non-ratio metrics a metric is computed from (itself unless it is a ratio)."""
    if metric.aggregation != "ratio":
        return [metric]
    return [*base_metrics(CATALOG[metric.numerator]), *base_metrics(CATALOG[metric.denominator])]


def metrics_catalog() -> list[dict]:
    """Every metric as a plain dict (the `metricsCatalog` query), sorted by name."""
    return [
        {
            "name": m.name,
            "subject_type": m.subject_type,
            "description": m.description,
            "unit": m.unit,
            "aggregation": m.aggregation,
            "summable": m.summable,
            "event_types": list(m.event_types),
            "numerator": m.numerator,
            "denominator": m.denominator,
        }
        for m in sorted(CATALOG.values(), key=lambda m: m.name)
    ]


def validate_catalog() -> list[str]:
    """Problems with the catalog (empty when it is consistent with the vocabulary)."""
    problems = []
    for m in CATALOG.values():
        if m.aggregation not in AGGREGATIONS:
            problems.append(f"{m.name}: unknown aggregation {m.aggregation}")
        for t in m.event_types:
            if (m.subject_type, t) not in EVENT_KINDS:
                problems.append(f"{m.name}: ({m.subject_type}, {t}) is not in the vocabulary")
        for k, _ in m.dims:
            for t in m.event_types:
                kind = EVENT_KINDS.get((m.subject_type, t))
                if kind and k not in kind.dims:
                    problems.append(f"{m.name}: dim {k} not allowed on {t}")
        if m.aggregation == "ratio":
            for part in (m.numerator, m.denominator):
                other = CATALOG.get(part or "")
                if other is None or other.subject_type != m.subject_type:
                    problems.append(f"{m.name}: bad ratio part {part}")
        elif not m.event_types:
            problems.append(f"{m.name}: no event types")
    covered = {(m.subject_type, t) for m in CATALOG.values() for t in m.event_types}
    problems += [f"event kind {k} has no metric" for k in EVENT_KINDS if k not in covered]
    return problems
