"""Agent platform (seed 002): platform agents with statuses, deployments, uptime / cpu /
memory samples, messages, response times and errors; and the music side: artists with
bookings, fans, streams, revenue and skills. `artist` owns three of the agents."""

from __future__ import annotations

import json
from bisect import bisect

from gateway.demo.shapes import (
    DAYS,
    EVENING_HOURS,
    FLAT_HOURS,
    FLAT_WEEK,
    LEISURE_WEEK,
    curve,
    daily_counts,
    zipf,
)
from gateway.demo.world import World

SKILLS = [
    "Setlist builder",
    "Press kit writer",
    "Tour routing",
    "Fan Q&A",
    "Merch pricing",
    "Lyric drafting",
    "Playlist pitching",
    "Royalty checker",
    "Booking replies",
    "Social scheduler",
    "Grant finder",
    "Rider assistant",
    "Venue scout",
    "Newsletter",
]
STREAM_PLATFORMS = {"spotify": 55, "apple_music": 20, "youtube_music": 15, "soundcloud": 10}
FAN_BASE = 50_000_000
"""Fan ids (listeners, not Tally users) start here: artist i's fans are FAN_BASE + i*10^6 + n."""


def build(w: World) -> None:
    rng, t, tl = w.rng("platform"), w.tables, w.tl
    artists = [w.people["artist"]] if "artist" in w.people else []
    artists += [w.uids[3 + i] for i in range(w.scale.artists - len(artists))]
    agents = []
    names = ("Booking Assistant", "Fan Concierge", "Tour Planner")
    for i in range(w.scale.platform_agents):
        aid = t.new_id("agents")
        if i < 3 and "artist" in w.people:
            owner, name = w.people["artist"], names[i]
            status, day = ("active", "active", "inactive")[i], 20 + 40 * i
        else:
            owner = rng.choice(artists) if rng.random() < 0.5 else w.uids[rng.randrange(20)]
            name = f"{rng.choice(('Promo', 'Studio', 'Release', 'Label', 'Fan'))} Agent {aid}"
            status = rng.choices(("active", "inactive", "failed"), (70, 20, 10))[0]
            day = rng.randrange(0, DAYS - 30)
        if i == 3:
            status = "failed"  # at least one of each status
        slug = name.lower().replace(" ", "-")
        w.add(
            "agents",
            aid,
            f"agt-{slug}-{aid}",
            "platform",
            name,
            owner,
            None,
            status,
            rng.randrange(50, 900),
            None,
            w.at(tl.day_epoch(day) + 10 * 3600),
        )
        stop = rng.randrange(DAYS - 45, DAYS - 5) if status == "inactive" else DAYS
        fail = rng.randrange(DAYS - 6, DAYS - 1) if status == "failed" else None
        for k in range(rng.randrange(2, 14)):
            dday = min(day + k * rng.randrange(5, 30), stop)
            ok = rng.random() < 0.9 and not (fail and dday >= fail - 1)
            w.add(
                "deployments",
                t.new_id("deployments"),
                aid,
                "successful" if ok else "failed",
                w.at(tl.day_epoch(dday) + rng.randrange(86400)),
            )
        agents.append((aid, owner, day, stop, fail))
    for i, artist in enumerate(artists):
        for k in range(14 if i == 0 else rng.randrange(3, 7)):
            day = int(DAYS * (1 - rng.random() ** 1.5))
            w.add(
                "skills",
                t.new_id("skills"),
                artist,
                SKILLS[k % len(SKILLS)],
                rng.random() < 0.75,
                w.at(tl.day_epoch(day)),
            )
    w.h["platform_agents"], w.h["artists"] = agents, artists


def events(w: World) -> None:
    _agent_events(w)
    _music_events(w)
    _uptime(w, "org", w.org_id, w.rng("org-uptime"), 0, DAYS, None)


def _samples(d: int) -> range:
    """Hours of day `d` that get an uptime / cpu / memory sample: hourly in the last 30
    days (the 24h / 7d / 30d charts), one at noon before that."""
    return range(24) if d >= DAYS - 30 else range(12, 13)


SAMPLE_SECOND = 3540
"""Samples are taken at minute 59 of their hour, so the last one lies a minute before the
anchor ("now"): the agent platform's "current" cpu / memory (last 60 minutes) and the
24h chart's last hours are measured right after seeding."""


def _uptime(w: World, subject_type: str, sid: int, rng, start: int, stop: int, fail) -> None:
    rnd = rng.random
    for d in range(start, stop + 1):
        base = w.tl.day_epoch(d)
        for h in _samples(d):
            down = (fail is not None and d >= fail) or rnd() < 0.004
            v = 0.0 if down else (1.0 if rnd() < 0.97 else 0.98)
            at = base + h * 3600 + SAMPLE_SECOND
            w.emit("uptime", subject_type, sid, at, None, v)
            if subject_type == "agent":
                load = 0.0 if down else 0.3 + 0.5 * FLAT_HOURS[h] / 24 * rnd()
                w.emit("cpu", "agent", sid, at, None, round(8 + 70 * load, 1))
                w.emit(
                    "memory",
                    "agent",
                    sid,
                    at,
                    None,
                    round(35 + 30 * rnd() + (0 if down else 10 * load), 1),
                )


def _agent_events(w: World) -> None:
    agents = w.h["platform_agents"]
    total = 150 * w.scale.volume
    for (aid, owner, day, stop, fail), share in zip(agents, zipf(len(agents), 1.0), strict=True):
        rng = w.rng("agent-events", aid)
        rnd, lognorm = rng.random, rng.lognormvariate
        w.emit("created", "agent", aid, w.tl.day_epoch(day) + 10 * 3600, owner)
        trend = curve(rng, start=day, end=min(stop, fail or DAYS))
        per_day = daily_counts(rng, total * share, trend, w.tl, FLAT_WEEK)
        err = 0.12 if fail else rng.uniform(0.005, 0.03)
        slow = 1.6 if fail else 1.0
        top = EVENING_HOURS[-1]
        for d, n in enumerate(per_day):
            base = w.tl.day_epoch(d)
            for _ in range(n):
                ts = base + bisect(EVENING_HOURS, rnd() * top) * 3600 + int(rnd() * 3600)
                w.emit("message", "agent", aid, ts, None)
                if rnd() < 0.3:
                    w.emit("request", "agent", aid, ts, None, round(lognorm(6.1, 0.35) * slow))
                if rnd() < err:
                    w.emit("error", "agent", aid, ts + 1, None)
        _uptime(w, "agent", aid, rng, day, stop, fail)


def _music_events(w: World) -> None:
    tl = w.tl
    plats = list(STREAM_PLATFORMS)
    cum = [sum(list(STREAM_PLATFORMS.values())[: i + 1]) for i in range(len(plats))]
    dims = [json.dumps({"platform": p}) for p in plats]
    total = 260 * w.scale.volume
    artists = w.h["artists"]
    fans_rows = []
    for i, (artist, share) in enumerate(zip(artists, zipf(len(artists), 0.9), strict=True)):
        rng = w.rng("music", artist)
        rnd = rng.random
        main = i == 0 and artist == w.people.get("artist")
        trend = curve(rng, growth=1.4 if main else None, bump=0.5 if main else 0.0)
        per_day = daily_counts(rng, total * share, trend, tl, LEISURE_WEEK)
        cumulative, running = [], 0
        for n in per_day:
            running += n
            cumulative.append(running)
        pool = max(50, running // 12)
        first_seen: dict[int, int] = {}
        fan0 = FAN_BASE + i * 1_000_000
        top = EVENING_HOURS[-1]
        for d, n in enumerate(per_day):
            base = tl.day_epoch(d)
            m = max(1, pool * cumulative[d] // max(running, 1))
            for _ in range(n):
                ts = base + bisect(EVENING_HOURS, rnd() * top) * 3600 + int(rnd() * 3600)
                fan = fan0 + int(m * rnd() ** 2.5)
                if fan not in first_seen and ts < tl.cutoff:
                    first_seen[fan] = ts
                w.emit("stream", "user", artist, ts, fan, 1.0, dims[bisect(cum, rnd() * 100)])
            if n:
                cents = round(n * 0.4 * rng.uniform(0.9, 1.1))
                w.emit(
                    "revenue",
                    "user",
                    artist,
                    base + 23 * 3600,
                    None,
                    cents,
                    '{"source": "streaming"}',
                )
            if trend[d] and rnd() < 0.3 * trend[d]:
                w.emit(
                    "revenue",
                    "user",
                    artist,
                    base + int(rnd() * 86400),
                    None,
                    rng.randrange(15, 60) * 100,
                    '{"source": "merch"}',
                )
        for fan, ts in first_seen.items():
            fans_rows.append((artist, fan, w.at(ts)))
        _bookings(w, rng, artist, 40 if main else rng.randrange(5, 20))
    for row in sorted(fans_rows):
        w.add("fans", *row)


def _bookings(w: World, rng, artist: int, n: int) -> None:
    tl, t = w.tl, w.tables
    for _ in range(n):
        d = int(DAYS * (1 - rng.random() ** 1.6))
        created = tl.day_epoch(d) + rng.randrange(9, 19) * 3600
        if created >= tl.cutoff:
            created -= 86400
        if d > DAYS - 30:
            status = rng.choices(("inquiry", "pending", "completed"), (40, 45, 15))[0]
        else:
            status = rng.choices(
                ("completed", "cancelled", "pending", "inquiry"), (60, 15, 10, 15)
            )[0]
        amount = rng.randrange(500, 4000) * 100
        w.add("bookings", t.new_id("bookings"), artist, status, amount, w.at(created))
        if status == "completed":
            w.emit(
                "revenue",
                "user",
                artist,
                created + 7 * 86400,
                None,
                amount,
                '{"source": "bookings"}',
            )
