"""Helpers for the reminder tests: a VAPID key, a push-enabled app, a settable clock, a scripted sender."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from py_vapid import Vapid

from coach.extensions import db
from coach.models import PushSubscription, User
from coach.reminders.devices import upsert_subscription
from coach.reminders.dispatch import Dispatcher, Settings
from coach.reminders.push import PushResult, b64url, endpoint_policy
from coach.reminders.service import create_reminder

_vapid = Vapid()
_vapid.generate_keys()
VAPID_PRIVATE = b64url(_vapid.private_key.private_numbers().private_value.to_bytes(32, "big"))
_counter = itertools.count(1)


def push_config(**overrides) -> dict:
    config = {"VAPID_PRIVATE_KEY": VAPID_PRIVATE, "VAPID_SUBJECT": "mailto:ops@example.com",
              "PUSH_ALLOW_LOOPBACK": True, "PUSH_SEND_THREADS": 1}
    config.update(overrides)
    return config


class Clock:
    """A clock the test moves by hand: dispatchers read it instead of the system's."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


def make_user(tz: str = "Europe/Berlin", quiet: tuple[str, str] | None = None) -> User:
    n = next(_counter)
    user = User(email=f"rem{n}@example.com", password_hash="x", display_name=f"R {n}", timezone=tz, country="DE")
    if quiet:
        user.quiet_start, user.quiet_end = (time.fromisoformat(t) for t in quiet)
    db.session.add(user)
    db.session.commit()
    return user


def add_reminder(user: User, schedule: dict, now: datetime, **fields):
    values = {"title": "Posture check", "kind": "posture", "schedule": schedule, **fields}
    return create_reminder(user, values, now)[0]


def add_device(app, user: User, info: dict, now: datetime | None = None) -> PushSubscription:
    keys = info["keys"]
    return upsert_subscription(user, info["endpoint"], keys["p256dh"], keys["auth"], now or datetime.now(UTC),
                               endpoint_policy(app))[0]


@dataclass
class FakeSender:
    """Records what it is asked to send and answers from a script (default: sent)."""

    answers: list = field(default_factory=list)
    calls: list = field(default_factory=list)
    timeout: float = 10.0

    def send(self, subscription, payload, *, topic, urgency="normal", ttl=None) -> PushResult:
        self.calls.append({"endpoint": subscription["endpoint"], "payload": payload, "topic": topic, "ttl": ttl})
        return self.answers.pop(0) if self.answers else PushResult("sent", 201)

    def send_many(self, pushes, *, urgency="normal", ttl=None) -> list[PushResult]:
        return [self.send(p.subscription, p.payload, topic=p.topic, urgency=urgency, ttl=ttl) for p in pushes]


def dispatcher(sender, clock, **settings) -> Dispatcher:
    return Dispatcher(sender, clock, Settings(threads=1, **settings))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
