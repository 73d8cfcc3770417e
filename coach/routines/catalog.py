"""The stock content (routines with their steps, tips, sources) read once per worker, kept until `flask seed` changes it.

The shipped content changes only when `flask seed` runs, which bumps `content_state.generation` in the same
transaction (coach/seed.py). A request that needs content reads that one number (once per request, kept on
flask.g) and reloads the catalog when it differs from the one the catalog was read at: every worker sees new
content on its next request, without a restart and without a timer. What the catalog hands out is immutable
(frozen dataclasses, tuples, read-only mappings), so no view can change what the next request sees.
Trainer- and person-made routines are per-person data and are not here (coach/routines/service.py reads them).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from types import MappingProxyType

from flask import current_app, g, has_request_context
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..content import Evidence, Source, Step, Tip
from ..domain.steps import TimedSteps
from ..extensions import db
from ..models import Routine
from ..models import Source as SourceRow
from ..models import Tip as TipRow
from ..seed import CONTENT_STATE_ID

EXTENSION = "coach.content_catalog"
# Where a request keeps the generation it read (flask.g), so it asks the database once.
REQUEST_KEY = "coach_content_generation"
GENERATION_SQL = f"SELECT generation FROM content_state WHERE id = {CONTENT_STATE_ID}"


@dataclass(frozen=True)
class StockRoutine(TimedSteps):
    """A stock routine as the pages, the API and the session checks read it: the row's attributes, frozen."""

    id: int
    slug: str
    title: str
    kind: str
    summary: str
    sources: tuple[int, ...]
    evidence: tuple[Evidence, ...]
    next: tuple[str, ...]
    frequency: str | None
    position: int | None
    steps: tuple[Step, ...]
    version: int = 1
    is_stock: bool = True
    owner_id: None = None
    has_draft: bool = False


@dataclass(frozen=True)
class Catalog:
    """The stock content at one generation, in the library's order."""

    generation: int | None
    routines: tuple[StockRoutine, ...]
    tips: tuple[Tip, ...]
    sources: MappingProxyType  # id -> Source
    by_slug: MappingProxyType = field(init=False, repr=False, compare=False)
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_slug", MappingProxyType({r.slug: r for r in self.routines}))

    def derived(self, key: str, make):
        """`make(self)`, worked out once for this generation of the content (e.g. the API's shape of each stock
        routine); it goes when the catalog does. `make` must give the same answer every time it is called."""
        try:
            return self._derived[key]
        except KeyError:
            return self._derived.setdefault(key, make(self))

    def routines_of(self, kind: str | None) -> tuple[StockRoutine, ...]:
        return self.routines if kind is None else tuple(r for r in self.routines if r.kind == kind)


class _Holder:
    """One per app (each worker process has its own): the catalog last read and a lock so one thread reloads."""

    def __init__(self) -> None:
        self.catalog: Catalog | None = None
        self.lock = threading.Lock()


def current_generation() -> int | None:
    """content_state.generation: read once per request (kept on flask.g), every time outside one (CLI, jobs).
    None when the row is missing (a database emptied by hand): then nothing is cached."""
    if has_request_context() and REQUEST_KEY in g:
        return g.get(REQUEST_KEY)
    if db.session.registry.has() and db.session().in_transaction():  # a signed-in page read the person: ask there
        generation = db.session.connection().exec_driver_sql(GENERATION_SQL).scalar()
    else:
        # Plain SQL on a pooled connection: on a signed-out page this is the only query, and the ORM session's
        # bookkeeping cost more than the query itself. On PostgreSQL outside a transaction, which saves the
        # BEGIN and ROLLBACK round trips; pysqlite starts none for a SELECT, and switching its mode costs more.
        connection = db.engine.connect()
        if connection.dialect.name != "sqlite":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        with connection:
            generation = connection.exec_driver_sql(GENERATION_SQL).scalar()
    if has_request_context():
        setattr(g, REQUEST_KEY, generation)
    return generation


def catalog() -> Catalog:
    """The stock content at the database's current generation, read from the database only when it changed."""
    # The generation is read before the content: content committed after it can only make the catalog newer
    # than its key, and the next request, seeing the new generation, reads it again. Never older.
    generation = current_generation()
    holder = current_app.extensions.get(EXTENSION)
    if holder is None:
        holder = current_app.extensions.setdefault(EXTENSION, _Holder())
    cached = holder.catalog
    if generation is not None and cached is not None and cached.generation == generation:
        return cached
    with holder.lock:
        cached = holder.catalog
        if generation is not None and cached is not None and cached.generation == generation:
            return cached
        fresh = load_catalog(generation)
        if generation is not None:
            holder.catalog = fresh
        return fresh


def load_catalog(generation: int | None) -> Catalog:
    """Read the stock routines (with steps), tips and sources from the database into immutable objects."""
    rows = db.session.scalars(
        select(Routine).where(Routine.is_stock.is_(True), Routine.owner_id.is_(None))
        .options(selectinload(Routine.steps))
        .order_by(Routine.position.is_(None), Routine.position, Routine.title)
    ).all()
    routines = tuple(_frozen_routine(row) for row in rows)
    tips = tuple(
        Tip(id=t.id, category=t.category, title=t.title, text=t.text, sources=tuple(t.sources or ()), note=t.note)
        for t in db.session.scalars(select(TipRow).order_by(TipRow.id))
    )
    sources = {s.id: Source(id=s.id, title=s.title, url=s.url)
               for s in db.session.scalars(select(SourceRow).order_by(SourceRow.id))}
    return Catalog(generation=generation, routines=routines, tips=tips, sources=MappingProxyType(sources))


def _frozen_routine(row: Routine) -> StockRoutine:
    return StockRoutine(
        id=row.id, slug=row.slug, title=row.title, kind=row.kind, summary=row.summary,
        sources=tuple(row.sources or ()),
        evidence=tuple(Evidence(text=e["text"], sources=tuple(e.get("sources") or ())) for e in row.evidence or ()),
        next=tuple(row.next or ()), frequency=row.frequency, position=row.position,
        steps=tuple(Step(position=s.position, title=s.title, instruction=s.instruction, seconds=s.seconds,
                         optional=bool(s.optional), note=s.note) for s in row.steps),
        version=row.version or 1, has_draft=bool(row.has_draft),
    )
