"""SQL for publications, co-creators, experiences and follows. Every statement is scoped
by `org_id` and batched over many publications (`IN (...)`), so a request costs the same
number of statements for 1 publication as for 50."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, exists, func, or_, select

from gateway.context import RequestSession
from gateway.metrics.batch import MetricBatch
from gateway.metrics.compile import Params
from gateway.metrics.scope import Lookup
from gateway.models import Experience, Follow, Publication, PublicationCoCreator
from gateway.models.base import from_json

OWNER = "OWNER"
CO_CREATOR = "CO_CREATOR"


@dataclass(frozen=True)
class PublicationFilter:
    custom_urls: tuple[str, ...] | None = None
    name_contains: str | None = None
    allow_bookings: bool | None = None
    viewer_roles: tuple[str, ...] | None = None
    """Only publications where `user_id` has one of these roles (OWNER / CO_CREATOR)."""


@dataclass(frozen=True)
class Ordering:
    column: str  # a column name of the table
    descending: bool = False


def _cocreator_exists(org_id: int, user_id: int):
    c = PublicationCoCreator
    return exists().where(
        c.org_id == org_id, c.publication_id == Publication.id, c.user_id == user_id
    )


async def publications_by_ids(
    db: RequestSession, org_id: int, ids: Sequence[int]
) -> list[Publication]:
    stmt = select(Publication).where(Publication.org_id == org_id, Publication.id.in_(list(ids)))
    return list(await db.scalars(stmt))


async def publications_by_custom_urls(
    db: RequestSession, org_id: int, urls: Sequence[str]
) -> list[Publication]:
    stmt = select(Publication).where(
        Publication.org_id == org_id, Publication.custom_url.in_(list(urls))
    )
    return list(await db.scalars(stmt))


def _filtered(org_id: int, user_id: int, f: PublicationFilter):
    conds = [Publication.org_id == org_id]
    if f.custom_urls is not None:
        conds.append(Publication.custom_url.in_(list(f.custom_urls)))
    if f.name_contains:
        escaped = f.name_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conds.append(Publication.name.ilike(f"%{escaped}%", escape="\\"))
    if f.allow_bookings is not None:
        conds.append(Publication.allow_bookings.is_(f.allow_bookings))
    if f.viewer_roles is not None:
        ors = []
        if OWNER in f.viewer_roles:
            ors.append(Publication.owner_id == user_id)
        if CO_CREATOR in f.viewer_roles:
            ors.append(_cocreator_exists(org_id, user_id))
        conds.append(or_(*ors) if ors else False)
    return and_(*conds)


def _role_of(org_id: int, user_id: int):
    return case(
        (Publication.owner_id == user_id, OWNER),
        (_cocreator_exists(org_id, user_id), CO_CREATOR),
        else_=None,
    )


async def list_publications(
    db: RequestSession,
    org_id: int,
    user_id: int,
    f: PublicationFilter,
    order: Ordering,
    offset: int,
    limit: int,
) -> tuple[list[Publication], int, dict[int, str | None]]:
    """One page (ordered by `order`, then id), the filtered total and `user_id`'s role
    on each row (publication id -> OWNER / CO_CREATOR / None): one statement (the total
    is `count(*) OVER ()`), a second only for a page with no row (past the end, or
    `limit` 0) whose total the first cannot carry."""
    where = _filtered(org_id, user_id, f)
    keys = _order_keys(order)
    page = (
        select(Publication, _role_of(org_id, user_id), func.count().over())
        .where(where)
        .order_by(*keys)
        .offset(offset)
        .limit(limit)
    )
    found = (await db.execute(page)).all()
    total = await _page_total(db, found, where, offset, limit)
    return [p for p, _, _ in found], total, {p.id: role for p, role, _ in found}


def _order_keys(order: Ordering) -> list:
    col = getattr(Publication, order.column)
    return [col.desc(), Publication.id.desc()] if order.descending else [col, Publication.id]


async def _page_total(db: RequestSession, found: Sequence, where, offset: int, limit: int) -> int:
    """The filtered total of a page of (publication, role, total) rows: its rows carry
    it; a page with no row knows it only when it starts at the first row."""
    if found:
        return int(found[0][2])
    if offset == 0 and limit > 0:
        return 0
    count = await db.scalar(select(func.count()).select_from(Publication).where(where))
    return int(count or 0)


def page_lookup(
    org_id: int,
    user_id: int,
    f: PublicationFilter,
    order: Ordering,
    offset: int,
    limit: int,
) -> Lookup:
    """The page `list_publications` reads, as a lookup of the request's metric statement
    (`read_page_lookup` returns it): each row's publication, `user_id`'s role, the
    filtered total and, as the lookup's `id`, the publication id where `user_id` is its
    owner or a co-creator (who may read its metrics, `gateway.access.publications`),
    NULL elsewhere — so metrics scoped by the lookup are read for those rows only."""
    keys = _order_keys(order)
    role = _role_of(org_id, user_id).label("role")
    page = (
        select(
            *Publication.__table__.columns,
            role,
            func.count().over().label("total"),
            func.row_number().over(order_by=keys).label("o"),
        )
        .where(_filtered(org_id, user_id, f))
        .order_by(*keys)
        .offset(offset)
        .limit(limit)
    )

    def build(p: Params) -> str:
        inner = p.sql_of(page)
        return (
            "SELECT to_json(pg) AS publication, pg.role, pg.total, pg.o,"
            f" CASE WHEN pg.role IN ({p(OWNER)}, {p(CO_CREATOR)}) THEN pg.id END AS id"
            f" FROM ({inner}) pg"
        )

    return Lookup(build)


async def read_page_lookup(
    db: RequestSession,
    lookup: Lookup,
    org_id: int,
    user_id: int,
    f: PublicationFilter,
    offset: int,
    limit: int,
) -> tuple[list[Publication], int, dict[int, str | None]]:
    """What `list_publications` returns, for its `page_lookup` read in the request's
    metric statement (a second statement only for a page with no row past the first)."""
    rows = [json.loads(g, parse_float=Decimal) for g in await MetricBatch.of(db).run_lookup(lookup)]
    found = [(from_json(Publication, r["publication"]), r["role"], r["total"]) for r in rows]
    total = await _page_total(db, found, _filtered(org_id, user_id, f), offset, limit)
    return [p for p, _, _ in found], total, {p.id: role for p, role, _ in found}


async def roles_of_user(
    db: RequestSession, org_id: int, user_id: int, ids: Sequence[int]
) -> dict[int, str | None]:
    """publication id -> OWNER / CO_CREATOR / None for `user_id` (only ids of the org)."""
    stmt = select(Publication.id, _role_of(org_id, user_id)).where(
        Publication.org_id == org_id, Publication.id.in_(list(ids))
    )
    return {pid: r for pid, r in (await db.execute(stmt)).all()}


async def cocreator_ids(
    db: RequestSession, org_id: int, pub_ids: Sequence[int]
) -> dict[int, list[int]]:
    """publication id -> co-creator user ids (ascending)."""
    c = PublicationCoCreator
    stmt = (
        select(c.publication_id, c.user_id)
        .where(c.org_id == org_id, c.publication_id.in_(list(pub_ids)))
        .order_by(c.publication_id, c.user_id)
    )
    found: dict[int, list[int]] = {}
    for pid, uid in (await db.execute(stmt)).all():
        found.setdefault(pid, []).append(uid)
    return found


async def experience_counts(
    db: RequestSession, org_id: int, pub_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    """publication id -> {experience type: count}."""
    stmt = (
        select(Experience.publication_id, Experience.type, func.count())
        .where(Experience.org_id == org_id, Experience.publication_id.in_(list(pub_ids)))
        .group_by(Experience.publication_id, Experience.type)
    )
    found: dict[int, dict[str, int]] = {}
    for pid, type_, n in (await db.execute(stmt)).all():
        found.setdefault(pid, {})[type_] = int(n)
    return found


async def social_counts(
    db: RequestSession, org_id: int, pub_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """publication id -> (followers: users following it, following: publications its
    owner follows), one statement."""
    followers = (
        select(func.count())
        .where(Follow.org_id == org_id, Follow.publication_id == Publication.id)
        .scalar_subquery()
    )
    following = (
        select(func.count())
        .where(Follow.org_id == org_id, Follow.user_id == Publication.owner_id)
        .scalar_subquery()
    )
    stmt = select(Publication.id, followers, following).where(
        Publication.org_id == org_id, Publication.id.in_(list(pub_ids))
    )
    return {pid: (int(a), int(b)) for pid, a, b in (await db.execute(stmt)).all()}


async def experiences_by_ids(
    db: RequestSession, org_id: int, ids: Sequence[int]
) -> list[Experience]:
    stmt = select(Experience).where(Experience.org_id == org_id, Experience.id.in_(list(ids)))
    return list(await db.scalars(stmt))


async def experience_pages(
    db: RequestSession,
    org_id: int,
    pub_ids: Sequence[int],
    type_: str | None,
    order: Ordering,
    offset: int,
    limit: int,
) -> dict[int, tuple[list[Experience], int]]:
    """The same page of experiences for many publications in one statement:
    publication id -> (rows, total matching experiences of that publication)."""
    col = getattr(Experience, order.column)
    keys = [col.desc(), Experience.id.desc()] if order.descending else [col, Experience.id]
    conds = [Experience.org_id == org_id, Experience.publication_id.in_(list(pub_ids))]
    if type_ is not None:
        conds.append(Experience.type == type_)
    ranked = (
        select(
            Experience.id.label("eid"),
            func.row_number()
            .over(partition_by=Experience.publication_id, order_by=keys)
            .label("rn"),
            func.count().over(partition_by=Experience.publication_id).label("total"),
        )
        .where(*conds)
        .subquery()
    )
    rn = ranked.c.rn
    # rn = 1 is always read so that a page past the end still reports the total
    stmt = (
        select(Experience, rn, ranked.c.total)
        .join(ranked, and_(Experience.org_id == org_id, Experience.id == ranked.c.eid))
        .where(or_(rn == 1, and_(rn > offset, rn <= offset + limit)))
        .order_by(Experience.publication_id, rn)
    )
    found: dict[int, tuple[list[Experience], int]] = {}
    for exp, n, total in (await db.execute(stmt)).all():
        rows, _ = found.get(exp.publication_id, ([], 0))
        if offset < n <= offset + limit:
            rows.append(exp)
        found[exp.publication_id] = (rows, int(total))
    return found
