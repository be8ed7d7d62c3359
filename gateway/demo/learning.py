"""ibl.ai learning (seed 003): courses, programs, enrollments with progress / grades /
last access, and the time-spent and activity events of each learner's visits."""

from __future__ import annotations

import json
from bisect import bisect

from gateway.demo import texts
from gateway.demo.shapes import DAYS, WORK_HOURS, WORK_WEEK, zipf
from gateway.demo.world import World

ACTIVITIES = ("video", "problem", "reading", "discussion")
ACTIVITY_CUM = (40, 70, 90, 100)
ACTIVITY_DIMS = tuple(json.dumps({"activity": a}) for a in ACTIVITIES)
PROGRAMS = (
    ("data-science", "Data Science Track", ("DS201", "ST110", "ML301", "VZ180")),
    ("ai-literacy", "AI Literacy", ("AI150", "CS101", "WR100")),
    ("product", "Product Builder", ("PM210", "UX130", "EC120")),
)
LEARNER_PLAN = (
    ("CS101", 100, 1.0),
    ("DS201", 300, 0.65),
    ("ML301", DAYS - 20, 0.2),
    ("AI150", DAYS - 2, 0.05),
)
"""The `learner` principal's enrollments: course, enrolled day, progress reached."""


def build(w: World) -> None:
    rng, t, tl = w.rng("learning"), w.tables, w.tl
    by_code = {}
    for i in range(w.scale.courses):
        code, name = texts.COURSE_NAMES[i % len(texts.COURSE_NAMES)]
        if i >= len(texts.COURSE_NAMES):
            code, name = f"{code}-{i // len(texts.COURSE_NAMES)}", f"{name} ({i})"
        cid = t.new_id("courses")
        w.add("courses", cid, f"course-v1:{w.key}+{code}+2026", name, w.at(tl.day_epoch(0)))
        by_code[code] = cid
    for key, name, codes in PROGRAMS[: 3 if w.key == "acme" else 1]:
        pid = t.new_id("programs")
        w.add("programs", pid, f"program-v1:{w.key}+{key}", name, w.at(tl.day_epoch(0)))
        for code in codes:
            if code in by_code:
                w.add("program_courses", pid, by_code[code])
    courses = list(by_code.values())
    pop = zipf(len(courses), 0.8)
    plans = []
    for uid in w.uids:
        if rng.random() > 0.7:
            continue
        chosen: set[int] = set()
        for _ in range(rng.choices((1, 2, 3, 4), (40, 30, 20, 10))[0]):
            chosen.add(rng.choices(courses, pop)[0])
        for cid in sorted(chosen):
            day = rng.randrange(w.uday[uid], DAYS + 1)
            plans.append((uid, cid, day, None))
    learner = w.people.get("learner")
    if learner:
        plans += [(learner, by_code[c], d, p) for c, d, p in LEARNER_PLAN if c in by_code]
    w.h["enrollments"] = plans


def events(w: World) -> None:
    for uid, cid, day, target in w.h["enrollments"]:
        _enrollment(w, w.rng("enrollment", uid, cid), uid, cid, day, target)


def _enrollment(w: World, rng, uid: int, cid: int, day: int, target: float | None) -> None:
    tl, rnd = w.tl, rng.random
    enrolled = tl.day_epoch(day) + rng.randrange(8, 20) * 3600
    if enrolled >= tl.cutoff:
        enrolled = tl.cutoff - 3600
    progress, last, completed = 0.0, None, None
    pace = rng.uniform(0.6, 1.4)
    visit_p = 0.5 if target is not None else 0.3
    top = WORK_HOURS[-1]
    for d in range(day, DAYS + 1):
        if rnd() > visit_p * WORK_WEEK[tl.weekdays[d]]:
            continue
        ts = tl.day_epoch(d) + bisect(WORK_HOURS, rnd() * top) * 3600 + int(rnd() * 3600)
        if ts < enrolled or ts >= tl.cutoff:
            continue
        last = ts
        w.emit("time_spent", "course", cid, ts, uid, float(int(rng.lognormvariate(7.0, 0.5))))
        for k in range(1 + int(rnd() * 4)):
            dims = ACTIVITY_DIMS[bisect(ACTIVITY_CUM, rnd() * 100)]
            w.emit("activity", "course", cid, ts + 60 * (k + 1), uid, 1.0, dims)
        progress = min(1.0, progress + rng.uniform(0.02, 0.08) * pace)
        if target is not None and progress >= target:
            progress = target
            break
        if progress >= 1.0:
            completed = ts
            break
        if target is None and rnd() < 0.03:
            break  # dropped out
    if target == 1.0:
        completed = last
    grade = None
    if progress > 0.2:
        grade = round(min(1.0, max(0.3, rng.gauss(0.78, 0.12))), 2)
        if target == 1.0:
            grade = 0.92
    w.add(
        "enrollments",
        uid,
        cid,
        w.at(enrolled),
        grade,
        round(progress, 3),
        w.at(completed) if completed else None,
        w.at(last) if last else None,
    )
