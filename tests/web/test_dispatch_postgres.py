"""PostgreSQL only: dispatchers running side by side (FOR UPDATE SKIP LOCKED) and one killed mid-way."""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coach.extensions import db
from coach.models import Delivery, Notification
from coach.reminders.push import sender_for
from tests.pushfake import FakePushService
from tests.reminder_helpers import Clock, add_device, add_reminder, dispatcher, make_user, push_config, utc

pytestmark = pytest.mark.postgres

DUE = utc(2026, 11, 23, 6, 0)


@pytest.fixture
def postgres(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite takes a single dispatcher")


def _seed(app, service, users: int, reminders_each: int, devices_each: int) -> int:
    """Reminders all due at DUE; returns how many pushes should arrive."""
    with app.app_context():
        for u in range(users):
            user = make_user("UTC")
            for _ in range(reminders_each):
                add_reminder(user, {"type": "daily", "times": ["06:00"]}, DUE - timedelta(hours=1))
            for d in range(devices_each):
                add_device(app, user, service.subscribe(f"u{u}d{d}").info())
    return users * reminders_each * devices_each


def test_two_dispatchers_at_once_deliver_each_exactly_once(postgres, app_factory):
    apps = [app_factory(**push_config()), app_factory(**push_config())]
    with apps[0].app_context():
        key = sender_for(apps[0]).keys.public_key
    with FakePushService(key) as service:
        expected = _seed(apps[0], service, users=60, reminders_each=5, devices_each=2)
        clock, start, results = Clock(DUE + timedelta(seconds=1)), threading.Barrier(2), {}

        def run(index):
            with apps[index].app_context():
                start.wait()
                results[index] = dispatcher(sender_for(apps[index]), clock, batch_size=10).tick()
                db.session.remove()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        counts = Counter((m.device, m.payload["tag"]) for m in service.delivered())
    assert len(counts) == expected and set(counts.values()) == {1}
    assert results[0].fired + results[1].fired == 300
    assert results[0].fired > 0 and results[1].fired > 0  # both really worked, side by side
    with apps[0].app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 300
        assert db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "sent")) == expected


def _claim_and_die(database_url: str) -> None:
    """In a child process: claim everything due, then get killed before sending anything."""
    from coach import create_app
    from tests.conftest import make_config

    app = create_app(make_config(database_url, **push_config()))
    with app.app_context():
        fired, jobs = dispatcher(sender_for(app), Clock(DUE + timedelta(seconds=1)),
                                 lease=timedelta(seconds=120), batch_size=1000).claim_due()
        assert fired == 20 and len(jobs) == 20
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_dispatcher_killed_after_claiming_is_recovered_after_its_lease(postgres, app_factory, database_url):
    app = app_factory(**push_config())
    with app.app_context():
        key = sender_for(app).keys.public_key
    with FakePushService(key) as service:
        _seed(app, service, users=20, reminders_each=1, devices_each=1)
        child = multiprocessing.get_context("fork").Process(target=_claim_and_die, args=(database_url,))
        child.start()
        child.join(60)
        assert child.exitcode == -signal.SIGKILL
        with app.app_context():
            clock = Clock(DUE + timedelta(seconds=2))
            survivor = dispatcher(sender_for(app), clock)
            assert survivor.tick().fired == 0 and service.messages == []  # still leased to the dead one
            clock.advance(seconds=120)
            stats = survivor.tick()
            assert stats.sent == 20
            assert db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.attempts == 2)) == 20
        counts = Counter((m.device, m.payload["tag"]) for m in service.delivered())
    assert len(counts) == 20 and set(counts.values()) == {1}
