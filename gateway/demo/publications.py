"""AISquare (seed 000): publications with co-creators, experiences of all four types,
follows, and engagement events with a long-tailed popularity and per-publication trends.
`ai-research-studio` is the documented example (owned by `publication_owner`, with
`co_creator` as co-creator)."""

from __future__ import annotations

import json
from bisect import bisect
from itertools import accumulate

from gateway.demo import texts
from gateway.demo.shapes import DAYS, EVENING_HOURS, LEISURE_WEEK, curve, daily_counts, zipf
from gateway.demo.world import World
from gateway.models.publications import EXPERIENCE_TYPES

EXAMPLE_URL = "ai-research-studio"

# Per view: the other engagement kinds (plays and completions carry experience_type).
RATES = {"like": 0.09, "bookmark": 0.035, "share": 0.02, "comment": 0.015, "play": 0.4}


def build(w: World) -> None:
    rng = w.rng("publications")
    t, n = w.tables, w.scale.publications
    pubs = []
    for rank in range(n):
        pid = t.new_id("publications")
        if rank == 1 or n == 1:
            url, name = EXAMPLE_URL, "AI Research Studio"
            owner = w.people.get("publication_owner") or w.uids[0]
            day, growth, bump, bookings = 10, 0.9, 0.6, True
        else:
            a, b = rng.choice(texts.ADJ), rng.choice(texts.NOUN)
            url, name = f"{a}-{b}-{pid}", f"{a.title()} {b.title()}"
            owner = w.uids[rng.randrange(max(1, len(w.uids) // 8))]
            day = rng.choice((rng.randrange(0, 200), rng.randrange(0, 380)))
            growth, bump = None, (0.8 if rng.random() < 0.1 else 0.0)
            bookings = rng.random() < 0.3
        created = w.at(t_day := w.tl.day_epoch(day) + 10 * 3600)
        w.add("publications", pid, url, name, owner, bookings, created)
        cocreators = []
        if url == EXAMPLE_URL and "co_creator" in w.people:
            cocreators.append(w.people["co_creator"])
        for _ in range(rng.choice((0, 0, 1, 2))):
            u = w.uids[rng.randrange(len(w.uids))]
            if u != owner and u not in cocreators:
                cocreators.append(u)
        for u in cocreators:
            w.add("publication_cocreators", pid, u)
        counts = dict.fromkeys(EXPERIENCE_TYPES, 0)
        kinds = list(EXPERIENCE_TYPES) if url == EXAMPLE_URL else []
        kinds += rng.choices(EXPERIENCE_TYPES, (5, 4, 2, 2), k=rng.randrange(2, 20))
        for kind in kinds:
            eday = rng.randrange(day, DAYS + 1)
            title = texts.experience_title(rng, kind)
            w.add(
                "experiences",
                t.new_id("experiences"),
                pid,
                kind,
                title,
                w.at(w.tl.day_epoch(eday) + rng.randrange(8, 20) * 3600),
            )
            counts[kind] += 1
        types = [k for k in EXPERIENCE_TYPES if counts[k]]
        trend = curve(rng, start=day, growth=growth, bump=bump)
        pubs.append((pid, url, types, [counts[k] for k in types], trend, bookings, t_day))
    w.h["publications"] = pubs
    _follows(w, rng, pubs)


def _follows(w: World, rng, pubs) -> None:
    pop = zipf(len(pubs), 1.0)
    for (pid, _url, *_rest, created), p in zip(pubs, pop, strict=True):
        users = rng.sample(w.uids, min(len(w.uids), int(len(w.uids) * min(0.6, p * 2.5)) + 1))
        for u in users:
            ts = max(created, w.tl.day_epoch(w.uday[u])) + rng.randrange(86400 * 60)
            if ts < w.tl.cutoff:
                w.add("follows", u, pid, w.at(ts))
    owner = w.people.get("publication_owner")
    if owner:
        for pid, *_rest in rng.sample(pubs[2:], min(6, len(pubs) - 2)):
            w.add("follows", owner, pid, w.at(w.tl.day_epoch(20)))


def events(w: World) -> None:
    pubs = w.h["publications"]
    total = 130 * w.scale.volume
    for (pid, url, types, weights, trend, bookings, _), share in zip(
        pubs, zipf(len(pubs), 1.1), strict=True
    ):
        rng = w.rng("pub-events", pid)
        rnd = rng.random
        pick = w.picker(f"pub{pid}", 2.0)
        cum = list(accumulate(weights))
        dims = [json.dumps({"experience_type": k}) for k in types]
        views = daily_counts(
            rng, total * (share * 2 if url == EXAMPLE_URL else share), trend, w.tl, LEISURE_WEEK
        )
        completion = rng.uniform(0.3, 0.75)
        hours, top = EVENING_HOURS, EVENING_HOURS[-1]
        for d in range(DAYS + 1):
            nv = views[d]
            if not nv and not (bookings and trend[d]):
                continue
            base = w.tl.day_epoch(d)
            plan = [("view", nv)]
            for kind, rate in RATES.items():
                plan.append((kind, int(nv * rate + rnd())))
            plays = plan[-1][1]
            plan.append(("completion", int(plays * completion + rnd())))
            for kind, k in plan:
                for _ in range(k):
                    ts = base + bisect(hours, rnd() * top) * 3600 + int(rnd() * 3600)
                    dim = dims[bisect(cum, rnd() * cum[-1])] if dims else "{}"
                    w.emit(kind, "publication", pid, ts, pick(d, rnd()), 1.0, dim)
            if bookings and trend[d] and rnd() < 0.35 * trend[d] * min(1.0, w.scale.volume * 4):
                ts = base + (9 + int(rnd() * 8)) * 3600
                w.emit("appointment", "publication", pid, ts, pick(d, rnd()))
