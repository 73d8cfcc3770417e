"""Sending pushes writes the dispatcher's one summary line per pass, never a line per push naming the phone's
push endpoint (bench/soak.py found httpx's client logging every POST at INFO, 26,000 lines in a 5-minute soak, before
the transport drove httpx's transports directly)."""
from __future__ import annotations

import logging

from coach.reminders.push import sender_for
from tests.pushfake import FakePushService
from tests.reminder_helpers import Clock, add_device, add_reminder, dispatcher, make_user, push_config, utc


def test_a_burst_of_pushes_logs_a_summary_and_no_endpoint(app_factory, caplog):
    app = app_factory(**push_config())
    caplog.set_level(logging.INFO)
    with app.app_context(), FakePushService(expected_key=sender_for(app).keys.public_key) as service:
        clock = Clock(utc(2026, 11, 23, 6, 0))
        devices = []
        for n in range(5):
            user = make_user("UTC")
            devices.append(service.subscribe(f"phone{n}"))
            add_device(app, user, devices[-1].info())
            add_reminder(user, {"type": "daily", "times": ["06:30"]}, clock())
        clock.set(utc(2026, 11, 23, 6, 30, 1))
        dispatcher(sender_for(app), clock).tick()
    assert len(service.delivered()) == 5
    assert "5 fired" in caplog.text
    for device in devices:
        assert device.endpoint not in caplog.text
