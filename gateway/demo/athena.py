"""Athena (seed 004): workspaces with owner + members, Athena agents and workflows (some
copied, some shared), workflow executions with durations, agent executions, threads and
messages. The documented workspace is `8360bf61-4604-4f22-99dc-2afa910fd8c7`, owned by
`workspace_owner`; `workspace_member` is its member with user id 123 (the docs'
`"user_id": 123`)."""

from __future__ import annotations

import json
import string
import uuid
from bisect import bisect

from gateway.demo import texts
from gateway.demo.shapes import DAYS, WORK_HOURS, WORK_WEEK, curve, daily_counts, zipf
from gateway.demo.world import World

EXAMPLE_WORKSPACE = "8360bf61-4604-4f22-99dc-2afa910fd8c7"
OK = json.dumps({"status": "succeeded"})
FAILED = json.dumps({"status": "failed"})


def _uuid(rng) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def build(w: World) -> None:
    rng, t, tl = w.rng("athena"), w.tables, w.tl
    spaces = []
    for i in range(w.scale.workspaces):
        wid = t.new_id("workspaces")
        example = i == 0 and w.key == "acme"
        if example:
            owner, name, day = w.people["workspace_owner"], "Acme AI Ops", 15
            members = [w.people["workspace_member"], w.uids[0], w.uids[1]]
            members += rng.sample(w.uids[2:], 6)
        else:
            owner = w.uids[rng.randrange(len(w.uids))]
            name, day = (
                f"{rng.choice(texts.ADJ).title()} {rng.choice(texts.NOUN).title()}",
                (rng.randrange(0, DAYS - 60)),
            )
            members = [
                u for u in rng.sample(w.uids, min(len(w.uids), rng.randrange(3, 11))) if u != owner
            ]
        w.add(
            "workspaces",
            wid,
            EXAMPLE_WORKSPACE if example else _uuid(rng),
            name,
            owner,
            w.at(tl.day_epoch(day) + 9 * 3600),
        )
        w.add("workspace_members", wid, owner, "owner")
        for u in members:
            w.add("workspace_members", wid, u, "member")
        people = [owner, *members]
        recent = RECENT_IN_EXAMPLE if example else 0
        agents = _things(
            w, rng, wid, people, day, "agent", 8 if example else rng.randrange(3, 9), recent
        )
        flows = _things(
            w, rng, wid, people, day, "workflow", 10 if example else rng.randrange(4, 11), recent
        )
        spaces.append((wid, people, day, agents, flows))
    w.h["workspaces"] = spaces


RECENT_IN_EXAMPLE = 3
"""The documented workspace's last 3 agents and 3 workflows are created in the last 30 days
and each of its agents / workflows is also shared in that window, so the document's
Quick Start ("agents created", 30 d) and "agents shared ... by user" examples answer
with non-zero data."""


def _things(
    w: World, rng, wid, people, day, kind: str, n: int, recent: int = 0
) -> list[tuple[int, int]]:
    """Athena agents or workflows of one workspace, with copies and shares (rows + events);
    the last `recent` are created in the last 30 days, and with `recent` every item also
    gets 1-2 shares in the last 30 days. Returns (id, creation day)."""
    t, tl, out = w.tables, w.tl, []
    table = "agents" if kind == "agent" else "workflows"
    later = w.rng("athena-recent", wid, kind)  # its own stream: keys and names unchanged
    for i in range(n):
        xid = t.new_id(table)
        cday = min(DAYS, day + int((DAYS - day) * rng.random() ** 1.3))
        if i >= n - recent:
            cday = DAYS - later.randrange(1, 29)
        created = tl.day_epoch(cday) + rng.randrange(8, 19) * 3600
        by = rng.choice(people)
        copied = rng.random() < 0.25 or (i == n - 1 and n > 2)  # at least one copy each
        src = out[rng.randrange(len(out))][0] if out and copied else None
        if kind == "agent":
            name = texts.AGENT_NAMES[i % len(texts.AGENT_NAMES)]
            status = rng.choices(("active", "inactive", "failed"), (80, 15, 5))[0]
            w.add(
                "agents",
                xid,
                _uuid(rng),
                "athena",
                name,
                by,
                wid,
                status,
                rng.randrange(5, 300),
                src,
                w.at(created),
            )
        else:
            name = texts.WORKFLOW_NAMES[i % len(texts.WORKFLOW_NAMES)]
            key = "wf_" + "".join(rng.choices(string.ascii_lowercase + string.digits, k=12))
            w.add("workflows", xid, key, wid, name, by, src, w.at(created))
        w.emit("created", kind, xid, created, by)
        if src is not None:
            w.add("copies", t.new_id("copies"), kind, src, xid, by, w.at(created))
            w.emit("copied", kind, src, created, by, 1.0, "{}", json.dumps({"copy_id": xid}))
        for _ in range(rng.choice((0, 0, 1, 2, 4))):
            ts = created + rng.randrange(3600, 90 * 86400)
            if ts < tl.cutoff:
                _share(w, rng, kind, xid, people, ts)
        since = max(created + 3600, tl.cutoff - 29 * 86400)
        if recent and since < tl.cutoff - 60:
            for _ in range(later.randrange(1, 3)):
                _share(w, later, kind, xid, people, later.randrange(since, tl.cutoff - 60))
        out.append((xid, cday))
    return out


def _share(w: World, rng, kind: str, xid: int, people, ts: int) -> None:
    sharer = rng.choice(people)
    w.add(
        "shares",
        w.tables.new_id("shares"),
        kind,
        xid,
        sharer,
        f"{rng.choice(texts.FIRST).lower()}@partner.example",
        w.at(ts),
    )
    w.emit("share", kind, xid, ts, sharer)


def events(w: World) -> None:
    total = 60 * w.scale.volume
    spaces = w.h["workspaces"]
    for (wid, people, day, agents, flows), share in zip(
        spaces, zipf(len(spaces), 0.8), strict=True
    ):
        rng = w.rng("athena-events", wid)
        for kind, items in (("agent", agents), ("workflow", flows)):
            for (xid, cday), s in zip(items, zipf(len(items), 1.0), strict=True):
                _executions(w, rng, kind, xid, cday, people, total * share * s)
        _threads(w, rng, wid, people, day, [a for a, _ in agents], total * share * 0.1)


def _executions(w: World, rng, kind, xid, cday, people, rate) -> None:
    tl, rnd, lognorm = w.tl, rng.random, rng.lognormvariate
    per_day = daily_counts(rng, rate, curve(rng, start=cday), tl, WORK_WEEK)
    top, np = WORK_HOURS[-1], len(people)
    median = rng.uniform(7.5, 9.5)  # log of the median duration in ms
    for d, n in enumerate(per_day):
        base = tl.day_epoch(d)
        for _ in range(n):
            ts = base + bisect(WORK_HOURS, rnd() * top) * 3600 + int(rnd() * 3600)
            if ts >= tl.cutoff:
                continue
            user = people[int(np * rnd() ** 1.8)]
            ok = rnd() < 0.91
            ms = int(lognorm(median, 0.6)) if ok else int(lognorm(median - 1, 0.8))
            w.emit("execution", kind, xid, ts, user, float(ms), OK if ok else FAILED)
            if kind == "workflow":
                w.add(
                    "workflow_executions",
                    w.tables.new_id("workflow_executions"),
                    xid,
                    user,
                    "succeeded" if ok else "failed",
                    w.at(ts),
                    ms,
                )
    if kind == "workflow" and rnd() < 0.3 and per_day[-1]:
        ts = tl.cutoff - int(rnd() * 300)  # still running: no duration, no event yet
        w.add(
            "workflow_executions",
            w.tables.new_id("workflow_executions"),
            xid,
            people[0],
            "running",
            w.at(ts),
            None,
        )


def _threads(w: World, rng, wid, people, day, agents, rate) -> None:
    tl, t, rnd = w.tl, w.tables, rng.random
    per_day = daily_counts(rng, rate, curve(rng, start=day, growth=1.0), tl, WORK_WEEK)
    for d, n in enumerate(per_day):
        for _ in range(n):
            ts = tl.day_epoch(d) + rng.randrange(8, 19) * 3600 + int(rnd() * 3600)
            if ts >= tl.cutoff - 600:
                continue
            tid, user = t.new_id("threads"), people[int(len(people) * rnd() ** 1.5)]
            topic = rng.choice(texts.THREAD_TITLES)
            w.add(
                "threads", tid, wid, rng.choice(agents) if agents else None, user, topic, w.at(ts)
            )
            w.emit("created", "thread", tid, ts, user)
            for k in range(2 * (1 + int(rnd() * 4))):
                role = "user" if k % 2 == 0 else "assistant"
                q, a = texts.chat_turn(rng, topic)
                mts = ts + 30 * (k + 1)
                w.add(
                    "messages",
                    t.new_id("messages"),
                    tid,
                    None,
                    user if role == "user" else None,
                    role,
                    q if role == "user" else a,
                    w.at(mts),
                )
                w.emit("message", "thread", tid, mts, user)
