"""The in-app inbox: every occurrence of a reminder, whether or not a push went out; and the notices a trainer
gets when a client who shares their diary reaches urgent or emergency (`notify_watchers`)."""
from __future__ import annotations

import logging
import threading
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from .. import access
from ..access import Action, Scope
from ..domain import limits
from ..domain.flags import LEVEL_RANK
from ..extensions import db
from ..models import CalendarFeed, Notification, PushSubscription, Reminder, TrainerLink, User
from ..pagination import keyset_page
from .bulk import devices_of
from .push import Push, encode_payload, sender_for

log = logging.getLogger(__name__)


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


# ---------------------------------------------------------------- a trainer's "check in" notices
ANNOUNCED = ("urgent", "emergency")  # the levels a sharing client's trainers are told of
NOTICE_KIND = "check_in"  # an inbox entry of no reminder (reminder_id NULL): a trainer's notice


def watched(client: User) -> list[TrainerLink]:
    """The client's links that a change of level may concern: active ones, and any that still remember an
    announced level. Usually none (most people have no trainer): one indexed query, and then nothing else."""
    return list(db.session.scalars(select(TrainerLink).where(
        access.client_links(client), or_(TrainerLink.ended_at.is_(None), TrainerLink.notified_level.is_not(None)))))


def notice_text(client: User, level: str) -> tuple[str, str]:
    """(title, body): the client's name and the level word, which the trainer may see (the clients list shows
    the level of a sharing client), and nothing else: no symptom, no rule, no episode."""
    return f"Check in with {client.display_name}", f"Their assessment is now {level}."


def notify_watchers(client: User, level: str, now: datetime, links: list[TrainerLink] | None = None) -> list[Notification]:
    """Tell each trainer who may read `client`'s episodes now (access.watchers: an active link that shares) that
    the client's assessment is at `level`, once: TrainerLink.notified_level keeps the highest level announced, so
    urgent then emergency are two notices, urgent again is none, and a level below urgent clears it (the next
    rise is news again). An in-app notice for each, committed here, then a push to the trainer's devices (after
    the commit, off the request: see push_notices). Trainers without consent and ended links get nothing."""
    links = watched(client) if links is None else links
    if not links:
        return []
    watching = set(db.session.scalars(access.watchers(client.id, Scope.EPISODES)))
    notes = []
    for link in links:
        if level not in ANNOUNCED:
            if link.notified_level is not None:
                link.notified_level = None
            continue
        if link.trainer_id not in watching:
            continue
        if link.notified_level is not None and LEVEL_RANK[link.notified_level] >= LEVEL_RANK[level]:
            continue
        link.notified_level = level
        title, body = notice_text(client, level)
        notes.append(Notification(
            user_id=link.trainer_id, reminder_id=None, kind=NOTICE_KIND, title=title, body=body,
            url=f"/trainer/clients/{client.id}", tag=f"c{client.id}-{level[0]}{now:%Y%m%d%H%M%S}"[:32], fire_at=now,
            created_at=now))
    db.session.add_all(notes)
    db.session.commit()
    if notes:
        _push_later([(n.user_id, encode_payload(n.title, n.body, n.url, n.tag), n.tag) for n in notes])
    return notes


def _push_later(pushes: list[tuple[int, bytes, str]]) -> None:
    """Send the notices' pushes on a thread of their own, so the client's request never waits for a push
    service. A notice has no reminder, and a Delivery row (the dispatcher's retried send) needs one: so this push
    is tried once; the inbox entry, already committed, is what the trainer can count on."""
    app = current_app._get_current_object()
    if sender_for(app) is None:
        return
    thread = threading.Thread(target=push_notices, args=(app, pushes), name="trainer-notices", daemon=True)
    PUSHING.append(thread)
    thread.start()


PUSHING: list[threading.Thread] = []  # started notice pushes (the tests wait for them)


def push_notices(app, pushes: list[tuple[int, bytes, str]]) -> None:
    """One push per device of each trainer; a device the push service says is gone is forgotten."""
    with app.app_context():
        try:
            sender = sender_for(app)
            devices: dict[int, list] = {}
            for sub_id, user_id, endpoint, p256dh, auth in devices_of({trainer for trainer, _, _ in pushes}):
                devices.setdefault(user_id, []).append((sub_id, {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}))
            batch = [(sub_id, Push(info, payload, tag)) for trainer, payload, tag in pushes
                     for sub_id, info in devices.get(trainer, [])]
            results = sender.send_many([push for _, push in batch], urgency="high", ttl=4 * 3600) if batch else []
            gone = {sub_id for (sub_id, _), result in zip(batch, results, strict=True) if result.outcome == "gone"}
            if gone:
                db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))
                db.session.commit()
        except Exception:  # a push is a courtesy: the inbox has the notice
            log.exception("trainer notice: push failed")
        finally:
            db.session.remove()
            PUSHING.remove(threading.current_thread())
