"""The episode diary: spasm episodes and their follow-up check-ins."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain import limits
from ..extensions import db
from .base import UTCDateTime, now_utc


class Episode(db.Model):
    __tablename__ = "episodes"
    __table_args__ = (
        # The client-made UUID makes offline replays idempotent, per user.
        UniqueConstraint("user_id", "client_id"),
        Index("ix_episodes_user_id_started_at", "user_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str | None] = mapped_column(String(limits.CLIENT_ID))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The answers a person may skip are NULL when skipped ("not recorded", CONTENT.md section 0): never a
    # default that reads as an answer ("unknown" is only stored when they chose "Not sure").
    trigger: Mapped[str | None] = mapped_column(String(16))
    during_exercise: Mapped[bool | None] = mapped_column(Boolean)
    exercise: Mapped[str | None] = mapped_column(String(limits.EXERCISE))
    load_kg: Mapped[float | None] = mapped_column(Float)
    locations: Mapped[list] = mapped_column(JSON, default=list)
    side: Mapped[str | None] = mapped_column(String(8))
    severity: Mapped[int | None] = mapped_column(Integer)
    locked_minutes: Mapped[int | None] = mapped_column(Integer)
    eased_by_stretch: Mapped[bool | None] = mapped_column(Boolean)
    symptoms: Mapped[list] = mapped_column(JSON, default=list)
    relief_used: Mapped[str | None] = mapped_column(String(limits.RELIEF_USED))
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="form")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="episode", cascade="all, delete-orphan", passive_deletes=True, order_by="FollowUp.at"
    )


class FollowUp(db.Model):
    __tablename__ = "follow_ups"
    __table_args__ = (UniqueConstraint("episode_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str | None] = mapped_column(String(limits.CLIENT_ID))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    severity: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    symptoms: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    episode: Mapped[Episode] = relationship(back_populates="follow_ups")
