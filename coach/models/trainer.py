"""Trainers and their clients: invites, links (with the client's consent), assignments and their pauses, and the
published versions of a trainer's routines.

Who may reach what through these rows is decided in coach.access alone (`relation`, `_subjects`, `assignments`,
`links`); nothing here grants access by itself.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain import limits
from ..extensions import db
from .base import UTCDateTime, now_utc
from .routine import Routine
from .user import User

LINK_ENDED_BY = ("client", "trainer")
PAUSED_BY = ("client", "trainer")


class Invite(db.Model):
    """A single-use code a trainer hands a client (typed, as a link, or as a QR code). Usable while it is
    neither used, revoked nor past `expires_at`."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(limits.INVITE_CODE), unique=True)
    note: Mapped[str | None] = mapped_column(String(limits.INVITE_NOTE))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SET NULL: a client who deletes their account leaves the trainer's record of a used code, not who used it.
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


class TrainerLink(db.Model):
    """One trainer and one client. Active while `ended_at` is NULL; a client who accepts a new invite from the
    same trainer later re-opens the same row (with sharing off again). Deleting either account deletes it."""

    __tablename__ = "trainer_links"
    __table_args__ = (
        UniqueConstraint("trainer_id", "client_id"),
        Index("ix_trainer_links_client_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The client's consent: episodes, check-ins, assessment and report. Off until the client turns it on.
    share_episodes: Mapped[bool] = mapped_column(Boolean, default=False)
    share_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(8))  # LINK_ENDED_BY
    # The trainer's private note on this client: never shown to the client or another trainer.
    note: Mapped[str | None] = mapped_column(String(limits.TRAINER_NOTE))
    note_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The highest assessment level ("urgent", "emergency") the trainer was last told of, so a level is announced
    # once when it is reached, and again only after it fell and rose again. NULL: nothing announced.
    notified_level: Mapped[str | None] = mapped_column(String(16))

    trainer: Mapped[User] = relationship(foreign_keys=[trainer_id])
    client: Mapped[User] = relationship(foreign_keys=[client_id])

    @property
    def active(self) -> bool:
        return self.ended_at is None


class RoutineVersion(db.Model):
    """A published version of a routine someone made: what its assigned clients play. The routine's own row and
    steps are the working copy the author edits; publishing copies them here as version `routine.version + 1`.
    Sessions already played keep the version they played (`RoutineSession.routine_version`)."""

    __tablename__ = "routine_versions"
    __table_args__ = (UniqueConstraint("routine_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    routine_id: Mapped[int] = mapped_column(ForeignKey("routines.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(limits.ROUTINE_TITLE))
    kind: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(limits.ROUTINE_SUMMARY))
    # [{"position", "title", "instruction", "seconds", "optional"}], in play order.
    steps: Mapped[list] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    routine: Mapped[Routine] = relationship()

    @property
    def total_seconds(self) -> int:
        return sum(step["seconds"] for step in self.steps if not step.get("optional"))


class Assignment(db.Model):
    """A trainer's routine given to one client on a schedule. Its reminder (Reminder.assignment_id) is the
    client's own, in the client's zone. Ended (`ended_at`) when the trainer ends it or the link ends; a
    paused one keeps its pauses (AssignmentPause) so adherence leaves those days out."""

    __tablename__ = "assignments"
    __table_args__ = (
        Index("ix_assignments_trainer_id_client_id", "trainer_id", "client_id"),
        Index("ix_assignments_client_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    routine_id: Mapped[int] = mapped_column(ForeignKey("routines.id", ondelete="CASCADE"), index=True)
    # The published version the client plays (RoutineVersion.version); moved on when the trainer publishes.
    routine_version: Mapped[int] = mapped_column(Integer)
    # The canonical API form of the schedule (coach.domain.schedule.schedule_to_dict), as on a reminder.
    schedule: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(limits.ASSIGNMENT_NOTE))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    routine: Mapped[Routine] = relationship()
    pauses: Mapped[list[AssignmentPause]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan", passive_deletes=True,
        order_by="AssignmentPause.started_at",
    )

    @property
    def active(self) -> bool:
        return self.ended_at is None


class AssignmentPause(db.Model):
    """One pause of an assignment, open while `ended_at` is NULL. `by` says who paused it, never why."""

    __tablename__ = "assignment_pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    by: Mapped[str] = mapped_column(String(8))  # PAUSED_BY

    assignment: Mapped[Assignment] = relationship(back_populates="pauses")
