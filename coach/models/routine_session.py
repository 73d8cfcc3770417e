"""A routine session: one run of the player, completed or stopped, with pain before and after."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain import limits
from ..extensions import db
from .base import UTCDateTime, now_utc
from .routine import Routine


class RoutineSession(db.Model):
    __tablename__ = "routine_sessions"
    __table_args__ = (
        # The client-made UUID makes offline replays idempotent, per user.
        UniqueConstraint("user_id", "client_id"),
        Index("ix_routine_sessions_user_id_started_at", "user_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str | None] = mapped_column(String(limits.CLIENT_ID))
    # A trainer may delete a routine later; the session keeps its slug and title.
    routine_id: Mapped[int | None] = mapped_column(ForeignKey("routines.id", ondelete="SET NULL"), index=True)
    routine_slug: Mapped[str] = mapped_column(String(limits.ROUTINE_SLUG))
    routine_title: Mapped[str] = mapped_column(String(limits.ROUTINE_TITLE))
    # The published version played (a routine someone made; stock routines are version 1).
    routine_version: Mapped[int | None] = mapped_column(Integer)
    # The trainer's assignment this session was played from: what adherence counts. SET NULL when the
    # trainer's account (and so the assignment) goes: the client keeps the session.
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Positions (1-based) of the steps whose countdown ran out.
    completed_steps: Mapped[list] = mapped_column(JSON, default=list)
    steps_total: Mapped[int] = mapped_column(Integer)
    stop_reason: Mapped[str | None] = mapped_column(String(limits.STOP_REASON))
    pain_before: Mapped[int | None] = mapped_column(Integer)
    pain_after: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    routine: Mapped[Routine | None] = relationship()
