"""The content library: routines a person may see (and the slug of one they make), tips, sources, stop rules."""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import access
from ..access import Action, Scope
from ..content import Source, Tip, shipped_content, stop_rules  # noqa: F401  (stop_rules: the pages and API read it here)
from ..domain.slugs import new_routine_slug
from ..errors import NotFound
from ..extensions import db
from ..models import Routine, User
from .catalog import StockRoutine, catalog


def list_routines(user: User | None, kind: str | None = None) -> list[Routine | StockRoutine]:
    """Stock routines (the catalog, in the library's order), then the ones this person made (the database)."""
    return [*catalog().routines_of(kind), *_made_routines(user, kind)]


def _made_routines(user: User | None, kind: str | None = None) -> list[Routine]:
    if not _may_have_made(user):
        return []
    query = select(Routine).where(_made(user)).options(selectinload(Routine.steps))
    if kind:
        query = query.where(Routine.kind == kind)
    return list(db.session.scalars(query.order_by(Routine.position.is_(None), Routine.position, Routine.title)))


def _may_have_made(user: User | None) -> bool:
    # Signed out, nobody has routines of their own: no query at all.
    return bool(getattr(user, "is_authenticated", False))


def _made(user: User | None):
    """SQL: the routines besides the stock ones that access.routines lets this person play (their own)."""
    return and_(Routine.is_stock.is_not(True), access.routines(user))


def get_routine(user: User | None, slug: str) -> Routine | StockRoutine:
    """The routine with this slug if this person may see it; NotFound otherwise (never says which)."""
    stock = catalog().by_slug.get(slug)
    if stock is not None:
        return stock
    routine = None
    if _may_have_made(user):
        routine = db.session.scalar(
            select(Routine).where(Routine.slug == slug, _made(user)).options(selectinload(Routine.steps)))
    if routine is None:
        raise NotFound("No such routine.")
    return routine


def find_routines(user: User | None, slugs: list[str]) -> list[Routine | StockRoutine]:
    """The visible routines among `slugs`, in the order given (for "what next" links)."""
    if not slugs:
        return []
    stock = catalog().by_slug
    rows = {slug: stock[slug] for slug in slugs if slug in stock}
    missing = [slug for slug in slugs if slug not in rows]
    if missing and _may_have_made(user):
        rows.update((r.slug, r) for r in db.session.scalars(select(Routine).where(Routine.slug.in_(missing), _made(user))))
    return [rows[slug] for slug in slugs if slug in rows]


def recommended_routine() -> StockRoutine | None:
    """The routine SOS leads into: the first stock relief routine (CONTENT.md section 3 order)."""
    routines = catalog().routines_of("relief")
    return routines[0] if routines else None


def evidence_sources(routine: Routine | StockRoutine) -> list[int]:
    """The source ids a routine's evidence cites (a made routine keeps its evidence as JSON, a stock one frozen)."""
    return [i for item in routine.evidence or () for i in
            (item.get("sources", ()) if isinstance(item, dict) else item.sources)]


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
    return sorted(catalog().by_slug)


def list_tips(category: str | None = None) -> list[Tip]:
    tips = catalog().tips
    return [tip for tip in tips if tip.category == category] if category else list(tips)


def tip_of_the_day(day: date) -> Tip | None:
    """The same tip all day, a different one the next (cycling through them in order)."""
    tips = catalog().tips
    return tips[day.toordinal() % len(tips)] if tips else None


def sources_for(*id_lists) -> dict[int, Source]:
    """The sources cited by any of the given id lists, by id."""
    known = catalog().sources
    return {i: known[i] for ids in id_lists for i in ids if i in known}


def list_sources() -> list[Source]:
    return list(catalog().sources.values())
