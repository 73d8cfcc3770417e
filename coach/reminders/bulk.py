"""Bulk writes for the dispatcher: one statement per batch, whatever its size.

On PostgreSQL a batch travels as one JSON text (`json_to_recordset`) or one id array (`= ANY`), so a batch
of 500 is a short statement with a handful of parameters: psycopg neither builds and parses a 500-row VALUES
list nor quotes arrays element by element, and the server plans it once. Elsewhere (SQLite, one dispatcher)
the portable SQLAlchemy forms are used.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select, text, update
from sqlalchemy.dialects import sqlite

from ..extensions import db
from ..models import Delivery, Notification, PushSubscription, Reminder
from .push import encode_payload


class Occurrence(NamedTuple):
    reminder_id: int
    user_id: int
    kind: str
    title: str
    body: str | None
    fire_at: datetime
    tag: str
    url: str

def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def record_occurrences(occurrences: list[Occurrence], pushes: list[tuple[Occurrence, int]], now: datetime,
                       lease_until: datetime, owner: str) -> list[tuple[int, int, int]]:
    """An inbox row per occurrence and a delivery per (occurrence, subscription id), leased to `owner`
    (its next attempt is when the lease runs out, so the claim of retries passes over it until then);
    either already recorded is skipped (the unique keys). Returns (delivery id, reminder id, subscription id)
    of the deliveries created."""
    if _postgres():
        return _record_postgres(occurrences, pushes, now, lease_until, owner)
    if occurrences:
        db.session.execute(sqlite.insert(Notification.__table__).on_conflict_do_nothing(), [
            {"user_id": o.user_id, "reminder_id": o.reminder_id, "kind": o.kind, "title": o.title, "body": o.body,
             "url": o.url, "tag": o.tag, "fire_at": o.fire_at, "created_at": now} for o in occurrences])
    if not pushes:
        return []
    rows = [{"reminder_id": o.reminder_id, "subscription_id": sub_id, "fire_at": o.fire_at, "topic": o.tag,
             "payload": encode_payload(o.title, o.body, o.url, o.tag).decode(), "status": "pending", "attempts": 1,
             "next_attempt_at": lease_until, "lease_until": lease_until, "lease_owner": owner, "created_at": now}
            for o, sub_id in pushes]
    statement = sqlite.insert(Delivery.__table__).on_conflict_do_nothing().returning(
        Delivery.id, Delivery.reminder_id, Delivery.subscription_id)
    return [tuple(row) for row in db.session.execute(statement, rows)]


def _json_rows(rows: list[dict]) -> str:
    """Rows as one JSON text for json_to_recordset: a single parameter instead of one array per column,
    which psycopg would otherwise quote element by element. Times are written once per distinct value
    (at the busy minute most rows share them)."""
    written: dict[datetime, str] = {}

    def iso(value: datetime) -> str:
        text = written.get(value)
        if text is None:
            text = written[value] = value.isoformat()
        return text

    return json.dumps(rows, default=iso, separators=(",", ":"))


def commit() -> None:
    """Commit the dispatcher's transaction. On PostgreSQL without waiting for the WAL flush
    (synchronous_commit off, for this transaction only): a server crash may forget the last fraction of
    a second of claims and results, never corrupt anything; a forgotten claim fires again with the same
    Topic and tag, which replaces rather than repeats the notification, as any at-least-once send does."""
    if _postgres():
        db.session.execute(text("SET LOCAL synchronous_commit TO off"))
    db.session.commit()


def _record_postgres(occurrences, pushes, now, lease_until, owner):
    # Only ids, times and short tags travel; titles and bodies are read from the (locked) reminder rows,
    # and the delivery's payload JSON is built next to them.
    if occurrences:
        db.session.execute(text(
            "INSERT INTO notifications (user_id, reminder_id, kind, title, body, url, tag, fire_at, created_at) "
            "SELECT r.user_id, r.id, r.kind, r.title, r.body, v.url, v.tag, v.fire_at, :now "
            "FROM json_to_recordset(CAST(:rows AS json)) AS v(id int, fire_at timestamptz, tag varchar, url varchar) "
            "JOIN reminders r ON r.id = v.id ON CONFLICT DO NOTHING"),
            {"now": now, "rows": _json_rows([{"id": o.reminder_id, "fire_at": o.fire_at, "tag": o.tag, "url": o.url}
                                             for o in occurrences])})
    if not pushes:
        return []
    result = db.session.execute(text(
        "INSERT INTO deliveries (reminder_id, subscription_id, fire_at, topic, payload, status, attempts, "
        "next_attempt_at, lease_until, lease_owner, created_at) "
        "SELECT r.id, v.sub_id, v.fire_at, v.tag, json_build_object('title', r.title, 'body', coalesce(r.body, ''), "
        "'url', v.url, 'tag', v.tag)::text, 'pending', 1, :lease_until, :lease_until, :owner, :now "
        "FROM json_to_recordset(CAST(:rows AS json)) "
        "AS v(id int, sub_id int, fire_at timestamptz, tag varchar, url varchar) "
        "JOIN reminders r ON r.id = v.id ON CONFLICT DO NOTHING RETURNING id, reminder_id, subscription_id"),
        {"now": now, "lease_until": lease_until, "owner": owner,
         "rows": _json_rows([{"id": o.reminder_id, "sub_id": sub_id, "fire_at": o.fire_at, "tag": o.tag, "url": o.url}
                             for o, sub_id in pushes])})
    return [tuple(row) for row in result]


def advance_reminders(rows: list[dict]) -> None:
    """Set next_fire_at, last_fired_at and enabled per reminder id."""
    if not rows:
        return
    if _postgres():
        db.session.execute(text(
            "UPDATE reminders SET next_fire_at = v.next_fire_at, last_fired_at = v.last_fired_at, enabled = v.enabled "
            "FROM json_to_recordset(CAST(:rows AS json)) "
            "AS v(id int, next_fire_at timestamptz, last_fired_at timestamptz, enabled boolean) "
            "WHERE reminders.id = v.id"), {"rows": _json_rows(rows)})
    else:
        db.session.execute(update(Reminder), rows)


def finish_deliveries(ids: list[int], values: dict) -> None:
    """Give still-pending deliveries a final (or the same) state in one statement."""
    if not ids:
        return
    if _postgres():
        assignments = ", ".join(f"{key} = :{key}" for key in values)
        db.session.execute(text(f"UPDATE deliveries SET {assignments} WHERE id = ANY(CAST(:ids AS int[])) "
                                "AND status = 'pending'"), {**values, "ids": ids})
    else:
        db.session.execute(update(Delivery).where(Delivery.id.in_(ids), Delivery.status == "pending").values(**values))


def reschedule_deliveries(rows: list[dict]) -> None:
    """Per delivery: next_attempt_at, attempts, last_error, last_status; the lease is released."""
    if not rows:
        return
    if _postgres():
        db.session.execute(text(
            "UPDATE deliveries SET next_attempt_at = v.next_attempt_at, attempts = v.attempts, lease_until = NULL, "
            "last_error = v.last_error, last_status = v.last_status FROM json_to_recordset(CAST(:rows AS json)) "
            "AS v(id int, next_attempt_at timestamptz, attempts int, last_error varchar, last_status int) "
            "WHERE deliveries.id = v.id"), {"rows": _json_rows(rows)})
    else:
        db.session.execute(update(Delivery), [{**row, "lease_until": None} for row in rows])


def lease_deliveries(ids: list[int], until, owner: str) -> None:
    """Claim deliveries for another attempt: the lease, and one more attempt counted."""
    if not ids:
        return
    if _postgres():
        db.session.execute(text("UPDATE deliveries SET lease_until = :until, next_attempt_at = :until, "
                                "lease_owner = :owner, attempts = attempts + 1 WHERE id = ANY(CAST(:ids AS int[]))"),
                           {"until": until, "owner": owner, "ids": ids})
    else:
        db.session.execute(update(Delivery).where(Delivery.id.in_(ids)).values(
            lease_until=until, next_attempt_at=until, lease_owner=owner, attempts=Delivery.attempts + 1))


def devices_of(user_ids: set[int]) -> list:
    """(id, user_id, endpoint, p256dh, auth) of these people's push subscriptions."""
    if not user_ids:
        return []
    if _postgres():
        return db.session.execute(text("SELECT id, user_id, endpoint, p256dh, auth FROM push_subscriptions "
                                       "WHERE user_id = ANY(CAST(:ids AS int[]))"), {"ids": list(user_ids)}).all()
    return db.session.execute(select(PushSubscription.id, PushSubscription.user_id, PushSubscription.endpoint,
                                     PushSubscription.p256dh, PushSubscription.auth)
                              .where(PushSubscription.user_id.in_(user_ids))).all()
