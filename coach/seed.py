"""Loads the shipped content into the database; running it again updates in place and never duplicates."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from .content import Content, ContentError, Routine, load_content
from .extensions import db
from .models import ContentState, RoutineStep, Source, Tip
from .models import Routine as RoutineRow

# The one row of content_state (migration t12perf0001 makes it; a database emptied by hand gets it back here).
CONTENT_STATE_ID = 1


def seed(content: Content | None = None, now: datetime | None = None) -> dict[str, int]:
    """Upsert sources (by id), stock routines (by slug, steps by position) and tips (by id), and bump the content's
    generation; commit once, so every worker's content cache (coach/routines/catalog.py) sees the new content
    together with the new generation, never one without the other.

    Returns how many of each the shipped content holds, so a second run prints the same summary.
    """
    content = content or load_content()
    now = now or datetime.now(UTC)
    for source in content.sources.values():
        row = db.session.get(Source, source.id) or Source(id=source.id)
        row.title, row.url = source.title, source.url
        db.session.add(row)
    for routine in content.routines:
        _upsert_routine(routine, now)
    for tip in content.tips:
        row = db.session.get(Tip, tip.id) or Tip(id=tip.id)
        row.category, row.title, row.text, row.sources, row.note = (
            tip.category, tip.title, tip.text, list(tip.sources), tip.note)
        db.session.add(row)
    _bump_generation()
    db.session.commit()
    return {
        "sources": len(content.sources),
        "routines": len(content.routines),
        "steps": sum(len(r.steps) for r in content.routines),
        "tips": len(content.tips),
    }


def _upsert_routine(routine: Routine, now: datetime) -> None:
    row = db.session.scalar(select(RoutineRow).where(RoutineRow.slug == routine.slug))
    if row is None:
        row = RoutineRow(slug=routine.slug, created_at=now, is_stock=True)
        db.session.add(row)
    elif not row.is_stock or row.owner_id is not None:
        # Never overwrite a trainer's routine that happens to use a slug the shipped content now wants.
        raise ContentError(routine.origin, "slug", f"{routine.slug!r} is already used by a trainer-made routine")
    row.title, row.kind, row.summary = routine.title, routine.kind, routine.summary
    row.sources = list(routine.sources)
    row.evidence = [{"text": e.text, "sources": list(e.sources)} for e in routine.evidence]
    row.next = list(routine.next)
    row.frequency, row.position, row.updated_at = routine.frequency, routine.order, now
    _replace_steps(row, routine)


def _replace_steps(row: RoutineRow, routine: Routine) -> None:
    """Steps are matched by position and updated in place; extra old ones are removed."""
    existing = {step.position: step for step in row.steps}
    for step in routine.steps:
        target = existing.pop(step.position, None)
        if target is None:
            target = RoutineStep(position=step.position)
            row.steps.append(target)
        target.title, target.instruction, target.seconds = step.title, step.instruction, step.seconds
        target.optional, target.note = step.optional, step.note
    for leftover in existing.values():
        row.steps.remove(leftover)


def _bump_generation() -> None:
    """content_state.generation + 1 in the database (not read-modify-write: two seeds at once both count)."""
    bumped = db.session.execute(
        update(ContentState).where(ContentState.id == CONTENT_STATE_ID)
        .values(generation=ContentState.generation + 1).execution_options(synchronize_session=False)
    ).rowcount
    if not bumped:
        db.session.add(ContentState(id=CONTENT_STATE_ID, generation=1))
