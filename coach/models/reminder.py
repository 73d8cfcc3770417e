"""Reminders, push subscriptions, push deliveries, the in-app inbox and the private calendar feed."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain import limits
from ..extensions import db
from .base import UTCDateTime, now_utc
from .routine import Routine

REMINDER_KINDS = ("routine", "posture", "hydration", "follow_up", "custom")
# A delivery is "pending" until it reaches a final state; the others are final.
DELIVERY_STATUSES = ("pending", "sent", "gone", "too_large", "rejected", "failed", "expired")


class Reminder(db.Model):
    """One schedule of one person. `next_fire_at` is NULL when paused or finished, so the dispatcher's
    index on it holds only reminders that will fire."""

    __tablename__ = "reminders"
    # Indexes cost at the busy minute (each advanced reminder is a new row version with an entry in every
    # index): the unique key's leading user_id serves lookups by owner, and only follow-ups have an episode.
    __table_args__ = (
        UniqueConstraint("user_id", "client_id"),
        Index("ix_reminders_episode_id", "episode_id", postgresql_where=text("episode_id IS NOT NULL"),
              sqlite_where=text("episode_id IS NOT NULL")),
        Index("ix_reminders_assignment_id", "assignment_id", postgresql_where=text("assignment_id IS NOT NULL"),
              sqlite_where=text("assignment_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str | None] = mapped_column(String(limits.CLIENT_ID))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(limits.REMINDER_TITLE))
    body: Mapped[str | None] = mapped_column(String(limits.REMINDER_BODY))
    # The routine a routine reminder opens. SET NULL: if the routine is ever deleted the reminder keeps its
    # title and opens the routine library instead. Not indexed: every fire rewrites the row in each index (see
    # above), and deleting a routine, the one lookup by it, is rare.
    routine_id: Mapped[int | None] = mapped_column(ForeignKey("routines.id", ondelete="SET NULL"))
    # The slug text of a reminder made before routines were named by id whose slug named no routine its owner
    # may play (migration b10routines0001): kept only so nothing is lost by the move to ids; never shown, never
    # written by the app; the downgrade writes it back.
    routine_slug_unresolved: Mapped[str | None] = mapped_column(String(limits.ROUTINE_SLUG))
    # The episode a follow-up reminder asks about; deleting the episode deletes its reminders.
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    # The trainer's assignment this reminder carries out (the client's own reminder, in the client's zone);
    # ending or deleting the assignment deletes it.
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    # The canonical API form of the schedule (coach.domain.schedule.schedule_to_dict).
    schedule: Mapped[dict] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    next_fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    routine: Mapped[Routine | None] = relationship()

    @property
    def routine_slug(self) -> str | None:
        """The slug the API and the forms name the routine by (`"routine"` in API.md)."""
        return self.routine.slug if self.routine is not None else None


class PushSubscription(db.Model):
    """A browser's push endpoint; one row per endpoint (upserted), owned by whoever subscribed it last."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(limits.PUSH_ENDPOINT), unique=True)
    p256dh: Mapped[str] = mapped_column(String(limits.PUSH_P256DH))
    auth: Mapped[str] = mapped_column(String(limits.PUSH_AUTH))
    user_agent: Mapped[str | None] = mapped_column(String(limits.USER_AGENT))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    def info(self) -> dict:
        """The PushSubscription JSON shape pywebpush takes."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}

    @property
    def host(self) -> str | None:
        """The push service this device uses (fcm.googleapis.com...): what a person may see of the endpoint."""
        return urlsplit(self.endpoint).hostname


class Delivery(db.Model):
    """One push of one occurrence to one device. Created exactly once (the unique key) in the same
    transaction that advances the reminder; sent at least once under a lease."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("reminder_id", "fire_at", "subscription_id"),
        # The claim of retries and lost leases; only pending deliveries are in it.
        Index("ix_deliveries_pending_next_attempt_at", "next_attempt_at", postgresql_where=text("status = 'pending'"),
              sqlite_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id", ondelete="CASCADE"))
    # SET NULL keeps the row (with its final status) when a 404/410 deletes the subscription.
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="SET NULL"), index=True
    )
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime)
    topic: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class Notification(db.Model):
    """The in-app inbox: every occurrence lands here, whether or not a push went out."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("reminder_id", "fire_at"),
        Index("ix_notifications_user_id_id", "user_id", "id"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # SET NULL: deleting a reminder keeps what it already sent.
    reminder_id: Mapped[int | None] = mapped_column(ForeignKey("reminders.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(limits.REMINDER_TITLE))
    body: Mapped[str | None] = mapped_column(String(limits.REMINDER_BODY))
    url: Mapped[str] = mapped_column(String(200))
    tag: Mapped[str] = mapped_column(String(32))
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class CalendarFeed(db.Model):
    """The private iCal feed: only a SHA-256 of its secret token is kept; revoking deletes the row."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
