"""AMP (seed 001): missions with KPI targets and monthly budgets, content across
platforms / types / pillars / topics (some scheduled in the future), performance events
reported in batches after publishing, follower gains and AI generation cost.

Documented examples: mission `msn_2xK9mPqR4vN8sT3w` "Q1 Developer Outreach" (active),
`msn_xxx`, `msn_yyy` "Product Launch", content `cnt_xxx` (twitter, recent and viral) and
`cnt_yyy` (linkedin, scheduled at the next 14:00 UTC after the anchor).
"""

from __future__ import annotations

import json
import math
import string
from datetime import date

from gateway.demo import texts
from gateway.demo.shapes import DAYS, WORK_WEEK
from gateway.demo.world import World
from gateway.models.jobs import RETAIN

EXAMPLE_MISSION = "msn_2xK9mPqR4vN8sT3w"
CNT_XXX_PREVIEW = "APIs shouldn't feel like puzzles..."

PLATFORMS = {  # base impressions, engagement rate %, {type: weight}
    "twitter": (2600, 3.4, {"post": 65, "thread": 30, "video": 5}),
    "linkedin": (2100, 3.2, {"post": 60, "article": 20, "carousel": 20}),
    "instagram": (2400, 4.0, {"post": 40, "carousel": 40, "video": 20}),
    "facebook": (1300, 2.2, {"post": 80, "video": 20}),
}
TYPE_REACH = {"post": 1.0, "thread": 1.8, "article": 1.3, "carousel": 1.5, "video": 2.2}
TYPE_ER = {"post": 1.0, "thread": 1.5, "article": 0.9, "carousel": 1.3, "video": 1.2}
DAY_ER = (0.95, 1.25, 1.1, 1.0, 0.8, 0.75, 0.7)
SLOTS = {9: (35, 1.0), 12: (20, 0.85), 14: (30, 1.25), 17: (15, 1.05)}  # hour: weight, ER


def _schedule() -> list[tuple[int, float]]:
    """Batch report offsets after publishing (hourly for 12h, 6-hourly to 48h, then daily
    to two weeks) and the share of lifetime reach each batch carries."""
    offs = [h * 3600 for h in range(1, 13)] + [h * 3600 for h in range(18, 49, 6)]
    offs += [d * 86400 for d in range(3, 15)]
    w = [math.exp(-o / 3600 / 14) for o in offs]
    return [(o, x / sum(w)) for o, x in zip(offs, w, strict=True)]


SCHEDULE = _schedule()


def _key(rng, prefix: str) -> str:
    return prefix + "".join(rng.choices(string.ascii_letters + string.digits, k=16))


def _missions(w: World, rng) -> list[tuple]:
    """(key, name, status, start_day, end_day, paused_day, platforms, rate)"""
    rate = 0.5 * math.sqrt(w.scale.volume)
    if w.key != "acme":
        return [
            (
                _key(rng, "msn_"),
                "Brand Awareness",
                "active",
                DAYS - 90,
                DAYS + 30,
                None,
                ("linkedin", "twitter"),
                rate,
            )
        ]
    out = [
        (
            EXAMPLE_MISSION,
            "Q1 Developer Outreach",
            "active",
            DAYS - 75,
            DAYS + 15,
            None,
            ("twitter", "linkedin"),
            rate,
        ),
        (
            "msn_xxx",
            "Q1 Developer Outreach (EU)",
            "active",
            DAYS - 60,
            DAYS + 30,
            None,
            ("twitter", "linkedin", "instagram"),
            rate * 0.8,
        ),
        (
            "msn_yyy",
            "Product Launch",
            "active",
            DAYS - 40,
            DAYS + 20,
            None,
            ("twitter", "linkedin", "facebook"),
            rate * 1.2,
        ),
    ]
    names = (
        "Community Growth",
        "Hiring Push",
        "Conference Season",
        "Customer Stories",
        "Open Source Month",
        "Holiday Campaign",
        "Partner Spotlight",
        "Docs Relaunch",
    )
    for i in range(w.scale.missions - 3):
        name = f"{names[i % len(names)]}" + (f" {i // len(names) + 1}" if i >= len(names) else "")
        plats = tuple(rng.sample(list(PLATFORMS), rng.randint(1, 3)))
        if i == 0:
            out.append(
                (_key(rng, "msn_"), name, "paused", DAYS - 150, DAYS + 10, DAYS - 25, plats, rate)
            )
        elif i == 1:
            out.append((_key(rng, "msn_"), name, "draft", DAYS + 10, DAYS + 70, None, plats, 0))
        else:
            start = rng.randrange(0, 280)
            end = min(start + rng.randrange(45, 120), DAYS - 5)
            out.append(
                (
                    _key(rng, "msn_"),
                    name,
                    "completed",
                    start,
                    end,
                    None,
                    plats,
                    rate * rng.uniform(0.5, 1.3),
                )
            )
    return out


def _month(d: date) -> date:
    return d.replace(day=1)


def _months(a: date, b: date) -> list[date]:
    out, m = [], _month(a)
    while m <= b:
        out.append(m)
        m = date(m.year + m.month // 12, m.month % 12 + 1, 1)
    return out


def build(w: World) -> None:
    rng, t, tl = w.rng("missions"), w.tables, w.tl
    for month in _months(tl.date(0), tl.date(DAYS)):
        w.add("budgets", t.new_id("budgets"), None, month, 100_000)
    missions, contents = [], []
    for key, name, status, start, end, paused, plats, rate in _missions(w, rng):
        mid = t.new_id("missions")
        w.add(
            "missions",
            mid,
            key,
            name,
            status,
            tl.date(start),
            tl.date(end),
            w.at(tl.day_epoch(max(start - 7, 0)) + 11 * 3600),
        )
        er = 4.0 if key == EXAMPLE_MISSION else round(rng.uniform(3.0, 5.0), 1)
        imps = 100_000 if key == EXAMPLE_MISSION else round(rng.uniform(40, 160)) * 1000
        for metric, target in (
            ("engagement_rate", er),
            ("impressions", imps),
            ("link_clicks", imps // 65),
            ("followers_gained", imps // 330),
            ("posts_published", 45),
        ):
            w.add("mission_kpis", mid, metric, float(target))
        for month in _months(tl.date(max(start, 0)), tl.date(end)):
            w.add("budgets", t.new_id("budgets"), mid, month, rng.randrange(8, 13) * 5000)
        last = min(end, paused if paused else end)
        if status == "completed":
            last = min(last, DAYS)
        ms = (mid, key, status, start, min(last, DAYS), plats)
        missions.append(ms)
        contents += _contents(w, rng, ms, rate, last)
    w.h["missions"], w.h["contents"] = missions, contents
    if w.key == "acme":
        _export_job(w)


def _export_job(w: World) -> None:
    """The documented export `exp_xxx`, pending: the first worker (of `tally serve`)
    renders it from the seeded data, and as a retained job (`gateway.jobs.service.RETAIN`)
    its download keeps working (no expiry), as the document's example shows it."""
    created = w.tl.cutoff - 60
    params = {
        "format": "csv",
        "period": "30d",
        "include": ["content", "metrics", "costs"],
        "email_to": "user@example.com",
    }
    w.add(
        "jobs",
        w.tables.new_id("jobs"),
        "exp_xxx",
        "amp_export",
        "pending",
        w.people["org_admin"],
        json.dumps(params),
        json.dumps({RETAIN: True}),
        w.at(created),
        None,
        None,
    )


def _contents(w: World, rng, mission, rate: float, last: int) -> list[tuple]:
    mid, key, status, start, _, plats = mission
    tl, out = w.tl, []
    hours = list(SLOTS)
    hw = [SLOTS[h][0] for h in hours]
    for d in range(start, last + 1):
        wd = tl.date(d).weekday()
        n = int(rate * WORK_WEEK[wd] * rng.lognormvariate(0, 0.3) + rng.random())
        if status == "draft":
            n = 1 if d < start + 3 else 0
        for _ in range(n):
            plat = rng.choice(plats)
            base, er, types = PLATFORMS[plat]
            ctype = rng.choices(list(types), list(types.values()))[0]
            hour = rng.choices(hours, hw)[0]
            epoch = tl.day_epoch(d) + hour * 3600 + rng.randrange(0, 1800)
            topic = rng.choice(texts.TOPICS)
            reach = base * TYPE_REACH[ctype] * rng.lognormvariate(0, 0.6)
            rate_pct = er * TYPE_ER[ctype] * DAY_ER[wd] * SLOTS[hour][1] * rng.uniform(0.85, 1.15)
            out.append(
                _content(
                    w,
                    rng,
                    mid,
                    None,
                    plat,
                    ctype,
                    topic,
                    epoch,
                    status,
                    reach,
                    rate_pct,
                    texts.preview(rng, topic),
                )
            )
    if key == EXAMPLE_MISSION:
        epoch = tl.cutoff - 5 * 3600
        out.append(
            _content(
                w,
                rng,
                mid,
                "cnt_xxx",
                "twitter",
                "post",
                "API design",
                epoch,
                status,
                2600 * 14,
                8.2,
                CNT_XXX_PREVIEW,
            )
        )
        at14 = tl.day_epoch(DAYS) + 14 * 3600
        epoch = at14 if at14 > tl.cutoff else at14 + 86400
        out.append(
            _content(
                w,
                rng,
                mid,
                "cnt_yyy",
                "linkedin",
                "post",
                "release notes",
                epoch,
                status,
                2100,
                3.3,
                "Launch week starts now: everything we shipped.",
            )
        )
    return out


def _content(w, rng, mid, key, plat, ctype, topic, epoch, mstatus, reach, er, preview):
    t, tl = w.tables, w.tl
    cid = t.new_id("content")
    pillar = rng.choice(texts.PILLARS) if key != "cnt_xxx" else "Thought Leadership"
    if mstatus == "draft" or (key is None and rng.random() < 0.03):
        status, pub, sched = "draft", None, None
    elif epoch < tl.cutoff:
        status, pub, sched = "published", w.at(epoch), None
    else:
        status, pub, sched = "scheduled", None, w.at(epoch)
    created = epoch - rng.randrange(86400, 3 * 86400)
    w.add(
        "content",
        cid,
        key or _key(rng, "cnt_"),
        mid,
        plat,
        ctype,
        pillar,
        topic,
        preview,
        status,
        pub,
        sched,
        w.at(created),
    )
    return (cid, mid, status, epoch, created, reach, er)


COST_CONTENT = json.dumps(
    {"provider": "claude", "provider_type": "llm", "model": "claude-sonnet-4", "stage": "content"}
)
COST_IMAGE = json.dumps(
    {"provider": "openai", "provider_type": "image", "model": "gpt-image-1", "stage": "content"}
)
COST_STRATEGY = json.dumps(
    {"provider": "claude", "provider_type": "llm", "model": "claude-opus-4", "stage": "strategy"}
)
COST_OPTIMIZE = json.dumps(
    {"provider": "claude", "provider_type": "llm", "model": "claude-haiku-4", "stage": "optimize"}
)
TOK_SONNET = json.dumps({"provider": "claude", "model": "claude-sonnet-4"})
TOK_OPUS = json.dumps({"provider": "claude", "model": "claude-opus-4"})
TOK_HAIKU = json.dumps({"provider": "claude", "model": "claude-haiku-4"})
IMAGE = json.dumps({"provider": "openai"})


def events(w: World) -> None:
    emit, rng = w.emit, w.rng("mission-events")
    rnd, lognorm = rng.random, rng.lognormvariate
    for cid, mid, status, epoch, created, reach, er in w.h["contents"]:
        if status == "draft":
            continue
        emit("cost", "mission", mid, created, None, round(lognorm(5.5, 0.35)), COST_CONTENT)
        emit("tokens", "mission", mid, created, None, int(lognorm(9.1, 0.4)), TOK_SONNET)
        if rnd() < 0.35:
            emit("image", "mission", mid, created + 60, None, 1.0, IMAGE)
            emit("cost", "mission", mid, created + 60, None, round(lognorm(5.0, 0.2)), COST_IMAGE)
        if status != "published":
            continue
        emit("publish", "content", cid, epoch, None)
        ratio = er / 100
        for off, share in SCHEDULE:
            imp = int(reach * share * lognorm(0, 0.25) + rnd())
            if not imp:
                continue
            ts = epoch + off
            emit("impression", "content", cid, ts, None, float(imp))
            eng = int(imp * ratio * lognorm(0, 0.2) + rnd())
            if eng:
                emit("engagement", "content", cid, ts, None, float(eng))
                clicks = int(eng * 0.13 * lognorm(0, 0.3) + rnd())
                if clicks:
                    emit("click", "content", cid, ts, None, float(clicks))
    gain = 4 * math.sqrt(w.scale.volume)
    for mid, _key, _status, start, last, plats in w.h["missions"]:
        for d in range(max(start, 0), last + 1):
            base = w.tl.day_epoch(d)
            for p in plats:
                v = int(gain * WORK_WEEK[w.tl.weekdays[d]] * lognorm(0, 0.5) + rnd())
                if v:
                    emit(
                        "follower_gain",
                        "mission",
                        mid,
                        base + 20 * 3600 + int(rnd() * 3600),
                        None,
                        float(v),
                        json.dumps({"platform": p}),
                    )
            if (d - start) % 7 == 0:
                emit(
                    "cost",
                    "mission",
                    mid,
                    base + 8 * 3600,
                    None,
                    round(lognorm(6.4, 0.2)),
                    COST_STRATEGY,
                )
                emit(
                    "tokens",
                    "mission",
                    mid,
                    base + 8 * 3600,
                    None,
                    int(lognorm(10.3, 0.3)),
                    TOK_OPUS,
                )
            if (d - start) % 3 == 1:
                emit(
                    "cost",
                    "mission",
                    mid,
                    base + 22 * 3600,
                    None,
                    round(lognorm(3.8, 0.3)),
                    COST_OPTIMIZE,
                )
                emit(
                    "tokens",
                    "mission",
                    mid,
                    base + 22 * 3600,
                    None,
                    int(lognorm(8.5, 0.3)),
                    TOK_HAIKU,
                )
