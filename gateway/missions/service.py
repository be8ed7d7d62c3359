"""Derived AMP numbers: every formula the AMP analytics document leaves implicit is
defined here, computed from metric-engine sums (no SQL, no GraphQL).

Attribution. Every number covers the events *in the period*: `posts` = publish events,
`impressions` / `engagements` / `clicks` = the sums of those events (late impressions of
content published earlier count in the period they happen). A breakdown by a content
attribute (platform, type, pillar, topic, publish hour, publish weekday) attributes each
event to its content's attribute; hours and weekdays are those of `published_at` in the
period's timezone.

Rates are ratios of sums, never averages of ratios:
    engagement rate (percent)  = 100 × Σ engagements / Σ impressions   (None when Σ imp = 0)
The document's `avg_engagement_rate` fields are this ratio over the group's content.
    avg impressions per post   = Σ impressions / Σ posts               (None when no posts)

Best day / best time (`best_day`, `best_time`): among the publish weekdays (hours) with
at least MIN_SAMPLE (2) content items — a single post is never "the best" — the one whose
content has the highest engagement rate; ties -> more impressions, then the earlier day
(hour). Groups without impressions are skipped; None when no group has the sample. Its
confidence (`best_day_confidence`, `best_time_confidence`) is `confidence(n)` below with
n = the content items of the winning weekday (hour).

Optimization insights (`optimization_insights`), each with a confidence from sample size
`confidence = n / (n + 5)` (n = content items behind the claim; 2 decimals):
* timing   - about the best day and the hour band of the best time (bands: night 0-5,
             morning 6-11, afternoon 12-16, evening 17-21, night 22-23; without a best
             time, the band with the best rate among bands with >= 2 items), so it never
             names another part of the week than `best_day` / `best_time`: the cell (best
             day, that band) when it has >= 2 items and beats the overall rate:
             "<Day> <band> posts outperform the average by X%"; else the best day alone
             when it beats the overall rate: "<Day> posts outperform the average by X%"
             (X = 100 × (rate / overall rate - 1), n = the items of the cell / day).
* content  - the best content type (>= 2 items) against all other types together
             (>= 2 items): "<type>s get M.Mx the engagement rate of other types",
             n = min(items of the type, items of the rest); only when M > 1.
* platform - the same comparison between platforms.

Recommendations (`recommendations`), in this order, each only when its condition holds:
* the best type (>= 2 items) beats the most-published type by >= 10%:
  "Increase <best> frequency - they outperform <most>s by X%";
* the timing insight's slot beats the overall rate by >= 10%: "Shift more posting to
  <Day> <band>s" (or "<Day>s"): the best day of `by_day_of_week` and the band of the best
  hour of `by_time_of_day` (both among groups with >= 2 items), never another slot;
* the worst weekday (>= 2 items) is at most 80% of the overall rate:
  "Consider pausing <Day> posts due to lower engagement".

KPI progress (`kpi_progress`), measured over the mission's own range (start_date 00:00 UTC
.. end_date + 1 day), elapsed share `s = clamp((now - start) / (end - start), 0, 1)`:
* progress percent = 100 × current / target;
* projected final, summable metric = current / s (linear to the mission end; = current
  once the mission is over; None before it starts);
* projected final, rate = current × s + recent × (1 - s), where `recent` is the rate over
  the latest half of the elapsed time (the remaining time is assumed to run at the recent
  rate, i.e. the current rate adjusted by its trend); = current when recent is undefined;
* status: `exceeded` when current > target; otherwise with p = projected (or current)
  `on_track` when p >= target, `at_risk` when p >= 80% of target, else `behind`.
  None when current is undefined.

Cost projection (`month_projection`), for the calendar month containing `now` in the
requested timezone: daily rate = month-to-date cost / elapsed days (fractional);
projected = daily rate × days in the month; with an org budget for that month the
exhaustion date is month start + budget / daily rate (today if already spent; None if it
falls after the month), and days until limit = exhaustion date - today.

Velocity (`velocity`) of content published in the last 24 h = impressions since publishing
/ max(hours since publishing, 1); classed against the median velocity of the org's content
published in the last 24 h: `high` >= 1.5 × median, `low` <= 0.5 × median, else `medium`
(median 0: `high` when > 0, else `low`). `trending` = velocity `high` and the item's
engagement rate >= the org's last-24h engagement rate.
"""

from __future__ import annotations

import calendar
import statistics
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from gateway.missions.loaders import ContentStat

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MIN_SAMPLE = 2
CONFIDENCE_K = 5
AT_RISK_SHARE = 0.8


def rate(engagements: float, impressions: float) -> float | None:
    """Engagements per 100 impressions (a ratio of sums); None without impressions."""
    return 100.0 * engagements / impressions if impressions else None


def confidence(n: int) -> float:
    return round(n / (n + CONFIDENCE_K), 2)


def hour_band(hour: int) -> str:
    if 6 <= hour < 12:
        return "morning"
    if 12 <= hour < 17:
        return "afternoon"
    if 17 <= hour < 22:
        return "evening"
    return "night"


# --- groups -----------------------------------------------------------------------------


@dataclass
class Group:
    """Sums of one group of content (`items` = content items in the group)."""

    key: Hashable
    posts: int = 0
    impressions: float = 0.0
    engagements: float = 0.0
    clicks: float = 0.0
    items: int = 0
    stats: list[ContentStat] = field(default_factory=list, repr=False)

    @property
    def engagement_rate(self) -> float | None:
        return rate(self.engagements, self.impressions)

    @property
    def avg_impressions(self) -> float | None:
        return self.impressions / self.posts if self.posts else None

    def add(self, s: ContentStat) -> None:
        self.posts += s.posts
        self.impressions += s.impressions
        self.engagements += s.engagements
        self.clicks += s.clicks
        self.items += 1
        self.stats.append(s)


def total(stats: Iterable[ContentStat]) -> Group:
    g = Group(None)
    for s in stats:
        g.add(s)
    return g


def group_by(
    stats: Iterable[ContentStat], key: Callable[[ContentStat], Hashable]
) -> dict[Hashable, Group]:
    """Groups keyed by `key(stat)`; stats whose key is ... (Ellipsis) are skipped."""
    out: dict[Hashable, Group] = {}
    for s in stats:
        k = key(s)
        if k is ...:
            continue
        out.setdefault(k, Group(k)).add(s)
    return out


def local_published(s: ContentStat, tz: ZoneInfo) -> datetime | None:
    p = s.content.published_at
    return p.astimezone(tz) if p is not None else None


def by_hour(stats: Iterable[ContentStat], tz: ZoneInfo) -> dict[Hashable, Group]:
    def k(s):
        p = local_published(s, tz)
        return p.hour if p else ...

    return group_by(stats, k)


def by_weekday(stats: Iterable[ContentStat], tz: ZoneInfo) -> dict[Hashable, Group]:
    """Keyed 0 = Monday .. 6 = Sunday."""

    def k(s):
        p = local_published(s, tz)
        return p.weekday() if p else ...

    return group_by(stats, k)


def _none_last(v):
    return (v is None, "" if v is None else v)


def best_group(groups: Iterable[Group], min_items: int = 1) -> Group | None:
    """Highest engagement rate; ties -> more impressions, then smaller key."""
    ok = [g for g in groups if g.impressions > 0 and g.items >= min_items]
    if not ok:
        return None
    return min(ok, key=lambda g: (-g.engagement_rate, -g.impressions, _none_last(g.key)))


def worst_group(groups: Iterable[Group], min_items: int = 1) -> Group | None:
    ok = [g for g in groups if g.impressions > 0 and g.items >= min_items]
    if not ok:
        return None
    return min(ok, key=lambda g: (g.engagement_rate, -g.impressions, _none_last(g.key)))


def best_day_group(stats: Sequence[ContentStat], tz: ZoneInfo) -> Group | None:
    return best_group(by_weekday(stats, tz).values(), MIN_SAMPLE)


def best_hour_group(stats: Sequence[ContentStat], tz: ZoneInfo) -> Group | None:
    return best_group(by_hour(stats, tz).values(), MIN_SAMPLE)


def best_day(stats: Sequence[ContentStat], tz: ZoneInfo) -> str | None:
    g = best_day_group(stats, tz)
    return WEEKDAYS[g.key] if g else None


def best_time(stats: Sequence[ContentStat], tz: ZoneInfo) -> str | None:
    g = best_hour_group(stats, tz)
    return f"{g.key:02d}:00" if g else None


def best_day_confidence(stats: Sequence[ContentStat], tz: ZoneInfo) -> float | None:
    g = best_day_group(stats, tz)
    return confidence(g.items) if g else None


def best_time_confidence(stats: Sequence[ContentStat], tz: ZoneInfo) -> float | None:
    g = best_hour_group(stats, tz)
    return confidence(g.items) if g else None


SORTS = {
    "ENGAGEMENT_RATE": lambda g: g.engagement_rate,
    "IMPRESSIONS": lambda g: g.impressions,
    "CLICKS": lambda g: g.clicks,
    "POSTS": lambda g: g.posts,
}


def sorted_groups(groups: Iterable[Group], sort_by: str = "IMPRESSIONS") -> list[Group]:
    """Descending by `sort_by` (None last), ties by key ascending (None key last)."""
    value = SORTS[sort_by]

    def k(g: Group):
        v = value(g)
        return (v is None, -(v or 0), _none_last(g.key))

    return sorted(groups, key=k)


# --- insights and recommendations -------------------------------------------------------


@dataclass(frozen=True)
class Insight:
    type: str  # timing | content | platform
    insight: str
    confidence: float


@dataclass(frozen=True)
class TimingSlot:
    """The best day, with the band of the best time when that cell has the sample."""

    label: str  # "Tuesday afternoon" | "Tuesday"
    group: Group
    uplift: float  # percent above the overall rate


def _slot_band(stats: Sequence[ContentStat], tz: ZoneInfo) -> str | None:
    """The band of the best time; without one, the best band with the sample."""
    hour = best_hour_group(stats, tz)
    if hour is not None:
        return hour_band(hour.key)

    def k(s):
        p = local_published(s, tz)
        return hour_band(p.hour) if p else ...

    band = best_group(group_by(stats, k).values(), MIN_SAMPLE)
    return None if band is None else str(band.key)


def timing_slot(stats: Sequence[ContentStat], tz: ZoneInfo) -> TimingSlot | None:
    overall = total(stats).engagement_rate
    day = best_day_group(stats, tz)
    if day is None or not overall:
        return None
    band = _slot_band(stats, tz)
    if band is not None:

        def in_cell(s):
            p = local_published(s, tz)
            return p is not None and p.weekday() == day.key and hour_band(p.hour) == band

        cell = total(s for s in stats if in_cell(s))
        if cell.items >= MIN_SAMPLE and cell.impressions and cell.engagement_rate > overall:
            uplift = 100.0 * (cell.engagement_rate / overall - 1)
            return TimingSlot(f"{WEEKDAYS[day.key]} {band}", cell, uplift)
    if day.engagement_rate > overall:
        return TimingSlot(WEEKDAYS[day.key], day, 100.0 * (day.engagement_rate / overall - 1))
    return None


def _best_vs_rest(
    groups: dict[Hashable, Group],
) -> tuple[Group, float, int] | None:
    """(best group, best rate / rate of all other groups, min(items, rest items))."""
    best = best_group(groups.values(), MIN_SAMPLE)
    if best is None:
        return None
    rest = total(s for g in groups.values() if g.key != best.key for s in g.stats)
    if rest.items < MIN_SAMPLE or not rest.engagement_rate:
        return None
    return best, best.engagement_rate / rest.engagement_rate, min(best.items, rest.items)


def _plural(word: str) -> str:
    return word if word.endswith("s") else word + "s"


def optimization_insights(stats: Sequence[ContentStat], tz: ZoneInfo) -> list[Insight]:
    out: list[Insight] = []
    slot = timing_slot(stats, tz)
    if slot is not None:
        text = f"{slot.label} posts outperform the average by {slot.uplift:.0f}%"
        out.append(Insight("timing", text, confidence(slot.group.items)))
    found = _best_vs_rest(group_by(stats, lambda s: s.content.type))
    if found and found[1] > 1:
        g, m, n = found
        text = f"{_plural(str(g.key)).capitalize()} get {m:.1f}x the engagement rate of other types"
        out.append(Insight("content", text, confidence(n)))
    found = _best_vs_rest(group_by(stats, lambda s: s.content.platform))
    if found and found[1] > 1:
        g, m, n = found
        pct = 100.0 * (m - 1)
        text = f"{str(g.key).capitalize()} engagement rate is {pct:.0f}% above other platforms"
        out.append(Insight("platform", text, confidence(n)))
    return out


def recommendations(stats: Sequence[ContentStat], tz: ZoneInfo) -> list[str]:
    out: list[str] = []
    overall = total(stats).engagement_rate
    types = group_by(stats, lambda s: s.content.type)
    best = best_group(types.values(), MIN_SAMPLE)
    if types:
        most = min(types.values(), key=lambda g: (-g.items, -g.posts, str(g.key)))
        if best and most.key != best.key and most.engagement_rate:
            gain = 100.0 * (best.engagement_rate / most.engagement_rate - 1)
            if gain >= 10:
                out.append(
                    f"Increase {best.key} frequency - they outperform "
                    f"{_plural(str(most.key))} by {gain:.0f}%"
                )
    slot = timing_slot(stats, tz)
    if slot is not None and slot.uplift >= 10:
        out.append(f"Shift more posting to {slot.label}s")
    worst = worst_group(by_weekday(stats, tz).values(), MIN_SAMPLE)
    if worst and overall and worst.engagement_rate <= AT_RISK_SHARE * overall:
        out.append(f"Consider pausing {WEEKDAYS[worst.key]} posts due to lower engagement")
    return out


# --- KPIs -------------------------------------------------------------------------------

KPI_METRICS: dict[str, str] = {
    "engagement_rate": "content.engagement_rate",
    "click_through_rate": "content.click_through_rate",
    "impressions": "content.impressions",
    "engagements": "content.engagements",
    "link_clicks": "content.clicks",
    "clicks": "content.clicks",
    "posts_published": "content.posts",
    "posts": "content.posts",
    "followers_gained": "mission.followers_gained",
}


def elapsed_share(start: datetime, end: datetime, now: datetime) -> float:
    """Share of [start, end) elapsed at `now`, clamped to 0..1."""
    span = (end - start).total_seconds()
    if span <= 0:
        return 1.0
    return min(1.0, max(0.0, (now - start).total_seconds() / span))


def project_summable(current: float | None, share: float) -> float | None:
    if current is None or share <= 0:
        return None
    return float(current) if share >= 1 else current / share


def project_rate(current: float | None, recent: float | None, share: float) -> float | None:
    if current is None:
        return None
    if share >= 1 or recent is None:
        return float(current)
    return current * share + recent * (1 - share)


def kpi_status(current: float | None, target: float, projected: float | None) -> str | None:
    if current is None:
        return None
    if current > target:
        return "exceeded"
    p = projected if projected is not None else current
    if p >= target:
        return "on_track"
    if p >= AT_RISK_SHARE * target:
        return "at_risk"
    return "behind"


def progress_percent(current: float | None, target: float) -> float | None:
    if current is None or not target:
        return None
    return 100.0 * current / target


# --- costs ------------------------------------------------------------------------------


def months_overlapping(first: date, last: date) -> tuple[date, date]:
    """(first month start, last month start) of the months [first, last] touches."""
    return first.replace(day=1), last.replace(day=1)


@dataclass(frozen=True)
class Projection:
    monthly_projected_cents: float | None
    budget_exhaustion_date: date | None
    days_until_limit: int | None


def month_bounds(now_local: datetime) -> tuple[datetime, datetime, int]:
    """(local month start, next month start, days in the month) for `now_local`."""
    start = now_local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    days = calendar.monthrange(start.year, start.month)[1]
    nxt = (start + timedelta(days=32)).replace(day=1)
    return start, nxt, days


def month_projection(mtd_cents: float, now_local: datetime, limit_cents: int | None) -> Projection:
    start, nxt, days = month_bounds(now_local)
    elapsed = (now_local - start).total_seconds() / 86400
    if elapsed <= 0:
        return Projection(None, None, None)
    daily = mtd_cents / elapsed
    projected = daily * days
    if limit_cents is None:
        return Projection(projected, None, None)
    today = now_local.date()
    if mtd_cents >= limit_cents:
        return Projection(projected, today, 0)
    if daily <= 0:
        return Projection(projected, None, None)
    hits = start + timedelta(days=limit_cents / daily)
    if hits >= nxt:
        return Projection(projected, None, None)
    return Projection(projected, hits.date(), (hits.date() - today).days)


# --- compare ----------------------------------------------------------------------------


def compare_insights(
    rate_change_percent: float | None,
    posts1: int,
    posts2: int,
    impressions1: float,
    impressions2: float,
) -> list[str]:
    """Period 1 against period 2 (the baseline): engagement-rate and volume sentences.

    Engagement rate: "improved X%" / "declined X%" (relative change), "held steady" when
    |X| < 1. Volume: posts "increased" / "decreased" / "held steady", "slightly" when the
    relative change is under 10%; then the reach per post, never contradicting the rate
    sentence: "with better efficiency" when impressions per post rose and the engagement
    rate did not decline, "with lower efficiency" when impressions per post fell and the
    rate did not improve, else plainly "with more (fewer) impressions per post"."""
    out: list[str] = []
    pct = rate_change_percent
    if pct is not None:
        if abs(pct) < 1:
            out.append("Engagement rate held steady period-over-period")
        elif pct > 0:
            out.append(f"Engagement rate improved {pct:.0f}% period-over-period")
        else:
            out.append(f"Engagement rate declined {-pct:.0f}% period-over-period")
    if posts1 == posts2:
        text = "Publishing volume held steady"
    else:
        word = "increased" if posts1 > posts2 else "decreased"
        small = posts2 and abs(posts1 - posts2) / posts2 < 0.1
        text = f"Publishing volume {word}{' slightly' if small else ''}"
    if posts1 and posts2:
        ipp1, ipp2 = impressions1 / posts1, impressions2 / posts2
        improved = pct is not None and pct >= 1
        declined = pct is not None and pct <= -1
        if ipp1 > ipp2:
            text += " with more impressions per post" if declined else " with better efficiency"
        elif ipp1 < ipp2:
            text += " with fewer impressions per post" if improved else " with lower efficiency"
    out.append(text)
    return out


# --- realtime ---------------------------------------------------------------------------


def velocity(impressions: float, published_at: datetime, now: datetime) -> float:
    """Impressions per hour since publishing (at least one hour)."""
    hours = max((now - published_at).total_seconds() / 3600, 1.0)
    return impressions / hours


def velocity_class(v: float, median: float) -> str:
    if median <= 0:
        return "high" if v > 0 else "low"
    if v >= 1.5 * median:
        return "high"
    if v <= 0.5 * median:
        return "low"
    return "medium"


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else 0.0
