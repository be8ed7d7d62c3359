"""The generation context for one org: scale, timeline, per-domain RNGs, the entity
tables, the event sink, and the people (principals plus a pool of generic users whose
activity follows a long tail)."""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.demo import texts
from gateway.demo.principals import PRINCIPALS
from gateway.demo.shapes import DAYS, Timeline
from gateway.demo.tables import Tables


@dataclass(frozen=True)
class Scale:
    users: int
    publications: int
    missions: int
    artists: int
    platform_agents: int
    mentors: int
    workspaces: int
    courses: int
    volume: float
    """Multiplies event rates (events per day), independent of entity counts."""


SCALES: dict[str, Scale] = {
    "tiny": Scale(40, 4, 4, 1, 4, 2, 2, 4, 0.03),
    "small": Scale(400, 30, 8, 4, 12, 6, 5, 12, 0.8),
    "medium": Scale(2000, 120, 16, 10, 40, 12, 15, 12, 5.5),
    "large": Scale(8000, 400, 30, 25, 100, 24, 40, 12, 36.0),
}
GLOBEX_SCALE = Scale(25, 2, 1, 1, 2, 1, 1, 3, 0.02)


class Sink:
    """Numbers events and hands them over in chunks (`put` is called per full chunk).
    Events at or after the cutoff (the anchor, i.e. "now") are dropped."""

    def __init__(self, cutoff: int, chunk: int, put: Callable[[list], None]) -> None:
        self.cutoff = cutoff
        self.chunk = chunk
        self.put = put
        self.rows: list[tuple] = []
        self.n = 0

    def emit(
        self,
        org_id: int,
        type_: str,
        subject_type: str,
        subject_id: int,
        epoch: int,
        actor: int | None,
        value: float = 1.0,
        dims: str = "{}",
        attrs: str = "{}",
    ) -> None:
        if epoch >= self.cutoff:
            return
        self.n += 1
        self.rows.append(
            (
                org_id,
                f"demo-{self.n:010d}",
                type_,
                subject_type,
                subject_id,
                datetime.fromtimestamp(epoch, UTC),
                actor,
                value,
                dims,
                attrs,
            )
        )
        if len(self.rows) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            rows, self.rows = self.rows, []
            # Index-friendly order: PostgreSQL inserts into (org, subject_type, type, ts)
            # and the rollup keys far faster when neighbouring rows share a prefix.
            rows.sort(key=_order)
            self.put(rows)


def _order(row: tuple) -> tuple:
    return (row[0], row[3], row[2], row[4], row[5])


def ascii_slug(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


class World:
    """One org being generated."""

    def __init__(
        self,
        *,
        seed: int,
        org_id: int,
        key: str,
        name: str,
        scale: Scale,
        tl: Timeline,
        tables: Tables,
        sink: Sink,
    ) -> None:
        self.seed = seed
        self.org_id = org_id
        self.key = key
        self.name = name
        self.scale = scale
        self.tl = tl
        self.tables = tables
        self.sink = sink
        self.people: dict[str, int] = {}
        self.uids: list[int] = []  # generic users, oldest first
        self.ucreated: list[int] = []  # their creation day, ascending
        self.elig: list[int] = []  # generic users existing on day d
        self.uday: dict[int, int] = {}  # user id -> creation day
        self.usernames: dict[int, str] = {}
        self.h: dict = {}  # handles the domains share (ids, popularity, ...)

    def rng(self, *name: object) -> random.Random:
        return random.Random(f"{self.seed}:{self.key}:" + ":".join(map(str, name)))

    def emit(self, *args, **kw) -> None:
        self.sink.emit(self.org_id, *args, **kw)

    def at(self, epoch: float) -> datetime:
        return datetime.fromtimestamp(epoch, UTC)

    def add(self, table: str, *row) -> None:
        self.tables.add(table, self.org_id, *row)

    def picker(self, name: str, power: float = 2.2) -> Callable[[int, float], int]:
        """`pick(day, u)` -> a generic user existing on `day`, long-tailed (a few heavy
        users) and rotated per `name` so each domain has its own top users."""
        uids, elig = self.uids, self.elig
        off = self.rng("picker", name).randrange(1 << 30)

        def pick(day: int, u: float) -> int:
            m = elig[day] or 1
            return uids[(int(m * u**power) + off) % m]

        return pick

    # --- people ----------------------------------------------------------------------

    def user(self, uid: int, username: str, display: str, day: int, roles=("member",)) -> int:
        t = self.tl
        created = t.day_epoch(day) + 9 * 3600
        seen = self.at(t.cutoff - self.rng("seen", uid).randrange(1, 72 * 3600))
        self.add(
            "users",
            uid,
            username,
            f"{username}@{self.key}.example",
            display,
            self.at(created),
            seen,
        )
        for role in roles:
            self.add("user_roles", uid, role)
        self.usernames[uid] = username
        return uid

    def build_people(self) -> None:
        rng = self.rng("people")
        tables = self.tables
        for p in PRINCIPALS:
            if p.org != self.key:
                continue
            uid = p.user_id or tables.new_id("users")
            roles = ("admin", "member") if p.admin else ("member",)
            self.people[p.name] = self.user(uid, p.username, p.display_name, 2, roles)
        days = sorted(int(DAYS * (1 - rng.random() ** 1.7)) for _ in range(self.scale.users))
        named = [("John", "Doe"), ("Jane", "Smith")] if self.key == "acme" else []
        for i, day in enumerate(days):
            uid = tables.new_id("users")
            first, last = named[i] if i < len(named) else texts.person(rng)
            day = min(day, 30) if i < len(named) else day
            username = f"{ascii_slug(first)}.{ascii_slug(last)}" + (
                "" if i < len(named) else str(uid)
            )
            self.user(uid, username, f"{first} {last}", day)
            self.uids.append(uid)
            self.ucreated.append(day)
            self.uday[uid] = day
        self.elig = [bisect_right(self.ucreated, d) for d in range(DAYS + 1)]
        groups = ("Cohort Fall", "Cohort Spring", "Staff", "Beta Testers")
        gids = []
        for g in groups[: 2 if self.key != "acme" else 4]:
            gid = tables.new_id("user_groups")
            gids.append(gid)
            self.add("user_groups", gid, g, self.at(self.tl.day_epoch(1)))
            share = rng.uniform(0.1, 0.35)
            for uid in self.uids:
                if rng.random() < share:
                    self.add("user_group_members", gid, uid)
        if "learner" in self.people:
            self.add("user_group_members", gids[0], self.people["learner"])
