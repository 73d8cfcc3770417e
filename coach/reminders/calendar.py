"""The private iCal feed: a secret URL (stored as SHA-256, revocable) listing upcoming occurrences."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vDuration
from sqlalchemy import delete, select

from .. import access
from ..access import Action, Scope
from ..domain import limits
from ..domain.schedule import occurrences, parse_schedule
from ..extensions import db
from ..models import CalendarFeed, Reminder, User
from .service import quiet_hours, reminder_url

TOKEN_PREFIX = "rcal_"
WINDOW = timedelta(days=14)
MAX_EVENTS = 500
EVENT_MINUTES = 10
REFRESH = timedelta(hours=1)  # how often calendar apps are asked to poll


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_feed(user: User, now: datetime) -> str:
    """A new secret for this person's feed (any earlier link stops working). Returns the raw token."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(24)
    db.session.execute(delete(CalendarFeed).where(access.rows(user, CalendarFeed, Scope.CREDENTIALS, Action.CHANGE)))
    db.session.add(CalendarFeed(user_id=user.id, token_hash=_hash(raw), created_at=now))
    db.session.commit()
    return raw


def revoke_feed(user: User) -> bool:
    result = db.session.execute(
        delete(CalendarFeed).where(access.rows(user, CalendarFeed, Scope.CREDENTIALS, Action.CHANGE)))
    db.session.commit()
    return bool(result.rowcount)


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(access.rows(user, CalendarFeed, Scope.CREDENTIALS)))


def user_for_token(raw: str, now: datetime) -> User | None:
    if not isinstance(raw, str) or not raw.startswith(TOKEN_PREFIX) or len(raw) > limits.TOKEN:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(raw)))
    if feed is None:
        return None
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(hours=1):
        feed.last_used_at = now
        db.session.commit()
    return db.session.get(User, feed.user_id)


def upcoming(user: User, now: datetime, *, subject: User | None = None) -> list[tuple[datetime, Reminder]]:
    """`subject`'s (None: the actor's) occurrences in the next two weeks, on their clock, soonest first."""
    whose = access.subject(user, subject, Scope.REMINDERS)
    rows = db.session.scalars(select(Reminder).where(
        access.rows(user, Reminder, Scope.REMINDERS, subject_id=whose.id), Reminder.next_fire_at.is_not(None)))
    quiet, events = quiet_hours(whose), []
    for reminder in rows:
        for at in occurrences(parse_schedule(reminder.schedule), now, now + WINDOW, whose.timezone, quiet, MAX_EVENTS):
            events.append((at, reminder))
    events.sort(key=lambda pair: (pair[0], pair[1].id))
    return events[:MAX_EVENTS]


# ---------------------------------------------------------------- RFC 5545 (icalendar escapes and folds)
def render_ical(events: list[tuple[datetime, Reminder]], now: datetime, base_url: str, host: str) -> str:
    """The feed: one VEVENT per occurrence, times in UTC (the calendar app shows them on the person's clock)."""
    calendar = Calendar.new(prodid="-//Relief Coach//Reminders//EN", calscale="GREGORIAN", method="PUBLISH",
                            name="Relief Coach reminders", uid="-")
    # why: Calendar.new makes a random UID when given none; a new one on every poll would look like another
    # calendar each hour, so the feed has none, as before.
    del calendar["UID"]
    # RFC 7986 requires VALUE=DURATION on REFRESH-INTERVAL, which the library's own setter leaves out.
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    site = base_url.rstrip("/")
    for at, reminder in events:
        calendar.add_component(Event.new(
            # Stable per occurrence: a calendar app updates the event it has rather than adding a second one.
            uid=f"r{reminder.id}-{at:%Y%m%d%H%M}@{host}",
            stamp=now, start=at, end=at + timedelta(minutes=EVENT_MINUTES),
            summary=reminder.title, description=reminder.body or None,
            url=f"{site}{reminder_url(reminder)}", transparency="TRANSPARENT",
        ))
    return calendar.to_ical().decode("utf-8")
