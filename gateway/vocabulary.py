"""The event vocabulary: every `(subject_type, type)` pair Tally counts, declared once.

Ingestion validates against it, the demo generator writes it, and the metric catalog
(`gateway.metrics.catalog`) reads it. `dims` lists the only dimension keys an event of
that kind may carry (they are kept in rollups and can be grouped by); anything else an
event wants to record goes in `attrs`. `value` says what the numeric `value` means.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventKind:
    subject_type: str
    type: str
    value: str
    dims: tuple[str, ...] = ()
    actor: str = "optional"
    """`required` for kinds whose metrics count distinct actors, else `optional`."""
    description: str = ""


SUBJECT_TYPES: dict[str, str] = {
    # subject_type -> table whose `id` subject_id refers to, and the natural key column
    "org": "orgs.key",
    "user": "users.username",
    "publication": "publications.custom_url",
    "mission": "missions.key",
    "content": "content.key",
    "agent": "agents.key",
    "workflow": "workflows.key",
    "thread": "threads.id",
    "course": "courses.key",
}

COUNT = "1 per event"

_KINDS = [
    # AISquare (000): engagement on a publication, actor = the user
    EventKind("publication", "view", COUNT, ("experience_type",), description="A view"),
    EventKind("publication", "like", COUNT, ("experience_type",)),
    EventKind("publication", "bookmark", COUNT, ("experience_type",), description="A save"),
    EventKind("publication", "share", COUNT, ("experience_type",)),
    EventKind("publication", "comment", COUNT, ("experience_type",)),
    EventKind("publication", "appointment", COUNT, description="A booked appointment"),
    EventKind("publication", "play", COUNT, ("experience_type",), "required"),
    EventKind("publication", "completion", COUNT, ("experience_type",), "required"),
    # AMP (001): content performance (value = how many, reported in batches)
    EventKind("content", "publish", COUNT, description="The content went live"),
    EventKind("content", "impression", "impressions"),
    EventKind("content", "engagement", "engagements"),
    EventKind("content", "click", "link clicks"),
    EventKind("mission", "follower_gain", "followers gained", ("platform",)),
    # AI generation cost, on a mission (AMP) or an agent (ibl.ai), value in USD cents
    EventKind("mission", "cost", "USD cents", ("provider", "provider_type", "model", "stage")),
    EventKind("mission", "tokens", "tokens", ("provider", "model")),
    EventKind("mission", "image", "images generated", ("provider",)),
    EventKind("agent", "cost", "USD cents", ("provider", "provider_type", "model", "stage")),
    EventKind("agent", "tokens", "tokens", ("provider", "model")),
    # Agents (002 platform, ibl.ai mentors, Athena agents)
    EventKind("agent", "message", COUNT, ("topic",), description="A message processed"),
    EventKind("agent", "session", COUNT, ("topic",), "required", "A chat session started"),
    EventKind("agent", "rating", "rating 1-5", (), "required"),
    EventKind("agent", "request", "response time ms"),
    EventKind("agent", "error", COUNT),
    EventKind("agent", "uptime", "uptime ratio 0-1 per check"),
    EventKind("agent", "cpu", "cpu percent sample"),
    EventKind("agent", "memory", "memory percent sample"),
    EventKind("agent", "execution", "duration ms", ("status",)),
    EventKind("agent", "created", COUNT),
    EventKind("agent", "copied", COUNT),
    EventKind("agent", "share", COUNT),
    EventKind("org", "uptime", "platform uptime ratio 0-1 per check"),
    # Athena (004): workflows and threads
    EventKind("workflow", "execution", "duration ms", ("status",)),
    EventKind("workflow", "created", COUNT),
    EventKind("workflow", "copied", COUNT),
    EventKind("workflow", "share", COUNT),
    EventKind("thread", "created", COUNT),
    EventKind("thread", "message", COUNT),
    # Agent platform music summary (002): subject = the artist (a user)
    EventKind("user", "stream", COUNT, ("platform",), "required", "A stream; actor = fan"),
    EventKind("user", "revenue", "USD cents", ("source",)),
    # ibl.ai learning (003)
    EventKind("course", "time_spent", "seconds", (), "required"),
    EventKind("course", "activity", COUNT, ("activity",), "required"),
]

EVENT_KINDS: dict[tuple[str, str], EventKind] = {(k.subject_type, k.type): k for k in _KINDS}


def kind_of(subject_type: str, type_: str) -> EventKind | None:
    return EVENT_KINDS.get((subject_type, type_))
