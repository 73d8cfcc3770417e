"""Real pushes (pywebpush, VAPID, aes128gcm) to a fake push service on 127.0.0.1 that decrypts them with
the device's key and verifies the VAPID signature; time is a fixed clock, never a sleep."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from coach.extensions import db
from coach.models import Delivery, PushSubscription, Reminder, Routine
from coach.reminders.push import EndpointPolicy, Sender, encode_payload, load_vapid, sender_for
from coach.reminders.service import compute_next
from coach.seed import seed
from tests.pushfake import FakePushService
from tests.reminder_helpers import Clock, add_device, add_reminder, dispatcher, make_user, push_config, utc


@pytest.fixture
def push_app(app_factory):
    app = app_factory(**push_config())
    with app.app_context():
        yield app


@pytest.fixture
def service(push_app):
    with FakePushService(expected_key=sender_for(push_app).keys.public_key) as fake:
        yield fake


def _routine_reminder(now):
    user = make_user("Europe/Berlin")
    seed(now=now)  # the stock routines: the reminder points at floor-mobility by id, its URL names the slug
    routine = db.session.scalar(select(Routine).where(Routine.slug == "floor-mobility"))
    reminder = Reminder(user_id=user.id, kind="routine", routine=routine, title="Floor mobility",
                        body="Time for Floor mobility.", enabled=True, created_at=now, updated_at=now,
                        schedule={"type": "daily", "times": ["07:30"], "weekdays": [1, 2, 3, 4, 5]})
    reminder.next_fire_at = compute_next(reminder.schedule, user, now)
    db.session.add(reminder)
    db.session.commit()
    return user, reminder


def test_the_right_payload_arrives_once_at_the_right_time(push_app, service):
    clock = Clock(utc(2026, 11, 23, 5, 0))  # Monday 06:00 in Berlin
    user, reminder = _routine_reminder(clock())
    device = service.subscribe("phone")
    add_device(push_app, user, device.info())
    d = dispatcher(sender_for(push_app), clock)

    clock.set(utc(2026, 11, 23, 6, 29, 59))
    d.tick()
    assert service.messages == []
    clock.set(utc(2026, 11, 23, 6, 30, 2))  # 07:30:02 in Berlin
    d.tick()
    d.tick()
    [message] = service.messages
    assert message.error is None and message.status == 201
    tag = f"r{reminder.id}-202611230630"
    assert message.payload == {"title": "Floor mobility", "body": "Time for Floor mobility.",
                               "url": "/routines/floor-mobility/play", "tag": tag}
    assert message.headers["topic"] == tag and message.headers["urgency"] == "normal"
    assert message.headers["ttl"] == "14400"
    assert message.claims["aud"] == service.origin and message.claims["sub"] == "mailto:ops@example.com"
    assert db.session.scalar(select(Delivery.status)) == "sent"


def test_several_devices_each_get_it(push_app, service):
    clock = Clock(utc(2026, 11, 23, 5, 0))
    user, reminder = _routine_reminder(clock())
    for name in ("phone", "tablet", "laptop"):
        add_device(push_app, user, service.subscribe(name).info())
    clock.set(reminder.next_fire_at)
    dispatcher(sender_for(push_app), clock).tick()
    assert sorted(m.device for m in service.delivered()) == ["laptop", "phone", "tablet"]
    assert {m.payload["tag"] for m in service.delivered()} == {f"r{reminder.id}-202611230630"}


def test_410_removes_the_subscription(push_app, service):
    clock = Clock(utc(2026, 11, 23, 5, 0))
    user, reminder = _routine_reminder(clock())
    add_device(push_app, user, service.subscribe("old").info())
    add_device(push_app, user, service.subscribe("new").info())
    service.answer("old", 410)
    clock.set(reminder.next_fire_at)
    dispatcher(sender_for(push_app), clock).tick()
    assert [s.endpoint.rsplit("/", 1)[1] for s in db.session.scalars(select(PushSubscription))] == ["new"]
    # The next morning only the live device is tried.
    db.session.refresh(reminder)
    clock.set(reminder.next_fire_at)
    dispatcher(sender_for(push_app), clock).tick()
    assert sorted(m.device for m in service.messages) == ["new", "new", "old"]
    assert service.messages[-1].device == "new"


def test_429_is_retried_after_retry_after(push_app, service):
    clock = Clock(utc(2026, 11, 23, 5, 0))
    user, reminder = _routine_reminder(clock())
    add_device(push_app, user, service.subscribe("phone").info())
    service.answer("phone", (429, {"Retry-After": "120"}))
    clock.set(reminder.next_fire_at)
    d = dispatcher(sender_for(push_app), clock)
    d.tick()
    assert [m.status for m in service.messages] == [429]
    clock.advance(seconds=119)
    d.tick()
    assert len(service.messages) == 1
    clock.advance(seconds=2)
    d.tick()
    assert [m.status for m in service.messages] == [429, 201]
    assert service.messages[1].payload["tag"] == f"r{reminder.id}-202611230630"


def test_a_429_holds_back_the_other_pushes_to_that_service_until_retry_after(push_app, service):
    clock = Clock(utc(2026, 11, 23, 5, 0))
    for n in range(3):
        user, reminder = _routine_reminder(clock())
        add_device(push_app, user, service.subscribe(f"phone{n}").info())
    service.control("POST", "/_fault", b'{"status": 429, "seconds": 600, "retry_after": 120}')  # to every push
    clock.set(reminder.next_fire_at)
    d = dispatcher(sender_for(push_app), clock)
    assert d.tick().outcomes == {"rate_limited": 1, "deferred": 2}
    assert [m.status for m in service.messages] == [429]  # the other two were not tried
    service.control("POST", "/_fault", b'{"status": null}')
    clock.advance(seconds=119)
    d.tick()
    assert len(service.messages) == 1
    clock.advance(seconds=1)
    assert d.tick().sent == 3
    assert sorted(m.device for m in service.delivered()) == ["phone0", "phone1", "phone2"]


def test_413_is_not_retried(push_app, service):
    clock = Clock(utc(2026, 11, 23, 5, 0))
    user, reminder = _routine_reminder(clock())
    add_device(push_app, user, service.subscribe("phone").info())
    service.answer("phone", 413)
    clock.set(reminder.next_fire_at)
    d = dispatcher(sender_for(push_app), clock)
    d.tick()
    clock.advance(hours=2)
    d.tick()
    assert [m.status for m in service.messages] == [413]
    assert db.session.scalar(select(Delivery.status)) == "too_large"


def test_a_reminder_inside_quiet_hours_is_held(push_app, service):
    clock = Clock(utc(2026, 11, 23, 12, 0))
    user = make_user("Europe/Berlin", quiet=("22:00", "07:00"))
    reminder = add_reminder(user, {"type": "daily", "times": ["23:00"]}, clock())
    add_device(push_app, user, service.subscribe("phone").info())
    d = dispatcher(sender_for(push_app), clock)
    clock.set(utc(2026, 11, 23, 22, 0, 5))  # 23:00:05 in Berlin
    d.tick()
    assert service.messages == []
    clock.set(utc(2026, 11, 24, 6, 0, 1))  # 07:00:01, the end of the quiet hours
    d.tick()
    [message] = service.delivered()
    assert message.payload["tag"] == f"r{reminder.id}-202611240600"


def test_the_sender_refuses_hosts_outside_the_allow_list(push_app, service):
    keys = load_vapid(push_app.config, push_app.instance_path)
    strict = Sender(keys, EndpointPolicy("fcm.googleapis.com", allow_loopback=False))
    device = service.subscribe("phone")
    result = strict.send(device.info(), encode_payload("t", "b", "/", "x"), topic="x")
    assert result.outcome == "refused" and service.messages == []


def test_a_wrong_vapid_key_is_rejected_loudly(push_app, caplog, monkeypatch):
    import logging

    # migrations/env.py's fileConfig() disables loggers that existed before the suite migrated.
    monkeypatch.setattr(logging.getLogger("coach.reminders.push"), "disabled", False)
    with FakePushService(expected_key="B" + "A" * 86) as other:
        device = other.subscribe("phone")
        result = sender_for(push_app).send(device.info(), encode_payload("t", "b", "/", "x"), topic="x")
    assert (result.outcome, result.status) == ("rejected", 400)
    assert any(r.levelname == "ERROR" and "VAPID" in r.getMessage() for r in caplog.records)


def test_a_burst_goes_out_together_and_each_push_arrives_once_intact(push_app, service):
    """40 people due at the same minute: the pushes go out 8 at a time as HTTP/2 streams on one connection
    (tests/unit/test_push_transport.py shows them in flight together), and each is decrypted by its own
    device exactly once; a 410 among them removes only that subscription."""
    clock = Clock(utc(2026, 11, 23, 5, 0))
    reminders = {}
    for n in range(40):
        user, reminder = _routine_reminder(clock())
        device = service.subscribe(f"phone{n}")
        add_device(push_app, user, device.info())
        reminders[device.name] = reminder
    service.answer("phone17", 410)
    clock.set(utc(2026, 11, 23, 6, 30))
    stats = dispatcher(sender_for(push_app), clock, in_flight=8).tick()
    assert stats.sent == 39 and stats.outcomes.get("gone") == 1
    accepted = service.delivered()
    assert sorted(m.device for m in accepted) == sorted(name for name in reminders if name != "phone17")
    assert all(m.payload["tag"] == f"r{reminders[m.device].id}-202611230630" for m in accepted)
    assert all(m.headers["topic"] == m.payload["tag"] for m in accepted)
    assert len(service.messages) == 40  # nothing was sent twice
    gone = db.session.scalars(select(PushSubscription.endpoint)).all()
    assert len(gone) == 39 and not any(e.endswith("/phone17") for e in gone)
    assert service.connections == 1 and set(service.http_versions) == {"2"}
