"""The in-app inbox: every occurrence of a reminder, whether or not a push went out."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from .. import access
from ..access import Action, Scope
from ..domain import limits
from ..extensions import db
from ..models import CalendarFeed, Notification, PushSubscription, Reminder, User
from ..pagination import keyset_page


def list_notifications(user: User, *, subject: User | None = None, limit: int = limits.PAGE_SIZE,
                       cursor: str | None = None, unread: bool = False) -> tuple[list[Notification], str | None]:
    """`subject`'s inbox (None: the actor's), newest first (by id; the cursor is the last id seen)."""
    whose = access.subject(user, subject, Scope.REMINDERS)
    query = select(Notification).where(access.rows(user, Notification, Scope.REMINDERS, subject_id=whose.id))
    if unread:
        query = query.where(Notification.read_at.is_(None))
    return keyset_page(query, (Notification.id,), limit, cursor)


def unread_count(user: User, *, subject: User | None = None) -> int:
    whose = access.subject(user, subject, Scope.REMINDERS)
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(access.rows(user, Notification, Scope.REMINDERS, subject_id=whose.id), Notification.read_at.is_(None))
    ) or 0


def get_notification(user: User, notification_id: int, action: Action = Action.READ) -> Notification:
    return access.get(user, Notification, notification_id, Scope.REMINDERS, action, message="No such notification.")


def mark_read(user: User, notification_id: int, now: datetime) -> Notification:
    note = get_notification(user, notification_id, Action.CHANGE)
    if note.read_at is None:
        note.read_at = now
        db.session.commit()
    return note


def mark_all_read(user: User, now: datetime, *, subject: User | None = None) -> int:
    whose = access.subject(user, subject, Scope.REMINDERS, Action.CHANGE)
    result = db.session.execute(
        update(Notification)
        .where(access.rows(user, Notification, Scope.REMINDERS, Action.CHANGE, subject_id=whose.id), Notification.read_at.is_(None))
        .values(read_at=now)
    )
    db.session.commit()
    return result.rowcount or 0


def reminders_to_export(user: User, *, subject: User | None = None) -> tuple[
        list[Reminder], list[Notification], list[PushSubscription], CalendarFeed | None]:
    """This person's reminders, inbox and push devices for the data export, and their calendar link if any
    (only that it exists: its secret is not stored). Devices and the link are credentials: one's own only."""
    mine = access.subject(user, subject, Scope.CREDENTIALS).id
    reminders = db.session.scalars(select(Reminder).where(access.rows(user, Reminder, Scope.REMINDERS, subject_id=mine)).order_by(Reminder.id))
    notes = db.session.scalars(select(Notification).where(access.rows(user, Notification, Scope.REMINDERS, subject_id=mine)).order_by(Notification.id))
    subs = db.session.scalars(select(PushSubscription).where(access.rows(user, PushSubscription, Scope.CREDENTIALS))
                              .order_by(PushSubscription.id))
    feed = db.session.scalar(select(CalendarFeed).where(access.rows(user, CalendarFeed, Scope.CREDENTIALS)))
    return list(reminders), list(notes), list(subs), feed
