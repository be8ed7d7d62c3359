"""Derived publication numbers: which catalog metrics feed the two legacy AISquare views
and the formulas of the computed values. No GraphQL and no SQL here: inputs are sums the
metric engine returned for one publication and one period.

Owner / co-creator metrics (`/aistudios/metrics/`)
    engagement      views, likes, bookmarks, shares, comments, appointments over the
                    requested period; the document does not scope them to a window, so
                    the default period is ALL (all time).
    monthly active  distinct users with any publication event (view, like, bookmark,
    users           share, comment, appointment, play, completion) in the last 30 days
                    (`publication.active_users` over LAST_30D).

Public impact (`/aistudios/public-impact/`), always over the last 30 days (LAST_30D:
the last 30 UTC days including today, `PUBLIC_IMPACT_DAYS`)
    total_plays      play events
    likes_count      like events
    saves_count      bookmark events (a bookmark is a save)
    active_users     distinct users with any publication event in the window
    completion_rate  percent, `100 × completions / plays` — a ratio of the window's sums,
                     never an average of daily rates — rounded to 2 decimals; **null when
                     there were no plays** (0 would claim nobody finished what nobody
                     started). It can exceed 100 only if completions were recorded without
                     plays; it is reported as computed and clamped in the score.
    influence_score  0–100, one decimal:

        E      = plays + 2·likes + 3·saves + 3·comments + 4·shares
        reach  = min(1, log10(1 + E) / log10(1 + 10 000))
        finish = 0.5 + 0.5 · min(completion_rate, 100) / 100     (0.5 when no plays)
        score  = round(100 · reach · finish, 1)

    Rationale: the weights grow with the effort and intent of the action (a play is
    passive, a like is a tap, saving or commenting signals lasting interest, sharing
    brings new audience). Engagement volumes are heavy-tailed, so the score is
    log-scaled: each tenfold increase adds the same amount, and a publication with a
    weighted engagement of 10 000 or more in 30 days gets full reach credit (hence the
    bound). Completion says whether the engagement is with content people actually
    finish: it scales the score between half (nobody finishes) and full (everybody
    does), so reach cannot be bought by plays alone. No engagement at all scores 0.

    Worked example (tested): plays 80, likes 20, saves 10, comments 10, shares 5,
    completions 60 -> E = 80 + 40 + 30 + 30 + 20 = 200, reach = log10(201) / log10(10001)
    = 0.575793, completion_rate = 75.0, finish = 0.875, score = 50.4.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from gateway.models.publications import EXPERIENCE_TYPES

PUBLIC_IMPACT_DAYS = 30

ENGAGEMENT_METRICS: dict[str, str] = {
    "total_views": "publication.views",
    "total_likes": "publication.likes",
    "total_bookmarks": "publication.bookmarks",
    "total_shares": "publication.shares",
    "total_comments": "publication.comments",
    "total_appointments": "publication.appointments",
}

ACTIVE_USERS = "publication.active_users"

PUBLIC_IMPACT_METRICS: tuple[str, ...] = (
    "publication.plays",
    "publication.likes",
    "publication.bookmarks",
    "publication.shares",
    "publication.comments",
    "publication.completions",
    ACTIVE_USERS,
)

WEIGHTS: dict[str, float] = {"plays": 1, "likes": 2, "saves": 3, "comments": 3, "shares": 4}
SATURATION = 10_000
"""Weighted engagement at which the reach part of the influence score is full."""


def completion_rate(completions: int, plays: int) -> float | None:
    """Percent of plays completed, 2 decimals; None when there were no plays."""
    if not plays:
        return None
    return round(100.0 * completions / plays, 2)


def influence_score(
    *,
    plays: int,
    likes: int,
    saves: int,
    shares: int,
    comments: int,
    completion_rate: float | None,
) -> float:
    """The bounded 0–100 influence score (see the module docstring)."""
    weighted = (
        WEIGHTS["plays"] * plays
        + WEIGHTS["likes"] * likes
        + WEIGHTS["saves"] * saves
        + WEIGHTS["comments"] * comments
        + WEIGHTS["shares"] * shares
    )
    if weighted <= 0:
        return 0.0
    reach = min(1.0, math.log10(1 + weighted) / math.log10(1 + SATURATION))
    rate = 0.0 if completion_rate is None else max(0.0, min(completion_rate, 100.0))
    finish = 0.5 + 0.5 * rate / 100.0
    return round(100.0 * reach * finish, 1)


@dataclass(frozen=True)
class PublicImpact:
    total_plays: int
    likes_count: int
    saves_count: int
    shares_count: int
    comments_count: int
    completions: int
    active_users: int
    completion_rate: float | None
    influence_score: float


def public_impact(values: Mapping[str, int | None]) -> PublicImpact:
    """`values`: catalog metric name -> total over the window (PUBLIC_IMPACT_METRICS)."""

    def v(name: str) -> int:
        return int(values.get(name) or 0)

    plays, completions = v("publication.plays"), v("publication.completions")
    rate = completion_rate(completions, plays)
    # the score uses the unrounded rate so that it does not depend on display rounding
    exact_rate = 100.0 * completions / plays if plays else None
    return PublicImpact(
        total_plays=plays,
        likes_count=v("publication.likes"),
        saves_count=v("publication.bookmarks"),
        shares_count=v("publication.shares"),
        comments_count=v("publication.comments"),
        completions=completions,
        active_users=v(ACTIVE_USERS),
        completion_rate=rate,
        influence_score=influence_score(
            plays=plays,
            likes=v("publication.likes"),
            saves=v("publication.bookmarks"),
            shares=v("publication.shares"),
            comments=v("publication.comments"),
            completion_rate=exact_rate,
        ),
    )


def experience_counts(by_type: Mapping[str, int]) -> dict[str, int]:
    """{AI_EXPERT, AI_NOTE, QUEST, PODCAST, total}; types outside the four are counted in
    the total only."""
    counts = {t: int(by_type.get(t, 0)) for t in EXPERIENCE_TYPES}
    counts["total"] = sum(int(n) for n in by_type.values())
    return counts
