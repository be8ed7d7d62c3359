"""ibl.ai agents (seed 003, "mentors"): chat sessions with topics, ratings, LLM cost and
tokens, a few hundred sessions with message transcripts, and the mentors' audit log.
The documented mentor unique id is `mentor-ai-tutor` (the learner talks to it every
few days)."""

from __future__ import annotations

import json
import uuid
from bisect import bisect

from gateway.demo import texts
from gateway.demo.shapes import DAYS, WORK_HOURS, WORK_WEEK, curve, daily_counts, zipf
from gateway.demo.world import World

EXAMPLE_MENTOR = "mentor-ai-tutor"
MODELS = (
    ("openai", "gpt-4o", 0.0009),
    ("anthropic", "claude-sonnet-4", 0.0012),
    ("google", "gemini-2.0-flash", 0.0002),
)
RATINGS = (1, 2, 3, 4, 5)
RATING_CUM = (5, 12, 27, 62, 100)
TARGETS = ("mentor", "prompt", "document", "tool", "settings")


def _uuid(rng) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def build(w: World) -> None:
    rng, t, tl = w.rng("mentors"), w.tables, w.tl
    admin = w.people.get("org_admin") or w.people.get("other_org_admin")
    mentors = []
    for i in range(w.scale.mentors):
        mid = t.new_id("agents")
        key = EXAMPLE_MENTOR if (i == 0 and w.key == "acme") else _uuid(rng)
        name = "AI Tutor" if key == EXAMPLE_MENTOR else texts.MENTOR_NAMES[i % 8]
        owner = admin if i % 2 == 0 else w.uids[rng.randrange(min(20, len(w.uids)))]
        status = "inactive" if i == 3 else "active"
        day = 5 if i == 0 else rng.randrange(0, DAYS - 60)
        w.add(
            "agents",
            mid,
            key,
            "mentor",
            name,
            owner,
            None,
            status,
            rng.randrange(20, 400),
            None,
            w.at(tl.day_epoch(day) + 9 * 3600),
        )
        topics = rng.sample(texts.CHAT_TOPICS, rng.randrange(3, 6))
        model = MODELS[0] if i == 0 else rng.choice(MODELS)
        stop = DAYS - 20 if status == "inactive" else DAYS
        mentors.append((mid, key, owner, day, stop, topics, model))
        _audit(w, rng, mid, owner, day, stop)
    w.h["mentors"] = mentors


def _audit(w: World, rng, mid: int, owner: int, day: int, stop: int) -> None:
    tl, t = w.tl, w.tables
    actors = [owner, w.people.get("org_admin") or owner]
    entries = [(tl.day_epoch(day) + 9 * 3600, 0, "mentor", owner)]
    for d in range(day + 1, stop + 1):
        if rng.random() < 0.18:
            target = rng.choice(TARGETS)
            action = rng.choices((0, 1, 2), (20, 70, 10))[0] if target != "mentor" else 1
            entries.append(
                (tl.day_epoch(d) + rng.randrange(8, 19) * 3600, action, target, rng.choice(actors))
            )
    for ts, action, target, actor in entries:
        if ts >= tl.cutoff:
            continue
        changes = {
            "field": rng.choice(("system_prompt", "temperature", "name", "files")),
            "old": None if action == 0 else "v1",
            "new": None if action == 2 else "v2",
        }
        w.add(
            "audit_log",
            t.new_id("audit_log"),
            w.at(ts),
            actor,
            f"{w.usernames[actor]}@{w.key}.example",
            action,
            mid,
            target,
            f"{target}-{rng.randrange(1, 500)}",
            json.dumps(changes),
            w.at(ts),
        )


def events(w: World) -> None:
    mentors = w.h["mentors"]
    total = 30 * w.scale.volume
    learner = w.people.get("learner")
    transcripts_from = DAYS - 4
    for (mid, key, _owner, day, stop, topics, model), share in zip(
        mentors, zipf(len(mentors), 0.9), strict=True
    ):
        rng = w.rng("sessions", mid)
        rnd = rng.random
        pick = w.picker(f"mentor{mid}", 2.0)
        per_day = daily_counts(rng, total * share, curve(rng, start=day, end=stop), w.tl, WORK_WEEK)
        top = WORK_HOURS[-1]
        for d in range(day, stop + 1):
            base = w.tl.day_epoch(d)
            users = [pick(d, rnd()) for _ in range(per_day[d])]
            if learner and key == EXAMPLE_MENTOR and d % 3 == 0:
                users.append(learner)
            for user in users:
                start = base + bisect(WORK_HOURS, rnd() * top) * 3600 + int(rnd() * 3600)
                keep = d >= transcripts_from or user == learner
                _session(w, rng, mid, user, start, rng.choice(topics), model, keep)


def _session(w: World, rng, mid, user, start, topic, model, transcript: bool) -> None:
    if start >= w.tl.cutoff:
        return
    rnd, t = rng.random, w.tables
    turns = 1 + int(rnd() ** 2 * 6)
    sid = t.new_id("chat_sessions")
    end = start + turns * 90 + int(rnd() * 60)
    w.add(
        "chat_sessions",
        sid,
        _uuid(rng),
        mid,
        user,
        topic,
        w.at(start),
        w.at(end) if end < w.tl.cutoff else None,
    )
    dims = json.dumps({"topic": topic})
    w.emit("session", "agent", mid, start, user, 1.0, dims)
    for k in range(2 * turns):
        w.emit("message", "agent", mid, start + k * 45, user, 1.0, dims)
    if transcript:
        for k in range(turns):
            q, a = texts.chat_turn(rng, topic)
            for j, (role, text) in enumerate((("user", q), ("assistant", a))):
                ts = start + (2 * k + j) * 45
                w.add(
                    "messages",
                    t.new_id("messages"),
                    None,
                    sid,
                    user if role == "user" else None,
                    role,
                    text,
                    w.at(ts),
                )
    if rnd() < 0.25:
        rating = RATINGS[bisect(RATING_CUM, rnd() * 100)]
        w.emit("rating", "agent", mid, end, user, float(rating))
    provider, name, price = model
    tokens = int(turns * rng.lognormvariate(7.2, 0.4))
    w.emit(
        "tokens", "agent", mid, end, user, tokens, json.dumps({"provider": provider, "model": name})
    )
    w.emit(
        "cost",
        "agent",
        mid,
        end,
        user,
        round(tokens * price, 2),
        json.dumps({"provider": provider, "provider_type": "llm", "model": name, "stage": "chat"}),
    )
    w.emit("request", "agent", mid, start + 45, user, round(rng.lognormvariate(6.8, 0.3)))
