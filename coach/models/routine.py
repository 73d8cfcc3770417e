"""The content library: sources, routines with their steps, and tips (stock content and, later, trainer-made)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain import limits
from ..domain.steps import TimedSteps
from ..extensions import db
from .base import UTCDateTime, now_utc


class Source(db.Model):
    """A cited source; its id is the number CONTENT.md gives it, so content files refer to it directly."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(limits.SOURCE_TITLE))
    url: Mapped[str | None] = mapped_column(String(limits.SOURCE_URL))


class Routine(TimedSteps, db.Model):
    """A relief, mobility or prevention routine. A stock routine comes from `flask seed`: is_stock true and owner_id
    NULL, and its slug has no digit (the content loader refuses one). A routine someone made has is_stock false,
    an owner, and a slug from coach.domain.slugs.new_routine_slug, which always holds a digit, so the two never
    meet. Reminders and sessions point at a routine by id; the slug names it in URLs and the API."""

    __tablename__ = "routines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(limits.ROUTINE_SLUG), unique=True)
    title: Mapped[str] = mapped_column(String(limits.ROUTINE_TITLE))
    kind: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(limits.ROUTINE_SUMMARY))
    sources: Mapped[list] = mapped_column(JSON, default=list)
    # [{"text": ..., "sources": [ids]}]
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    # Slugs of routines to do afterwards ("then do floor-mobility or walk-it-off").
    next: Mapped[list] = mapped_column(JSON, default=list)
    frequency: Mapped[str | None] = mapped_column(String(limits.ROUTINE_FREQUENCY))
    position: Mapped[int | None] = mapped_column(Integer)
    is_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The latest published version (RoutineVersion) of a routine someone made; stock routines stay at 1.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The working copy (this row and its steps) holds changes not yet published as a new version.
    has_draft: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    steps: Mapped[list[RoutineStep]] = relationship(
        back_populates="routine", cascade="all, delete-orphan", passive_deletes=True, order_by="RoutineStep.position"
    )


class RoutineStep(db.Model):
    __tablename__ = "routine_steps"
    __table_args__ = (UniqueConstraint("routine_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    routine_id: Mapped[int] = mapped_column(ForeignKey("routines.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(limits.STEP_TITLE))
    instruction: Mapped[str] = mapped_column(String(limits.STEP_INSTRUCTION))
    seconds: Mapped[int] = mapped_column(Integer)
    optional: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where a step's advice comes from when it is not a cited source ("Physiotherapy practice ...").
    note: Mapped[str | None] = mapped_column(String(limits.CONTENT_NOTE))

    routine: Mapped[Routine] = relationship(back_populates="steps")


class Tip(db.Model):
    """A posture, lifting, recovery or hydration tip; its id is the tip number of CONTENT.md section 4."""

    __tablename__ = "tips"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    category: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(limits.TIP_TITLE))
    text: Mapped[str] = mapped_column(String(limits.TIP_TEXT))
    sources: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(String(limits.CONTENT_NOTE))


class ContentState(db.Model):
    """One row: the generation of the shipped content in the database. `flask seed` bumps it in the same
    transaction as the content, so every worker's content cache sees the new content on its next request."""

    __tablename__ = "content_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
