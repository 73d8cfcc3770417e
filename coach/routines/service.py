"""The content library: routines a person may see (and the slug of one they make), tips, sources, stop rules."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import access
from ..access import Action, Scope
from ..content import shipped_content, stop_rules  # noqa: F401  (stop_rules: the pages and API read it here)
from ..domain.slugs import new_routine_slug
from ..errors import NotFound
from ..extensions import db
from ..models import Routine, Source, Tip, User


def list_routines(user: User | None, kind: str | None = None) -> list[Routine]:
    query = select(Routine).where(access.routines(user)).options(selectinload(Routine.steps))
    if kind:
        query = query.where(Routine.kind == kind)
    order = (Routine.is_stock.desc(), Routine.position.is_(None), Routine.position, Routine.title)
    return list(db.session.scalars(query.order_by(*order)))


def get_routine(user: User | None, slug: str) -> Routine:
    """The routine with this slug if this person may see it; NotFound otherwise (never says which)."""
    routine = db.session.scalar(
        select(Routine).where(Routine.slug == slug, access.routines(user)).options(selectinload(Routine.steps))
    )
    if routine is None:
        raise NotFound("No such routine.")
    return routine


def find_routines(user: User | None, slugs: list[str]) -> list[Routine]:
    """The visible routines among `slugs`, in the order given (for "what next" links)."""
    if not slugs:
        return []
    rows = {r.slug: r for r in db.session.scalars(select(Routine).where(Routine.slug.in_(slugs), access.routines(user)))}
    return [rows[slug] for slug in slugs if slug in rows]


def recommended_routine() -> Routine | None:
    """The routine SOS leads into: the first stock relief routine (CONTENT.md section 3 order)."""
    routines = list_routines(None, "relief")
    return routines[0] if routines else None


def add_made_routine(user: User, routine: Routine, attempts: int = 5) -> Routine:
    """Add a routine `user` made as theirs, with a new slug from its title (coach.domain.slugs), flushed but not
    committed: the creating action commits it with whatever else it stores. Two made routines may draw the same
    slug; the unique index refuses the second, which draws again (a stock slug can never be drawn)."""
    access.require(user, getattr(user, "id", None), Scope.ROUTINES, Action.CHANGE)
    routine.owner_id, routine.is_stock = user.id, False
    for _ in range(attempts):
        routine.slug = new_routine_slug(routine.title)
        try:
            with db.session.begin_nested():  # only this insert is undone when the slug is taken
                db.session.add(routine)
            return routine
        except IntegrityError:
            if db.session.scalar(select(Routine.id).where(Routine.slug == routine.slug)) is None:
                raise  # not the slug: something else is wrong
    raise RuntimeError(f"no free slug for {routine.title!r} in {attempts} draws")


def stock_slugs() -> list[str]:
    return list(db.session.scalars(select(Routine.slug).where(Routine.is_stock.is_(True)).order_by(Routine.slug)))


def list_tips(category: str | None = None) -> list[Tip]:
    query = select(Tip).order_by(Tip.id)
    if category:
        query = query.where(Tip.category == category)
    return list(db.session.scalars(query))


def tip_of_the_day(day: date) -> Tip | None:
    """The same tip all day, a different one the next (cycling through them in order)."""
    tips = list_tips()
    return tips[day.toordinal() % len(tips)] if tips else None


def sources_for(*id_lists) -> dict[int, Source]:
    """The sources cited by any of the given id lists, by id."""
    ids = {i for ids in id_lists for i in ids}
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Source).where(Source.id.in_(ids)))}


def list_sources() -> list[Source]:
    return list(db.session.scalars(select(Source).order_by(Source.id)))
