"""The private iCal feed: a secret URL (stored as SHA-256, revocable) listing upcoming occurrences."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

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


# ---------------------------------------------------------------- RFC 5545
def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (never inside a character)."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def render_ical(events: list[tuple[datetime, Reminder]], now: datetime, base_url: str, host: str) -> str:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Relief Coach//Reminders//EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "X-WR-CALNAME:Relief Coach reminders", "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for at, reminder in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:r{reminder.id}-{at:%Y%m%d%H%M}@{host}",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(at)}",
            f"DTEND:{_stamp(at + timedelta(minutes=EVENT_MINUTES))}",
            f"SUMMARY:{_escape(reminder.title)}",
            *([f"DESCRIPTION:{_escape(reminder.body)}"] if reminder.body else []),
            f"URL:{base_url.rstrip('/')}{reminder_url(reminder)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
