"""The dispatcher's logic with a fixed clock and a scripted sender (no HTTP): what fires when, exactly once,
what lands in the inbox, and how results, retries and leases are recorded."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coach.extensions import db
from coach.models import Delivery, Notification, PushSubscription, Reminder
from coach.reminders.push import PushResult
from tests.reminder_helpers import Clock, FakeSender, add_reminder, dispatcher, make_user, utc

DEVICE = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": {
    "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
    "auth": "tBHItJI5svbpez7KI4CCXg"}}
DEVICE_2 = {"endpoint": "https://updates.push.services.mozilla.com/wpush/v2/xyz", "keys": DEVICE["keys"]}


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def _device(app, user, info=DEVICE):
    from tests.reminder_helpers import add_device

    return add_device(app, user, info)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_due_reminder_fires_once_with_its_payload_and_advances(ctx):
    clock = Clock(utc(2026, 11, 23, 6, 0))  # Monday 07:00 in Berlin
    user = make_user("Europe/Berlin")
    reminder = add_reminder(user, {"type": "daily", "times": ["07:30"], "weekdays": [1, 2, 3, 4, 5]}, clock(),
                            title="Floor mobility", body="Time for Floor mobility.")
    _device(ctx, user)
    sender = FakeSender()
    assert reminder.next_fire_at == utc(2026, 11, 23, 6, 30)

    clock.set(utc(2026, 11, 23, 6, 29, 59))
    assert dispatcher(sender, clock).tick().fired == 0 and sender.calls == []

    clock.set(utc(2026, 11, 23, 6, 30, 4))
    stats = dispatcher(sender, clock).tick()
    assert stats.fired == 1 and stats.sent == 1
    [call] = sender.calls
    assert call["topic"] == f"r{reminder.id}-202611230630"
    assert json.loads(call["payload"]) == {"title": "Floor mobility", "body": "Time for Floor mobility.",
                                           "url": "/tips?category=posture", "tag": call["topic"]}
    db.session.refresh(reminder)
    assert reminder.next_fire_at == utc(2026, 11, 24, 6, 30) and reminder.last_fired_at == utc(2026, 11, 23, 6, 30)

    # Ticking again at the same instant sends nothing more.
    assert dispatcher(sender, clock).tick().fired == 0 and len(sender.calls) == 1
    [note] = db.session.scalars(select(Notification))
    assert (note.title, note.tag, note.fire_at, note.read_at) == ("Floor mobility", call["topic"], utc(2026, 11, 23, 6, 30), None)
    assert db.session.scalar(select(Delivery.status)) == "sent"


def test_07_30_stays_07_30_local_across_the_clock_change(ctx):
    clock = Clock(utc(2026, 3, 27, 12, 0))  # Friday; Berlin springs forward on Sunday 29 March
    user = make_user("Europe/Berlin")
    reminder = add_reminder(user, {"type": "daily", "times": ["07:30"]}, clock())
    _device(ctx, user)
    sender, fired = FakeSender(), []
    for _ in range(3):
        clock.set(reminder.next_fire_at)
        dispatcher(sender, clock).tick()
        fired.append(reminder.last_fired_at)
        db.session.refresh(reminder)
    assert [f for f in fired] == [utc(2026, 3, 28, 6, 30), utc(2026, 3, 29, 5, 30), utc(2026, 3, 30, 5, 30)]
    assert len(sender.calls) == 3


def test_quiet_hours_hold_a_reminder_until_they_end(ctx):
    clock = Clock(utc(2026, 11, 23, 12, 0))
    user = make_user("Europe/Berlin", quiet=("22:00", "07:00"))
    reminder = add_reminder(user, {"type": "once", "at": "2026-11-23T23:15:00+01:00"}, clock())
    assert reminder.next_fire_at == utc(2026, 11, 24, 6, 0)  # 07:00 Berlin
    _device(ctx, user)
    sender = FakeSender()
    clock.set(utc(2026, 11, 23, 22, 15))
    assert dispatcher(sender, clock).tick().fired == 0
    clock.set(utc(2026, 11, 24, 6, 0, 1))
    assert dispatcher(sender, clock).tick().sent == 1


def test_a_one_off_switches_off_after_firing(ctx):
    clock = Clock(utc(2026, 11, 23, 12, 0))
    user = make_user("UTC")
    reminder = add_reminder(user, {"type": "once", "at": "2026-11-23T15:00:00Z"}, clock())
    clock.set(utc(2026, 11, 23, 15, 0, 2))
    dispatcher(FakeSender(), clock).tick()
    db.session.refresh(reminder)
    assert (reminder.enabled, reminder.next_fire_at, reminder.last_fired_at) == (False, None, utc(2026, 11, 23, 15))


def test_missed_occurrences_collapse_into_one(ctx):
    clock = Clock(utc(2026, 11, 23, 8, 0))
    user = make_user("UTC")
    reminder = add_reminder(user, {"type": "interval", "every_minutes": 60, "start": "09:00", "end": "17:00"}, clock())
    _device(ctx, user)
    sender = FakeSender()
    clock.set(utc(2026, 11, 23, 13, 20))  # the dispatcher was down from 09:00 to 13:20
    stats = dispatcher(sender, clock).tick()
    assert stats.fired == 1 and len(sender.calls) == 1 and _count(Notification) == 1
    assert sender.calls[0]["topic"] == f"r{reminder.id}-202611231300"  # the latest that was due
    db.session.refresh(reminder)
    assert (reminder.last_fired_at, reminder.next_fire_at) == (utc(2026, 11, 23, 13, 0), utc(2026, 11, 23, 14, 0))


def test_without_devices_or_when_too_late_it_lands_only_in_the_inbox(ctx):
    clock = Clock(utc(2026, 11, 23, 8, 0))
    alone = make_user("UTC")
    add_reminder(alone, {"type": "once", "at": "2026-11-23T09:00:00Z"}, clock())
    late = make_user("UTC")
    add_reminder(late, {"type": "once", "at": "2026-11-23T09:00:00Z"}, clock())
    _device(ctx, late)
    sender = FakeSender()
    clock.set(utc(2026, 11, 23, 14, 0))  # five hours late: past the four-hour push TTL
    stats = dispatcher(sender, clock).tick()
    assert stats.fired == 2 and sender.calls == [] and _count(Notification) == 2 and _count(Delivery) == 0


def test_several_devices_each_get_it(ctx):
    clock = Clock(utc(2026, 11, 23, 8, 0))
    user = make_user("UTC")
    add_reminder(user, {"type": "once", "at": "2026-11-23T09:00:00Z"}, clock())
    _device(ctx, user, DEVICE)
    _device(ctx, user, DEVICE_2)
    sender = FakeSender()
    clock.set(utc(2026, 11, 23, 9, 0))
    dispatcher(sender, clock).tick()
    assert sorted(c["endpoint"] for c in sender.calls) == sorted([DEVICE["endpoint"], DEVICE_2["endpoint"]])
    assert _count(Notification) == 1


def _fire_once(ctx, answers, **settings):
    clock = Clock(utc(2026, 11, 23, 8, 0))
    user = make_user("UTC")
    add_reminder(user, {"type": "once", "at": "2026-11-23T09:00:00Z"}, clock())
    _device(ctx, user)
    sender = FakeSender(answers=list(answers))
    clock.set(utc(2026, 11, 23, 9, 0))
    return clock, sender, dispatcher(sender, clock, **settings)


def test_server_errors_are_retried_with_backoff_then_given_up(ctx):
    clock, sender, d = _fire_once(ctx, [PushResult("retry", 503)] * 3, max_attempts=3)
    d.tick()
    delivery = db.session.scalar(select(Delivery))
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("pending", 1, 503)
    wait = delivery.next_attempt_at - clock()
    assert timedelta(seconds=24) <= wait <= timedelta(seconds=36)  # 30 s with jitter
    assert d.tick().outcomes == {}  # not yet
    clock.set(delivery.next_attempt_at)
    d.tick()
    db.session.refresh(delivery)
    assert delivery.attempts == 2 and timedelta(seconds=48) <= delivery.next_attempt_at - clock() <= timedelta(seconds=72)
    clock.set(delivery.next_attempt_at)
    d.tick()
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts, len(sender.calls)) == ("failed", 3, 3)


def test_gone_deletes_the_subscription_and_too_large_is_not_retried(ctx):
    clock, sender, d = _fire_once(ctx, [PushResult("gone", 410)])
    d.tick()
    assert _count(PushSubscription) == 0
    assert db.session.scalar(select(Delivery.status)) == "gone"

    clock, sender, d = _fire_once(ctx, [PushResult("too_large", 413)])
    d.tick()
    clock.advance(hours=1)
    d.tick()
    assert len(sender.calls) == 1
    assert db.session.scalar(select(Delivery.status).where(Delivery.last_status == 413)) == "too_large"


def test_rate_limited_waits_for_retry_after_and_holds_the_rest_of_that_host(ctx):
    clock = Clock(utc(2026, 11, 23, 8, 0))
    for _ in range(3):
        user = make_user("UTC")
        add_reminder(user, {"type": "once", "at": "2026-11-23T09:00:00Z"}, clock())
        _device(ctx, user, {**DEVICE, "endpoint": DEVICE["endpoint"] + str(user.id)})
    sender = FakeSender(answers=[PushResult("rate_limited", 429, retry_after=120.0)])
    clock.set(utc(2026, 11, 23, 9, 0))
    d = dispatcher(sender, clock)
    d.tick()
    assert len(sender.calls) == 1  # the other two were not tried: the host asked us to wait
    rows = list(db.session.scalars(select(Delivery)))
    assert {r.next_attempt_at for r in rows} == {utc(2026, 11, 23, 9, 2)}
    assert sorted(r.attempts for r in rows) == [0, 0, 1]
    clock.set(utc(2026, 11, 23, 9, 1, 59))
    assert d.tick().outcomes == {}
    clock.set(utc(2026, 11, 23, 9, 2))
    assert d.tick().sent == 3 and len(sender.calls) == 4


def test_a_host_that_does_not_answer_holds_its_other_pushes_but_not_other_hosts(ctx):
    clock = Clock(utc(2026, 11, 23, 8, 0))
    for n in range(3):
        user = make_user("UTC")
        add_reminder(user, {"type": "once", "at": "2026-11-23T09:00:00Z"}, clock())
        _device(ctx, user, {**DEVICE, "endpoint": DEVICE["endpoint"] + str(user.id)})
        if n == 2:
            _device(ctx, user, DEVICE_2)
    sender = FakeSender(answers=[PushResult("retry", detail="TimeoutError: timed out")])
    clock.set(utc(2026, 11, 23, 9, 0))
    d = dispatcher(sender, clock)
    stats = d.tick()
    # The first push to fcm timed out; the other two fcm pushes were not tried, the mozilla one went.
    assert [c["endpoint"].split("/")[2] for c in sender.calls] == ["fcm.googleapis.com", "updates.push.services.mozilla.com"]
    assert stats.outcomes == {"retry": 1, "deferred": 2, "sent": 1}
    pending = db.session.scalars(select(Delivery).where(Delivery.status == "pending")).all()
    held = [r for r in pending if r.attempts == 0]
    timed_out = next(r for r in pending if r.attempts == 1)
    assert len(held) == 2 and {r.next_attempt_at for r in held} == {utc(2026, 11, 23, 9, 0, 30)}
    assert timedelta(seconds=24) <= timed_out.next_attempt_at - clock() <= timedelta(seconds=36)  # its own backoff
    clock.set(utc(2026, 11, 23, 9, 0, 30))  # the hold is over: the held ones go
    d.tick()
    for row in held:
        db.session.refresh(row)
    assert [r.status for r in held] == ["sent", "sent"]
    clock.set(utc(2026, 11, 23, 9, 0, 36))
    d.tick()
    db.session.refresh(timed_out)
    assert (timed_out.status, timed_out.attempts) == ("sent", 2) and len(sender.calls) == 5


def test_a_lease_left_by_a_dead_dispatcher_is_taken_over_after_it_expires(ctx):
    clock = Clock(utc(2026, 11, 23, 8, 0))
    user = make_user("UTC")
    add_reminder(user, {"type": "once", "at": "2026-11-23T09:00:00Z"}, clock())
    _device(ctx, user)
    clock.set(utc(2026, 11, 23, 9, 0))
    dead = dispatcher(FakeSender(), clock, lease=timedelta(seconds=120))
    fired, jobs = dead.claim_due()  # claimed and leased, then the process died before sending
    assert fired == 1 and len(jobs) == 1
    survivor_sender = FakeSender()
    survivor = dispatcher(survivor_sender, clock)
    assert survivor.tick().outcomes == {} and survivor_sender.calls == []
    clock.advance(seconds=121)
    assert survivor.tick().sent == 1
    delivery = db.session.scalar(select(Delivery))
    assert (delivery.status, delivery.attempts, delivery.lease_owner) == ("sent", 2, survivor.owner)


def test_deleting_a_reminder_keeps_what_it_sent_in_the_inbox(ctx):
    from coach.reminders.service import delete_reminder

    clock = Clock(utc(2026, 11, 23, 8, 0))
    user = make_user("UTC")
    reminder = add_reminder(user, {"type": "daily", "times": ["09:00"]}, clock())
    clock.set(utc(2026, 11, 23, 9, 0))
    dispatcher(FakeSender(), clock).tick()
    delete_reminder(user, reminder.id)
    assert _count(Reminder) == 0 and _count(Notification) == 1
    assert db.session.scalar(select(Notification.reminder_id)) is None


def test_a_replayed_create_racing_the_first_returns_the_original(ctx, monkeypatch):
    from coach.reminders import service

    clock = Clock(utc(2026, 11, 23, 8, 0))
    user = make_user("UTC")
    first = add_reminder(user, {"type": "daily", "times": ["09:00"]}, clock())
    db.session.execute(db.update(Reminder).where(Reminder.id == first.id).values(client_id="c0ffee00-0000-4000-8000-000000000000"))
    db.session.commit()
    # The replay's own lookup misses (the other request had not committed yet), then its insert conflicts.
    real_scalar, calls = db.session.scalar, []

    def scalar_missing_once(statement, *args, **kwargs):
        calls.append(statement)
        return None if len(calls) == 1 else real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", scalar_missing_once)
    again, created = service.create_reminder(user, {"title": "Posture check", "kind": "posture",
                                                    "schedule": {"type": "daily", "times": ["09:00"]}},
                                             clock(), client_id="c0ffee00-0000-4000-8000-000000000000")
    assert (again.id, created) == (first.id, False)
